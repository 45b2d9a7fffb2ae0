//! Which `Host` a request may name. Answering only local names stops DNS
//! rebinding: a page on `evil.example` whose name is later pointed at
//! 127.0.0.1 reaches the preview's port, but its requests still say
//! `Host: evil.example`, so they are refused before any page is read.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A name or address the preview answers for, besides the built-in ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedHost {
    Ip(IpAddr),
    /// Lower-cased, without a trailing dot.
    Name(String),
}

/// Reads a `--allow-host` value: a host name or an IP address (IPv6 with
/// or without brackets), without scheme or port.
pub fn parse_allowed_host(value: &str) -> Result<AllowedHost, String> {
    let unbracketed = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(AllowedHost::Ip(ip));
    }
    match name(value) {
        Some(name) => Ok(AllowedHost::Name(name.to_ascii_lowercase())),
        None => Err(format!(
            "`{value}` is not a host name or IP address; give it without scheme or port, e.g. --allow-host preview.test"
        )),
    }
}

/// Everything a request's `Host` may name.
pub struct AllowedHosts {
    addresses: Vec<IpAddr>,
    names: Vec<String>,
}

impl AllowedHosts {
    /// `localhost`, 127.0.0.1, ::1, the address the server is bound to,
    /// and `extra`.
    pub fn new(bind: IpAddr, extra: &[AllowedHost]) -> AllowedHosts {
        let mut addresses = vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ];
        let mut names = vec!["localhost".to_string()];
        addresses.push(bind);
        for host in extra {
            match host {
                AllowedHost::Ip(ip) => addresses.push(*ip),
                AllowedHost::Name(name) => names.push(name.clone()),
            }
        }
        AllowedHosts { addresses, names }
    }

    /// Whether a `Host` header value (`name`, `name:port`, `1.2.3.4:port`,
    /// `[v6]` or `[v6]:port`) names this preview. Any well-formed port is
    /// accepted: the name is what rebinding cannot fake, and a forwarded
    /// port (`ssh -L 8080:localhost:4000`) arrives with the client's port.
    pub fn allows(&self, host: &str) -> bool {
        match parse_host(host) {
            Some(Host::Ip(ip)) => self.addresses.contains(&ip),
            Some(Host::Name(name)) => self.names.iter().any(|n| n.eq_ignore_ascii_case(name)),
            None => false,
        }
    }
}

enum Host<'a> {
    Ip(IpAddr),
    Name(&'a str),
}

/// The host of a `Host` value, or None when the value is malformed
/// (a bad port, an IPv6 address without brackets, stray characters).
fn parse_host(value: &str) -> Option<Host<'_>> {
    if let Some(rest) = value.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = inside.parse().ok()?;
        return is_port_suffix(after).then_some(Host::Ip(IpAddr::V6(ip)));
    }
    let (host, port) = match value.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (value, None),
    };
    if port.is_some_and(|port| !is_port_suffix(&format!(":{port}"))) {
        return None;
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(Host::Ip(IpAddr::V4(ip)));
    }
    name(host).map(Host::Name)
}

/// Nothing, or `:` and a port number (RFC 3986 allows an empty one).
fn is_port_suffix(text: &str) -> bool {
    match text.strip_prefix(':') {
        None => text.is_empty(),
        Some("") => true,
        Some(port) => port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok(),
    }
}

/// A DNS name without its trailing dot (`localhost.` is `localhost`).
fn name(text: &str) -> Option<&str> {
    let text = text.strip_suffix('.').unwrap_or(text);
    let valid = !text.is_empty()
        && !text.starts_with('.')
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    valid.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_local_names_the_bind_address_and_added_names_only() {
        let extra = [
            parse_allowed_host("Preview.Test").unwrap(),
            parse_allowed_host("[fd00::7]").unwrap(),
        ];
        let hosts = AllowedHosts::new("192.168.1.5".parse().unwrap(), &extra);
        for good in [
            "localhost",
            "localhost:4000",
            "LocalHost:4000",
            "localhost.",
            "localhost:",
            "127.0.0.1",
            "127.0.0.1:4000",
            "[::1]",
            "[::1]:4000",
            "[0:0:0:0:0:0:0:1]:4000",
            "192.168.1.5:4000",
            "preview.test",
            "PREVIEW.test:8080",
            "[fd00::7]:4000",
        ] {
            assert!(hosts.allows(good), "{good} refused");
        }
        for bad in [
            "",
            "evil.example",
            "localhost.evil.com",
            "localhost.evil.com:4000",
            "evil.localhost",
            "127.0.0.1.nip.io",
            "127.0.0.2",
            "0x7f.0.0.1",
            "::1",
            "[::1",
            "[::1]x",
            "[::1]:port",
            "localhost:99999",
            "localhost:4000:4000",
            "localhost:+80",
            "local host",
            "localhost/x",
            "user@localhost",
            "sub.preview.test",
            "[::ffff:127.0.0.1]",
        ] {
            assert!(!hosts.allows(bad), "{bad} allowed");
        }
    }

    #[test]
    fn parse_allowed_host_takes_names_and_addresses_but_no_ports() {
        assert_eq!(
            parse_allowed_host("Preview.Test."),
            Ok(AllowedHost::Name("preview.test".into()))
        );
        assert_eq!(
            parse_allowed_host("::1"),
            Ok(AllowedHost::Ip("::1".parse().unwrap()))
        );
        assert_eq!(
            parse_allowed_host("10.0.0.2"),
            Ok(AllowedHost::Ip("10.0.0.2".parse().unwrap()))
        );
        assert_eq!(
            parse_allowed_host("preview.test:8080"),
            Err("`preview.test:8080` is not a host name or IP address; give it without scheme or port, e.g. --allow-host preview.test".into())
        );
        assert!(parse_allowed_host("http://x").is_err());
        assert!(parse_allowed_host("").is_err());
    }
}
