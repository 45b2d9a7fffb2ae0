//! Any theme: the input is a `page.html` (and optionally `style.css`,
//! `developer.html`, a content file and a config), built with the library
//! in every developer mode. A build may fail, with a message; when it
//! succeeds, the developer part is only where the mode puts it, and the same
//! input builds the same bytes again.
//!
//! Input layout, sections split by lines starting with `@@ `:
//!
//! ```text
//! <page.html>
//! @@ style.css
//! <style.css>
//! @@ developer.html
//! <developer.html>
//! @@ content
//! <content/404.md; the marker's developer part is appended>
//! @@ config
//! <errorsmith.yaml>
//! @@ insert 123
//! ```
//!
//! With `@@ insert N`, `page.html` is the template that uses every context
//! variable (`fuzz/templates/every-variable.html`) with the page text
//! inserted at byte N (modulo its length).
#![no_main]

use errorsmith::build::render_project;
use errorsmith::config::DeveloperMode;
use errorsmith::project::{Project, ProjectOptions};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Uses every variable a page template is given.
const EVERY_VARIABLE: &str = include_str!("../templates/every-variable.html");

/// The developer part every content file ends with; its distinctive word
/// must never reach a file the mode keeps it out of.
const DEVELOPER_PART: &str =
    "\n\n## Fuzz notes {.developer}\n\nQuokkaflux marker: restart the flux capacitor.\n";
const MARKER: &[u8] = b"quokkaflux";

const DEFAULT_CONTENT: &str = "---\ntitle: Not Found\nsummary: Gone.\nfault: either\nextra:\n  hint: look around\n---\nThere is no page here.\n";
const DEFAULT_CONFIG: &str = "site:\n  name: Acme\n  home_url: /\n  status_url: https://status.example.com/\n  support_url: mailto:help@example.com\n  footer: Acme Inc.\ncolors:\n  accent: \"#1a73e8\"\ncodes: [404]\n";

const MODES: [DeveloperMode; 3] = [
    DeveloperMode::Strip,
    DeveloperMode::Hidden,
    DeveloperMode::Ssi,
];

/// The input, split into its sections.
#[derive(Default)]
struct Input<'a> {
    page: &'a [u8],
    style: Option<&'a [u8]>,
    developer: Option<&'a [u8]>,
    content: Option<&'a [u8]>,
    config: Option<&'a [u8]>,
    insert_at: Option<usize>,
}

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Input<'a> {
        let mut input = Input::default();
        let mut sections = split_sections(data);
        input.page = sections.next().map_or(&[][..], |(_, body)| body);
        for (header, body) in sections {
            let header = String::from_utf8_lossy(header);
            let mut words = header.split_whitespace();
            match (words.next(), words.next()) {
                (Some("style.css"), _) => input.style = Some(body),
                (Some("developer.html"), _) => input.developer = Some(body),
                (Some("content"), _) => input.content = Some(body),
                (Some("config"), _) => input.config = Some(body),
                (Some("insert"), Some(at)) => input.insert_at = at.parse().ok(),
                _ => {}
            }
        }
        input
    }

    /// `page.html` as the theme gets it.
    fn page_template(&self) -> Vec<u8> {
        let Some(at) = self.insert_at else {
            return self.page.to_vec();
        };
        let base = EVERY_VARIABLE;
        let mut at = at % (base.len() + 1);
        while !base.is_char_boundary(at) {
            at -= 1;
        }
        [base[..at].as_bytes(), self.page, base[at..].as_bytes()].concat()
    }
}

/// `(header, body)` pairs; the first has an empty header.
fn split_sections(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = Some((&[][..], data));
    std::iter::from_fn(move || {
        let (header, body) = rest?;
        match find(body, b"\n@@ ") {
            Some(at) => {
                let next = &body[at + 4..];
                let line_end = next.iter().position(|&b| b == b'\n').unwrap_or(next.len());
                let next_body = next.get(line_end + 1..).unwrap_or_default();
                rest = Some((&next[..line_end], next_body));
                Some((header, &body[..at]))
            }
            None => {
                rest = None;
                Some((header, body))
            }
        }
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn contains_marker(bytes: &[u8]) -> bool {
    find(&bytes.to_ascii_lowercase(), MARKER).is_some()
}

/// A project folder reused by every run; each run rewrites it.
struct Setup {
    root: PathBuf,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("themes/fuzz")).expect("themes folder");
        std::fs::create_dir_all(root.join("content")).expect("content folder");
        std::fs::write(root.join("themes/fuzz/theme.yaml"), "extends: default\n")
            .expect("theme.yaml");
        Setup {
            out: root.join("out"),
            root,
            _dir: dir,
        }
    })
}

