//! lighttpd: the include errorsmith writes, checked by `lighttpd -tt` and
//! served by a live `lighttpd -D` with mod_proxy backends.

mod common;

use common::servers::*;
use common::*;
use std::path::Path;

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
    let Some(setup) = LiveSetup::new("lighttpd", test) else {
        return;
    };
    std::fs::create_dir(setup.dir().join("www")).unwrap();
    let failing = failing_backend(500, "backend stack trace");
    let conf = lighttpd_conf(
        setup.dir(),
        &setup.built.pages,
        setup.port,
        free_port(),
        failing,
    );
    let lighttpd = setup.start_with_config("lighttpd.conf", &conf, "-tt", "-D");
    let pages = lighttpd.pages();

    let missing = lighttpd.get("/missing");
    assert_page(&missing, 404, "Not Found", pages);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // README, lighttpd: no header can be added to error responses only,
    // so they go out without Cache-Control and Retry-After, and carry no
    // Last-Modified or ETag either.
    for header in ["cache-control", "last-modified", "etag"] {
        assert_eq!(missing.header(header), None, "{header}");
    }
    // mod_proxy answers 503 when it cannot connect to the backend.
    let unavailable = lighttpd.get("/app/x");
    assert_page(&unavailable, 503, "Service Unavailable", pages);
    assert_eq!(unavailable.header("retry-after"), None);
    // server.error-intercept: the backend's own 500 body never reaches the client.
    let failed = lighttpd.get("/api/x");
    assert_page(&failed, 500, "Internal Server Error", pages);
    assert!(!failed.body.contains("backend stack trace"));

    for (path, status, title) in [
        ("/missing", 404, "Not Found"),
        ("/app/x", 503, "Service Unavailable"),
        ("/api/x", 500, "Internal Server Error"),
    ] {
        assert_conditional_and_range_requests_get_the_page(
            lighttpd.port,
            path,
            status,
            title,
            pages,
        );
    }
}

#[test]
fn config_lighttpd_prints_what_build_wrote() {
    let (built, written) = assert_config_prints_what_build_wrote("lighttpd", "lighttpd.conf");
    // A plain prefix: lighttpd appends `<status>.html` to it.
    assert!(written.contains(&format!(
        "server.errorfile-prefix = \"{}/\"\n",
        built.pages.display()
    )));
}
