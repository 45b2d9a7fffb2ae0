//! What a change to the inputs amounts to: editors write swap, backup and
//! probe files next to the file being saved, and many saves rewrite the
//! same bytes (`:w` out of habit, `touch`, a formatter with nothing to
//! do). Neither changes a page, so neither is worth a rebuild.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher as _};
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Whether `path` names a file an editor keeps beside the real one: vim's
/// swap files (`.404.md.swp`, `.swo`, `.swx`) and its `4913` write probe,
/// backups ending in `~`, Emacs's `.#404.md` locks and `#404.md#`
/// autosaves, JetBrains' `___jb_tmp___`/`___jb_old___` copies. The build
/// never reads hidden files, and the others are skipped or are saved over
/// the real file, whose own event follows.
pub fn is_editor_temp(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    name == "4913"
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || (name.starts_with('.') && [".swp", ".swo", ".swx"].iter().any(|s| name.ends_with(s)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Dir,
    /// A hash of the bytes; None when they cannot be read (the rebuild
    /// then says why).
    File(Option<u64>),
}

/// The inputs as last seen: every folder and a hash of every file under
/// the watched paths, except editor files.
#[derive(Debug, Default)]
pub struct Contents(BTreeMap<PathBuf, Entry>);

impl Contents {
    pub fn scan(roots: &[PathBuf]) -> Contents {
        let mut contents = Contents::default();
        contents.changed(roots);
        contents
    }

    /// Looks again at `paths` (files or folders, present or not) and
    /// everything under them; records what it finds and returns whether
    /// anything differs from what was recorded before. A present path never
    /// seen differs, so a new input or a logo named anew is never missed.
    pub fn changed(&mut self, paths: &[PathBuf]) -> bool {
        let mut differs = false;
        for path in paths {
            let now = look(path);
            let before: Vec<PathBuf> = self
                .0
                .range(path.clone()..)
                .map(|(p, _)| p)
                .take_while(|p| p.starts_with(path))
                .cloned()
                .collect();
            differs |=
                before.len() != now.len() || before.iter().any(|p| self.0.get(p) != now.get(p));
            for gone in before {
                self.0.remove(&gone);
            }
            self.0.extend(now);
        }
        differs
    }
}

/// `path` and everything under it, as it is now.
fn look(path: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut found = BTreeMap::new();
    let walk = WalkDir::new(path)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_editor_temp(e.path()));
    for entry in walk.flatten() {
        if entry.depth() == 0 && is_editor_temp(entry.path()) {
            continue;
        }
        let kind = if entry.file_type().is_dir() {
            Entry::Dir
        } else {
            Entry::File(std::fs::read(entry.path()).ok().map(|bytes| {
                let mut hasher = DefaultHasher::new();
                hasher.write(&bytes);
                hasher.finish()
            }))
        };
        found.insert(entry.into_path(), kind);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_are_told_apart_from_inputs() {
        for temp in [
            "content/.404.md.swp",
            "content/.404.md.swx",
            "themes/x/4913",
            "content/404.md~",
            "content/.#404.md",
            "content/#404.md#",
            "themes/x/base.html___jb_tmp___",
        ] {
            assert!(is_editor_temp(Path::new(temp)), "{temp}");
        }
        for input in [
            "content/404.md",
            "content/strings.yaml",
            "themes/x/theme.yaml",
            "errorsmith.yaml",
            "content/swp.md",
            "content/de",
        ] {
            assert!(!is_editor_temp(Path::new(input)), "{input}");
        }
    }

    #[test]
    fn only_new_bytes_new_files_or_removals_count_as_changes() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let page = content.join("404.md");
        std::fs::create_dir(&content).unwrap();
        std::fs::write(&page, "a").unwrap();
        let mut contents = Contents::scan(std::slice::from_ref(&content));
        assert!(
            !contents.changed(std::slice::from_ref(&page)),
            "nothing changed"
        );
        std::fs::write(&page, "a").unwrap();
        assert!(!contents.changed(std::slice::from_ref(&page)), "same bytes");
        std::fs::write(content.join(".404.md.swp"), "swap").unwrap();
        std::fs::write(content.join("4913"), "").unwrap();
        assert!(
            !contents.changed(std::slice::from_ref(&content)),
            "editor files"
        );
        std::fs::write(&page, "b").unwrap();
        assert!(contents.changed(std::slice::from_ref(&page)), "new bytes");
        std::fs::write(content.join("500.md"), "c").unwrap();
        assert!(contents.changed(std::slice::from_ref(&content)), "new file");
        std::fs::create_dir(content.join("de")).unwrap();
        assert!(
            contents.changed(std::slice::from_ref(&content)),
            "new folder"
        );
        std::fs::remove_file(&page).unwrap();
        assert!(contents.changed(std::slice::from_ref(&page)), "removed");
        assert!(
            !contents.changed(std::slice::from_ref(&content)),
            "recorded"
        );
        let logo = dir.path().join("logo.svg");
        assert!(!contents.changed(std::slice::from_ref(&logo)), "absent");
        std::fs::write(&logo, "<svg/>").unwrap();
        assert!(contents.changed(std::slice::from_ref(&logo)), "never seen");
    }
}
