//! The nginx files `errorsmith build` writes, proven against a live nginx
//! (Debian package `nginx`) on 127.0.0.1: statuses, headers and bodies for
//! errors nginx raises itself and for failing upstreams, the maintenance
//! switch, the SSI-gated developer part, the ingress-nginx default backend,
//! and locale and format negotiation.

mod common;

use common::pages_service::GERMAN_404;
use common::{Response, Running, errorsmith, fixture_copy, free_port, get, request_from};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;

const UNTRUSTED: Option<Ipv4Addr> = Some(Ipv4Addr::new(127, 0, 0, 2));

/// Ports of the proxied upstreams the test server talks to; by default
/// nobody listens on any of them.
struct Upstreams {
    down: u16,
    slow: u16,
    failing: u16,
    /// Answers 503 with its own `Retry-After`.
    retrying: u16,
}

impl Default for Upstreams {
    fn default() -> Self {
        Upstreams {
            down: free_port(),
            slow: free_port(),
            failing: free_port(),
            retrying: free_port(),
        }
    }
}

/// A build of the `nginx` fixture served by a live nginx: the site on
/// `port`, the ingress default backend on `backend_port`.
struct Site {
    _dir: tempfile::TempDir,
    dist: PathBuf,
    port: u16,
    backend_port: u16,
    _nginx: Running,
}

impl Site {
    /// With upstreams nobody listens on.
    fn start(test: &str, developer: &str) -> Option<Site> {
        Site::start_with(test, developer, &Upstreams::default())
    }

    fn start_with(test: &str, developer: &str, upstreams: &Upstreams) -> Option<Site> {
        Site::start_with_yaml(test, developer, upstreams, "")
    }

    /// With `yaml` appended to the fixture's errorsmith.yaml.
    fn start_with_yaml(
        test: &str,
        developer: &str,
        upstreams: &Upstreams,
        yaml: &str,
    ) -> Option<Site> {
        let nginx = common::require_program("nginx", test)?;
        let dir = fixture_copy("nginx");
        let config = dir.path().join("errorsmith.yaml");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(&config, text + yaml).unwrap();
        let dist = build(dir.path(), developer);
        let port = free_port();
        let backend_port = free_port();
        let conf = write_conf(dir.path(), &dist, port, backend_port, upstreams);
        let log = dir.path().join("nginx.log");
        let running = Running::start("nginx", nginx_command(&nginx, &conf, false), port, &log);
        Some(Site {
            _dir: dir,
            dist,
            port,
            backend_port,
            _nginx: running,
        })
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        get(self.port, path, headers)
    }

    fn maintenance_flag(&self) -> PathBuf {
        PathBuf::from(format!("{}.maintenance", self.dist.display()))
    }
}

fn build(dir: &Path, developer: &str) -> PathBuf {
    errorsmith()
        .current_dir(dir)
        .args(["build", "--out", "dist", "--developer", developer])
        .assert()
        .success();
    dir.join("dist").canonicalize().unwrap()
}

fn nginx_command(nginx: &Path, conf: &Path, test_only: bool) -> Command {
    let prefix = conf.parent().unwrap();
    let mut command = Command::new(nginx);
    // -e: the compiled-in error log under /var/log is not writable
    // without root.
    command.arg("-p").arg(prefix).arg("-c").arg(conf);
    command.args(["-e", "stderr", "-g", "daemon off;"]);
    if test_only {
        command.arg("-t");
    }
    command
}

