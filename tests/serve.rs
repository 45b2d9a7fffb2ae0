//! `errorsmith serve`: the real binary on a temporary project, fetched
//! over HTTP on 127.0.0.1.
#![cfg(feature = "serve")]

mod common;

use common::{errorsmith, get};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, ErrorKind, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RELOAD: &str = "/__errorsmith/reload";
/// Where the reload script starts in a served HTML page.
const SCRIPT_START: &str = "<script>(function(){var g=";
/// `reload::MAX_POLLS` in the server.
const MAX_POLLS: usize = 32;

/// A running `errorsmith serve`, stopped when the test ends.
struct Preview {
    child: Child,
    port: u16,
    url: String,
    log: PathBuf,
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
    fn start(dir: &Path) -> Preview {
        Preview::start_with(dir, &[])
    }

    /// The same with more arguments to `serve`.
    fn start_with(dir: &Path, args: &[&str]) -> Preview {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("errorsmith"));
        command.args(["serve", "--port", "0"]).args(args);
        Preview::start_command(dir, command)
    }

    /// Runs `command`, which starts the preview.
    fn start_command(dir: &Path, mut command: Command) -> Preview {
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

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A page as served, split into the page and the reload generation.
    fn page(&self, path: &str) -> (u16, String, u64) {
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
    fn wait_for_reload(&self, since: u64) -> u64 {
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

fn connect(port: u16) -> TcpStream {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let stream = TcpStream::connect_timeout(&address, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Sends `head` (request line and headers) and returns the status, the
/// response header and the body.
fn raw_request(port: u16, head: &str) -> (u16, String, String) {
    let mut stream = connect(port);
    stream
        .write_all(format!("{head}\r\n\r\n").as_bytes())
        .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    split_response(&raw)
}

fn split_response(raw: &[u8]) -> (u16, String, String) {
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
fn get_for_host(port: u16, host: &str, path: &str) -> (u16, String, String) {
    raw_request(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close"),
    )
}

/// A brand project: config, one content override and a theme extending
/// the default one.
fn project() -> tempfile::TempDir {
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

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn build(dir: &Path, theme: &str, out: &Path) {
    errorsmith()
        .current_dir(dir)
        .args(["build", "--theme", theme, "--out"])
        .arg(out)
        .assert()
        .success();
}

#[test]
fn serve_pages_are_the_build_bytes_and_the_build_has_no_reload_code() {
    let project = project();
    let preview = Preview::start(project.path());
    let outputs = tempfile::tempdir().unwrap();
    let themes = common::theme_names(project.path());
    assert!(themes.contains(&"brand".to_string()), "{themes:?}");
    for theme in &themes {
        let out = outputs.path().join(theme);
        build(project.path(), theme, &out);
        for page in ["404.html", "en/404.html", "de/503.html", "502.html"] {
            let (status, served, _) = preview.page(&format!("/{theme}/{page}"));
            assert_eq!(status, 200, "{theme}/{page}");
            let built = std::fs::read_to_string(out.join(page)).unwrap();
            assert_eq!(served, built, "{theme}/{page}: served != built");
        }
        assert_no_reload_code(&out);
    }
    assert!(
        !project.path().join("dist").exists(),
        "serve wrote dist/ into the project"
    );
}

/// Nothing of the live reload may reach a build.
fn assert_no_reload_code(out: &Path) {
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for needle in ["__errorsmith", "<script", "location.reload"] {
                assert!(
                    !text.contains(needle),
                    "{} contains {needle}",
                    entry.path().display()
                );
            }
        }
    }
}

#[test]
fn serve_index_links_every_code_of_every_theme_and_locale() {
    let project = project();
    let preview = Preview::start(project.path());
    let index = get(preview.port, "/", &[]);
    assert_eq!(index.status, 200);
    let html = scraper::Html::parse_document(&index.body);
    let selector = scraper::Selector::parse("a[href]").unwrap();
    let linked: BTreeSet<String> = html
        .select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .filter(|href| href.ends_with(".html"))
        .map(str::to_string)
        .collect();

    let outputs = tempfile::tempdir().unwrap();
    let mut expected = BTreeSet::new();
    for theme in common::theme_names(project.path()) {
        let out = outputs.path().join(&theme);
        build(project.path(), &theme, &out);
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap())
                .unwrap();
        for page in manifest["pages"].as_array().unwrap() {
            let path = page["path"].as_str().unwrap();
            if path.ends_with(".html") && path.contains('/') {
                expected.insert(format!("/{theme}/{path}"));
            }
        }
    }
    assert!(expected.len() > 100, "too few pages: {}", expected.len());
    assert_eq!(linked, expected);
    // Spot-check that the links lead to pages.
    for href in linked.iter().step_by(97) {
        assert_eq!(preview.page(href).0, 200, "{href}");
    }
}

#[test]
fn serve_reloads_when_content_theme_or_config_change() {
    let project = project();
    let root = project.path();
    let preview = Preview::start(root);
    let (_, page, mut generation) = preview.page("/brand/404.html");
    assert!(page.contains("<h1>Lost in Acme</h1>"), "{page}");

    let changes = [
        (
            "content/404.md",
            "---\ntitle: Found Again\n---\nNew text.\n",
            "<h1>Found Again</h1>",
        ),
        (
            "themes/brand/partials/brand.html",
            "<p class=brand>NEW BRAND</p>\n",
            "NEW BRAND",
        ),
        (
            "errorsmith.yaml",
            "site:\n  name: Renamed Inc\n",
            "Renamed Inc",
        ),
    ];
    for (file, text, expected) in changes {
        let started = Instant::now();
        write(root, file, text);
        let next = preview.wait_for_reload(generation);
        assert!(next > generation);
        let (status, page, served_generation) = preview.page("/brand/404.html");
        assert_eq!(status, 200);
        assert!(page.contains(expected), "after editing {file}: {page}");
        assert_eq!(served_generation, next);
        eprintln!("{file}: reload after {} ms", started.elapsed().as_millis());
        generation = next;
    }
}

#[test]
fn serve_shows_a_build_error_in_the_browser_and_the_terminal_and_recovers() {
    let project = project();
    let root = project.path();
    let preview = Preview::start(root);
    let (_, _, generation) = preview.page("/default/404.html");

    // An unknown front matter key whose name is markup: it must arrive
    // escaped in the browser.
    write(
        root,
        "content/404.md",
        "---\ntitle: X\n<b>bold</b>: 1\n---\nText.\n",
    );
    let generation = preview.wait_for_reload(generation);
    let (status, page, _) = preview.page("/default/404.html");
    assert_eq!(status, 500, "{page}");
    assert!(page.contains("404.md"), "the error names no file: {page}");
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"), "{page}");
    assert!(!page.contains("<b>bold</b>"), "unescaped: {page}");
    assert_eq!(get(preview.port, "/", &[]).status, 500);
    let log = preview.log();
    assert!(
        log.contains("error: ") && log.contains("404.md"),
        "the terminal shows no error:\n{log}"
    );

    write(
        root,
        "content/404.md",
        "---\ntitle: Fixed Now\n---\nText.\n",
    );
    preview.wait_for_reload(generation);
    let (status, page, _) = preview.page("/default/404.html");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<h1>Fixed Now</h1>"), "{page}");
}

#[test]
fn serve_listens_on_127_0_0_1_only_by_default() {
    let project = project();
    let preview = Preview::start(project.path());
    assert!(
        preview.url.starts_with("http://127.0.0.1:"),
        "{}",
        preview.url
    );
    // 127.0.0.2 is loopback too: a server bound to 0.0.0.0 would answer there.
    let other = TcpStream::connect((Ipv4Addr::new(127, 0, 0, 2), preview.port));
    assert!(other.is_err(), "serve also answers on 127.0.0.2");
}

#[test]
fn serve_warns_before_listening_beyond_loopback_and_names_a_busy_port() {
    let project = project();
    // TEST-NET-1 is never a local address, so the bind fails after the
    // warning without exposing anything.
    errorsmith()
        .current_dir(project.path())
        .args(["serve", "--bind", "192.0.2.1", "--port", "4000"])
        .assert()
        .failure()
        .stderr(predicates::str::starts_with(
            "warning: serving on 192.0.2.1:4000, which other machines can reach; the preview is meant for 127.0.0.1\n\
             error: cannot listen on 192.0.2.1:4000: ",
        ));

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    errorsmith()
        .current_dir(project.path())
        .args(["serve", "--port", &port])
        .assert()
        .failure()
        .stderr(
            predicates::str::is_match(format!(
                "^error: cannot listen on 127.0.0.1:{port}: .*; choose another --port\n$"
            ))
            .unwrap(),
        );
}

#[test]
fn serve_answers_local_host_names_and_refuses_others_with_421() {
    let project = project();
    let preview = Preview::start(project.path());
    let port = preview.port;
    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{port}"),
        "[::1]".to_string(),
        format!("[::1]:{port}"),
    ] {
        let (status, _, body) = get_for_host(port, &host, "/default/404.html");
        assert_eq!(status, 200, "Host: {host}: {body}");
        assert!(body.contains(SCRIPT_START), "Host: {host}: {body}");
    }
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        "localhost.evil.com".to_string(),
        format!("localhost.evil.com:{port}"),
        "127.0.0.1.nip.io".to_string(),
        "[::1].evil.com".to_string(),
    ] {
        let (status, head, body) = get_for_host(port, &host, "/default/404.html");
        assert_eq!(status, 421, "Host: {host}: {body}");
        assert!(head.contains("text/plain"), "Host: {host}: {head}");
        assert!(
            body.contains("start it with --allow-host NAME"),
            "Host: {host}: {body}"
        );
        assert!(!body.contains('<'), "page bytes for Host: {host}: {body}");
    }
    let (status, _, body) = raw_request(port, "GET / HTTP/1.1\r\nConnection: close");
    assert_eq!(status, 421, "no Host on HTTP/1.1: {body}");
    let (status, _, _) = raw_request(
        port,
        "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close",
    );
    assert_eq!(status, 400, "two Host headers");
    let (status, _, body) = raw_request(port, "HEAD / HTTP/1.1\r\nHost: evil.example");
    assert_eq!((status, body.as_str()), (421, ""), "HEAD has no body");
}

#[test]
fn serve_allow_host_adds_names_and_refuses_values_with_a_port() {
    let project = project();
    errorsmith()
        .current_dir(project.path())
        .args(["serve", "--port", "0", "--allow-host", "preview.test:8080"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "`preview.test:8080` is not a host name or IP address; give it without scheme or port, e.g. --allow-host preview.test",
        ));

    let preview = Preview::start_with(
        project.path(),
        &["--allow-host", "preview.test", "--allow-host", "10.9.8.7"],
    );
    let port = preview.port;
    for host in [
        format!("preview.test:{port}"),
        "PREVIEW.test".to_string(),
        "10.9.8.7".to_string(),
        "localhost".to_string(),
    ] {
        let (status, _, body) = get_for_host(port, &host, "/");
        assert_eq!(status, 200, "Host: {host}: {body}");
    }
    for host in ["sub.preview.test", "preview.test.evil.com", "other.test"] {
        let (status, _, body) = get_for_host(port, host, "/");
        assert_eq!(status, 421, "Host: {host}: {body}");
    }
}

/// What `stream` has answered by now, if anything; waits `patience`.
fn answer_by_now(stream: &mut TcpStream, patience: Duration) -> Option<(u16, String, String)> {
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

#[test]
fn serve_answers_polls_beyond_the_cap_with_503_and_pages_still_answer() {
    let project = project();
    let preview = Preview::start(project.path());
    let (_, _, generation) = preview.page("/default/404.html");
    let extra = 4;
    let mut polls: Vec<TcpStream> = (0..MAX_POLLS + extra)
        .map(|_| {
            let mut stream = connect(preview.port);
            write!(
                stream,
                "GET {RELOAD}?since={generation} HTTP/1.1\r\nHost: localhost\r\n\r\n"
            )
            .unwrap();
            stream
        })
        .collect();

    // Nothing changes, so the polls within the cap wait (25 s) and only
    // the extra ones answer, at once.
    let mut refused = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while refused.len() < extra && Instant::now() < deadline {
        polls.retain_mut(
            |stream| match answer_by_now(stream, Duration::from_millis(20)) {
                Some(answer) => {
                    refused.push(answer);
                    false
                }
                None => true,
            },
        );
    }
    assert_eq!(refused.len(), extra, "{refused:?}\n{}", preview.log());
    for (status, head, body) in &refused {
        assert_eq!(*status, 503, "{head}{body}");
        assert!(head.lines().any(|l| l == "Retry-After: 1"), "{head}");
    }

    let started = Instant::now();
    let (status, _, _) = preview.page("/default/404.html");
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a page took {} ms while the polls waited",
        started.elapsed().as_millis()
    );
    assert_eq!(polls.len(), MAX_POLLS);
    for stream in &mut polls {
        let early = answer_by_now(stream, Duration::from_millis(20));
        assert!(early.is_none(), "a poll within the cap answered: {early:?}");
    }
}

#[test]
fn serve_keeps_answering_through_a_flood_of_idle_and_half_sent_connections() {
    let project = project();
    let preview = Preview::start(project.path());
    let port = preview.port;
    let mut flood: Vec<TcpStream> = (0..300).map(|_| connect(port)).collect();
    for _ in 0..100 {
        let mut stream = connect(port);
        stream
            .write_all(b"GET /default/404.html HTTP/1.1\r\nHost: local")
            .unwrap();
        flood.push(stream);
    }

    let started = Instant::now();
    let response = get(port, "/default/404.html", &[]);
    assert_eq!(response.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a page took {} ms during the flood\n{}",
        started.elapsed().as_millis(),
        preview.log()
    );

    drop(flood);
    for n in 0..20 {
        let started = Instant::now();
        let response = get(port, "/default/404.html", &[]);
        assert_eq!(response.status, 200, "request {n} after the flood");
        assert!(started.elapsed() < Duration::from_secs(3), "request {n}");
    }
}

#[test]
fn serve_on_every_interface_prints_a_loopback_url_with_the_real_port() {
    let project = project();
    // Bound to 0.0.0.0 for a moment, but only ever asked on 127.0.0.1.
    let preview = Preview::start_with(project.path(), &["--bind", "0.0.0.0"]);
    assert_ne!(preview.port, 0, "{}", preview.url);
    assert_eq!(preview.url, format!("http://127.0.0.1:{}/", preview.port));
    assert_eq!(get(preview.port, "/", &[]).status, 200);
    let log = preview.log();
    assert!(
        log.starts_with(&format!(
            "warning: serving on 0.0.0.0:{}, which other machines can reach",
            preview.port
        )),
        "{log}"
    );
}

#[test]
fn serve_keeps_accepting_when_a_flood_exhausts_its_file_descriptors() {
    let project = project();
    // 64 descriptors: the flood below runs the server out of them, so
    // accept fails with EMFILE, which ended tiny_http's accept loop.
    let mut command = Command::new("sh");
    command
        .args(["-c", "ulimit -n 64 && exec \"$0\" serve --port 0"])
        .arg(assert_cmd::cargo::cargo_bin("errorsmith"));
    let preview = Preview::start_command(project.path(), command);
    let port = preview.port;
    let flood: Vec<TcpStream> = (0..200).map(|_| connect(port)).collect();
    let started = Instant::now();
    assert_eq!(get(port, "/default/404.html", &[]).status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a page took {} ms while out of descriptors",
        started.elapsed().as_millis()
    );
    drop(flood);
    for n in 0..10 {
        assert_eq!(
            get(port, "/", &[]).status,
            200,
            "request {n} after the flood"
        );
    }
}
