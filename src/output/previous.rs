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
            starts_with_bytes(path, bytes)
        }
        _ => false,
    }
}

/// Whether the file at `path` begins with `bytes`, read block by block
/// against them: every file of a rebuild is asked, so this spares the
/// buffer of the file's size and `std::fs::read`'s second `stat` and final
/// read. Its size was checked just before; a file that grew since is caught
/// by [`still_admitted`], which reads it whole before the swap.
fn starts_with_bytes(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut block = [0u8; 16 * 1024];
    for expected in bytes.chunks(block.len()) {
        let read = &mut block[..expected.len()];
        if file.read_exact(read).is_err() || read != expected {
            return false;
        }
    }
    true
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
        // A link, pipe or device is never one of the files.
        if !(is_dir || entry.file_type().is_file()) || !wanted.holds(rel, is_dir) {
            return Ok(false);
        }
        count += usize::from(!is_dir);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_is_a_regular_file_with_exactly_those_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("page.html");
        // Over two blocks, so a difference in the last one counts.
        let bytes: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&file, &bytes).unwrap();
        assert!(same_bytes(&file, &bytes));
        assert!(
            !same_bytes(&dir.path().join("missing"), b""),
            "a missing file"
        );
        let mut last_differs = bytes.clone();
        *last_differs.last_mut().unwrap() ^= 1;
        assert!(
            !same_bytes(&file, &last_differs),
            "same size, last byte differs"
        );
        let mut first_differs = bytes.clone();
        first_differs[0] ^= 1;
        assert!(
            !same_bytes(&file, &first_differs),
            "same size, first byte differs"
        );
        assert!(!same_bytes(&file, &bytes[..bytes.len() - 1]), "shorter");
        let longer = [bytes.as_slice(), b"x"].concat();
        assert!(!same_bytes(&file, &longer), "longer");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.html");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            assert!(
                !same_bytes(&link, &bytes),
                "a link to a file with those bytes"
            );
        }
        let empty = dir.path().join("empty.json");
        std::fs::write(&empty, b"").unwrap();
        assert!(same_bytes(&empty, b""));
        assert!(!same_bytes(dir.path(), b""), "a folder");
    }
}
