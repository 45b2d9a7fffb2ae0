//! Writing a build as it is rendered: each admitted file goes into the
//! staging folder at once, so memory holds the files in flight, not the
//! whole output. A file whose bytes the previous output already has at the
//! same path is not written again: it is hard-linked from there when the
//! staging folder is swapped in, and when every file is unchanged (and the
//! previous output holds nothing else) the previous output simply stays.

use super::previous::{digest, holds_exactly, link_or_copy, same_bytes, still_admitted};
use super::record::{self, RecordedFile};
use super::sink::Sink;
use super::staging::{self, Staging};
use super::{ensure_replaceable, parent_of};
use crate::fsx;
use crate::publish::Published;
use anyhow::{Result, bail};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// What a finished build did to the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Files written anew.
    pub written: usize,
    /// Files the previous output already had, byte for byte.
    pub unchanged: usize,
    /// True when the previous output was kept as it was.
    pub kept_in_place: bool,
}

pub struct Writer {
    target: PathBuf,
    /// The previous output, when there is one.
    previous: Option<PathBuf>,
    staging: Staging,
    made_dirs: Mutex<BTreeSet<PathBuf>>,
    /// Paths whose bytes equal the previous output's, with a digest of
    /// those bytes: checked again at the end, since the previous output may
    /// change while the build runs (an editor, another build).
    unchanged: Mutex<Vec<(String, u64)>>,
    written: AtomicUsize,
    /// The key of the build's inputs, recorded beside the output with
    /// every file put, so the next build of the same inputs can keep it.
    key: Option<String>,
    recorded: Mutex<Vec<RecordedFile>>,
}

/// What [`Writer::keep_or_open`] found.
pub enum Opened {
    Kept(Written),
    New(Box<Writer>),
}

impl Writer {
    /// Prepares replacing `target`, refusing one errorsmith may not replace
    /// before anything is rendered.
    pub fn open(target: &Path) -> Result<Writer> {
        let parent = parent_of(target);
        fsx::create_dir_all(&parent)?;
        staging::remove_leftovers(&parent);
        let previous = if target.exists() {
            ensure_replaceable(target)?;
            Some(target.to_path_buf())
        } else {
            None
        };
        Ok(Writer {
            target: target.to_path_buf(),
            previous,
            staging: Staging::create(&parent)?,
            made_dirs: Mutex::new(BTreeSet::new()),
            unchanged: Mutex::new(Vec::new()),
            written: AtomicUsize::new(0),
            key: None,
            recorded: Mutex::new(Vec::new()),
        })
    }

    /// Records the output with the key of the inputs it is made from.
    pub fn with_key(mut self, key: Option<String>) -> Writer {
        self.key = key;
        self
    }

    /// The previous output, kept, when it was recorded with `key` and
    /// still holds exactly the recorded bytes: it is this build's output
    /// already, and every file in it is one errorsmith wrote (the record
    /// says which, and nothing else is there), so the checks of
    /// [`Writer::open`], which read the whole output again, are not needed.
    /// Otherwise a writer opened with that key.
    pub fn keep_or_open(target: &Path, key: Option<String>) -> Result<Opened> {
        if let Some(key) = &key
            && target.is_dir()
            && let Some(files) = record::still_holds(target, key)
        {
            // A dead build's leftovers go on every build, as in `open`.
            staging::remove_leftovers(&parent_of(target));
            return Ok(Opened::Kept(Written {
                written: 0,
                unchanged: files,
                kept_in_place: true,
            }));
        }
        Ok(Opened::New(Box::new(Writer::open(target)?.with_key(key))))
    }

    /// Puts the staged output in place, or keeps the previous one when the
    /// build changed nothing.
    pub fn finish(self) -> Result<Written> {
        if staging::stopping() {
            bail!("interrupted");
        }
        let unchanged = self
            .unchanged
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let written = self.written.load(Ordering::SeqCst);
        let paths: Vec<String> = unchanged.iter().map(|(p, _)| p.clone()).collect();
        let recorded = self
            .recorded
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(previous) = &self.previous
            && written == 0
            && holds_exactly(previous, &paths)?
        {
            unchanged.par_iter().try_for_each(|(path, digest)| {
                still_admitted(&previous.join(path), path, *digest)
            })?;
            if let Some(key) = &self.key {
                record::write(&self.target, key, recorded);
            }
            // Dropping the staging folder removes it and its lock.
            return Ok(Written {
                written: 0,
                unchanged: unchanged.len(),
                kept_in_place: true,
            });
        }
        if let Some(previous) = &self.previous {
            // Checked again: the swap removes the previous output, and a
            // file of the user's may have arrived while the build ran.
            ensure_replaceable(previous)?;
            let staged = self.staging.path();
            let dirs: BTreeSet<&str> = paths
                .iter()
                .filter_map(|p| Some(p.rsplit_once('/')?.0))
                .collect();
            for dir in dirs {
                fsx::create_dir_all(&staged.join(dir))?;
            }
            unchanged.par_iter().try_for_each(|(path, digest)| {
                if staging::stopping() {
                    bail!("interrupted");
                }
                link_or_copy(&previous.join(path), &staged.join(path))?;
                still_admitted(&staged.join(path), path, *digest)
            })?;
        }
        self.staging.swap_into(&self.target)?;
        if let Some(key) = &self.key {
            record::write(&self.target, key, recorded);
        }
        Ok(Written {
            written,
            unchanged: unchanged.len(),
            kept_in_place: false,
        })
    }

