//! Apache httpd: the include errorsmith writes, checked by `apache2 -t` and
//! served by a live apache2 in the foreground with a proxied backend.

mod common;

use common::servers::*;
use common::*;
use std::net::Ipv4Addr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

const UNTRUSTED: Option<Ipv4Addr> = Some(Ipv4Addr::new(127, 0, 0, 2));

const MODULES: &str = "/usr/lib/apache2/modules";

/// A self-contained httpd.conf: only the modules the include needs, our
/// include before the ProxyPass lines, one backend down and one failing.
fn httpd_conf(dir: &Path, pages: &Path, port: u16, down: u16, failing: u16) -> String {
    httpd_conf_without(dir, pages, port, down, failing, &[])
}

/// [`httpd_conf`] without the modules named in `skip`.
fn httpd_conf_without(
    dir: &Path,
    pages: &Path,
    port: u16,
    down: u16,
    failing: u16,
    skip: &[&str],
) -> String {
    let modules: String = [
        ("mpm_event_module", "mod_mpm_event.so"),
        ("authz_core_module", "mod_authz_core.so"),
        ("alias_module", "mod_alias.so"),
        ("mime_module", "mod_mime.so"),
        ("setenvif_module", "mod_setenvif.so"),
        ("headers_module", "mod_headers.so"),
        ("proxy_module", "mod_proxy.so"),
        ("proxy_http_module", "mod_proxy_http.so"),
        ("rewrite_module", "mod_rewrite.so"),
        ("include_module", "mod_include.so"),
        ("unique_id_module", "mod_unique_id.so"),
        ("substitute_module", "mod_substitute.so"),
    ]
    .iter()
    .filter(|(name, _)| !skip.contains(name))
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

/// The `nginx` fixture (127.0.0.1 trusted) with `yaml` appended and
/// `args` added to `build`, served by a live apache2 whose document root
/// holds an index page; the proxied backends answer nothing.
struct Site {
    dir: tempfile::TempDir,
    dist: PathBuf,
    port: u16,
    _apache: Running,
}

impl Site {
    fn start(test: &str, yaml: &str, args: &[&str]) -> Option<Site> {
        Site::start_without(test, yaml, args, &[])
    }

    /// [`Site::start`] without the modules named in `skip`.
    fn start_without(test: &str, yaml: &str, args: &[&str], skip: &[&str]) -> Option<Site> {
        let apache = require_program("apache2", test)?;
        let dir = fixture_copy("nginx");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let config = dir.path().join("errorsmith.yaml");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(&config, text + yaml).unwrap();
        errorsmith()
            .current_dir(dir.path())
            .args(["build", "--out", "dist"])
            .args(args)
            .assert()
            .success();
        let dist = dir.path().join("dist");
        std::fs::create_dir(dir.path().join("www")).unwrap();
        std::fs::write(dir.path().join("www/index.html"), "the real site").unwrap();
        let port = free_port();
        let conf = dir.path().join("httpd.conf");
        let text = httpd_conf_without(dir.path(), &dist, port, free_port(), free_port(), skip);
        std::fs::write(&conf, text).unwrap();
        let mut run = std::process::Command::new(&apache);
        run.arg("-X").arg("-f").arg(&conf);
        let log = dir.path().join("apache.log");
        let running = Running::start("apache2", run, port, &log);
        Some(Site {
            dir,
            dist,
            port,
            _apache: running,
        })
    }

    fn from(&self, from: Option<Ipv4Addr>, path: &str) -> Response {
        request_from(from, self.port, "GET", path, &[], "")
    }

    fn maintenance_flag(&self) -> PathBuf {
        PathBuf::from(format!("{}.maintenance", self.dist.display()))
    }

    fn assert_page(&self, response: &Response, status: u16, title: &str) {
        assert_page(response, status, title, &self.dist);
    }
}

#[test]
fn live_apache_maintenance_switch_with_its_default_bypasses() {
    let test = "live_apache_maintenance_switch_with_its_default_bypasses";
    let Some(site) = Site::start(test, "", &[]) else {
        return;
    };
    assert_eq!(site.from(UNTRUSTED, "/index.html").body, "the real site");
    std::fs::write(site.maintenance_flag(), "").unwrap();
    for path in ["/index.html", "/app/x", "/healthzx", "/.well-known/other"] {
        let response = site.from(UNTRUSTED, path);
        site.assert_page(&response, 503, "Service Unavailable");
        assert_eq!(
            response.header("retry-after").map(str::to_string),
            retry_after(&site.dist, 503),
            "{path}"
        );
    }
    // maintenance.paths (default: ACME challenges, /healthz) reach the site.
    for path in ["/healthz", "/.well-known/acme-challenge/token-1"] {
        site.assert_page(&site.from(UNTRUSTED, path), 404, "Not Found");
    }
    // Staff (trusted_networks, as maintenance.allow is unset) see the site.
    assert_eq!(site.from(None, "/index.html").body, "the real site");
    std::fs::remove_file(site.maintenance_flag()).unwrap();
    assert_eq!(site.from(UNTRUSTED, "/index.html").body, "the real site");
}

#[test]
fn live_apache_maintenance_allow_and_paths_replace_the_defaults() {
    let test = "live_apache_maintenance_allow_and_paths_replace_the_defaults";
    let yaml = "maintenance:\n  allow: [127.0.0.2/32]\n  paths: [/status.json]\n";
    let Some(site) = Site::start(test, yaml, &[]) else {
        return;
    };
    std::fs::write(site.maintenance_flag(), "").unwrap();
    // 127.0.0.1 is trusted for the developer part, not for maintenance.
    site.assert_page(&site.from(None, "/index.html"), 503, "Service Unavailable");
    site.assert_page(&site.from(None, "/healthz"), 503, "Service Unavailable");
    site.assert_page(&site.from(None, "/status.json"), 404, "Not Found");
    assert_eq!(site.from(UNTRUSTED, "/index.html").body, "the real site");
    std::fs::remove_file(site.maintenance_flag()).unwrap();
    assert_eq!(site.from(None, "/index.html").body, "the real site");
    let _ = &site.dir;
}

/// Text the developer fragment shows, with its SSI commands removed: none
/// of it may reach an untrusted client.
fn fragment_texts(dist: &Path, code: u16) -> Vec<String> {
    let fragment = std::fs::read_to_string(dist.join(format!("en/developer/{code}.html"))).unwrap();
    let texts: Vec<String> = regex::Regex::new(">([^<]{6,})<")
        .unwrap()
        .captures_iter(&fragment)
        .map(|c| c[1].trim().to_string())
        .collect();
    assert!(texts.len() >= 5, "fragment too small to test: {fragment}");
    texts
}

/// `Reference: <id>` as the visitor sees it, or None.
fn shown_reference(body: &str) -> Option<String> {
    let start = body.find("Reference: <code>")? + "Reference: <code>".len();
    let end = body[start..].find("</code>")? + start;
    Some(body[start..end].to_string())
}

#[test]
fn live_apache_developer_part_reaches_only_trusted_clients() {
    let test = "live_apache_developer_part_reaches_only_trusted_clients";
    let Some(site) = Site::start(test, "visitor_reference: true\n", &["--developer", "ssi"]) else {
        return;
    };
    // /app/ is proxied to a backend nobody listens on: 503.
    let trusted = site.from(None, "/app/trace-me");
    let untrusted = site.from(UNTRUSTED, "/app/trace-me");
    for response in [&trusted, &untrusted] {
        assert_eq!(response.status, 503, "{response:?}");
        assert!(response.body.contains("<h1>Service Unavailable</h1>"));
        // mod_include consumed every directive.
        assert!(!response.body.contains("<!--#"), "{}", response.body);
    }
    for text in fragment_texts(&site.dist, 503) {
        assert!(trusted.body.contains(&text), "trusted lacks {text:?}");
        assert!(!untrusted.body.contains(&text), "untrusted got {text:?}");
    }
    for absent in ["trace-me", "Request ID", "For the site owner"] {
        assert!(!untrusted.body.contains(absent), "untrusted got {absent:?}");
    }
    // The requested address and the request id (mod_unique_id) are shown.
    assert!(
        trusted.body.contains("<code>/app/trace-me</code>"),
        "{}",
        trusted.body
    );
    let id = |body: &str| {
        let marker = "Request ID</dt><dd><code>";
        let start = body.find(marker).unwrap() + marker.len();
        body[start..start + body[start..].find('<').unwrap()].to_string()
    };
    assert!(id(&trusted.body).len() >= 16, "{}", trusted.body);
    // The visitor reference reaches both, each with its own id.
    let (a, b) = (
        shown_reference(&trusted.body),
        shown_reference(&untrusted.body),
    );
    assert!(a.as_ref().is_some_and(|id| id.len() >= 16), "{a:?}");
    assert!(b.as_ref().is_some_and(|id| id.len() >= 16), "{b:?}");
    assert_ne!(a, b);

    // Never in JSON or text, trusted or not.
    for accept in ["application/json", "text/plain"] {
        let response = request_from(None, site.port, "GET", "/app/x", &[("Accept", accept)], "");
        assert_eq!(response.status, 503);
        for text in fragment_texts(&site.dist, 503) {
            assert!(!response.body.contains(&text), "{accept} got {text:?}");
        }
        assert!(!response.body.contains("<!--"), "{}", response.body);
    }
    // The fragments are not reachable directly.
    assert_eq!(
        site.from(None, "/_errors/en/developer/503.html").status,
        403
    );
}

#[test]
fn live_apache_visitor_reference_without_mod_unique_id_echoes_x_request_id_encoded() {
    let test = "live_apache_visitor_reference_without_mod_unique_id_echoes_x_request_id_encoded";
    let skip = ["unique_id_module"];
    let Some(site) = Site::start_without(test, "visitor_reference: true\n", &[], &skip) else {
        return;
    };
    let hostile = "<b>x</b>\"'";
    let headers = [("X-Request-Id", hostile)];
    let response = request_from(UNTRUSTED, site.port, "GET", "/missing", &headers, "");
    assert_eq!(response.status, 404);
    assert!(response.body.contains("<h1>Not Found</h1>"));
    assert_eq!(
        shown_reference(&response.body).as_deref(),
        Some("&lt;b&gt;x&lt;/b&gt;&quot;'"),
        "{}",
        response.body
    );
    // Without an id at all, the reference is empty, not broken.
    let none = site.from(UNTRUSTED, "/missing");
    assert_eq!(shown_reference(&none.body).as_deref(), Some("<!-- -->"));
    assert!(!none.body.contains("<!--#"), "{}", none.body);
}

#[test]
fn live_apache_pages_without_reference_or_developer_part_run_no_ssi() {
    let test = "live_apache_pages_without_reference_or_developer_part_run_no_ssi";
    let Some(site) = Site::start(test, "", &[]) else {
        return;
    };
    let page = site.from(None, "/missing");
    site.assert_page(&page, 404, "Not Found");
    assert_eq!(shown_reference(&page.body), None);
    let conf = std::fs::read_to_string(site.dist.join("servers/apache.conf")).unwrap();
    assert!(!conf.contains("INCLUDES"), "{conf}");
}

/// Apache cannot let the backend's Retry-After win: the ErrorDocument is
/// an internal redirect, which starts with empty response headers, and
/// neither mod_headers nor ap_expr can read the failed request's. This
/// pins what visitors get: the content's value.
#[test]
fn live_apache_sends_the_contents_retry_after_not_the_backends() {
    let test = "live_apache_sends_the_contents_retry_after_not_the_backends";
    let Some(setup) = LiveSetup::new("apache2", test) else {
        return;
    };
    std::fs::set_permissions(setup.dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(setup.dir().join("www")).unwrap();
    let busy = failing_backend_with_headers(503, "Retry-After: 7\r\n", "backend's own 503");
    let conf = httpd_conf(
        setup.dir(),
        &setup.built.pages,
        setup.port,
        free_port(),
        busy,
    );
    let apache = setup.start_with_config("httpd.conf", &conf, "-t", "-X");
    let response = apache.get("/api/x");
    assert_error_page_with_retry_after(&response, 503, "Service Unavailable", apache.pages());
    assert_ne!(response.header("retry-after"), Some("7"));
}

/// The fragments are for error documents only, and an internal redirect
/// the site itself makes (here a per-directory rewrite, as in a
/// `.htaccess`; an application's local `Location:` does the same) also
/// sets `REDIRECT_STATUS`, to 200: it must not hand the developer part to
/// an untrusted client, while the trusted one still gets it in the page.
#[test]
fn live_apache_fragments_stay_unreachable_through_the_sites_own_internal_redirects() {
    let test = "live_apache_fragments_stay_unreachable_through_the_sites_own_internal_redirects";
    let Some(apache) = require_program("apache2", test) else {
        return;
    };
    let dir = fixture_copy("nginx");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "dist", "--developer", "ssi"])
        .assert()
        .success();
    let dist = dir.path().join("dist");
    std::fs::create_dir(dir.path().join("www")).unwrap();
    std::fs::write(dir.path().join("www/index.html"), "the real site").unwrap();
    let port = free_port();
    let conf = dir.path().join("httpd.conf");
    let text = httpd_conf(dir.path(), &dist, port, free_port(), free_port())
        + &format!(
            "<Directory \"{}/www\">\n    RewriteEngine On\n    RewriteRule ^old/(.*)$ /$1 [L]\n</Directory>\n",
            dir.path().display()
        );
    std::fs::write(&conf, text).unwrap();
    let mut run = std::process::Command::new(&apache);
    run.arg("-X").arg("-f").arg(&conf);
    let _running = Running::start("apache2", run, port, &dir.path().join("apache.log"));
    let get = |from, path: &str| request_from(from, port, "GET", path, &[], "");
    // The site's rewrite works.
    assert_eq!(get(UNTRUSTED, "/old/index.html").status, 200);
    let texts = fragment_texts(&dist, 503);
    for from in [None, UNTRUSTED] {
        let response = get(from, "/old/_errors/en/developer/503.html");
        assert_eq!(response.status, 403, "{from:?}: {response:?}");
    }
    // The 403 page an untrusted client gets holds none of it (a trusted
    // one's 403 page carries its own developer part).
    let untrusted = get(UNTRUSTED, "/old/_errors/en/developer/503.html");
    for text in &texts {
        assert!(!untrusted.body.contains(text), "untrusted got {text:?}");
    }
    // The trusted client still gets the developer part in the page.
    let trusted = get(None, "/app/x");
    assert_eq!(trusted.status, 503);
    for text in &texts {
        assert!(trusted.body.contains(text), "trusted lacks {text:?}");
    }
}
