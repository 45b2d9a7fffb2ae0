//! Layout that only a real browser can judge, measured in headless Chromium
//! (tests/browser/layout.mjs): a wide wordmark logo keeps its shape, the
//! terminal theme's window dots stay inside the window in right-to-left
//! pages, and Japanese, Chinese and Korean text is drawn with fonts that
//! have its glyphs (the Debian package fonts-noto-cjk, which `.ci/run`
//! installs), not as missing-glyph boxes.

mod common;

use common::browser::{browser, run_script};
use common::errorsmith;
use std::path::{Path, PathBuf};

/// A 160x40 wordmark, the shape of most brand logos.
const WORDMARK: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 40" width="160" height="40"><rect width="160" height="40" rx="6" fill="#1a56db"/><text x="80" y="27" font-size="20" text-anchor="middle" fill="#fff">ACME</text></svg>"##;

fn probe(chromium: &Path, probes: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.json");
    let spec = serde_json::json!({ "chromium": chromium, "probes": probes });
    std::fs::write(&job, spec.to_string()).unwrap();
    run_script("layout.mjs", &job)["results"]
        .as_array()
        .unwrap()
        .clone()
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn build(dir: &Path, args: &[&str]) -> PathBuf {
    errorsmith()
        .current_dir(dir)
        .arg("build")
        .args(args)
        .assert()
        .success();
    dir.join("dist")
}

#[test]
fn a_wordmark_logo_keeps_its_aspect_ratio_in_the_scaffold_and_the_default_theme() {
    let Some(chromium) = browser("a_wordmark_logo_keeps_its_aspect_ratio") else {
        return;
    };
    let scaffold = tempfile::tempdir().unwrap();
    errorsmith()
        .current_dir(scaffold.path())
        .args(["init", ".", "--name", "Acme"])
        .assert()
        .success();
    std::fs::write(scaffold.path().join("logo.svg"), WORDMARK).unwrap();
    let scaffold_pages = build(scaffold.path(), &["--locale", "en"]);

    let default = tempfile::tempdir().unwrap();
    std::fs::write(default.path().join("logo.svg"), WORDMARK).unwrap();
    std::fs::write(
        default.path().join("errorsmith.yaml"),
        "site:\n  name: Acme\n  logo: logo.svg\nlocales: [en]\ncodes: [404]\n",
    )
    .unwrap();
    let default_pages = build(default.path(), &[]);

    let mut probes = Vec::new();
    for pages in [&scaffold_pages, &default_pages] {
        for width in [320, 1280] {
            probes.push(serde_json::json!({
                "kind": "logo", "url": url(&pages.join("404.html")), "width": width,
            }));
        }
    }
    for result in probe(&chromium, probes) {
        let where_ = format!("{} at {} px", result["url"], result["width"]);
        assert_eq!(result["found"], true, "{where_}: no header logo");
        let (width, height) = (
            result["width"].as_f64().unwrap(),
            result["height"].as_f64().unwrap(),
        );
        assert!(
            height >= 24.0,
            "{where_}: the logo is {height} px high, too small to read"
        );
        let ratio = width / height;
        assert!(
            (ratio - 4.0).abs() < 0.05,
            "{where_}: a 160x40 logo is drawn {width}x{height} (ratio {ratio:.2}, not 4)"
        );
    }
}

#[test]
fn the_terminal_windows_dots_stay_inside_the_window_in_both_directions() {
    let Some(chromium) = browser("the_terminal_windows_dots_stay_inside_the_window") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pages = build(
        dir.path(),
        &["--theme", "terminal", "--locale", "ar", "--locale", "en"],
    );
    let mut probes = Vec::new();
    for (locale, direction) in [("ar", "rtl"), ("en", "ltr")] {
        for width in [320, 1280] {
            probes.push(serde_json::json!({
                "kind": "dots", "url": url(&pages.join(locale).join("503.html")),
                "width": width, "expect": direction,
            }));
        }
    }
    for result in probe(&chromium, probes) {
        let where_ = format!("{} at {} px", result["url"], result["width"]);
        assert_eq!(result["found"], true, "{where_}: no window dots");
        assert_eq!(result["direction"], result["expect"], "{where_}");
        let bar = &result["bar"];
        let dots = result["dots"].as_array().unwrap();
        assert_eq!(dots.len(), 3, "{where_}: {dots:?}");
        for dot in dots {
            let inside = dot["left"].as_f64() >= bar["left"].as_f64()
                && dot["right"].as_f64() <= bar["right"].as_f64()
                && dot["top"].as_f64() >= bar["top"].as_f64()
                && dot["bottom"].as_f64() <= bar["bottom"].as_f64();
            assert!(inside, "{where_}: dot {dot} is outside the bar {bar}");
        }
    }
}

#[test]
fn the_hidden_developer_part_stays_hidden_under_a_csp_that_blocks_inline_styles() {
    let Some(chromium) = browser("the_hidden_developer_part_stays_hidden_under_a_csp") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut probes = Vec::new();
    let themes = ["default", "illustrated", "minimal", "terminal"];
    for theme in themes {
        let out = format!("dist-{theme}");
        errorsmith()
            .current_dir(dir.path())
            .args(["build", "--theme", theme, "--locale", "en", "--out", &out])
            .assert()
            .success();
        let file = dir.path().join(&out).join("502.html");
        for csp in ["", "default-src 'none'"] {
            probes.push(serde_json::json!({ "kind": "developer", "file": file, "csp": csp, "theme": theme }));
        }
    }
    for result in probe(&chromium, probes) {
        let (theme, csp) = (&result["theme"], &result["csp"]);
        assert_eq!(
            result["plain"], false,
            "{theme}, CSP {csp}: the developer part shows without #developer"
        );
        // With the stylesheet applied, #developer shows it; where a CSP
        // blocks the inline stylesheet it stays hidden (fails closed).
        let shown_at_target = csp == "";
        assert_eq!(
            result["target"], shown_at_target,
            "{theme}, CSP {csp}: at #developer"
        );
    }
}

/// Han, kana and Hangul: the characters a Latin font has no glyph for.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xac00..=0xd7af | 0xff00..=0xffef)
}

