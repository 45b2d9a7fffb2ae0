//! Apache httpd: the include errorsmith writes, checked by `apache2 -t` and
//! served by a live apache2 in the foreground with a proxied backend.

mod common;

use common::servers::*;
use common::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

const MODULES: &str = "/usr/lib/apache2/modules";

/// A self-contained httpd.conf: only the modules the include needs, our
/// include before the ProxyPass lines, one backend down and one failing.
fn httpd_conf(dir: &Path, pages: &Path, port: u16, down: u16, failing: u16) -> String {
    let modules: String = [
        ("mpm_event_module", "mod_mpm_event.so"),
        ("authz_core_module", "mod_authz_core.so"),
        ("alias_module", "mod_alias.so"),
        ("mime_module", "mod_mime.so"),
        ("setenvif_module", "mod_setenvif.so"),
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
    let Some(setup) = LiveSetup::new("apache2", test) else {
        return;
    };
    // The workers may run as nobody, who must be able to read the pages.
    std::fs::set_permissions(setup.dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(setup.dir().join("www")).unwrap();
    let failing = failing_backend(500, "backend stack trace");
    let conf = httpd_conf(
        setup.dir(),
        &setup.built.pages,
        setup.port,
        free_port(),
        failing,
    );
    // A backend that answers 4xx itself.
    let gone = failing_backend(410, "backend's own gone body");
    let conf = format!("{conf}ProxyPass /gone/ http://127.0.0.1:{gone}/\n");
    let apache = setup.start_with_config("httpd.conf", &conf, "-t", "-X");
    let pages = apache.pages();

    assert_error_page(&apache.get("/missing"), 404, "Not Found", pages);

    let down = apache.get("/app/x");
    assert_error_page_with_retry_after(&down, 503, "Service Unavailable", pages);
    assert!(retry_after(pages, 503).is_some(), "503.md sets retry_after");

    // ProxyErrorOverride: the backend's own 500 body never reaches the client.
    let failed = apache.get("/api/x");
    assert_error_page(&failed, 500, "Internal Server Error", pages);
    assert!(!failed.body.contains("backend stack trace"));
    // README: errors a backend returns, 4xx as well as 5xx, get the pages.
    let gone = apache.get("/gone/x");
    assert_error_page(&gone, 410, "Gone", pages);
    assert!(!gone.body.contains("backend's own gone body"));

    // The pages are error documents only: asked for directly, they give 403.
    assert_error_page(&apache.get("/_errors/404.html"), 403, "Forbidden", pages);
    assert_error_page(&apache.get("/_errors/en/404.json"), 403, "Forbidden", pages);

    for (path, status, title) in [
        ("/missing", 404, "Not Found"),
        ("/app/x", 503, "Service Unavailable"),
        ("/api/x", 500, "Internal Server Error"),
    ] {
        assert_conditional_and_range_requests_get_the_page(apache.port, path, status, title, pages);
    }
}

#[test]
fn config_apache_prints_what_build_wrote_with_local_error_documents() {
    let (built, written) = assert_config_prints_what_build_wrote("apache", "apache.conf");
    assert!(written.contains(&format!("Alias /_errors/ \"{}/\"\n", built.pages.display())));
    assert!(written.contains(
        "ErrorDocument 404 /_errors/%{reqenv:ERRORSMITH_LOCALE}/404.%{reqenv:ERRORSMITH_FORMAT}\n"
    ));
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
        conf.contains("ErrorDocument 503 /oops/%{reqenv:ERRORSMITH_LOCALE}/503."),
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

#[test]
fn live_apache_picks_locale_and_format_like_nginx() {
    use common::pages_service::*;
    let test = "live_apache_picks_locale_and_format_like_nginx";
    let Some(apache) = require_program("apache2", test) else {
        return;
    };
    let dir = fixture_copy("nginx");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dist = dir.path().join("dist");
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "dist"])
        .assert()
        .success();
    std::fs::create_dir(dir.path().join("www")).unwrap();
    let port = free_port();
    let conf = dir.path().join("httpd.conf");
    let failing = failing_backend(502, "backend's own 502");
    let text = httpd_conf(dir.path(), &dist, port, free_port(), failing);
    std::fs::write(&conf, text).unwrap();
    let mut run = std::process::Command::new(&apache);
    run.arg("-X").arg("-f").arg(&conf);
    let _apache = Running::start("apache2", run, port, &dir.path().join("apache.log"));

    assert_negotiates_like_nginx(port, &dist, "/api/x");
}
