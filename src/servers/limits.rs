//! Size limits of the targets a build writes that do not stop the build
//! (those that do are refused by the target's own writer: HAProxy's
//! errorfile buffer, a Kubernetes ConfigMap). `build` prints these and
//! `check` reports them, naming page, size and limit.

use super::Server;
use crate::formats::Format;
use crate::output::Manifest;

/// Envoy's default `max_direct_response_body_size_bytes` (its
/// RouteConfiguration): the largest body Envoy sends as a direct response.
pub const ENVOY_DIRECT_RESPONSE_BYTES: usize = 4096;

/// One page over one target's limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misfit {
    pub page: String,
    pub message: String,
}

/// Every page of `manifest` over a soft limit of a target it lists.
pub fn misfits(manifest: &Manifest) -> Vec<Misfit> {
    let mut out = Vec::new();
    if manifest.servers.targets.contains(&Server::Envoy) {
        let built: Vec<u16> = top_level_html(manifest).map(|p| p.code).collect();
        let replaced = super::replaced_statuses(&manifest.servers.replace_statuses, &built)
            .unwrap_or_default();
        for page in top_level_html(manifest).filter(|p| replaced.contains(&p.code)) {
            if page.bytes > ENVOY_DIRECT_RESPONSE_BYTES {
                out.push(Misfit {
                    page: page.path.clone(),
                    message: format!(
                        "`{}` is {} bytes, more than Envoy's default direct-response limit of {ENVOY_DIRECT_RESPONSE_BYTES} bytes (max_direct_response_body_size_bytes): the envoy target's ConfigMap holds it, but it cannot be an HTTPRouteFilter directResponse unless that limit is raised; shorten it by {} bytes to fit",
                        page.path,
                        page.bytes,
                        page.bytes - ENVOY_DIRECT_RESPONSE_BYTES
                    ),
                });
            }
        }
    }
    if manifest.servers.targets.contains(&Server::Cloudflare) {
        out.extend(cloudflare_misfits(manifest));
    }
    out
}

/// Rule bodies over Cloudflare's inline limit: the rules file leaves them
/// out. A body is a page for Cloudflare, which the page budget (8 KiB)
/// keeps under the 10 KB limit today; this holds if either changes.
fn cloudflare_misfits(manifest: &Manifest) -> Vec<Misfit> {
    use super::cloudflare::{hosted, rules::INLINE_MAX_BYTES};
    manifest
        .cloudflare_pages
        .iter()
        .filter(|p| p.path == hosted::rule_path(p.code) && p.bytes > INLINE_MAX_BYTES)
        .map(|page| Misfit {
            page: page.path.clone(),
            message: format!(
                "`{}` is {} bytes, more than the {INLINE_MAX_BYTES} bytes (10 KB) Cloudflare takes as a Custom Error Rule's inline content, so custom-errors.json has no rule for {}; shorten it by {} bytes, or upload it as a custom error asset and point a rule at that",
                page.path,
                page.bytes,
                page.code,
                page.bytes - INLINE_MAX_BYTES
            ),
        })
        .collect()
}

fn top_level_html(manifest: &Manifest) -> impl Iterator<Item = &crate::output::ManifestPage> {
    manifest
        .pages
        .iter()
        .filter(|p| p.format == Format::Html && p.path == format!("{}.html", p.code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{ManifestPage, ServerSettings};

    fn manifest(targets: Vec<Server>, bytes: usize) -> Manifest {
        let settings = ServerSettings {
            targets,
            ..ServerSettings::from_config(&crate::config::Config::default())
        };
        let mut manifest = Manifest::new("default", "strip", "en", Vec::new(), settings);
        for (path, bytes) in [
            ("servers/cloudflare/pages/502.html", bytes),
            ("servers/cloudflare/pages/500_errors.html", bytes),
            ("servers/cloudflare/pages/503.html", 10_240),
        ] {
            let code = if path.contains("503") { 503 } else { 502 };
            manifest.cloudflare_pages.push(ManifestPage {
                code,
                locale: "en".into(),
                format: Format::Html,
                theme: "default".into(),
                path: path.into(),
                bytes,
                retry_after: None,
                fallback_from: None,
            });
        }
        manifest
    }

    #[test]
    fn a_rule_body_over_cloudflares_inline_limit_is_named_with_size_and_limit() {
        let misfits = misfits(&manifest(vec![Server::Cloudflare], 12_000));
        // 503 is exactly at the limit and fits; the hosted page has no
        // inline limit (Cloudflare fetches it from a URL).
        assert_eq!(
            misfits,
            [Misfit {
                page: "servers/cloudflare/pages/502.html".into(),
                message: "`servers/cloudflare/pages/502.html` is 12000 bytes, more than the 10240 bytes (10 KB) Cloudflare takes as a Custom Error Rule's inline content, so custom-errors.json has no rule for 502; shorten it by 1760 bytes, or upload it as a custom error asset and point a rule at that".into(),
            }]
        );
        assert!(misfits_of(vec![Server::Nginx], 12_000).is_empty());
        assert!(misfits_of(vec![Server::Cloudflare], 9_000).is_empty());
    }

    fn misfits_of(targets: Vec<Server>, bytes: usize) -> Vec<Misfit> {
        misfits(&manifest(targets, bytes))
    }
}
