//! `servers/nginx-http.conf`, the include for `http {}`: who sees the
//! developer part, Retry-After by status, and locale and format negotiation.

use super::{DEVELOPER_VARIABLE, Plan};
use std::fmt::Write as _;

/// Accept-Language buckets by q-value, best first: (name, regex for the
/// q parameter). q=0 means "not acceptable" and is in no bucket.
pub(crate) const Q_BUCKETS: [(&str, &str); 11] = [
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

/// `servers/nginx-http.conf`, for inside `http {}`.
pub(super) fn http_include(plan: &Plan) -> String {
    let mut out = format!(
        "# errorsmith: include once inside http {{}}:\n#     include \"{}servers/nginx-http.conf\";\n\n",
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
    out.push_str(
        "}\n\n# Clients that see the real site while the maintenance switch is on\n\
         # (maintenance.allow, else trusted_networks).\n",
    );
    let _ = writeln!(
        out,
        "geo $errorsmith_maintenance_allowed {{\n    default \"\";"
    );
    for network in &plan.maintenance_networks {
        let _ = writeln!(out, "    {network} 1;");
    }
    out.push_str("}\n\n# Retry-After for the pages whose content sets retry_after.\n");
    out.push_str("map $status $errorsmith_retry_after_content {\n    default \"\";\n");
    for (code, seconds) in &plan.codes {
        if let Some(seconds) = seconds {
            let _ = writeln!(out, "    {code} {seconds};");
        }
    }
    out.push_str(
        "}\n\n# The upstream's own Retry-After wins when it is seconds or an HTTP date.\n\
         map $upstream_http_retry_after $errorsmith_retry_after {\n    \
         default $errorsmith_retry_after_content;\n    \
         \"~^[0-9]{1,10}$\" $upstream_http_retry_after;\n    \
         \"~^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$\" $upstream_http_retry_after;\n}\n\n",
    );
    out.push_str(&locale_maps(plan));
    out.push_str(&format_map("http_accept", "errorsmith_format"));
    out.push_str(&backend_maps());
    out.push_str(&format_map(
        "errorsmith_backend_accept",
        "errorsmith_backend_format",
    ));
    out
}

/// The default backend's inputs: the code from ingress-nginx's `X-Code`,
/// else from a path `/<code>` (Traefik's errors middleware asks for
/// `/{status}`); the Accept header from `X-Format`, else `Accept` itself
/// (Traefik forwards it).
fn backend_maps() -> String {
    "# The default backend's status: X-Code (ingress-nginx) or /<code> (Traefik).\n\
     map \"$http_x_code:$uri\" $errorsmith_backend_code {\n    default \"\";\n    \
     \"~^([0-9]{3}):\" $1;\n    \"~^:/([0-9]{3})$\" $1;\n}\n\n\
     # The default backend's Accept: X-Format (ingress-nginx) or Accept (Traefik).\n\
     map $http_x_format $errorsmith_backend_accept {\n    default $http_x_format;\n    \
     \"\" $http_accept;\n}\n\n"
        .to_string()
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

#[cfg(test)]
mod tests {
    use super::super::HTTP_INCLUDE;
    use super::super::tests::{input, text};

    #[test]
    fn trusted_networks_default_to_nobody() {
        let mut input = input("ssi", &[]);
        let http = text(&input, HTTP_INCLUDE);
        assert!(http.contains(
            "geo $errorsmith_developer {\n    default \"\";\n    10.0.0.0/8 1;\n    ::1 1;\n}"
        ));
        input.manifest.servers.trusted_networks.clear();
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
}
