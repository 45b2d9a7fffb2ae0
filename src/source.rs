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
    find_where(dir, |_| true)?
        .0
        .into_iter()
        .map(|found| found.read().map_err(anyhow::Error::msg))
        .collect()
}

/// A file a walk found and checked, not read yet: a large project's
/// files are read where they are parsed, on every core, each one's bytes
/// going once it is parsed, instead of all at once before.
#[derive(Debug, Clone)]
pub struct FoundFile {
    /// Path relative to its root, with `/` separators (`de/404.md`).
    pub rel_path: String,
    /// Shown in messages.
    pub origin: String,
    path: std::path::PathBuf,
    /// As the walk saw it.
    size: u64,
    /// The device and inode the walk saw: the file read must be that one,
    /// not a link or another file put in its place since.
    identity: (u64, u64),
}

impl FoundFile {
    /// The file's size when the walk saw it.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The file's bytes, as long as it still is a regular file of at most
    /// [`MAX_FILE_BYTES`]: it may have changed since the walk saw it.
    pub fn read(&self) -> Result<SourceFile, String> {
        use std::io::Read;
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        let changed = || {
            format!(
                "`{}` changed while errorsmith was building from it (moved, deleted or replaced); run the build again",
                self.origin
            )
        };
        // Non-blocking, so a pipe put in its place is refused below
        // instead of waiting for a writer.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&self.path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => changed(),
                _ => format!("cannot read `{}`: {e}", self.origin),
            })?;
        let cannot = |e: std::io::Error| format!("cannot read `{}`: {e}", self.origin);
        let meta = file.metadata().map_err(cannot)?;
        if (meta.dev(), meta.ino()) != self.identity || !meta.is_file() {
            return Err(changed());
        }
        let mut bytes = Vec::with_capacity(meta.len().min(MAX_FILE_BYTES) as usize);
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(&self.origin, meta.len().max(bytes.len() as u64)));
        }
        Ok(SourceFile {
            rel_path: self.rel_path.clone(),
            origin: self.origin.clone(),
            bytes,
        })
    }
}

/// An input file, in memory already or still to be read.
pub enum Input {
    Read(SourceFile),
    Found(FoundFile),
}

impl Input {
    pub fn rel_path(&self) -> &str {
        match self {
            Input::Read(file) => &file.rel_path,
            Input::Found(file) => &file.rel_path,
        }
    }

    pub fn origin(&self) -> &str {
        match self {
            Input::Read(file) => &file.origin,
            Input::Found(file) => &file.origin,
        }
    }

    pub fn read(self) -> Result<SourceFile, String> {
        match self {
            Input::Read(file) => Ok(file),
            Input::Found(file) => file.read(),
        }
    }
}

fn too_large(origin: &str, size: u64) -> String {
    format!(
        "`{origin}` is {size} bytes, more than the {MAX_FILE_BYTES} an input file may have; shorten it"
    )
}

/// Every regular file under `dir` as [`read_dir`] finds them, without
/// reading them, for the relative paths `wanted` accepts; the others come
/// back as their paths.
pub fn find_where(
    dir: &Path,
    wanted: impl Fn(&str) -> bool,
) -> Result<(Vec<FoundFile>, Vec<String>)> {
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
        let meta = entry
            .metadata()
            .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", entry.path().display()))?;
        let size = meta.len();
        let identity = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        if size > MAX_FILE_BYTES {
            anyhow::bail!("{}", too_large(&entry.path().display().to_string(), size));
        }
        files.push(FoundFile {
            rel_path,
            origin: entry.path().display().to_string(),
            path: entry.path().to_path_buf(),
            size,
            identity,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_found_file_is_read_as_it_is_when_read_and_refused_if_it_grew_past_the_limit_or_became_a_folder()
     {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("404.md"), "one").unwrap();
        std::fs::write(dir.path().join("500.md"), "two").unwrap();
        std::fs::write(dir.path().join("503.md"), "three").unwrap();
        let (found, skipped) = find_where(dir.path(), |_| true).unwrap();
        assert!(skipped.is_empty());
        let names: Vec<&str> = found.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(names, ["404.md", "500.md", "503.md"]);
        // Changed after the walk: what is read is what is there now.
        std::fs::write(dir.path().join("404.md"), "changed").unwrap();
        std::fs::write(
            dir.path().join("500.md"),
            vec![b'x'; MAX_FILE_BYTES as usize + 1],
        )
        .unwrap();
        std::fs::remove_file(dir.path().join("503.md")).unwrap();
        std::fs::create_dir(dir.path().join("503.md")).unwrap();
        let mut found = found.into_iter();
        assert_eq!(found.next().unwrap().read().unwrap().bytes, b"changed");
        let grown = found.next().unwrap().read().unwrap_err();
        assert!(
            grown.ends_with(&format!(
                "500.md` is {} bytes, more than the {MAX_FILE_BYTES} an input file may have; shorten it",
                MAX_FILE_BYTES + 1
            )),
            "{grown}"
        );
        let folder = found.next().unwrap().read().unwrap_err();
        assert!(
            folder.ends_with("503.md` changed while errorsmith was building from it (moved, deleted or replaced); run the build again"),
            "{folder}"
        );
    }

    #[test]
    fn a_found_file_replaced_by_a_link_a_pipe_or_nothing_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "outside").unwrap();
        for name in ["404.md", "500.md", "503.md"] {
            std::fs::write(dir.path().join(name), "page").unwrap();
        }
        let (found, _) = find_where(dir.path(), |_| true).unwrap();
        for name in ["404.md", "500.md", "503.md"] {
            std::fs::remove_file(dir.path().join(name)).unwrap();
        }
        std::os::unix::fs::symlink(outside.path().join("secret.md"), dir.path().join("404.md"))
            .unwrap();
        let fifo = std::ffi::CString::new(dir.path().join("500.md").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        for (file, name) in found.iter().zip(["404.md", "500.md", "503.md"]) {
            let refused = file.read().unwrap_err();
            assert!(
                refused.ends_with(&format!(
                    "{name}` changed while errorsmith was building from it (moved, deleted or replaced); run the build again"
                )),
                "{refused}"
            );
        }
    }
}
