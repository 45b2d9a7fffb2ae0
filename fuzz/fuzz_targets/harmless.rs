//! What every rendered page must satisfy, whatever the input was.

use errorsmith::markdown::is_safe_url;
use errorsmith::project::{Project, ProjectOptions};
use errorsmith::theme::Theme;

/// The built-in content and default theme, loaded from a root with no
/// project files, as every target starts from.
pub fn builtin_project() -> (Project, Theme) {
    let project = Project::load(&ProjectOptions {
        root: "/nonexistent-errorsmith-fuzz-root".into(),
        ..ProjectOptions::default()
    })
    .expect("built-in project loads");
    let theme = project.theme().expect("default theme resolves");
    (project, theme)
}

/// One start tag: its name and attributes, lowercased names.
pub struct Tag {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

/// Every start tag, with attribute values quoted or not (minified pages
/// drop the quotes where they can). Text and attribute values that merely
/// look like markup do not count, as in a browser.
pub fn tags(html: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        i += at + 1;
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !b">/".contains(&bytes[i]) {
            i += 1;
        }
        let mut tag = Tag {
            name: html[name_start..i].to_ascii_lowercase(),
            attributes: Vec::new(),
        };
        // Attributes, one by one, until the tag closes.
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            let name_start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !b"=>".contains(&bytes[i]) {
                i += 1;
            }
            let attribute = html[name_start..i].to_ascii_lowercase();
            if bytes.get(i) != Some(&b'=') {
                tag.attributes.push((attribute, String::new()));
                continue;
            }
            i += 1;
            let value = match bytes.get(i) {
                Some(&quote) if quote == b'"' || quote == b'\'' => {
                    let end = html[i + 1..]
                        .find(quote as char)
                        .map_or(html.len(), |e| i + 1 + e);
                    let value = &html[i + 1..end];
                    i = (end + 1).min(html.len());
                    value
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    &html[start..i]
                }
            };
            tag.attributes.push((attribute, value.to_string()));
        }
        tags.push(tag);
    }
    tags
}

/// No element or attribute that runs code, and links and sources only
/// with schemes that cannot run code (plus inline images and the theme's
/// empty favicon).
pub fn assert_harmless_markup(html: &str) {
    for tag in tags(html) {
        let runs_code = matches!(
            tag.name.as_str(),
            "script" | "iframe" | "object" | "embed" | "base"
        ) || (tag.name == "meta"
            && tag.attributes.iter().any(|(a, _)| a == "http-equiv"));
        assert!(!runs_code, "input injected <{}>:\n{html}", tag.name);
        for (attribute, value) in &tag.attributes {
            assert!(
                !attribute.starts_with("on"),
                "input injected {attribute}=:\n{html}"
            );
            if matches!(attribute.as_str(), "href" | "src" | "action" | "formaction") {
                let value = value.replace("&amp;", "&");
                assert!(
                    is_safe_url(&value) || value == "data:," || value.starts_with("data:image/"),
                    "unsafe URL `{value}` in {attribute}=:\n{html}"
                );
            }
        }
    }
}
