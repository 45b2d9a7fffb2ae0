//! lighttpd: the include errorsmith writes, checked by `lighttpd -tt` and
//! served by a live `lighttpd -D` with mod_proxy backends.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

/// A self-contained lighttpd.conf: our include, `.html` typed, one proxied
/// backend down and one failing.
fn lighttpd_conf(dir: &Path, pages: &Path, port: u16, down: u16, failing: u16) -> String {
    let dir = dir.display();
    format!(
        "server.document-root = \"{dir}/www\"\n\
         server.bind = \"127.0.0.1\"\nserver.port = {port}\n\
         server.errorlog = \"{dir}/error.log\"\n\
         server.modules += (\"mod_proxy\")\n\
         mimetype.assign = (\".html\" => \"text/html; charset=utf-8\")\n\
         include \"{}/servers/lighttpd.conf\"\n\
         $HTTP[\"url\"] =^ \"/app/\" {{\n  proxy.server = (\"\" => ((\"host\" => \"127.0.0.1\", \"port\" => {down})))\n}}\n\
         $HTTP[\"url\"] =^ \"/api/\" {{\n  proxy.server = (\"\" => ((\"host\" => \"127.0.0.1\", \"port\" => {failing})))\n}}\n",
        pages.display()
    )
}

#[test]
fn live_lighttpd_keeps_the_status_for_its_own_and_proxied_errors() {
    let test = "live_lighttpd_keeps_the_status_for_its_own_and_proxied_errors";
    let Some(lighttpd) = require_program("lighttpd", test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("www")).unwrap();
    let pages = tmp.path().join(AWKWARD_DIR);
    build_builtin(&pages);
    let port = free_port();
    let failing = failing_backend(500, "backend stack trace");
    let conf = tmp.path().join("lighttpd.conf");
    std::fs::write(
        &conf,
        lighttpd_conf(tmp.path(), &pages, port, free_port(), failing),
    )
    .unwrap();

    let check = Command::new(&lighttpd)
        .arg("-tt")
        .arg("-f")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "lighttpd -tt failed:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    let mut command = Command::new(&lighttpd);
    command.arg("-D").arg("-f").arg(&conf);
    let _lighttpd = Running::start("lighttpd", command, port, &tmp.path().join("lighttpd.log"));

    let missing = get(port, "/missing", &[]);
    assert_page(&missing, 404, "Not Found", &pages);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // mod_proxy answers 503 when it cannot connect to the backend.
    assert_page(
        &get(port, "/app/x", &[]),
        503,
        "Service Unavailable",
        &pages,
    );
    // server.error-intercept: the backend's own 500 body never reaches the client.
    let failed = get(port, "/api/x", &[]);
    assert_page(&failed, 500, "Internal Server Error", &pages);
    assert!(!failed.body.contains("backend stack trace"));
}

#[test]
fn config_lighttpd_prints_what_build_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let pages = tmp.path().join(AWKWARD_DIR);
    build_builtin(&pages);
    let written = std::fs::read_to_string(pages.join("servers/lighttpd.conf")).unwrap();
    let output = errorsmith()
        .current_dir(tmp.path())
        .args(["config", "lighttpd", "--pages", AWKWARD_DIR])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(output).unwrap(), written);
    // A plain prefix: lighttpd appends `<status>.html` to it.
    assert!(written.contains(&format!(
        "server.errorfile-prefix = \"{}/\"\n",
        pages.display()
    )));
}
