//! Which folder a build replaces, and the rule that it holds none of the
//! build's inputs.

use crate::project::Project;
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

/// A build replaces its whole output folder, so the folder may not be,
/// hold or sit inside anything the build reads: it would delete the user's
/// files or feed the output back in as input.
pub(super) fn refuse_output_inside_inputs(out_dir: &Path, project: &Project) -> Result<()> {
    let out = absolute(out_dir);
    let config = &project.config;
    let logo = config.site.logo.as_ref().map(|l| config.base_dir().join(l));
    let inputs = [
        ("config file", config.origin.clone()),
        ("logo", logo),
        ("content directory", project.content_dir.clone()),
        ("themes directory", project.themes_dir.clone()),
    ];
    for (what, path) in inputs {
        let Some(path) = path else {
            continue;
        };
        let input = absolute(&path);
        let relation = if input == out {
            "is"
        } else if input.starts_with(&out) {
            "holds"
        } else if out.starts_with(&input) {
            "is inside"
        } else {
            continue;
        };
        bail!(
            "the output directory `{}` {relation} the {what} `{}`; a build replaces its whole output directory, so choose an --out that holds none of your inputs, such as `dist`",
            out_dir.display(),
            path.display()
        );
    }
    Ok(())
}

/// `path` made absolute with symbolic links resolved, also when it does not
/// exist yet (its nearest existing ancestor is resolved).
/// The folder a build replaces for `--out path`: `dist/.` is `dist`, and a
/// symbolic link (`public -> www/errors`, as deploys often use) is followed,
/// so the link stays and the folder it names gets the new build.
pub(super) fn folder_behind(path: &Path) -> Result<PathBuf> {
    let plain: PathBuf = path.components().collect();
    let plain = if plain.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        plain
    };
    match std::fs::symlink_metadata(&plain) {
        Ok(meta) if meta.file_type().is_symlink() => match plain.canonicalize() {
            Ok(real) => Ok(real),
            Err(_) => bail!(
                "--out `{}` is a symbolic link to `{}`, which does not exist; create that folder or pass another --out",
                plain.display(),
                std::fs::read_link(&plain).unwrap_or_default().display()
            ),
        },
        _ => Ok(plain),
    }
}

pub(super) fn absolute(path: &Path) -> PathBuf {
    let Ok(path) = std::path::absolute(path) else {
        return path.to_path_buf();
    };
    let mut missing = Vec::new();
    let mut existing = path.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return missing.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return path,
        }
    }
}
