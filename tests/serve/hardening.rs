//! `errorsmith serve` against hostile clients: other Host names (DNS
//! rebinding), too many reload polls, connection floods.

use crate::common::{errorsmith, get};
use crate::preview::{
    Preview, RELOAD, SCRIPT_START, answer_by_now, connect, get_for_host, project, raw_request,
};
use std::io::Write as _;
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

/// `reload::MAX_POLLS` in the server.
const MAX_POLLS: usize = 32;

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
