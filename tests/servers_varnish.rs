//! Varnish: the VCL errorsmith writes, included in a test VCL and served by
//! a live `varnishd` (Debian package `varnish`) on 127.0.0.1: failed
//! fetches, origin errors, the origin's Retry-After, negotiation and the
//! maintenance switch.

mod common;

use common::pages_service::*;
use common::servers::{failing_backend_with_headers, retry_after};
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const TEST: &str = "live_varnish_serves_our_pages_for_failed_fetches_and_origin_errors";

fn build(dir: &Path) -> PathBuf {
    errorsmith()
        .current_dir(dir)
        .args(["build", "--out", "dist"])
        .assert()
        .success();
    dir.join("dist").canonicalize().unwrap()
}

/// The test's VCL: one backend per path prefix, our include first, the
/// site's own vcl_recv after it.
fn test_vcl(dist: &Path, backends: &[(&str, u16)]) -> String {
    let mut out = String::from("vcl 4.1;\n");
    for (name, port) in backends {
        out.push_str(&format!(
            "backend {name} {{ .host = \"127.0.0.1\"; .port = \"{port}\"; }}\n"
        ));
    }
    out.push_str(&format!(
        "include \"{}\";\nsub vcl_recv {{\n",
        dist.join("servers/varnish.vcl").display()
    ));
    for (name, _) in backends {
        out.push_str(&format!(
            "    if (req.url ~ \"^/{name}/\") {{ set req.backend_hint = {name}; }}\n"
        ));
    }
    out.push_str("}\n");
    out
}

