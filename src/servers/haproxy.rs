//! HAProxy: one raw HTTP response per code (`errorfile`), and an
//! `http-errors` section that lists them.
//!
//! HAProxy reads each errorfile once at start-up and sends it byte for
//! byte, so the file holds the status line, headers and body, and must fit
//! the buffer HAProxy builds responses in.

use super::{Server, ServerInput};
use crate::output::OutputFile;
use anyhow::Result;

/// `tune.bufsize` (16384) minus `tune.maxrewrite` (1024), HAProxy's
/// defaults: the most an errorfile may hold, headers included.
pub const MAX_RESPONSE_BYTES: usize = 16384 - 1024;

/// The name of the `http-errors` section, for `errorfiles errorsmith`.
pub const SECTION: &str = "errorsmith";

/// The codes HAProxy 2.6 generates itself and accepts in `errorfile`
/// (`haproxy -c` refuses others, e.g. 414 and 431), with their reason
/// phrases.
const CODES: [(u16, &str); 17] = [
    (400, "Bad Request"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (404, "Not Found"),
    (405, "Method Not Allowed"),
    (407, "Proxy Authentication Required"),
    (408, "Request Timeout"),
    (410, "Gone"),
    (413, "Content Too Large"),
    (421, "Misdirected Request"),
    (425, "Too Early"),
    (429, "Too Many Requests"),
    (500, "Internal Server Error"),
    (501, "Not Implemented"),
    (502, "Bad Gateway"),
    (503, "Service Unavailable"),
    (504, "Gateway Timeout"),
];

/// `haproxy.cfg` (the `http-errors` section) first, then `haproxy/NNN.http`
/// for every code HAProxy can send that the build has a page for.
pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    // Single-quoted HAProxy strings are literal, and `'\''` carries a quote.
    let dir = super::config_path(Server::Haproxy, &input.pages_dir, &[])?;
    let mut responses = Vec::new();
    let mut section = String::new();
    let mut too_big = Vec::new();
    for (code, retry_after) in super::top_level_pages(input) {
        let Some(reason) = reason(code) else {
            continue;
        };
        let page = format!("{code}.html");
        let Some(body) = input.pages.get(&page) else {
            continue;
        };
        let path = format!("servers/haproxy/{code}.http");
        let bytes = response(code, reason, retry_after, body);
        if bytes.len() > MAX_RESPONSE_BYTES {
            too_big.push(format!(
                "page `{page}` makes a {} byte HAProxy errorfile (`{path}`), more than the {MAX_RESPONSE_BYTES} bytes HAProxy can send (tune.bufsize 16384 - tune.maxrewrite 1024, headers included); shorten its content or theme by {} bytes, leave {code} out of `codes`, or haproxy out of `targets`",
                bytes.len(),
                bytes.len() - MAX_RESPONSE_BYTES
            ));
            continue;
        }
        section.push_str(&format!(
            "    errorfile {code} {}\n",
            quote(&format!("{dir}/{path}"))
        ));
        responses.push(OutputFile { path, bytes });
    }
    if !too_big.is_empty() {
        return Err(crate::error_list("HAProxy errorfiles", too_big));
    }
    let mut out = vec![super::text_file("servers/haproxy.cfg", config(&section))];
    out.extend(responses);
    out.push(super::text_file(
        MAINTENANCE_RULES,
        maintenance_rules(input, dir)?,
    ));
    out.push(super::text_file(
        MAINTENANCE_SWITCH,
        "# errorsmith maintenance switch for HAProxy: empty means off. Switch on\n\
         # and off at run time with the stats socket (see haproxy-maintenance.cfg).\n"
            .into(),
    ));
    Ok(out)
}

/// The lines to paste into a `frontend` (HAProxy has no include) and the
/// ACL file that is the switch.
pub const MAINTENANCE_RULES: &str = "servers/haproxy-maintenance.cfg";
pub const MAINTENANCE_SWITCH: &str = "servers/haproxy-maintenance.acl";

