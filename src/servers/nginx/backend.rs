//! `servers/nginx-default-backend.conf`, a complete server for
//! ingress-nginx's custom default backend, and the page service behind
//! Traefik's errors middleware.

use super::server::{error_pages, pages_location};
use super::{DEFAULT_BACKEND_PORT, Plan, REQUEST_ID_VARIABLE};
use std::fmt::Write as _;

/// `servers/nginx-default-backend.conf`: a complete server for
/// ingress-nginx's custom default backend. Status and page come from
/// `X-Code` (or, for Traefik, the path `/<code>`), the format from
/// `X-Format` (or `Accept`); `/healthz` answers 200.
pub(super) fn default_backend(plan: &Plan) -> String {
    let mut out = format!(
        "# errorsmith: custom default backend for Kubernetes ingress-nginx.\n\
         # Include inside http {{}}, next to nginx-http.conf:\n\
         #     include \"{dir}servers/nginx-http.conf\";\n\
         #     include \"{dir}servers/nginx-default-backend.conf\";\n\
         server {{\n    listen {DEFAULT_BACKEND_PORT};\n    server_name _;\n",
        dir = plan.pages_dir
    );
    if plan.processes_ssi() {
        let _ = writeln!(
            out,
            "    # The id ingress-nginx gave the failed request.\n    set ${REQUEST_ID_VARIABLE} $http_x_request_id;"
        );
    }
    out.push_str(
        "\n    location = /healthz {\n        access_log off;\n        default_type text/plain;\n        return 200 \"ok\\n\";\n    }\n\n    \
         # The status of the failed request, from X-Code (ingress-nginx) or\n    \
         # the path /<code> (Traefik); an unknown code falls back to the\n    \
         # class's generic page, none to 404.\n    location / {\n",
    );
    for code in plan.codes.keys() {
        let _ = writeln!(
            out,
            "        if ($errorsmith_backend_code = \"{code}\") {{\n            return {code};\n        }}"
        );
    }
    for (class, code) in [('4', 400), ('5', 500)] {
        if plan.codes.contains_key(&code) {
            let _ = writeln!(
                out,
                "        if ($errorsmith_backend_code ~ \"^{class}[0-9][0-9]$\") {{\n            return {code};\n        }}"
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
