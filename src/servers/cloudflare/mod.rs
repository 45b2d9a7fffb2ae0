//! Cloudflare: a Worker in front of the origin (`servers/cloudflare/`):
//! `wrangler.toml`, the code (`worker.js`, the same for every build) and
//! the build's pages with what the code needs to choose among them
//! (`data.js`, one JSON literal made by [`super::js::literal`]).
//!
//! The Worker does what nginx's SSI does for errorsmith: it fills the
//! developer slot of a page only for trusted clients, and the request
//! details and the visitor reference from the request. So a page is
//! bundled as text parts and slot markers, cut at errorsmith's own SSI
//! directives; any other directive stops the build.
//!
//! For zones without a Worker, the same target writes the pages Cloudflare
//! serves itself ([`hosted`], rendered by the build) and the Custom Error
//! Rules that send them ([`rules`]).

pub mod hosted;
pub(crate) mod parts;
pub mod rules;

use super::ServerInput;
use crate::config::{DeveloperMode, Network};
use crate::formats::Format;
use crate::output::OutputFile;
use anyhow::{Result, bail};
use serde_json::{Map, Value, json};
use std::net::IpAddr;

pub const WRANGLER: &str = "servers/cloudflare/wrangler.toml";
pub const WORKER: &str = "servers/cloudflare/worker.js";
pub const DATA: &str = "servers/cloudflare/data.js";

/// The Worker's code, written as it is here: nothing of the build is in
/// it, so the publication gate admits only these bytes under [`WORKER`].
pub const WORKER_SOURCE: &str = include_str!("worker.js");

/// How long the origin has to send its response headers before the Worker
/// answers 504; Cloudflare itself waits 100 s (its 524).
const ORIGIN_TIMEOUT_MS: u32 = 30_000;

/// What `data.js` starts and ends with around the JSON literal; the gate
/// reads the literal back between them.
pub const DATA_PREFIX: &str =
    "// errorsmith build data for worker.js; generated, do not edit.\nexport default ";
pub const DATA_SUFFIX: &str = ";\n";

/// The codes the Worker answers with a page, of those `built`: the
/// statuses it replaces and its own 502 and 504, for an origin that cannot
/// be reached or does not answer in time. `data.js` bundles these and no
/// others, in every locale, and a build keeps only their files for it.
pub fn worker_codes(replaced: &[u16], built: &[u16]) -> Vec<u16> {
    built
        .iter()
        .copied()
        .filter(|code| replaced.contains(code) || matches!(code, 502 | 504))
        .collect()
}

pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    let manifest = &input.manifest;
    let mode: DeveloperMode = match manifest.developer.as_str() {
        "strip" => DeveloperMode::Strip,
        "ssi" => DeveloperMode::Ssi,
        _ => bail!(
            "the Cloudflare Worker shows the developer part only to trusted clients, but a `hidden` build puts it in every page; set `developer: ssi` (or `strip`) in errorsmith.yaml, or remove `cloudflare` from `targets`"
        ),
    };
    let codes = super::top_level_pages(input);
    let built: Vec<u16> = codes.iter().map(|(code, _)| *code).collect();
    let replace = super::replaced_statuses(&manifest.servers.replace_statuses, &built)?;
    let mut retry_after = Map::new();
    for (code, seconds) in super::retry_afters(&codes) {
        retry_after.insert(code.to_string(), json!(seconds));
    }
    let data = json!({
        "defaultLocale": manifest.default_locale,
        "locales": locales(input),
        "replace": replace,
        "retryAfter": retry_after,
        "timeoutMs": ORIGIN_TIMEOUT_MS,
        "trusted": trusted(&manifest.servers.trusted_networks)?,
        "pages": pages(input, mode, &worker_codes(&replace, &built))?,
    });
    let bundle = format!("{DATA_PREFIX}{}{DATA_SUFFIX}", super::js::literal(&data));
    let mut files = vec![
        super::text_file(WRANGLER, wrangler_toml()),
        super::text_file(WORKER, WORKER_SOURCE.to_string()),
        super::text_file(DATA, bundle),
    ];
    files.extend(rules::file(input)?);
    Ok(files)
}

