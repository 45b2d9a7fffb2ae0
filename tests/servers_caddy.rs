//! Caddy: the `handle_errors` snippet errorsmith writes, checked by
//! `caddy validate` and served by a live `caddy run`.

mod common;

use common::servers::*;
use common::*;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

const UNTRUSTED: Option<Ipv4Addr> = Some(Ipv4Addr::new(127, 0, 0, 2));
use std::process::Command;

/// A Caddyfile for one plain-HTTP site on `port` (any Host) that imports our snippet;
/// no admin endpoint and no automatic HTTPS, so it needs nothing but the
/// port.
fn caddyfile(pages: &Path, port: u16, down: u16, silent: u16) -> String {
    format!(
        "{{\n\tadmin off\n\tauto_https off\n}}\n\
         http://:{port} {{\n\
         \tbind 127.0.0.1\n\
         \timport \"{}/servers/caddy.caddyfile\"\n\
         \thandle /app/* {{\n\t\treverse_proxy 127.0.0.1:{down}\n\t}}\n\
         \thandle /busy/* {{\n\t\terror 503\n\t}}\n\
         \thandle /odd/* {{\n\t\terror 599\n\t}}\n\
         \thandle /slow/* {{\n\t\treverse_proxy 127.0.0.1:{silent} {{\n\t\t\ttransport http {{\n\t\t\t\tresponse_header_timeout 1s\n\t\t\t}}\n\t\t}}\n\t}}\n\
         \thandle {{\n\t\troot * \"{}\"\n\t\tfile_server\n\t}}\n\
         }}\n",
        pages.display(),
        pages.join("site").display()
    )
}

/// `caddy` with its home, config and data folders in `home`.
fn caddy(program: &Path, home: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"));
    command
}

#[test]
fn live_caddy_serves_our_pages_with_the_original_status() {
    let test = "live_caddy_serves_our_pages_with_the_original_status";
    let Some(setup) = LiveSetup::new("caddy", test) else {
        return;
    };
    let config = caddyfile(
        &setup.built.pages,
        setup.port,
        free_port(),
        silent_backend(),
    );
    let file = setup.write_config("Caddyfile", &config);
    let home = setup.dir().join("home");
    let command = |verb: &str| {
        let mut command = caddy(&setup.program, &home);
        command
            .arg(verb)
            .arg("--config")
            .arg(&file)
            .args(["--adapter", "caddyfile"]);
        command
    };
    let (check, run) = (command("validate"), command("run"));
    let caddy = setup.check_and_start(check, run);
    let pages = caddy.pages();

    assert_error_page(&caddy.get("/missing"), 404, "Not Found", pages);
    assert_error_page_with_retry_after(&caddy.get("/app/x"), 502, "Bad Gateway", pages);
    let busy = caddy.get("/busy/x");
    assert_error_page_with_retry_after(&busy, 503, "Service Unavailable", pages);
    assert!(retry_after(pages, 503).is_some(), "503.md sets retry_after");
    // README: 504 on a timeout, and errors without a page keep Caddy's
    // default response (an empty body).
    assert_error_page(&caddy.get("/slow/x"), 504, "Gateway Timeout", pages);
    let odd = caddy.get("/odd/x");
    assert_eq!((odd.status, odd.body.as_str()), (599, ""), "{odd:#?}");

    for (path, status, title) in [
        ("/missing", 404, "Not Found"),
        ("/app/x", 502, "Bad Gateway"),
        ("/busy/x", 503, "Service Unavailable"),
    ] {
        assert_conditional_and_range_requests_get_the_page(caddy.port, path, status, title, pages);
        // Without these a cache would revalidate the page later.
        let page = caddy.get(path);
        for header in ["etag", "last-modified", "accept-ranges"] {
            assert_eq!(page.header(header), None, "{path}: {:?}", page.headers);
        }
    }
}

/// A backend that accepts connections and never answers.
fn silent_backend() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

#[test]
fn config_caddy_prints_what_build_wrote() {
    let (built, written) = assert_config_prints_what_build_wrote("caddy", "caddy.caddyfile");
    assert!(written.contains(&format!("\t\troot * \"{}\"\n", built.pages.display())));
}

#[test]
fn build_refuses_a_pages_directory_caddy_would_read_as_a_placeholder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("{system.hostname}");
    errorsmith()
        .current_dir(tmp.path())
        .arg("build")
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(format!(
            "error: pages directory `{}` contains '{{', which caddy would read as part of its syntax; move the pages to a path without it\n",
            out.display()
        ));
    assert!(!out.exists());
}

