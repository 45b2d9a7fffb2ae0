//! HAProxy: the errorfiles errorsmith writes, checked by `haproxy -c` and
//! served by a live HAProxy whose only server is down.

mod common;

use common::servers::*;
use common::*;

/// What HAProxy can put in its buffer by default: tune.bufsize 16384 -
/// tune.maxrewrite 1024.
const MAX_ERRORFILE: usize = 15360;

#[test]
fn live_haproxy_answers_with_our_pages_when_the_backend_is_down() {
    let test = "live_haproxy_answers_with_our_pages_when_the_backend_is_down";
    let Some(setup) = LiveSetup::new("haproxy", test) else {
        return;
    };
    let port = setup.port;
    let config = format!(
        "{}\n\
         defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    errorfiles errorsmith\n\
         frontend web\n    bind 127.0.0.1:{port}\n    http-request deny deny_status 403 if {{ path_beg /private }}\n    default_backend app\n\
         backend app\n    server down 127.0.0.1:{}\n",
        std::fs::read_to_string(setup.built.pages.join("servers/haproxy.cfg")).unwrap(),
        free_port()
    );
    let haproxy = setup.start_with_config("haproxy.cfg", &config, "-c", "-db");
    let pages = haproxy.pages();

    let down = haproxy.get("/");
    assert_error_page_with_retry_after(&down, 503, "Service Unavailable", pages);
    assert!(retry_after(pages, 503).is_some(), "503.md sets retry_after");

    let denied = haproxy.get("/private/x");
    assert_error_page_with_retry_after(&denied, 403, "Forbidden", pages);

    for (path, status, title) in [
        ("/", 503, "Service Unavailable"),
        ("/private/x", 403, "Forbidden"),
    ] {
        assert_conditional_and_range_requests_get_the_page(
            haproxy.port,
            path,
            status,
            title,
            pages,
        );
    }
}

#[test]
fn every_errorfile_is_a_complete_response_that_fits_the_buffer() {
    let tmp = tempfile::tempdir().unwrap();
    build_builtin(tmp.path());
    let dir = tmp.path().join("servers/haproxy");
    let mut codes: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    codes.sort();
    // The codes HAProxy 2.6 makes itself and accepts in `errorfile`
    // (200 has no content); 414 and 431 are refused by `haproxy -c`.
    assert_eq!(
        codes,
        [
            400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 425, 429, 500, 501, 502, 503, 504
        ]
        .map(|c| format!("{c}.http"))
    );
    for name in codes {
        let raw = std::fs::read(dir.join(&name)).unwrap();
        assert!(raw.len() <= MAX_ERRORFILE, "{name}: {} bytes", raw.len());
        let text = String::from_utf8(raw).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let code = name.trim_end_matches(".http");
        assert!(head.starts_with(&format!("HTTP/1.1 {code} ")), "{head}");
        assert!(
            head.split("\r\n").all(|l| !l.contains('\n')),
            "{name}: bare LF in the head"
        );
        let lines: Vec<&str> = head.split("\r\n").collect();
        for header in [
            format!("Content-Length: {}", body.len()),
            "Content-Type: text/html; charset=utf-8".into(),
            "Cache-Control: no-store".into(),
            "Connection: close".into(),
        ] {
            assert!(lines.contains(&header.as_str()), "{name}: no {header}");
        }
        let page = std::fs::read_to_string(tmp.path().join(format!("{code}.html"))).unwrap();
        assert_eq!(body, page, "{name}: body is not {code}.html");
    }
}

#[test]
fn config_haproxy_prints_the_section_build_wrote() {
    let (built, written) = assert_config_prints_what_build_wrote("haproxy", "haproxy.cfg");
    // Single-quoted, so the space, `;` and `#` in the directory stay
    // literal instead of splitting the line or starting a comment.
    let path = format!("{}/servers/haproxy/404.http", built.pages.display());
    assert!(
        written.contains(&format!("    errorfile 404 '{path}'\n")),
        "{written}"
    );
}

