//! Finds what in an HTML file could run, load or be executed by a server:
//! scripts, event handlers, script URLs, SSI directives, frames and
//! embedded objects, and loads from elsewhere. The gate allows each only if
//! the theme's own source (or errorsmith's SSI writer) has it.

#[cfg(test)]
use super::css::decode_css_escapes;
use super::css::{StyleMemo, inspect_css};

/// One thing found, with the texts that must all occur in the theme's
/// source for it to be the theme's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Active {
    pub what: String,
    pub evidence: Vec<String>,
}

use super::excerpt;
use super::tags::{attributes, closing_tag, decode, element_name};
use crate::markup::{comment_end, tag_end};
use std::borrow::Cow;

/// Elements that load or run something whatever their attributes.
const ACTIVE_ELEMENTS: [&str; 8] = [
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
];
/// Evidence no theme source can hold, for findings nothing excuses.
const NEVER_IN_A_THEME: &str = "\u{0}never\u{0}";
/// Attributes whose value is fetched.
const LOAD_ATTRIBUTES: [&str; 7] = [
    "src",
    "srcset",
    "poster",
    "data",
    "action",
    "formaction",
    "ping",
];
/// SVG animation attributes whose values become another attribute's value.
const ANIMATION_VALUES: [&str; 4] = ["values", "to", "from", "by"];

/// How every SSI directive starts, nginx's and Apache's alike.
const SSI_OPEN: &str = "<!--#";

/// Every SSI directive in `text`, wherever it stands: nginx parses them
/// byte by byte, whatever the HTML context, so the gate does too.
pub fn ssi_directives(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = crate::markup::find(text, from, SSI_OPEN) {
        let end = crate::markup::find(text, start, "-->").map_or(text.len(), |e| e + 3);
        found.push(text[start..end].to_string());
        from = end;
    }
    found
}

#[cfg(test)]
pub fn find(html: &str) -> Vec<Active> {
    find_with(html, &StyleMemo::default())
}

/// Everything active in `html`; `<style>` elements already seen are
/// answered from `styles`.
pub fn find_with(html: &str, styles: &StyleMemo) -> Vec<Active> {
    // Anywhere, not only in comment position: inside an attribute value or
    // a <title> a directive is text to a browser but live to nginx.
    let mut found: Vec<Active> = ssi_directives(html)
        .into_iter()
        .map(|directive| Active {
            what: format!("the SSI directive `{}`", excerpt(&directive)),
            evidence: vec![directive],
        })
        .collect();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        let at = i + offset;
        if html[at..].starts_with("<!--") {
            let end = comment_end(html, at);
            i = end;
            continue;
        }
        let end = tag_end(html, at);
        let tag = &html[at..end];
        i = end;
        let Some(name) = element_name(tag) else {
            continue;
        };
        let attributes = attributes(tag, name.len() + 1);
        inspect_element(&name, &attributes, &mut found);
        if name == "script" || name == "style" {
            let close = closing_tag(html, i, &name).unwrap_or(html.len());
            let body = &html[i..close];
            if name == "script" {
                let evidence = if body.trim().is_empty() {
                    tag.to_string()
                } else {
                    body.trim().to_string()
                };
                found.push(Active {
                    what: format!("a <script> element `{}`", excerpt(&format!("{tag}{body}"))),
                    evidence: vec![evidence],
                });
            } else {
                styles.inspect(body, &mut found);
            }
            i = close;
        }
    }
    found
}

fn inspect_element(name: &str, attributes: &[(Cow<str>, &str)], found: &mut Vec<Active>) {
    if ACTIVE_ELEMENTS.contains(&name) {
        found.push(Active {
            what: format!("an <{name}> element"),
            evidence: vec![format!("<{name}")],
        });
    }
    for (key, value) in attributes {
        // Names like `&amp;` or `"q"` come from a value put into an
        // unquoted attribute; no theme writes them, so nothing excuses them.
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c))
        {
            found.push(Active {
                what: format!(
                    "the attribute name `{}` (a value in an unquoted attribute?)",
                    excerpt(key)
                ),
                evidence: vec![NEVER_IN_A_THEME.to_string()],
            });
        }
        let decoded = decode(value);
        if key.len() > 2 && key.starts_with("on") {
            found.push(Active {
                what: format!("the event handler `{key}={}`", excerpt(&decoded)),
                evidence: vec![key.to_string(), decoded.to_string()],
            });
        }
        if is_script_url(&decoded) {
            found.push(Active {
                what: format!("the script URL `{}` in `{key}`", excerpt(&decoded)),
                evidence: vec![decoded.to_string()],
            });
        }
        let fetched = LOAD_ATTRIBUTES.contains(&key.as_ref())
            || (key == "href" && name != "a" && name != "area")
            || key == "xlink:href";
        if fetched && !is_inline(&decoded) {
            found.push(Active {
                what: format!("a load of `{}` (`{key}` of <{name}>)", excerpt(&decoded)),
                evidence: vec![decoded.to_string()],
            });
        }
        // <animate>/<set> can give an element an event handler or a link
        // target after load: the value set is script like any other.
        if key == "attributename" && {
            let target = decoded.trim().to_ascii_lowercase();
            target.starts_with("on") || target.ends_with("href")
        } {
            found.push(Active {
                what: format!("an SVG animation of `{}`", excerpt(&decoded)),
                evidence: vec![decoded.to_string()],
            });
        }
        if ANIMATION_VALUES.contains(&key.as_ref()) && decoded.split(';').any(is_script_url) {
            found.push(Active {
                what: format!("the script URL in `{key}={}`", excerpt(&decoded)),
                evidence: vec![decoded.to_string()],
            });
        }
        if key == "http-equiv" && decoded.eq_ignore_ascii_case("refresh") {
            found.push(Active {
                what: "a <meta http-equiv=refresh> redirect".into(),
                evidence: vec!["http-equiv".into()],
            });
        }
        if key == "style" {
            inspect_css(&decoded, found);
        }
    }
}

