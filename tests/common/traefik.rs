//! For the Traefik tests: a build of the `nginx` fixture, the test's own
//! routers behind errorsmith's middleware, and the `traefik` command.

use super::{Response, Running, errorsmith, free_port, get, request_from};
use super::{fixture_copy, pages_service, require_program, servers};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn build(dir: &Path) -> PathBuf {
    errorsmith()
        .current_dir(dir)
        .args(["build", "--out", "dist"])
        .assert()
        .success();
    dir.join("dist").canonicalize().unwrap()
}

/// The test's own routers, one per `(name, port)` backend under the path
/// prefix `/<name>/`, each behind our middleware.
pub fn site_config(backends: &[(&str, u16)]) -> String {
    let mut routers = String::new();
    let mut services = String::new();
    for (name, port) in backends {
        routers.push_str(&format!(
            "    {name}:\n      rule: \"Host(`localhost`) && PathPrefix(`/{name}/`)\"\n      \
             service: {name}\n      middlewares: [errorsmith]\n"
        ));
        services.push_str(&format!(
            "    {name}:\n      loadBalancer:\n        servers:\n          - url: \"http://127.0.0.1:{port}\"\n"
        ));
    }
    format!("http:\n  routers:\n{routers}  services:\n{services}")
}

pub fn traefik(program: &Path, port: u16, providers: &Path, watch: bool) -> Command {
    let mut command = Command::new(program);
    command
        .arg(format!("--entryPoints.web.address=127.0.0.1:{port}"))
        .arg(format!(
            "--providers.file.directory={}",
            providers.display()
        ))
        .arg(format!("--providers.file.watch={watch}"))
        .args([
            "--global.checkNewVersion=false",
            "--global.sendAnonymousUsage=false",
            "--log.level=INFO",
        ]);
    command
}

/// Polls `path` from `from` until `done` holds for the response (Traefik
/// listens before it has read the file provider, and applies a changed
/// provider directory a moment after the change).
pub fn wait_until(port: u16, from: Option<Ipv4Addr>, path: &str, done: impl Fn(&Response) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = request_from(from, port, "GET", path, &[], "");
        if done(&response) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Traefik never changed: {response:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Traefik in front of backends that fail in each way the middleware
/// handles, with errorsmith's nginx default backend as the page service
/// behind a [`pages_service::recorder`]. Everything stops when dropped.
pub struct FailingSite {
    // Declared first, so Traefik stops before its page service and files.
    _traefik: Running,
    _nginx: Running,
    pub port: u16,
    pub dist: PathBuf,
    pub heads: pages_service::Heads,
    _dir: tempfile::TempDir,
}

impl FailingSite {
    /// Routes `/bad/` (a backend's 502), `/busy/` (503 with its own
    /// Retry-After), `/gone/` (404) and `/down/` (nobody listens). None
    /// when traefik or nginx is missing.
    pub fn start(test: &str) -> Option<FailingSite> {
        let program = require_program("traefik", test)?;
        let dir = fixture_copy("nginx");
        let dist = build(dir.path());
        let (nginx, pages_port) = pages_service::start_default_backend(&dist, dir.path(), test)?;
        let (recorder_port, heads) = pages_service::recorder(pages_port);

        let providers = dir.path().join("providers");
        std::fs::create_dir(&providers).unwrap();
        let ours = std::fs::read_to_string(dist.join("servers/traefik.yml")).unwrap();
        let url = errorsmith::servers::traefik::PAGES_URL;
        assert_eq!(ours.matches(url).count(), 2, "{ours}");
        let ours = ours.replace(
            &format!("- url: \"{url}\""),
            &format!("- url: \"http://127.0.0.1:{recorder_port}\""),
        );
        std::fs::write(providers.join("errorsmith.yml"), ours).unwrap();
        let failing = servers::failing_backend_with_headers;
        let backends = [
            ("bad", failing(502, "", "backend's own 502")),
            (
                "busy",
                failing(503, "Retry-After: 7\r\n", "backend's own 503"),
            ),
            ("gone", failing(404, "", "backend's own 404")),
            ("down", free_port()),
        ];
        std::fs::write(providers.join("site.yml"), site_config(&backends)).unwrap();
        let port = free_port();
        let log = dir.path().join("traefik.log");
        let run = traefik(&program, port, &providers, false);
        let traefik = Running::start("traefik", run, port, &log);
        wait_until(port, None, "/down/x", |r| r.body.contains("Error 502"));
        Some(FailingSite {
            _traefik: traefik,
            _nginx: nginx,
            port,
            dist,
            heads,
            _dir: dir,
        })
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        get(self.port, path, headers)
    }
}
