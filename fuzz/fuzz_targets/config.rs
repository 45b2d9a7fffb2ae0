//! Any bytes as `errorsmith.yaml`: loading must never panic, and a config
//! that loads must render a page whose CSS and markup its values cannot
//! break out of.
#![no_main]

use errorsmith::config::{Config, DeveloperMode};
use errorsmith::project::Project;
use errorsmith::render::{Renderer, SiteView, SsiMarkup};
use errorsmith::servers::nginx::NginxSsi;
use errorsmith::theme::Theme;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

#[path = "harmless.rs"]
mod harmless;

struct Setup {
    project: Project,
    theme: Theme,
    config_path: PathBuf,
    _dir: tempfile::TempDir,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let (project, theme) = harmless::builtin_project();
        let dir = tempfile::tempdir().expect("temporary directory");
        Setup {
            project,
            theme,
            config_path: dir.path().join("errorsmith.yaml"),
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    std::fs::write(&setup.config_path, data).expect("write the input");
    let Ok(config) = Config::load(&setup.config_path) else {
        return;
    };
    let site = &config.site;
    // The logo is left out: it would read whatever file the input names.
    let view = SiteView {
        name: site.name.clone(),
        home_url: site.home_url.clone(),
        status_url: site.status_url.clone(),
        support_url: site.support_url.clone(),
        footer: site.footer.clone(),
        logo: None,
    };
    let renderer = Renderer::new(&setup.theme, &config, view).expect("a valid config renders");
    let Some(page) = setup.project.catalog.page("en", 404) else {
        return;
    };
    let strings = setup.project.catalog.strings_for("en", "en");
    let ssi = NginxSsi {
        url_prefix: config.url_prefix.clone(),
    };
    let html = renderer
        .page(page, &strings, "en/", &ssi)
        .expect("a valid config renders");
    // The built-in 404 page has a developer part: one include in SSI mode.
    let expected_ssi = if config.developer == DeveloperMode::Ssi {
        ssi.developer_include("en/", 404).matches("<!--#").count()
    } else {
        0
    };
    // Too deep to minify is a refusal with a message, not a crash.
    let Ok(minified) = errorsmith::minify::page(&html) else {
        return;
    };
    for text in [html.as_str(), &String::from_utf8_lossy(&minified)] {
        assert_harmless(text, expected_ssi);
    }
});

fn assert_harmless(html: &str, expected_ssi: usize) {
    let lower = html.to_ascii_lowercase();
    let style = lower
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(css, _)| css)
        .expect("one style element");
    assert!(
        !style.contains('<'),
        "config broke out of the stylesheet:\n{html}"
    );
    assert!(
        !style.contains("@import") && !style.contains("url("),
        "config made the stylesheet load something:\n{html}"
    );
    assert_eq!(
        lower.matches("<style").count(),
        1,
        "config added a style element:\n{html}"
    );
    assert_eq!(
        html.matches("<!--#").count(),
        expected_ssi,
        "config injected SSI:\n{html}"
    );
    harmless::assert_harmless_markup(html);
}