/// A `data:` URI (but not HTML), an in-page `#fragment`, or nothing.
pub(super) fn is_inline(url: &str) -> bool {
    compact_chars(url).next().is_none()
        || compact_starts_with(url, "#")
        || (compact_starts_with(url, "data:") && !compact_starts_with(url, "data:text/html"))
}

fn is_script_url(url: &str) -> bool {
    ["javascript:", "vbscript:", "data:text/html", "livescript:"]
        .iter()
        .any(|scheme| compact_starts_with(url, scheme))
}

/// Whether [`compact`]`(url)` starts with `prefix` (lower-case ASCII),
/// without making it: every attribute of every page is asked.
fn compact_starts_with(url: &str, prefix: &str) -> bool {
    let mut chars = compact_chars(url);
    prefix.chars().all(|p| chars.next() == Some(p))
}

fn compact_chars(url: &str) -> impl Iterator<Item = char> + '_ {
    url.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .map(|c| c.to_ascii_lowercase())
}

/// Lower-cased, without the whitespace and control characters browsers
/// skip inside a URL scheme.
pub(super) fn compact(url: &str) -> String {
    compact_chars(url).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(html: &str) -> Vec<String> {
        find(html).into_iter().map(|a| a.what).collect()
    }

    /// A stylesheet answered from the memo yields what inspecting it
    /// yields, page after page.
    #[test]
    fn a_remembered_stylesheet_finds_what_a_fresh_one_does() {
        let styles = StyleMemo::default();
        let pages = [
            "<style>a{background:url(//evil.example/x)}</style><p>1</p>",
            "<style>a{color:red}</style><p>2</p>",
            "<style>a{background:url(//evil.example/x)}</style><p onclick=x>3</p>",
            "<style>a{color:red}</style><p>4</p>",
        ];
        for _ in 0..2 {
            for page in pages {
                assert_eq!(find_with(page, &styles), find(page), "{page}");
            }
        }
        assert_eq!(
            whats(pages[2]),
            [
                "a CSS load of `//evil.example/x`",
                "the event handler `onclick=x`"
            ]
        );
    }

    #[test]
    fn escaped_and_quoted_css_loads_and_svg_animations_are_found() {
        let html = "<p style=\"background:u\\72l(https://evil.example/a)\">a</p>\
<p style='background:image-set(\"https://evil.example/b\" 1x)'>b</p>\
<a ping=https://evil.example/p href=/x>c</a>\
<svg><set attributeName=onmouseover to=alert(1) /><animate attributeName=href values=\"#a;javascript:alert(1)\" /></svg>";
        assert_eq!(
            whats(html),
            [
                "a CSS load of `https://evil.example/a`",
                "a CSS load of `https://evil.example/b`",
                "a load of `https://evil.example/p` (`ping` of <a>)",
                "an SVG animation of `onmouseover`",
                "an SVG animation of `href`",
                "the script URL in `values=#a;javascript:alert(1)`",
            ]
        );
        assert_eq!(decode_css_escapes("u\\72 l(x) \\\"q"), "url(x) \"q");
    }

    #[test]
    fn ssi_directives_are_found_where_a_browser_sees_only_text() {
        let html = "<title><!--#include virtual=\"/etc\" --></title><p title=\"<!--# echo var=x -->\">a</p>";
        assert_eq!(
            whats(html),
            [
                "the SSI directive `<!--#include virtual=\"/etc\" -->`",
                "the SSI directive `<!--# echo var=x -->`",
            ]
        );
    }

    #[test]
    fn finds_every_kind_of_active_content() {
        let html = "<p onclick=alert(1) title=x>a</p><a href=\"java&#x09;script:x\">b</a><script>go()</script>\
<!--# exec cmd=\"id\" --><iframe></iframe><img src=https://evil.example/x.png>\
<style>a{background:url(//evil.example/x)}@import 'y';</style><meta http-equiv=refresh content=0>\
<link rel=icon href=\"data:,\"><img src=\"data:image/png;base64,AA\"><a href=/home>ok</a>";
        assert_eq!(
            whats(html),
            [
                "the SSI directive `<!--# exec cmd=\"id\" -->`",
                "the event handler `onclick=alert(1)`",
                "the script URL `java\tscript:x` in `href`",
                "a <script> element `<script>go()`",
                "an <iframe> element",
                "a load of `https://evil.example/x.png` (`src` of <img>)",
                "a CSS `@import`",
                "a CSS load of `//evil.example/x`",
                "a <meta http-equiv=refresh> redirect",
            ]
        );
    }

    #[test]
    fn attribute_names_made_of_a_value_are_found() {
        assert_eq!(
            whats("<p &amp; &lt;b&gt; class=x title=A>t</p>"),
            [
                "the attribute name `&amp;` (a value in an unquoted attribute?)",
                "the attribute name `&lt;b&gt;` (a value in an unquoted attribute?)",
            ]
        );
        assert!(
            whats("<svg viewBox=\"0 0 1 1\" xml:lang=en data-x=1 aria-hidden=true></svg>")
                .is_empty()
        );
    }

    #[test]
    fn quoted_values_hide_nothing_and_plain_pages_have_nothing() {
        assert_eq!(
            whats("<p title='a > b onclick=x'>t</p>"),
            Vec::<String>::new()
        );
        assert_eq!(
            whats("<p title=\"x\" onmouseover='y'>t</p>"),
            ["the event handler `onmouseover=y`"]
        );
        assert!(whats("<!doctype html><html><head><style>a{color:red}</style></head><body><!-- c --></body></html>").is_empty());
    }
}
