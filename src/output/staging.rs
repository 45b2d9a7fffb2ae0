//! The staging folder a build writes into before it swaps it in, and what
//! happens to it when the build dies.
//!
//! Each staging folder `.errorsmith-staging-X` has a lock file
//! `.errorsmith-staging-X.lock` next to it, held for as long as its build
//! runs; the previous output is moved aside as `.errorsmith-old-X` under
//! the same lock. A later build removes every such folder whose lock is
//! free: nothing else has those names and that lock. SIGINT and SIGTERM
//! remove the folder at once, unless the swap is under way, which then
//! finishes first.

use crate::fsx;
use anyhow::{Context, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};

const STAGING_PREFIX: &str = ".errorsmith-staging-";
const OLD_PREFIX: &str = ".errorsmith-old-";
const LOCK_SUFFIX: &str = ".lock";

/// Folders of this process that a signal must remove, each with its lock
/// file: the staging folder until the swap, then the previous output set
/// aside until it is gone. Held during the swap, so a signal waits for it
/// to finish.
static IN_FLIGHT: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());

/// Set by the signal handler: writers stop creating files, so the folder
/// they write into can be removed for good.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Set, under the [`IN_FLIGHT`] lock, once a staged folder took its
/// target's place: a signal after that must not say the previous output
/// is still there.
static SWAPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True once SIGINT or SIGTERM arrived; the writer checks it per file.
pub fn stopping() -> bool {
    STOPPING.load(std::sync::atomic::Ordering::SeqCst)
}

pub struct Staging {
    dir: PathBuf,
    old: PathBuf,
    lock_path: PathBuf,
    /// Held (locked) until the folder is gone or swapped in.
    _lock: File,
}

impl Staging {
    pub fn create(parent: &Path) -> Result<Staging> {
        install_signal_handler();
        // Held from before the lock file exists until it is listed: a
        // signal in between would otherwise leave the file behind.
        let mut guard = in_flight();
        // The lock exists before the folder, so no other build ever sees
        // the folder without its lock held.
        let lock = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .suffix(LOCK_SUFFIX)
            .tempfile_in(parent)
            .with_context(|| {
                format!(
                    "cannot create a staging directory in `{}`",
                    parent.display()
                )
            })?;
        let (file, lock_path) = lock.keep().context("cannot keep the staging lock file")?;
        file.lock()
            .with_context(|| format!("cannot lock `{}`", lock_path.display()))?;
        let name = lock_path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(LOCK_SUFFIX))
            .context("staging lock file name")?
            .to_string();
        let suffix = name.strip_prefix(STAGING_PREFIX).unwrap_or(&name);
        let dir = parent.join(&name);
        let old = parent.join(format!("{OLD_PREFIX}{suffix}"));
        let staging = Staging {
            dir,
            old,
            lock_path,
            _lock: file,
        };
        guard.push((staging.dir.clone(), staging.lock_path.clone()));
        drop(guard);
        std::fs::create_dir(&staging.dir)
            .with_context(|| format!("cannot create `{}`", staging.dir.display()))?;
        Ok(staging)
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Puts the staged folder in `target`'s place. A signal during the
    /// swap waits for it; the old output is removed afterwards.
    pub fn swap_into(self, target: &Path) -> Result<()> {
        let mut guard = in_flight();
        let result = if target.exists() {
            // rename(2) may replace an empty directory only, so the old
            // output moves aside first and goes after the swap.
            fsx::rename(target, &self.old).and_then(|()| {
                fsx::rename(&self.dir, target).inspect_err(|_| {
                    let _ = std::fs::rename(&self.old, target);
                })
            })
        } else {
            fsx::rename(&self.dir, target)
        };
        guard.retain(|(dir, _)| dir != &self.dir);
        if result.is_ok() {
            SWAPPED.store(true, std::sync::atomic::Ordering::SeqCst);
            if self.old.exists() {
                guard.push((self.old.clone(), self.lock_path.clone()));
            }
        }
        drop(guard);
        if result.is_ok() && self.old.exists() {
            fsx::remove_dir_all(&self.old)?;
            in_flight().retain(|(dir, _)| dir != &self.old);
        }
        result
    }
}

