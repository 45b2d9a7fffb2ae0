//! Every value errorsmith accepts must be accepted by the servers too: a
//! build from hostile but valid values (trusted networks at the edges of
//! what the config parser takes, a URL prefix with every character it
//! allows, a pages directory that needs quoting), checked by each real
//! server's own config test.

mod common;

use common::servers::AWKWARD_DIR;
use common::{errorsmith, require_program};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Networks at the edges: an IPv4-mapped address, a host with a prefix
/// that normalises away, the all-zero address as one host, a short IPv6
/// prefix, and one that holds every IPv4-mapped client.
const EDGE_CONFIG: &str = "developer: ssi\n\
     url_prefix: /err-pages_v1.0/nested/x\n\
     trusted_networks:\n  - \"::ffff:1.2.3.4\"\n  - 0.0.0.0/32\n  - \"2001:db8::/32\"\n  - \"::ffff:0:0/96\"\n  - 10.0.0.0/8\n  - \"::1\"\n";

/// A project with [`EDGE_CONFIG`], built into a directory named
/// [`AWKWARD_DIR`] (space, `;`, `#`).
struct EdgeBuild {
    dir: tempfile::TempDir,
    pages: PathBuf,
}

impl EdgeBuild {
    fn new() -> EdgeBuild {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("errorsmith.yaml"), EDGE_CONFIG).unwrap();
        let pages = dir.path().join(AWKWARD_DIR);
        errorsmith()
            .current_dir(dir.path())
            .arg("build")
            .arg("--out")
            .arg(&pages)
            .assert()
            .success();
        EdgeBuild { dir, pages }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn include(&self, file: &str) -> String {
        self.pages.join("servers").join(file).display().to_string()
    }
}

/// Runs a server's config test and fails with its output unless it passes.
fn assert_passes(mut command: Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn nginx_accepts_edge_values() {
    let Some(nginx) = require_program("nginx", "nginx_accepts_edge_values") else {
        return;
    };
    let build = EdgeBuild::new();
    let http = std::fs::read_to_string(build.include("nginx-http.conf")).unwrap();
    for line in [
        "    ::ffff:1.2.3.4 1;\n",
        "    0.0.0.0 1;\n",
        "    2001:db8::/32 1;\n",
        "    ::ffff:0.0.0.0/96 1;\n",
    ] {
        assert!(http.contains(line), "{line:?} not in\n{http}");
    }
    let d = build.dir.path().display();
    let conf = build.write(
        "nginx.conf",
        &format!(
            "master_process off;\npid {d}/nginx.pid;\nerror_log stderr;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n    \
             fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n    \
             include \"{http}\";\n    include \"{backend}\";\n    \
             server {{\n        listen 127.0.0.1:{port};\n        include \"{server}\";\n    }}\n}}\n",
            http = build.include("nginx-http.conf"),
            backend = build.include("nginx-default-backend.conf"),
            server = build.include("nginx.conf"),
            port = common::free_port(),
        ),
    );
    let mut command = Command::new(nginx);
    command.arg("-p").arg(build.dir.path()).arg("-c").arg(&conf);
    command.args(["-e", "stderr", "-t"]);
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "nginx -t failed:\n{stderr}");
    // Host bits are refused by errorsmith, so nginx never has to warn.
    assert!(!stderr.contains("[warn]"), "{stderr}");
}

