//! What every rendered page must satisfy, whatever the input was.

use errorsmith::markdown::is_safe_url;

/// Values of every `name=` attribute, quoted or not (minified pages drop
/// the quotes where they can).
pub fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let opener = format!("{name}=");
    html.match_indices(&opener)
        .map(|(at, _)| {
            let rest = &html[at + opener.len()..];
            match rest.chars().next() {
                Some(quote @ ('"' | '\'')) => rest[1..].split(quote).next().unwrap_or_default(),
                _ => rest
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Links and sources: only schemes that cannot run code, plus inline
/// images and the theme's empty favicon.
pub fn assert_safe_urls(html: &str) {
    for name in ["href", "src"] {
        for value in attribute_values(html, name) {
            let value = value.replace("&amp;", "&");
            assert!(
                is_safe_url(&value) || value == "data:," || value.starts_with("data:image/"),
                "unsafe URL `{value}` in {name}=:\n{html}"
            );
        }
    }
}

pub fn assert_no_script(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(
        !lower.contains("<script"),
        "input injected a script:\n{html}"
    );
    assert!(
        !lower.contains("<iframe"),
        "input injected an iframe:\n{html}"
    );
}
