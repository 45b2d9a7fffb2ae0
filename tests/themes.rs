//! Built-in themes, the brand config they honour, and custom themes that
//! extend them: the real binary on fixture folders and temporary projects.

mod common;

use common::{build_in, errorsmith, fixture_copy};
use std::collections::BTreeMap;
use std::path::Path;

const BUILTIN_THEMES: [&str; 4] = ["default", "minimal", "terminal", "illustrated"];
const DEVELOPER_MODES: [&str; 3] = ["strip", "hidden", "ssi"];
const PAGE_BUDGET: usize = 8 * 1024;
const BUILTIN_CODES: usize = 40;

/// Every HTML file of a build (pages and SSI fragments), path -> text.
fn html_files(out: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(out).unwrap().to_string_lossy();
            (rel.ends_with(".html") && !rel.starts_with("servers/"))
                .then(|| (rel.into_owned(), std::fs::read_to_string(e.path()).unwrap()))
        })
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The inlined stylesheet of a page.
fn stylesheet(html: &str) -> &str {
    let start = html.find("<style>").expect("page has a <style>") + "<style>".len();
    let end = html[start..].find("</style>").unwrap();
    &html[start..start + end]
}

/// A project folder with `errorsmith.yaml` holding `yaml` and an SVG logo.
fn brand_project(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("errorsmith.yaml"), yaml).unwrap();
    std::fs::write(
        dir.path().join("logo.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4" fill="#0a0"/></svg>"##,
    )
    .unwrap();
    dir
}

const FULL_BRAND: &str = r##"
site:
  name: Brandname Inc
  logo: logo.svg
  home_url: https://brand.example/home
  status_url: https://status.brand.example/
  support_url: mailto:help@brand.example
  footer: Footer words of Brandname
colors:
  accent: "#7a1fa2"
  background: "#fffdf5"
  text: "#1b1b1b"
  dark_accent: "#f0a5ff"
  dark_background: "#10100c"
  dark_text: "#f4f4ee"
"##;

#[test]
fn themes_lists_every_builtin_theme_with_its_description() {
    let dir = tempfile::tempdir().unwrap();
    let output = errorsmith()
        .current_dir(dir.path())
        .arg("themes")
        .assert()
        .success();
    let stdout = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    for theme in BUILTIN_THEMES {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(theme))
            .unwrap_or_else(|| panic!("`{theme}` not listed in:\n{stdout}"));
        assert!(line.len() > theme.len() + 20, "no description: {line}");
    }
}

#[test]
fn every_page_of_every_theme_fits_the_budget_in_every_developer_mode() {
    let dir = tempfile::tempdir().unwrap();
    for theme in BUILTIN_THEMES {
        for mode in DEVELOPER_MODES {
            let out = build_in(dir.path(), &["--theme", theme, "--developer", mode]);
            let files = html_files(&out);
            let top_level = files.keys().filter(|p| !p.contains('/')).count();
            assert_eq!(top_level, BUILTIN_CODES, "{theme} {mode}");
            for (path, html) in &files {
                assert!(
                    html.len() <= PAGE_BUDGET,
                    "{theme} --developer {mode}: {path} is {} bytes",
                    html.len()
                );
            }
        }
    }
}

#[test]
fn every_theme_honours_every_brand_value() {
    let dir = brand_project(FULL_BRAND);
    for theme in BUILTIN_THEMES {
        let out = build_in(dir.path(), &["--theme", theme]);
        for code in ["404", "502"] {
            let html = read(&out.join(format!("{code}.html")));
            let context = format!("theme {theme}, page {code}");
            for expected in [
                "Brandname Inc",
                "data:image/svg+xml;base64,",
                "href=\"https://brand.example/home\"",
                "href=\"https://status.brand.example/\"",
                "href=\"mailto:help@brand.example\"",
                "Footer words of Brandname",
            ] {
                assert!(html.contains(expected), "{context}: no `{expected}`");
            }
            let css = stylesheet(&html);
            for color in [
                "#7a1fa2", "#fffdf5", "#1b1b1b", "#f0a5ff", "#10100c", "#f4f4ee",
            ] {
                assert!(css.contains(color), "{context}: CSS lacks {color}");
            }
        }
    }
}

#[test]
fn a_png_logo_is_inlined_as_a_data_uri() {
    let dir = brand_project("site:\n  name: Pngco\n  logo: logo.png\n");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    std::fs::write(dir.path().join("logo.png"), png).unwrap();
    let out = build_in(dir.path(), &[]);
    assert!(read(&out.join("404.html")).contains("data:image/png;base64,iVBORw0KGgo"));
}

