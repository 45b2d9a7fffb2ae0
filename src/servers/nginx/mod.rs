//! nginx: three files made from one validated `Plan`, each by its own
//! module: the server include (`server`: `error_page` + an `internal`
//! location), the http-level include (`http`: trusted networks, locale and
//! format negotiation) and the ingress-nginx default backend (`backend`);
//! and here the SSI markup for the developer part.
//!
//! Every value that reaches the config is checked here again (the manifest
//! is a file on disk), so nothing can end a token and start a directive.

mod backend;
mod http;
pub(crate) use http::Q_BUCKETS;
mod server;

use super::{Server, ServerInput};
use crate::catalog::is_locale_tag;
use crate::config::{Network, is_url_prefix};
use crate::output::OutputFile;
use crate::render::{RequestField, SsiMarkup};
use crate::strings::Strings;
use anyhow::{Result, bail};
use std::collections::BTreeMap;

pub const INCLUDE: &str = "servers/nginx.conf";
pub const HTTP_INCLUDE: &str = "servers/nginx-http.conf";
pub const DEFAULT_BACKEND: &str = "servers/nginx-default-backend.conf";

/// The port ingress-nginx's default backend Service targets by convention.
pub const DEFAULT_BACKEND_PORT: u16 = 8080;

/// Everything the nginx files are made of, validated.
struct Plan {
    prefix: String,
    /// Absolute, with a trailing `/`; safe inside double quotes.
    pages_dir: String,
    /// Code -> Retry-After seconds, for codes with a top-level HTML page.
    codes: BTreeMap<u16, Option<u32>>,
    /// Longest first, so `pt-BR` is tried before `pt`.
    locales: Vec<String>,
    default_locale: String,
    /// Written with `Network`'s `Display`, the form nginx `geo` reads.
    networks: Vec<Network>,
    ssi: bool,
    /// Pages include `<locale>/reference.html` (`visitor_reference`).
    reference: bool,
    /// Who and what the maintenance switch lets through.
    maintenance_networks: Vec<Network>,
    maintenance_paths: Vec<String>,
}

pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    let plan = Plan::new(input)?;
    Ok(vec![
        super::text_file(INCLUDE, server::server_include(&plan)),
        super::text_file(HTTP_INCLUDE, http::http_include(&plan)),
        super::text_file(DEFAULT_BACKEND, backend::default_backend(&plan)),
    ])
}

impl Plan {
    fn new(input: &ServerInput) -> Result<Plan> {
        let manifest = &input.manifest;
        if !is_url_prefix(input.url_prefix()) {
            bail!(
                "URL prefix `{}` cannot go into an nginx config; use a path such as `/_errors` made of letters, digits, `-`, `_` and `/`",
                input.url_prefix()
            );
        }
        let mut networks = Vec::new();
        for network in input.trusted_networks() {
            match Network::parse(network) {
                Ok(parsed) => networks.push(parsed),
                Err(fix) => {
                    bail!("trusted network `{network}` cannot go into an nginx config; {fix}")
                }
            }
        }
        let mut locales: Vec<String> = Vec::new();
        for tag in manifest
            .pages
            .iter()
            .map(|p| &p.locale)
            .chain([&manifest.default_locale])
        {
            if !is_locale_tag(tag) {
                bail!(
                    "the manifest lists locale `{tag}`, which is not a language tag such as `en` or `pt-BR`; rebuild with `errorsmith build`"
                );
            }
            if !locales.contains(tag) {
                locales.push(tag.clone());
            }
        }
        locales.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let mut codes = BTreeMap::new();
        for page in manifest.pages.iter().filter(|p| is_top_level_html(&p.path)) {
            // nginx rejects `error_page 499` and sends nothing for 444.
            if !(400..=599).contains(&page.code) || matches!(page.code, 444 | 494..=499) {
                bail!(
                    "the manifest lists a page for {}, which nginx cannot serve with error_page; remove it from the content",
                    page.code
                );
            }
            codes.insert(page.code, page.retry_after);
        }
        let (maintenance_networks, maintenance_paths) =
            super::maintenance::bypasses(input, Server::Nginx)?;
        Ok(Plan {
            maintenance_networks,
            maintenance_paths,
            prefix: input.url_prefix().to_string(),
            pages_dir: quotable_dir(&input.pages_dir)?,
            codes,
            locales,
            default_locale: manifest.default_locale.clone(),
            networks,
            ssi: manifest.developer == "ssi",
            reference: input.manifest.servers.visitor_reference,
        })
    }