/// The maintenance switch. HAProxy cannot test a file per request, so the
/// switch is an ACL file it loads empty at start-up and that the runtime
/// API fills (`add acl <file> on`) and empties (`del acl <file> on`);
/// a reload starts off again. Staff (`maintenance.allow`, `src`: the
/// peer address) and `maintenance.paths` pass; everyone else gets the
/// 503 errorfile through `deny_status 503`.
fn maintenance_rules(input: &ServerInput, dir: &str) -> Result<String> {
    let (networks, paths) = super::maintenance::bypasses(input, Server::Haproxy)?;
    let acl = quote(&format!("{dir}/{MAINTENANCE_SWITCH}"));
    let mut out = format!(
        "# errorsmith maintenance switch for HAProxy. Paste these lines into each\n\
         # frontend that uses `errorfiles {SECTION}`, before its other rules.\n\
         # Switch on and off at run time (stats socket at level admin):\n\
         #     echo \"add acl {acl_path} on\" | socat stdio /run/haproxy/admin.sock\n\
         #     echo \"del acl {acl_path} on\" | socat stdio /run/haproxy/admin.sock\n\
         # A reload or restart starts with it off (the file is empty).\n\
         acl errorsmith_maintenance str(on) -m str -f {acl}\n",
        acl_path = format!("{dir}/{MAINTENANCE_SWITCH}"),
    );
    let mut unless = String::new();
    if !paths.is_empty() {
        // Single-quoted: the regex's backslashes reach HAProxy as written.
        out.push_str(&format!(
            "acl errorsmith_maintenance_path path_reg {}\n",
            quote(&super::maintenance::path_regex(&paths))
        ));
        unless.push_str(" !errorsmith_maintenance_path");
        // HAProxy matches the raw path and does not resolve `..`, so
        // `/healthz/../admin` would pass as a health check: a path with a
        // dot segment or an encoded dot, slash or backslash never bypasses.
        out.push_str(&format!(
            "acl errorsmith_maintenance_dotted path_reg -i {}
",
            quote(super::maintenance::DOTTED_PATH)
        ));
    }
    if !networks.is_empty() {
        let list: Vec<String> = networks.iter().map(|n| n.to_string()).collect();
        out.push_str(&format!("acl errorsmith_staff src {}\n", list.join(" ")));
        unless.push_str(" !errorsmith_staff");
    }
    let staff = if networks.is_empty() {
        ""
    } else {
        " !errorsmith_staff"
    };
    let dotted = if paths.is_empty() {
        String::new()
    } else {
        format!(" || errorsmith_maintenance errorsmith_maintenance_dotted{staff}")
    };
    out.push_str(&format!(
        "http-request deny deny_status 503 if errorsmith_maintenance{unless}{dotted}\n"
    ));
    Ok(out)
}

fn reason(code: u16) -> Option<&'static str> {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, r)| *r)
}

fn config(errorfiles: &str) -> String {
    format!(
        "# errorsmith error pages for HAProxy 2.2 or later.\n\
         # Load this file after yours with a second -f, do not append it to\n\
         # haproxy.cfg (a second append fails: the section already exists):\n\
         #     haproxy -f /etc/haproxy/haproxy.cfg -f <this file>\n\
         # (Debian: add `-f <this file>` to EXTRAOPTS in /etc/default/haproxy),\n\
         # and name it where errors should use it, in a defaults, frontend or\n\
         # backend section:\n\
         #     errorfiles {SECTION}\n\
         # HAProxy reads the files once at start-up: reload it after every build.\n\
         # They replace only the errors HAProxy makes itself (no server, timeouts,\n\
         # denied or bad requests), not the errors a server returns.\n\
         http-errors {SECTION}\n\
         {errorfiles}"
    )
}

/// A complete HTTP/1.1 response: HAProxy sends it as it is, so it carries
/// its own length and closes the connection.
fn response(code: u16, reason: &str, retry_after: Option<u32>, body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {code} {reason}\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Cache-Control: no-store\r\n\
         Connection: close\r\n",
        body.len()
    );
    if let Some(seconds) = retry_after {
        head.push_str(&format!("Retry-After: {seconds}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A single-quoted HAProxy argument: nothing inside is interpreted (no
/// `#` comments, `$` variables or `\` escapes), and a quote closes the
/// string, adds an escaped quote and reopens it.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_spaces_hashes_dollars_and_quotes_literal() {
        assert_eq!(quote("/srv/my errors"), "'/srv/my errors'");
        assert_eq!(quote("/a#b${X}\\c"), "'/a#b${X}\\c'");
        assert_eq!(quote("/it's"), r"'/it'\''s'");
    }

    #[test]
    fn response_has_exact_length_and_crlf_headers() {
        let bytes = response(503, "Service Unavailable", Some(120), b"<p>down</p>");
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 11\r\nCache-Control: no-store\r\nConnection: close\r\nRetry-After: 120\r\n\r\n<p>down</p>"
        );
    }

    #[test]
    fn codes_are_ascending_and_unique() {
        assert!(CODES.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
