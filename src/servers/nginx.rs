//! nginx: the server include (`error_page` + an `internal` location), the
//! http-level include (trusted networks, locale and format negotiation),
//! the ingress-nginx default backend, and the SSI markup for the developer
//! part.
//!
//! Every value that reaches the config is checked here again (the manifest
//! is a file on disk), so nothing can end a token and start a directive.

use super::ServerInput;
use crate::catalog::is_locale_tag;
use crate::config::{is_network, is_url_prefix};
use crate::output::OutputFile;
use crate::render::{RequestField, SsiMarkup};
use crate::strings::Strings;
use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub const INCLUDE: &str = "servers/nginx.conf";
pub const HTTP_INCLUDE: &str = "servers/nginx-http.conf";
pub const DEFAULT_BACKEND: &str = "servers/nginx-default-backend.conf";

/// The port ingress-nginx's default backend Service targets by convention.
pub const DEFAULT_BACKEND_PORT: u16 = 8080;

/// Page formats by file extension, in the order `try_files` prefers them.
const FORMATS: [(&str, &str); 3] = [
    ("html", "text/html"),
    ("json", "application/problem+json"),
    ("txt", "text/plain"),
];

/// Accept-Language buckets by q-value, best first: (name, regex for the
/// q parameter). q=0 means "not acceptable" and is in no bucket.
const Q_BUCKETS: [(&str, &str); 11] = [
    ("q10", r"(?:\s*;\s*q\s*=\s*1(?:\.0{0,3})?)?"),
    ("q9", r"\s*;\s*q\s*=\s*0?\.9[0-9]{0,2}"),
    ("q8", r"\s*;\s*q\s*=\s*0?\.8[0-9]{0,2}"),
    ("q7", r"\s*;\s*q\s*=\s*0?\.7[0-9]{0,2}"),
    ("q6", r"\s*;\s*q\s*=\s*0?\.6[0-9]{0,2}"),
    ("q5", r"\s*;\s*q\s*=\s*0?\.5[0-9]{0,2}"),
    ("q4", r"\s*;\s*q\s*=\s*0?\.4[0-9]{0,2}"),
    ("q3", r"\s*;\s*q\s*=\s*0?\.3[0-9]{0,2}"),
    ("q2", r"\s*;\s*q\s*=\s*0?\.2[0-9]{0,2}"),
    ("q1", r"\s*;\s*q\s*=\s*0?\.1[0-9]{0,2}"),
    ("q0", r"\s*;\s*q\s*=\s*0?\.0(?:[1-9][0-9]?|0[1-9])"),
];

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
    networks: Vec<String>,
    ssi: bool,
}

pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    let plan = Plan::new(input)?;
    Ok(vec![
        file(INCLUDE, server_include(&plan)),
        file(HTTP_INCLUDE, http_include(&plan)),
        file(DEFAULT_BACKEND, default_backend(&plan)),
    ])
}

fn file(path: &str, text: String) -> OutputFile {
    OutputFile {
        path: path.into(),
        bytes: text.into_bytes(),
    }
}

