//! `errorsmith serve`: the real binary on a temporary project, fetched
//! over HTTP on 127.0.0.1.
#![cfg(feature = "serve")]

mod common;
#[path = "serve/hardening.rs"]
mod hardening;
#[path = "serve/preview.rs"]
mod preview;

use common::{errorsmith, get};
use preview::{Preview, project, write};
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, TcpStream};
use std::path::Path;
use std::time::Instant;

fn build(dir: &Path, theme: &str, out: &Path) {
    errorsmith()
        .current_dir(dir)
        .args(["build", "--theme", theme, "--out"])
        .arg(out)
        .assert()
        .success();
}

#[test]
fn serve_pages_are_the_build_bytes_and_the_build_has_no_reload_code() {
    let project = project();
    let preview = Preview::start(project.path());
    let outputs = tempfile::tempdir().unwrap();
    let themes = common::theme_names(project.path());
    assert!(themes.contains(&"brand".to_string()), "{themes:?}");
    for theme in &themes {
        let out = outputs.path().join(theme);
        build(project.path(), theme, &out);
        for page in ["404.html", "en/404.html", "de/503.html", "502.html"] {
            let (status, served, _) = preview.page(&format!("/{theme}/{page}"));
            assert_eq!(status, 200, "{theme}/{page}");
            let built = std::fs::read_to_string(out.join(page)).unwrap();
            assert_eq!(served, built, "{theme}/{page}: served != built");
        }
        assert_no_reload_code(&out);
    }
    assert!(
        !project.path().join("dist").exists(),
        "serve wrote dist/ into the project"
    );
}

/// Nothing of the live reload may reach a build.
fn assert_no_reload_code(out: &Path) {
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for needle in ["__errorsmith", "<script", "location.reload"] {
                assert!(
                    !text.contains(needle),
                    "{} contains {needle}",
                    entry.path().display()
                );
            }
        }
    }
}

#[test]
fn serve_index_links_every_code_of_every_theme_and_locale() {
    let project = project();
    let preview = Preview::start(project.path());
    let index = get(preview.port, "/", &[]);
    assert_eq!(index.status, 200);
    let html = scraper::Html::parse_document(&index.body);
    let selector = scraper::Selector::parse("a[href]").unwrap();
    let linked: BTreeSet<String> = html
        .select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .filter(|href| href.ends_with(".html"))
        .map(str::to_string)
        .collect();

    let outputs = tempfile::tempdir().unwrap();
    let mut expected = BTreeSet::new();
    for theme in common::theme_names(project.path()) {
        let out = outputs.path().join(&theme);
        build(project.path(), &theme, &out);
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap())
                .unwrap();
        for page in manifest["pages"].as_array().unwrap() {
            let path = page["path"].as_str().unwrap();
            if path.ends_with(".html") && path.contains('/') {
                expected.insert(format!("/{theme}/{path}"));
            }
        }
    }
    assert!(expected.len() > 100, "too few pages: {}", expected.len());
    assert_eq!(linked, expected);
    // Spot-check that the links lead to pages.
    for href in linked.iter().step_by(97) {
        assert_eq!(preview.page(href).0, 200, "{href}");
    }
}

#[test]
fn serve_reloads_when_content_theme_or_config_change() {
    let project = project();
    let root = project.path();
    let logo = |fill: &str| {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4" fill="{fill}"/></svg>"#
        )
    };
    write(root, "logo.svg", &logo("#111"));
    let preview = Preview::start(root);
    let (_, page, mut generation) = preview.page("/brand/404.html");
    assert!(page.contains("<h1>Lost in Acme</h1>"), "{page}");

    let changes = [
        (
            "content/404.md",
            "---\ntitle: Found Again\n---\nNew text.\n",
            "<h1>Found Again</h1>",
        ),
        (
            "themes/brand/partials/brand.html",
            "<p class=brand>NEW BRAND</p>\n",
            "NEW BRAND",
        ),
        (
            "errorsmith.yaml",
            "site:\n  name: Renamed Inc\n  logo: logo.svg\n",
            "Renamed Inc",
        ),
    ];
    for (file, text, expected) in changes {
        let started = Instant::now();
        write(root, file, text);
        let next = preview.wait_for_reload(generation);
        assert!(next > generation);
        let (status, page, served_generation) = preview.page("/brand/404.html");
        assert_eq!(status, 200);
        assert!(page.contains(expected), "after editing {file}: {page}");
        assert_eq!(served_generation, next);
        eprintln!("{file}: reload after {} ms", started.elapsed().as_millis());
        generation = next;
    }
    // README: editing the logo reloads too (the default theme shows it).
    let logo_uri = |page: &str| {
        let start = page
            .find("data:image/svg+xml")
            .expect("the logo is inlined");
        page[start..start + page[start..].find('"').unwrap()].to_string()
    };
    let (_, page, _) = preview.page("/default/404.html");
    let before = logo_uri(&page);
    write(root, "logo.svg", &logo("#0a0"));
    let next = preview.wait_for_reload(generation);
    assert!(next > generation);
    let (_, page, _) = preview.page("/default/404.html");
    assert_ne!(logo_uri(&page), before, "the edited logo is not shown");
}

