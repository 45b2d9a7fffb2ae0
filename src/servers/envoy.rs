//! Envoy Gateway: one `kubectl apply`-ready file with a ConfigMap per page
//! and a `BackendTrafficPolicy` whose `responseOverride` sends each page
//! for its status (`servers/envoy-gateway.yaml`).
//!
//! Envoy Gateway matches on status and response headers only; it cannot
//! choose by the request's Accept or Accept-Language, so every override is
//! the HTML page of the default locale. Envoy runs no SSI, so
//! errorsmith's directives are taken out of the pages. Each document is written as JSON,
//! which is YAML too: no YAML quoting rule can then change a page.

use super::ServerInput;
use super::cloudflare::parts::Directives;
use crate::output::OutputFile;
use anyhow::{Result, bail};
use serde_json::json;

pub const FILE: &str = "servers/envoy-gateway.yaml";

/// What starts each document, so readers (the gate) can split them.
pub const DOCUMENT_START: &str = "---\n";

/// The most a ConfigMap may hold (Kubernetes stores objects in etcd,
/// whose default request limit is 1 MiB).
pub const CONFIGMAP_MAX_BYTES: usize = 1024 * 1024;

/// The key Envoy Gateway reads a ValueRef body from.
pub const BODY_KEY: &str = "response.body";

/// The Gateway the policy attaches to: Envoy Gateway's quickstart one.
const GATEWAY: &str = "eg";

pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    let pages = super::top_level_pages(input);
    let built: Vec<u16> = pages.iter().map(|(code, _)| *code).collect();
    let codes = super::replaced_statuses(&input.manifest.servers.replace_statuses, &built)?;
    let prefix = super::url_prefix(input)?;
    let mut documents = Vec::new();
    let mut overrides = Vec::new();
    for (code, retry_after) in pages.into_iter().filter(|(c, _)| codes.contains(c)) {
        let path = format!("{code}.html");
        let Some(body) = input.pages.get(&path) else {
            continue;
        };
        if body.len() > CONFIGMAP_MAX_BYTES {
            bail!(
                "page `{path}` is {} bytes, more than the {CONFIGMAP_MAX_BYTES} bytes a Kubernetes ConfigMap holds; shorten it or leave {code} out of `replace_statuses`",
                body.len()
            );
        }
        let Ok(body) = std::str::from_utf8(body) else {
            bail!("page `{path}` is not UTF-8; rebuild with `errorsmith build`");
        };
        let body =
            Directives::new(prefix, &input.manifest.default_locale, code).strip(body, &path)?;
        let name = format!("errorsmith-{code}");
        documents.push(json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "errorsmith"}},
            "data": {BODY_KEY: body},
        }));
        let mut headers = vec![json!({"name": "Cache-Control", "value": "no-store"})];
        if let Some(seconds) = retry_after {
            headers.push(json!({"name": "Retry-After", "value": seconds.to_string()}));
        }
        overrides.push(json!({
            "match": {"statusCodes": [{"type": "Value", "value": code}]},
            "response": {
                "contentType": "text/html; charset=utf-8",
                "body": {
                    "type": "ValueRef",
                    "valueRef": {"group": "", "kind": "ConfigMap", "name": name},
                },
                "header": {"set": headers},
            },
        }));
    }
    documents.push(json!({
        "apiVersion": "gateway.envoyproxy.io/v1alpha1",
        "kind": "BackendTrafficPolicy",
        "metadata": {"name": "errorsmith"},
        "spec": {
            "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY}],
            "responseOverride": overrides,
        },
    }));
    let mut text = header(&input.manifest.default_locale);
    for document in &documents {
        text.push_str(DOCUMENT_START);
        text.push_str(&serde_json::to_string_pretty(document).expect("JSON serializes"));
        text.push('\n');
    }
    Ok(vec![super::text_file(FILE, text)])
}

fn header(locale: &str) -> String {
    format!(
        "# errorsmith error pages for Envoy Gateway (v1.2 or later). Apply in the\n\
         # namespace of the Gateway, after changing `targetRefs` at the end to\n\
         # your Gateway (or an HTTPRoute):\n\
         #     kubectl apply -n <namespace> -f envoy-gateway.yaml\n\
         # Envoy Gateway cannot choose a response by Accept or Accept-Language:\n\
         # every override is the `{locale}` HTML page (default_locale).\n\
         # Each document is JSON, which YAML reads as it is.\n"
    )
}
