//! The Cloudflare Worker errorsmith writes, run in miniflare (Cloudflare's
//! `workerd`, locally and offline; installed under tests/edge by .ci/run)
//! in front of a real origin on 127.0.0.1, and in front of a dead one.

mod common;

use common::servers::retry_after;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

/// The origin's 200 body: not UTF-8 and with a NUL, so "byte for byte"
/// means it.
const ORIGIN_BODY: &[u8] = b"origin says hi \xff\x00\xfe</script>";

/// A ray id as Cloudflare sends it.
const RAY: &str = "8f1c2a3b4d5e6f70-FRA";

const CONFIG: &str = r#"developer: ssi
visitor_reference: true
targets: [nginx, cloudflare]
replace_statuses: [404, 502, 503, 504]
trusted_networks: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]
site:
  name: "Acme \"</script><!-- ${x} `y` \u2028 \\ end"
"#;

/// A miniflare process serving the Worker; stopped when dropped.
struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing stdin makes the driver dispose of workerd cleanly.
        drop(self.stdin.take());
        for _ in 0..40 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn edge_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/edge")
}

/// node and miniflare, or None (skipped) unless the servers are required.
fn miniflare_available(test: &str) -> bool {
    if require_program("node", test).is_none() {
        return false;
    }
    if edge_dir().join("node_modules/miniflare").is_dir() {
        return true;
    }
    if std::env::var_os(REQUIRE_ENV).is_some() {
        panic!(
            "miniflare is required ({REQUIRE_ENV} is set) but not installed; run `npm ci` in tests/edge (see .ci/run)"
        );
    }
    eprintln!(
        "\n*** SKIPPED {test}: miniflare is not installed; run `npm ci` in tests/edge. ***\n"
    );
    false
}

fn start_worker(bundle: &Path, origin: &str) -> Worker {
    let mut child = Command::new("node")
        .arg(edge_dir().join("run-worker.mjs"))
        .arg(bundle)
        .arg(origin)
        .arg("1000")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("miniflare printed no URL: {line:?}"));
    Worker {
        stdin: child.stdin.take(),
        child,
        port,
    }
}

/// An origin that answers by path: 200, 404, 502, 503 with Retry-After,
/// and `/slow`, which never answers.
fn origin() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    port
}

