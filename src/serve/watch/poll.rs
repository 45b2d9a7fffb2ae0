//! Noticing changed inputs by polling, where file events fail (network
//! file systems, the inotify watch limit) or `--poll` asks for it: a few
//! hundred files are cheap to stat.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;
use walkdir::WalkDir;

/// What a file looked like: absent, or its modification time and size.
/// An unreadable entry counts as present-but-unknown, so the rebuild
/// reports it instead of the watcher hiding it.
type Stamp = Option<(Option<SystemTime>, u64)>;

#[derive(Debug, PartialEq, Eq)]
pub struct Fingerprint(Vec<(PathBuf, Stamp)>);

/// Takes the fingerprint of every file under `roots` (files or folders,
/// present or not, so creating `errorsmith.yaml` or `content/` counts).
pub fn fingerprint(roots: &[PathBuf]) -> Fingerprint {
    let mut stamps = Vec::new();
    for root in roots {
        if !root.exists() {
            stamps.push((root.clone(), None));
            continue;
        }
        for entry in WalkDir::new(root).sort_by_file_name() {
            match entry {
                Ok(entry) => {
                    let stamp = entry.metadata().ok().map(|m| (m.modified().ok(), m.len()));
                    stamps.push((entry.into_path(), Some(stamp.unwrap_or((None, 0)))));
                }
                Err(error) => {
                    let path = error.path().unwrap_or(root).to_path_buf();
                    stamps.push((path, Some((None, 0))));
                }
            }
        }
    }
    Fingerprint(stamps)
}

impl Fingerprint {
    /// The paths whose stamp differs between `self` and `now`, including
    /// those that appeared or went away.
    pub fn changed_paths(&self, now: &Fingerprint) -> Vec<PathBuf> {
        let before: BTreeMap<_, _> = self.0.iter().map(|(p, s)| (p, s)).collect();
        let after: BTreeMap<_, _> = now.0.iter().map(|(p, s)| (p, s)).collect();
        let mut paths: Vec<PathBuf> = before
            .iter()
            .filter(|(p, s)| after.get(*p) != Some(*s))
            .chain(after.iter().filter(|(p, _)| !before.contains_key(*p)))
            .map(|(p, _)| (*p).clone())
            .collect();
        paths.sort();
        paths
    }
}

#[cfg(test)]
mod tests {
    use super::fingerprint;
    use std::path::PathBuf;

    #[test]
    fn changes_when_a_file_is_created_edited_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let roots = [
            dir.path().join("content"),
            dir.path().join("errorsmith.yaml"),
        ];
        let empty = fingerprint(&roots);
        std::fs::create_dir(&roots[0]).unwrap();
        let created = fingerprint(&roots);
        assert_ne!(empty, created);
        let file = roots[0].join("404.md");
        std::fs::write(&file, "a").unwrap();
        let written = fingerprint(&roots);
        assert_ne!(created, written);
        std::fs::write(&file, "ab").unwrap();
        let edited = fingerprint(&roots);
        assert_ne!(written, edited);
        assert!(written.changed_paths(&edited).contains(&file));
        let swap = roots[0].join(".404.md.swp");
        std::fs::write(&swap, "x").unwrap();
        let with_swap = fingerprint(&roots);
        assert!(edited.changed_paths(&with_swap).contains(&swap));
        assert!(with_swap.changed_paths(&edited).contains(&swap));
        std::fs::remove_file(&swap).unwrap();
        let edited = fingerprint(&roots);
        assert_eq!(edited.changed_paths(&edited), Vec::<PathBuf>::new());
        assert_eq!(edited, fingerprint(&roots));
        std::fs::remove_file(&file).unwrap();
        assert_ne!(edited, fingerprint(&roots));
    }
}