#[test]
fn serve_shows_a_build_error_in_the_browser_and_the_terminal_and_recovers() {
    let project = project();
    let root = project.path();
    let preview = Preview::start(root);
    let (_, _, generation) = preview.page("/default/404.html");

    // An unknown front matter key whose name is markup: it must arrive
    // escaped in the browser.
    write(
        root,
        "content/404.md",
        "---\ntitle: X\n<b>bold</b>: 1\n---\nText.\n",
    );
    let generation = preview.wait_for_reload(generation);
    let (status, page, _) = preview.page("/default/404.html");
    assert_eq!(status, 500, "{page}");
    assert!(page.contains("404.md"), "the error names no file: {page}");
    // README: "with the file and line".
    assert!(page.contains("content/404.md:3: "), "no line: {page}");
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"), "{page}");
    assert!(!page.contains("<b>bold</b>"), "unescaped: {page}");
    assert_eq!(get(preview.port, "/", &[]).status, 500);
    let log = preview.log();
    assert!(
        log.contains("error: content/404.md:3: front matter: unknown field"),
        "the terminal shows no error:\n{log}"
    );
    assert!(
        log.contains("the preview shows the error until the files are fixed"),
        "{log}"
    );

    write(
        root,
        "content/404.md",
        "---\ntitle: Fixed Now\n---\nText.\n",
    );
    preview.wait_for_reload(generation);
    let (status, page, _) = preview.page("/default/404.html");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<h1>Fixed Now</h1>"), "{page}");
    assert!(preview.log().contains("rebuilt in "), "{}", preview.log());
}

#[test]
fn serve_listens_on_127_0_0_1_only_by_default() {
    let project = project();
    let preview = Preview::start(project.path());
    assert!(
        preview.url.starts_with("http://127.0.0.1:"),
        "{}",
        preview.url
    );
    // 127.0.0.2 is loopback too: a server bound to 0.0.0.0 would answer there.
    let other = TcpStream::connect((Ipv4Addr::new(127, 0, 0, 2), preview.port));
    assert!(other.is_err(), "serve also answers on 127.0.0.2");
}

#[test]
fn serve_warns_before_listening_beyond_loopback_and_names_a_busy_port() {
    let project = project();
    // TEST-NET-1 is never a local address, so the bind fails after the
    // warning without exposing anything.
    errorsmith()
        .current_dir(project.path())
        .args(["serve", "--bind", "192.0.2.1", "--port", "4000"])
        .assert()
        .failure()
        .stderr(predicates::str::starts_with(
            "warning: serving on 192.0.2.1:4000, which other machines can reach; the preview is meant for 127.0.0.1\n\
             error: cannot listen on 192.0.2.1:4000: ",
        ));

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    errorsmith()
        .current_dir(project.path())
        .args(["serve", "--port", &port])
        .assert()
        .failure()
        .stderr(
            predicates::str::is_match(format!(
                "^error: cannot listen on 127.0.0.1:{port}: .*; choose another --port\n$"
            ))
            .unwrap(),
        );
}

/// README: "With `--bind 0.0.0.0 --port 0` it prints the loopback URL with
/// the port actually chosen".
#[test]
fn serve_on_every_interface_with_port_0_prints_the_real_port() {
    let project = project();
    let preview = Preview::start_with(project.path(), &["--bind", "0.0.0.0"]);
    assert_ne!(preview.port, 0, "{}", preview.url);
    assert_eq!(preview.url, format!("http://127.0.0.1:{}/", preview.port));
    assert_eq!(get(preview.port, "/", &[]).status, 200);
}

/// README: `--locale TAG` works on `serve` as on `build`.
#[test]
fn serve_locale_limits_the_index_to_those_locales() {
    let project = project();
    let preview = Preview::start_with(project.path(), &["--locale", "de"]);
    let index = get(preview.port, "/", &[]).body;
    assert!(index.contains("/default/de/502.html"), "{index}");
    assert!(index.contains("/default/en/502.html"), "the default locale");
    assert!(!index.contains("/default/fr/"), "{index}");
}

/// README: `errorsmith serve` listens on http://127.0.0.1:4000/ by default.
#[test]
fn serve_uses_port_4000_by_default() {
    if std::net::TcpListener::bind("127.0.0.1:4000").is_err() {
        eprintln!("\n*** SKIPPED serve_uses_port_4000_by_default: port 4000 is busy. ***\n");
        return;
    }
    let project = project();
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("errorsmith"));
    command.arg("serve");
    let preview = Preview::start_command(project.path(), command);
    assert_eq!(preview.url, "http://127.0.0.1:4000/");
}
