//! Comparing a build with the previous output it replaces: which files it
//! already holds, byte for byte, and bringing those over without writing
//! them again.

use super::tree::Tree;
use anyhow::{Result, bail};
use std::path::Path;

pub(super) fn digest(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// The file kept from the previous output still holds the bytes the gate
/// admitted; if it changed while the build ran, the build stops rather
/// than publish bytes nobody checked.
pub(super) fn still_admitted(file: &Path, path: &str, admitted: u64) -> Result<()> {
    let now = std::fs::read(file).map(|b| digest(&b)).ok();
    if now != Some(admitted) {
        bail!(
            "`{path}` in the previous output changed while the build ran (another build or an editor writing there?); nothing was changed, build again"
        );
    }
    Ok(())
}

/// A regular file (not a link) at `path` holding exactly `bytes`.
pub(super) fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            std::fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

/// True when `dir` holds these files and nothing else (folders aside).
pub(super) fn holds_exactly(dir: &Path, files: &[String]) -> Result<bool> {
    let wanted = Tree::new(files.iter().map(String::as_str));
    let mut count = 0;
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let Ok(entry) = entry else {
            return Ok(false);
        };
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let is_dir = entry.file_type().is_dir();
        if is_dir {
            if !wanted.holds(rel, true) {
                return Ok(false);
            }
            continue;
        }
        if !entry.file_type().is_file() || !wanted.holds(rel, false) {
            return Ok(false);
        }
        count += 1;
    }
    Ok(count == wanted.len())
}

/// The previous output's file into the staged one: a hard link shares the
/// bytes without writing them; where links fail (another file system, a
/// file system without them), a copy.
pub(super) fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to).map(|_| ()).map_err(|e| {
        anyhow::anyhow!(
            "cannot copy `{}` to `{}`: {e}",
            from.display(),
            to.display()
        )
    })
}
