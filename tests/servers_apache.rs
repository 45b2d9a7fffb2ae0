//! Apache httpd: the include errorsmith writes, checked by `apache2 -t` and
//! served by a live apache2 in the foreground with a proxied backend.

mod common;

use common::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

const MODULES: &str = "/usr/lib/apache2/modules";

/// A self-contained httpd.conf: only the modules the include needs, our
/// include before the ProxyPass lines, one backend down and one failing.
fn httpd_conf(dir: &Path, pages: &Path, port: u16, down: u16, failing: u16) -> String {
    let modules: String = [
        ("mpm_event_module", "mod_mpm_event.so"),
        ("authz_core_module", "mod_authz_core.so"),
        ("alias_module", "mod_alias.so"),
        ("mime_module", "mod_mime.so"),
        ("headers_module", "mod_headers.so"),
        ("proxy_module", "mod_proxy.so"),
        ("proxy_http_module", "mod_proxy_http.so"),
    ]
    .iter()
    .map(|(name, file)| format!("LoadModule {name} {MODULES}/{file}\n"))
    .collect();
    // Apache refuses to run its workers as root.
    let user = if std::fs::metadata("/proc/self").unwrap().uid() == 0 {
        "User nobody\nGroup nogroup\n"
    } else {
        ""
    };
    let dir = dir.display();
    format!(
        "ServerRoot \"{dir}\"\n{modules}{user}\
         PidFile \"{dir}/httpd.pid\"\nErrorLog \"{dir}/error.log\"\n\
         Listen 127.0.0.1:{port}\nServerName localhost\nTypesConfig /etc/mime.types\n\
         DocumentRoot \"{dir}/www\"\n<Directory \"{dir}/www\">\n    Require all granted\n</Directory>\n\
         Include \"{}/servers/apache.conf\"\n\
         ProxyPass /app/ http://127.0.0.1:{down}/\n\
         ProxyPass /api/ http://127.0.0.1:{failing}/\n",
        pages.display()
    )
}

#[test]
fn live_apache_keeps_the_status_for_its_own_and_proxied_errors() {
    let test = "live_apache_keeps_the_status_for_its_own_and_proxied_errors";
    let Some(apache) = require_program("apache2", test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // The workers may run as nobody, who must be able to read the pages.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(tmp.path().join("www")).unwrap();
    let pages = tmp.path().join(AWKWARD_DIR);
    build_builtin(&pages);
    let port = free_port();
    let failing = failing_backend(500, "backend stack trace");
    let conf = tmp.path().join("httpd.conf");
    std::fs::write(
        &conf,
        httpd_conf(tmp.path(), &pages, port, free_port(), failing),
    )
    .unwrap();

    let check = Command::new(&apache)
        .arg("-t")
        .arg("-f")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "apache2 -t failed:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let mut command = Command::new(&apache);
    command.arg("-X").arg("-f").arg(&conf);
    let _apache = Running::start("apache2", command, port, &tmp.path().join("apache.log"));

    assert_error_page(&get(port, "/missing", &[]), 404, "Not Found", &pages);

    let down = get(port, "/app/x", &[]);
    assert_error_page(&down, 503, "Service Unavailable", &pages);
    assert!(
        retry_after(&pages, 503).is_some(),
        "503.md sets retry_after"
    );
    assert_eq!(
        down.header("retry-after").map(str::to_string),
        retry_after(&pages, 503)
    );

    // ProxyErrorOverride: the backend's own 500 body never reaches the client.
    let failed = get(port, "/api/x", &[]);
    assert_error_page(&failed, 500, "Internal Server Error", &pages);
    assert!(!failed.body.contains("backend stack trace"));

    // The pages are error documents only: asked for directly, they give 403.
    assert_error_page(
        &get(port, "/_errors/404.html", &[]),
        403,
        "Forbidden",
        &pages,
    );
}

#[test]
fn config_apache_prints_what_build_wrote_with_local_error_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let pages = tmp.path().join(AWKWARD_DIR);
    build_builtin(&pages);
    let written = std::fs::read_to_string(pages.join("servers/apache.conf")).unwrap();
    let output = errorsmith()
        .current_dir(tmp.path())
        .args(["config", "apache", "--pages", AWKWARD_DIR])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(output).unwrap(), written);
    assert!(written.contains(&format!("Alias /_errors/ \"{}/\"\n", pages.display())));
    assert!(written.contains("ErrorDocument 404 /_errors/404.html\n"));
    // Apache has no status line for these: `ErrorDocument 418` fails apache2 -t.
    assert!(!written.contains("ErrorDocument 418"));
    assert!(!written.contains("ErrorDocument 425"));
    let exclude = written.find("ProxyPass /_errors/ !").unwrap();
    assert!(exclude > written.find("ErrorDocument 511").unwrap());
}

#[test]
fn config_apache_uses_the_url_prefix_and_refuses_one_that_could_inject() {
    let tmp = tempfile::tempdir().unwrap();
    build_builtin(&tmp.path().join("dist"));
    let output = errorsmith()
        .current_dir(tmp.path())
        .args(["config", "apache", "--url-prefix", "/oops"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let conf = String::from_utf8(output).unwrap();
    assert!(
        conf.contains("ErrorDocument 503 /oops/503.html\n"),
        "{conf}"
    );
    assert!(conf.contains("ProxyPass /oops/ !\n"), "{conf}");
    errorsmith()
        .current_dir(tmp.path())
        .args(["config", "apache", "--url-prefix", "/x\nProxyPass / http://evil/"])
        .assert()
        .code(1)
        .stderr(
            "error: --url-prefix `/x\nProxyPass / http://evil/` is not a plain path; use something like /_errors (letters, digits, -, _, /)\n",
        );
}