#[test]
fn japanese_chinese_and_korean_text_is_drawn_with_fonts_that_have_the_glyphs() {
    let Some(chromium) = browser("cjk_text_is_drawn_with_fonts_that_have_the_glyphs") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut probes = Vec::new();
    let themes = ["default", "illustrated", "minimal", "terminal"];
    for theme in themes {
        let out = format!("dist-{theme}");
        errorsmith()
            .current_dir(dir.path())
            .args(["build", "--theme", theme, "--out", &out])
            .args(["--locale", "ja", "--locale", "zh", "--locale", "ko"])
            .assert()
            .success();
        for locale in ["ja", "zh", "ko"] {
            probes.push(serde_json::json!({
                "kind": "fonts",
                "url": url(&dir.path().join(&out).join(locale).join("404.html")),
            }));
        }
    }
    let results = probe(&chromium, probes);
    assert_eq!(results.len(), themes.len() * 3);
    for result in results {
        let page = result["url"].as_str().unwrap();
        assert_eq!(result["found"], true, "{page}: no heading");
        for (selector, node) in result["nodes"].as_object().unwrap() {
            let text = node["text"].as_str().unwrap();
            let needed = text.chars().filter(|&c| is_cjk(c)).count();
            assert!(needed > 0, "{page} {selector}: no CJK text in {text:?}");
            let fonts = node["fonts"].as_array().unwrap();
            let drawn_by_cjk_fonts: u64 = fonts
                .iter()
                .filter(|f| f["familyName"].as_str().unwrap_or_default().contains("CJK"))
                .map(|f| f["glyphCount"].as_u64().unwrap_or(0))
                .sum();
            assert!(
                drawn_by_cjk_fonts >= needed as u64,
                "{page} {selector}: {needed} CJK characters in {text:?}, but CJK fonts drew only {drawn_by_cjk_fonts} glyphs; fonts used: {fonts:?}"
            );
        }
    }
}