    /// Whether pages hold SSI for nginx to process: the developer include
    /// or the visitor reference.
    fn processes_ssi(&self) -> bool {
        self.ssi || self.reference
    }

    /// The code nginx's own 494 (request header too large, sent as 400)
    /// is shown as: the standard 431 when built.
    fn header_too_large_code(&self) -> Option<u16> {
        [431, 400].into_iter().find(|c| self.codes.contains_key(c))
    }

    /// Flag file: outside the build folder, so a rebuild during
    /// maintenance does not switch maintenance off.
    fn maintenance_flag(&self) -> String {
        format!("{}.maintenance", self.pages_dir.trim_end_matches('/'))
    }
}

fn is_top_level_html(path: &str) -> bool {
    !path.contains('/') && path.ends_with(".html")
}

/// nginx has no escape for `$` and reads `\` inside quotes, so a path is
/// refused rather than escaped when it holds either, a quote or a control
/// character.
fn quotable_dir(dir: &std::path::Path) -> Result<String> {
    if let Some(text) = dir.to_str().filter(|t| !t.starts_with('/')) {
        bail!("pages directory `{text}` is not absolute; pass an absolute --pages path");
    }
    let text = super::config_path(Server::Nginx, dir, &['"', '\'', '\\', '$'])?;
    Ok(format!("{}/", text.trim_end_matches('/')))
}

/// The nginx variable that decides who sees the developer part; the server
/// config sets it from a `geo` block of trusted networks.
pub const DEVELOPER_VARIABLE: &str = "errorsmith_developer";

/// The request id the fragment shows: nginx's `$request_id`, or ingress's
/// `X-Request-ID` in the default backend.
pub(crate) const REQUEST_ID_VARIABLE: &str = "errorsmith_request_id";

/// SSI variable the page sets for the fragment, because an SSI subrequest
/// has no upstream of its own and would show an empty `$upstream_status`.
pub(crate) const UPSTREAM_STATUS_VARIABLE: &str = "errorsmith_upstream_status";

/// The SSI markup that prints `variable` as HTML text. encoding is sticky
/// across echoes in nginx, so it is named every time; entity encoding
/// covers < > & ".
pub(crate) fn echo(variable: &str) -> String {
    format!("<!--# echo var=\"{variable}\" encoding=\"entity\" default=\"\" -->")
}

pub struct NginxSsi {
    /// Validated by `config::is_url_prefix`.
    pub url_prefix: String,
}

impl SsiMarkup for NginxSsi {
    /// Fails closed: where SSI is off, the page holds only inert comments.
    fn developer_include(&self, locale_dir: &str, code: u16) -> String {
        format!(
            "<!--# if expr=\"${DEVELOPER_VARIABLE}\" --><!--# set var=\"{UPSTREAM_STATUS_VARIABLE}\" value=\"$upstream_status\" --><!--# include virtual=\"{}/{}developer/{code}.html\" --><!--# endif -->",
            self.url_prefix, locale_dir
        )
    }

