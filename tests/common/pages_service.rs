//! For the proxies that fetch pages from a service (Traefik): errorsmith's
//! nginx default backend on a free port, a forwarder in front of it that
//! records the request heads it passes on, and the request set every
//! negotiating server is checked with.

use super::{Running, free_port, require_program};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// Accept-Language values that must get the German page of the `nginx`
/// fixture, and values that must get the default (English) one.
pub const GERMAN: [&str; 6] = [
    "de-DE,de;q=0.9",
    "de-DE",
    "de-AT;q=0.8, fr;q=0.1",
    "fr;q=0.1, de;q=0.9",
    "DE",
    "en;q=0.2,de;q=0.8,*;q=0.5",
];
pub const NOT_GERMAN: [&str; 4] = ["xx", "", "de;q=0, xx", "*"];
/// Text only the German 404 of the `nginx` fixture holds.
pub const GERMAN_404: &str = "Diese Prüfseite gibt es nicht.";

/// Accept values that must get JSON, and values that must get HTML.
pub const JSON: [&str; 3] = [
    "application/json",
    "application/problem+json",
    "application/json, text/plain, */*",
];
pub const HTML: [&str; 4] = [
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/html, application/json",
    "*/*",
    "text/plain, text/html",
];

/// errorsmith's nginx default backend for the build in `dist`, on a free
/// port, with its files in `dir`. None when nginx is not installed.
pub fn start_default_backend(dist: &Path, dir: &Path, test: &str) -> Option<(Running, u16)> {
    let nginx = require_program("nginx", test)?;
    let port = free_port();
    let servers = dist.join("servers");
    let backend = std::fs::read_to_string(servers.join("nginx-default-backend.conf")).unwrap();
    let listen = "listen 8080;";
    assert_eq!(backend.matches(listen).count(), 1, "{backend}");
    let backend_conf = dir.join("default-backend.conf");
    let listen_here = format!("listen 127.0.0.1:{port};");
    std::fs::write(&backend_conf, backend.replace(listen, &listen_here)).unwrap();
    let d = dir.display();
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "master_process off;\npid {d}/nginx.pid;\nerror_log stderr info;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path {d}/body;\n    \
             proxy_temp_path {d}/proxy;\n    fastcgi_temp_path {d}/fastcgi;\n    \
             uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n    \
             include \"{}\";\n    include \"{}\";\n}}\n",
            servers.join("nginx-http.conf").display(),
            backend_conf.display()
        ),
    )
    .unwrap();
    let mut command = Command::new(nginx);
    command.arg("-p").arg(dir).arg("-c").arg(&conf);
    command.args(["-e", "stderr", "-g", "daemon off;"]);
    let log = dir.join("nginx.log");
    Some((Running::start("nginx", command, port, &log), port))
}

/// The request heads a [`Recorder`] has passed on, oldest first.
pub type Heads = Arc<Mutex<Vec<String>>>;

/// A forwarder on a free port that passes each request to `target` (one
/// request per connection) and keeps its head, so a test can see exactly
/// which headers the page service got. Runs until the test process ends.
pub fn recorder(target: u16) -> (u16, Heads) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads: Heads = Arc::default();
    let seen = heads.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || forward(stream, target, &seen));
        }
    });
    (port, heads)
}

fn forward(mut client: TcpStream, target: u16, seen: &Heads) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).to_string();
    seen.lock().unwrap().push(head.clone());
    // One request per connection: the page service closes after answering.
    let head: String = head
        .split("\r\n")
        .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        .map(|line| format!("{line}\r\n"))
        .collect::<String>()
        .trim_end()
        .to_string()
        + "\r\nConnection: close\r\n\r\n";
    let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", target)) else {
        return;
    };
    let _ = upstream.write_all(head.as_bytes());
    let mut response = Vec::new();
    let _ = upstream.read_to_end(&mut response);
    let _ = client.write_all(&response);
}

/// The negotiation request set against a server on `port` serving the
/// `nginx` fixture's build in `dist`: German and default-locale HTML,
/// JSON for a failing upstream behind `json_path`, German text, and HTML
/// for browser-like Accept values, each with its status and type.
pub fn assert_negotiates_like_nginx(port: u16, dist: &Path, json_path: &str) {
    use super::get;
    for language in GERMAN {
        let response = get(port, "/missing", &[("Accept-Language", language)]);
        assert_eq!(response.status, 404, "{language}");
        assert!(
            response.body.contains(GERMAN_404) && response.body.contains("lang=\"de\""),
            "{language:?} did not get German: {}",
            response.body
        );
    }
    let english = std::fs::read_to_string(dist.join("404.html")).unwrap();
    for language in NOT_GERMAN {
        let response = get(port, "/missing", &[("Accept-Language", language)]);
        assert_eq!(
            (response.status, &response.body),
            (404, &english),
            "{language:?}"
        );
    }
    for accept in JSON {
        let response = get(port, json_path, &[("Accept", accept)]);
        assert_eq!(response.status, 502, "{accept}");
        assert_eq!(
            response.header("content-type"),
            Some("application/problem+json"),
            "{accept}"
        );
        let problem: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(problem["status"], 502);
    }
    let german_text = get(
        port,
        "/missing",
        &[("Accept", "text/plain"), ("Accept-Language", "de")],
    );
    assert_eq!(
        german_text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(
        german_text.body.contains(GERMAN_404),
        "{}",
        german_text.body
    );
    for accept in HTML {
        let response = get(port, "/missing", &[("Accept", accept)]);
        assert_eq!(
            (response.status, &response.body),
            (404, &english),
            "{accept}"
        );
        assert_eq!(
            response.header("content-type"),
            Some("text/html; charset=utf-8")
        );
    }
}