fn answer(mut stream: TcpStream) {
    let mut buf = [0u8; 8192];
    let n = stream.read(&mut buf).unwrap_or(0);
    let request = String::from_utf8_lossy(&buf[..n]);
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (status, extra, body): (u16, &str, &[u8]) = match path.as_str() {
        "/missing" => (404, "", br#"{"error":"no such order"}"#),
        "/bad" => (502, "", b"upstream exploded"),
        "/busy" => (503, "Retry-After: 77\r\n", b"busy"),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(5));
            return;
        }
        _ => (200, "X-Origin: yes\r\n", ORIGIN_BODY),
    };
    let head = format!(
        "HTTP/1.1 {status} Origin\r\n{extra}Content-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// One request to the Worker; the body as raw bytes. miniflare keeps the
/// connection open whatever the request says, so the body is read by its
/// length (or chunks), not to the end of the stream.
fn fetch(port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    (&stream).write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut body = Vec::new();
    if let Some(length) = header(&headers, "content-length") {
        body.resize(length.parse().unwrap(), 0);
        reader.read_exact(&mut body).unwrap();
    } else if header(&headers, "transfer-encoding") == Some("chunked") {
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let size = usize::from_str_radix(line.trim(), 16).unwrap();
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        reader.read_to_end(&mut body).unwrap();
    }
    (status, headers, body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The built page `locale/code.html` as the Worker must send it: the SSI
/// include of the developer part replaced by `developer`, and the request
/// id echo by `reference`.
fn expected_page(dist: &Path, locale: &str, code: u16, developer: &str, reference: &str) -> String {
    let page = std::fs::read_to_string(dist.join(format!("{locale}/{code}.html"))).unwrap();
    let include =
        regex::Regex::new(r#"<!--# if expr="\$errorsmith_developer" -->.*?<!--# endif -->"#)
            .unwrap();
    let echo = r#"<!--# echo var="errorsmith_request_id" encoding="entity" default="" -->"#;
    // The page includes the locale's reference file, which holds the echo.
    let reference_include =
        format!(r#"<!--# include virtual="/_errors/{locale}/reference.html" -->"#);
    let fragment = std::fs::read_to_string(dist.join(format!("{locale}/reference.html"))).unwrap();
    assert!(
        include.is_match(&page) && page.contains(&reference_include) && fragment.contains(echo),
        "{page}"
    );
    include
        .replace(&page, regex::NoExpand(developer))
        .replace(&reference_include, fragment.trim_end())
        .replace(echo, reference)
}

/// The fragment's own text, in order (its SSI echoes are request details).
fn fragment_text(dist: &Path, locale: &str, code: u16) -> Vec<String> {
    let fragment =
        std::fs::read_to_string(dist.join(format!("{locale}/developer/{code}.html"))).unwrap();
    let echo = regex::Regex::new(r"<!--#.*?-->").unwrap();
    echo.split(&fragment)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn assert_error_headers(headers: &[(String, String)], content_type: &str) {
    assert_eq!(
        header(headers, "content-type"),
        Some(content_type),
        "{headers:?}"
    );
    assert_eq!(
        header(headers, "cache-control"),
        Some("no-store"),
        "{headers:?}"
    );
}

#[test]
fn live_worker_in_miniflare_replaces_origin_errors_and_passes_the_rest() {
    let test = "live_worker_in_miniflare_replaces_origin_errors_and_passes_the_rest";
    if !miniflare_available(test) {
        return;
    }
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("errorsmith.yaml"), CONFIG).unwrap();
    let dist = build_in(project.path(), &[]);
    let bundle = dist.join("servers/cloudflare");
    let origin_port = origin();
    let (live, dead) = std::thread::scope(|s| {
        let live = s.spawn(|| start_worker(&bundle, &format!("http://127.0.0.1:{origin_port}")));
        let dead = s.spawn(|| start_worker(&bundle, &format!("http://127.0.0.1:{}", free_port())));
        (live.join().unwrap(), dead.join().unwrap())
    });

    // A 200 is the origin's response, byte for byte, headers kept.
    let (status, headers, body) = fetch(live.port, "/ok", &[("Accept", "application/json")]);
    assert_eq!((status, body.as_slice()), (200, ORIGIN_BODY));
    assert_eq!(header(&headers, "x-origin"), Some("yes"));

    // 404 in German (a regional tag falls back to its language), with the
    // ray id as the visitor reference and no developer part for a client
    // outside the trusted networks.
    let (status, headers, body) = fetch(
        live.port,
        "/missing",
        &[
            ("Accept-Language", "fr;q=0.1, de-CH, en;q=0.8"),
            ("cf-ray", RAY),
            ("CF-Connecting-IP", "11.0.0.0"),
        ],
    );
    assert_eq!(status, 404);
    assert_error_headers(&headers, "text/html; charset=utf-8");
    assert_eq!(
        String::from_utf8(body).unwrap(),
        expected_page(&dist, "de", 404, "", RAY)
    );
    assert_eq!(
        header(&headers, "retry-after"),
        retry_after(&dist, 404).as_deref()
    );

    // 503 as JSON keeps the origin's own Retry-After.
    let (status, headers, body) = fetch(
        live.port,
        "/busy",
        &[("Accept", "application/problem+json, text/html")],
    );
    assert_eq!(status, 503);
    assert_error_headers(&headers, "application/problem+json");
    assert_eq!(header(&headers, "retry-after"), Some("77"));
    assert_eq!(body, std::fs::read(dist.join("en/503.json")).unwrap());

    // Text only when text/plain is all that is asked for.
    let (status, headers, body) = fetch(
        live.port,
        "/bad",
        &[("Accept", "text/plain"), ("CF-Connecting-IP", "10.0.0.1")],
    );
    assert_eq!(status, 502);
    assert_error_headers(&headers, "text/plain; charset=utf-8");
    assert_eq!(body, std::fs::read(dist.join("en/502.txt")).unwrap());

    // The developer part: inside every trusted network up to its edges,
    // and nowhere outside them, nor for anything that is not an address.
    let developer = fragment_text(&dist, "en", 502);
    let trusted = [
        "10.0.0.0",
        "10.255.255.255",
        "192.0.2.7",
        "2001:db8::",
        "2001:DB8:0:0::1",
        "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
    ];
    let untrusted = [
        "9.255.255.255",
        "11.0.0.0",
        "192.0.2.6",
        "192.0.2.8",
        "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
        "2001:db9::",
        "::ffff:10.0.0.1",
        "10.0.0.1, 1.2.3.4",
        "",
    ];
    for ip in trusted {
        let (status, _, body) = fetch(
            live.port,
            "/bad",
            &[("CF-Connecting-IP", ip), ("cf-ray", RAY)],
        );
        let body = String::from_utf8(body).unwrap();
        assert_eq!(status, 502);
        let mut rest = body.as_str();
        for part in &developer {
            let at = rest
                .find(part.as_str())
                .unwrap_or_else(|| panic!("{ip}: no {part:?} in {body}"));
            rest = &rest[at + part.len()..];
        }
        // The fragment's request details, filled in as HTML text.
        assert!(
            body.contains(&format!("<code>{RAY}</code>")),
            "{ip}: {body}"
        );
        assert!(body.contains("<code>502</code>"), "{ip}: {body}");
    }
    for ip in untrusted {
        let (_, _, body) = fetch(
            live.port,
            "/bad",
            &[("CF-Connecting-IP", ip), ("cf-ray", RAY)],
        );
        assert_eq!(
            String::from_utf8(body).unwrap(),
            expected_page(&dist, "en", 502, "", RAY),
            "{ip}"
        );
    }
    // A trusted client asking for JSON gets the public JSON.
    let (_, _, body) = fetch(
        live.port,
        "/bad",
        &[
            ("CF-Connecting-IP", "10.0.0.1"),
            ("Accept", "application/json"),
        ],
    );
    assert_eq!(body, std::fs::read(dist.join("en/502.json")).unwrap());

    // A ray id that is not one is left out, not echoed.
    let (_, _, body) = fetch(
        live.port,
        "/bad",
        &[("cf-ray", "<script>alert(1)</script>")],
    );
    assert_eq!(
        String::from_utf8(body).unwrap(),
        expected_page(&dist, "en", 502, "", "")
    );

    // An origin that does not answer in time: 504 with the content's Retry-After.
    let (status, headers, body) = fetch(live.port, "/slow", &[("Accept-Language", "de")]);
    assert_eq!(status, 504);
    assert_eq!(
        header(&headers, "retry-after"),
        retry_after(&dist, 504).as_deref()
    );
    assert_eq!(
        String::from_utf8(body).unwrap(),
        expected_page(&dist, "de", 504, "", "")
    );

    // An origin that cannot be reached: 502.
    let (status, headers, body) = fetch(
        dead.port,
        "/anything",
        &[("Accept-Language", "de"), ("cf-ray", RAY)],
    );
    assert_eq!(status, 502);
    assert_error_headers(&headers, "text/html; charset=utf-8");
    assert_eq!(
        String::from_utf8(body).unwrap(),
        expected_page(&dist, "de", 502, "", RAY)
    );
}

#[test]
fn config_prints_the_edge_files_build_wrote_and_hidden_builds_refuse_the_worker() {
    let project = tempfile::tempdir().unwrap();
    let config = project.path().join("errorsmith.yaml");
    std::fs::write(
        &config,
        "developer: ssi\nvisitor_reference: true\ntrusted_networks: [\"10.0.0.0/8\"]\n\
         url_prefix: /oops\nreplace_statuses: [404, 503]\ntargets: [cloudflare, envoy, cloudfront]\n",
    )
    .unwrap();
    let dist = build_in(project.path(), &[]);
    // Pages the Worker never sends are not read: printing its files needs
    // only the pages it bundles, whatever else the folder holds.
    for unbundled in [
        "de/410.html",
        "de/410.json",
        "de/410.txt",
        "de/developer/410.html",
    ] {
        std::fs::remove_file(dist.join(unbundled)).unwrap();
    }
    // From another folder: everything comes from the build's manifest.
    let elsewhere = tempfile::tempdir().unwrap();
    for (target, file) in [
        ("cloudflare", None),
        ("cloudflare", Some("cloudflare/worker.js")),
        ("cloudflare", Some("cloudflare/data.js")),
        ("envoy", None),
        ("cloudfront", None),
    ] {
        let mut command = errorsmith();
        command
            .current_dir(elsewhere.path())
            .args(["config", target, "--pages"])
            .arg(&dist);
        if let Some(file) = file {
            command.args(["--file", file]);
        }
        let printed = command.assert().success().get_output().stdout.clone();
        let main = match target {
            "cloudflare" => "cloudflare/wrangler.toml",
            "envoy" => "envoy-gateway.yaml",
            _ => "cloudfront.json",
        };
        let written = std::fs::read(dist.join("servers").join(file.unwrap_or(main))).unwrap();
        assert!(printed == written, "{target} {file:?} differs");
    }

    std::fs::write(&config, "developer: hidden\ntargets: [cloudflare]\n").unwrap();
    errorsmith()
        .current_dir(project.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(
            "error: the Cloudflare Worker shows the developer part only to trusted clients, but a `hidden` build puts it in every page; \
             set `developer: ssi` (or `strip`) in errorsmith.yaml, or remove `cloudflare` from `targets`\n",
        );
}

/// The codes of `data.js`'s pages, per locale.
fn bundled_codes(dist: &Path) -> std::collections::BTreeMap<String, Vec<u16>> {
    let text = std::fs::read_to_string(dist.join("servers/cloudflare/data.js")).unwrap();
    let literal = text
        .split_once("export default ")
        .unwrap()
        .1
        .trim_end()
        .trim_end_matches(';');
    let data: serde_json::Value = serde_json::from_str(literal).unwrap();
    data["pages"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(locale, pages)| {
            let codes = pages
                .as_object()
                .unwrap()
                .keys()
                .map(|code| code.parse().unwrap())
                .collect();
            (locale.clone(), codes)
        })
        .collect()
}

#[test]
fn the_worker_bundles_the_pages_it_can_send_and_no_others() {
    let project = tempfile::tempdir().unwrap();
    let config = project.path().join("errorsmith.yaml");
    // The replaced statuses, and the Worker's own 502 and 504 for an origin
    // that cannot be reached or does not answer.
    std::fs::write(
        &config,
        "developer: strip\nreplace_statuses: [404, 503]\ntargets: [cloudflare]\n",
    )
    .unwrap();
    let bundled = bundled_codes(&build_in(project.path(), &[]));
    assert_eq!(bundled.len(), 12, "{:?}", bundled.keys());
    for (locale, codes) in &bundled {
        assert_eq!(codes, &[404, 502, 503, 504], "{locale}");
    }
    // Without `replace_statuses`, every 5xx is replaced.
    std::fs::write(&config, "developer: strip\ntargets: [cloudflare]\n").unwrap();
    let bundled = bundled_codes(&build_in(project.path(), &[]));
    for (locale, codes) in &bundled {
        assert_eq!(
            codes,
            &[500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511],
            "{locale}"
        );
    }
}
