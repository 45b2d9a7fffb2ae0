//! Writing a build: every file goes into a staging directory next to the
//! target, which replaces the target only once everything is written. A
//! failed build leaves the previous output exactly as it was.

use crate::formats::Format;
use crate::fsx;
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
}

impl Manifest {
    pub fn new(
        theme: &str,
        developer: &str,
        default_locale: &str,
        pages: Vec<ManifestPage>,
    ) -> Manifest {
        Manifest {
            generator: GENERATOR.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            theme: theme.into(),
            developer: developer.into(),
            default_locale: default_locale.into(),
            pages,
        }
    }

    pub fn to_file(&self) -> OutputFile {
        let mut bytes = serde_json::to_vec_pretty(self).expect("manifest serializes");
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

/// Replaces `target` with a directory holding exactly `files`.
pub fn replace_dir(target: &Path, files: &[OutputFile]) -> Result<()> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fsx::create_dir_all(&parent)?;
    if target.exists() {
        ensure_replaceable(target)?;
    }

    let staging = tempfile::Builder::new()
        .prefix(".errorsmith-staging-")
        .tempdir_in(&parent)
        .with_context(|| {
            format!(
                "cannot create a staging directory in `{}`",
                parent.display()
            )
        })?;
    let dirs: BTreeSet<&Path> = files
        .iter()
        .filter_map(|file| Path::new(&file.path).parent())
        .collect();
    for dir in dirs {
        fsx::create_dir_all(&staging.path().join(dir))?;
    }
    // Thousands of small files: writing them from every core pays off on
    // file systems where each create is a round trip.
    files
        .par_iter()
        .try_for_each(|file| fsx::write(&staging.path().join(&file.path), &file.bytes))?;

    if target.exists() {
        // rename(2) may replace an empty directory, so the old output is
        // moved onto a fresh empty one and removed only after the swap.
        let old = tempfile::Builder::new()
            .prefix(".errorsmith-old-")
            .tempdir_in(&parent)
            .with_context(|| format!("cannot create a directory in `{}`", parent.display()))?
            .keep();
        fsx::rename(target, &old)?;
        if let Err(error) = fsx::rename(staging.path(), target) {
            let _ = std::fs::rename(&old, target);
            return Err(error);
        }
        let _ = staging.keep();
        fsx::remove_dir_all(&old)?;
    } else {
        fsx::rename(staging.path(), target)?;
        let _ = staging.keep();
    }
    Ok(())
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
fn ensure_replaceable(target: &Path) -> Result<()> {
    if !target.is_dir() {
        bail!(
            "`{}` exists and is not a directory; choose another --out",
            target.display()
        );
    }
    if target.join(MANIFEST).is_file() {
        return if written_by_errorsmith(&target.join(MANIFEST)) {
            Ok(())
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
