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
    out
}

fn top_level_html(manifest: &Manifest) -> impl Iterator<Item = &crate::output::ManifestPage> {
    manifest
        .pages
        .iter()
        .filter(|p| p.format == Format::Html && p.path == format!("{}.html", p.code))
}
