//! The record a finished build leaves in the user's cache folder (never in
//! the output, so nothing of it is published, and not beside it, so the
//! project gains no file): the key of the build's inputs and each file's
//! path, size and digest. A build whose inputs have the recorded
//! key, into an output that still holds exactly the recorded bytes, has
//! nothing to do. The bytes are checked, not times: a record that is stale
//! or belongs to another output never matches, so it costs a build, never
//! a wrong output.

use super::previous::{digest, holds_exactly};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const VERSION: u32 = 1;
/// Records kept: one per output folder, the oldest removed beyond this
/// many, unless written in the last [`FRESH`] (a build under way may
/// still read its record).
const KEPT: usize = 64;
const FRESH: std::time::Duration = std::time::Duration::from_secs(600);

#[derive(Serialize, Deserialize)]
struct Record {
    version: u32,
    key: String,
    files: Vec<RecordedFile>,
}

/// One file of a build as the writer put it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct RecordedFile {
    pub path: String,
    pub bytes: u64,
    pub digest: u64,
}

/// `$XDG_CACHE_HOME/errorsmith/records`, or `~/.cache/errorsmith/records`:
/// per user, so no other user can put a record there.
fn records_dir() -> Option<PathBuf> {
    let cache = match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
    };
    Some(cache.join("errorsmith").join("records"))
}

/// Where the record of the output `target` is in `records`: named by a
/// digest of the output's absolute path.
fn record_path(records: &Path, target: &Path) -> Option<PathBuf> {
    let target = std::path::absolute(target).ok()?;
    let name = digest(target.as_os_str().as_encoded_bytes());
    Some(records.join(format!("{name:016x}.json")))
}

/// Removes the oldest records beyond [`KEPT`], so outputs that are gone
/// (temporary folders, old checkouts) do not pile up.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut records: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".json") || name.ends_with(".partial")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if records.len() <= KEPT {
        return;
    }
    records.sort();
    let now = std::time::SystemTime::now();
    for (modified, path) in &records[..records.len() - KEPT] {
        if now.duration_since(*modified).is_ok_and(|age| age > FRESH) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Records `files` as the output of inputs with `key`. Best effort: a
/// record that cannot be written only means the next build renders again.
pub(super) fn write(target: &Path, key: &str, files: Vec<RecordedFile>) {
    if let Some(records) = records_dir() {
        write_in(&records, target, key, files);
    }
}

fn write_in(records: &Path, target: &Path, key: &str, mut files: Vec<RecordedFile>) {
    let Some(path) = record_path(records, target) else {
        return;
    };
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let record = Record {
        version: VERSION,
        key: key.to_string(),
        files,
    };
    let Ok(bytes) = serde_json::to_vec(&record) else {
        return;
    };
    let Some(dir) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    prune(dir);
    // Written aside and renamed, so a reader sees a whole record or none.
    let partial = path.with_extension(format!("{}.partial", std::process::id()));
    // A record left stale by a failure here never matches the new output.
    if std::fs::write(&partial, bytes).is_err() || std::fs::rename(&partial, &path).is_err() {
        let _ = std::fs::remove_file(&partial);
    }
}

/// The number of files of `target` when its record has `key` and it holds
/// exactly the recorded files, byte for byte (by digest); otherwise `None`.
pub(super) fn still_holds(target: &Path, key: &str) -> Option<usize> {
    still_holds_in(&records_dir()?, target, key)
}

fn still_holds_in(records: &Path, target: &Path, key: &str) -> Option<usize> {
    let bytes = std::fs::read(record_path(records, target)?).ok()?;
    let record: Record = serde_json::from_slice(&bytes).ok()?;
    if record.version != VERSION || record.key != key {
        return None;
    }
    let paths: Vec<String> = record.files.iter().map(|f| f.path.clone()).collect();
    if !holds_exactly(target, &paths).ok()? {
        return None;
    }
    let all_same = record.files.par_iter().all(|file| {
        let path = target.join(&file.path);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() && meta.len() == file.bytes => {
                std::fs::read(&path).is_ok_and(|now| digest(&now) == file.digest)
            }
            _ => false,
        }
    });
    all_same.then_some(record.files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(path: &str, bytes: &[u8]) -> RecordedFile {
        RecordedFile {
            path: path.into(),
            bytes: bytes.len() as u64,
            digest: digest(bytes),
        }
    }

    /// The record matches only its own key and only while the output holds
    /// the recorded bytes and nothing else.
    #[test]
    fn a_record_matches_its_key_and_the_untouched_output_only() {
        let parent = tempfile::tempdir().unwrap();
        let records = tempfile::tempdir().unwrap();
        let records = records.path();
        let target = parent.path().join("dist");
        std::fs::create_dir_all(target.join("de")).unwrap();
        std::fs::write(target.join("a.html"), "aaaa").unwrap();
        std::fs::write(target.join("de/b.html"), "bb").unwrap();
        let files = vec![recorded("de/b.html", b"bb"), recorded("a.html", b"aaaa")];
        write_in(records, &target, "k1", files);
        assert_eq!(still_holds_in(records, &target, "k1"), Some(2));
        assert_eq!(still_holds_in(records, &target, "k2"), None);
        // Neither in the output nor beside it.
        let record = record_path(records, &target).unwrap();
        assert!(record.is_file());
        assert!(!record.starts_with(parent.path()));

        // The same size, other bytes.
        std::fs::write(target.join("a.html"), "aaab").unwrap();
        assert_eq!(still_holds_in(records, &target, "k1"), None);
        std::fs::write(target.join("a.html"), "aaaa").unwrap();
        assert_eq!(still_holds_in(records, &target, "k1"), Some(2));

        // A file or a folder of the user's added.
        std::fs::write(target.join("notes.txt"), "mine").unwrap();
        assert_eq!(still_holds_in(records, &target, "k1"), None);
        std::fs::remove_file(target.join("notes.txt")).unwrap();
        std::fs::create_dir(target.join("extra")).unwrap();
        assert_eq!(still_holds_in(records, &target, "k1"), None);
        std::fs::remove_dir(target.join("extra")).unwrap();

        // A file removed.
        std::fs::remove_file(target.join("de/b.html")).unwrap();
        assert_eq!(still_holds_in(records, &target, "k1"), None);

        // A record that is not one.
        std::fs::write(record_path(records, &target).unwrap(), "{").unwrap();
        assert_eq!(still_holds_in(records, &target, "k1"), None);
    }
}
