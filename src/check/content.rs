//! Checks of the content: translations, the user's pages beside built-in
//! ones, files that are not pages, and links between pages.

use super::{Report, Severity};
use crate::build::Rendered;
use crate::project::Project;
use pulldown_cmark::{Event, Parser, Tag};
use std::collections::BTreeSet;

pub(super) fn check_translations(report: &mut Report, project: &Project) {
    let catalog = &project.catalog;
    let default_locale = project.config.default_locale.as_str();
    let only = &project.config.codes;
    let mut wanted = catalog.codes(default_locale);
    wanted.retain(|c| only.is_empty() || only.contains(c));
    for locale in catalog.locales() {
        if locale == default_locale {
            continue;
        }
        let have: BTreeSet<u16> = catalog.codes(locale).into_iter().collect();
        let missing: Vec<String> = wanted
            .iter()
            .filter(|c| !have.contains(c))
            .map(u16::to_string)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let folder = catalog
            .pages
            .iter()
            .find(|((l, _), _)| l == locale)
            .and_then(|(_, page)| {
                page.origin()
                    .rsplit_once('/')
                    .map(|(dir, _)| dir.to_string())
            })
            .unwrap_or_else(|| locale.to_string());
        report.push(
            &folder,
            None,
            Severity::Warning,
            format!(
                "locale `{locale}` has no translation of {} code(s) the default locale `{default_locale}` has: {}",
                missing.len(),
                missing.join(", ")
            ),
            &format!(
                "add {}/NNN.md for each (until then those pages show the `{default_locale}` text)",
                folder.strip_prefix("<built-in>/").unwrap_or(&folder)
            ),
        );
    }
}

/// The user's own default-locale page next to the built-in text of other
/// locales: visitors get two wordings of one site, so each is a warning.
pub(super) fn check_overrides(report: &mut Report, project: &Project) {
    let default_locale = &project.config.default_locale;
    for found in project.stock_beside_overrides() {
        report.push(
            &found.origin,
            None,
            Severity::Warning,
            format!(
                "your `{default_locale}` page for {} replaces the built-in one, but {} still show errorsmith's built-in text for it",
                found.code,
                found.locales.join(", ")
            ),
            &format!(
                "add a translation for each (such as `{}/{}.md`) or limit `locales:` in errorsmith.yaml",
                found.locales[0], found.code
            ),
        );
    }
}

/// Files in the content folder that the build does not read.
pub(super) fn check_skipped(report: &mut Report, project: &Project) {
    for file in &project.catalog.skipped {
        report.push(
            file,
            None,
            Severity::Warning,
            "not a page or strings file, so the build skips it".to_string(),
            "pages are named `<code>.md` (such as `404.md`); move other files out of the content folder",
        );
    }
}

/// Relative links in content must lead to a page the build produces.
pub(super) fn check_links(report: &mut Report, project: &Project, rendered: &Rendered) {
    let built: BTreeSet<&str> = rendered.files.iter().map(|f| f.path()).collect();
    let prefix = format!("{}/", project.config.url_prefix);
    for page in project.catalog.pages.values() {
        let Some(text) = source_text(page.origin()) else {
            continue;
        };
        let body_at = crate::content::body_start(&text).unwrap_or(0);
        for (offset, url) in links(&text[body_at..]) {
            let target = match url.strip_prefix(&prefix) {
                Some(inside) => Some(inside.to_string()),
                None if is_relative(&url) => resolve(page.locale(), &url),
                None => continue,
            };
            if target.as_deref().is_some_and(|t| built.contains(t)) {
                continue;
            }
            let line = text[..body_at + offset].matches('\n').count() + 1;
            report.error(
                page.origin(),
                Some(line),
                format!("link `{url}` leads to no page of this build"),
                "link to a built page such as `404.html` (or `../404.html` from a locale folder), or remove the link",
            );
        }
    }
}

/// (byte offset, URL) of every link in a Markdown text.
fn links(markdown: &str) -> Vec<(usize, String)> {
    Parser::new(markdown)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some((range.start, dest_url.to_string())),
            _ => None,
        })
        .collect()
}

/// A link to another file of the build: no scheme, not site-absolute, not
/// a fragment on the same page.
fn is_relative(url: &str) -> bool {
    !url.is_empty()
        && !url.starts_with(['/', '#', '?'])
        && !url
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|first| first.contains(':'))
}

/// Where `url` leads from the page `{locale}/{code}.html`, as a path of the
/// build, or None when it climbs above the output directory.
fn resolve(locale: &str, url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let mut parts: Vec<&str> = vec![locale];
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The text of a content file, from disk or from the binary.
fn source_text(origin: &str) -> Option<String> {
    let bytes = std::fs::read(origin).ok().or_else(|| {
        let rel = origin.strip_prefix(&format!("{}content/", crate::source::BUILTIN_ORIGIN))?;
        crate::source::builtin_content()
            .into_iter()
            .find(|f| f.rel_path == rel)
            .map(|f| f.bytes)
    })?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_against_the_locale_folder() {
        assert_eq!(resolve("de", "503.html").as_deref(), Some("de/503.html"));
        assert_eq!(resolve("de", "../503.html#x").as_deref(), Some("503.html"));
        assert_eq!(resolve("en", "../../x.html"), None);
        assert!(is_relative("503.html"));
        assert!(!is_relative("https://x"));
        assert!(!is_relative("mailto:a@b"));
        assert!(!is_relative("/home"));
        assert!(!is_relative("#top"));
    }
}
