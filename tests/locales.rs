//! Built-in locales, right-to-left text, fallbacks and the default locale.

mod common;

use common::{build_in, errorsmith, fixture_copy};
use std::path::Path;

const LOCALES: [&str; 12] = [
    "ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "zh",
];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&out.join("manifest.json"))).unwrap()
}

#[test]
fn every_builtin_locale_has_every_page_translated() {
    let dir = tempfile::tempdir().unwrap();
    let assert = errorsmith()
        .current_dir(dir.path())
        .arg("build")
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(!stderr.contains("no translation"), "{stderr}");
    let out = dir.path().join("dist");
    let english_404 = read(&out.join("en/404.html"));
    for locale in LOCALES {
        let page = read(&out.join(format!("{locale}/404.html")));
        assert!(page.contains(&format!("lang={locale}")), "{locale}");
        if locale != "en" {
            assert_ne!(page, english_404, "{locale} 404 is not translated");
            assert!(
                !page.contains(">Try again<"),
                "{locale} theme strings are not translated"
            );
        }
    }
    let pages = manifest(&out)["pages"].as_array().unwrap().clone();
    assert!(pages.iter().all(|p| p.get("fallback_from").is_none()));
    let locales: std::collections::BTreeSet<&str> = pages
        .iter()
        .map(|p| p["locale"].as_str().unwrap())
        .collect();
    assert_eq!(locales.into_iter().collect::<Vec<_>>(), LOCALES);
}

#[test]
fn arabic_is_right_to_left_and_japanese_is_there() {
    let dir = tempfile::tempdir().unwrap();
    build_in(dir.path(), &[]);
    let out = dir.path().join("dist");
    let arabic = read(&out.join("ar/503.html"));
    assert!(
        arabic.contains("<html dir=rtl lang=ar>"),
        "{}",
        &arabic[..200]
    );
    assert!(arabic.contains("أعد المحاولة"));
    let japanese = read(&out.join("ja/503.html"));
    assert!(japanese.contains("<html dir=ltr lang=ja>"));
    assert!(japanese.contains("もう一度試す"));
    let german = read(&out.join("de/503.html"));
    assert!(german.contains("Erneut versuchen"));
    assert!(german.contains("Zur Startseite"));
}

#[test]
fn missing_translations_fall_back_and_are_reported() {
    let project = fixture_copy("locales/new_locale");
    let assert = errorsmith()
        .current_dir(project.path())
        .arg("build")
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("note: 39 pages have no translation and use the default locale's content: sv/400, sv/401, sv/402, sv/403, sv/405,"),
        "{stderr}"
    );
    let out = project.path().join("dist");
    let swedish = read(&out.join("sv/404.html"));
    assert!(swedish.contains("lang=sv"));
    assert!(swedish.contains("Sidan hittades inte"));
    assert!(swedish.contains("Försök igen"));
    // Untranslated strings come from the default locale.
    assert!(swedish.contains("Go to the home page"));
    // A fallback page keeps the language it is written in.
    let fallback = read(&out.join("sv/500.html"));
    assert!(fallback.contains("lang=en"));
    assert!(fallback.contains("Internal Server Error"));
    let pages = manifest(&out)["pages"].as_array().unwrap().clone();
    let sv_500 = pages.iter().find(|p| p["path"] == "sv/500.html").unwrap();
    assert_eq!(sv_500["fallback_from"], "en");
    assert_eq!(sv_500["locale"], "sv");
}

#[test]
fn the_default_locale_is_written_at_the_top_level() {
    let project = fixture_copy("locales/german_default");
    let out = build_in(project.path(), &[]);
    let top = read(&out.join("404.html"));
    assert_eq!(top, read(&out.join("de/404.html")));
    assert!(top.contains("lang=de"));
    assert_eq!(manifest(&out)["default_locale"], "de");
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("404.json"))).unwrap();
    assert_eq!(json["status"], 404);
    assert_eq!(
        json["title"],
        serde_json::from_str::<serde_json::Value>(&read(&out.join("de/404.json"))).unwrap()["title"]
    );
}

#[test]
fn json_and_text_never_carry_the_developer_part() {
    let dir = tempfile::tempdir().unwrap();
    build_in(dir.path(), &[]);
    let out = dir.path().join("dist");
    for locale in LOCALES {
        let json = read(&out.join(format!("{locale}/502.json")));
        let problem: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(problem["status"], 502);
        assert_eq!(problem["type"], "about:blank");
        assert!(problem["title"].is_string() && problem["detail"].is_string());
        assert_eq!(problem.as_object().unwrap().len(), 4, "{json}");
        let text = read(&out.join(format!("{locale}/502.txt")));
        assert!(text.starts_with("502 "));
        // The 502 checklist names this directive in every language, and the
        // HTML page (hidden mode) carries it, so its absence here means
        // something.
        let html = read(&out.join(format!("{locale}/502.html")));
        assert!(html.contains("proxy_buffer_size"), "{locale}");
        assert!(!text.contains("proxy_buffer_size"), "{locale}");
        assert!(!json.contains("proxy_buffer_size"), "{locale}");
    }
}
