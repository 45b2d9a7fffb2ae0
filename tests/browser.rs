//! Every built-in theme in a real browser: headless Chromium (the Debian
//! package) driven by playwright-core, with axe-core run in the page. The
//! Node side is tests/browser/check.mjs; this side builds the pages,
//! serves them from 127.0.0.1 and judges the findings.
//!
//! `ERRORSMITH_UPDATE_SCREENSHOTS=1 cargo test --test browser` also
//! rewrites docs/screenshots/.

mod common;

use common::browser::{browser, node_project, run_script};
use common::errorsmith;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

const PAGES: [&str; 3] = ["404", "502", "503"];
const UPDATE_SCREENSHOTS: &str = "ERRORSMITH_UPDATE_SCREENSHOTS";

/// Serves `root` on 127.0.0.1 and remembers every path asked for, so
/// requests the page makes to its own origin are caught on this side too.
struct StaticServer {
    port: u16,
    requested: Arc<Mutex<Vec<String>>>,
}

impl StaticServer {
    fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requested = Arc::new(Mutex::new(Vec::new()));
        let (root, log) = (root.to_path_buf(), Arc::clone(&requested));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, log) = (root.clone(), Arc::clone(&log));
                std::thread::spawn(move || serve_one(stream, &root, &log));
            }
        });
        StaticServer { port, requested }
    }

    fn requested(&self) -> Vec<String> {
        self.requested.lock().unwrap().clone()
    }
}

fn serve_one(stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Read the headers so the reply does not race an unread request.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    // Chromium opens spare connections and may close them unused.
    let Some(path) = request_line.split_whitespace().nth(1) else {
        return;
    };
    let path = path.split(['?', '#']).next().unwrap_or(path).to_string();
    log.lock().unwrap().push(path.clone());
    let file = root.join(path.trim_start_matches('/'));
    let (status, body) = match std::fs::read(&file) {
        Ok(bytes) if !path.contains("..") => ("200 OK", bytes),
        _ => ("404 Not Found", b"not found".to_vec()),
    };
    let mut stream = &stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

/// The built-in theme names, as `errorsmith themes` lists them in a
/// folder without a project.
fn builtin_themes() -> Vec<String> {
    let empty = tempfile::tempdir().unwrap();
    common::theme_names(empty.path())
}

/// `errorsmith build --theme THEME --out SITE/THEME`, plus any extra
/// arguments.
fn build(site: &Path, theme: &str, extra: &[&str]) {
    let cwd = tempfile::tempdir().unwrap();
    errorsmith()
        .current_dir(cwd.path())
        .args(["build", "--theme", theme])
        .args(extra)
        .arg("--out")
        .arg(site.join(theme))
        .assert()
        .success();
}

struct Job<'a> {
    chromium: &'a Path,
    port: u16,
    themes: &'a [String],
    pages: &'a [&'a str],
    widths: &'a [u32],
    schemes: &'a [&'a str],
    screenshot_dir: Option<&'a Path>,
}

/// One finding: which page, how it was viewed, what failed.
struct Finding {
    theme: String,
    page: String,
    width: u64,
    scheme: String,
    failure: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}.html at {} px, {}: {}",
            self.theme, self.page, self.width, self.scheme, self.failure
        )
    }
}

/// Runs check.mjs once (one Chromium for every page) and returns its
/// findings.
fn run_checks(job: &Job) -> Vec<Finding> {
    let targets: Vec<_> = job
        .themes
        .iter()
        .flat_map(|theme| {
            job.pages
                .iter()
                .map(move |page| serde_json::json!({ "theme": theme, "page": page }))
        })
        .collect();
    let spec = serde_json::json!({
        "chromium": job.chromium,
        "baseUrl": format!("http://127.0.0.1:{}", job.port),
        "targets": targets,
        "widths": job.widths,
        "schemes": job.schemes,
        "screenshotDir": job.screenshot_dir,
    });
    let dir = tempfile::tempdir().unwrap();
    let spec_file = dir.path().join("job.json");
    std::fs::write(&spec_file, spec.to_string()).unwrap();
    let report = run_script("check.mjs", &spec_file);
    eprintln!(
        "browser checks: {} views in {} ms",
        report["results"].as_array().map_or(0, Vec::len),
        report["elapsedMs"]
    );
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|result| {
            result["failures"]
                .as_array()
                .unwrap()
                .iter()
                .map(|failure| Finding {
                    theme: result["theme"].as_str().unwrap().to_string(),
                    page: result["page"].as_str().unwrap().to_string(),
                    width: result["width"].as_u64().unwrap(),
                    scheme: result["scheme"].as_str().unwrap().to_string(),
                    failure: failure.as_str().unwrap().to_string(),
                })
        })
        .collect()
}