impl Drop for Staging {
    /// A failed build leaves nothing: the staging folder (if it was not
    /// swapped in) and the lock file go.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        in_flight().retain(|(_, lock)| lock != &self.lock_path);
        let _ = std::fs::remove_file(&self.lock_path);
    }
}

fn in_flight() -> std::sync::MutexGuard<'static, Vec<(PathBuf, PathBuf)>> {
    IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// From the first call on, SIGINT and SIGTERM remove every staging folder
/// in flight and exit 130. `build` calls it before it reads anything, so
/// an interrupt at any point of a build ends the same way.
pub fn install_signal_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Without a handler the signal ends the process as before; a
        // failure to install one is no reason to refuse the build.
        let _ = ctrlc::set_handler(|| {
            STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
            let dirs = in_flight();
            for (dir, lock) in dirs.iter() {
                // Writers already past their check may still create a file
                // or two: remove until the folder stays gone.
                for _ in 0..100 {
                    let _ = std::fs::remove_dir_all(dir);
                    if !dir.exists() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                let _ = std::fs::remove_file(lock);
            }
            if SWAPPED.load(std::sync::atomic::Ordering::SeqCst) {
                eprintln!("error: interrupted after the new output was put in place");
            } else {
                eprintln!("error: interrupted; the previous output is unchanged");
            }
            std::process::exit(130);
        });
    });
}

/// Removes staging and set-aside folders of builds that died (their lock
/// is free or gone), and their lock files. Best effort: a folder that
/// cannot be removed now is tried again next time.
pub fn remove_leftovers(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let suffix = if let Some(rest) = name.strip_prefix(STAGING_PREFIX) {
            rest.strip_suffix(LOCK_SUFFIX).unwrap_or(rest)
        } else if let Some(rest) = name.strip_prefix(OLD_PREFIX) {
            rest
        } else {
            continue;
        };
        let lock_path = parent.join(format!("{STAGING_PREFIX}{suffix}{LOCK_SUFFIX}"));
        if is_held(&lock_path) {
            continue;
        }
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            let _ = std::fs::remove_dir_all(&path);
        } else if name.ends_with(LOCK_SUFFIX) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// True while a running build holds the lock file.
fn is_held(lock_path: &Path) -> bool {
    match File::open(lock_path) {
        Ok(file) => matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_dead_builds_go_and_live_ones_stay() {
        let parent = tempfile::tempdir().unwrap();
        let p = parent.path();
        // A dead build: folder and lock file, nobody holds the lock.
        std::fs::create_dir(p.join(".errorsmith-staging-dead")).unwrap();
        std::fs::write(p.join(".errorsmith-staging-dead/404.html"), "x").unwrap();
        std::fs::write(p.join(".errorsmith-staging-dead.lock"), "").unwrap();
        std::fs::create_dir(p.join(".errorsmith-old-dead")).unwrap();
        // One from before lock files: no lock at all.
        std::fs::create_dir(p.join(".errorsmith-staging-ancient")).unwrap();
        // Not ours.
        std::fs::create_dir(p.join("errorsmith-staging-mine")).unwrap();
        std::fs::write(p.join("notes.lock"), "").unwrap();
        let live = Staging::create(p).unwrap();
        remove_leftovers(p);
        let mut left: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let live_name = live
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(
            left,
            [
                live_name.clone(),
                format!("{live_name}.lock"),
                "errorsmith-staging-mine".to_string(),
                "notes.lock".to_string()
            ]
        );
        drop(live);
        assert_eq!(std::fs::read_dir(p).unwrap().count(), 2);
    }
}