#[test]
fn live_caddy_picks_locale_and_format_like_nginx() {
    use common::pages_service::*;
    let test = "live_caddy_picks_locale_and_format_like_nginx";
    let Some(program) = require_program("caddy", test) else {
        return;
    };
    let dir = fixture_copy("nginx");
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "dist"])
        .assert()
        .success();
    let dist = dir.path().join("dist");
    let port = free_port();
    let file = dir.path().join("Caddyfile");
    std::fs::write(&file, caddyfile(&dist, port, free_port(), free_port())).unwrap();
    let mut run = caddy(&program, &dir.path().join("home"));
    run.arg("run")
        .arg("--config")
        .arg(&file)
        .args(["--adapter", "caddyfile"]);
    let _caddy = Running::start("caddy", run, port, &dir.path().join("caddy.log"));

    assert_negotiates_like_nginx(port, &dist, "/app/x");
}

/// The `nginx` fixture (127.0.0.1 trusted) with `yaml` appended, served by
/// a live Caddy whose site root holds an index page.
fn start_site(test: &str, yaml: &str) -> Option<(tempfile::TempDir, PathBuf, u16, Running)> {
    let program = require_program("caddy", test)?;
    let dir = fixture_copy("nginx");
    let config = dir.path().join("errorsmith.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text + yaml).unwrap();
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "dist"])
        .assert()
        .success();
    let dist = dir.path().join("dist");
    std::fs::create_dir(dist.join("site")).unwrap();
    std::fs::write(dist.join("site/index.html"), "the real site").unwrap();
    let port = free_port();
    let file = dir.path().join("Caddyfile");
    std::fs::write(&file, caddyfile(&dist, port, free_port(), free_port())).unwrap();
    let mut run = caddy(&program, &dir.path().join("home"));
    run.arg("run")
        .arg("--config")
        .arg(&file)
        .args(["--adapter", "caddyfile"]);
    let running = Running::start("caddy", run, port, &dir.path().join("caddy.log"));
    Some((dir, dist, port, running))
}

#[test]
fn live_caddy_maintenance_switch_with_its_default_bypasses() {
    let test = "live_caddy_maintenance_switch_with_its_default_bypasses";
    let Some((_dir, dist, port, _caddy)) = start_site(test, "") else {
        return;
    };
    let from = |who, path| request_from(who, port, "GET", path, &[], "");
    let flag = PathBuf::from(format!("{}.maintenance", dist.display()));
    assert_eq!(from(UNTRUSTED, "/").body, "the real site");
    std::fs::write(&flag, "").unwrap();
    for path in ["/", "/app/x", "/healthzx", "/.well-known/other"] {
        let response = from(UNTRUSTED, path);
        assert_page(&response, 503, "Service Unavailable", &dist);
        assert_eq!(
            response.header("retry-after").map(str::to_string),
            retry_after(&dist, 503),
            "{path}"
        );
    }
    // maintenance.paths (default: ACME challenges, /healthz) reach the site.
    for path in ["/healthz", "/.well-known/acme-challenge/token-1"] {
        assert_page(&from(UNTRUSTED, path), 404, "Not Found", &dist);
    }
    // Staff (trusted_networks, as maintenance.allow is unset) see the site.
    assert_eq!(from(None, "/").body, "the real site");
    std::fs::remove_file(&flag).unwrap();
    assert_eq!(from(UNTRUSTED, "/").body, "the real site");
}

#[test]
fn live_caddy_maintenance_allow_and_paths_replace_the_defaults() {
    let test = "live_caddy_maintenance_allow_and_paths_replace_the_defaults";
    let yaml = "maintenance:\n  allow: [127.0.0.2/32]\n  paths: [/status.json]\n";
    let Some((_dir, dist, port, _caddy)) = start_site(test, yaml) else {
        return;
    };
    let from = |who, path| request_from(who, port, "GET", path, &[], "");
    let flag = PathBuf::from(format!("{}.maintenance", dist.display()));
    std::fs::write(&flag, "").unwrap();
    // 127.0.0.1 is trusted for the developer part, not for maintenance.
    assert_page(&from(None, "/"), 503, "Service Unavailable", &dist);
    assert_page(&from(None, "/healthz"), 503, "Service Unavailable", &dist);
    assert_page(&from(None, "/status.json"), 404, "Not Found", &dist);
    assert_eq!(from(UNTRUSTED, "/").body, "the real site");
    std::fs::remove_file(&flag).unwrap();
    assert_eq!(from(None, "/").body, "the real site");
}

/// A bypass in `maintenance.paths` must not open the rest of the site
/// during maintenance through dot segments the file server resolves.
#[test]
fn live_caddy_maintenance_paths_do_not_open_the_site_through_dot_segments() {
    let test = "live_caddy_maintenance_paths_do_not_open_the_site_through_dot_segments";
    let Some((_dir, dist, port, _caddy)) = start_site(test, "") else {
        return;
    };
    let from = |path| request_from(UNTRUSTED, port, "GET", path, &[], "");
    std::fs::write(format!("{}.maintenance", dist.display()), "").unwrap();
    for path in [
        "/healthz/../index.html",
        "/healthz/%2e%2e/index.html",
        "/.well-known/acme-challenge/../../index.html",
    ] {
        let response = from(path);
        assert!(
            !response.body.contains("the real site"),
            "{path}: {response:?}"
        );
    }
}
