//! Varnish 7 (VCL 4.1): `varnish.vcl`, to `include` after the backends.
//! `vcl_backend_error` answers failed fetches, and `vcl_deliver` sends
//! every response with a built code (from the origin or from
//! `return (synth(...))`) through `vcl_synth`, which swaps in our page.
//! Both keep the status, pick locale and format from Accept-Language and
//! Accept the way nginx does, and read the body with `std.fileread()`,
//! which caches each file from its first read until the VCL is discarded:
//! a rebuild needs `varnishreload`.
//!
//! The pages directory is the only value from outside that reaches the
//! VCL; it goes into a long string `{"..."}`, which has no escapes, so
//! `"}` and control characters are refused.

mod developer;

use super::{Server, ServerInput};
use crate::output::OutputFile;
use anyhow::{Result, bail};
use std::fmt::Write as _;

pub const INCLUDE: &str = "servers/varnish.vcl";

/// Marks a response whose body is already our page, so `vcl_deliver`
/// does not replace it again; removed before the client sees it.
const MARK: &str = "x-errorsmith-page";
/// The origin's Retry-After, kept from `vcl_deliver` for `vcl_synth`.
const UPSTREAM_RETRY: &str = "x-errorsmith-retry-after";

/// (extension on disk, Content-Type), in the order nginx prefers them.
const FORMATS: [(&str, &str); 3] = [
    ("html", "text/html; charset=utf-8"),
    ("json", "application/problem+json"),
    ("txt", "text/plain; charset=utf-8"),
];

struct Plan {
    /// A VCL long string holding the pages directory and a trailing `/`.
    dir: String,
    /// The same directory as plain text.
    dir_raw: String,
    /// Codes every locale has all three formats for, with Retry-After.
    codes: Vec<(u16, Option<u32>)>,
    /// Longest first, so `pt-BR` is tried before `pt`.
    locales: Vec<String>,
    default_locale: String,
    maintenance_flag: String,
    /// Pages include `<locale>/reference.html` (`visitor_reference`).
    reference: bool,
    maintenance_networks: Vec<crate::config::Network>,
    maintenance_paths: Vec<String>,
    /// `--developer ssi`: trusted clients get the developer fragment.
    developer: bool,
    trusted: Vec<crate::config::Network>,
}

pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    let plan = Plan::new(input)?;
    let mut out = format!(
        "# errorsmith error pages for Varnish 7 (VCL 4.1). Include this file in\n\
         # your VCL after `vcl 4.1;` and your backends, before your own subs:\n\
         #     include {file};\n\
         # Varnish reads each page once, at its first use after a VCL load:\n\
         # after a rebuild, run varnishreload (or vcl.load + vcl.use).\n\
         import std;\n\n",
        file = long_string(&format!("{}servers/varnish.vcl", plan.dir_raw))?,
    );
    if plan.developer {
        out.push_str(&acl(
            "errorsmith_trusted",
            "Clients that get the developer part (trusted_networks).",
            &plan.trusted,
        ));
    }
    out.push_str(&recv(&plan));
    out.push_str(&deliver(&plan));
    out.push_str(&page_sub(&plan, "synth", "req", "resp"));
    out.push_str(&page_sub(&plan, "backend_error", "bereq", "beresp"));
    Ok(vec![super::text_file(INCLUDE, out)])
}

impl Plan {
    fn new(input: &ServerInput) -> Result<Plan> {
        let super::Negotiation {
            locales,
            default_locale,
            codes,
        } = super::negotiation(input)?;
        let (maintenance_networks, maintenance_paths) =
            super::maintenance::bypasses(input, Server::Varnish)?;
        let dir = super::config_path(Server::Varnish, &input.pages_dir, &[])?;
        let dir = format!("{}/", dir.trim_end_matches('/'));
        Ok(Plan {
            maintenance_flag: long_string(&format!("{}.maintenance", dir.trim_end_matches('/')))?,
            dir: long_string(&dir)?,
            dir_raw: dir,
            codes,
            locales,
            default_locale,
            reference: input.manifest.servers.visitor_reference,
            maintenance_networks,
            maintenance_paths,
            developer: input.manifest.developer == "ssi",
            trusted: super::maintenance::networks(
                input.trusted_networks(),
                "trusted network",
                Server::Varnish,
            )?,
        })
    }

    /// `status == 404 || status == 502 ...` for the handled codes.
    fn is_ours(&self, status: &str) -> String {
        if self.codes.is_empty() {
            return "false".into();
        }
        let tests: Vec<String> = self
            .codes
            .iter()
            .map(|(code, _)| format!("{status} == {code}"))
            .collect();
        tests.join(" || ")
    }
}

