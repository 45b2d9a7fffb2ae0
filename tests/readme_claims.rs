//! README statements that no topic file covered: each test names the
//! statement it proves, and fails if the README stops being true.

mod common;

use common::{build_in, errorsmith};
use std::path::Path;

const BUILTIN_THEMES: [&str; 4] = ["default", "illustrated", "minimal", "terminal"];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// README, "What `errorsmith build` writes": every locale's page has a
/// developer checklist for that code; 413's names `client_max_body_size`.
#[test]
fn every_locale_has_a_checklist_per_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_in(dir.path(), &["--developer", "hidden"]);
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let mut pages = 0;
    for page in manifest["pages"].as_array().unwrap() {
        if page["format"] != "html" {
            continue;
        }
        let path = page["path"].as_str().unwrap();
        let html = read(&out.join(path));
        let part = &html[html.find("id=\"developer\"").expect(path)..];
        let list = &part[part.find("class=\"checklist\"").expect(path)..];
        assert!(list.contains("<li>"), "{path}: no checklist item");
        if page["code"] == 413 {
            assert!(list.contains("client_max_body_size"), "{path}");
        }
        pages += 1;
    }
    assert_eq!(
        pages,
        40 * 13,
        "40 codes x 12 locales + the top-level copies"
    );
}

/// README: `<locale>/developer/NNN.html` fragments exist only with
/// `--developer ssi`.
#[test]
fn developer_fragments_are_written_only_in_ssi_builds() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: [de]\ncodes: [404]\n",
    );
    for (mode, expected) in [("strip", false), ("hidden", false), ("ssi", true)] {
        let out = build_in(dir.path(), &["--developer", mode]);
        let fragments = walkdir::WalkDir::new(&out)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.path().components().any(|c| c.as_os_str() == "developer"))
            .count();
        assert_eq!(
            fragments > 0,
            expected,
            "{mode}: {fragments} developer/ entries"
        );
    }
}

/// README, brand config: `codes: [] or absent = all`.
#[test]
fn an_empty_codes_list_builds_every_code() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "errorsmith.yaml", "locales: []\ncodes: []\n");
    let out = build_in(dir.path(), &[]);
    let top_level = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().ends_with(".html")
        })
        .count();
    assert_eq!(top_level, 40);
}

/// README, "What a build replaces": it replaces a directory errorsmith
/// wrote "or an empty one".
#[test]
fn an_empty_output_directory_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "errorsmith.yaml", "locales: []\ncodes: [404]\n");
    std::fs::create_dir(dir.path().join("site")).unwrap();
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "site"])
        .assert()
        .success();
    assert!(dir.path().join("site/404.html").is_file());
    assert!(dir.path().join("site/manifest.json").is_file());
}

/// README, "Overriding content and themes": `content/de/404.md` replaces
/// only the German 404; every other page stays built in.
#[test]
fn a_locale_override_replaces_only_that_page() {
    let plain = tempfile::tempdir().unwrap();
    write(
        plain.path(),
        "errorsmith.yaml",
        "locales: [de]\ncodes: [404, 500]\n",
    );
    let stock = build_in(plain.path(), &[]);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: [de]\ncodes: [404, 500]\n",
    );
    write(
        dir.path(),
        "content/de/404.md",
        "---\ntitle: Eigene Seite\n---\nWeg.\n",
    );
    let out = build_in(dir.path(), &[]);
    assert!(read(&out.join("de/404.html")).contains("<h1>Eigene Seite</h1>"));
    for path in [
        "de/500.html",
        "de/500.json",
        "en/404.html",
        "404.html",
        "500.html",
    ] {
        assert_eq!(read(&out.join(path)), read(&stock.join(path)), "{path}");
    }
}

/// README, "What `errorsmith build` writes" and "HAProxy": default-theme
/// pages in `hidden` mode are about 5 KB in English, and no page in any
/// locale is over 6,000 bytes.
#[test]
fn default_theme_pages_are_about_5_kb() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_in(dir.path(), &["--developer", "hidden"]);
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let mut english = Vec::new();
    for page in manifest["pages"].as_array().unwrap() {
        if page["format"] != "html" {
            continue;
        }
        let bytes = page["bytes"].as_u64().unwrap();
        assert!(bytes <= 6_000, "{}: {bytes} bytes", page["path"]);
        if page["locale"] == "en" {
            english.push(bytes);
        }
    }
    english.sort();
    let median = english[english.len() / 2];
    assert!((4_500..=5_500).contains(&median), "English median {median}");
}

/// Tags of `html` close in the order they opened (void elements aside),
/// outside `<style>` and comments; the first misnested tag otherwise.
fn misnested(html: &str) -> Option<String> {
    const VOID: [&str; 14] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "!doctype",
    ];
    let tag =
        regex::Regex::new(r"(?s)<!--.*?-->|<style>.*?</style>|<(/?)([!a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
            .unwrap();
    let mut open: Vec<String> = Vec::new();
    for found in tag.captures_iter(html) {
        let Some(name) = found.get(2) else { continue };
        let name = name.as_str().to_ascii_lowercase();
        // Void elements, and self-closed ones (SVG's `<circle/>`).
        if VOID.contains(&name.as_str()) || found[0].ends_with("/>") {
            continue;
        }
        if &found[1] == "/" {
            if open.pop().as_deref() != Some(name.as_str()) {
                return Some(format!("</{name}> after {open:?}"));
            }
        } else {
            open.push(name);
        }
    }
    (!open.is_empty()).then(|| format!("unclosed {open:?}"))
}

