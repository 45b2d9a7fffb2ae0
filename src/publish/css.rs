//! Active content in CSS (a `style` attribute or element): imports,
//! loads from elsewhere and script, found after decoding escapes as the
//! browser does.

use super::active::{Active, compact, is_inline};
use super::excerpt;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// What [`inspect_css`] found in each `<style>` element already seen: a
/// theme's stylesheet is the same on every page of a build, so it is
/// inspected once per build, not once per page.
#[derive(Default)]
pub struct StyleMemo(Mutex<HashMap<String, Vec<Active>>>);

/// Distinct stylesheets remembered; a build has one or a few per theme.
const REMEMBERED: usize = 64;

impl StyleMemo {
    pub(super) fn inspect(&self, css: &str, found: &mut Vec<Active>) {
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = lock().get(css) {
            found.extend(known.iter().cloned());
            return;
        }
        let mut fresh = Vec::new();
        inspect_css(css, &mut fresh);
        let mut memo = lock();
        if memo.len() < REMEMBERED {
            memo.insert(css.to_string(), fresh.clone());
        }
        found.extend(fresh);
    }
}

/// `@import`, `url(...)` or a quoted URL (`image-set("...")`, `src("...")`)
/// that is not inline data, and script in CSS. Escapes are decoded first,
/// as the browser does: `u\72l(` is `url(`.
pub(super) fn inspect_css(css: &str, found: &mut Vec<Active>) {
    let css = &decode_css_escapes(css);
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        found.push(Active {
            what: "a CSS `@import`".into(),
            evidence: vec!["@import".into()],
        });
    }
    for marker in ["expression(", "javascript:", "behavior:", "-moz-binding"] {
        if lower.contains(marker) {
            found.push(Active {
                what: format!("`{marker}` in CSS"),
                evidence: vec![marker.into()],
            });
        }
    }
    let mut rest = lower.as_str();
    let mut base = 0;
    while let Some(at) = rest.find("url(") {
        let start = base + at + 4;
        let end = css[start..].find(')').map_or(css.len(), |e| start + e);
        let target = css[start..end].trim().trim_matches(['"', '\'']).trim();
        if !is_inline(target) {
            found.push(Active {
                what: format!("a CSS load of `{}`", excerpt(target)),
                evidence: vec![target.to_string()],
            });
        }
        base = end;
        rest = &lower[end..];
    }
    for quoted in css_strings(css) {
        let compact = compact(quoted);
        if compact.starts_with("http:")
            || compact.starts_with("https:")
            || compact.starts_with("//")
        {
            found.push(Active {
                what: format!("a CSS load of `{}`", excerpt(quoted)),
                evidence: vec![quoted.to_string()],
            });
        }
    }
}

/// CSS text with its escapes decoded: `\72` (hex, then one optional space)
/// and `\x` (any other character) as the character, a backslash before a
/// newline as nothing.
pub(super) fn decode_css_escapes(css: &str) -> std::borrow::Cow<'_, str> {
    if !css.contains('\\') {
        return std::borrow::Cow::Borrowed(css);
    }
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut hex = String::new();
        while hex.len() < 6 && chars.peek().is_some_and(char::is_ascii_hexdigit) {
            hex.push(chars.next().unwrap_or_default());
        }
        if hex.is_empty() {
            match chars.next() {
                Some('\n') | None => {}
                Some(other) => out.push(other),
            }
            continue;
        }
        if chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
        let code = u32::from_str_radix(&hex, 16).unwrap_or(0xfffd);
        out.push(
            char::from_u32(code)
                .filter(|&c| c != '\0')
                .unwrap_or('\u{fffd}'),
        );
    }
    std::borrow::Cow::Owned(out)
}

/// The contents of every quoted string in CSS.
fn css_strings(css: &str) -> Vec<&str> {
    let mut strings = Vec::new();
    let mut rest = css;
    while let Some(open) = rest.find(['"', '\'']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        let inner = &rest[open + 1..];
        let close = inner.find(quote).unwrap_or(inner.len());
        strings.push(&inner[..close]);
        rest = inner.get(close + 1..).unwrap_or("");
    }
    strings
}
