//! What a build's output is made from, as one digest: when it equals the
//! one recorded with the previous output, and that output still holds
//! exactly the recorded bytes, the build has nothing to do.
//!
//! A missed input would mean a stale output, so the digest takes a
//! superset: every file under the content and themes folders (hidden ones
//! too, though the loaders skip them), the config file, every brand's
//! resolved config and site view (which holds the logo's bytes), the
//! options, the output's own path (server configs name it) and the
//! running binary (built-in content, themes and the code itself).

use crate::project::{Brand, ProjectOptions};
use std::hash::{Hash, Hasher};
use std::path::Path;

/// Two independent 64-bit digests, printed as 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputKey(pub String);

struct Digest([std::collections::hash_map::DefaultHasher; 2]);

impl Digest {
    fn new() -> Digest {
        let mut hashers: [std::collections::hash_map::DefaultHasher; 2] = Default::default();
        // Different first bytes make the two digests independent.
        0u8.hash(&mut hashers[0]);
        1u8.hash(&mut hashers[1]);
        Digest(hashers)
    }

    fn add(&mut self, part: &[u8]) {
        for hasher in &mut self.0 {
            part.hash(hasher);
        }
    }

    fn finish(self) -> InputKey {
        let [a, b] = self.0;
        InputKey(format!("{:016x}{:016x}", a.finish(), b.finish()))
    }
}

/// The key of a build of `brands` into `out_dir` (absolute); `None` when
/// an input cannot be read, so that build is never skipped.
pub fn key(options: &ProjectOptions, out_dir: &Path, brands: &[Brand]) -> Option<InputKey> {
    let mut digest = Digest::new();
    digest.add(b"errorsmith input key 1");
    digest.add(env!("CARGO_PKG_VERSION").as_bytes());
    digest.add(binary_identity()?.as_bytes());
    digest.add(out_dir.as_os_str().as_encoded_bytes());
    digest.add(format!("{options:?}").as_bytes());
    let mut trees = std::collections::BTreeSet::new();
    for brand in brands {
        let project = &brand.project;
        digest.add(format!("{:?}", brand.name).as_bytes());
        digest.add(format!("{:?}", project.config).as_bytes());
        digest.add(format!("{:?}", project.locales).as_bytes());
        digest.add(format!("{:?}", project.site_view().ok()?).as_bytes());
        if let Some(origin) = &project.config.origin {
            digest.add(origin.as_os_str().as_encoded_bytes());
            digest.add(&std::fs::read(origin).ok()?);
        }
        trees.extend(project.content_dir.clone());
        trees.extend(project.themes_dir.clone());
    }
    for tree in trees {
        digest.add(tree.as_os_str().as_encoded_bytes());
        add_tree(&mut digest, &tree)?;
    }
    Some(digest.finish())
}

/// Every entry under `dir` (links followed, as the loaders follow them):
/// its relative path, its kind and, for a file, its bytes.
fn add_tree(digest: &mut Digest, dir: &Path) -> Option<()> {
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walk {
        let entry = entry.ok()?;
        let rel = entry.path().strip_prefix(dir).ok()?;
        digest.add(rel.as_os_str().as_encoded_bytes());
        let kind = entry.file_type();
        if kind.is_dir() {
            digest.add(b"d");
        } else if kind.is_file() {
            digest.add(b"f");
            digest.add(&std::fs::read(entry.path()).ok()?);
        } else {
            // A device or socket: the loaders refuse it, and it is never
            // the same input twice.
            return None;
        }
    }
    Some(())
}

/// The running binary, by where it is and what the file system says of it:
/// installing or building another binary changes its size, time or inode.
fn binary_identity() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
    };
    #[cfg(not(unix))]
    let inode = ();
    Some(format!(
        "{} {} {} {inode:?}",
        exe.display(),
        meta.len(),
        modified.as_nanos()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_key(dir: &Path) -> Option<InputKey> {
        let mut digest = Digest::new();
        add_tree(&mut digest, dir)?;
        Some(digest.finish())
    }

    /// Each kind of change to a folder changes its key: an edit of the
    /// same size, a new file, a hidden file, a removed file, a rename.
    #[test]
    fn every_change_under_a_folder_changes_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("de")).unwrap();
        std::fs::write(p.join("de/404.md"), "aaaa").unwrap();
        let mut seen = vec![tree_key(p).unwrap()];
        let mut changed = |change: &dyn Fn()| {
            change();
            let key = tree_key(p).unwrap();
            assert!(!seen.contains(&key), "{seen:?}");
            seen.push(key);
        };
        changed(&|| std::fs::write(p.join("de/404.md"), "aaab").unwrap());
        changed(&|| std::fs::write(p.join("de/500.md"), "").unwrap());
        changed(&|| std::fs::write(p.join(".hidden"), "").unwrap());
        changed(&|| std::fs::remove_file(p.join("de/500.md")).unwrap());
        changed(&|| std::fs::rename(p.join("de"), p.join("fr")).unwrap());
        changed(&|| std::fs::create_dir(p.join("empty")).unwrap());
        // And the same tree gives the same key.
        assert_eq!(tree_key(p), tree_key(p));
    }
}