/// The test's nginx.conf: the http include, one site server including the
/// server include, and the default backend file on a free port; everything
/// else (pid, logs, temp files) inside `dir`.
fn write_conf(dir: &Path, dist: &Path, port: u16, backend_port: u16, up: &Upstreams) -> PathBuf {
    let servers = dist.join("servers");
    let backend = std::fs::read_to_string(servers.join("nginx-default-backend.conf")).unwrap();
    let listen = format!(
        "listen {};",
        errorsmith::servers::nginx::DEFAULT_BACKEND_PORT
    );
    assert_eq!(backend.matches(&listen).count(), 1, "{backend}");
    let backend_conf = dir.join("default-backend.conf");
    std::fs::write(
        &backend_conf,
        backend.replace(&listen, &format!("listen 127.0.0.1:{backend_port};")),
    )
    .unwrap();
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "home page\n").unwrap();
    let d = dir.display();
    let text = format!(
        r#"# master_process off: one process, nothing left behind when the
# test kills it, and no switch to another user when run as root.
master_process off;
pid {d}/nginx.pid;
error_log stderr info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {http};
    include {backend};
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 16;
        large_client_header_buffers 2 1k;
        include {server};
        location / {{ root {www}; }}
        location /down/ {{ proxy_pass http://127.0.0.1:{down}; }}
        location /slow/ {{ proxy_pass http://127.0.0.1:{slow}; proxy_read_timeout 1s; }}
        location /failing/ {{ proxy_pass http://127.0.0.1:{failing}; }}
        location /retrying/ {{ proxy_pass http://127.0.0.1:{retrying}; }}
    }}
}}
"#,
        http = servers.join("nginx-http.conf").display(),
        server = servers.join("nginx.conf").display(),
        backend = backend_conf.display(),
        www = www.display(),
        down = up.down,
        slow = up.slow,
        failing = up.failing,
        retrying = up.retrying,
    );
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, text).unwrap();
    conf
}

/// An upstream that accepts connections and never answers.
fn silent_upstream() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// An upstream that answers every request with its own 503.
fn failing_upstream() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            answer_503(&mut stream);
        }
    });
    port
}

fn answer_503(stream: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf);
    let body = "upstream's own error body";
    let _ = write!(
        stream,
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn retry_after_in_manifest(dist: &Path, code: u16) -> u32 {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("manifest.json")).unwrap())
            .unwrap();
    manifest["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code && p["retry_after"].is_u64())
        .and_then(|p| p["retry_after"].as_u64())
        .unwrap_or_else(|| panic!("the build has no retry_after for {code}")) as u32
}