/// `varnishd` in the foreground on a free port, serving `vcl`, its
/// working files in `dir`; stopped when the returned guard drops.
fn start_varnishd(varnishd: &Path, dir: &Path, vcl: &Path) -> (Running, u16) {
    let port = free_port();
    let mut command = Command::new(varnishd);
    command
        .args(["-F", "-a"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-f")
        .arg(vcl)
        .arg("-n")
        .arg(dir.join("varnish"))
        .args(["-s", "malloc,16m", "-T", "none"]);
    let log = dir.join("varnishd.log");
    (Running::start("varnishd", command, port, &log), port)
}

fn assert_page(response: &Response, code: u16) {
    assert_eq!(response.status, code, "{response:#?}");
    assert!(
        response.body.contains(&format!("Error {code}")) && response.body.contains("lang=\"en\""),
        "not errorsmith's English {code} page: {}",
        response.body
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // README, "Varnish": the same headers as nginx sends with its pages.
    assert_eq!(
        response.header("vary"),
        Some("Accept, Accept-Language"),
        "{response:#?}"
    );
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn live_varnish_serves_our_pages_for_failed_fetches_and_origin_errors() {
    let Some(varnishd) = require_program("varnishd", TEST) else {
        return;
    };
    let dir = fixture_copy("nginx");
    let config = dir.path().join("errorsmith.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, yaml + "visitor_reference: true\n").unwrap();
    let dist = build(dir.path());
    let backends = [
        (
            "bad",
            failing_backend_with_headers(502, "", "origin's own 502"),
        ),
        (
            "busy",
            failing_backend_with_headers(503, "Retry-After: 7\r\n", "origin's own 503"),
        ),
        (
            "gone",
            failing_backend_with_headers(404, "", "origin's own 404"),
        ),
        ("down", free_port()),
    ];
    let vcl = dir.path().join("test.vcl");
    std::fs::write(&vcl, test_vcl(&dist, &backends)).unwrap();
    let (_varnish, port) = start_varnishd(&varnishd, dir.path(), &vcl);

    // A failed fetch (vcl_backend_error) is Varnish's 503.
    let down = get(port, "/down/x", &[]);
    assert_page(&down, 503);
    assert_eq!(
        down.header("retry-after"),
        retry_after(&dist, 503).as_deref()
    );
    assert!(down.header("x-errorsmith-page").is_none(), "{down:#?}");

    // Origin errors (vcl_synth), the origin's own Retry-After winning.
    let bad = get(port, "/bad/x", &[]);
    assert_page(&bad, 502);
    assert_eq!(
        bad.header("retry-after"),
        retry_after(&dist, 502).as_deref()
    );
    assert!(!bad.body.contains("origin's own"));
    assert_page(&get(port, "/gone/x", &[]), 404);
    let busy = get(port, "/busy/x", &[]);
    assert_page(&busy, 503);
    assert_eq!(busy.header("retry-after"), Some("7"));
    // A client cannot set the origin's value itself.
    let forged = get(port, "/down/x", &[("X-Errorsmith-Retry-After", "1")]);
    assert_eq!(
        forged.header("retry-after"),
        retry_after(&dist, 503).as_deref()
    );

    for language in GERMAN {
        for path in ["/gone/x", "/down/x"] {
            let response = get(port, path, &[("Accept-Language", language)]);
            assert!(
                response.body.contains("lang=\"de\""),
                "{path} {language:?} did not get German: {}",
                response.body
            );
        }
        let response = get(port, "/gone/x", &[("Accept-Language", language)]);
        assert_eq!(response.status, 404, "{language}");
        assert!(response.body.contains(GERMAN_404), "{}", response.body);
    }
    for language in NOT_GERMAN {
        assert_page(&get(port, "/gone/x", &[("Accept-Language", language)]), 404);
    }
    for accept in JSON {
        for (path, code) in [("/bad/x", 502), ("/down/x", 503)] {
            let response = get(port, path, &[("Accept", accept)]);
            assert_eq!(response.status, code, "{accept}");
            assert_eq!(
                response.header("content-type"),
                Some("application/problem+json"),
                "{accept}"
            );
            let problem: serde_json::Value = serde_json::from_str(&response.body).unwrap();
            assert_eq!(problem["status"], code);
        }
    }
    let text = get(
        port,
        "/gone/x",
        &[("Accept", "text/plain"), ("Accept-Language", "de")],
    );
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(text.body.contains(GERMAN_404), "{}", text.body);
    for accept in HTML {
        assert_page(&get(port, "/gone/x", &[("Accept", accept)]), 404);
    }

    // The visitor reference is Varnish's transaction id, in both subs.
    let reference = regex::Regex::new("Reference: <code>([0-9]+)</code>").unwrap();
    for path in ["/down/x", "/bad/x"] {
        let response = get(port, path, &[]);
        let id = reference.captures(&response.body);
        assert!(id.is_some(), "{path}: {}", response.body);
        assert!(!response.body.contains("<!--#"), "{}", response.body);
    }
    let german = get(port, "/gone/x", &[("Accept-Language", "de")]);
    assert!(german.body.contains("Referenz: <code>"), "{}", german.body);

    // Maintenance: the flag file next to the build.
    let flag = PathBuf::from(format!("{}.maintenance", dist.display()));
    let untrusted = Some(std::net::Ipv4Addr::new(127, 0, 0, 2));
    let visitor = |path: &str| request_from(untrusted, port, "GET", path, &[], "");
    std::fs::write(&flag, "").unwrap();
    assert_page(&visitor("/gone/x"), 503);
    assert_page(&visitor("/gone/healthz"), 503);
    // maintenance.paths reach the origin (the first backend, answering 502).
    for path in ["/healthz", "/.well-known/acme-challenge/token-1"] {
        let response = visitor(path);
        assert_page(&response, 502);
    }
    // Staff (trusted_networks: 127.0.0.1) see the real site.
    assert_page(&get(port, "/gone/x", &[]), 404);
    std::fs::remove_file(&flag).unwrap();
    assert_page(&visitor("/gone/x"), 404);
}

/// A browser revalidating or resuming an error page must get the whole
/// page with its status, from vcl_synth (an origin error) and from
/// vcl_backend_error (a failed fetch) alike.
#[test]
fn live_varnish_answers_conditional_and_range_requests_with_the_whole_page() {
    let test = "live_varnish_answers_conditional_and_range_requests_with_the_whole_page";
    let Some(varnishd) = require_program("varnishd", test) else {
        return;
    };
    let dir = fixture_copy("nginx");
    let dist = build(dir.path());
    let backends = [
        (
            "bad",
            failing_backend_with_headers(502, "", "origin's own 502"),
        ),
        (
            "gone",
            failing_backend_with_headers(404, "", "origin's own 404"),
        ),
        ("down", free_port()),
    ];
    let vcl = dir.path().join("test.vcl");
    std::fs::write(&vcl, test_vcl(&dist, &backends)).unwrap();
    let (_varnish, port) = start_varnishd(&varnishd, dir.path(), &vcl);
    for (path, code) in [("/bad/x", 502), ("/gone/x", 404), ("/down/x", 503)] {
        let plain = get(port, path, &[]);
        assert_page(&plain, code);
        common::servers::assert_conditional_and_range_requests_get(port, path, &plain);
    }
}

/// nginx refuses such a directory first in `build`, so the build is moved
/// there and `config varnish` asked for its VCL.
#[test]
fn config_refuses_a_pages_directory_that_would_end_a_vcl_string() {
    let tmp = tempfile::tempdir().unwrap();
    let built = build(tmp.path());
    let hostile = tmp.path().join("x\"}; sub vcl_recv { return (pass); }");
    std::fs::rename(&built, &hostile).unwrap();
    errorsmith()
        .current_dir(tmp.path())
        .args(["config", "varnish", "--pages"])
        .arg(&hostile)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "which a Varnish VCL string cannot carry; move the pages to a path without them",
        ));
}

#[test]
fn live_varnish_developer_part_reaches_only_trusted_clients() {
    let test = "live_varnish_developer_part_reaches_only_trusted_clients";
    let Some(varnishd) = require_program("varnishd", test) else {
        return;
    };
    // The nginx fixture trusts 127.0.0.1 only.
    let dir = fixture_copy("nginx");
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "dist", "--developer", "ssi"])
        .assert()
        .success();
    let dist = dir.path().join("dist").canonicalize().unwrap();
    let backends = [
        (
            "bad",
            failing_backend_with_headers(502, "", "origin's own 502"),
        ),
        ("down", free_port()),
    ];
    let vcl = dir.path().join("test.vcl");
    std::fs::write(&vcl, test_vcl(&dist, &backends)).unwrap();
    let (_varnish, port) = start_varnishd(&varnishd, dir.path(), &vcl);
    let untrusted = Some(std::net::Ipv4Addr::new(127, 0, 0, 2));
    let fragment = std::fs::read_to_string(dist.join("en/developer/502.html")).unwrap();
    let texts: Vec<String> = regex::Regex::new(">([^<]{6,})<")
        .unwrap()
        .captures_iter(&fragment)
        .map(|c| c[1].trim().to_string())
        .collect();
    assert!(texts.len() >= 5, "{fragment}");
    // vcl_synth (the origin's 502) and vcl_backend_error (a failed fetch).
    for (path, code) in [("/bad/x", 502), ("/down/x", 503)] {
        let trusted = request_from(None, port, "GET", path, &[], "");
        let other = request_from(untrusted, port, "GET", path, &[], "");
        assert_page(&trusted, code);
        assert_page(&other, code);
        assert!(!other.body.contains("<!--#"), "{}", other.body);
        assert!(!trusted.body.contains("<!--#"), "{}", trusted.body);
        assert!(
            trusted.body.contains("For the site owner"),
            "{}",
            trusted.body
        );
        assert_eq!(trusted.body.matches("<h1>").count(), 1, "{}", trusted.body);
        if code == 502 {
            for text in &texts {
                assert!(
                    trusted.body.contains(text.as_str()),
                    "trusted lacks {text:?}"
                );
                assert!(
                    !other.body.contains(text.as_str()),
                    "untrusted got {text:?}"
                );
            }
        }
        assert!(!other.body.contains("For the site owner"), "{}", other.body);
        // The request id is Varnish's transaction id.
        let marker = "Request ID</dt><dd><code>";
        let start = trusted.body.find(marker).unwrap() + marker.len();
        let id = &trusted.body[start..start + trusted.body[start..].find('<').unwrap()];
        assert!(
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
    }
    // Never in JSON or text.
    let json = request_from(
        None,
        port,
        "GET",
        "/bad/x",
        &[("Accept", "application/json")],
        "",
    );
    assert_eq!(json.status, 502);
    assert!(!json.body.contains("site owner"), "{}", json.body);
}

/// `req.url` is the URL as the client wrote it, dot segments included,
/// while the origin resolves them: a bypass in `maintenance.paths` must
/// not open the rest of the site during maintenance
/// (`/healthz/../admin` is `/admin` to the origin).
#[test]
fn live_varnish_maintenance_paths_do_not_open_the_site_through_dot_segments() {
    let test = "live_varnish_maintenance_paths_do_not_open_the_site_through_dot_segments";
    let Some(varnishd) = require_program("varnishd", test) else {
        return;
    };
    let dir = fixture_copy("nginx");
    let dist = build(dir.path());
    let backends = [(
        "site",
        failing_backend_with_headers(200, "", "the real site"),
    )];
    let vcl = dir.path().join("test.vcl");
    std::fs::write(&vcl, test_vcl(&dist, &backends)).unwrap();
    let (_varnish, port) = start_varnishd(&varnishd, dir.path(), &vcl);
    let flag = PathBuf::from(format!("{}.maintenance", dist.display()));
    let untrusted = Some(std::net::Ipv4Addr::new(127, 0, 0, 2));
    let visitor = |path: &str| request_from(untrusted, port, "GET", path, &[], "");
    std::fs::write(&flag, "").unwrap();
    assert_page(&visitor("/admin"), 503);
    assert_eq!(visitor("/healthz").body, "the real site");
    for path in [
        "/healthz/../admin",
        "/healthz/%2e%2e/admin",
        "/.well-known/acme-challenge/../../admin",
    ] {
        let response = visitor(path);
        assert!(
            !response.body.contains("the real site"),
            "{path}: {response:?}"
        );
    }
}
