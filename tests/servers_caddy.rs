//! Caddy: the `handle_errors` snippet errorsmith writes, checked by
//! `caddy validate` and served by a live `caddy run`.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

/// A Caddyfile for one plain-HTTP site on `port` (any Host) that imports our snippet;
/// no admin endpoint and no automatic HTTPS, so it needs nothing but the
/// port.
fn caddyfile(pages: &Path, port: u16, down: u16) -> String {
    format!(
        "{{\n\tadmin off\n\tauto_https off\n}}\n\
         http://:{port} {{\n\
         \tbind 127.0.0.1\n\
         \timport \"{}/servers/caddy.caddyfile\"\n\
         \thandle /app/* {{\n\t\treverse_proxy 127.0.0.1:{down}\n\t}}\n\
         \thandle /busy/* {{\n\t\terror 503\n\t}}\n\
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
    let Some(program) = require_program("caddy", test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let pages = tmp.path().join(AWKWARD_DIR);
    build_builtin(&pages);
    let port = free_port();
    let file = tmp.path().join("Caddyfile");
    std::fs::write(&file, caddyfile(&pages, port, free_port())).unwrap();
    let home = tmp.path().join("home");

    let check = caddy(&program, &home)
        .arg("validate")
        .arg("--config")
        .arg(&file)
        .args(["--adapter", "caddyfile"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "caddy validate failed:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let mut command = caddy(&program, &home);
    command
        .arg("run")
        .arg("--config")
        .arg(&file)
        .args(["--adapter", "caddyfile"]);
    let _caddy = Running::start("caddy", command, port, &tmp.path().join("caddy.log"));

    assert_error_page(&get(port, "/missing", &[]), 404, "Not Found", &pages);
    let down = get(port, "/app/x", &[]);
    assert_error_page(&down, 502, "Bad Gateway", &pages);
    assert_eq!(
        down.header("retry-after").map(str::to_string),
        retry_after(&pages, 502)
    );
    let busy = get(port, "/busy/x", &[]);
    assert_error_page(&busy, 503, "Service Unavailable", &pages);
    assert!(
        retry_after(&pages, 503).is_some(),
        "503.md sets retry_after"
    );
    assert_eq!(
        busy.header("retry-after").map(str::to_string),
        retry_after(&pages, 503)
    );
}

#[test]
fn config_caddy_prints_what_build_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let pages = tmp.path().join(AWKWARD_DIR);
    build_builtin(&pages);
    let written = std::fs::read_to_string(pages.join("servers/caddy.caddyfile")).unwrap();
    let output = errorsmith()
        .current_dir(tmp.path())
        .args(["config", "caddy", "--pages", AWKWARD_DIR])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(output).unwrap(), written);
    assert!(written.contains(&format!("\t\troot * \"{}\"\n", pages.display())));
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
