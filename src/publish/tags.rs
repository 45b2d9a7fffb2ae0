//! Reading an HTML tag as a browser does: its element's name, its
//! attributes with their values' entities decoded, and where the element
//! it opens closes. The gate's search for active content stands on this.

use std::borrow::Cow;

/// Where the element `name` opened before `from` closes: the next `</name`,
/// in any case.
pub(super) fn closing_tag(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(start) = crate::markup::find(html, at, "</") {
        let candidate = bytes.get(start + 2..start + 2 + name.len())?;
        if candidate.eq_ignore_ascii_case(name.as_bytes()) {
            return Some(start);
        }
        at = start + 2;
    }
    None
}

/// Attribute values as the browser reads them: entities decoded.
pub(super) fn decode(value: &str) -> Cow<'_, str> {
    if !value.contains('&') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if c == '&'
            && let Some((decoded, used)) = super::fold::entity(rest)
        {
            out.extend(decoded);
            rest = &rest[used..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The lower-cased name of an opening tag, or None for closing tags and
/// stray `<`.
pub(super) fn element_name(tag: &str) -> Option<String> {
    let name: String = tag[1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
        .collect();
    (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_alphabetic()))
        .then(|| name.to_ascii_lowercase())
}

/// `(name, raw value)` of every attribute of an opening tag, names
/// lower-cased.
pub(super) fn attributes(tag: &str, from: usize) -> Vec<(Cow<'_, str>, &str)> {
    let bytes = tag.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    let end = tag.len().saturating_sub(1);
    while i < end {
        while i < end && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < end && !bytes[i].is_ascii_whitespace() && !b"=>/".contains(&bytes[i]) {
            i += 1;
        }
        if i == name_start {
            i += 1;
            continue;
        }
        let name = &tag[name_start..i];
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        let mut value = "";
        if i < end && bytes[i] == b'=' {
            i += 1;
            if i < end && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let start = i + 1;
                i = start;
                while i < tag.len() && bytes[i] != quote {
                    i += 1;
                }
                value = &tag[start..i.min(tag.len())];
                i += 1;
            } else {
                let start = i;
                while i < end && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = &tag[start..i];
            }
        }
        out.push((name, value));
    }
    out
}
