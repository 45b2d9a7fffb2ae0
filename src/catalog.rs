//! All content, built-in and the user's, as one set of pages keyed by locale
//! and code. A user's file replaces the built-in one for the same locale and
//! code; two files for one code in the same folder tree are an error.

use crate::content::{self, Page};
use crate::markdown::MarkdownOptions;
use crate::source::{self, SourceFile};
use crate::strings::{self, Strings};
use anyhow::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// The locale of the built-in top-level content.
pub const BUILTIN_LOCALE: &str = "en";

#[derive(Debug, Default)]
pub struct Catalog {
    /// (locale, code) -> page
    pub pages: BTreeMap<(String, u16), Page>,
    /// locale -> strings as found (not yet merged with the default locale)
    pub strings: BTreeMap<String, Strings>,
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
        let mut catalog = Catalog::default();
        let mut errors = Vec::new();
        catalog.add_layer(
            &source::builtin_content(),
            BUILTIN_LOCALE,
            options,
            &mut errors,
        );
        if let Some(dir) = options.user_dir {
            let files = source::read_dir(dir)?;
            catalog.add_layer(&files, options.default_locale, options, &mut errors);
        }
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(crate::error_list("content", errors))
        }
    }

    fn add_layer(
        &mut self,
        files: &[SourceFile],
        top_locale: &str,
        options: &LoadOptions,
        errors: &mut Vec<String>,
    ) {
        let mut layer: BTreeMap<(String, u16), Page> = BTreeMap::new();
        for file in files {
            let locale = match locale_of(&file.rel_path, top_locale) {
                Ok(locale) => locale,
                Err(message) => {
                    errors.push(format!("{}: {message}", file.origin));
                    continue;
                }
            };
            let name = file.rel_path.rsplit('/').next().unwrap_or_default();
            if name == strings::FILE_NAME {
                match strings::parse(file) {
                    Ok(found) => {
                        self.strings.insert(locale, found);
                    }
                    Err(message) => errors.push(message),
                }
                continue;
            }
            if !name.ends_with(".md") {
                continue;
            }
            match content::parse_page(file, &locale, options.markdown) {
                Ok(page) => {
                    let key = (locale, page.code);
                    if let Some(first) = layer.get(&key) {
                        errors.push(format!(
                            "{}: code {} is already defined by `{}`; keep one file per code and locale",
                            page.origin, page.code, first.origin
                        ));
                    } else {
                        layer.insert(key, page);
                    }
                }
                Err(message) => errors.push(message),
            }
        }
        self.pages.extend(layer);
    }

    /// Drops the HTML of every developer part, for builds that strip it:
    /// what is not in the data cannot be published by any template.
    pub fn strip_developer_parts(&mut self) {
        for page in self.pages.values_mut() {
            page.developer.strip();
        }
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

    pub fn page(&self, locale: &str, code: u16) -> Option<&Page> {
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

/// `404.md` is in `top_locale`; `de/404.md` in `de`; deeper paths are errors.
fn locale_of(rel_path: &str, top_locale: &str) -> Result<String, String> {
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
            let page = catalog.page("en", code).unwrap();
            assert!(!page.summary.is_empty(), "{code} has no summary");
            assert!(!page.visitor_html.is_empty(), "{code} has no visitor text");
            assert!(
                page.developer.html().unwrap_or_default().contains("<li>"),
                "{code} has no developer checklist"
            );
        }
    }
}
