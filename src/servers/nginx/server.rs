//! `servers/nginx.conf`, the include for a `server {}` block: one
//! `error_page` per code, the maintenance switch and the internal location
//! serving the pages (shared with the ingress default backend).

use super::{DEVELOPER_VARIABLE, Plan, REQUEST_ID_VARIABLE};
use std::fmt::Write as _;

/// Page formats by file extension, in the order `try_files` prefers them.
const FORMATS: [(&str, &str); 3] = [
    ("html", "text/html"),
    ("json", "application/problem+json"),
    ("txt", "text/plain"),
];

/// `servers/nginx.conf`, for inside a `server {}` block.
pub(super) fn server_include(plan: &Plan) -> String {
    let mut out = String::new();
    let p = &plan.prefix;
    let _ = writeln!(
        out,
        "# errorsmith error pages for nginx. Include inside a server {{}} block,\n\
         # before its own locations and rewrites:\n\
         #     include \"{dir}servers/nginx.conf\";\n\
         # and include \"{dir}servers/nginx-http.conf\" once inside http {{}}.\n\
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
    if plan.processes_ssi() {
        out.push_str(&format!(
            "\n# The request id the developer part and the visitor reference show.\nset ${REQUEST_ID_VARIABLE} $request_id;\n"
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
         {paths}\
         # Staff (maintenance.allow, else trusted_networks) see the real site.\n\
         if ($errorsmith_maintenance_allowed) {{\n    set $errorsmith_maintenance \"\";\n}}\n\
         if ($errorsmith_maintenance) {{\n    return 503;\n}}",
        prefix = regex_escape(p),
        paths = if plan.maintenance_paths.is_empty() {
            String::new()
        } else {
            format!(
                "# Paths that always reach the site (maintenance.paths).\n\
                 if ($uri ~ \"{}\") {{\n    set $errorsmith_maintenance \"\";\n}}\n",
                super::super::maintenance::path_regex(&plan.maintenance_paths)
            )
        }
    );
    out.push_str(&pages_location(plan, "errorsmith_format"));
    out
}

/// One `error_page` per built code, all into the internal location, which
/// picks the file by `$status`, so the original status is kept.
pub(super) fn error_pages(plan: &Plan) -> String {
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
pub(super) fn pages_location(plan: &Plan, format_variable: &str) -> String {
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
    if plan.processes_ssi() {
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
    if plan.reference {
        let _ = writeln!(
            out,
            "\n    # The visitor reference, included by SSI into every page.\n    \
             location ~ \"^{prefix}/(?<errorsmith_reference>[A-Za-z0-9-]+/{file})$\" {{\n        \
             internal;\n        alias \"{dir}$errorsmith_reference\";\n        default_type text/html;\n        \
             ssi on;\n        ssi_silent_errors on;\n    }}",
            prefix = regex_escape(p),
            file = regex_escape(super::REFERENCE_FILE)
        );
    }
    out.push_str("}\n");
    out
}

/// Escapes regex metacharacters; a validated URL prefix can only hold `.`.
fn regex_escape(text: &str) -> String {
    text.replace('.', "\\.")
}

#[cfg(test)]
mod tests {
    use super::super::INCLUDE;
    use super::super::tests::{input, text};

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
        // README: all these headers use `always`, which nginx needs for
        // 4xx/5xx responses.
        for header in [
            "add_header Cache-Control \"no-store\" always;",
            "add_header Vary \"Accept, Accept-Language\" always;",
            "add_header X-Content-Type-Options \"nosniff\" always;",
            "add_header Retry-After $errorsmith_retry_after always;",
        ] {
            assert!(conf.contains(header), "{header}");
        }
        assert!(
            conf.lines()
                .filter(|l| l.trim_start().starts_with("add_header"))
                .all(|l| l.ends_with(" always;")),
            "{conf}"
        );
        assert!(conf.contains("proxy_intercept_errors on;"));
        assert!(conf.contains("if (-f \"/srv/errors.maintenance\")"));
        assert!(conf.contains("alias \"/srv/errors/\";"));
    }

    #[test]
    fn dots_in_the_prefix_are_literal_in_regexes() {
        let mut input = input("ssi", &[]);
        input.manifest.servers.url_prefix = "/errors.v1".into();
        let conf = text(&input, INCLUDE);
        assert!(conf.contains("if ($uri ~ \"^/errors\\.v1/\")"), "{conf}");
        assert!(
            conf.contains("location ~ \"^/errors\\.v1/(?<errorsmith_fragment>"),
            "{conf}"
        );
    }
}