    fn request_fields(&self, strings: &Strings) -> Vec<RequestField> {
        let field = |label: &Option<String>, variable: &str| RequestField {
            label: label.clone().unwrap_or_default(),
            value: echo(variable),
        };
        vec![
            field(&strings.request_id, REQUEST_ID_VARIABLE),
            field(&strings.request_time, "time_iso8601"),
            field(&strings.request_host, "host"),
            field(&strings.request_uri, "request_uri"),
            field(&strings.upstream_status, UPSTREAM_STATUS_VARIABLE),
        ]
    }

    fn reference_include(&self, locale_dir: &str) -> String {
        format!(
            "<!--# include virtual=\"{}/{locale_dir}{REFERENCE_FILE}\" -->",
            self.url_prefix
        )
    }

    /// The label is HTML-escaped; the id is entity-encoded by nginx (and
    /// replaced by Varnish with its transaction id, digits only).
    fn reference_fragment(&self, strings: &Strings) -> String {
        let label = strings.reference.as_deref().unwrap_or("Reference");
        format!(
            "<p class=\"reference\">{}: <code><!--# echo var=\"{REQUEST_ID_VARIABLE}\" encoding=\"entity\" default=\"\" --></code></p>\n",
            html_escape(label)
        )
    }
}

/// The file, in each locale's folder, that shows the visitor reference.
pub const REFERENCE_FILE: &str = "reference.html";