#[test]
fn apache_accepts_edge_values() {
    let Some(apache) = require_program("apache2", "apache_accepts_edge_values") else {
        return;
    };
    let build = EdgeBuild::new();
    let modules: String = [
        ("mpm_event_module", "mod_mpm_event.so"),
        ("authz_core_module", "mod_authz_core.so"),
        ("alias_module", "mod_alias.so"),
        ("mime_module", "mod_mime.so"),
        ("setenvif_module", "mod_setenvif.so"),
        ("headers_module", "mod_headers.so"),
        ("proxy_module", "mod_proxy.so"),
        ("rewrite_module", "mod_rewrite.so"),
        ("include_module", "mod_include.so"),
        ("substitute_module", "mod_substitute.so"),
    ]
    .iter()
    .map(|(name, file)| format!("LoadModule {name} /usr/lib/apache2/modules/{file}\n"))
    .collect();
    let user = if std::fs::metadata("/proc/self").unwrap().uid() == 0 {
        "User nobody\nGroup nogroup\n"
    } else {
        ""
    };
    let d = build.dir.path().display();
    let conf = build.write(
        "httpd.conf",
        &format!(
            "ServerRoot \"{d}\"\n{modules}{user}PidFile \"{d}/httpd.pid\"\nErrorLog \"{d}/error.log\"\n\
             Listen 127.0.0.1:{port}\nServerName localhost\nTypesConfig /etc/mime.types\n\
             Include \"{include}\"\n",
            port = common::free_port(),
            include = build.include("apache.conf"),
        ),
    );
    let mut command = Command::new(apache);
    command.arg("-t").arg("-f").arg(conf);
    assert_passes(command);
}

#[test]
fn haproxy_accepts_edge_values() {
    let Some(haproxy) = require_program("haproxy", "haproxy_accepts_edge_values") else {
        return;
    };
    let build = EdgeBuild::new();
    let section = std::fs::read_to_string(build.include("haproxy.cfg")).unwrap();
    let conf = build.write(
        "haproxy.cfg",
        &format!(
            "{section}\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    errorfiles errorsmith\n\
             frontend web\n    bind 127.0.0.1:{}\n    default_backend app\n\
             backend app\n    server down 127.0.0.1:{}\n",
            common::free_port(),
            common::free_port(),
        ),
    );
    let mut command = Command::new(haproxy);
    command.arg("-c").arg("-f").arg(conf);
    assert_passes(command);
}

#[test]
fn caddy_accepts_edge_values() {
    let Some(caddy) = require_program("caddy", "caddy_accepts_edge_values") else {
        return;
    };
    let build = EdgeBuild::new();
    let conf = build.write(
        "Caddyfile",
        &format!(
            "{{\n\tadmin off\n\tauto_https off\n}}\nhttp://:{} {{\n\tbind 127.0.0.1\n\timport \"{}\"\n}}\n",
            common::free_port(),
            build.include("caddy.caddyfile"),
        ),
    );
    let home = build.path("home");
    let mut command = Command::new(caddy);
    command
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .arg("validate")
        .arg("--config")
        .arg(conf)
        .args(["--adapter", "caddyfile"]);
    assert_passes(command);
}

#[test]
fn lighttpd_accepts_edge_values() {
    let Some(lighttpd) = require_program("lighttpd", "lighttpd_accepts_edge_values") else {
        return;
    };
    let build = EdgeBuild::new();
    let www = build.path("www");
    std::fs::create_dir(&www).unwrap();
    let conf = build.write(
        "lighttpd.conf",
        &format!(
            "server.document-root = \"{}\"\nserver.bind = \"127.0.0.1\"\nserver.port = {}\n\
             server.errorlog = \"{}\"\ninclude \"{}\"\n",
            www.display(),
            common::free_port(),
            build.path("error.log").display(),
            build.include("lighttpd.conf"),
        ),
    );
    let mut command = Command::new(lighttpd);
    command.arg("-tt").arg("-f").arg(conf);
    assert_passes(command);
}

/// Quotes and `$` cannot be carried by every server's quoting (nginx has
/// no escape for `$`), so a build there is refused, naming the character,
/// rather than written and left for the server to fail on.
#[test]
fn a_pages_directory_no_server_can_quote_is_refused_by_the_build() {
    let dir = tempfile::tempdir().unwrap();
    for (name, shown) in [("pages \"dir", "'\"'"), ("pages $dir", "'$'")] {
        let out = dir.path().join(name);
        let output = errorsmith()
            .current_dir(dir.path())
            .arg("build")
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "contains {shown}, which nginx would read as part of its syntax; move the pages to a path without it"
            )),
            "{stderr}"
        );
    }
    assert!(!Path::new(&dir.path().join("pages $dir/404.html")).exists());
}
