//! Security review of the output, over every built-in page and every
//! theme the binary lists (themes are discovered at run time, so new ones
//! are covered without touching this file).

mod common;

use common::errorsmith;
use errorsmith::catalog::{Catalog, LoadOptions};
use errorsmith::check::external_references;
use errorsmith::markdown::MarkdownOptions;
use errorsmith::output::Manifest;
use std::path::Path;

/// Names from `errorsmith themes`, run where there are no user themes.
fn themes() -> Vec<String> {
    let empty = tempfile::tempdir().unwrap();
    let names = common::theme_names(empty.path());
    assert!(names.iter().any(|n| n == "default"), "{names:?}");
    names
}

fn build(project: &Path, out: &Path, args: &[&str]) -> Manifest {
    errorsmith()
        .current_dir(project)
        .arg("build")
        .arg("--out")
        .arg(out)
        .args(args)
        .assert()
        .success();
    Manifest::read(out).unwrap()
}

fn builtin_catalog() -> Catalog {
    Catalog::load(&LoadOptions {
        user_dir: None,
        default_locale: "en",
        markdown: MarkdownOptions::default(),
    })
    .unwrap()
}

/// Text runs of a developer part long enough to be its own, not a word a
/// visitor part could share.
fn distinctive_texts(html: &str) -> Vec<String> {
    html.split(['<', '>'])
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, text)| text.trim())
        .filter(|text| text.chars().count() >= 24 && !text.contains('&'))
        .map(str::to_string)
        .collect()
}

#[test]
fn developer_part_never_appears_in_strip_builds_of_any_theme() {
    let catalog = builtin_catalog();
    let empty = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for theme in themes() {
        let strip_dir = empty.path().join(format!("strip-{theme}"));
        let hidden_dir = empty.path().join(format!("hidden-{theme}"));
        let strip = build(
            empty.path(),
            &strip_dir,
            &["--theme", &theme, "--developer", "strip"],
        );
        build(
            empty.path(),
            &hidden_dir,
            &["--theme", &theme, "--developer", "hidden"],
        );
        assert!(!strip.pages.is_empty());
        for page in &strip.pages {
            let locale = page.fallback_from.as_deref().unwrap_or(&page.locale);
            let Some(source) = catalog.page(locale, page.code) else {
                panic!("no content for {} {}", locale, page.code);
            };
            let source = source.page().unwrap();
            let texts = distinctive_texts(source.developer.html().unwrap_or_default());
            let stripped = std::fs::read_to_string(strip_dir.join(&page.path)).unwrap();
            let hidden = std::fs::read_to_string(hidden_dir.join(&page.path)).unwrap();
            for text in &texts {
                // The same text in the hidden HTML page shows this check
                // can see it; other formats need not carry it at all.
                assert!(
                    !page.path.ends_with(".html") || hidden.contains(text.as_str()),
                    "theme {theme}, {}: hidden build lacks developer text {text:?}",
                    page.path
                );
                assert!(
                    !stripped.contains(text.as_str()),
                    "theme {theme}, {}: strip build leaks developer text {text:?}",
                    page.path
                );
                checked += 1;
            }
            assert!(!stripped.contains("<!--#"), "theme {theme}, {}", page.path);
        }
    }
    assert!(checked > 100, "only {checked} developer texts were checked");
}

const HOSTILE_BODY: &str = "Hello.\n\n<script>alert('body')</script>\n\n<img src=x onerror=alert('img')>\n\n[click](javascript:alert('link'))\n\n</div></main><script>alert('close')</script>\n\n## Fix {.developer}\n\n<script>alert('dev')</script>\n";

