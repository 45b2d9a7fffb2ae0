//! Server configuration for a build: one module per server or proxy, each
//! turning the build's manifest (and, for HAProxy, the page bytes) into the
//! files that server needs.

use crate::output::OutputFile;
use anyhow::{Context, Result};
use clap::ValueEnum;
use std::path::Path;

pub mod apache;
pub mod caddy;
pub mod cloudflare;
pub mod cloudfront;
pub mod envoy;
pub mod haproxy;
mod input;
pub(crate) mod js;
pub mod lighttpd;
pub mod limits;
pub(crate) mod maintenance;
pub mod nginx;
pub mod traefik;
pub mod varnish;

pub use input::ServerInput;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Server {
    Nginx,
    Haproxy,
    Apache,
    Caddy,
    Lighttpd,
    Traefik,
    Varnish,
    /// Cloudflare: a Worker in front of the origin, and hosted error pages
    /// and Custom Error Rules for zones without one (opt-in via `targets`).
    Cloudflare,
    /// Envoy Gateway: ConfigMaps and a BackendTrafficPolicy (opt-in).
    Envoy,
    /// A CloudFormation stack: CloudFront with the pages in S3 (opt-in).
    Cloudfront,
}

/// What `build` writes when `targets` is absent: the servers and proxies,
/// whose configs are a few KB and cost nothing to write. Edge targets bundle
/// pages again (up to about a MB for the Worker), so only a build that lists them
/// pays for them.
pub fn default_targets() -> Vec<Server> {
    Server::SERVERS.to_vec()
}

impl Server {
    pub const SERVERS: [Server; 7] = [
        Server::Nginx,
        Server::Haproxy,
        Server::Apache,
        Server::Caddy,
        Server::Lighttpd,
        Server::Traefik,
        Server::Varnish,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Server::Nginx => "nginx",
            Server::Haproxy => "haproxy",
            Server::Apache => "apache",
            Server::Caddy => "caddy",
            Server::Lighttpd => "lighttpd",
            Server::Cloudflare => "cloudflare",
            Server::Envoy => "envoy",
            Server::Cloudfront => "cloudfront",
            Server::Traefik => "traefik",
            Server::Varnish => "varnish",
        }
    }
}

/// The files `server` needs, with paths relative to the output directory
/// (under `servers/`). The first file is the one to include.
pub fn files(server: Server, input: &ServerInput) -> Result<Vec<OutputFile>> {
    match server {
        Server::Nginx => nginx::files(input),
        Server::Haproxy => haproxy::files(input),
        Server::Apache => apache::files(input),
        Server::Caddy => caddy::files(input),
        Server::Lighttpd => lighttpd::files(input),
        Server::Cloudflare => cloudflare::files(input),
        Server::Envoy => envoy::files(input),
        Server::Cloudfront => cloudfront::files(input),
        Server::Traefik => traefik::files(input),
        Server::Varnish => varnish::files(input),
    }
}

/// One file of `server`'s configuration: the main one (to include), or the
/// one named like its path under `servers/` (`nginx-http.conf`).
pub fn config_file(server: Server, input: &ServerInput, name: Option<&str>) -> Result<OutputFile> {
    let files = files(server, input)?;
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.path.strip_prefix("servers/").unwrap_or(&f.path))
        .collect();
    let index = match name {
        None => 0,
        Some(name) => names.iter().position(|n| *n == name).ok_or_else(|| {
            anyhow::anyhow!(
                "{} has no file `{name}`; its files are: {}",
                server.name(),
                names.join(", ")
            )
        })?,
    };
    files
        .into_iter()
        .nth(index)
        .with_context(|| format!("no configuration for {}", server.name()))
}

/// The files of every target the build lists, for `build`.
pub fn all_files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    let mut targets = input.manifest.servers.targets.clone();
    targets.sort_unstable();
    targets.dedup();
    let mut out = Vec::new();
    for server in targets {
        out.extend(files(server, input)?);
    }
    Ok(out)
}

