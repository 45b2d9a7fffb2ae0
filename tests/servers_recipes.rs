//! The recipes the README gives for putting errorsmith's configs next to a
//! user's own, run for real: HAProxy's second `-f` (again, and after a
//! rebuild), and how nginx's include meets the user's own `error_page` and
//! an upstream's `Set-Cookie`.

mod common;

use common::servers::*;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

/// A user's haproxy.cfg that names our section but does not contain it.
fn user_haproxy_cfg(port: u16, down: u16) -> String {
    format!(
        "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    errorfiles errorsmith\n\
         frontend web\n    bind 127.0.0.1:{port}\n    default_backend app\n\
         backend app\n    server down 127.0.0.1:{down}\n"
    )
}

/// `haproxy <mode> -f <each file>`.
fn haproxy(program: &Path, mode: &str, files: &[&Path]) -> Command {
    let mut command = Command::new(program);
    command.arg(mode);
    for file in files {
        command.arg("-f").arg(file);
    }
    command
}

fn assert_success(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn haproxy_recipe_with_a_second_f_runs_again_and_after_a_rebuild() {
    let test = "haproxy_recipe_with_a_second_f_runs_again_and_after_a_rebuild";
    let Some(setup) = LiveSetup::new("haproxy", test) else {
        return;
    };
    let user = user_haproxy_cfg(setup.port, free_port());
    let main = setup.write_config("haproxy.cfg", &user);
    let ours = setup.built.pages.join("servers/haproxy.cfg");
    let files = [main.as_path(), ours.as_path()];
    for _ in 0..2 {
        assert_success(&mut haproxy(&setup.program, "-c", &files));
    }
    build_builtin(&setup.built.pages);
    assert_success(&mut haproxy(&setup.program, "-c", &files));
    assert_eq!(std::fs::read_to_string(&main).unwrap(), user);

    let (check, run) = (
        haproxy(&setup.program, "-c", &files),
        haproxy(&setup.program, "-db", &files),
    );
    let haproxy = setup.check_and_start(check, run);
    let down = haproxy.get("/");
    assert_error_page_with_retry_after(&down, 503, "Service Unavailable", haproxy.pages());

    let bad = raw_request(
        haproxy.port,
        "GET / HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n",
    );
    // A request HAProxy cannot parse never reaches `errorfiles`: it keeps
    // HAProxy's built-in 400.
    assert!(bad.starts_with("HTTP/1.1 400 "), "{bad}");
    assert!(
        bad.contains("Your browser sent an invalid request."),
        "{bad}"
    );
    assert!(!bad.contains("errorsmith") && !bad.contains("<h1>Bad Request</h1>"));
}

/// Sends `request` as it is and returns the whole answer.
fn raw_request(port: u16, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn haproxy_refuses_the_section_appended_twice() {
    let test = "haproxy_refuses_the_section_appended_twice";
    let Some(setup) = LiveSetup::new("haproxy", test) else {
        return;
    };
    let section = std::fs::read_to_string(setup.built.pages.join("servers/haproxy.cfg")).unwrap();
    let twice = format!(
        "{}{section}{section}",
        user_haproxy_cfg(setup.port, free_port())
    );
    let file = setup.write_config("haproxy.cfg", &twice);
    let output = haproxy(&setup.program, "-c", &[&file]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
}

/// A self-contained nginx.conf: our http include, and one server with
/// `server_lines` (which include our server include) and a static site
/// in `dir/www` holding the user's own `custom.html`.
fn nginx_conf(dir: &Path, pages: &Path, port: u16, server_lines: &str) -> String {
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("custom.html"), "the user's own page\n").unwrap();
    let d = dir.display();
    format!(
        "master_process off;\npid \"{d}/nginx.pid\";\nerror_log stderr info;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n    access_log off;\n    client_body_temp_path \"{d}/body\";\n    proxy_temp_path \"{d}/proxy\";\n    \
         fastcgi_temp_path \"{d}/fastcgi\";\n    uwsgi_temp_path \"{d}/uwsgi\";\n    scgi_temp_path \"{d}/scgi\";\n    \
         include \"{http}\";\n    server {{\n        listen 127.0.0.1:{port};\n        root \"{www}\";\n{server_lines}    }}\n}}\n",
        http = pages.join("servers/nginx-http.conf").display(),
        www = www.display(),
    )
}

/// Starts nginx on `server_lines` (where `INCLUDE` stands for our server
/// include) after `nginx -t` passes.
fn start_nginx(setup: LiveSetup, server_lines: &str) -> LiveServer {
    let include = format!(
        "include \"{}\";",
        setup.built.pages.join("servers/nginx.conf").display()
    );
    let lines = server_lines.replace("INCLUDE", &include);
    let conf = nginx_conf(setup.dir(), &setup.built.pages, setup.port, &lines);
    let file = setup.write_config("nginx.conf", &conf);
    let command = |test_only: bool| {
        let mut command = Command::new(&setup.program);
        command.arg("-p").arg(setup.dir()).arg("-c").arg(&file);
        command.args(["-e", "stderr", "-g", "daemon off;"]);
        if test_only {
            command.arg("-t");
        }
        command
    };
    let (check, run) = (command(true), command(false));
    setup.check_and_start(check, run)
}

#[test]
fn nginx_the_first_error_page_for_a_code_in_a_block_answers() {
    let test = "nginx_the_first_error_page_for_a_code_in_a_block_answers";
    for (lines, ours) in [
        // The user's line after the include: ours answers.
        (
            "        INCLUDE\n        error_page 404 /custom.html;\n",
            true,
        ),
        // The user's line before it: theirs answers.
        (
            "        error_page 404 /custom.html;\n        INCLUDE\n",
            false,
        ),
        // An error_page inside a location replaces every server-level one.
        (
            "        INCLUDE\n        location /app/ {\n            error_page 404 /custom.html;\n        }\n",
            false,
        ),
    ] {
        let Some(setup) = LiveSetup::new("nginx", test) else {
            return;
        };
        let nginx = start_nginx(setup, lines);
        let path = if lines.contains("location /app/") {
            "/app/missing"
        } else {
            "/missing"
        };
        let response = nginx.get(path);
        if ours {
            assert_page(&response, 404, "Not Found", nginx.pages());
        } else {
            assert_eq!(response.status, 404, "{lines}");
            assert_eq!(response.body, "the user's own page\n", "{lines}");
        }
    }
}

#[test]
fn nginx_intercepted_upstream_errors_lose_their_set_cookie() {
    let test = "nginx_intercepted_upstream_errors_lose_their_set_cookie";
    let Some(setup) = LiveSetup::new("nginx", test) else {
        return;
    };
    let backend = failing_backend_with_headers(
        500,
        "Set-Cookie: session=abc; Path=/\r\nX-Request-Id: 42\r\n",
        "backend stack trace",
    );
    let lines = format!(
        "        INCLUDE\n        location /app/ {{ proxy_pass http://127.0.0.1:{backend}; }}\n\
         \x20       location /api/ {{ proxy_intercept_errors off; proxy_pass http://127.0.0.1:{backend}; }}\n"
    );
    let nginx = start_nginx(setup, &lines);
    let replaced = nginx.get("/app/x");
    assert_error_page(&replaced, 500, "Internal Server Error", nginx.pages());
    assert_eq!(replaced.header("set-cookie"), None);
    assert_eq!(replaced.header("x-request-id"), None);
    // Where interception is off, the upstream's answer passes whole.
    let passed = nginx.get("/api/x");
    assert_eq!(passed.status, 500);
    assert_eq!(passed.body, "backend stack trace");
    assert_eq!(passed.header("set-cookie"), Some("session=abc; Path=/"));
}

/// README: the pages location has its own `add_header` lines, so
/// `add_header`s from the server level (HSTS, CSP) are not added to error
/// pages, while the site's own responses keep them.
#[test]
fn nginx_server_level_add_headers_do_not_reach_the_error_pages() {
    let test = "nginx_server_level_add_headers_do_not_reach_the_error_pages";
    let Some(setup) = LiveSetup::new("nginx", test) else {
        return;
    };
    let lines =
        "        add_header Strict-Transport-Security \"max-age=60\" always;\n        INCLUDE\n";
    let nginx = start_nginx(setup, lines);
    let own = nginx.get("/custom.html");
    assert_eq!(own.status, 200);
    assert_eq!(own.header("strict-transport-security"), Some("max-age=60"));
    let error = nginx.get("/missing");
    assert_page(&error, 404, "Not Found", nginx.pages());
    assert_eq!(error.header("strict-transport-security"), None);
}
