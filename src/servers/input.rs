//! What a server writer is given: the build's manifest and the bytes of
//! the pages it embeds, from a build in memory or read back from its
//! output folder (`errorsmith config --pages`).

use super::cloudflare;
use crate::formats::Format;
use crate::output::Manifest;
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
    /// Every page (all locales and formats), SSI fragment and reference
    /// file by path, and the pages rendered for Cloudflare, for targets
    /// that carry the pages with them (the Cloudflare Worker and rules).
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
        let mut pages = BTreeMap::new();
        let top_level_html = manifest
            .pages
            .iter()
            .filter(|p| p.format == Format::Html && !p.path.contains('/'));
        for page in top_level_html {
            pages.insert(page.path.clone(), crate::fsx::read(&dir.join(&page.path))?);
        }
        let mut files = BTreeMap::new();
        let bundled = manifest.pages.iter().map(|p| &p.path).chain(
            manifest
                .files
                .iter()
                .filter(|f| !f.starts_with("servers/") || f.starts_with(cloudflare::hosted::DIR)),
        );
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