/// Built locales, longest first, so `pt-BR` is tried before `pt`.
fn locales(input: &ServerInput) -> Vec<String> {
    let mut locales: Vec<String> = input
        .manifest
        .pages
        .iter()
        .map(|p| p.locale.clone())
        .chain([input.manifest.default_locale.clone()])
        .collect();
    locales.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    locales.dedup();
    locales
}

/// `[family, address as hex, prefix]` for every trusted network.
fn trusted(networks: &[String]) -> Result<Vec<Value>> {
    networks
        .iter()
        .map(|text| {
            let network = Network::parse(text).map_err(|fix| {
                anyhow::anyhow!(
                    "trusted network `{text}` cannot go into the Cloudflare Worker; {fix}"
                )
            })?;
            Ok(match network.address {
                IpAddr::V4(a) => json!([4, format!("{:08x}", u32::from(a)), network.prefix]),
                IpAddr::V6(a) => json!([6, format!("{:032x}", u128::from(a)), network.prefix]),
            })
        })
        .collect()
}

/// locale -> code -> `{html: parts, json, txt, developer: parts|null}`.
fn pages(input: &ServerInput, mode: DeveloperMode, codes: &[u16]) -> Result<Value> {
    let prefix = super::url_prefix(input)?;
    let mut out = Map::new();
    for locale in locales(input) {
        let mut by_code = Map::new();
        for &code in codes {
            let text = |format: Format| -> Result<Option<String>> {
                let path = format!("{locale}/{code}.{}", format.extension());
                file_text(input, &path)
            };
            let (Some(html), Some(json), Some(txt)) = (
                text(Format::Html)?,
                text(Format::Json)?,
                text(Format::Text)?,
            ) else {
                continue;
            };
            let developer = match mode {
                DeveloperMode::Ssi => file_text(input, &format!("{locale}/developer/{code}.html"))?,
                _ => None,
            };
            let page_path = format!("{locale}/{code}.html");
            let reference = input
                .files
                .get(&format!(
                    "{locale}/{}",
                    crate::servers::nginx::REFERENCE_FILE
                ))
                .and_then(|bytes| std::str::from_utf8(bytes).ok());
            let directives =
                parts::Directives::new(prefix, &locale, code).with_reference(reference);
            by_code.insert(
                code.to_string(),
                json!({
                    "html": directives.split(&html, &page_path)?,
                    "json": json,
                    "txt": txt,
                    "developer": match developer {
                        Some(fragment) => directives.split(
                            &fragment,
                            &format!("{locale}/developer/{code}.html"),
                        )?,
                        None => Value::Null,
                    },
                }),
            );
        }
        out.insert(locale, Value::Object(by_code));
    }
    Ok(Value::Object(out))
}

fn file_text(input: &ServerInput, path: &str) -> Result<Option<String>> {
    match input.files.get(path) {
        None => Ok(None),
        Some(bytes) => match String::from_utf8(bytes.clone()) {
            Ok(text) => Ok(Some(text)),
            Err(_) => bail!("`{path}` is not UTF-8; rebuild with `errorsmith build`"),
        },
    }
}

fn wrangler_toml() -> String {
    format!(
        "# errorsmith's Cloudflare Worker. Deploy from this folder:\n\
         #     npx wrangler deploy\n\
         # then route your site through it (Workers Routes, or `routes` below),\n\
         # so it runs in front of the origin. Rebuild and deploy after every build.\n\
         name = \"errorsmith\"\n\
         main = \"worker.js\"\n\
         compatibility_date = \"2025-01-01\"\n\
         # routes = [{{ pattern = \"example.com/*\", zone_name = \"example.com\" }}]\n\
         \n\
         # [vars]\n\
         # ORIGIN = \"https://origin.example.com\"   # fetch another host than the visitor asked for\n\
         # ORIGIN_TIMEOUT_MS = \"{ORIGIN_TIMEOUT_MS}\"         # then 504\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_networks_become_family_hex_and_prefix() {
        let networks = ["10.0.0.0/8".to_string(), "2001:db8::/32".into()];
        assert_eq!(
            Value::Array(trusted(&networks).unwrap()),
            json!([
                [4, "0a000000", 8],
                [6, "20010db8000000000000000000000000", 32]
            ])
        );
    }
}
