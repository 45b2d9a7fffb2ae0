//! The brand's logo, read and checked: a PNG or SVG by its bytes, inlined
//! as a data URI, never through a link out of the project.

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use std::path::{Path, PathBuf};

/// The logo as a data URI for an `<img>`: self-contained, and an SVG shown
/// as an image cannot run script. It must be a regular file whose bytes
/// are the PNG or SVG its name says, and a symbolic link may not lead out
/// of the config's folder (a path written in the config may).
pub(super) fn logo_data_uri(path: &Path, project_dir: &Path) -> Result<String> {
    const MAX_LOGO_BYTES: u64 = 256 * 1024;
    let shown = path.display();
    let meta =
        std::fs::metadata(path).with_context(|| format!("`site.logo`: cannot read `{shown}`"))?;
    refuse_link_out_of(path, project_dir)?;
    if !meta.is_file() {
        bail!("`site.logo`: `{shown}` is not a regular file; point it at an .svg or .png file");
    }
    if meta.len() > MAX_LOGO_BYTES {
        bail!(
            "`site.logo`: `{shown}` is {} bytes; the logo is inlined into every page, which must stay under 8 KiB, so use one of a few KB",
            meta.len()
        );
    }
    let bytes = crate::fsx::read(path).context("site.logo")?;
    let is_svg_name = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let mime = match (is_svg_name, image_kind(&bytes)) {
        (false, Some(ImageKind::Png)) => "image/png",
        (true, Some(ImageKind::Svg)) => "image/svg+xml",
        (_, found) => {
            let named = if is_svg_name { "an SVG" } else { "a PNG" };
            let is = match found {
                Some(ImageKind::Png) => "a PNG image",
                Some(ImageKind::Svg) => "an SVG image",
                None => "neither a PNG nor an SVG image",
            };
            bail!(
                "`site.logo`: `{shown}` is named as {named} file but is {is}; use a PNG or SVG logo with the matching extension"
            );
        }
    };
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Ok(format!("data:{mime};base64,{data}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImageKind {
    Png,
    Svg,
}

/// What the bytes are, by their content: the PNG signature, or UTF-8 text
/// whose first element (after an XML declaration, comments and a doctype)
/// is `<svg`.
fn image_kind(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(ImageKind::Png);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text).trim_start();
    loop {
        let (open, close) = if rest.starts_with("<?") {
            ("<?", "?>")
        } else if rest.starts_with("<!--") {
            ("<!--", "-->")
        } else if rest.starts_with("<!") {
            ("<!", ">")
        } else {
            break;
        };
        let end = rest[open.len()..].find(close)? + open.len() + close.len();
        rest = rest[end..].trim_start();
    }
    let after = rest.strip_prefix("<svg")?;
    after
        .starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .then_some(ImageKind::Svg)
}

/// A symbolic link under `dir` must lead to a file under `dir`; a path
/// that names a place outside `dir` outright was chosen, not smuggled.
fn refuse_link_out_of(path: &Path, dir: &Path) -> Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let lexical = normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    let dir_lexical = normalize(&std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()));
    let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let real_dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    if lexical.starts_with(&dir_lexical) && !real.starts_with(&real_dir) {
        bail!(
            "`site.logo`: `{}` is a symbolic link to `{}`, outside the project folder `{}`; copy the logo into the project",
            path.display(),
            real.display(),
            dir.display()
        );
    }
    Ok(())
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_kind_is_read_from_the_bytes() {
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\nrest"), Some(ImageKind::Png));
        assert_eq!(
            image_kind(b"<?xml version=\"1.0\"?>\n<!-- logo -->\n<!DOCTYPE svg>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some(ImageKind::Svg)
        );
        assert_eq!(image_kind("\u{feff}<svg>".as_bytes()), Some(ImageKind::Svg));
        assert_eq!(image_kind(b"root:x:0:0:root:/root:/bin/bash\n"), None);
        assert_eq!(image_kind(b"<svgx>"), None);
        assert_eq!(image_kind(b"<html><svg>"), None);
        assert_eq!(image_kind(b"<!-- unclosed"), None);
    }

    #[test]
    fn a_link_out_of_the_project_is_refused_and_a_named_path_is_not() {
        let outside = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        let target = outside.path().join("logo.svg");
        std::fs::write(&target, "<svg/>").unwrap();
        let link = project.path().join("logo.svg");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = refuse_link_out_of(&link, project.path()).unwrap_err();
        assert!(
            error.to_string().contains("is a symbolic link to"),
            "{error}"
        );
        assert!(refuse_link_out_of(&target, project.path()).is_ok());
    }
}
