//! Any bytes as a content file: parsing must never panic, and whatever
//! parses must render to a page that content cannot take over (no script,
//! no SSI directive, no unsafe link), in every developer mode.
#![no_main]

use errorsmith::config::DeveloperMode;
use errorsmith::content::parse_page;
use errorsmith::markdown::MarkdownOptions;
use errorsmith::render::{Renderer, SsiMarkup};
use errorsmith::servers::nginx::NginxSsi;
use errorsmith::source::SourceFile;
use errorsmith::strings::Strings;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "harmless.rs"]
mod harmless;

struct Setup {
    renderers: Vec<(DeveloperMode, Renderer)>,
    strings: Strings,
    ssi: NginxSsi,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let (project, theme) = harmless::builtin_project();
        let renderers = [
            DeveloperMode::Strip,
            DeveloperMode::Hidden,
            DeveloperMode::Ssi,
        ]
        .into_iter()
        .map(|mode| {
            let mut config = project.config.clone();
            config.developer = mode;
            let site = project.site_view().expect("site view");
            (
                mode,
                Renderer::new(&theme, &config, site).expect("renderer"),
            )
        })
        .collect();
        Setup {
            renderers,
            strings: project.catalog.strings_for("en", "en"),
            ssi: NginxSsi {
                url_prefix: "/_errors".into(),
            },
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let file = SourceFile {
        rel_path: "404.md".into(),
        origin: "fuzz/404.md".into(),
        bytes: data.to_vec(),
    };
    let Ok(page) = parse_page(&file, "en", MarkdownOptions::default()) else {
        return;
    };
    // The only SSI directives are those of the theme's developer include.
    let include = setup.ssi.developer_include("en/", page.code);
    for (mode, renderer) in &setup.renderers {
        let expected_ssi = if *mode == DeveloperMode::Ssi && !page.developer.html().is_none() {
            include.matches("<!--#").count()
        } else {
            0
        };
        let Ok(html) = renderer.page(&page, &setup.strings, "en/", &setup.ssi) else {
            continue;
        };
        // Too deep to minify is a refusal with a message, not a crash.
        let Ok(minified) = errorsmith::minify::page(&html) else {
            continue;
        };
        let minified = String::from_utf8_lossy(&minified);
        for text in [html.as_str(), &minified] {
            assert_harmless(text, *mode, expected_ssi);
        }
    }
});

fn assert_harmless(html: &str, mode: DeveloperMode, expected_ssi: usize) {
    assert_eq!(
        html.matches("<!--#").count(),
        expected_ssi,
        "content injected an SSI directive in {mode:?} mode:\n{html}"
    );
    harmless::assert_harmless_markup(html);
}