/// A VCL long string: everything up to `"}` is literal, so a value holding
/// `"}` (or a control character) is refused.
pub(crate) fn long_string(value: &str) -> Result<String> {
    if value.contains("\"}") || value.chars().any(|c| c.is_control()) {
        bail!(
            "`{}` holds `\"}}` or a control character, which a Varnish VCL string cannot carry; move the pages to a path without them",
            value.escape_debug()
        );
    }
    Ok(format!("{{\"{value}\"}}"))
}

/// An ACL named `name` of `networks` (`Display`ed, so only hex digits,
/// `.`, `:` and `/`), after the comment `why`.
fn acl(name: &str, why: &str, networks: &[crate::config::Network]) -> String {
    let mut out = format!("# {why}\nacl {name} {{\n");
    for network in networks {
        let text = network.to_string();
        let (address, bits) = text.split_once('/').unwrap_or((&text, ""));
        let bits = if bits.is_empty() {
            String::new()
        } else {
            format!("/{bits}")
        };
        let _ = writeln!(out, "    \"{address}\"{bits};");
    }
    out.push_str("}\n\n");
    out
}

fn recv(plan: &Plan) -> String {
    let mut out = String::new();
    let mut bypass = Vec::new();
    if !plan.maintenance_networks.is_empty() {
        out.push_str(&acl(
            "errorsmith_maintenance_allow",
            "Clients that see the real site while the maintenance switch is on\n# (maintenance.allow, else trusted_networks).",
            &plan.maintenance_networks,
        ));
        bypass.push("client.ip !~ errorsmith_maintenance_allow".to_string());
    }
    if !plan.maintenance_paths.is_empty() {
        // Varnish matches the raw URL and does not resolve `..`: a dot
        // segment or an encoded dot, slash or backslash never bypasses.
        bypass.push(format!(
            "(req.url !~ \"{}\" || req.url ~ \"(?i){}\")",
            super::maintenance::path_regex(&plan.maintenance_paths),
            super::maintenance::DOTTED_PATH
        ));
    }
    let condition = std::iter::once(format!("std.file_exists({})", plan.maintenance_flag))
        .chain(bypass)
        .collect::<Vec<_>>()
        .join("\n        && ");
    let _ = write!(
        out,
        "sub vcl_recv {{\n    \
         # Only vcl_deliver sets this; a client's own is dropped.\n    \
         unset req.http.{UPSTREAM_RETRY};\n    \
         # Maintenance switch: while this file exists, every request gets\n    \
         # the 503 page, but for maintenance.paths and maintenance.allow.\n    \
         if ({condition}) {{\n        return (synth(503));\n    }}\n}}\n\n"
    );
    out
}

fn deliver(plan: &Plan) -> String {
    format!(
        "sub vcl_deliver {{\n    \
         if (resp.http.{MARK}) {{\n        unset resp.http.{MARK};\n    \
         }} elsif ({ours}) {{\n        \
         # The origin's own Retry-After wins over the content's.\n        \
         if (resp.http.Retry-After) {{\n            \
         set req.http.{UPSTREAM_RETRY} = resp.http.Retry-After;\n        }}\n        \
         return (synth(resp.status, resp.reason));\n    }}\n}}\n\n",
        ours = plan.is_ours("resp.status")
    )
}

/// `vcl_<sub>`: our page for the handled codes. `request` is the request
/// object there (`req`, `bereq`), `response` the one to fill.
fn page_sub(plan: &Plan, sub: &str, request: &str, response: &str) -> String {
    let locale = format!("{request}.http.x-errorsmith-locale");
    let format = format!("{request}.http.x-errorsmith-format");
    let mut out = format!(
        "sub vcl_{sub} {{\n    if ({ours}) {{\n",
        ours = plan.is_ours(&format!("{response}.status"))
    );
    out.push_str(&negotiate(plan, request, &locale, &format));
    for (i, (ext, mime)) in FORMATS.iter().enumerate() {
        let keyword = if i == 0 { "if" } else { "} elsif" };
        let _ = writeln!(
            out,
            "        {keyword} ({format} == \"{ext}\") {{\n            \
             set {response}.http.Content-Type = \"{mime}\";"
        );
    }
    out.push_str("        }\n");
    let page = format!(
        "std.fileread({dir} + {locale} + \"/\" + {response}.status + \".\" + {format})",
        dir = plan.dir
    );
    // The visitor reference: the page's SSI include replaced by the
    // fragment, whose echo becomes Varnish's transaction id (digits).
    let body = if plan.reference {
        format!(
            "regsub({page}, {{\"<!--# include virtual=\"[^\"]*/{file}\" -->\"}}, \
             regsub(std.fileread({dir} + {locale} + \"/{file}\"), {{\"<!--# echo [^>]*-->\"}}, \"\" + {request}.xid))",
            dir = plan.dir,
            file = super::nginx::REFERENCE_FILE
        )
    } else {
        page
    };
    if plan.developer {
        out.push_str(&developer::set_body(
            &body, plan, request, response, &locale, &format,
        ));
    } else {
        let _ = writeln!(out, "        set {response}.body = {body};");
    }
    let _ = writeln!(
        out,
        "        unset {request}.http.x-errorsmith-locale;\n        \
         unset {request}.http.x-errorsmith-format;\n        \
         set {response}.http.Cache-Control = \"no-store\";\n        \
         set {response}.http.Vary = \"Accept, Accept-Language\";\n        \
         set {response}.http.X-Content-Type-Options = \"nosniff\";"
    );
    let upstream = format!("{request}.http.{UPSTREAM_RETRY}");
    let mut retry = Vec::new();
    if sub == "synth" {
        retry.push(format!(
            "if ({upstream} ~ \".\") {{\n            set {response}.http.Retry-After = {upstream};\n        }}"
        ));
    }
    for (code, seconds) in super::retry_afters(&plan.codes) {
        retry.push(format!(
            "if ({response}.status == {code}) {{\n            set {response}.http.Retry-After = \"{seconds}\";\n        }}"
        ));
    }
    // One chain, so the origin's value is not overwritten.
    if !retry.is_empty() {
        let _ = writeln!(out, "        {}", retry.join(" else "));
    }
    if sub == "backend_error" {
        let _ = writeln!(
            out,
            "        set {response}.http.{MARK} = \"1\";\n        set {response}.ttl = 0s;"
        );
    }
    out.push_str("        return (deliver);\n    }\n}\n\n");
    out
}