/// Writes `bytes` to `path`, or removes `path` when there are none.
fn write_or_remove(path: &Path, bytes: Option<&[u8]>) {
    match bytes {
        Some(bytes) => std::fs::write(path, bytes).expect("write the input"),
        None => match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("remove {}: {e}", path.display()),
        },
    }
}

fn write_project(setup: &Setup, input: &Input) {
    let theme = setup.root.join("themes/fuzz");
    write_or_remove(&theme.join("page.html"), Some(&input.page_template()));
    write_or_remove(&theme.join("style.css"), input.style);
    write_or_remove(&theme.join("developer.html"), input.developer);
    let content = [
        input.content.unwrap_or(DEFAULT_CONTENT.as_bytes()),
        DEVELOPER_PART.as_bytes(),
    ]
    .concat();
    write_or_remove(&setup.root.join("content/404.md"), Some(&content));
    let config = input.config.unwrap_or(DEFAULT_CONFIG.as_bytes());
    write_or_remove(&setup.root.join("errorsmith.yaml"), Some(config));
}

/// Every file of one build as `(path, bytes)`, or the error's message.
type Outcome = Result<Vec<(String, Vec<u8>)>, String>;

fn build(setup: &Setup, mode: DeveloperMode) -> (Outcome, bool) {
    let options = ProjectOptions {
        root: setup.root.clone(),
        theme: Some("fuzz".into()),
        developer: Some(mode),
        ..ProjectOptions::default()
    };
    let mut project = match Project::load(&options) {
        Ok(project) => project,
        Err(e) => return (Err(format!("{e:#}")), false),
    };
    // The logo would read whatever file the input names.
    project.config.site.logo = None;
    let marker_is_public = project.catalog.pages.values().any(|page| {
        let extra = serde_json::to_string(&page.extra).unwrap_or_default();
        [
            page.title.as_str(),
            &page.summary,
            &page.visitor_html,
            &page.visitor_text,
            &extra,
        ]
        .iter()
        .any(|text| contains_marker(text.as_bytes()))
    });
    let outcome = render_project(&project, &setup.out)
        .map(|rendered| {
            rendered
                .files
                .into_iter()
                .map(|file| (file.path, file.bytes))
                .collect()
        })
        .map_err(|e| format!("{e:#}"));
    (outcome, marker_is_public)
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let input = Input::parse(data);
    write_project(setup, &input);
    // Input that names the marker itself says nothing about leaks.
    let marker_in_input = contains_marker(data);
    for mode in MODES {
        let (first, marker_is_public) = build(setup, mode);
        let (second, _) = build(setup, mode);
        assert!(
            first == second,
            "the same input built different output in {mode:?} mode"
        );
        let files = match first {
            Ok(files) => files,
            Err(message) => {
                assert!(!message.trim().is_empty(), "an error without a message");
                continue;
            }
        };
        if marker_in_input || marker_is_public {
            continue;
        }
        for (path, bytes) in &files {
            if contains_marker(bytes) {
                assert!(
                    may_carry_developer_part(mode, path),
                    "{path} carries the developer part in {mode:?} mode:\n{}",
                    String::from_utf8_lossy(bytes)
                );
            }
        }
    }
});

/// Where the developer part may be in each mode: in hidden mode the HTML
/// pages (and HAProxy's copies of them), in ssi mode the fragments, and
/// never JSON, text, server configs or the manifest.
fn may_carry_developer_part(mode: DeveloperMode, path: &str) -> bool {
    match mode {
        DeveloperMode::Strip => false,
        DeveloperMode::Hidden => {
            (path.ends_with(".html") && !path.starts_with("servers/"))
                || (path.starts_with("servers/haproxy/") && path.ends_with(".http"))
        }
        DeveloperMode::Ssi => path.contains("/developer/") && path.ends_with(".html"),
    }
}