/// Issue 10, point 9 (README "Content format"): author comments appear in
/// no format, control characters never reach the output, and a developer
/// heading inside a list or a blockquote leaves both parts balanced HTML,
/// checked by parsing every page of every theme and mode.
#[test]
fn markdown_that_could_break_the_page_leaves_balanced_html() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: []\ncodes: [404, 500]\n",
    );
    write(
        dir.path(),
        "content/404.md",
        "---\ntitle: Not Found\n---\nPublic intro.<!-- author note -->\n\n<!--\nlegal draft\n-->\n\nBell\u{7} escape\u{1b}[2J nul\u{0} end.\n\n- public item\n- ## In a list {.developer}\n  list secret\n\n## Public again\n\nPublic outro.\n",
    );
    write(
        dir.path(),
        "content/500.md",
        "---\ntitle: Internal Server Error\n---\nPublic start.\n\n> quoted public\n>\n> ## In a quote {.developer}\n> quote secret\n\n## Still public\n\nPublic end.\n",
    );
    for theme in BUILTIN_THEMES {
        for mode in ["strip", "hidden", "ssi"] {
            let out = build_in(dir.path(), &["--theme", theme, "--developer", mode]);
            for (code, secret, public) in [
                (404, "list secret", "Public outro."),
                (500, "quote secret", "Public end."),
            ] {
                for format in ["html", "json", "txt"] {
                    let text = read(&out.join(format!("{code}.{format}")));
                    for note in ["author note", "legal draft"] {
                        assert!(
                            !text.contains(note),
                            "{theme} {mode} {code}.{format}: {note}"
                        );
                    }
                    assert!(
                        !text
                            .chars()
                            .any(|c| c.is_control() && c != '\n' && c != '\t'),
                        "{theme} {mode} {code}.{format}: a control character"
                    );
                }
                let html = read(&out.join(format!("{code}.html")));
                if let Some(problem) = misnested(&html) {
                    panic!("{theme} {mode} {code}.html: {problem}\n{html}");
                }
                let page = scraper::Html::parse_document(&html);
                let main = scraper::Selector::parse("main").unwrap();
                let developer = scraper::Selector::parse("#developer").unwrap();
                let visitor: String = page
                    .select(&main)
                    .next()
                    .unwrap()
                    .text()
                    .collect::<String>()
                    .replace(
                        &page
                            .select(&developer)
                            .next()
                            .map(|d| d.text().collect::<String>())
                            .unwrap_or_default(),
                        "",
                    );
                assert!(visitor.contains(public), "{theme} {mode} {code}");
                assert!(
                    !visitor.contains(secret),
                    "{theme} {mode} {code}: {visitor}"
                );
                let shown = page
                    .select(&developer)
                    .next()
                    .map(|d| d.text().collect::<String>().contains(secret));
                assert_eq!(
                    shown,
                    (mode == "hidden").then_some(true),
                    "{theme} {mode} {code}"
                );
            }
        }
    }
}

/// README, "Cloudflare Worker": the Worker for the built-in content (12
/// locales, the 11 5xx codes it replaces, ssi mode) is about 1 MB of
/// `data.js` and 7.5 KB of `worker.js`, under 150 KB together with
/// `gzip -9`, far below Workers' 3 MB compressed limit.
#[test]
fn the_cloudflare_worker_for_the_built_in_set_fits_workers_limit() {
    let Some(gzip) = common::require_program(
        "gzip",
        "the_cloudflare_worker_for_the_built_in_set_fits_workers_limit",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "developer: ssi\ntargets: [nginx, cloudflare]\n",
    );
    let out = build_in(dir.path(), &[]);
    let worker = out.join("servers/cloudflare");
    let data = std::fs::read(worker.join("data.js")).unwrap();
    let code = std::fs::read(worker.join("worker.js")).unwrap();
    assert!(
        (900_000..1_100_000).contains(&data.len()),
        "data.js: {} bytes",
        data.len()
    );
    assert!(
        (6_500..8_500).contains(&code.len()),
        "worker.js: {} bytes",
        code.len()
    );
    let mut compress = std::process::Command::new(gzip)
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = compress.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(&data).unwrap();
        stdin.write_all(&code).unwrap();
    });
    let compressed = compress.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(compressed.status.success());
    let bytes = compressed.stdout.len();
    assert!(bytes < 150_000, "{bytes} bytes with gzip -9");
    assert!(bytes < 3_000_000, "over Workers' 3 MB limit: {bytes} bytes");
}

/// README, brand config: without `targets:` a build writes the configs of
/// all seven servers and proxies, and none of the edge targets, which are
/// written only when listed.
#[test]
fn without_targets_every_server_is_written_and_no_edge_target() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "errorsmith.yaml", "codes: [404, 503]\n");
    let servers = build_in(dir.path(), &[]).join("servers");
    for file in [
        "nginx.conf",
        "nginx-http.conf",
        "nginx-default-backend.conf",
        "haproxy.cfg",
        "haproxy/503.http",
        "apache.conf",
        "caddy.caddyfile",
        "lighttpd.conf",
        "traefik.yml",
        "traefik-labels.yml",
        "traefik-middleware.yaml",
        "varnish.vcl",
    ] {
        assert!(servers.join(file).is_file(), "no servers/{file}");
    }
    for edge in ["cloudflare", "envoy-gateway.yaml", "cloudfront.json"] {
        assert!(!servers.join(edge).exists(), "servers/{edge} written");
    }
}
