//! All content, built-in and the user's, as one set of pages keyed by locale
//! and code. A user's file replaces the built-in one for the same locale and
//! code; two files for one code in the same folder tree are an error.

use crate::content;
use crate::markdown::MarkdownOptions;
use crate::source::{self, SourceFile};
use crate::strings::{self, Strings};
use anyhow::Result;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

mod entry;
mod names;
pub use entry::{Entry, HELD_SOURCE_BYTES};
pub use names::is_locale_tag;
use names::{FileKind, file_name, kind_of, locale_of};

/// The locale of the built-in top-level content.
pub const BUILTIN_LOCALE: &str = "en";

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// (locale, code) -> page
    pub pages: BTreeMap<(String, u16), Entry>,
    /// locale -> strings as found (not yet merged with the default locale)
    pub strings: BTreeMap<String, Strings>,
    /// The user's files that are not content (see [`kind_of`]), as shown
    /// in messages; the build skips them and says so.
    pub skipped: Vec<String>,
    /// A digest of the user's files this catalog was parsed from (relative
    /// paths and bytes, as read): the key of a build's inputs takes it
    /// from here, not from the disk again, which may have changed since.
    pub user_digest: String,
}

/// The built-in pages and strings, parsed once per process for each set
/// of Markdown options (all they depend on besides errorsmith's own files):
/// `serve` loads the project again on every edit.
fn builtin_layer(options: &LoadOptions) -> (Catalog, Vec<String>) {
    type Parsed = Vec<(String, std::sync::Arc<(Catalog, Vec<String>)>)>;
    static PARSED: std::sync::Mutex<Parsed> = std::sync::Mutex::new(Vec::new());
    let key = format!("{:?}", options.markdown);
    let known = |parsed: &Parsed| {
        parsed
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, layer)| layer.clone())
    };
    let parsed = || PARSED.lock().unwrap_or_else(|e| e.into_inner());
    let found = known(&parsed());
    let layer = found.unwrap_or_else(|| {
        // Parsed without the lock held (on rayon's threads, see
        // `add_layer`); a load racing this one may parse it too.
        let mut catalog = Catalog::default();
        let mut errors = Vec::new();
        catalog.add_layer(
            source::builtin_content()
                .into_iter()
                .map(source::Input::Read)
                .collect(),
            BUILTIN_LOCALE,
            options,
            &mut errors,
        );
        let layer = std::sync::Arc::new((catalog, errors));
        parsed().push((key.clone(), layer.clone()));
        layer
    });
    layer.as_ref().clone()
}

/// A digest of one file: its relative path and its bytes.
fn file_digest(file: &SourceFile) -> u128 {
    let mut digest = crate::digest::Digest::default();
    digest.add(file.rel_path.as_bytes());
    digest.add(&file.bytes);
    digest.value()
}

/// A page the user wrote for the default locale while other built locales
/// keep the built-in text for the same code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockBesideOverride {
    pub code: u16,
    /// The user's file, as shown in messages.
    pub origin: String,
    pub locales: Vec<String>,
}

pub struct LoadOptions<'a> {
    /// The user's content folder, if any.
    pub user_dir: Option<&'a Path>,
    /// Locale of the top-level files of the user's folder.
    pub default_locale: &'a str,
    pub markdown: MarkdownOptions,
}

