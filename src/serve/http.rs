//! Just enough HTTP/1.1 for the preview: one GET or HEAD per connection,
//! read from a header of bounded size and answered with
//! `Connection: close`, so no request body or keep-alive state exists.

use std::io::{self, Write};

/// Larger headers get 431; browsers send well under 8 KiB.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

pub struct Request {
    pub method: String,
    /// The origin-form target: path and query.
    pub target: String,
    /// HTTP/1.0 predates `Host`; HTTP/1.1 requires it.
    pub is_http_1_0: bool,
    /// Every `Host` value; more than one is a bad request.
    pub hosts: Vec<String>,
    /// Bytes followed the header (a body or a pipelined request): read
    /// them before closing, or the kernel resets the connection and the
    /// client may lose the response.
    pub has_more: bool,
}

pub enum Parsed {
    /// No complete header yet; read more.
    Incomplete,
    Request(Request),
    /// Answer this status and close.
    Bad(u16, &'static str),
}

/// Parses the header at the start of `buffer`.
pub fn parse(buffer: &[u8]) -> Parsed {
    let Some(end) = header_end(buffer) else {
        return if buffer.len() >= MAX_HEADER_BYTES {
            Parsed::Bad(431, "the request header is too large\n")
        } else {
            Parsed::Incomplete
        };
    };
    if end > MAX_HEADER_BYTES {
        return Parsed::Bad(431, "the request header is too large\n");
    }
    let Ok(head) = std::str::from_utf8(&buffer[..end]) else {
        return Parsed::Bad(400, "the request header is not UTF-8\n");
    };
    // RFC 9112 2.2: ignore empty lines before the request line.
    let mut lines = head.lines().skip_while(|line| line.is_empty());
    let request_line: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
    let [method, target, version] = request_line[..] else {
        return Parsed::Bad(400, "malformed request line\n");
    };
    let is_http_1_0 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Parsed::Bad(505, "the preview speaks HTTP/1.0 and HTTP/1.1\n"),
    };
    // Only origin-form: an absolute URL would name a host of its own.
    if !target.starts_with('/') {
        return Parsed::Bad(400, "the request target must be a path\n");
    }
    let mut hosts = Vec::new();
    let mut has_body = false;
    for line in lines.take_while(|line| !line.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Parsed::Bad(400, "malformed header line\n");
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return Parsed::Bad(400, "malformed header name\n");
        }
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("host") {
            hosts.push(value.to_string());
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            has_body = true;
        }
    }
    Parsed::Request(Request {
        method: method.to_string(),
        target: target.to_string(),
        is_http_1_0,
        hosts,
        has_more: has_body || buffer.len() > end,
    })
}

/// Where the header ends, after its blank line (CRLF or bare LF).
fn header_end(buffer: &[u8]) -> Option<usize> {
    let window = &buffer[..buffer.len().min(MAX_HEADER_BYTES + 4)];
    let crlf = window
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = window.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Seconds, for a 503.
    pub retry_after: Option<u32>,
}

impl Reply {
    pub fn text(status: u16, text: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: text.into().into_bytes(),
            retry_after: None,
        }
    }

    /// Writes the whole response; the body only when `with_body`.
    pub fn write_to(&self, out: &mut impl Write, with_body: bool) -> io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        if self.status == 405 {
            head.push_str("Allow: GET, HEAD\r\n");
        }
        if let Some(seconds) = self.retry_after {
            head.push_str(&format!("Retry-After: {seconds}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        if with_body {
            bytes.extend_from_slice(&self.body);
        }
        out.write_all(&bytes)?;
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(raw: &str) -> Request {
        match parse(raw.as_bytes()) {
            Parsed::Request(request) => request,
            Parsed::Incomplete => panic!("incomplete: {raw:?}"),
            Parsed::Bad(status, why) => panic!("{status} {why}: {raw:?}"),
        }
    }

    fn status(raw: &[u8]) -> Option<u16> {
        match parse(raw) {
            Parsed::Bad(status, _) => Some(status),
            _ => None,
        }
    }

    #[test]
    fn parse_reads_method_target_and_every_host() {
        let get = request("GET /a?b=1 HTTP/1.1\r\nhost: x\r\nHOST:  y \r\n\r\n");
        assert_eq!(
            (get.method.as_str(), get.target.as_str()),
            ("GET", "/a?b=1")
        );
        assert_eq!(get.hosts, ["x", "y"]);
        assert!(!get.is_http_1_0 && !get.has_more);
        let old = request("\r\nHEAD / HTTP/1.0\n\n");
        assert!(old.is_http_1_0 && old.hosts.is_empty());
        assert!(request("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").has_more);
        assert!(request("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n").has_more);
    }

    #[test]
    fn parse_waits_for_the_blank_line_and_refuses_what_is_not_a_plain_request() {
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost: x\r\n"),
            Parsed::Incomplete
        ));
        assert_eq!(status(&vec![b'a'; MAX_HEADER_BYTES]), Some(431));
        assert_eq!(status(b"GET http://evil/ HTTP/1.1\r\n\r\n"), Some(400));
        assert_eq!(status(b"GET / HTTP/2\r\n\r\n"), Some(505));
        assert_eq!(status(b"GET  / HTTP/1.1\r\n\r\n"), Some(400));
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost x\r\n\r\n"), Some(400));
        assert_eq!(status(b"GET / HTTP/1.1\r\n Host: x\r\n\r\n"), Some(400));
    }
}
