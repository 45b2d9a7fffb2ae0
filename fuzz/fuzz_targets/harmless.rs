//! What every rendered page must satisfy, whatever the input was.

use errorsmith::markdown::is_safe_url;

/// Values of every `name=` attribute of every tag, quoted or not
/// (minified pages drop the quotes where they can). Text and attribute
/// values that merely contain `name=` do not count.
pub fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let mut values = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        i += at + 1;
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !b">/".contains(&bytes[i]) {
            i += 1;
        }
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
            if attribute == name {
                values.push(value.to_string());
            }
        }
    }
    values
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
