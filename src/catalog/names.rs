//! What a file in a content folder is, and which locale it belongs to, by
//! its path alone.

use crate::strings;

/// What a file in a content folder is, by its name alone.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum FileKind {
    /// `404.md`: a page (its front matter must then be valid).
    Page,
    /// Another `.md` file: a page if it opens with front matter (which
    /// must then set `code:`), else a text of the user's such as a README.
    Markdown,
    /// `strings.yaml`.
    Strings,
    /// A page or strings file under a name errorsmith does not read, such
    /// as `404.markdown`, `404.MD` or `404.html`: refused, so nobody ships
    /// the built-in page believing their own is in.
    Misnamed { rename_to: String },
    /// Anything else (`notes.txt`, `404.md.bak`, images): skipped.
    Other,
}

/// Extensions a page may have been saved under by mistake.
const PAGE_LOOKALIKES: [&str; 8] = [
    "md", "markdown", "mdown", "mkd", "mkdn", "html", "htm", "txt",
];

/// The one rule for content file names: `<code>.md` is a page, another
/// `.md` file is a page when it opens with front matter, and
/// `strings.yaml` holds the strings. A code under a page-like extension
/// (`404.markdown`, `404.MD`, `404.html`) or a strings file under another
/// name is an error naming the right name. Every other file is skipped,
/// and `build` and `check` list it. Hidden files are never read (see
/// `source::read_dir`).
pub(super) fn kind_of(name: &str) -> FileKind {
    if name == strings::FILE_NAME {
        return FileKind::Strings;
    }
    let (stem, extension) = name.split_once('.').unwrap_or((name, ""));
    let lower = extension.to_ascii_lowercase();
    if stem.eq_ignore_ascii_case("strings") && ["yml", "yaml"].contains(&lower.as_str()) {
        return FileKind::Misnamed {
            rename_to: strings::FILE_NAME.to_string(),
        };
    }
    let is_code = !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit());
    match (is_code, extension) {
        (true, "md") => FileKind::Page,
        (false, "md") => FileKind::Markdown,
        (true, _) if extension.is_empty() || PAGE_LOOKALIKES.contains(&lower.as_str()) => {
            FileKind::Misnamed {
                rename_to: format!("{stem}.md"),
            }
        }
        _ => FileKind::Other,
    }
}

pub(super) fn file_name(rel_path: &str) -> &str {
    rel_path.rsplit('/').next().unwrap_or_default()
}

/// `404.md` is in `top_locale`; `de/404.md` in `de`; deeper paths are errors.
pub(super) fn locale_of(rel_path: &str, top_locale: &str) -> Result<String, String> {
    let parts: Vec<&str> = rel_path.split('/').collect();
    match parts.as_slice() {
        [_] => Ok(top_locale.to_string()),
        [folder, _] if is_locale_tag(folder) => Ok(folder.to_string()),
        [folder, _] => Err(format!(
            "folder `{folder}` is not a locale tag; content folders are named after a language such as `de` or `pt-BR`"
        )),
        _ => Err("content may be nested one folder deep at most (`de/404.md`)".to_string()),
    }
}

/// A BCP 47 language tag of the common shapes: `de`, `pt-BR`, `zh-Hans`.
pub fn is_locale_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_come_from_folders() {
        assert_eq!(locale_of("404.md", "en").unwrap(), "en");
        assert_eq!(locale_of("de/404.md", "en").unwrap(), "de");
        assert_eq!(locale_of("pt-BR/404.md", "en").unwrap(), "pt-BR");
        assert!(locale_of("Drafts/404.md", "en").is_err());
        assert!(locale_of("de/x/404.md", "en").is_err());
    }

    #[test]
    fn file_names_follow_one_rule() {
        assert_eq!(kind_of("404.md"), FileKind::Page);
        assert_eq!(
            kind_of("600.md"),
            FileKind::Page,
            "the front matter check names the code"
        );
        assert_eq!(kind_of("strings.yaml"), FileKind::Strings);
        for (name, rename_to) in [
            ("404.markdown", "404.md"),
            ("404.MD", "404.md"),
            ("404.Md", "404.md"),
            ("404.html", "404.md"),
            ("404.txt", "404.md"),
            ("404", "404.md"),
            ("strings.yml", "strings.yaml"),
            ("Strings.YAML", "strings.yaml"),
        ] {
            assert_eq!(
                kind_of(name),
                FileKind::Misnamed {
                    rename_to: rename_to.into()
                },
                "{name}"
            );
        }
        for name in ["README.md", "404-old.md", "missing-page.md"] {
            assert_eq!(kind_of(name), FileKind::Markdown, "{name}");
        }
        for name in ["notes.txt", "logo.png", "404.md.bak", "404.md~", "README"] {
            assert_eq!(kind_of(name), FileKind::Other, "{name}");
        }
    }
}