/// Our HTML page for `code`, in English, with the status kept and the
/// headers every error page carries.
fn assert_page(response: &Response, code: u16) {
    assert_eq!(response.status, code, "{response:#?}");
    assert!(
        response.body.contains(&format!("Error {code}")) && response.body.contains("lang=\"en\""),
        "not errorsmith's {code} page: {}",
        response.body
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // README, "Headers": sent with `always`, so on 4xx/5xx too.
    assert_eq!(response.header("vary"), Some("Accept, Accept-Language"));
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn nginx_accepts_the_generated_config() {
    let Some(nginx) = common::require_program("nginx", "nginx_accepts_the_generated_config") else {
        return;
    };
    for developer in ["strip", "hidden", "ssi"] {
        let dir = fixture_copy("nginx");
        let dist = build(dir.path(), developer);
        let conf = write_conf(
            dir.path(),
            &dist,
            free_port(),
            free_port(),
            &Upstreams::default(),
        );
        let output = nginx_command(&nginx, &conf, true).output().unwrap();
        assert!(
            output.status.success(),
            "nginx -t failed for --developer {developer}:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn errors_nginx_raises_itself_keep_their_status() {
    let Some(site) = Site::start("errors_nginx_raises_itself_keep_their_status", "hidden") else {
        return;
    };
    assert_eq!(site.get("/", &[]).status, 200);
    let missing = site.get("/no/such/file", &[]);
    assert_page(&missing, 404);
    assert_eq!(missing.header("retry-after"), None);

    let body = "x".repeat(100);
    let too_large = request_from(None, site.port, "POST", "/", &[], &body);
    assert_page(&too_large, 413);

    let long_uri = format!("/{}", "u".repeat(3000));
    assert_page(&site.get(&long_uri, &[]), 414);

    // nginx's 494 (header too large) is shown as the standard 431.
    let big = "h".repeat(3000);
    assert_page(&site.get("/", &[("X-Big", &big)]), 431);
}

#[test]
fn pages_are_reachable_only_through_errors() {
    let Some(site) = Site::start("pages_are_reachable_only_through_errors", "ssi") else {
        return;
    };
    for path in [
        "/_errors/503.html",
        "/_errors/503",
        "/_errors/en/developer/404.html",
    ] {
        let response = site.get(path, &[]);
        assert_page(&response, 404);
        assert!(!response.body.contains("Error 503"), "{path}");
    }
}

#[test]
fn failing_upstreams_show_the_page_with_their_status() {
    let upstreams = Upstreams {
        slow: silent_upstream(),
        failing: failing_upstream(),
        retrying: common::servers::failing_backend_with_headers(
            503,
            "Retry-After: 7\r\n",
            "upstream's own error body",
        ),
        ..Upstreams::default()
    };
    let Some(site) = Site::start_with(
        "failing_upstreams_show_the_page_with_their_status",
        "hidden",
        &upstreams,
    ) else {
        return;
    };
    assert_page(&site.get("/down/x", &[]), 502);
    assert_page(&site.get("/slow/x", &[]), 504);

    let unavailable = site.get("/failing/x", &[]);
    assert_page(&unavailable, 503);
    assert!(!unavailable.body.contains("upstream's own error body"));
    let seconds = retry_after_in_manifest(&site.dist, 503).to_string();
    assert_eq!(unavailable.header("retry-after"), Some(seconds.as_str()));

    // The upstream's own Retry-After wins over the content's.
    let retrying = site.get("/retrying/x", &[]);
    assert_page(&retrying, 503);
    assert!(!retrying.body.contains("upstream's own error body"));
    assert_eq!(retrying.header("retry-after"), Some("7"));
}

#[test]
fn conditional_and_range_requests_get_the_whole_page_with_its_status() {
    let upstreams = Upstreams {
        failing: failing_upstream(),
        ..Upstreams::default()
    };
    let test = "conditional_and_range_requests_get_the_whole_page_with_its_status";
    let Some(site) = Site::start_with(test, "hidden", &upstreams) else {
        return;
    };
    for (path, code) in [
        ("/no/such/file", 404),
        ("/down/x", 502),
        ("/failing/x", 503),
    ] {
        let plain = site.get(path, &[]);
        assert_page(&plain, code);
        common::servers::assert_conditional_and_range_requests_get(site.port, path, &plain);
    }
}

#[test]
fn maintenance_flag_turns_every_request_into_the_503_page() {
    let Some(site) = Site::start(
        "maintenance_flag_turns_every_request_into_the_503_page",
        "hidden",
    ) else {
        return;
    };
    let visitor = |path: &str| request_from(UNTRUSTED, site.port, "GET", path, &[], "");
    assert_eq!(visitor("/").status, 200);
    std::fs::write(site.maintenance_flag(), "").unwrap();
    for path in [
        "/",
        "/no/such/file",
        "/down/x",
        "/healthzx",
        "/.well-known/other",
    ] {
        let response = visitor(path);
        assert_page(&response, 503);
        assert!(response.header("retry-after").is_some(), "{path}");
    }
    // maintenance.paths (default: ACME challenges, /healthz) reach the site.
    for path in ["/healthz", "/.well-known/acme-challenge/token-1"] {
        assert_page(&visitor(path), 404);
    }
    // Staff (trusted_networks, as maintenance.allow is unset) see the site.
    assert_eq!(site.get("/", &[]).status, 200);
    // README: the flag sits next to the build folder, so rebuilding does
    // not end maintenance.
    build(site._dir.path(), "hidden");
    assert!(site.maintenance_flag().exists());
    assert_page(&visitor("/"), 503);
    std::fs::remove_file(site.maintenance_flag()).unwrap();
    assert_eq!(visitor("/").status, 200);
}

#[test]
fn maintenance_allow_and_paths_replace_the_defaults() {
    let test = "maintenance_allow_and_paths_replace_the_defaults";
    let yaml = "maintenance:\n  allow: [127.0.0.2/32]\n  paths: [/status.json]\n";
    let Some(site) = Site::start_with_yaml(test, "hidden", &Upstreams::default(), yaml) else {
        return;
    };
    std::fs::write(site.maintenance_flag(), "").unwrap();
    // 127.0.0.1 is trusted for the developer part, not for maintenance.
    assert_page(&site.get("/", &[]), 503);
    assert_page(&site.get("/healthz", &[]), 503);
    assert_page(&site.get("/status.json", &[]), 404);
    assert_eq!(
        request_from(UNTRUSTED, site.port, "GET", "/", &[], "").status,
        200
    );
    std::fs::remove_file(site.maintenance_flag()).unwrap();
}

/// Text the developer fragment shows, with its SSI commands removed: none
/// of it may reach an untrusted client.
fn fragment_texts(dist: &Path, code: u16) -> Vec<String> {
    let fragment = std::fs::read_to_string(dist.join(format!("en/developer/{code}.html"))).unwrap();
    let mut texts = Vec::new();
    let mut rest = fragment.as_str();
    while let Some(start) = rest.find('>') {
        rest = &rest[start + 1..];
        let end = rest.find('<').unwrap_or(rest.len());
        let text = rest[..end].trim();
        if text.len() >= 6 {
            texts.push(text.to_string());
        }
        rest = &rest[end..];
    }
    assert!(texts.len() >= 5, "fragment too small to test: {fragment}");
    texts
}

#[test]
fn developer_part_reaches_only_trusted_clients() {
    let Some(site) = Site::start("developer_part_reaches_only_trusted_clients", "ssi") else {
        return;
    };
    let path = "/down/trace-me";
    let trusted = request_from(None, site.port, "GET", path, &[], "");
    let untrusted = request_from(UNTRUSTED, site.port, "GET", path, &[], "");
    assert_page(&trusted, 502);
    assert_page(&untrusted, 502);

    for text in fragment_texts(&site.dist, 502) {
        assert!(trusted.body.contains(&text), "trusted lacks {text:?}");
        assert!(!untrusted.body.contains(&text), "untrusted got {text:?}");
    }
    // Request details: id (32 hex digits), URI and upstream status.
    let id = regex_find(&trusted.body, "Request ID</dt><dd><code>");
    assert_eq!(id.len(), 32, "{}", trusted.body);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    assert_eq!(
        regex_find(&trusted.body, "Requested address</dt><dd><code>"),
        path
    );
    assert_eq!(
        regex_find(&trusted.body, "Upstream status</dt><dd><code>"),
        "502"
    );
    // README: also the time and the host.
    assert_eq!(
        regex_find(&trusted.body, "Host</dt><dd><code>"),
        "localhost"
    );
    let time = regex_find(&trusted.body, "Time</dt><dd><code>");
    let iso8601 = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$").unwrap();
    assert!(iso8601.is_match(time), "{time}");
    for absent in ["trace-me", "<!--#", "Request ID", "For the site owner"] {
        assert!(!untrusted.body.contains(absent), "untrusted got {absent:?}");
    }
}

/// The text after `marker` up to the next tag.
fn regex_find<'a>(body: &'a str, marker: &str) -> &'a str {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in {body}"))
        + marker.len();
    let rest = &body[start..];
    &rest[..rest.find('<').unwrap_or(rest.len())]
}

#[test]
fn echoed_request_values_are_entity_encoded() {
    let Some(site) = Site::start("echoed_request_values_are_entity_encoded", "ssi") else {
        return;
    };
    let response = site.get("/x\"<b>y", &[]);
    assert_page(&response, 404);
    assert!(
        response.body.contains("/x&quot;&lt;b&gt;y"),
        "{}",
        response.body
    );
    assert!(!response.body.contains("<b>"), "{}", response.body);
}

#[test]
fn ingress_default_backend_follows_x_code_and_x_format() {
    let Some(site) = Site::start("ingress_default_backend_follows_x_code_and_x_format", "ssi")
    else {
        return;
    };
    let port = site.backend_port;
    let health = get(port, "/healthz", &[]);
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    assert_page(&get(port, "/", &[]), 404);

    let id = "ingress-req-4711";
    let headers = [
        ("X-Code", "503"),
        ("X-Format", "text/html"),
        ("X-Request-ID", id),
    ];
    let trusted = request_from(None, port, "GET", "/", &headers, "");
    assert_page(&trusted, 503);
    let seconds = retry_after_in_manifest(&site.dist, 503).to_string();
    assert_eq!(trusted.header("retry-after"), Some(seconds.as_str()));
    assert!(trusted.body.contains(id), "{}", trusted.body);
    let untrusted = request_from(UNTRUSTED, port, "GET", "/", &headers, "");
    assert_page(&untrusted, 503);
    assert!(!untrusted.body.contains(id));

    let json = get(
        port,
        "/",
        &[("X-Code", "502"), ("X-Format", "application/json")],
    );
    assert_eq!(json.status, 502);
    assert_eq!(
        json.header("content-type"),
        Some("application/problem+json")
    );
    let problem: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(problem["status"], 502);

    let text = get(port, "/", &[("X-Code", "504"), ("X-Format", "text/plain")]);
    assert_eq!(text.status, 504);
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(!text.body.contains('<'), "{}", text.body);

    // A code the build has no page for gets its class's generic page.
    assert_page(&get(port, "/", &[("X-Code", "599")]), 500);
    let teapot = get(port, "/", &[("X-Code", "418")]);
    assert_eq!(teapot.status, 400, "{teapot:#?}");
    assert!(teapot.body.contains("Error 400"), "{}", teapot.body);
    // The locale comes from Accept-Language.
    let german = get(port, "/", &[("X-Code", "404"), ("Accept-Language", "de")]);
    assert_eq!(german.status, 404);
    assert!(german.body.contains(GERMAN_404), "{}", german.body);
}

#[test]
fn accept_language_picks_the_locale() {
    let Some(site) = Site::start("accept_language_picks_the_locale", "hidden") else {
        return;
    };
    let german = "Diese Prüfseite gibt es nicht.";
    for header in [
        "de-DE,de;q=0.9",
        "de-DE",
        "de-AT;q=0.8, fr;q=0.1",
        "fr;q=0.1, de;q=0.9",
        "DE",
        "en;q=0.2,de;q=0.8,*;q=0.5",
    ] {
        let response = site.get("/missing", &[("Accept-Language", header)]);
        assert_eq!(response.status, 404);
        assert!(
            response.body.contains(german) && response.body.contains("lang=\"de\""),
            "{header:?} did not get German: {}",
            response.body
        );
    }
    for header in ["xx", "", "de;q=0, xx", "*"] {
        let response = site.get("/missing", &[("Accept-Language", header)]);
        assert_page(&response, 404);
        assert!(!response.body.contains(german), "{header:?} got German");
    }
    // README: q-values are compared to one decimal place, and ties go to
    // the language listed first.
    for header in ["fr;q=0.51, de;q=0.59", "de;q=0.55, fr;q=0.65", "fr, de"] {
        let response = site.get("/missing", &[("Accept-Language", header)]);
        assert_eq!(response.status, 404);
        assert!(
            response.body.contains("lang=\"fr\""),
            "{header:?} did not get French: {}",
            response.body
        );
    }
    let response = site.get("/missing", &[("Accept-Language", "fr;q=0.5, de;q=0.6")]);
    assert!(response.body.contains(german), "a higher tenth wins");
}

/// README: "A missing file falls back: locale + format -> top-level format
/// -> locale HTML -> top-level HTML."
#[test]
fn a_missing_file_falls_back_along_the_readme_chain() {
    let Some(site) = Site::start("a_missing_file_falls_back_along_the_readme_chain", "hidden")
    else {
        return;
    };
    let ask = |accept: &str| site.get("/missing", &[("Accept", accept), ("Accept-Language", "de")]);
    let german_json = ask("application/json");
    assert_eq!(german_json.status, 404);
    let top_json = std::fs::read_to_string(site.dist.join("404.json")).unwrap();
    assert_ne!(german_json.body, top_json, "the German JSON differs");
    std::fs::remove_file(site.dist.join("de/404.json")).unwrap();
    let json = ask("application/json");
    assert_eq!(json.status, 404);
    assert_eq!(json.body, top_json);

    std::fs::remove_file(site.dist.join("de/404.txt")).unwrap();
    let text = ask("text/plain");
    assert_eq!(text.status, 404);
    assert_eq!(
        text.body,
        std::fs::read_to_string(site.dist.join("404.txt")).unwrap()
    );

    std::fs::remove_file(site.dist.join("404.txt")).unwrap();
    let html = ask("text/plain");
    assert_eq!(html.status, 404);
    assert!(html.body.contains(GERMAN_404), "{}", html.body);

    std::fs::remove_file(site.dist.join("de/404.html")).unwrap();
    let html = ask("text/plain");
    assert_page(&html, 404);
}

#[test]
fn accept_picks_the_format() {
    let Some(site) = Site::start("accept_picks_the_format", "hidden") else {
        return;
    };
    for accept in [
        "application/json",
        "application/problem+json",
        "application/json, text/plain, */*",
    ] {
        let response = site.get("/missing", &[("Accept", accept)]);
        assert_eq!(response.status, 404, "{accept}");
        assert_eq!(
            response.header("content-type"),
            Some("application/problem+json"),
            "{accept}"
        );
        let problem: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(problem["status"], 404);
        assert_eq!(problem["title"], "Not Found");
    }
    let text = site.get(
        "/missing",
        &[("Accept", "text/plain"), ("Accept-Language", "de")],
    );
    assert_eq!(text.status, 404);
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(
        text.body.contains("Diese Prüfseite gibt es nicht."),
        "{}",
        text.body
    );
    for accept in [
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "text/html, application/json",
        "*/*",
        "text/plain, text/html",
    ] {
        assert_page(&site.get("/missing", &[("Accept", accept)]), 404);
    }
}

/// `Reference: <id>` as the visitor sees it, or None.
fn shown_reference(body: &str) -> Option<String> {
    let start = body.find("Reference: <code>")? + "Reference: <code>".len();
    let end = body[start..].find("</code>")? + start;
    Some(body[start..end].to_string())
}

#[test]
fn visitor_reference_shows_the_request_id_to_everyone_without_the_developer_part() {
    let test = "visitor_reference_shows_the_request_id_to_everyone_without_the_developer_part";
    let Some(site) = Site::start_with_yaml(
        test,
        "hidden",
        &Upstreams::default(),
        "visitor_reference: true\n",
    ) else {
        return;
    };
    let mut seen = Vec::new();
    for from in [None, UNTRUSTED] {
        let response = request_from(from, site.port, "GET", "/missing", &[], "");
        assert_page(&response, 404);
        let id = shown_reference(&response.body)
            .unwrap_or_else(|| panic!("no reference in {}", response.body));
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        seen.push(id);
    }
    assert_ne!(seen[0], seen[1], "each request has its own id");
    let german = site.get("/down/x", &[("Accept-Language", "de")]);
    assert!(german.body.contains("Referenz: <code>"), "{}", german.body);

    // The id from the ingress default backend's X-Request-ID is encoded.
    let hostile = "<b>x</b>\"'";
    let backend = get(
        site.backend_port,
        "/",
        &[("X-Code", "404"), ("X-Request-ID", hostile)],
    );
    assert_page(&backend, 404);
    assert_eq!(
        shown_reference(&backend.body).as_deref(),
        Some("&lt;b&gt;x&lt;/b&gt;&quot;'")
    );

    // Served without SSI, the page shows nothing of it: only a comment.
    let raw = std::fs::read_to_string(site.dist.join("404.html")).unwrap();
    assert!(raw.contains("<!--# include virtual=\"/_errors/en/reference.html\" -->"));
    let visible = regex::Regex::new("(?s)<!--.*?-->")
        .unwrap()
        .replace_all(&raw, "");
    assert!(!visible.contains("Reference"), "{visible}");
}

#[test]
fn without_visitor_reference_pages_show_none() {
    let Some(site) = Site::start("without_visitor_reference_pages_show_none", "ssi") else {
        return;
    };
    let response = site.get("/missing", &[]);
    assert_page(&response, 404);
    assert_eq!(shown_reference(&response.body), None, "{}", response.body);
    assert!(!site.dist.join("en/reference.html").exists());
}