fn hostile_project(allow_raw_html: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    std::fs::write(
        dir.path().join("content/404.md"),
        format!("---\ntitle: \"<script>alert('title')</script>\"\nsummary: \"<svg onload=alert('summary')>\"\n---\n{HOSTILE_BODY}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("errorsmith.yaml"),
        format!("allow_raw_html: {allow_raw_html}\nsite:\n  name: \"<script>alert('name')</script>\"\n  footer: \"<script>alert('footer')</script>\"\n"),
    )
    .unwrap();
    dir
}

#[test]
fn content_cannot_inject_script_into_any_theme_or_mode() {
    let project = hostile_project(false);
    for theme in themes() {
        for mode in ["strip", "hidden", "ssi"] {
            let out = project.path().join(format!("out-{theme}-{mode}"));
            build(
                project.path(),
                &out,
                &["--theme", &theme, "--developer", mode],
            );
            for path in ["404.html", "en/404.html", "en/developer/404.html"] {
                let Ok(html) = std::fs::read_to_string(out.join(path)) else {
                    continue;
                };
                let lower = html.to_ascii_lowercase();
                for bad in ["<script", "<img src=x", "<svg onload", "javascript:"] {
                    assert!(
                        !lower.contains(bad),
                        "theme {theme}, {mode}, {path}: content injected {bad}:\n{html}"
                    );
                }
                assert!(html.contains("alert("), "the text itself is kept, escaped");
            }
        }
    }
}

#[test]
fn allow_raw_html_is_an_explicit_opt_in_for_the_markdown_body() {
    // Raw markup from trusted content passes...
    let project = hostile_project(true);
    std::fs::write(
        project.path().join("content/404.md"),
        "---\ntitle: Not Found\n---\nA <b>bold</b> <kbd>claim</kbd>\n\n[x](javascript:alert(1))\n",
    )
    .unwrap();
    let out = project.path().join("out");
    build(project.path(), &out, &["--developer", "strip"]);
    let html = std::fs::read_to_string(out.join("404.html")).unwrap();
    assert!(html.contains("A <b>bold</b> <kbd>claim</kbd>"), "{html}");
    // Front matter and config are text whatever the option says.
    assert!(!html.contains("<script>alert('name')"), "{html}");
    // Link schemes stay filtered even with raw HTML on.
    assert!(!html.contains("href=\"javascript:"), "{html}");
    assert!(!html.contains("href=javascript:"), "{html}");

    // ...but the publication gate lets no script into a page, whoever
    // wrote it: the build fails and names where it came from.
    let project = hostile_project(true);
    let output = errorsmith()
        .current_dir(project.path())
        .args(["build", "--developer", "strip", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("404.html: a <script> element `<script>alert('body')` that the theme `default` does not contain; it comes from the text of content/404.md"),
        "{stderr}"
    );
    assert!(!project.path().join("out").exists());
}

#[test]
fn no_page_of_any_theme_references_anything_external() {
    let empty = tempfile::tempdir().unwrap();
    for theme in themes() {
        for mode in ["hidden", "ssi"] {
            let out = empty.path().join(format!("{theme}-{mode}"));
            let manifest = build(
                empty.path(),
                &out,
                &["--theme", &theme, "--developer", mode],
            );
            let mut pages: Vec<String> = manifest.pages.iter().map(|p| p.path.clone()).collect();
            if mode == "ssi" {
                pages.extend(
                    manifest
                        .pages
                        .iter()
                        .map(|p| format!("{}/developer/{}.html", p.locale, p.code)),
                );
            }
            for path in pages {
                let Ok(html) = std::fs::read_to_string(out.join(&path)) else {
                    continue;
                };
                let external = external_references(&html);
                assert!(
                    external.is_empty(),
                    "theme {theme}, {mode}, {path} references {external:?}"
                );
                let lower = html.to_ascii_lowercase();
                // A `<link>` may only carry inline data (the empty favicon
                // that stops browsers asking the server for one).
                for link in lower.split("<link").skip(1) {
                    let tag = link.split('>').next().unwrap_or_default();
                    assert!(
                        tag.contains("href=data:") || tag.contains("href=\"data:"),
                        "theme {theme}, {path}: <link{tag}>"
                    );
                }
                assert!(
                    !lower.contains("<script"),
                    "theme {theme}, {path}: <script>"
                );
            }
        }
    }
}