/// The pages directory as UTF-8 text that is safe to quote in `server`'s
/// config: a control character (a newline ends a directive) or one of
/// `unquotable` (characters that server's quoting cannot carry) is refused
/// rather than written.
pub(crate) fn config_path<'a>(
    server: Server,
    path: &'a Path,
    unquotable: &[char],
) -> Result<&'a str> {
    let text = path.to_str().with_context(|| {
        format!(
            "pages directory `{}` is not valid UTF-8, which {} configs cannot hold; move the pages to a plain path",
            path.display(),
            server.name()
        )
    })?;
    if let Some(bad) = text
        .chars()
        .find(|c| c.is_control() || unquotable.contains(c))
    {
        anyhow::bail!(
            "pages directory `{}` contains {bad:?}, which {} would read as part of its syntax; move the pages to a path without it",
            text.escape_debug(),
            server.name()
        );
    }
    Ok(text)
}

/// The URL prefix, checked again here because it is written unquoted into
/// server configs; `config` and the CLI already validate it.
pub(crate) fn url_prefix(input: &ServerInput) -> Result<&str> {
    let prefix = input.url_prefix();
    if !crate::config::is_url_prefix(prefix) {
        anyhow::bail!(
            "url_prefix `{prefix}` is not a plain path; use something like /_errors (letters, digits, -, _, /)"
        );
    }
    Ok(prefix)
}

/// Codes with a page at the top of the build (default locale), ascending,
/// each with the `Retry-After` seconds its content asks for.
pub(crate) fn top_level_pages(input: &ServerInput) -> Vec<(u16, Option<u32>)> {
    let mut pages: Vec<(u16, Option<u32>)> = input
        .manifest
        .pages
        .iter()
        .filter(|p| p.path == format!("{}.html", p.code))
        .map(|p| (p.code, p.retry_after))
        .collect();
    pages.sort_unstable();
    pages.dedup_by_key(|p| p.0);
    pages
}

/// The codes among `pages` whose content sets `Retry-After`, with its
/// seconds.
pub(crate) fn retry_afters(pages: &[(u16, Option<u32>)]) -> impl Iterator<Item = (u16, u32)> + '_ {
    pages
        .iter()
        .filter_map(|&(code, seconds)| seconds.map(|s| (code, s)))
}

/// The origin statuses edge targets (the Cloudflare Worker, Envoy
/// Gateway) answer for instead of the origin. By default every built
/// 5xx: those bodies are the origin's failure (a stack trace, a proxy's
/// page), while an API's own 4xx bodies tell its clients what to fix.
pub fn replaced_statuses(configured: &[u16], built: &[u16]) -> Result<Vec<u16>> {
    if configured.is_empty() {
        return Ok(built.iter().copied().filter(|c| *c >= 500).collect());
    }
    let mut codes = configured.to_vec();
    codes.sort_unstable();
    codes.dedup();
    if let Some(missing) = codes.iter().find(|c| !built.contains(c)) {
        anyhow::bail!(
            "`replace_statuses` lists {missing}, but the build has no page for it; add it to `codes` (or its content) or remove it from `replace_statuses`"
        );
    }
    Ok(codes)
}

/// What a server that negotiates like nginx needs from the manifest.
pub(crate) struct Negotiation {
    /// Validated language tags, longest first, so `pt-BR` is tried before
    /// `pt`.
    pub locales: Vec<String>,
    pub default_locale: String,
    /// Top-level codes that every locale has all three formats for at
    /// `<locale>/<code>.<ext>`, so a path built from negotiated parts
    /// always names a file; with their Retry-After seconds.
    pub codes: Vec<(u16, Option<u32>)>,
}

/// Page file extensions, as the negotiated format is named.
pub(crate) const EXTENSIONS: [&str; 3] = ["html", "json", "txt"];

