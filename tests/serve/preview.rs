//! The running preview and raw HTTP helpers shared by the serve tests.

use std::io::{BufRead, BufReader, ErrorKind, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::get;

pub const RELOAD: &str = "/__errorsmith/reload";
/// Where the reload script starts in a served HTML page.
pub const SCRIPT_START: &str = "<script>(function(){var g=";

/// A running `errorsmith serve`, stopped when the test ends.
pub struct Preview {
    pub child: Child,
    pub port: u16,
    pub url: String,
    pub log: PathBuf,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Preview {
    /// Starts `errorsmith serve --port 0` in `dir` and reads the URL it
    /// prints.
    pub fn start(dir: &Path) -> Preview {
        Preview::start_with(dir, &[])
    }

    /// The same with more arguments to `serve`.
    pub fn start_with(dir: &Path, args: &[&str]) -> Preview {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("errorsmith"));
        command.args(["serve", "--port", "0"]).args(args);
        Preview::start_command(dir, command)
    }

    /// Runs `command`, which starts the preview.
    pub fn start_command(dir: &Path, mut command: Command) -> Preview {
        let log = dir.with_extension("serve.log");
        let mut child = command
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        let port = url
            .strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "serve printed {url:?}, not http://127.0.0.1:PORT/\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        Preview {
            child,
            port,
            url,
            log,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A page as served, split into the page and the reload generation.
    pub fn page(&self, path: &str) -> (u16, String, u64) {
        let response = get(self.port, path, &[]);
        let (page, script) = response
            .body
            .rsplit_once(SCRIPT_START)
            .unwrap_or_else(|| panic!("no reload script in {path}: {}", response.body));
        let generation = script
            .split(';')
            .next()
            .and_then(|g| g.parse().ok())
            .unwrap_or_else(|| panic!("no generation in the script of {path}: {script}"));
        (response.status, page.to_string(), generation)
    }

    /// Waits on the reload endpoint like the browser does, until the
    /// generation moves past `since`.
    pub fn wait_for_reload(&self, since: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let response = get(self.port, &format!("{RELOAD}?since={since}"), &[]);
            assert_eq!(response.status, 200, "{}", response.body);
            let generation: u64 = response.body.trim().parse().unwrap();
            if generation != since {
                return generation;
            }
        }
        panic!("no reload within 60 s\n{}", self.log());
    }
}

pub fn connect(port: u16) -> TcpStream {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let stream = TcpStream::connect_timeout(&address, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Sends `head` (request line and headers) and returns the status, the
/// response header and the body.
pub fn raw_request(port: u16, head: &str) -> (u16, String, String) {
    let mut stream = connect(port);
    stream
        .write_all(format!("{head}\r\n\r\n").as_bytes())
        .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    split_response(&raw)
}

pub fn split_response(raw: &[u8]) -> (u16, String, String) {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete HTTP response: {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    (status, head.to_string(), body.to_string())
}

/// A GET of `path` addressed to `host`.
pub fn get_for_host(port: u16, host: &str, path: &str) -> (u16, String, String) {
    raw_request(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close"),
    )
}

/// A brand project: config, one content override and a theme extending
/// the default one.
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "errorsmith.yaml", "site:\n  name: Acme Preview\n");
    write(
        root,
        "content/404.md",
        "---\ntitle: Lost in Acme\nsummary: No such page.\n---\nTry the home page.\n",
    );
    write(
        root,
        "themes/brand/theme.yaml",
        "description: Acme's own\nextends: default\n",
    );
    write(
        root,
        "themes/brand/partials/brand.html",
        "<p class=brand>ACME</p>\n",
    );
    dir
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// What `stream` has answered by now, if anything; waits `patience`.
pub fn answer_by_now(stream: &mut TcpStream, patience: Duration) -> Option<(u16, String, String)> {
    stream.set_read_timeout(Some(patience)).unwrap();
    let mut raw = vec![0; 4096];
    match stream.read(&mut raw) {
        Ok(n) => {
            raw.truncate(n);
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let _ = stream.read_to_end(&mut raw);
            Some(split_response(&raw))
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => None,
        Err(e) => panic!("reading a poll: {e}"),
    }
}
