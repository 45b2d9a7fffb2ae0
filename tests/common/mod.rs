//! Shared by the integration tests: running the real binary, and starting
//! real servers (nginx, HAProxy, ...) on 127.0.0.1 for the duration of a test.
#![allow(dead_code)]

pub mod browser;
pub mod pages_service;
pub mod servers;
pub mod traefik;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The errorsmith binary under test.
pub fn errorsmith() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("errorsmith").expect("binary is built");
    // Build records go under target/, not into the user's cache.
    command.env("XDG_CACHE_HOME", test_cache());
    command
}

/// The cache folder the tests' builds use.
pub fn test_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache")
}

/// Runs `errorsmith build` with `args` in `dir`, expecting success, and
/// returns the output directory.
pub fn build_in(dir: &Path, args: &[&str]) -> PathBuf {
    errorsmith()
        .current_dir(dir)
        .arg("build")
        .args(args)
        .assert()
        .success();
    dir.join("dist")
}

/// The theme names `errorsmith themes` lists in `dir` (built-in ones,
/// plus the project's own when `dir` has a `themes/` folder).
pub fn theme_names(dir: &Path) -> Vec<String> {
    let output = errorsmith()
        .current_dir(dir)
        .arg("themes")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// A fixture folder under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies a fixture into a fresh temporary directory, so a test can build
/// in it without touching the repository.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Set by `.ci/run`: a missing server or browser fails the test instead of
/// skipping it.
pub const REQUIRE_ENV: &str = "ERRORSMITH_REQUIRE_SERVERS";

/// Finds `program` (also in the sbin folders Debian uses for servers). When
/// it is missing: panics if CI requires it, else prints a loud notice that
/// bypasses the test harness's output capture and returns None.
pub fn require_program(program: &str, test: &str) -> Option<PathBuf> {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    for dir in candidates {
        let path = dir.join(program);
        if path.is_file() {
            return Some(path);
        }
    }
    if std::env::var_os(REQUIRE_ENV).is_some() {
        panic!(
            "{program} is required ({REQUIRE_ENV} is set) but not installed; install it (see .ci/run)"
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED {test}: `{program}` is not installed. Install it or run .ci/run to make this test run. ***\n"
    );
    None
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process that is killed when the test ends, pass or fail.
pub struct Running {
    pub child: Child,
    pub name: String,
    pub log: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Starts `command` with output to `log`, then waits until `port` on
    /// 127.0.0.1 accepts connections.
    pub fn start(name: &str, mut command: Command, port: u16, log: &Path) -> Running {
        let out = std::fs::File::create(log).unwrap();
        let err = out.try_clone().unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let mut running = Running {
            child,
            name: name.to_string(),
            log: log.to_path_buf(),
        };
        running.wait_for_port(port);
        running
    }

    fn wait_for_port(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited with {status} before listening on {port}:\n{}",
                    self.name,
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "{} did not listen on port {port} within 15 s:\n{}",
            self.name,
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

/// An HTTP response, headers lower-cased.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP/1.1 GET to 127.0.0.1:`port` (from source address
/// `from`, e.g. 127.0.0.2, when given) and reads the whole response.
pub fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> Response {
    request_from(None, port, "GET", path, headers, "")
}

pub fn request_from(
    from: Option<Ipv4Addr>,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let server = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    if let Some(from) = from {
        socket
            .bind(&SocketAddr::new(IpAddr::V4(from), 0).into())
            .unwrap();
    }
    socket
        .connect_timeout(&server.into(), Duration::from_secs(10))
        .unwrap();
    let mut stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // A test that names its own Host (an unknown site) replaces ours.
    let host = if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        ""
    } else {
        "Host: localhost\r\n"
    };
    let mut request = format!("{method} {path} HTTP/1.1\r\n{host}Connection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete HTTP response: {text:?}"));
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}