pub(crate) fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
        // Varnish puts the fragment through regsub, where `\1` is special.
        .replace('\\', "&#92;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Manifest;

    pub(super) fn input(developer: &str, locales: &[&str]) -> ServerInput {
        let mut pages = Vec::new();
        for (code, retry) in [(404, None), (503, Some(120)), (429, Some(60)), (431, None)] {
            pages.push(serde_json::json!({"code": code, "locale": "en", "format": "html",
                "theme": "default", "path": format!("{code}.html"), "bytes": 1, "retry_after": retry}));
            for locale in locales {
                pages.push(
                    serde_json::json!({"code": code, "locale": locale, "format": "html",
                    "theme": "default", "path": format!("{locale}/{code}.html"), "bytes": 1}),
                );
            }
        }
        let manifest: Manifest = serde_json::from_value(serde_json::json!({
            "generator": "errorsmith", "version": "0", "theme": "default",
            "developer": developer, "default_locale": "en", "pages": pages,
            "servers": {"url_prefix": "/_errors", "trusted_networks": ["10.0.0.0/8", "::1"]},
        }))
        .unwrap();
        ServerInput {
            manifest,
            pages: Default::default(),
            files: Default::default(),
            pages_dir: "/srv/errors".into(),
        }
    }

    pub(super) fn text(input: &ServerInput, path: &str) -> String {
        let files = files(input).unwrap();
        let file = files.iter().find(|f| f.path == path).unwrap();
        String::from_utf8(file.bytes.clone()).unwrap()
    }

    #[test]
    fn files_come_in_order_and_are_deterministic() {
        let input = input("ssi", &["de", "pt-BR"]);
        let first = files(&input).unwrap();
        let paths: Vec<&str> = first.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, [INCLUDE, HTTP_INCLUDE, DEFAULT_BACKEND]);
        let second = files(&input).unwrap();
        for (a, b) in first.iter().zip(&second) {
            assert_eq!(a.bytes, b.bytes, "{}", a.path);
        }
    }

    #[test]
    fn ssi_is_on_only_for_ssi_builds() {
        for (mode, expected) in [("ssi", true), ("hidden", false), ("strip", false)] {
            let input = input(mode, &[]);
            for path in [INCLUDE, DEFAULT_BACKEND] {
                assert_eq!(
                    text(&input, path).contains("ssi on;"),
                    expected,
                    "{mode} {path}"
                );
            }
        }
    }

    /// README: "The include switches `ssi on` only in its own pages
    /// location": every `ssi on;` sits in a `location` block that serves
    /// errorsmith's prefix, none at server or http level.
    #[test]
    fn ssi_on_sits_only_in_the_pages_locations() {
        let input = input("ssi", &["de"]);
        for path in [INCLUDE, HTTP_INCLUDE, DEFAULT_BACKEND] {
            let conf = text(&input, path);
            let mut blocks: Vec<String> = Vec::new();
            let mut seen = 0;
            for line in conf.lines().map(str::trim) {
                if line.starts_with('#') {
                    continue;
                }
                if line == "ssi on;" {
                    let innermost = blocks.last().map(String::as_str).unwrap_or("");
                    assert!(
                        innermost.starts_with("location ^~ /_errors/")
                            || innermost.starts_with("location ~ \"^/_errors/"),
                        "{path}: `ssi on;` inside `{innermost}`"
                    );
                    seen += 1;
                }
                if let Some(head) = line.strip_suffix('{') {
                    blocks.push(head.trim().to_string());
                } else if line == "}" {
                    blocks.pop().expect("balanced braces");
                }
            }
            assert!(blocks.is_empty(), "{path}: unbalanced braces");
            let expected = if path == HTTP_INCLUDE { 0 } else { 2 };
            assert_eq!(seen, expected, "{path}");
        }
    }

    /// README: the default backend is a complete `server {}` on port 8080,
    /// the port ingress-nginx's default-backend Service targets.
    #[test]
    fn the_default_backend_listens_on_8080() {
        let conf = text(&input("hidden", &[]), DEFAULT_BACKEND);
        assert!(conf.contains("server {\n    listen 8080;\n"), "{conf}");
    }

    type Change = fn(&mut ServerInput);

    #[test]
    fn values_that_could_inject_a_directive_are_refused() {
        let cases: [(&str, Change); 10] = [
            ("maintenance path", |i| {
                i.manifest.servers.maintenance_paths = vec!["/x\") { return 200; } #".into()]
            }),
            ("maintenance network", |i| {
                i.manifest.servers.maintenance_allow = vec!["0.0.0.0/0 1; }".into()]
            }),
            ("prefix", |i| {
                i.manifest.servers.url_prefix = "/e;return 200".into()
            }),
            ("prefix space", |i| {
                i.manifest.servers.url_prefix = "/e rrors".into()
            }),
            ("network", |i| {
                i.manifest.servers.trusted_networks = vec!["all; deny".into()]
            }),
            ("quote", |i| i.pages_dir = "/srv/x\";root /".into()),
            ("dollar", |i| i.pages_dir = "/srv/$document_root".into()),
            ("newline", |i| i.pages_dir = "/srv/x\nroot /;".into()),
            ("relative", |i| i.pages_dir = "srv/errors".into()),
            ("locale", |i| i.manifest.pages[1].locale = "de|.*".into()),
        ];
        for (name, change) in cases {
            let mut input = input("hidden", &["de"]);
            change(&mut input);
            assert!(files(&input).is_err(), "{name} was accepted");
        }
        let mut input = input("hidden", &[]);
        input.manifest.pages[0].code = 499;
        let error = files(&input).unwrap_err().to_string();
        assert!(error.contains("499"), "{error}");
    }

    #[test]
    fn include_is_wrapped_in_a_condition_and_points_at_the_fragment() {
        let ssi = NginxSsi {
            url_prefix: "/_errors".into(),
        };
        assert_eq!(
            ssi.developer_include("de/", 502),
            "<!--# if expr=\"$errorsmith_developer\" --><!--# set var=\"errorsmith_upstream_status\" value=\"$upstream_status\" --><!--# include virtual=\"/_errors/de/developer/502.html\" --><!--# endif -->"
        );
    }

    #[test]
    fn every_echo_names_its_encoding() {
        let ssi = NginxSsi {
            url_prefix: "/_errors".into(),
        };
        for field in ssi.request_fields(&Strings::default()) {
            assert!(
                field.value.contains("encoding=\"entity\""),
                "{}",
                field.value
            );
            assert!(field.value.contains("default=\"\""), "{}", field.value);
        }
    }
}
