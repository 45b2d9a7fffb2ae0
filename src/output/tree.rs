//! The files an output folder should hold, by path relative to it, and the
//! folders above them: what a walk of the folder is checked against. Paths
//! are compared as the `/`-separated strings manifests and records hold, in
//! hash sets: a multi-brand output has tens of thousands of files, and
//! `Path`'s component-wise ordering and an owned path per folder cost more
//! than the walk itself.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Component, Path};

pub(super) struct Tree<'a> {
    files: HashSet<&'a str>,
    folders: HashSet<&'a str>,
}

impl<'a> Tree<'a> {
    pub(super) fn new(files: impl IntoIterator<Item = &'a str>) -> Tree<'a> {
        let files: HashSet<&str> = files.into_iter().collect();
        let mut folders = HashSet::new();
        for file in &files {
            let mut rest = *file;
            while let Some((folder, _)) = rest.rsplit_once('/') {
                if !folders.insert(folder) {
                    break;
                }
                rest = folder;
            }
        }
        Tree { files, folders }
    }

    pub(super) fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether `rel`, a file or (`is_dir`) a folder found in the output,
    /// is one of these files or a folder above one.
    pub(super) fn holds(&self, rel: &Path, is_dir: bool) -> bool {
        let Some(key) = slash_separated(rel) else {
            return false;
        };
        if is_dir {
            self.folders.contains(key.as_ref())
        } else {
            self.files.contains(key.as_ref())
        }
    }
}

/// `rel` as a manifest writes it; None when it is not plain UTF-8 names
/// (no manifest path is).
fn slash_separated(rel: &Path) -> Option<Cow<'_, str>> {
    if std::path::MAIN_SEPARATOR == '/' {
        return rel.to_str().map(Cow::Borrowed);
    }
    let mut names = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => names.push(name.to_str()?),
            _ => return None,
        }
    }
    Some(Cow::Owned(names.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_holds_its_files_and_every_folder_above_them_and_nothing_else() {
        let tree = Tree::new([
            "manifest.json",
            "de/404.html",
            "de/developer/404.html",
            "servers/haproxy/503.http",
        ]);
        assert_eq!(tree.len(), 4);
        for file in [
            "manifest.json",
            "de/404.html",
            "de/developer/404.html",
            "servers/haproxy/503.http",
        ] {
            assert!(tree.holds(Path::new(file), false), "{file}");
            assert!(!tree.holds(Path::new(file), true), "{file} as a folder");
        }
        for folder in ["de", "de/developer", "servers", "servers/haproxy"] {
            assert!(tree.holds(Path::new(folder), true), "{folder}");
            assert!(!tree.holds(Path::new(folder), false), "{folder} as a file");
        }
        for stranger in [
            "404.html",
            "de/405.html",
            "d",
            "de/develop",
            "servers/haproxy/503",
            "",
        ] {
            assert!(!tree.holds(Path::new(stranger), false), "{stranger}");
            assert!(!tree.holds(Path::new(stranger), true), "{stranger}/");
        }
    }
}
