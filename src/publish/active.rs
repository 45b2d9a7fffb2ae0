//! Finds what in an HTML file could run, load or be executed by a server:
//! scripts, event handlers, script URLs, SSI directives, frames and
//! embedded objects, and loads from elsewhere. The gate allows each only if
//! the theme's own source (or errorsmith's SSI writer) has it.

#[cfg(test)]
use super::css::decode_css_escapes;
use super::css::inspect_css;

/// One thing found, with the texts that must all occur in the theme's
/// source for it to be the theme's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Active {
    pub what: String,
    pub evidence: Vec<String>,
}

use crate::markup::{comment_end, tag_end};

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
    let mut rest = text;
    while let Some(start) = rest.find(SSI_OPEN) {
        let end = rest[start..]
            .find("-->")
            .map_or(rest.len(), |e| start + e + 3);
        found.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    found
}

pub fn find(html: &str) -> Vec<Active> {
    // Anywhere, not only in comment position: inside an attribute value or
    // a <title> a directive is text to a browser but live to nginx.
    let mut found: Vec<Active> = ssi_directives(html)
        .into_iter()
        .map(|directive| Active {
            what: format!("the SSI directive `{}`", short(&directive)),
            evidence: vec![directive],
        })
        .collect();
    let lower = html.to_ascii_lowercase();
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
            let close = lower[i..]
                .find(&format!("</{name}"))
                .map_or(html.len(), |c| i + c);
            let body = &html[i..close];
            if name == "script" {
                let evidence = if body.trim().is_empty() {
                    tag.to_string()
                } else {
                    body.trim().to_string()
                };
                found.push(Active {
                    what: format!("a <script> element `{}`", short(&format!("{tag}{body}"))),
                    evidence: vec![evidence],
                });
            } else {
                inspect_css(body, &mut found);
            }
            i = close;
        }
    }
    found
}

fn inspect_element(name: &str, attributes: &[(String, String)], found: &mut Vec<Active>) {
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
                    short(key)
                ),
                evidence: vec![NEVER_IN_A_THEME.to_string()],
            });
        }
        let decoded = decode(value);
        if key.len() > 2 && key.starts_with("on") {
            found.push(Active {
                what: format!("the event handler `{key}={}`", short(&decoded)),
                evidence: vec![key.clone(), decoded.clone()],
            });
        }
        if is_script_url(&decoded) {
            found.push(Active {
                what: format!("the script URL `{}` in `{key}`", short(&decoded)),
                evidence: vec![decoded.clone()],
            });
        }
        let fetched = LOAD_ATTRIBUTES.contains(&key.as_str())
            || (key == "href" && name != "a" && name != "area")
            || key == "xlink:href";
        if fetched && !is_inline(&decoded) {
            found.push(Active {
                what: format!("a load of `{}` (`{key}` of <{name}>)", short(&decoded)),
                evidence: vec![decoded.clone()],
            });
        }
        // <animate>/<set> can give an element an event handler or a link
        // target after load: the value set is script like any other.
        if key == "attributename" && {
            let target = decoded.trim().to_ascii_lowercase();
            target.starts_with("on") || target.ends_with("href")
        } {
            found.push(Active {
                what: format!("an SVG animation of `{}`", short(&decoded)),
                evidence: vec![decoded.clone()],
            });
        }
        if ANIMATION_VALUES.contains(&key.as_str()) && decoded.split(';').any(is_script_url) {
            found.push(Active {
                what: format!("the script URL in `{key}={}`", short(&decoded)),
                evidence: vec![decoded.clone()],
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
    let compact = compact(url);
    compact.is_empty()
        || compact.starts_with('#')
        || (compact.starts_with("data:") && !compact.starts_with("data:text/html"))
}

fn is_script_url(url: &str) -> bool {
    let compact = compact(url);
    ["javascript:", "vbscript:", "data:text/html", "livescript:"]
        .iter()
        .any(|scheme| compact.starts_with(scheme))
}

/// Lower-cased, without the whitespace and control characters browsers
/// skip inside a URL scheme.
pub(super) fn compact(url: &str) -> String {
    url.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Attribute values as the browser reads them: entities decoded.
fn decode(value: &str) -> String {
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
    out
}

pub(super) fn short(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out.replace('\n', " ")
}

/// The lower-cased name of an opening tag, or None for closing tags and
/// stray `<`.
fn element_name(tag: &str) -> Option<String> {
    let name: String = tag[1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
        .collect();
    (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_alphabetic()))
        .then(|| name.to_ascii_lowercase())
}

/// `(name, raw value)` of every attribute of an opening tag, names
/// lower-cased.
fn attributes(tag: &str, from: usize) -> Vec<(String, String)> {
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
        let name = tag[name_start..i].to_ascii_lowercase();
        let mut value = String::new();
        if i < end && bytes[i] == b'=' {
            i += 1;
            if i < end && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let start = i + 1;
                i = start;
                while i < tag.len() && bytes[i] != quote {
                    i += 1;
                }
                value = tag[start..i.min(tag.len())].to_string();
                i += 1;
            } else {
                let start = i;
                while i < end && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = tag[start..i].to_string();
            }
        }
        out.push((name, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(html: &str) -> Vec<String> {
        find(html).into_iter().map(|a| a.what).collect()
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