impl Catalog {
    pub fn load(options: &LoadOptions) -> Result<Catalog> {
        let (mut catalog, mut errors) = builtin_layer(options);
        if let Some(dir) = options.user_dir {
            // Only files that are content are read, so a large image or a
            // binary next to the pages is skipped, not refused.
            let (files, skipped) =
                source::find_where(dir, |rel| kind_of(file_name(rel)) != FileKind::Other)?;
            catalog.skipped = skipped;
            let files = files.into_iter().map(source::Input::Found).collect();
            catalog.user_digest =
                catalog.add_layer(files, options.default_locale, options, &mut errors);
            catalog.skipped.sort();
        }
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(crate::error_list("content", errors))
        }
    }

    /// Adds the pages and strings of `files`, which a file of the same
    /// locale and code in this catalog gives way to; returns a digest of
    /// the files (relative paths and bytes, as read and parsed).
    fn add_layer(
        &mut self,
        files: Vec<source::Input>,
        top_locale: &str,
        options: &LoadOptions,
        errors: &mut Vec<String>,
    ) -> String {
        // Pages are read and parsed on every core; everything else, and
        // every message, stays in the order of the files. A page's bytes
        // are read where it is parsed and go once it is, so the sources of
        // a large project are never all held at once, nor held beside
        // its pages.
        enum Step {
            Error(String),
            /// The file, its locale, and whether its page is held.
            Page(source::Input, String, bool),
        }
        let mut steps = Vec::new();
        // Pages are held in the order of the files, the default locale's
        // always (every locale falls back to them), the others while their
        // files fit in what a catalog holds. Decided here, before they are
        // parsed, so a page not held is never held with its text at all.
        let mut held_bytes = 0;
        // (relative path, digest) of every file read.
        let mut digests: Vec<(String, u128)> = Vec::with_capacity(files.len());
        for input in files {
            let locale = match locale_of(input.rel_path(), top_locale) {
                Ok(locale) => locale,
                Err(message) => {
                    steps.push(Step::Error(format!("{}: {message}", input.origin())));
                    continue;
                }
            };
            let kind = kind_of(file_name(input.rel_path()));
            if let FileKind::Misnamed { rename_to } = &kind {
                steps.push(Step::Error(format!(
                    "{}: errorsmith reads pages named `<code>.md` and `{}`, so this file would be ignored; rename it to `{rename_to}`",
                    input.origin(),
                    strings::FILE_NAME
                )));
                continue;
            }
            if matches!(kind, FileKind::Other) {
                continue;
            }
            if kind == FileKind::Page {
                let size = match &input {
                    source::Input::Found(found) => found.size(),
                    source::Input::Read(_) => 0,
                };
                let hold = locale == top_locale || held_bytes + size <= HELD_SOURCE_BYTES;
                if hold && locale != top_locale {
                    held_bytes += size;
                }
                steps.push(Step::Page(input, locale, hold));
                continue;
            }
            // Strings and other Markdown are few: read here, in order.
            let file = match input.read() {
                Ok(file) => file,
                Err(message) => {
                    steps.push(Step::Error(message));
                    continue;
                }
            };
            if kind == FileKind::Strings {
                digests.push((file.rel_path.clone(), file_digest(&file)));
                match strings::parse(&file) {
                    Ok(found) => {
                        // The user's words over the built-in ones of the
                        // same locale, key by key: a file that sets one
                        // key keeps errorsmith's words for the others.
                        let merged = match self.strings.remove(&locale) {
                            Some(builtin) => found.over(&builtin),
                            None => found,
                        };
                        self.strings.insert(locale, merged);
                    }
                    Err(message) => steps.push(Step::Error(message)),
                }
                continue;
            }
            let opens_with_front_matter = file
                .text()
                .is_ok_and(|text| content::body_start(text).is_some());
            if !opens_with_front_matter {
                digests.push((file.rel_path.clone(), file_digest(&file)));
                self.skipped.push(file.origin.clone());
                continue;
            }
            steps.push(Step::Page(source::Input::Read(file), locale, true));
        }
        // A file's step is its page (with the digest of its bytes) or the
        // message that stops it.
        type Parsed = (String, Entry, (String, u128));
        let parsed: Vec<Result<Parsed, String>> = steps
            .into_par_iter()
            .map(|step| match step {
                Step::Page(input, locale, hold) => {
                    let (file, found) = match input {
                        source::Input::Read(file) => (file, None),
                        source::Input::Found(found) => (found.read()?, Some(found)),
                    };
                    let digest = file_digest(&file);
                    let page = content::parse_page(&file, &locale, options.markdown)?;
                    let from = found.map(|found| (found, digest));
                    let entry = Entry::new(page, from, options.markdown, hold);
                    Ok((locale, entry, (file.rel_path, digest)))
                }
                Step::Error(message) => Err(message),
            })
            .collect();
        let mut layer: BTreeMap<(String, u16), Entry> = BTreeMap::new();
        for step in parsed {
            let (locale, entry, digest) = match step {
                Ok(parsed) => parsed,
                Err(message) => {
                    errors.push(message);
                    continue;
                }
            };
            let key = (locale, entry.code());
            if let Some(first) = layer.get(&key) {
                errors.push(format!(
                    "{}: code {} is already defined by `{}`; keep one file per code and locale",
                    entry.origin(),
                    entry.code(),
                    first.origin()
                ));
                continue;
            }
            digests.push(digest);
            layer.insert(key, entry);
        }
        self.pages.extend(layer);
        digests.sort_unstable();
        let mut digest = crate::digest::Digest::default();
        for (rel_path, of_file) in &digests {
            digest.add(rel_path.as_bytes());
            digest.add(&of_file.to_le_bytes());
        }
        digest.hex()
    }

    /// Drops the HTML of every developer part, for builds that strip it:
    /// what is not in the data cannot be published by any template.
    pub fn strip_developer_parts(&mut self) {
        for entry in self.pages.values_mut() {
            entry.strip_developer_part();
        }
    }

    /// Codes whose default-locale page is the user's while one of
    /// `locales` still has the built-in page for it (a missing page is
    /// fine: it falls back to the user's). `codes` empty means all.
    pub fn stock_beside_overrides(
        &self,
        default_locale: &str,
        locales: &[String],
        codes: &[u16],
    ) -> Vec<StockBesideOverride> {
        let mut found = Vec::new();
        for code in self.codes(default_locale) {
            if !codes.is_empty() && !codes.contains(&code) {
                continue;
            }
            let Some(own) = self.page(default_locale, code).filter(|p| !p.is_builtin()) else {
                continue;
            };
            let stock: Vec<String> = locales
                .iter()
                .filter(|l| l.as_str() != default_locale)
                .filter(|l| self.page(l, code).is_some_and(Entry::is_builtin))
                .cloned()
                .collect();
            if !stock.is_empty() {
                found.push(StockBesideOverride {
                    code,
                    origin: own.origin().to_string(),
                    locales: stock,
                });
            }
        }
        found
    }

    /// Every locale that has at least one page.
    pub fn locales(&self) -> Vec<&str> {
        let mut locales: Vec<&str> = self.pages.keys().map(|(l, _)| l.as_str()).collect();
        locales.dedup();
        locales
    }

    pub fn codes(&self, locale: &str) -> Vec<u16> {
        self.pages
            .keys()
            .filter(|(l, _)| l == locale)
            .map(|(_, code)| *code)
            .collect()
    }

    pub fn page(&self, locale: &str, code: u16) -> Option<&Entry> {
        self.pages.get(&(locale.to_string(), code))
    }

    /// The strings for `locale`, completed from the default locale and then
    /// from the built-in English.
    pub fn strings_for(&self, locale: &str, default_locale: &str) -> Strings {
        let own = self.strings.get(locale).cloned().unwrap_or_default();
        let default = self
            .strings
            .get(default_locale)
            .cloned()
            .unwrap_or_default();
        let builtin = self
            .strings
            .get(BUILTIN_LOCALE)
            .cloned()
            .unwrap_or_default();
        own.over(&default.over(&builtin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layer kept for the process is the one parsing makes, however
    /// often it is asked for. (Errorsmith's pages hold no raw HTML, so
    /// today both settings of `allow_raw_html` parse them alike; the layer
    /// is kept per options all the same.)
    #[test]
    fn the_built_in_layer_is_parsed_once_per_options_as_parsing_makes_it() {
        for allow_raw_html in [false, true, false] {
            let options = LoadOptions {
                user_dir: None,
                default_locale: BUILTIN_LOCALE,
                markdown: MarkdownOptions { allow_raw_html },
            };
            let mut parsed = Catalog::default();
            let mut errors = Vec::new();
            parsed.add_layer(
                source::builtin_content()
                    .into_iter()
                    .map(source::Input::Read)
                    .collect(),
                BUILTIN_LOCALE,
                &options,
                &mut errors,
            );
            let (kept, kept_errors) = builtin_layer(&options);
            assert_eq!(
                format!("{kept:?}"),
                format!("{parsed:?}"),
                "{allow_raw_html}"
            );
            assert_eq!(kept_errors, errors);
        }
    }

    #[test]
    fn builtin_content_covers_every_registered_error_code() {
        let catalog = Catalog::load(&LoadOptions {
            user_dir: None,
            default_locale: "en",
            markdown: MarkdownOptions::default(),
        })
        .unwrap();
        let expected: Vec<u16> = (400..=418)
            .chain(421..=426)
            .chain([428, 429, 431, 451])
            .chain(500..=508)
            .chain([510, 511])
            .collect();
        assert_eq!(catalog.codes("en"), expected);
        for code in expected {
            let page = catalog.page("en", code).unwrap().page().unwrap();
            assert!(!page.summary.is_empty(), "{code} has no summary");
            assert!(!page.visitor_html.is_empty(), "{code} has no visitor text");
            assert!(
                page.developer.html().unwrap_or_default().contains("<li>"),
                "{code} has no developer checklist"
            );
        }
    }
}
