//! For the tests of the server configs errorsmith writes: the built-in
//! pages under a directory name that needs quoting, a live server started on
//! them, and assertions that a response is one of our pages.

use super::{Response, Running, errorsmith, free_port, require_program};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory name with a space, a semicolon and a hash: a
/// server config that names it must quote it, not break on it.
pub const AWKWARD_DIR: &str = "pages dir;#x";

/// The `Retry-After` seconds the manifest in `pages` gives `<code>.html`.
pub fn retry_after(pages: &Path, code: u16) -> Option<String> {
    let text = std::fs::read_to_string(pages.join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    manifest["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == format!("{code}.html"))
        .and_then(|p| p["retry_after"].as_u64())
        .map(|s| s.to_string())
}

/// Builds the built-in content and theme into `out` (run from an empty
/// directory, so no project files are picked up).
pub fn build_builtin(out: &Path) {
    let cwd = tempfile::tempdir().unwrap();
    errorsmith()
        .current_dir(cwd.path())
        .arg("build")
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// A backend on 127.0.0.1 that answers every request with `status` and
/// `body`, for checking that a server replaces errors its backend returns.
/// Runs until the test process ends.
pub fn failing_backend(status: u16, body: &'static str) -> u16 {
    failing_backend_with_headers(status, "", body)
}

/// [`failing_backend`], with `headers` (each line ending in CRLF) added to
/// its responses.
pub fn failing_backend_with_headers(status: u16, headers: &'static str, body: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} Backend Says No\r\n{headers}Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// Asserts that `response` is the built page `pages/<status>.html`, byte
/// for byte, with the original status and `Cache-Control: no-store`.
pub fn assert_error_page(response: &Response, status: u16, title: &str, pages: &Path) {
    assert_page(response, status, title, pages);
    assert_eq!(
        response.header("cache-control"),
        Some("no-store"),
        "{} {:?}",
        response.status,
        response.headers
    );
}

/// Asserts that `response` is the built page `pages/<status>.html`, byte
/// for byte, with the original status.
pub fn assert_page(response: &Response, status: u16, title: &str, pages: &Path) {
    let page = std::fs::read_to_string(pages.join(format!("{status}.html"))).unwrap();
    assert_eq!(
        response.status, status,
        "{:?}\n{}",
        response.headers, response.body
    );
    assert!(
        response.body.contains(&format!("<h1>{title}</h1>")),
        "no <h1>{title}</h1> in {:?}",
        response.body
    );
    assert_eq!(response.body, page, "the body is not our {status}.html");
}

/// The built-in pages in a fresh temporary directory, under
/// [`AWKWARD_DIR`].
pub struct BuiltinPages {
    pub dir: tempfile::TempDir,
    pub pages: PathBuf,
}

impl BuiltinPages {
    pub fn build() -> BuiltinPages {
        let dir = tempfile::tempdir().unwrap();
        let pages = dir.path().join(AWKWARD_DIR);
        build_builtin(&pages);
        BuiltinPages { dir, pages }
    }
}

/// Builds the built-in pages and asserts that `errorsmith config <server>
/// --pages <dir>` prints exactly the `servers/<file>` the build wrote;
/// returns the build and that text.
pub fn assert_config_prints_what_build_wrote(server: &str, file: &str) -> (BuiltinPages, String) {
    let built = BuiltinPages::build();
    let written = std::fs::read_to_string(built.pages.join("servers").join(file)).unwrap();
    let output = errorsmith()
        .current_dir(built.dir.path())
        .args(["config", server, "--pages", AWKWARD_DIR])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(output).unwrap(), written);
    (built, written)
}

/// What a live server test needs before the server starts: the program,
/// the built-in pages and a free port. The server's config goes into
/// `built.dir`.
pub struct LiveSetup {
    pub program: PathBuf,
    pub built: BuiltinPages,
    pub port: u16,
}

impl LiveSetup {
    /// None (the test is skipped) when `program` is not installed.
    pub fn new(program: &str, test: &str) -> Option<LiveSetup> {
        let program = require_program(program, test)?;
        Some(LiveSetup {
            program,
            built: BuiltinPages::build(),
            port: free_port(),
        })
    }

    pub fn dir(&self) -> &Path {
        self.built.dir.path()
    }

    /// Writes `config` to `name` in the temporary directory.
    pub fn write_config(&self, name: &str, config: &str) -> PathBuf {
        let path = self.dir().join(name);
        std::fs::write(&path, config).unwrap();
        path
    }

    /// Writes `config` to `name` and starts the server the way apache2,
    /// haproxy and lighttpd share: `<program> <check> -f <file>` must pass,
    /// then `<program> <run> -f <file>` runs in the foreground.
    pub fn start_with_config(self, name: &str, config: &str, check: &str, run: &str) -> LiveServer {
        let file = self.write_config(name, config);
        let command = |mode: &str| {
            let mut command = Command::new(&self.program);
            command.arg(mode).arg("-f").arg(&file);
            command
        };
        let (check, run) = (command(check), command(run));
        self.check_and_start(check, run)
    }

    /// Runs `check` (the server's own config test) and fails with its
    /// output unless it passes, then starts `run` and waits for the port.
    pub fn check_and_start(self, mut check: Command, run: Command) -> LiveServer {
        let output = check.output().unwrap();
        assert!(
            output.status.success(),
            "{check:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let name = self.program.file_name().unwrap().to_string_lossy();
        let log = self.dir().join(format!("{name}.log"));
        let running = Running::start(&name, run, self.port, &log);
        LiveServer {
            _running: running,
            port: self.port,
            built: self.built,
        }
    }
}

/// A server serving the built-in pages on `port`, stopped when dropped.
pub struct LiveServer {
    // Declared first, so the server stops before its directory goes.
    _running: Running,
    pub port: u16,
    built: BuiltinPages,
}

impl LiveServer {
    pub fn pages(&self) -> &Path {
        &self.built.pages
    }

    pub fn get(&self, path: &str) -> Response {
        super::get(self.port, path, &[])
    }
}

/// [`assert_error_page`], and the `Retry-After` header is the one the
/// manifest gives `status` (none when it gives none).
pub fn assert_error_page_with_retry_after(
    response: &Response,
    status: u16,
    title: &str,
    pages: &Path,
) {
    assert_error_page(response, status, title, pages);
    assert_eq!(
        response.header("retry-after").map(str::to_string),
        retry_after(pages, status)
    );
}

/// The requests a browser or cache sends to revalidate or resume: each
/// would turn a plain file into a 304, 412 or 206. The `ETag` and
/// `Last-Modified` of a first plain answer, if the server sends them, are
/// asked for too.
fn conditional_requests(plain: &Response) -> Vec<Vec<(&'static str, String)>> {
    let future = "Fri, 01 Jan 2100 00:00:00 GMT".to_string();
    let mut requests = vec![
        vec![("If-None-Match", "*".to_string())],
        vec![("If-Modified-Since", future.clone())],
        vec![("Range", "bytes=0-10".to_string())],
        vec![("Range", "bytes=0-10".to_string()), ("If-Range", future)],
        vec![("If-Match", "\"nope\"".to_string())],
        vec![(
            "If-Unmodified-Since",
            "Thu, 01 Jan 1970 00:00:00 GMT".to_string(),
        )],
    ];
    if let Some(etag) = plain.header("etag") {
        requests.push(vec![("If-None-Match", etag.to_string())]);
        requests.push(vec![
            ("Range", "bytes=0-10".to_string()),
            ("If-Range", etag.to_string()),
        ]);
    }
    if let Some(modified) = plain.header("last-modified") {
        requests.push(vec![("If-Modified-Since", modified.to_string())]);
    }
    requests
}

/// Asserts that every conditional or range GET of `path` on `port` gets
/// the full page `pages/<status>.html` with the original status: never a
/// 304, 206 or 412, an empty or partial body, or a `Content-Range`.
pub fn assert_conditional_and_range_requests_get_the_page(
    port: u16,
    path: &str,
    status: u16,
    title: &str,
    pages: &Path,
) {
    let plain = super::get(port, path, &[]);
    assert_page(&plain, status, title, pages);
    assert_conditional_and_range_requests_get(port, path, &plain);
}

/// Asserts that every conditional or range GET of `path` on `port` gets
/// the status and the whole body of `plain`, the answer without them, and
/// no `Content-Range`.
pub fn assert_conditional_and_range_requests_get(port: u16, path: &str, plain: &Response) {
    for headers in conditional_requests(plain) {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let response = super::get(port, path, &headers);
        assert_eq!(
            response.status, plain.status,
            "GET {path} with {headers:?}: {:?}\n{}",
            response.headers, response.body
        );
        assert_eq!(response.body, plain.body, "GET {path} with {headers:?}");
        assert_eq!(
            response.header("content-range"),
            None,
            "GET {path} with {headers:?}"
        );
    }
}
