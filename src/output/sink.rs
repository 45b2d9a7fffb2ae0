//! Where a build's files go: the staging folder on disk ([`super::Writer`]),
//! a brand's folder of another sink, or memory (`serve`, `check`).

use crate::publish::Published;
use anyhow::Result;
use std::sync::{Mutex, PoisonError};

/// Where the files of a build go: [`super::Writer`] on disk, [`Collect`] in
/// memory (`serve`, `check`).
pub trait Sink: Sync {
    fn put(&self, file: Published) -> Result<()>;
}

/// Puts every file into a folder of another sink: one brand of a
/// multi-brand build.
pub struct InFolder<'a> {
    sink: &'a dyn Sink,
    folder: String,
}

impl<'a> InFolder<'a> {
    pub fn new(sink: &'a dyn Sink, folder: &str) -> InFolder<'a> {
        InFolder {
            sink,
            folder: format!("{folder}/"),
        }
    }
}

impl Sink for InFolder<'_> {
    fn put(&self, file: Published) -> Result<()> {
        self.sink.put(file.in_folder(&self.folder))
    }
}

/// Keeps every file in memory, sorted by path when taken.
#[derive(Default)]
pub struct Collect(Mutex<Vec<Published>>);

impl Collect {
    pub fn into_files(self) -> Vec<Published> {
        let mut files = self.0.into_inner().unwrap_or_else(PoisonError::into_inner);
        files.sort_by(|a, b| a.path().cmp(b.path()));
        files
    }
}

impl Sink for Collect {
    fn put(&self, file: Published) -> Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(file);
        Ok(())
    }
}