impl Plan {
    fn new(input: &ServerInput) -> Result<Plan> {
        let manifest = &input.manifest;
        if !is_url_prefix(&input.url_prefix) {
            bail!(
                "URL prefix `{}` cannot go into an nginx config; use a path such as `/_errors` made of letters, digits, `-`, `_` and `/`",
                input.url_prefix
            );
        }
        for network in &input.trusted_networks {
            if !is_network(network) {
                bail!(
                    "trusted network `{network}` cannot go into an nginx config; use an address or CIDR network such as `10.0.0.0/8`"
                );
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
        Ok(Plan {
            prefix: input.url_prefix.clone(),
            pages_dir: quotable_dir(&input.pages_dir)?,
            codes,
            locales,
            default_locale: manifest.default_locale.clone(),
            networks: input.trusted_networks.clone(),
            ssi: manifest.developer == "ssi",
        })
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
    let Some(text) = dir.to_str() else {
        bail!(
            "pages directory `{}` is not valid UTF-8, which nginx configs cannot hold; move the pages to a plain path",
            dir.display()
        );
    };
    if !text.starts_with('/') {
        bail!("pages directory `{text}` is not absolute; pass an absolute --pages path");
    }
    if let Some(bad) = text
        .chars()
        .find(|c| c.is_control() || matches!(c, '"' | '\'' | '\\' | '$'))
    {
        bail!(
            "pages directory `{}` contains {bad:?}, which nginx would read as part of its syntax; move the pages to a path without it",
            text.escape_debug()
        );
    }
    Ok(format!("{}/", text.trim_end_matches('/')))
}

/// `servers/nginx.conf`, for inside a `server {}` block.
fn server_include(plan: &Plan) -> String {
    let mut out = String::new();
    let p = &plan.prefix;
    let _ = writeln!(
        out,
        "# errorsmith error pages for nginx. Include inside a server {{}} block,\n\
         # before its own locations and rewrites:\n\
         #     include {dir}servers/nginx.conf;\n\
         # and include {dir}servers/nginx-http.conf once inside http {{}}.\n\
         # A location with an error_page of its own inherits none of the lines\n\
         # below: repeat them there.\n",
        dir = plan.pages_dir
    );
    out.push_str(&error_pages(plan));
    out.push_str(
        "\n# Replace the error responses proxied upstreams send themselves too.\n\
         # (An upstream that is down or times out gives 502/504 without it.)\n\
         # Turn it off in a location whose upstream must keep its own error\n\
         # bodies: proxy_intercept_errors off;\n\
         proxy_intercept_errors on;\n",
    );
    if plan.ssi {
        out.push_str(&format!(
            "\n# The request id the developer part shows.\nset ${REQUEST_ID_VARIABLE} $request_id;\n"
        ));
    }
    let flag = plan.maintenance_flag();
    let _ = writeln!(
        out,
        "\n# Maintenance switch: while this file exists, every request gets the\n\
         # 503 page.   touch \"{flag}\"   to switch on, rm to switch off.\n\
         set $errorsmith_maintenance \"\";\n\
         if (-f \"{flag}\") {{\n    set $errorsmith_maintenance on;\n}}\n\
         if ($uri ~ \"^{prefix}/\") {{\n    set $errorsmith_maintenance \"\";\n}}\n\
         if ($errorsmith_maintenance) {{\n    return 503;\n}}",
        prefix = regex_escape(p)
    );
    out.push_str(&pages_location(plan, "errorsmith_format"));
    out
}

/// One `error_page` per built code, all into the internal location, which
/// picks the file by `$status`, so the original status is kept.
fn error_pages(plan: &Plan) -> String {
    let p = &plan.prefix;
    let mut out = String::new();
    for code in plan.codes.keys() {
        let _ = writeln!(out, "error_page {code} {p}/{code};");
    }
    if let Some(code) = plan.header_too_large_code() {
        let _ = writeln!(
            out,
            "# nginx's own 494 (request header too large) would go out as 400.\n\
             error_page 494 ={code} {p}/{code};"
        );
    }
    out
}

/// The internal location serving the pages; `format_variable` names the
/// variable holding the negotiated extension (html, json or txt).
fn pages_location(plan: &Plan, format_variable: &str) -> String {
    let p = &plan.prefix;
    let dir = &plan.pages_dir;
    let types: String = FORMATS
        .iter()
        .map(|(ext, mime)| format!(" {mime} {ext};"))
        .collect();
    let mut out = format!(
        "\n# The pages; `internal`, so only error_page and SSI reach them.\n\
         location ^~ {p}/ {{\n    internal;\n    alias \"{dir}\";\n    types {{{types} }}\n    \
         default_type text/html;\n    charset utf-8;\n    etag off;\n    if_modified_since off;\n    \
         # add_header here replaces the ones inherited from server/http level:\n    \
         # repeat your security headers in this location if you need them.\n    \
         add_header Cache-Control \"no-store\" always;\n    \
         add_header Vary \"Accept, Accept-Language\" always;\n    \
         add_header X-Content-Type-Options \"nosniff\" always;\n    \
         add_header Retry-After $errorsmith_retry_after always;\n"
    );
    if plan.ssi {
        out.push_str("    ssi on;\n    ssi_silent_errors on;\n");
    }
    let _ = writeln!(
        out,
        "    try_files {p}/$errorsmith_locale/$status.${f} {p}/$status.${f}\n              \
         {p}/$errorsmith_locale/$status.html {p}/$status.html =404;",
        f = format_variable
    );
    if plan.ssi {
        let _ = writeln!(
            out,
            "\n    # Developer fragments, included by SSI only for ${DEVELOPER_VARIABLE}.\n    \
             location ~ \"^{prefix}/(?<errorsmith_fragment>[A-Za-z0-9-]+/developer/[0-9]{{3}}\\.html)$\" {{\n        \
             internal;\n        alias \"{dir}$errorsmith_fragment\";\n        ssi on;\n        ssi_silent_errors on;\n    }}",
            prefix = regex_escape(p)
        );
    }
    out.push_str("}\n");
    out
}

/// `servers/nginx-http.conf`, for inside `http {}`.
fn http_include(plan: &Plan) -> String {
    let mut out = format!(
        "# errorsmith: include once inside http {{}}:\n#     include {}servers/nginx-http.conf;\n\n",
        plan.pages_dir
    );
    out.push_str(
        "# Clients that see the developer part of SSI builds (trusted_networks in\n\
         # errorsmith.yaml). It uses $remote_addr: behind a proxy, set up\n\
         # real_ip first. The default is empty, which SSI reads as false.\n",
    );
    let _ = writeln!(out, "geo ${DEVELOPER_VARIABLE} {{\n    default \"\";");
    for network in &plan.networks {
        let _ = writeln!(out, "    {network} 1;");
    }
    out.push_str("}\n\n# Retry-After for the pages whose content sets retry_after.\n");
    out.push_str("map $status $errorsmith_retry_after {\n    default \"\";\n");
    for (code, seconds) in &plan.codes {
        if let Some(seconds) = seconds {
            let _ = writeln!(out, "    {code} {seconds};");
        }
    }
    out.push_str("}\n\n");
    out.push_str(&locale_maps(plan));
    out.push_str(&format_map("http_accept", "errorsmith_format"));
    out.push_str(&format_map("http_x_format", "errorsmith_backend_format"));
    out
}

/// Accept-Language -> `$errorsmith_locale`, always a built locale. A regex
/// finds the first listed built locale in each q-value bucket; the best
/// non-empty bucket wins, so `fr;q=0.1, de;q=0.9` gives `de`.
fn locale_maps(plan: &Plan) -> String {
    let tags = plan.locales.join("|");
    let mut out = String::from(
        "# Accept-Language -> locale: the first built locale listed in the best\n\
         # q-value bucket (1, 0.9, ..., 0.1, 0.0x); q=0 and `*` never match.\n",
    );
    for (name, q) in Q_BUCKETS {
        let _ = writeln!(
            out,
            "map $http_accept_language $errorsmith_lang_{name} {{\n    default \"\";\n    \
             \"~*(?:^|,)\\s*({tags})(?:-[a-z0-9]+)*{q}\\s*(?:,|$)\" $1;\n}}"
        );
    }
    let buckets: Vec<String> = Q_BUCKETS
        .iter()
        .map(|(name, _)| format!("$errorsmith_lang_{name}"))
        .collect();
    let _ = writeln!(
        out,
        "map \"{}\" $errorsmith_locale {{\n    default {};",
        buckets.join(","),
        plan.default_locale
    );
    for tag in &plan.locales {
        let _ = writeln!(out, "    \"~*^,*{tag}(?:,|$)\" {tag};");
    }
    out.push_str("}\n\n");
    out
}

/// An Accept-style header -> html, json or txt: JSON when a JSON type is
/// listed before any text/html, text only when text/plain is all that is
/// asked for, HTML otherwise.
fn format_map(source: &str, variable: &str) -> String {
    format!(
        "map ${source} ${variable} {{\n    default html;\n    \
         \"~*^(?:(?!text/html).)*application/(?:problem\\+)?json\" json;\n    \
         \"~*^\\s*text/plain\\s*(?:;[^,]*)?$\" txt;\n}}\n\n"
    )
}

/// `servers/nginx-default-backend.conf`: a complete server for
/// ingress-nginx's custom default backend. Status and page come from
/// `X-Code`, the format from `X-Format`; `/healthz` answers 200.
fn default_backend(plan: &Plan) -> String {
    let mut out = format!(
        "# errorsmith: custom default backend for Kubernetes ingress-nginx.\n\
         # Include inside http {{}}, next to nginx-http.conf:\n\
         #     include {dir}servers/nginx-http.conf;\n\
         #     include {dir}servers/nginx-default-backend.conf;\n\
         server {{\n    listen {DEFAULT_BACKEND_PORT};\n    server_name _;\n",
        dir = plan.pages_dir
    );
    if plan.ssi {
        let _ = writeln!(
            out,
            "    # The id ingress-nginx gave the failed request.\n    set ${REQUEST_ID_VARIABLE} $http_x_request_id;"
        );
    }
    out.push_str(
        "\n    location = /healthz {\n        access_log off;\n        default_type text/plain;\n        return 200 \"ok\\n\";\n    }\n\n    \
         # The status of the failed request, from X-Code; an unknown code\n    \
         # falls back to the class's generic page, none to 404.\n    location / {\n",
    );
    for code in plan.codes.keys() {
        let _ = writeln!(
            out,
            "        if ($http_x_code = \"{code}\") {{\n            return {code};\n        }}"
        );
    }
    for (class, code) in [('4', 400), ('5', 500)] {
        if plan.codes.contains_key(&code) {
            let _ = writeln!(
                out,
                "        if ($http_x_code ~ \"^{class}[0-9][0-9]$\") {{\n            return {code};\n        }}"
            );
        }
    }
    out.push_str("        return 404;\n    }\n\n");
    for line in error_pages(plan).lines() {
        let _ = writeln!(out, "    {line}");
    }
    for line in pages_location(plan, "errorsmith_backend_format").lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
    out.push_str("}\n");
    out
}

/// Escapes regex metacharacters; a validated URL prefix can only hold `.`.
fn regex_escape(text: &str) -> String {
    text.replace('.', "\\.")
}

/// The nginx variable that decides who sees the developer part; the server
/// config sets it from a `geo` block of trusted networks.
pub const DEVELOPER_VARIABLE: &str = "errorsmith_developer";

/// The request id the fragment shows: nginx's `$request_id`, or ingress's
/// `X-Request-ID` in the default backend.
const REQUEST_ID_VARIABLE: &str = "errorsmith_request_id";

/// SSI variable the page sets for the fragment, because an SSI subrequest
/// has no upstream of its own and would show an empty `$upstream_status`.
const UPSTREAM_STATUS_VARIABLE: &str = "errorsmith_upstream_status";

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
            // encoding is sticky across echoes in nginx, so it is named
            // every time; entity encoding covers < > & ".
            value: format!("<!--# echo var=\"{variable}\" encoding=\"entity\" default=\"\" -->"),
        };
        vec![
            field(&strings.request_id, REQUEST_ID_VARIABLE),
            field(&strings.request_time, "time_iso8601"),
            field(&strings.request_host, "host"),
            field(&strings.request_uri, "request_uri"),
            field(&strings.upstream_status, UPSTREAM_STATUS_VARIABLE),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Manifest;

    fn input(developer: &str, locales: &[&str]) -> ServerInput {
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
        }))
        .unwrap();
        ServerInput {
            manifest,
            pages: Default::default(),
            pages_dir: "/srv/errors".into(),
            url_prefix: "/_errors".into(),
            trusted_networks: vec!["10.0.0.0/8".into(), "::1".into()],
        }
    }

    fn text(input: &ServerInput, path: &str) -> String {
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
    fn one_error_page_per_code_in_order_and_494_as_431() {
        let conf = text(&input("hidden", &[]), INCLUDE);
        let lines: Vec<&str> = conf
            .lines()
            .filter(|l| l.starts_with("error_page"))
            .collect();
        assert_eq!(
            lines,
            [
                "error_page 404 /_errors/404;",
                "error_page 429 /_errors/429;",
                "error_page 431 /_errors/431;",
                "error_page 503 /_errors/503;",
                "error_page 494 =431 /_errors/431;",
            ]
        );
        assert!(conf.contains("add_header Cache-Control \"no-store\" always;"));
        assert!(conf.contains("proxy_intercept_errors on;"));
        assert!(conf.contains("if (-f \"/srv/errors.maintenance\")"));
        assert!(conf.contains("alias \"/srv/errors/\";"));
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

    #[test]
    fn trusted_networks_default_to_nobody() {
        let mut input = input("ssi", &[]);
        let http = text(&input, HTTP_INCLUDE);
        assert!(http.contains(
            "geo $errorsmith_developer {\n    default \"\";\n    10.0.0.0/8 1;\n    ::1 1;\n}"
        ));
        input.trusted_networks.clear();
        assert!(
            text(&input, HTTP_INCLUDE)
                .contains("geo $errorsmith_developer {\n    default \"\";\n}")
        );
    }

    #[test]
    fn retry_after_and_locales_come_from_the_manifest() {
        let http = text(&input("hidden", &["de", "pt-BR", "pt"]), HTTP_INCLUDE);
        assert!(http.contains("    429 60;\n    503 120;\n}"), "{http}");
        // Longer tags first, so pt-BR wins over pt for `pt-BR`.
        assert!(http.contains("(pt-BR|de|en|pt)"), "{http}");
        assert!(http.contains("    default en;\n"), "{http}");
        assert!(http.contains("\"~*^,*pt-BR(?:,|$)\" pt-BR;"), "{http}");
    }

    type Change = fn(&mut ServerInput);

    #[test]
    fn values_that_could_inject_a_directive_are_refused() {
        let cases: [(&str, Change); 8] = [
            ("prefix", |i| i.url_prefix = "/e;return 200".into()),
            ("prefix space", |i| i.url_prefix = "/e rrors".into()),
            ("network", |i| i.trusted_networks = vec!["all; deny".into()]),
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
    fn dots_in_the_prefix_are_literal_in_regexes() {
        let mut input = input("ssi", &[]);
        input.url_prefix = "/errors.v1".into();
        let conf = text(&input, INCLUDE);
        assert!(conf.contains("if ($uri ~ \"^/errors\\.v1/\")"), "{conf}");
        assert!(
            conf.contains("location ~ \"^/errors\\.v1/(?<errorsmith_fragment>"),
            "{conf}"
        );
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
