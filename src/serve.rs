//! `errorsmith serve`: a local preview of every page of every theme and
//! locale, rendered in memory by the same code as `build`, that reloads
//! the browser when a content, theme or config file changes.

mod reload;
mod site;
mod watch;

use crate::project::{self, ProjectOptions};
use anyhow::{Result, anyhow};
use reload::Live;
use site::Site;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tiny_http::{Header, Method, Request, Response};

/// How often the inputs are checked for changes.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub project: ProjectOptions,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
}

/// Serves until the process is stopped; returns only when it cannot start.
pub fn serve(options: &ServeOptions) -> Result<()> {
    let address = SocketAddr::new(options.bind, options.port);
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: serving on {address}, which other machines can reach; the preview is meant for 127.0.0.1"
        );
    }
    let server = tiny_http::Server::http(address)
        .map_err(|e| anyhow!("cannot listen on {address}: {e}; choose another --port"))?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| anyhow!("listening on {address}, but not on an IP address"))?;

    let live = Arc::new(Live::new(rebuild(&options.project, false)));
    // The URL alone on stdout, so scripts can read it; chatter on stderr.
    println!("http://{bound}/");
    let _ = std::io::stdout().flush();
    eprintln!("previewing every theme at http://{bound}/ ; watching for changes, Ctrl-C stops");

    let handlers = Arc::clone(&live);
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let live = Arc::clone(&handlers);
            // One thread per request: reload polls wait for many seconds.
            std::thread::spawn(move || respond(request, &live));
        }
    });
    watch_forever(&options.project, &live)
}

/// Rebuilds whenever the inputs change; never returns.
fn watch_forever(options: &ProjectOptions, live: &Live) -> ! {
    let mut last = watch::fingerprint(&watched(options, &live.get().1));
    loop {
        std::thread::sleep(POLL_INTERVAL);
        let now = watch::fingerprint(&watched(options, &live.get().1));
        if now != last {
            last = now;
            live.replace(rebuild(options, true));
        }
    }
}

/// Renders the site and tells the terminal how it went.
fn rebuild(options: &ProjectOptions, is_rebuild: bool) -> Site {
    let started = Instant::now();
    let site = Site::render(options);
    let errors = site.errors();
    for error in &errors {
        eprintln!("error: {error}");
    }
    if !errors.is_empty() {
        eprintln!("the preview shows the error until the files are fixed");
    } else if is_rebuild {
        eprintln!("rebuilt in {} ms", started.elapsed().as_millis());
    }
    site
}

/// The config file and the content and themes folders, given or default,
/// whether they exist yet or not, and the logo.
fn watched(options: &ProjectOptions, site: &Site) -> Vec<PathBuf> {
    let root = &options.root;
    let pick = |given: &Option<PathBuf>, default: &str| {
        project::under(root, given.as_deref().unwrap_or(default.as_ref()))
    };
    let mut paths = vec![
        pick(&options.config_file, crate::config::FILE_NAME),
        pick(&options.content_dir, "content"),
        pick(&options.themes_dir, "themes"),
    ];
    if let Site::Ready(preview) = site {
        paths.extend(preview.extra_inputs.iter().cloned());
    }
    paths
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Reply {
    fn html(status: u16, html: String, generation: u64) -> Reply {
        let mut body = html.into_bytes();
        // After the document's last byte: the page's own bytes stay
        // exactly what `build` writes, and browsers still run it.
        body.extend_from_slice(reload::script(generation).as_bytes());
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            body,
        }
    }

    fn text(status: u16, text: String) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: text.into_bytes(),
        }
    }
}

fn respond(request: Request, live: &Live) {
    let reply = match request.method() {
        Method::Get | Method::Head => route(request.url(), live),
        _ => Reply::text(405, "the preview answers GET and HEAD only\n".into()),
    };
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    for (name, value) in [
        ("Content-Type", reply.content_type),
        ("Cache-Control", "no-store"),
    ] {
        if let Ok(header) = Header::from_bytes(name, value) {
            response.add_header(header);
        }
    }
    // The browser may have gone away (a reload cancels its poll); there is
    // no one left to tell.
    let _ = request.respond(response);
}

fn route(url: &str, live: &Live) -> Reply {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    if path == reload::ENDPOINT {
        let generation = live.wait_for_change(reload::since(query));
        return Reply::text(200, format!("{generation}\n"));
    }
    let (generation, site) = live.get();
    let preview = match &*site {
        Site::Broken(message) => return Reply::html(500, site::error_page(message), generation),
        Site::Ready(preview) => preview,
    };
    if path == "/" || path == "/index.html" {
        return Reply::html(200, site::index_page(preview), generation);
    }
    let not_found = || Reply::html(404, site::not_found_page(path), generation);
    let Some((theme, file)) = path.trim_start_matches('/').split_once('/') else {
        return not_found();
    };
    let files = match preview.theme(theme).map(|t| &t.files) {
        None => return not_found(),
        Some(Err(message)) => return Reply::html(500, site::error_page(message), generation),
        Some(Ok(files)) => files,
    };
    let Some(bytes) = files.get(file) else {
        return not_found();
    };
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => Reply::html(200, String::from_utf8_lossy(bytes).into_owned(), generation),
        Some("json") => Reply {
            status: 200,
            content_type: "application/json",
            body: bytes.clone(),
        },
        _ => Reply::text(200, String::from_utf8_lossy(bytes).into_owned()),
    }
}
