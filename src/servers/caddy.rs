//! Caddy 2: a `handle_errors` block that serves `/{status}.html` from the
//! pages directory with the original status.
//!
//! `file_server` would honour `If-None-Match`, `If-Modified-Since` and
//! `Range` on the error page (an empty 404, or a 502 with part of a page),
//! so the error route drops those request headers and the `ETag`,
//! `Last-Modified` and `Accept-Ranges` it would send.
//!
//! `map` picks the locale and the format with nginx's rules. Caddy's
//! regexes (Go RE2) have no lookahead, so "JSON before any text/html" is
//! found as the first of the two named in Accept.

use super::quote_escaping_quotes as quote;
use super::{Server, ServerInput};
use crate::output::OutputFile;
use anyhow::Result;

/// `caddy.caddyfile`, to `import` in a site block.
pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    // Caddy expands `{$ENV}` before parsing and `{placeholders}` in `root`
    // at run time, and a backslash before the closing quote would escape it.
    let raw = super::config_path(Server::Caddy, &input.pages_dir, &['{', '}', '\\'])?;
    let dir = quote(raw);
    let maps = negotiate(&super::negotiation(input)?);
    let mut retry = String::new();
    for (code, seconds) in super::retry_afters(&super::top_level_pages(input)) {
        retry.push_str(&format!(
            "\t\t@errorsmith_retry_{code} expression {{err.status_code}} == {code}\n\
             \t\theader @errorsmith_retry_{code} Retry-After \"{seconds}\"\n"
        ));
    }
    let (allow, paths) = super::maintenance::bypasses(input, Server::Caddy)?;
    let switch = maintenance(raw, &allow, &paths);
    let conf = format!(
        "# errorsmith error pages for Caddy 2. Import this file in a site block:\n\
         #     example.com {{\n\
         #         import {file}\n\
         #         reverse_proxy localhost:8080\n\
         #     }}\n\
         # It covers errors Caddy makes itself (404 from file_server, 502 when a\n\
         # backend is down, 504 on a timeout); file_server keeps the error status,\n\
         # and conditional and range requests get the whole page.\n\
         {switch}\
         handle_errors {{\n\
         {maps}\
         \t@errorsmith_page file {{\n\
         \t\troot {dir}\n\
         \t\ttry_files /{{errorsmith_locale}}/{{err.status_code}}.{{errorsmith_format}} /{{err.status_code}}.html\n\
         \t}}\n\
         \thandle @errorsmith_page {{\n\
         \t\troot * {dir}\n\
         \t\trewrite * {{file_match.relative}}\n\
         \t\t@errorsmith_json expression `{{errorsmith_format}} == \"json\" && {{file_match.relative}}.endsWith(\".json\")`\n\
         \t\theader @errorsmith_json Content-Type \"application/problem+json\"\n\
         \t\theader Cache-Control \"no-store\"\n\
         \t\theader Vary \"Accept, Accept-Language\"\n\
         \t\theader X-Content-Type-Options \"nosniff\"\n\
         \t\trequest_header -If-None-Match\n\
         \t\trequest_header -If-Modified-Since\n\
         \t\trequest_header -If-Match\n\
         \t\trequest_header -If-Unmodified-Since\n\
         \t\trequest_header -Range\n\
         \t\trequest_header -If-Range\n\
         \t\theader -ETag\n\
         \t\theader -Last-Modified\n\
         \t\theader -Accept-Ranges\n\
         {retry}\
         \t\tfile_server\n\
         \t}}\n\
         }}\n",
        file = quote(&format!("{raw}/servers/caddy.caddyfile")),
    );
    Ok(vec![super::text_file("servers/caddy.caddyfile", conf)])
}

/// The maintenance switch: while the flag file exists, `error 503` (our
/// 503 page) for every request but `paths` and clients in `networks`.
/// The `file` matcher looks for the file on every request, so no reload
/// is needed. `remote_ip` is the peer's address, like nginx's
/// `$remote_addr`. It is a `handle`: Caddy orders a bare `error` after
/// `handle`, `reverse_proxy` and `file_server`, which would answer first.
/// `dir` holds no `{`, `}` or `\` (refused by the caller).
fn maintenance(dir: &str, networks: &[crate::config::Network], paths: &[String]) -> String {
    let flag = super::maintenance::flag(dir);
    let mut out = format!(
        "# Maintenance switch: while {flag} exists, every request gets the\n\
         # 503 page, but for maintenance.paths and maintenance.allow (else\n\
         # trusted_networks). touch it to switch on, rm to switch off.\n\
         @errorsmith_maintenance {{\n\
         \tfile {{\n\t\troot /\n\t\ttry_files {flag}\n\t}}\n",
        flag = quote(&flag)
    );
    if !paths.is_empty() {
        // A backquoted token is raw; validated paths hold no backquote.
        out.push_str(&format!(
            "\tnot path_regexp `{}`\n",
            super::maintenance::path_regex(paths)
        ));
    }
    if !networks.is_empty() {
        let list: Vec<String> = networks.iter().map(|n| n.to_string()).collect();
        out.push_str(&format!("\tnot remote_ip {}\n", list.join(" ")));
    }
    out.push_str("}\nhandle @errorsmith_maintenance {\n\terror 503\n}\n");
    out
}

/// `map`s setting `{errorsmith_locale}` and `{errorsmith_format}`: one per
/// Accept-Language q-value bucket (the first built locale listed in it),
/// then the best non-empty bucket; the first of JSON or HTML named in
/// Accept, then the format. Backquoted tokens are raw in a Caddyfile.
fn negotiate(negotiation: &super::Negotiation) -> String {
    let tags = negotiation.locales.join("|");
    let mut out = String::new();
    let mut buckets = Vec::new();
    for (name, q) in super::nginx::Q_BUCKETS {
        out.push_str(&format!(
            "\tmap {{header.Accept-Language}} {{errorsmith_lang_{name}}} {{\n\
             \t\t`~(?i)(?:^|,)\\s*({tags})(?:-[a-z0-9]+)*{q}\\s*(?:,|$)` \"${{1}}\"\n\
             \t\tdefault \"\"\n\t}}\n"
        ));
        buckets.push(format!("{{errorsmith_lang_{name}}}"));
    }
    out.push_str(&format!(
        "\tmap \"{}\" {{errorsmith_locale}} {{\n",
        buckets.join(",")
    ));
    for tag in &negotiation.locales {
        out.push_str(&format!("\t\t`~(?i)^,*{tag}(?:,|$)` {tag}\n"));
    }
    out.push_str(&format!(
        "\t\tdefault {}\n\t}}\n\
         \tmap {{header.Accept}} {{errorsmith_first_type}} {{\n\
         \t\t`~(?i)(application/(?:problem\\+)?json|text/html)` \"${{1}}\"\n\
         \t\tdefault \"\"\n\t}}\n\
         \tmap \"{{errorsmith_first_type}}|{{header.Accept}}\" {{errorsmith_format}} {{\n\
         \t\t`~(?i)^application/` json\n\
         \t\t`~(?i)^\\|\\s*text/plain\\s*(?:;[^,]*)?$` txt\n\
         \t\tdefault html\n\t}}\n",
        negotiation.default_locale
    ));
    out
}
