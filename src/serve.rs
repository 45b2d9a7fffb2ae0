//! `errorsmith serve`: a local preview of every page of every theme and
//! locale, rendered in memory by the same code as `build`, that reloads
//! the browser when a content, theme or config file changes.

mod host;
mod http;
mod reload;
mod server;
mod site;
mod watch;

pub use host::{AllowedHost, parse_allowed_host};

use crate::project::ProjectOptions;
use anyhow::{Result, anyhow};
use host::AllowedHosts;
use http::{Reply, Request};
use reload::Live;
use site::Site;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub project: ProjectOptions,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Names besides the local ones that requests may be addressed to.
    pub allow_hosts: Vec<AllowedHost>,
    /// Notice changes by polling even where file events work.
    pub poll: bool,
}

/// Serves until the process is stopped; returns only when it cannot start.
pub fn serve(options: &ServeOptions) -> Result<()> {
    let address = SocketAddr::new(options.bind, options.port);
    let listener = TcpListener::bind(address);
    if !options.bind.is_loopback() {
        // With the port the system picked, when it picked one.
        let shown = listener
            .as_ref()
            .ok()
            .and_then(|l| l.local_addr().ok())
            .unwrap_or(address);
        eprintln!(
            "warning: serving on {shown}, which other machines can reach; the preview is meant for 127.0.0.1"
        );
    }
    let listener =
        listener.map_err(|e| anyhow!("cannot listen on {address}: {e}; choose another --port"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| anyhow!("listening on {address}, but cannot tell the port: {e}"))?;

    // Before the first build, so an edit made while it runs is noticed.
    let watch = watch::Watch::start(&options.project, options.poll);
    let live = Arc::new(Live::new(rebuild(&options.project, false, None, None)));
    let url = browsable_url(bound);
    // The URL alone on stdout, so scripts can read it; chatter on stderr.
    println!("{url}");
    let _ = std::io::stdout().flush();
    eprintln!("previewing every theme at {url} ; watching for changes, Ctrl-C stops");

    let hosts = AllowedHosts::new(options.bind, &options.allow_hosts);
    let handlers = Arc::clone(&live);
    server::start(
        listener,
        Arc::new(move |request: &Request| respond(request, &hosts, &handlers)),
    )
    .map_err(|e| anyhow!("cannot start the preview's threads: {e}"))?;
    // While the build is broken, the last site that rendered: the fix
    // recalls its pages instead of rendering everything. Held only then,
    // so a good site is freed by `Live::replace` after the polls answer,
    // not during the next rebuild.
    let last_ready = std::sync::Mutex::new(None::<Arc<Site>>);
    watch.forever(&live, |themes: Option<&BTreeSet<String>>| {
        let current = live.get().1;
        let mut last = last_ready.lock().unwrap_or_else(|e| e.into_inner());
        let good = match *current {
            Site::Ready(_) => Some(current),
            Site::Broken(_) => last.clone(),
        };
        let previous = match good.as_deref() {
            Some(Site::Ready(preview)) => Some(preview),
            _ => None,
        };
        // `themes` is None unless the current site is the good one.
        let site = rebuild(&options.project, true, previous, themes);
        *last = match site {
            Site::Broken(_) => good,
            Site::Ready(_) => None,
        };
        site
    })
}

/// The URL to open: a browser cannot visit 0.0.0.0 or `::` everywhere,
/// so an every-interface bind is shown by its loopback address.
fn browsable_url(bound: SocketAddr) -> String {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, bound.port()))
}

