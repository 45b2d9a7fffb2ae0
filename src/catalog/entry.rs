//! A page of the catalog: parsed and held, or, past what a build holds,
//! only what the build asks of every page, with the file to parse again
//! when the page itself is wanted. A page's text is reached only through
//! [`Entry::page`], so nothing can render a page without its text.

use super::file_digest;
use crate::content::{self, Page};
use crate::markdown::MarkdownOptions;
use crate::source::FoundFile;
use std::borrow::Cow;

/// The bytes of the user's page files a catalog holds parsed, beyond the
/// default locale's: a few dozen locales, so their builds parse each page
/// once; past it, a page is parsed again where it is used, and only the
/// pages in flight are held.
pub const HELD_SOURCE_BYTES: u64 = 2 * 1024 * 1024;

// A held page is most pages of most builds: it stays inline in the
// catalog's map, and the rarer page on disk is the one boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Entry {
    Held(Page),
    OnDisk(Box<OnDisk>),
}

/// A page that is read again when wanted.
#[derive(Debug, Clone)]
pub struct OnDisk {
    /// The page without its text (visitor and developer parts): only its
    /// values are read from here, never rendered.
    values: Page,
    has_developer: bool,
    file: FoundFile,
    /// Of the bytes first parsed: a file changed since is refused, so a
    /// build renders the content it checked.
    digest: u128,
    markdown: MarkdownOptions,
    strip: bool,
}

impl Entry {
    /// `page` held, or kept as what it was parsed from when `hold` is false.
    pub(super) fn new(
        page: Page,
        from: Option<(FoundFile, u128)>,
        markdown: MarkdownOptions,
        hold: bool,
    ) -> Entry {
        match from {
            Some((file, digest)) if !hold => {
                let has_developer = page.developer.exists();
                Entry::OnDisk(Box::new(OnDisk {
                    values: page.without_text(),
                    has_developer,
                    file,
                    digest,
                    markdown,
                    strip: false,
                }))
            }
            _ => Entry::Held(page),
        }
    }

    /// The page, text and all: parsed again from its file when it is not
    /// held, refused when the file is no longer what was first parsed.
    pub fn page(&self) -> Result<Cow<'_, Page>, String> {
        match self {
            Entry::Held(page) => Ok(Cow::Borrowed(page)),
            Entry::OnDisk(on_disk) => on_disk.parse().map(Cow::Owned),
        }
    }

    fn values(&self) -> &Page {
        match self {
            Entry::Held(page) => page,
            Entry::OnDisk(on_disk) => &on_disk.values,
        }
    }

    pub fn code(&self) -> u16 {
        self.values().code
    }

    pub fn locale(&self) -> &str {
        &self.values().locale
    }

    /// Where the content came from, as shown in messages.
    pub fn origin(&self) -> &str {
        &self.values().origin
    }

    pub fn title(&self) -> &str {
        &self.values().title
    }

    pub fn is_builtin(&self) -> bool {
        self.values().is_builtin()
    }

    /// True when the content has a developer part, stripped or not.
    pub fn has_developer(&self) -> bool {
        match self {
            Entry::Held(page) => page.developer.exists(),
            Entry::OnDisk(on_disk) => on_disk.has_developer,
        }
    }

    /// Drops the HTML of the developer part, now and whenever the page is
    /// parsed again.
    pub(super) fn strip_developer_part(&mut self) {
        match self {
            Entry::Held(page) => page.developer.strip(),
            Entry::OnDisk(on_disk) => on_disk.strip = true,
        }
    }
}

impl OnDisk {
    fn parse(&self) -> Result<Page, String> {
        let file = self.file.read()?;
        if file_digest(&file) != self.digest {
            return Err(format!(
                "`{}` changed while errorsmith was building from it; run the build again",
                self.values.origin
            ));
        }
        let mut page = content::parse_page(&file, &self.values.locale, self.markdown)?;
        if self.strip {
            page.developer.strip();
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, LoadOptions};

    /// `locales` locales of one page each, each file about 60 KB: more, in
    /// all, than a catalog holds.
    fn content(dir: &std::path::Path, locales: usize) -> Vec<String> {
        let filler = "Words for the visitor. ".repeat(2600);
        (0..locales)
            .map(|n| {
                let tag = format!("q{}{}", (b'a' + (n / 26) as u8) as char, (b'a' + (n % 26) as u8) as char);
                std::fs::create_dir_all(dir.join(&tag)).unwrap();
                std::fs::write(
                    dir.join(&tag).join("404.md"),
                    format!("---\ntitle: Not Found {tag}\n---\n\nGone {tag}.\n\n{filler}\n\n## Fix {{.developer}}\n\nRestart the {tag} upstream pool now.\n"),
                )
                .unwrap();
                tag
            })
            .collect()
    }

    fn load(dir: &std::path::Path) -> Catalog {
        Catalog::load(&LoadOptions {
            user_dir: Some(dir),
            default_locale: "en",
            markdown: MarkdownOptions::default(),
        })
        .unwrap()
    }

    #[test]
    fn past_what_a_catalog_holds_a_page_is_parsed_again_as_it_was_first_and_refused_once_changed() {
        let dir = tempfile::tempdir().unwrap();
        let tags = content(dir.path(), 40);
        let mut catalog = load(dir.path());
        let on_disk: Vec<&str> = tags
            .iter()
            .map(String::as_str)
            .filter(|tag| matches!(catalog.page(tag, 404), Some(Entry::OnDisk(_))))
            .collect();
        // The first files, up to what a catalog holds, are held; the rest
        // are not, and the default locale's always are.
        let held = tags.len() - on_disk.len();
        assert!((30..40).contains(&held), "{held} of {} held", tags.len());
        assert_eq!(
            on_disk,
            tags[held..].iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert!(matches!(catalog.page("en", 404), Some(Entry::Held(_))));
        for tag in &on_disk {
            let entry = catalog.page(tag, 404).unwrap();
            let path = dir.path().join(tag).join("404.md");
            let file = crate::source::SourceFile {
                rel_path: format!("{tag}/404.md"),
                origin: path.display().to_string(),
                bytes: std::fs::read(&path).unwrap(),
            };
            let parsed = content::parse_page(&file, tag, MarkdownOptions::default()).unwrap();
            assert_eq!(
                format!("{:?}", entry.page().unwrap()),
                format!("{parsed:?}")
            );
            assert_eq!(entry.title(), format!("Not Found {tag}"));
            assert_eq!(entry.origin(), path.display().to_string());
            assert!(entry.has_developer());
        }
        // Stripped, a page parsed again has no developer HTML either.
        catalog.strip_developer_parts();
        let last = catalog.page(on_disk[0], 404).unwrap().page().unwrap();
        assert_eq!(last.developer.html(), None);
        assert_eq!(
            last.developer.runs().collect::<Vec<_>>(),
            [
                "Fix".to_string(),
                format!("Restart the {} upstream pool now.", on_disk[0])
            ]
        );
        // A file changed since it was first parsed is not rendered.
        let path = dir.path().join(on_disk[0]).join("404.md");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("Gone", "Moved")).unwrap();
        let refused = catalog.page(on_disk[0], 404).unwrap().page().unwrap_err();
        assert_eq!(
            refused,
            format!(
                "`{}` changed while errorsmith was building from it; run the build again",
                path.display()
            )
        );
    }
}