/// `site.logo` is relative to the config file, not to the folder
/// `errorsmith` runs in: a config in `brand/` finds `brand/logo.png`.
#[test]
fn the_logo_path_is_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let brand = dir.path().join("brand");
    std::fs::create_dir_all(&brand).unwrap();
    std::fs::write(
        brand.join("errorsmith.yaml"),
        "site:\n  name: Pngco\n  logo: logo.png\nlocales: [en]\ncodes: [404]\n",
    )
    .unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    std::fs::write(brand.join("logo.png"), png).unwrap();
    // A different logo.png where the command runs must not be the one used.
    std::fs::write(dir.path().join("logo.png"), b"\x89PNG\r\n\x1a\nOTHER").unwrap();
    let out = build_in(dir.path(), &["--config", "brand/errorsmith.yaml"]);
    assert!(
        read(&out.join("404.html"))
            .contains("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB")
    );
}

#[test]
fn theme_developer_and_codes_come_from_the_config() {
    let dir = brand_project("theme: terminal\ndeveloper: strip\ncodes: [503, 404]\n");
    let out = build_in(dir.path(), &[]);
    let files = html_files(&out);
    let top: Vec<&str> = files
        .keys()
        .filter(|p| !p.contains('/'))
        .map(String::as_str)
        .collect();
    assert_eq!(top, ["404.html", "503.html"]);
    let manifest = read(&out.join("manifest.json"));
    assert!(manifest.contains(r#""theme": "terminal""#), "{manifest}");
    assert!(manifest.contains(r#""developer": "strip""#), "{manifest}");
    let page = &files["503.html"];
    assert!(page.contains("class=\"cursor\""), "not the terminal theme");
    assert!(
        !page.contains("id=\"developer\""),
        "developer part not stripped"
    );
}

/// A bad brand value stops the build with the file, the key and the fix.
fn assert_config_rejected(yaml: &str, expected_stderr: &str) {
    let dir = brand_project(yaml);
    let output = errorsmith()
        .current_dir(dir.path())
        .arg("build")
        .assert()
        .failure();
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr, expected_stderr);
    assert!(!dir.path().join("dist").exists());
}

#[test]
fn a_color_that_is_not_a_color_names_key_and_file() {
    assert_config_rejected(
        "colors:\n  accent: \"red;}body{\"\n",
        "error: errorsmith.yaml: `colors.accent` is `red;}body{`; use a hex color such as `#1a73e8` or `#fff` (without alpha: pages are drawn on an opaque background)\n",
    );
}

#[test]
fn a_script_url_names_key_and_file() {
    assert_config_rejected(
        "site:\n  status_url: javascript:alert(1)\n",
        "error: errorsmith.yaml: `site.status_url` is `javascript:alert(1)`; use an http(s) URL or a path starting with `/`\n",
    );
}

#[test]
fn a_logo_that_is_not_an_image_names_key_and_file() {
    assert_config_rejected(
        "site:\n  logo: logo.gif\n",
        "error: errorsmith.yaml: `site.logo` is `logo.gif`; use an .svg or .png file\n",
    );
}

#[test]
fn brand_text_lands_escaped_in_every_theme() {
    let name = r#"<script>alert("n")</script> "Q' & co</title>"#;
    let footer = "<img src=x onerror=alert(2)>";
    let yaml = format!(
        "site:\n  name: {}\n  logo: logo.svg\n  footer: {}\n",
        serde_json::to_string(name).unwrap(),
        serde_json::to_string(footer).unwrap()
    );
    let dir = brand_project(&yaml);
    for theme in BUILTIN_THEMES {
        let out = build_in(dir.path(), &["--theme", theme]);
        // Parsed as a browser would: the brand text must come back as text,
        // never as elements or extra attributes.
        let page = scraper::Html::parse_document(&read(&out.join("404.html")));
        let select = |css: &str| {
            let selector = scraper::Selector::parse(css).unwrap();
            page.select(&selector).collect::<Vec<_>>()
        };
        assert!(select("script").is_empty(), "{theme}: a <script> element");
        assert!(
            select("[onerror]").is_empty(),
            "{theme}: an onerror attribute"
        );
        assert_eq!(select("img").len(), 1, "{theme}: only the logo is an image");
        let title: String = select("title")[0].text().collect();
        assert_eq!(title, format!("404 Not Found | {name}"), "{theme}");
        let alt = select("img")[0].value().attr("alt").unwrap_or_default();
        assert!(alt.is_empty() || alt == name, "{theme}: alt is {alt}");
        let shown: String = select("footer")[0].text().collect();
        assert!(shown.contains(footer), "{theme}: footer is {shown}");
    }
}

#[test]
fn builtin_themes_are_self_contained_and_link_only_to_the_brand() {
    let dir = brand_project(FULL_BRAND);
    let brand_links = [
        "",
        "data:,",
        "https://brand.example/home",
        "https://status.brand.example/",
        "mailto:help@brand.example",
    ];
    for theme in BUILTIN_THEMES {
        let out = build_in(dir.path(), &["--theme", theme]);
        for (path, html) in html_files(&out) {
            // The only <link> is the empty inline icon that keeps browsers
            // from asking the failing site for /favicon.ico.
            assert_eq!(html.matches("<link").count(), 1, "{theme} {path}");
            let html = html.replace("<link rel=\"icon\" href=\"data:,\">", "");
            for banned in ["<script", "<link", "@import", "url(", "<iframe", "<object"] {
                assert!(!html.contains(banned), "{theme} {path}: has `{banned}`");
            }
            for link in attribute_values(&html, "href=") {
                assert!(brand_links.contains(&link), "{theme} {path}: href {link}");
            }
            for source in attribute_values(&html, "src=") {
                assert!(
                    source.starts_with("data:image/"),
                    "{theme} {path}: src {source}"
                );
            }
        }
    }
}

/// Values of one attribute (`href=`), quoted or not, as the minifier
/// writes them.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    html.match_indices(attribute)
        .filter(|(at, _)| html[..*at].ends_with(' '))
        .map(|(at, _)| {
            let rest = &html[at + attribute.len()..];
            match rest.chars().next() {
                Some(quote @ ('"' | '\'')) => rest[1..].split(quote).next().unwrap_or(""),
                _ => rest.split([' ', '>']).next().unwrap_or(""),
            }
        })
        .collect()
}

/// What a browser check would catch first, checked on the text: the page
/// structure, both color schemes, focus styles, and nothing too small or
/// too wide for a 320 px screen.
#[test]
fn builtin_themes_have_the_accessible_basics() {
    let dir = tempfile::tempdir().unwrap();
    for theme in BUILTIN_THEMES {
        let out = build_in(dir.path(), &["--theme", theme]);
        for (path, html) in html_files(&out).iter().filter(|(p, _)| !p.contains('/')) {
            let context = format!("{theme} {path}");
            assert!(
                html.contains("<html lang=\"en\" dir=\"ltr\">"),
                "{context}: lang"
            );
            assert!(html.contains("name=\"viewport\""), "{context}: viewport");
            assert_eq!(html.matches("<h1").count(), 1, "{context}: one h1");
            assert_eq!(html.matches("<main").count(), 1, "{context}: one main");
            let css = stylesheet(html);
            assert!(css.contains("prefers-color-scheme:dark"), "{context}: dark");
            assert!(css.contains(":focus-visible{outline"), "{context}: focus");
            assert!(css.contains("overflow-wrap:anywhere"), "{context}: wrap");
            let problems = css_size_problems(css);
            assert!(problems.is_empty(), "{context}: {problems:?}");
        }
    }
}

/// Font sizes under 12 px and fixed widths wider than a 320 px screen.
fn css_size_problems(css: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for declaration in css.split([';', '{', '}']) {
        let Some((property, value)) = declaration.split_once(':') else {
            continue;
        };
        let px = |v: &str| -> Option<f64> {
            let v = v.trim();
            if let Some(n) = v.strip_suffix("px") {
                n.parse().ok()
            } else if let Some(n) = v.strip_suffix("rem").or_else(|| v.strip_suffix("em")) {
                n.parse::<f64>().ok().map(|n| n * 16.0)
            } else {
                None
            }
        };
        let size = match property {
            "font-size" => Some(value),
            "font" => value
                .split_whitespace()
                .next()
                .map(|s| s.split('/').next().unwrap()),
            _ => None,
        };
        if let Some(size) = size.and_then(px)
            && size < 12.0
        {
            problems.push(format!("`{declaration}` is under 12px"));
        }
        if matches!(property, "width" | "min-width")
            && let Some(width) = px(value)
            && width > 320.0
        {
            problems.push(format!("`{declaration}` is wider than 320px"));
        }
    }
    problems
}

#[test]
fn builtin_themes_look_different() {
    let dir = tempfile::tempdir().unwrap();
    let mut pages = BTreeMap::new();
    for theme in BUILTIN_THEMES {
        let out = build_in(dir.path(), &["--theme", theme]);
        pages.insert(theme, read(&out.join("502.html")));
    }
    let styles: std::collections::BTreeSet<&str> = pages.values().map(|h| stylesheet(h)).collect();
    assert_eq!(
        styles.len(),
        BUILTIN_THEMES.len(),
        "two themes share a stylesheet"
    );
    assert!(stylesheet(&pages["terminal"]).contains("font:.95rem/1.6 ui-monospace"));
    assert!(
        pages["illustrated"].contains("<svg"),
        "illustrated has no art"
    );
    assert!(
        pages["illustrated"]
            .contains("<svg class=\"art\" viewBox=\"0 0 160 120\" aria-hidden=\"true\"")
    );
    for theme in ["default", "minimal", "terminal"] {
        assert!(!pages[theme].contains("<svg"), "{theme} has an image");
    }
    assert!(
        !pages["minimal"].contains("class=\"primary\""),
        "minimal has buttons"
    );
}

#[test]
fn illustrated_picks_art_by_code_family() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_in(dir.path(), &["--theme", "illustrated"]);
    let art = |code: u16| {
        let html = read(&out.join(format!("{code}.html")));
        let start = html.find("<svg").unwrap();
        html[start..start + html[start..].find("</svg>").unwrap()].to_string()
    };
    assert_eq!(art(401), art(403), "both are about access");
    assert_ne!(art(404), art(401));
    assert_ne!(art(400), art(500), "visitor and server errors look alike");
    assert_ne!(art(502), art(500));
}

#[test]
fn a_user_theme_overrides_one_partial_and_keeps_the_rest() {
    let dir = fixture_copy("themes-partial");
    let out = build_in(dir.path(), &["--theme", "brandy"]);
    let html = read(&out.join("404.html"));
    assert!(html.contains(">Back to Brandy</a>"), "partial not used");
    assert!(
        !html.contains("class=\"primary\""),
        "default partial still used"
    );
    // Everything else is the default theme's.
    assert!(html.contains("<p class=\"code\">Error 404</p><h1>Not Found</h1>"));
    assert!(stylesheet(&html).contains(".actions a.primary"));
}

#[test]
fn a_user_theme_replaces_a_block_and_styles_it_in_brand_colors() {
    let dir = fixture_copy("themes-blocks");
    let out = build_in(dir.path(), &["--theme", "blocky"]);
    let html = read(&out.join("404.html"));
    // super() keeps the default heading after the added line.
    assert!(
        html.contains(
            "<p class=\"kicker\">Blocky says</p><p class=\"code\">Error 404</p><h1>Not Found</h1>"
        ),
        "{html}"
    );
    assert!(html.contains("class=\"actions\""), "other blocks kept");
    let css = stylesheet(&html);
    assert!(css.contains(".kicker{color:#123456}"), "{css}");
    assert!(css.contains(".kicker{color:#abcdef}"), "{css}");
    assert!(
        css.contains(".actions a.primary"),
        "default CSS not included"
    );
}

#[test]
fn a_user_theme_can_extend_a_builtin_that_extends_another() {
    let dir = fixture_copy("themes-blocks");
    let out = build_in(dir.path(), &["--theme", "layered"]);
    let html = read(&out.join("502.html"));
    assert!(html.contains("<footer>Layered footer</footer>"));
    assert!(
        html.contains("class=\"cursor\""),
        "terminal heading block lost"
    );
    assert!(
        stylesheet(&html).contains("ui-monospace"),
        "terminal CSS lost"
    );
}

#[test]
fn a_user_theme_can_supply_all_its_own_templates() {
    let dir = fixture_copy("themes-own");
    let out = build_in(dir.path(), &["--theme", "own", "--developer", "strip"]);
    assert_eq!(
        read(&out.join("404.html")),
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>404</title><style>body{background:#ffffff}</style></head><body><main><h1>Own 404: Not Found</h1></main></body></html>"
    );
}

/// A theme problem stops the build with exactly this message.
fn assert_theme_error(fixture: &str, theme: &str, expected_stderr: &str) {
    let dir = fixture_copy(fixture);
    let output = errorsmith()
        .current_dir(dir.path())
        .args(["build", "--theme", theme])
        .assert()
        .failure();
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr, expected_stderr);
}

#[test]
fn a_template_syntax_error_names_the_file_and_line() {
    assert_theme_error(
        "themes-syntax",
        "broken",
        "error: themes/broken/page.html:3: Found `}` but expected }}.\n",
    );
}

#[test]
fn a_template_rendering_error_names_the_partial_and_line() {
    assert_theme_error(
        "themes-render",
        "typo",
        "error: themes/typo/partials/actions.html:3: Field `no_such_key` is not defined. Available fields: footer, home_url, logo, name, status_url, support_url\n",
    );
}

#[test]
fn extending_a_theme_that_does_not_exist_names_the_manifest_line() {
    assert_theme_error(
        "themes-orphan",
        "orphan",
        "error: themes/orphan/theme.yaml:2: `extends: no-such-theme`: theme `no-such-theme` does not exist; extend one of: default, illustrated, minimal, orphan, terminal\n",
    );
}