/// Sets `locale` and `format` from `request`'s Accept-Language and Accept,
/// with nginx's rules: the first built locale in the best q-value bucket;
/// JSON when a JSON type comes before any text/html, text when text/plain
/// is all that is asked for, else HTML.
fn negotiate(plan: &Plan, request: &str, locale: &str, format: &str) -> String {
    let tags = plan.locales.join("|");
    let language = format!("{request}.http.Accept-Language");
    let accept = format!("{request}.http.Accept");
    let mut out = format!("        unset {locale};\n");
    for (_, q) in super::nginx::Q_BUCKETS {
        let _ = writeln!(
            out,
            "        if (!{locale} && {language} ~ \"(?i)(?:^|,)\\s*({tags})(?:-[a-z0-9]+)*{q}\\s*(?:,|$)\") {{\n            \
             set {locale} = regsub({language}, \"(?i)^(?:.*?,)??\\s*({tags})(?:-[a-z0-9]+)*{q}\\s*(?:,.*)?$\", \"\\1\");\n        }}"
        );
    }
    // The match keeps the client's case: map it to the built tag.
    for (i, tag) in plan.locales.iter().enumerate() {
        let keyword = if i == 0 { "if" } else { "} elsif" };
        let _ = writeln!(
            out,
            "        {keyword} ({locale} ~ \"(?i)^{tag}$\") {{\n            set {locale} = \"{tag}\";"
        );
    }
    let _ = writeln!(
        out,
        "        }} else {{\n            set {locale} = \"{}\";\n        }}",
        plan.default_locale
    );
    let _ = writeln!(
        out,
        "        if ({accept} ~ \"(?i)^(?:(?!text/html).)*application/(?:problem\\+)?json\") {{\n            \
         set {format} = \"json\";\n        \
         }} elsif ({accept} ~ \"(?i)^\\s*text/plain\\s*(?:;[^,]*)?$\") {{\n            \
         set {format} = \"txt\";\n        \
         }} else {{\n            set {format} = \"html\";\n        }}"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_maintenance_values_are_refused() {
        let input = |paths: &[&str], allow: &[&str]| {
            let manifest: crate::output::Manifest = serde_json::from_value(serde_json::json!({
                "generator": "errorsmith", "version": "0", "theme": "default",
                "developer": "hidden", "default_locale": "en", "pages": [],
                "servers": {"url_prefix": "/_errors", "trusted_networks": [],
                    "maintenance_paths": paths, "maintenance_allow": allow},
            }))
            .unwrap();
            ServerInput {
                manifest,
                pages: Default::default(),
                pages_dir: "/srv/errors".into(),
                files: Default::default(),
            }
        };
        assert!(files(&input(&["/healthz"], &["10.0.0.0/8"])).is_ok());
        assert!(files(&input(&["/x\") { return (pass); } #"], &[])).is_err());
        assert!(files(&input(&[], &["\"10.0.0.0\"/8; }"])).is_err());
    }

    #[test]
    fn long_strings_refuse_what_would_end_them() {
        assert_eq!(long_string("/srv/a\"b;}").unwrap(), "{\"/srv/a\"b;}\"}");
        for hostile in [
            "/srv/x\"}; sub vcl_recv { return (pass); } {\"",
            "/x\ny",
            "/x\r",
        ] {
            let error = long_string(hostile).unwrap_err();
            assert!(error.to_string().contains("Varnish"), "{error}");
        }
    }
}
