//! The maintenance switch for Apache: a mod_rewrite rule that answers 503
//! (and so the 503 `ErrorDocument`) while the flag file exists, except for
//! `maintenance.paths`, the pages themselves and clients in
//! `maintenance.allow`. mod_rewrite tests the file on every request, so
//! no reload is needed, as with nginx.

use super::{expr_networks, quote};
use crate::config::Network;
use anyhow::Result;
use std::fmt::Write as _;

/// The rewrite block. `dir` is the pages directory as text (already
/// checked for `$`), `prefix` the validated URL prefix.
pub(super) fn block(
    dir: &str,
    prefix: &str,
    networks: &[Network],
    paths: &[String],
) -> Result<String> {
    let flag = crate::servers::maintenance::flag(dir);
    let mut out = format!(
        "# Maintenance switch: while {flag_quoted} exists, every request\n\
         # gets the 503 page, but for maintenance.paths and maintenance.allow\n\
         # (else trusted_networks). touch it to switch on, rm to switch off;\n\
         # no reload needed. Needs mod_rewrite (a2enmod rewrite).\n\
         RewriteEngine On\n\
         RewriteCond {test} -f\n\
         RewriteCond %{{REQUEST_URI}} \"!^{prefix}/\"\n",
        flag_quoted = quote(&flag),
        // mod_rewrite expands `%N` and `%{...}` in a test string; `\%`
        // is a literal `%` (and `$` never reaches here).
        test = quote(&flag.replace('%', "\\%")),
        prefix = prefix.replace('.', "\\."),
    );
    if !paths.is_empty() {
        let _ = writeln!(
            out,
            "RewriteCond %{{REQUEST_URI}} \"!{}\"",
            crate::servers::maintenance::path_regex(paths)
        );
    }
    if !networks.is_empty() {
        let _ = writeln!(
            out,
            "RewriteCond expr \"{}\"",
            expr_networks(networks, false)?
        );
    }
    out.push_str("RewriteRule \"^\" \"-\" [R=503,L]\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_path_is_literal_for_mod_rewrite_and_networks_are_negated() {
        let networks = [
            Network::parse("10.0.0.0/8").unwrap(),
            Network::parse("::1").unwrap(),
        ];
        let paths = ["/healthz".to_string(), "/.well-known/acme-challenge".into()];
        let text = block("/srv/100% errors", "/_errors", &networks, &paths).unwrap();
        assert!(
            text.contains("RewriteCond \"/srv/100\\\\% errors.maintenance\" -f\n"),
            "{text}"
        );
        assert!(
            text.contains("RewriteCond expr \"!-R '10.0.0.0/8' && !-R '::1'\"\n"),
            "{text}"
        );
        assert!(
            text.contains("\"!^(?:/healthz|/\\.well-known/acme-challenge)(?:/|\\?|$)\""),
            "{text}"
        );
        let open = block("/srv/errors", "/_errors", &[], &[]).unwrap();
        assert!(!open.contains("expr"), "{open}");
    }
}
