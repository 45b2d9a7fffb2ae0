//! Server configuration for a build: one module per server or proxy, each
//! turning the build's manifest (and, for HAProxy, the page bytes) into the
//! files that server needs.

use crate::formats::Format;
use crate::output::{Manifest, OutputFile};
use anyhow::{Context, Result};
use clap::ValueEnum;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub mod apache;
pub mod caddy;
pub mod haproxy;
pub mod lighttpd;
pub mod nginx;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Server {
    Nginx,
    Haproxy,
    Apache,
    Caddy,
    Lighttpd,
}

impl Server {
    pub const ALL: [Server; 5] = [
        Server::Nginx,
        Server::Haproxy,
        Server::Apache,
        Server::Caddy,
        Server::Lighttpd,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Server::Nginx => "nginx",
            Server::Haproxy => "haproxy",
            Server::Apache => "apache",
            Server::Caddy => "caddy",
            Server::Lighttpd => "lighttpd",
        }
    }
}

/// Everything a server writer may use.
#[derive(Debug, Clone)]
pub struct ServerInput {
    pub manifest: Manifest,
    /// Default-locale page at the top level (`503.html`) -> bytes; servers
    /// that cannot negotiate a locale (HAProxy) embed these.
    pub pages: BTreeMap<String, Vec<u8>>,
    /// Absolute directory the pages are served from on the server.
    pub pages_dir: PathBuf,
    /// URL path the pages are served under; validated by
    /// `config::is_url_prefix`.
    pub url_prefix: String,
    /// Networks that may see the developer part (SSI mode); validated.
    pub trusted_networks: Vec<String>,
}

impl ServerInput {
    /// Reads a finished build from `dir`.
    pub fn from_dir(
        dir: &Path,
        url_prefix: &str,
        trusted_networks: Vec<String>,
    ) -> Result<ServerInput> {
        let manifest = Manifest::read(dir).with_context(|| {
            format!(
                "`{}` holds no errorsmith build; run `errorsmith build` first or pass --pages",
                dir.display()
            )
        })?;
        let mut pages = BTreeMap::new();
        let top_level_html = manifest
            .pages
            .iter()
            .filter(|p| p.format == Format::Html && !p.path.contains('/'));
        for page in top_level_html {
            pages.insert(page.path.clone(), crate::fsx::read(&dir.join(&page.path))?);
        }
        Ok(ServerInput {
            manifest,
            pages,
            pages_dir: std::path::absolute(dir)
                .with_context(|| format!("cannot resolve `{}`", dir.display()))?,
            url_prefix: url_prefix.to_string(),
            trusted_networks,
        })
    }
}

/// The files `server` needs, with paths relative to the output directory
/// (under `servers/`). The first file is the one to include.
pub fn files(server: Server, input: &ServerInput) -> Result<Vec<OutputFile>> {
    match server {
        Server::Nginx => nginx::files(input),
        Server::Haproxy => haproxy::files(input),
        Server::Apache => apache::files(input),
        Server::Caddy => caddy::files(input),
        Server::Lighttpd => lighttpd::files(input),
    }
}

/// Every server's files, for `build`.
pub fn all_files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    let mut out = Vec::new();
    for server in Server::ALL {
        out.extend(files(server, input)?);
    }
    Ok(out)
}
