//! Writing a build: every file goes into a staging directory next to the
//! target, which replaces the target only once everything is written. A
//! failed build leaves the previous output exactly as it was.

use crate::formats::Format;
use crate::fsx;

mod previous;
mod record;
mod sink;
mod staging;
mod tree;
mod writer;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
pub use sink::{Collect, InFolder, Sink};
pub use staging::install_signal_handler;
use std::path::{Path, PathBuf};
pub use writer::{Opened, Writer, Written};

pub const MANIFEST: &str = "manifest.json";
const GENERATOR: &str = "errorsmith";

/// One file of a build, by its path relative to the output directory.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// One page, as listed in `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestPage {
    pub code: u16,
    pub locale: String,
    pub format: Format,
    pub theme: String,
    pub path: String,
    pub bytes: usize,
    /// Seconds for a `Retry-After` header, from the front matter.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retry_after: Option<u32>,
    /// The locale whose content was used, when this locale had none.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fallback_from: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub version: String,
    pub theme: String,
    pub developer: String,
    pub default_locale: String,
    pub pages: Vec<ManifestPage>,
    /// Every other file of the build (fragments, server configs), so the
    /// next build knows which files in the folder are its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The pages rendered for Cloudflare to serve itself (hosted custom
    /// error pages, Custom Error Rule bodies, under `servers/cloudflare/`),
    /// with their sizes, for the size limits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cloudflare_pages: Vec<ManifestPage>,
    /// What the server configs were written for, so `errorsmith config`
    /// run later, from any folder, writes the same files.
    pub servers: ServerSettings,
    /// In the index of a multi-brand build: the brand folders. Their
    /// files are in `files`, each brand's own manifest describes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub brands: Vec<String>,
}

/// The build's settings that server configs depend on, copied from the
/// config into the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// URL path the pages are served under; validated by
    /// `config::is_url_prefix`.
    pub url_prefix: String,
    /// Networks that may see the developer part (SSI mode); validated.
    pub trusted_networks: Vec<String>,
    /// Whether pages carry the visitor reference (`visitor_reference`);
    /// absent in manifests written before it existed.
    #[serde(default)]
    pub visitor_reference: bool,
    /// Networks that see the real site during maintenance; validated.
    #[serde(default)]
    pub maintenance_allow: Vec<String>,
    /// Paths that reach the site during maintenance; validated by
    /// `config::is_url_prefix`.
    #[serde(default)]
    pub maintenance_paths: Vec<String>,
    /// The configs `build` wrote; manifests from before targets existed
    /// had the five servers.
    #[serde(default = "crate::servers::default_targets")]
    pub targets: Vec<crate::servers::Server>,
    /// Origin statuses the Cloudflare Worker replaces; empty means every
    /// built 5xx.
    #[serde(default)]
    pub replace_statuses: Vec<u16>,
}

impl ServerSettings {
    pub fn from_config(config: &crate::config::Config) -> ServerSettings {
        ServerSettings {
            url_prefix: config.url_prefix.clone(),
            trusted_networks: config.trusted_networks.clone(),
            visitor_reference: config.visitor_reference,
            targets: config
                .targets
                .clone()
                .unwrap_or_else(crate::servers::default_targets),
            replace_statuses: config.replace_statuses.clone(),
            maintenance_allow: config
                .maintenance
                .allow
                .clone()
                .unwrap_or_else(|| config.trusted_networks.clone()),
            maintenance_paths: config.maintenance.paths.clone(),
        }
    }
}

impl Manifest {
    pub fn new(
        theme: &str,
        developer: &str,
        default_locale: &str,
        pages: Vec<ManifestPage>,
        servers: ServerSettings,
    ) -> Manifest {
        Manifest {
            generator: GENERATOR.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            theme: theme.into(),
            developer: developer.into(),
            default_locale: default_locale.into(),
            pages,
            files: Vec::new(),
            cloudflare_pages: Vec::new(),
            servers,
            brands: Vec::new(),
        }
    }

    /// The top-level manifest of a multi-brand build: every brand's folder
    /// and every file in it, so the next build knows what is its own.
    pub fn index_of_brands<'a>(brands: impl Iterator<Item = (String, &'a Manifest)>) -> Manifest {
        let mut index = Manifest::new(
            "",
            "",
            "",
            Vec::new(),
            ServerSettings::from_config(&crate::config::Config::default()),
        );
        for (name, manifest) in brands {
            let own = manifest
                .pages
                .iter()
                .map(|p| &p.path)
                .chain(&manifest.files)
                .map(|path| format!("{name}/{path}"));
            index.files.extend(own);
            index.files.push(format!("{name}/{MANIFEST}"));
            index.brands.push(name);
        }
        index.files.sort();
        index
    }

    pub fn to_file(&self) -> OutputFile {
        // Measured first, then written into a buffer of its size: a large
        // build's manifest is megabytes, and growing a buffer by doubling
        // holds the old one and the new one at once.
        let mut size = ByteCount(0);
        serde_json::to_writer_pretty(&mut size, self).expect("manifest serializes");
        let mut bytes = Vec::with_capacity(size.0 + 1);
        serde_json::to_writer_pretty(&mut bytes, self).expect("manifest serializes");
        bytes.push(b'\n');
        OutputFile {
            path: MANIFEST.into(),
            bytes,
        }
    }

    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = fsx::read_utf8(&path)?;
        serde_json::from_str(&text)
            .with_context(|| format!("`{}` is not an errorsmith manifest", path.display()))
    }
}

