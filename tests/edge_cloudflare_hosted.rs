//! Cloudflare without Workers: the hosted custom error pages and the
//! Custom Error Rules errorsmith writes for the `cloudflare` target. Nothing
//! here talks to Cloudflare (that needs an account); the tests check what
//! Cloudflare is documented to require: the page tokens, the rules' shape,
//! the inline size limit, and that every value reaches the JSON as text.
//!
//! A rule body over Cloudflare's 10 KB inline limit cannot be built here:
//! each body is a page for Cloudflare, which the publication gate's 8 KiB
//! page budget refuses first, so `limits::misfits` is tested with a made-up
//! manifest in its unit tests instead.

mod common;

use common::*;
use scraper::{Html, Selector};
use serde_json::Value;
use std::path::Path;

const BOX_500: &str = "::CLOUDFLARE_ERROR_500S_BOX::";
const BOX_1000: &str = "::CLOUDFLARE_ERROR_1000S_BOX::";
const RAY_ID: &str = "::RAY_ID::";
/// A run of the fixture's developer part (content/502.md).
const DEVELOPER: &str = "Secret developer hint";

fn read(dist: &Path, path: &str) -> String {
    std::fs::read_to_string(dist.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of every element `selector` picks in `html`.
fn texts(html: &str, selector: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse(selector).unwrap();
    document
        .select(&selector)
        .map(|e| e.text().collect())
        .collect()
}

fn rules(dist: &Path) -> Vec<Value> {
    let body: Value = serde_json::from_str(&read(dist, "servers/cloudflare/custom-errors.json"))
        .expect("custom-errors.json is JSON");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    body["rules"].as_array().unwrap().clone()
}

#[test]
fn hosted_pages_carry_their_token_once_inside_the_visitor_part_and_no_developer_part() {
    let project = fixture_copy("cloudflare-hosted");
    let dist = build_in(project.path(), &[]);
    for (file, token, other, code) in [
        ("500_errors.html", BOX_500, BOX_1000, "502"),
        ("1000_errors.html", BOX_1000, BOX_500, "403"),
    ] {
        let html = read(&dist, &format!("servers/cloudflare/pages/{file}"));
        assert_eq!(html.matches(token).count(), 1, "{file}: {html}");
        assert!(!html.contains(other), "{file}");
        // Inside the visitor part (the theme's `.text`), as the last of it.
        let visitor = texts(&html, "main .text");
        assert_eq!(visitor.len(), 1, "{file}");
        assert!(
            visitor[0].trim_end().ends_with(token),
            "{file}: {visitor:?}"
        );
        assert_eq!(texts(&html, "main .text .cloudflare-error"), [token]);
        // Themed like every other page: same heading, same stylesheet.
        let page = read(&dist, &format!("{code}.html"));
        assert_eq!(texts(&html, "h1"), texts(&page, "h1"), "{file}");
        assert_eq!(texts(&html, "style"), texts(&page, "style"), "{file}");
        // The visitor reference is Cloudflare's Ray ID token, once.
        assert_eq!(html.matches(RAY_ID).count(), 1, "{file}");
        assert_eq!(texts(&html, "main p.reference code"), [RAY_ID], "{file}");
        // Served by Cloudflare to everyone: no developer part, no SSI.
        assert!(!html.contains(DEVELOPER), "{file}");
        assert!(!html.contains("<!--#"), "{file}");
        assert!(texts(&html, ".developer").is_empty(), "{file}");
        assert!(html.len() <= 8 * 1024, "{file}: {} bytes", html.len());
    }
    // The nginx page still has the developer include, so the difference is
    // the render's, not the content's.
    assert!(read(&dist, "502.html").contains("<!--# include"));
}

#[test]
fn custom_error_rules_send_each_replaced_page_as_escaped_inline_html() {
    let project = fixture_copy("cloudflare-hosted");
    let dist = build_in(project.path(), &[]);
    let rules = rules(&dist);
    let codes: Vec<u64> = rules
        .iter()
        .map(|r| r["action_parameters"]["status_code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [404, 502, 503]);
    for (rule, code) in rules.iter().zip(codes) {
        assert_eq!(rule["action"], "serve_error", "{rule}");
        assert_eq!(rule["expression"], format!("http.response.code eq {code}"));
        assert_eq!(rule["enabled"], true);
        let parameters = rule["action_parameters"].as_object().unwrap();
        let mut keys: Vec<&str> = parameters.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["content", "content_type", "status_code"]);
        assert_eq!(parameters["content_type"], "text/html");
        let content = parameters["content"].as_str().unwrap();
        assert_eq!(
            content,
            read(&dist, &format!("servers/cloudflare/pages/{code}.html"))
        );
        assert!(content.len() <= 10_240, "{code}: {} bytes", content.len());
        assert_eq!(content.matches(RAY_ID).count(), 1, "{code}");
        assert!(!content.contains(BOX_500) && !content.contains(BOX_1000));
        assert!(!content.contains(DEVELOPER) && !content.contains("<!--#"));
    }
    // The hostile values arrive as the text they were, HTML-escaped in the
    // page and JSON-escaped around it.
    let page = rules[1]["action_parameters"]["content"].as_str().unwrap();
    assert_eq!(
        texts(page, ".brand"),
        ["Acme \"q\" </script><!-- \u{2028} \\ a::b"]
    );
    assert_eq!(texts(page, "h1"), ["Bad \"Gateway\" </script>"]);
    assert!(texts(page, ".summary")[0].contains("\u{2028} said \"no\" :: std::io::Error"));
    assert!(!page.contains("</script>") && !page.contains("<script"));
    let raw = read(&dist, "servers/cloudflare/custom-errors.json");
    assert!(
        raw.contains(r#"Acme &quot;q&quot; &lt;/script&gt;&lt;!-- "#),
        "{raw}"
    );
    assert!(raw.contains(r#"<meta charset=\"utf-8\">"#));
    // `errorsmith config` prints the same file from the build's folder.
    let printed = errorsmith()
        .current_dir(project.path())
        .args([
            "config",
            "cloudflare",
            "--file",
            "cloudflare/custom-errors.json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(printed).unwrap(), raw);
}

#[test]
fn a_strip_build_without_reference_sends_the_very_page_nginx_serves() {
    let project = fixture_copy("cloudflare-hosted");
    std::fs::write(
        project.path().join("errorsmith.yaml"),
        "developer: strip\ntargets: [cloudflare]\ncodes: [403, 502]\n",
    )
    .unwrap();
    let dist = build_in(project.path(), &[]);
    let rules = rules(&dist);
    assert_eq!(rules.len(), 1);
    assert_eq!(
        rules[0]["action_parameters"]["content"].as_str().unwrap(),
        read(&dist, "502.html")
    );
    let hosted = read(&dist, "servers/cloudflare/pages/500_errors.html");
    assert!(!hosted.contains(RAY_ID));
    assert_eq!(
        hosted.replace(
            &format!("<div class=\"cloudflare-error\">{BOX_500}</div>"),
            ""
        ),
        read(&dist, "502.html")
    );
}

#[test]
fn cloudflare_tokens_appear_nowhere_else_and_only_when_cloudflare_is_a_target() {
    let project = fixture_copy("cloudflare-hosted");
    let dist = build_in(project.path(), &[]);
    let mut checked = 0;
    for path in files_under(&dist) {
        let relative = path
            .strip_prefix(&dist)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if relative.starts_with("servers/cloudflare/pages/")
            || relative == "servers/cloudflare/custom-errors.json"
        {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_string();
        for token in [BOX_500, BOX_1000, RAY_ID] {
            assert!(!text.contains(token), "{relative} holds {token}");
        }
        checked += 1;
    }
    assert!(checked > 20, "{checked}");

    std::fs::write(
        project.path().join("errorsmith.yaml"),
        "developer: ssi\nvisitor_reference: true\ncodes: [403, 502]\n",
    )
    .unwrap();
    let dist = build_in(project.path(), &[]);
    assert!(!dist.join("servers/cloudflare").exists());
    let manifest = read(&dist, "manifest.json");
    assert!(!manifest.contains("cloudflare"), "{manifest}");
}

#[test]
fn a_cloudflare_token_written_by_the_author_stops_a_cloudflare_build_only() {
    let project = fixture_copy("cloudflare-hosted");
    let content = project.path().join("content/502.md");
    let config = project.path().join("errorsmith.yaml");
    for token in [RAY_ID, BOX_500, "::CLIENT_IP::"] {
        std::fs::write(
            &content,
            format!("---\ntitle: Bad Gateway\n---\nQuote {token} to support.\n"),
        )
        .unwrap();
        let output = errorsmith()
            .current_dir(project.path())
            .arg("build")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{token}: {output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        let line = stderr
            .lines()
            .find(|l| {
                l.trim_start()
                    .starts_with("servers/cloudflare/pages/502.html:")
            })
            .unwrap_or_else(|| panic!("{token}: {stderr}"));
        // ::RAY_ID:: is errorsmith's own once (the reference is on), so
        // the author's makes two; the others are not errorsmith's at all.
        let place = if token == RAY_ID {
            "2 times (at bytes"
        } else {
            "which errorsmith did not put there"
        };
        assert!(
            line.contains(&format!("holds the Cloudflare token `{token}`"))
                && line.contains(place)
                && line.contains("; it comes from the text of content/502.md;"),
            "{token}: {line}"
        );
    }
    // A value from the config is named too.
    std::fs::write(&content, "---\ntitle: Bad Gateway\n---\nPlain.\n").unwrap();
    let hostile = std::fs::read_to_string(&config)
        .unwrap()
        .replace("a::b", "::GEO::");
    std::fs::write(&config, &hostile).unwrap();
    let output = errorsmith()
        .current_dir(project.path())
        .arg("build")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("holds the Cloudflare token `::GEO::`")
            && stderr.contains("it comes from `site.name` in"),
        "{stderr}"
    );
    // Without the cloudflare target nothing substitutes tokens: the build
    // passes and the page shows the text as written.
    std::fs::write(
        &config,
        hostile.replace("targets: [nginx, cloudflare]", "targets: [nginx]"),
    )
    .unwrap();
    std::fs::write(
        &content,
        format!("---\ntitle: Bad Gateway\n---\nQuote {RAY_ID} to support.\n"),
    )
    .unwrap();
    let dist = build_in(project.path(), &[]);
    assert!(read(&dist, "502.html").contains(RAY_ID));
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}