/// Runs `f`, turning a panic into its message, so that one bad edit or
/// one bad request never stops the preview; the panic hook has already
/// printed where it happened. Unwind safety holds because the shared
/// state (`Live`) is replaced whole under a lock that survives poisoning.
fn caught<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// Renders the site after `previous`, all of it or only the `themes` and
/// the rest as they were, and tells the terminal how it went.
fn rebuild(
    options: &ProjectOptions,
    is_rebuild: bool,
    previous: Option<&site::Preview>,
    themes: Option<&BTreeSet<String>>,
) -> Site {
    let started = Instant::now();
    let site = caught(|| Site::render_after(options, previous, themes))
    .unwrap_or_else(|panic| {
        Site::Broken(format!(
            "errorsmith crashed while rendering: {panic}\n(a bug in errorsmith; the next change rebuilds)"
        ))
    });
    let errors = site.errors();
    for error in &errors {
        eprintln!("error: {error}");
    }
    if !errors.is_empty() {
        eprintln!("the preview shows the error until the files are fixed");
    } else if is_rebuild {
        let ms = started.elapsed().as_millis();
        let only = previous.and(themes);
        let unchanged = match &site {
            Site::Ready(preview) => preview.unchanged_pages(only),
            Site::Broken(_) => String::new(),
        };
        match only {
            Some(themes) => {
                let names: Vec<&str> = themes.iter().map(String::as_str).collect();
                eprintln!(
                    "rebuilt in {ms} ms (only {}, which the change affects){unchanged}",
                    names.join(", ")
                );
            }
            None => eprintln!("rebuilt in {ms} ms{unchanged}"),
        }
    }
    site
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
            retry_after: None,
        }
    }
}

fn respond(request: &Request, hosts: &AllowedHosts, live: &Live) -> Reply {
    let host = match &request.hosts[..] {
        [host] => Some(host.as_str()),
        [] if request.is_http_1_0 => None,
        [] => return misdirected(""),
        _ => return Reply::text(400, "more than one Host header\n"),
    };
    if let Some(host) = host.filter(|host| !hosts.allows(host)) {
        return misdirected(host);
    }
    match request.method.as_str() {
        "GET" | "HEAD" => route(&request.target, live),
        _ => Reply::text(405, "the preview answers GET and HEAD only\n"),
    }
}

/// 421: the request was meant for another host name, the case RFC 9110
/// 15.5.20 names; 403 would say the client lacks a permission.
fn misdirected(host: &str) -> Reply {
    // Echoed as plain text with nosniff; still, only printable ASCII.
    let shown: String = host
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(100)
        .collect();
    Reply::text(
        421,
        format!(
            "errorsmith serve answers only requests for localhost, 127.0.0.1, [::1] and the --bind address, \
not for Host `{shown}`, so that other web pages cannot read the preview (DNS rebinding).\n\
To preview under another name, start it with --allow-host NAME.\n"
        ),
    )
}

fn route(url: &str, live: &Live) -> Reply {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    if path == reload::ENDPOINT {
        return match live.wait_for_change(reload::since(query)) {
            Some(generation) => Reply::text(200, format!("{generation}\n")),
            None => Reply {
                retry_after: Some(1),
                ..Reply::text(503, "too many reload polls are waiting; retry\n")
            },
        };
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
            content_type: "application/json",
            body: bytes.clone(),
            ..Reply::text(200, "")
        },
        _ => Reply::text(200, String::from_utf8_lossy(bytes).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caught_turns_a_panic_into_its_message() {
        assert_eq!(caught(|| 7), Ok(7));
        assert_eq!(caught(|| -> u8 { panic!("static") }), Err("static".into()));
        let n = 3;
        assert_eq!(
            caught(|| -> u8 { panic!("built {n}") }),
            Err("built 3".into())
        );
    }

    #[test]
    fn browsable_url_shows_an_every_interface_bind_by_its_loopback_address() {
        let url = |a: &str| browsable_url(a.parse().unwrap());
        assert_eq!(url("0.0.0.0:4123"), "http://127.0.0.1:4123/");
        assert_eq!(url("[::]:4123"), "http://[::1]:4123/");
        assert_eq!(url("192.168.1.5:80"), "http://192.168.1.5:80/");
    }
}