    fn ensure_dir(&self, dir: &Path) -> Result<()> {
        let mut made = self
            .made_dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !made.contains(dir) {
            fsx::create_dir_all(&self.staging.path().join(dir))?;
            made.insert(dir.to_path_buf());
        }
        Ok(())
    }
}

impl Sink for Writer {
    fn put(&self, file: Published) -> Result<()> {
        if staging::stopping() {
            bail!("interrupted");
        }
        // Only a build that records its files, or keeps one, needs its digest.
        let recording = self.key.is_some();
        let unchanged = self
            .previous
            .as_ref()
            .is_some_and(|previous| same_bytes(&previous.join(file.path()), file.bytes()));
        let digest = if recording || unchanged {
            digest(file.bytes())
        } else {
            0
        };
        if recording {
            self.recorded
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(RecordedFile {
                    path: file.path().to_string(),
                    bytes: file.bytes().len() as u64,
                    digest,
                });
        }
        if unchanged {
            self.unchanged
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((file.into_parts().0, digest));
            return Ok(());
        }
        if let Some(dir) = Path::new(file.path()).parent() {
            self.ensure_dir(dir)?;
        }
        fsx::write(&self.staging.path().join(file.path()), file.bytes())?;
        self.written.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DeveloperMode;
    use crate::output::{Manifest, OutputFile, ServerSettings};
    use crate::publish::{Gate, GateInput};

    fn gate() -> Gate {
        Gate::new(GateInput {
            mode: DeveloperMode::Strip,
            theme_sources: vec![""],
            theme: "t",
            own_ssi: Default::default(),
            developer: std::sync::Arc::new(crate::publish::DeveloperRuns::new(Vec::new(), &[])),
            public_text: Vec::new(),
            values: Vec::new(),
            content_values: Box::new(Vec::new),
            page_sources: Default::default(),
            visitor_reference: false,
        })
        .unwrap()
    }

    fn admit(gate: &Gate, path: &str, text: &str) -> Published {
        gate.admit(OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        })
        .unwrap()
    }

    /// The manifest of a build of `a.html` and `b.html`, admitted.
    fn manifest(gate: &Gate) -> Published {
        let mut manifest = Manifest::new(
            "t",
            "strip",
            "en",
            Vec::new(),
            ServerSettings::from_config(&crate::config::Config::default()),
        );
        manifest.files = vec!["a.html".into(), "b.html".into()];
        gate.admit(manifest.to_file()).unwrap()
    }

    fn build(target: &Path, files: Vec<Published>) -> Writer {
        let writer = Writer::open(target).unwrap();
        for file in files {
            writer.put(file).unwrap();
        }
        writer
    }

    /// A file the previous output held with the build's bytes when the
    /// build rendered it, and that changed before the build finished
    /// (the user's editor, another build into the same folder): the build
    /// stops rather than publish bytes the gate did not admit.
    #[test]
    fn a_previous_file_changed_during_the_build_is_not_kept_when_nothing_else_changed() {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("dist");
        let gate = gate();
        let files = || {
            vec![
                admit(&gate, "a.html", "<p>admitted a</p>"),
                admit(&gate, "b.html", "<p>admitted b</p>"),
                manifest(&gate),
            ]
        };
        build(&target, files()).finish().unwrap();
        let writer = build(&target, files());
        std::fs::write(target.join("a.html"), "<p>not admitted</p>").unwrap();
        let error = writer.finish().unwrap_err().to_string();
        assert!(
            error.contains("`a.html` in the previous output changed while the build ran"),
            "{error}"
        );
    }

    /// A finished build of `a` and an old `b` in `target`, then the
    /// writer of a second build where only `b` changed, not yet finished.
    fn build_then_change_b(target: &Path, a: &str) -> Writer {
        let gate = gate();
        let files = |b: &str| {
            vec![
                admit(&gate, "a.html", a),
                admit(&gate, "b.html", b),
                manifest(&gate),
            ]
        };
        build(target, files("<p>old b</p>")).finish().unwrap();
        build(target, files("<p>new b</p>"))
    }

    #[test]
    fn a_previous_file_changed_during_the_build_is_not_linked_into_the_new_output() {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("dist");
        let writer = build_then_change_b(&target, "<p>admitted a</p>");
        std::fs::write(target.join("a.html"), "<p>not admitted, same size</p>").unwrap();
        let error = writer.finish().unwrap_err().to_string();
        assert!(
            error.contains("`a.html` in the previous output changed while the build ran"),
            "{error}"
        );
        // Nothing was swapped in: the new b is not there either.
        assert_eq!(
            std::fs::read_to_string(target.join("b.html")).unwrap(),
            "<p>old b</p>"
        );
    }
    /// A file of the user's put into the output while the build ran (after
    /// `open` checked the folder): the swap would delete it with the old
    /// output, so the build must refuse and leave it.
    #[test]
    fn a_file_the_user_adds_during_the_build_is_not_deleted() {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("dist");
        let writer = build_then_change_b(&target, "<p>a</p>");
        std::fs::write(target.join("notes.txt"), "mine").unwrap();
        let result = writer.finish();
        assert_eq!(
            std::fs::read_to_string(target.join("notes.txt"))
                .ok()
                .as_deref(),
            Some("mine"),
            "{result:?}"
        );
        assert!(result.is_err(), "{result:?}");
    }
}