#[test]
fn build_fails_naming_the_page_that_does_not_fit_an_errorfile() {
    let project = fixture_copy("servers-too-big");
    errorsmith()
        .current_dir(project.path())
        .args(["build", "--config", "only-404.yaml"])
        .assert()
        .success();
    errorsmith()
        .current_dir(project.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(
            "error: page `503.html` makes a 15721 byte HAProxy errorfile (`servers/haproxy/503.http`), \
             more than the 15360 bytes HAProxy can send (tune.bufsize 16384 - tune.maxrewrite 1024, headers included); \
             shorten its content or theme by 361 bytes, leave 503 out of `codes`, or haproxy out of `targets`\n",
        );
    // The failed build left the previous output as it was.
    let dist = project.path().join("dist");
    assert!(dist.join("404.html").is_file());
    assert!(!dist.join("503.html").exists());
    assert!(dist.join("servers/haproxy/404.http").is_file());
}

/// One command to HAProxy's runtime API on the socket at `socket`.
fn runtime(socket: &std::path::Path, command: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::os::unix::net::UnixStream::connect(socket).unwrap();
    writeln!(stream, "{command}").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn live_haproxy_maintenance_switch_with_its_bypasses() {
    let test = "live_haproxy_maintenance_switch_with_its_bypasses";
    let Some(haproxy) = require_program("haproxy", test) else {
        return;
    };
    // The nginx fixture trusts 127.0.0.1: maintenance.allow defaults to it.
    let dir = fixture_copy("nginx");
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "dist"])
        .assert()
        .success();
    let dist = dir.path().join("dist");
    let servers = dist.join("servers");
    let rules = std::fs::read_to_string(servers.join("haproxy-maintenance.cfg")).unwrap();
    let rules: String = rules.lines().map(|l| format!("    {l}\n")).collect();
    let socket = dir.path().join("admin.sock");
    let port = free_port();
    let site = failing_backend(200, "the real site");
    let config = format!(
        "global\n    stats socket {} level admin\n{}\n\
         defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    errorfiles errorsmith\n\
         frontend web\n    bind 127.0.0.1:{port}\n{rules}    default_backend app\n\
         backend app\n    server site 127.0.0.1:{site}\n",
        socket.display(),
        std::fs::read_to_string(servers.join("haproxy.cfg")).unwrap(),
    );
    let file = dir.path().join("haproxy.cfg");
    std::fs::write(&file, config).unwrap();
    let check = std::process::Command::new(&haproxy)
        .arg("-c")
        .arg("-f")
        .arg(&file)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    let mut run = std::process::Command::new(&haproxy);
    run.arg("-db").arg("-f").arg(&file);
    let _haproxy = Running::start("haproxy", run, port, &dir.path().join("haproxy.log"));
    let untrusted = Some(std::net::Ipv4Addr::new(127, 0, 0, 2));
    let from = |who, path| request_from(who, port, "GET", path, &[], "");
    let acl = servers.join("haproxy-maintenance.acl");
    let acl = acl.display();

    assert_eq!(from(untrusted, "/").body, "the real site");
    runtime(&socket, &format!("add acl {acl} on"));
    for path in ["/", "/healthzx", "/.well-known/other"] {
        let response = from(untrusted, path);
        assert_error_page_with_retry_after(&response, 503, "Service Unavailable", &dist);
    }
    // maintenance.paths (default: ACME challenges, /healthz) reach the site.
    for path in ["/healthz", "/.well-known/acme-challenge/token-1"] {
        assert_eq!(from(untrusted, path).body, "the real site", "{path}");
    }
    // Staff (trusted_networks, as maintenance.allow is unset) see the site.
    assert_eq!(from(None, "/").body, "the real site");
    runtime(&socket, &format!("del acl {acl} on"));
    assert_eq!(from(untrusted, "/").body, "the real site");
}

/// HAProxy's `path` is the path as the client wrote it, dot segments and
/// percent-escapes included, while the backend resolves them: a bypass in
/// `maintenance.paths` must not open the rest of the site during
/// maintenance (`/healthz/../admin` is `/admin` to the backend).
#[test]
fn live_haproxy_maintenance_paths_do_not_open_the_site_through_dot_segments() {
    let test = "live_haproxy_maintenance_paths_do_not_open_the_site_through_dot_segments";
    let Some(haproxy) = require_program("haproxy", test) else {
        return;
    };
    let dir = fixture_copy("nginx");
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "dist"])
        .assert()
        .success();
    let dist = dir.path().join("dist");
    let servers = dist.join("servers");
    let rules = std::fs::read_to_string(servers.join("haproxy-maintenance.cfg")).unwrap();
    let rules: String = rules.lines().map(|l| format!("    {l}\n")).collect();
    let port = free_port();
    let site = failing_backend(200, "the real site");
    let config = format!(
        "{}\n\
         defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    errorfiles errorsmith\n\
         frontend web\n    bind 127.0.0.1:{port}\n{rules}    default_backend app\n\
         backend app\n    server site 127.0.0.1:{site}\n",
        std::fs::read_to_string(servers.join("haproxy.cfg")).unwrap(),
    );
    // Maintenance on from the start: the switch file holds `on`.
    std::fs::write(servers.join("haproxy-maintenance.acl"), "on\n").unwrap();
    let file = dir.path().join("haproxy.cfg");
    std::fs::write(&file, config).unwrap();
    let mut run = std::process::Command::new(&haproxy);
    run.arg("-db").arg("-f").arg(&file);
    let _haproxy = Running::start("haproxy", run, port, &dir.path().join("haproxy.log"));
    let untrusted = Some(std::net::Ipv4Addr::new(127, 0, 0, 2));
    let from = |path| request_from(untrusted, port, "GET", path, &[], "");
    assert_eq!(from("/healthz").body, "the real site");
    assert_eq!(from("/admin").status, 503);
    for path in [
        "/healthz/../admin",
        "/healthz/%2e%2e/admin",
        "/.well-known/acme-challenge/../../admin",
    ] {
        let response = from(path);
        assert_error_page_with_retry_after(&response, 503, "Service Unavailable", &dist);
    }
}