/// A writer that keeps only how many bytes went through it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The folder `target` sits in, where its staging folder goes.
fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Any version's manifest names its generator; nothing else is required,
/// so a newer errorsmith can replace an older one's output.
fn written_by_errorsmith(manifest: &Path) -> bool {
    #[derive(Deserialize)]
    struct Generator {
        generator: String,
    }
    std::fs::read(manifest)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Generator>(&bytes).ok())
        .is_some_and(|m| m.generator == GENERATOR)
}

/// Only a directory errorsmith wrote (or an empty one) is replaced, so a
/// mistyped `--out` cannot wipe unrelated files.
pub(crate) fn ensure_replaceable(target: &Path) -> Result<()> {
    if !target.is_dir() {
        bail!(
            "`{}` exists and is not a directory; choose another --out",
            target.display()
        );
    }
    if target.join(MANIFEST).is_file() {
        return if written_by_errorsmith(&target.join(MANIFEST)) {
            refuse_files_not_in_manifest(target)
        } else {
            bail!(
                "`{}` holds a {MANIFEST} errorsmith did not write; choose another --out",
                target.display()
            )
        };
    }
    let mut entries =
        std::fs::read_dir(target).with_context(|| format!("cannot read `{}`", target.display()))?;
    if entries.next().is_some() {
        bail!(
            "`{}` is not empty and was not written by errorsmith (it has no {MANIFEST}); choose another --out or empty it",
            target.display()
        );
    }
    Ok(())
}

/// What a build wrote besides its pages before manifests listed every file
/// (frozen: newer builds list their files): the server configs, HAProxy
/// errorfiles and SSI fragments, by exact name, so a file of the user's in
/// `servers/` or a `developer/` folder is still refused, not deleted.
fn written_before_file_lists(rel: &Path, is_dir: bool, manifest: &Manifest) -> bool {
    const SERVER_FILES: [&str; 7] = [
        "nginx.conf",
        "nginx-http.conf",
        "nginx-default-backend.conf",
        "haproxy.cfg",
        "apache.conf",
        "caddy.caddyfile",
        "lighttpd.conf",
    ];
    let parts: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
    let is_page = |locale: Option<&str>, name: &str, ext: &str| {
        manifest
            .pages
            .iter()
            .any(|p| locale.is_none_or(|l| p.locale == l) && name == format!("{}.{ext}", p.code))
    };
    match parts.as_slice() {
        ["servers"] | ["servers", "haproxy"] => is_dir,
        [locale, "developer"] => is_dir && manifest.pages.iter().any(|p| p.locale == *locale),
        ["servers", name] => !is_dir && SERVER_FILES.contains(name),
        ["servers", "haproxy", name] => !is_dir && is_page(None, name, "http"),
        [locale, "developer", name] => !is_dir && is_page(Some(locale), name, "html"),
        _ => false,
    }
}

/// A rebuild replaces the whole folder, so a file the user put there would
/// be lost: the build stops and names them instead.
fn refuse_files_not_in_manifest(target: &Path) -> Result<()> {
    let manifest = Manifest::read(target)?;
    let ours = tree::Tree::new(
        manifest
            .pages
            .iter()
            .map(|p| p.path.as_str())
            .chain(manifest.files.iter().map(String::as_str))
            .chain([MANIFEST]),
    );
    // Manifests before `files` existed listed pages only.
    let legacy = manifest.files.is_empty();
    let mut foreign = Vec::new();
    for entry in walkdir::WalkDir::new(target)
        .min_depth(1)
        .sort_by_file_name()
    {
        let entry = entry.with_context(|| format!("cannot read `{}`", target.display()))?;
        let rel = entry.path().strip_prefix(target).unwrap_or(entry.path());
        let is_dir = entry.file_type().is_dir();
        let known = ours.holds(rel, is_dir);
        let legacy_known = legacy && written_before_file_lists(rel, is_dir, &manifest);
        if !known && !legacy_known {
            foreign.push(format!(
                "{}{}",
                target.join(rel).display(),
                if is_dir { "/" } else { "" }
            ));
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    let count = foreign.len();
    foreign.truncate(10);
    bail!(
        "`{}` holds {count} file{} errorsmith did not write: {}{}; a build replaces the whole folder, so move {} out of it (or delete {}) and build again",
        target.display(),
        if count == 1 { "" } else { "s" },
        foreign.join(", "),
        if count > 10 { ", ..." } else { "" },
        if count == 1 { "it" } else { "them" },
        if count == 1 { "it" } else { "them" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_file_is_its_pretty_json_in_a_buffer_of_its_size() {
        let page = |code: u16, locale: &str| ManifestPage {
            code,
            locale: locale.into(),
            format: Format::Html,
            theme: "plain".into(),
            path: format!("{locale}/{code}.html"),
            bytes: 2048,
            retry_after: (code == 503).then_some(120),
            fallback_from: (locale == "fr").then(|| "en".into()),
        };
        let settings = ServerSettings::from_config(&crate::config::Config::default());
        let manifest = Manifest::new(
            "plain",
            "strip",
            "en",
            vec![page(404, "en"), page(503, "fr")],
            settings,
        );
        let file = manifest.to_file();
        let mut expected = serde_json::to_vec_pretty(&manifest).unwrap();
        expected.push(b'\n');
        assert_eq!(file.path, MANIFEST);
        assert_eq!(file.bytes, expected);
        assert_eq!(file.bytes.capacity(), file.bytes.len());
    }
}
