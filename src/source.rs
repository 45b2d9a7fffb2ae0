//! Input files, wherever they come from: the binary (built-in content and
//! themes) or a user's folder. Both look the same to the loaders, which is
//! what lets a user's file override a built-in one of the same name.

use anyhow::{Context, Result};
use rust_embed::RustEmbed;
use std::path::Path;
use walkdir::WalkDir;

#[derive(RustEmbed)]
#[folder = "content/"]
struct BuiltinContent;

#[derive(RustEmbed)]
#[folder = "themes/"]
struct BuiltinThemes;

/// How the origin of every file that ships in the binary starts.
pub const BUILTIN_ORIGIN: &str = "<built-in>/";

/// One input file with the name it is looked up by and the name shown in
/// messages.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to its root, with `/` separators (`de/404.md`).
    pub rel_path: String,
    /// Shown in messages: a real path, or `<built-in>/content/404.md`.
    pub origin: String,
    pub bytes: Vec<u8>,
}

impl SourceFile {
    pub fn text(&self) -> Result<&str, String> {
        std::str::from_utf8(&self.bytes).map_err(|e| {
            format!(
                "{}: the file is not valid UTF-8 (first bad byte at offset {}); save it as UTF-8",
                self.origin,
                e.valid_up_to()
            )
        })
    }
}

pub fn builtin_content() -> Vec<SourceFile> {
    embedded::<BuiltinContent>("content")
}

pub fn builtin_themes() -> Vec<SourceFile> {
    embedded::<BuiltinThemes>("themes")
}

fn embedded<E: RustEmbed>(root: &str) -> Vec<SourceFile> {
    let mut files: Vec<SourceFile> = E::iter()
        .filter_map(|name| {
            let file = E::get(&name)?;
            Some(SourceFile {
                origin: format!("{BUILTIN_ORIGIN}{root}/{name}"),
                rel_path: name.into_owned(),
                bytes: file.data.into_owned(),
            })
        })
        .collect();
    files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    files
}

/// Larger input files are refused: no page, template or strings file
/// comes near it, and reading one must not exhaust memory.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads every regular file under `dir` (following symlinks that stay
/// inside `dir`, failing on loops and on links that leave it), skipping
/// hidden files, sorted by relative path.
pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>> {
    Ok(read_dir_where(dir, |_| true)?.0)
}

/// [`read_dir`] for the files whose relative path `wanted` accepts; the
/// others are not read, and come back as their paths.
pub fn read_dir_where(
    dir: &Path,
    wanted: impl Fn(&str) -> bool,
) -> Result<(Vec<SourceFile>, Vec<String>)> {
    if !dir.is_dir() {
        anyhow::bail!(
            "`{}` is not a directory; check the path you passed",
            dir.display()
        );
    }
    let root = dir
        .canonicalize()
        .with_context(|| format!("cannot resolve `{}`", dir.display()))?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walker {
        let entry = entry.map_err(|e| walk_error(dir, e))?;
        let real = entry
            .path()
            .canonicalize()
            .with_context(|| format!("cannot resolve `{}`", entry.path().display()))?;
        if !real.starts_with(&root) {
            anyhow::bail!(
                "`{}` is a symbolic link to `{}`, outside `{}`; copy the file into the folder instead of linking to it",
                entry.path().display(),
                real.display(),
                dir.display()
            );
        }
        if entry.file_type().is_dir() {
            continue;
        }
        let rel_path = entry
            .path()
            .strip_prefix(dir)
            .expect("walkdir yields paths under its root")
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if !wanted(&rel_path) {
            skipped.push(entry.path().display().to_string());
            continue;
        }
        if !entry.file_type().is_file() {
            anyhow::bail!(
                "`{}` is not a regular file (a device, socket or pipe); remove it from `{}`",
                entry.path().display(),
                dir.display()
            );
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_FILE_BYTES {
            anyhow::bail!(
                "`{}` is {size} bytes, more than the {MAX_FILE_BYTES} an input file may have; shorten it",
                entry.path().display()
            );
        }
        let bytes = std::fs::read(entry.path())
            .with_context(|| format!("cannot read `{}`", entry.path().display()))?;
        files.push(SourceFile {
            rel_path,
            origin: entry.path().display().to_string(),
            bytes,
        });
    }
    Ok((files, skipped))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn walk_error(root: &Path, error: walkdir::Error) -> anyhow::Error {
    let path = error
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| root.display().to_string());
    if let Some(ancestor) = error.loop_ancestor() {
        anyhow::anyhow!(
            "{path}: symbolic link loop back to `{}`; remove the link",
            ancestor.display()
        )
    } else {
        let reason = error
            .io_error()
            .map(|e| e.to_string())
            .unwrap_or_else(|| error.to_string());
        anyhow::anyhow!("{path}: cannot read: {reason}")
    }
}
