//! Noticing changed inputs from the system's file events (inotify,
//! FSEvents, ReadDirectoryChangesW through `notify`): a save is seen
//! within a millisecond instead of at the next poll.

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the events of one save may trickle in: an editor's save is
/// several events (write a temporary file, rename it over the file, set
/// its mode) within a millisecond or two, and a rebuild per event would
/// build a half-saved project first.
pub const QUIET: Duration = Duration::from_millis(20);

/// The longest a rebuild waits for events to stop (a `git checkout` of
/// many files), so a steady stream still shows its state now and then.
const MAX_DELAY: Duration = Duration::from_millis(250);

/// The paths touched by one burst of events.
#[derive(Debug, Default)]
pub struct Batch {
    pub paths: Vec<PathBuf>,
    /// The system dropped events (inotify's queue overflowed): anything
    /// may have changed.
    pub rescan: bool,
}

pub struct Events {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    /// What is watched now, and whether recursively.
    watched: BTreeMap<PathBuf, bool>,
}

impl Events {
    /// Starts watching `roots` (see [`Events::sync`]); Err says why file
    /// events cannot be had.
    pub fn start(roots: &[PathBuf]) -> Result<Events, String> {
        let (sender, events) = mpsc::channel();
        let watcher = notify::recommended_watcher(sender).map_err(|e| e.to_string())?;
        let mut events = Events {
            watcher,
            events,
            watched: BTreeMap::new(),
        };
        events.sync(roots, false)?;
        Ok(events)
    }

    /// Watches every root folder with everything under it, and the
    /// nearest existing folder above each root by itself: that one sees a
    /// missing root created and a file root (the config, the logo)
    /// replaced by a rename. Nothing else is watched, so output written
    /// beside the inputs (`dist/`) never wakes the watcher. `reset`
    /// watches everything anew, for roots that were removed or replaced
    /// (their old watches went with them).
    pub fn sync(&mut self, roots: &[PathBuf], reset: bool) -> Result<(), String> {
        let wanted = plan(roots);
        let stale: Vec<PathBuf> = self
            .watched
            .iter()
            .filter(|(path, recursive)| reset || wanted.get(*path) != Some(*recursive))
            .map(|(path, _)| path.clone())
            .collect();
        for path in stale {
            // It may have gone with its folder already; nothing to undo.
            let _ = self.watcher.unwatch(&path);
            self.watched.remove(&path);
        }
        for (path, recursive) in wanted {
            if self.watched.contains_key(&path) {
                continue;
            }
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            match self.watcher.watch(&path, mode) {
                Ok(()) => {
                    self.watched.insert(path, recursive);
                }
                // Removed since `plan` looked: the folder above reports it.
                Err(e) if matches!(e.kind, notify::ErrorKind::PathNotFound) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(())
    }

    /// Whether an event on `path` may have taken watches along: it names
    /// a folder above a root, or a root folder (now or as watched).
    pub fn is_structural(&self, path: &Path, roots: &[PathBuf]) -> bool {
        roots.iter().any(|root| {
            root.starts_with(path)
                && (root != path || root.is_dir() || self.watched.get(root) == Some(&true))
        })
    }

    /// Waits for the next burst of events that may change an input and
    /// returns it once no event came for [`QUIET`]. Err when the watcher
    /// failed (say, the inotify watch limit when a folder was added).
    pub fn next_batch(&mut self) -> Result<Batch, String> {
        let mut batch = Batch::default();
        while batch.is_empty() {
            let event = self.events.recv().map_err(|_| "the watcher stopped")?;
            batch.add(event)?;
        }
        let until = Instant::now() + MAX_DELAY;
        loop {
            let wait = QUIET.min(until.saturating_duration_since(Instant::now()));
            match self.events.recv_timeout(wait) {
                Ok(event) => batch.add(event)?,
                Err(RecvTimeoutError::Timeout) => return Ok(batch),
                Err(RecvTimeoutError::Disconnected) => return Err("the watcher stopped".into()),
            }
        }
    }
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
    }

    fn add(&mut self, event: notify::Result<Event>) -> Result<(), String> {
        let event = event.map_err(|e| e.to_string())?;
        if event.need_rescan() || matches!(event.kind, EventKind::Other) {
            self.rescan = true;
        }
        // Opening and reading change nothing, and every rebuild opens
        // every input: counting them would rebuild forever.
        let is_read = matches!(event.kind, EventKind::Access(kind)
            if kind != AccessKind::Close(AccessMode::Write));
        if !is_read {
            self.paths.extend(event.paths);
        }
        Ok(())
    }
}

/// The watches [`Events::sync`] describes: path and whether recursive.
fn plan(roots: &[PathBuf]) -> BTreeMap<PathBuf, bool> {
    let mut plan = BTreeMap::new();
    for root in roots {
        if root.is_dir() {
            plan.insert(root.clone(), true);
        }
        if let Some(above) = root.ancestors().skip(1).find(|a| a.is_dir()) {
            plan.entry(above.to_path_buf()).or_insert(false);
        }
    }
    // A folder inside a recursively watched one is watched already; a
    // second, single watch on it would replace the recursive one.
    let recursive: Vec<PathBuf> = plan
        .iter()
        .filter(|(_, r)| **r)
        .map(|(p, _)| p.clone())
        .collect();
    plan.retain(|path, r| *r || !recursive.iter().any(|top| path.starts_with(top)));
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_watches_root_folders_deeply_and_the_folder_above_each_alone() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().to_path_buf();
        std::fs::create_dir_all(top.join("content/de")).unwrap();
        std::fs::create_dir_all(top.join("assets")).unwrap();
        let roots = [
            top.join("errorsmith.yaml"),
            top.join("content"),
            top.join("missing/themes"),
            top.join("content/de/logo.svg"),
            top.join("assets/logo.svg"),
        ];
        let plan = plan(&roots);
        let expected = BTreeMap::from([
            (top.clone(), false),
            (top.join("content"), true),
            (top.join("assets"), false),
        ]);
        assert_eq!(plan, expected);
        let events = Events::start(&roots).unwrap();
        let structural = |rel: &str| events.is_structural(&top.join(rel), &roots);
        assert!(structural("missing"));
        assert!(structural("content"));
        assert!(!structural("content/404.md"));
        assert!(!structural("errorsmith.yaml"));
        assert!(!structural("dist"));
    }
}