/// [`Negotiation`] for `input`, refusing a manifest whose locales are not
/// plain language tags (they go into regexes and paths unquoted).
pub(crate) fn negotiation(input: &ServerInput) -> Result<Negotiation> {
    let manifest = &input.manifest;
    let mut locales: Vec<String> = Vec::new();
    for tag in manifest
        .pages
        .iter()
        .map(|p| &p.locale)
        .chain([&manifest.default_locale])
    {
        if !crate::catalog::is_locale_tag(tag) {
            anyhow::bail!(
                "the manifest lists locale `{tag}`, which is not a language tag such as `en` or `pt-BR`; rebuild with `errorsmith build`"
            );
        }
        if !locales.contains(tag) {
            locales.push(tag.clone());
        }
    }
    locales.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let paths: std::collections::BTreeSet<&str> =
        manifest.pages.iter().map(|p| p.path.as_str()).collect();
    let codes = top_level_pages(input)
        .into_iter()
        .filter(|(code, _)| {
            locales.iter().all(|locale| {
                EXTENSIONS
                    .iter()
                    .all(|ext| paths.contains(format!("{locale}/{code}.{ext}").as_str()))
            })
        })
        .collect();
    Ok(Negotiation {
        locales,
        default_locale: manifest.default_locale.clone(),
        codes,
    })
}

/// A double-quoted token of a config language whose only escape is `\"`
/// (Caddyfile, lighttpd). A backslash before the closing quote would escape
/// it, so callers refuse backslashes before quoting.
pub(crate) fn quote_escaping_quotes(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\\\""))
}

/// A generated config file at `path` (under `servers/`).
pub(crate) fn text_file(path: &str, text: String) -> OutputFile {
    OutputFile {
        path: path.into(),
        bytes: text.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_only_5xx_are_replaced_and_listed_codes_must_be_built() {
        let built = [404, 429, 500, 502, 503];
        assert_eq!(replaced_statuses(&[], &built).unwrap(), [500, 502, 503]);
        assert_eq!(
            replaced_statuses(&[503, 404, 503], &built).unwrap(),
            [404, 503]
        );
        let error = replaced_statuses(&[418], &built).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`replace_statuses` lists 418, but the build has no page for it; add it to `codes` (or its content) or remove it from `replace_statuses`"
        );
    }

    #[test]
    fn config_path_refuses_newlines_that_would_start_a_new_directive() {
        let path = Path::new("/srv/errors\nerrorfile 503 /etc/shadow");
        let error = config_path(Server::Haproxy, path, &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "pages directory `/srv/errors\\nerrorfile 503 /etc/shadow` contains '\\n', which haproxy would read as part of its syntax; move the pages to a path without it"
        );
    }

    #[test]
    fn config_path_refuses_what_the_server_cannot_quote_and_keeps_the_rest() {
        let error = config_path(Server::Caddy, Path::new("/srv/{env.HOME}"), &['{']).unwrap_err();
        assert!(
            error.to_string().contains("contains '{', which caddy"),
            "{error}"
        );
        let odd = Path::new("/srv/my \"odd\" dir's;#x");
        assert_eq!(
            config_path(Server::Apache, odd, &['$']).unwrap(),
            odd.to_str().unwrap()
        );
    }

    #[test]
    fn config_path_refuses_paths_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"/srv/\xff"));
        let error = config_path(Server::Lighttpd, path, &[]).unwrap_err();
        assert!(error.to_string().contains("not valid UTF-8"), "{error}");
    }

    #[test]
    fn quoting_escapes_quotes_and_keeps_the_rest() {
        assert_eq!(
            quote_escaping_quotes("/srv/my errors"),
            "\"/srv/my errors\""
        );
        assert_eq!(quote_escaping_quotes(r#"/a"b;#c'd"#), r#""/a\"b;#c'd""#);
        assert_eq!(
            quote_escaping_quotes("/srv/my errors/"),
            "\"/srv/my errors/\""
        );
        assert_eq!(quote_escaping_quotes(r#"/a"b;#c'd$e"#), r#""/a\"b;#c'd$e""#);
    }
}