fn screenshot_names(theme: &str) -> [String; 2] {
    [
        format!("{theme}-502-light.png"),
        format!("{theme}-502-dark-320.png"),
    ]
}

#[test]
fn every_builtin_theme_passes_the_browser_checks() {
    let test = "every_builtin_theme_passes_the_browser_checks";
    let Some(chromium) = browser(test) else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    let themes = builtin_themes();
    assert!(themes.len() >= 4, "{themes:?}");
    for theme in &themes {
        build(site.path(), theme, &[]);
    }
    let server = StaticServer::start(site.path());
    let shots = match std::env::var_os(UPDATE_SCREENSHOTS) {
        Some(_) => Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots"),
        None => site.path().join("screenshots"),
    };
    std::fs::create_dir_all(&shots).unwrap();
    let findings = run_checks(&Job {
        chromium: &chromium,
        port: server.port,
        themes: &themes,
        pages: &PAGES,
        widths: &[320, 1280],
        schemes: &["light", "dark"],
        screenshot_dir: Some(&shots),
    });

    let mut problems: Vec<String> = findings.iter().map(ToString::to_string).collect();
    // The page check reports a missing icon; anything else asked of the
    // server is a request the page made.
    let pages: Vec<String> = themes
        .iter()
        .flat_map(|t| PAGES.map(|p| format!("/{t}/{p}.html")))
        .collect();
    for path in server.requested() {
        if !pages.contains(&path) && path != "/favicon.ico" {
            problems.push(format!("the server was asked for {path}"));
        }
    }
    for theme in &themes {
        for name in screenshot_names(theme) {
            let bytes = std::fs::read(shots.join(&name)).unwrap_or_default();
            if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                problems.push(format!("no screenshot {name}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} browser check failures:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The checks above can fail: a theme that breaks each rule on purpose
/// must be caught by each check.
#[test]
fn browser_checks_catch_a_theme_that_breaks_every_rule() {
    let test = "browser_checks_catch_a_theme_that_breaks_every_rule";
    let Some(chromium) = browser(test) else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    let themes_dir = node_project().join("fixture/themes");
    build(
        site.path(),
        "broken",
        &["--themes", themes_dir.to_str().unwrap()],
    );
    let server = StaticServer::start(site.path());
    let findings = run_checks(&Job {
        chromium: &chromium,
        port: server.port,
        themes: &["broken".to_string()],
        pages: &["502"],
        widths: &[320],
        schemes: &["dark"],
        screenshot_dir: None,
    });
    let report: Vec<String> = findings.iter().map(ToString::to_string).collect();
    let report = report.join("\n");
    for expected in [
        "broken/502.html at 320 px, dark: horizontal scrolling: scrollWidth",
        "network request: http://127.0.0.1:9/pixel.png",
        "console error: broken on purpose",
        "axe color-contrast (serious)",
        "axe image-alt (critical)",
        "no <link rel=\"icon\"",
    ] {
        assert!(report.contains(expected), "{expected:?} not in:\n{report}");
    }
    assert!(
        server
            .requested()
            .contains(&"/broken/local.png".to_string()),
        "{:?}",
        server.requested()
    );
}

/// The two developer-part checks, each broken by a theme of its own (one
/// page cannot be both shown too early and never shown).
#[test]
fn browser_checks_catch_a_developer_part_shown_early_or_never() {
    let test = "browser_checks_catch_a_developer_part_shown_early_or_never";
    let Some(chromium) = browser(test) else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    let themes_dir = node_project().join("fixture/themes");
    let themes = ["developer-shown".to_string(), "developer-stuck".to_string()];
    for theme in &themes {
        build(
            site.path(),
            theme,
            &["--themes", themes_dir.to_str().unwrap(), "--locale", "en"],
        );
    }
    let server = StaticServer::start(site.path());
    let findings = run_checks(&Job {
        chromium: &chromium,
        port: server.port,
        themes: &themes,
        pages: &["502"],
        widths: &[1280],
        schemes: &["light"],
        screenshot_dir: None,
    });
    let report: Vec<String> = findings.iter().map(ToString::to_string).collect();
    let report = report.join("\n");
    for expected in [
        "developer-shown/502.html at 1280 px, light: the developer part is visible without #developer",
        "developer-stuck/502.html at 1280 px, light: the developer part stays invisible at #developer",
    ] {
        assert!(report.contains(expected), "{expected:?} not in:\n{report}");
    }
}
