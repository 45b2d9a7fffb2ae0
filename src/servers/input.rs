//! What a server writer is given: the build's manifest and the bytes of
//! the pages it embeds, from a build in memory or read back from its
//! output folder (`errorsmith config --pages`).

use super::cloudflare;
use crate::formats::Format;
use crate::output::{Manifest, ManifestPage};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything a server writer may use.
#[derive(Debug, Clone)]
pub struct ServerInput {
    pub manifest: Manifest,
    /// Default-locale page at the top level (`503.html`) -> bytes; servers
    /// that cannot negotiate a locale (HAProxy) embed these.
    pub pages: BTreeMap<String, Vec<u8>>,
    /// Absolute directory the pages are served from on the server.
    pub pages_dir: PathBuf,
    /// The files of the pages the Cloudflare Worker sends (all locales and
    /// formats of [`cloudflare::worker_codes`], with their SSI fragments),
    /// the reference files and the pages rendered for Cloudflare, by path:
    /// what the Worker and the rules carry with them.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl ServerInput {
    pub fn into_manifest(self) -> Manifest {
        self.manifest
    }

    /// Reads a finished build from `dir`: the pages, and from its manifest
    /// the settings the build wrote its server configs with.
    pub fn from_dir(dir: &Path) -> Result<ServerInput> {
        let manifest = Manifest::read(dir).with_context(|| {
            format!(
                "`{}` holds no errorsmith build; run `errorsmith build` first or pass --pages",
                dir.display()
            )
        })?;
        if !manifest.brands.is_empty() {
            anyhow::bail!(
                "`{}` is a multi-brand build; pass one brand's folder, such as --pages {}",
                dir.display(),
                dir.join(&manifest.brands[0]).display()
            );
        }
        let top_level_html: Vec<&ManifestPage> = manifest
            .pages
            .iter()
            .filter(|p| p.format == Format::Html && !p.path.contains('/'))
            .collect();
        let mut pages = BTreeMap::new();
        for page in &top_level_html {
            pages.insert(page.path.clone(), crate::fsx::read(&dir.join(&page.path))?);
        }
        // Only what a server file bundles is read, the pages the Worker
        // sends, as the build kept them: at 300 locales the rest is most
        // of a 250 MB output. A `replace_statuses` the build has no page
        // for is refused by the Worker's writer itself, with its message.
        let built: Vec<u16> = top_level_html.iter().map(|p| p.code).collect();
        let codes = super::replaced_statuses(&manifest.servers.replace_statuses, &built)
            .map(|replaced| cloudflare::worker_codes(&replaced, &built))
            .unwrap_or_default();
        let bundled = manifest
            .pages
            .iter()
            .filter(|p| codes.contains(&p.code))
            .map(|p| &p.path)
            .chain(manifest.files.iter().filter(|f| {
                (!f.starts_with("servers/") || f.starts_with(cloudflare::hosted::DIR))
                    && fragment_code(f).is_none_or(|code| codes.contains(&code))
            }));
        let mut files = BTreeMap::new();
        for path in bundled {
            files.insert(path.clone(), crate::fsx::read(&dir.join(path))?);
        }
        Ok(ServerInput {
            manifest,
            pages,
            files,
            pages_dir: std::path::absolute(dir)
                .with_context(|| format!("cannot resolve `{}`", dir.display()))?,
        })
    }

    /// Validated by `config::is_url_prefix` (and again by [`url_prefix`]).
    pub fn url_prefix(&self) -> &str {
        &self.manifest.servers.url_prefix
    }

    /// Validated by `config::Network::parse`.
    pub fn trusted_networks(&self) -> &[String] {
        &self.manifest.servers.trusted_networks
    }
}

/// The code of an SSI fragment, `<locale>/developer/<code>.html`.
fn fragment_code(path: &str) -> Option<u16> {
    let (_, name) = path.split_once("/developer/")?;
    name.strip_suffix(".html")?.parse().ok()
}
