//! What makes a part of a page safe to publish: raw HTML escaped unless
//! the owner allows it, no script URLs, no remote images, no author
//! comments and no control characters. Every Markdown event passes
//! [`make_safe`] before it becomes HTML or text.

use super::{MarkdownOptions, boundary};
use pulldown_cmark::{CowStr, Event, Tag};

/// Key-value heading attributes (`## Title {lang=de}`) kept in the HTML.
const SAFE_HEADING_ATTRIBUTES: [&str; 3] = ["lang", "dir", "title"];

/// The events of one part, with everything that could run, load or hide
/// something taken out.
pub(super) fn make_safe(events: Vec<Event<'_>>, options: MarkdownOptions) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut hidden_image_depth = 0usize;
    let mut in_comment = false;
    for event in events {
        let event = match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let classes = classes
                    .into_iter()
                    .filter(|c| !c.eq_ignore_ascii_case(boundary::MARKER_CLASS))
                    .collect();
                // `{onclick=...}` would be an event handler: only
                // attributes that cannot run or load anything pass.
                let attrs = attrs
                    .into_iter()
                    .filter(|(key, _)| SAFE_HEADING_ATTRIBUTES.contains(&key.as_ref()))
                    .collect();
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                })
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                // Comments are notes to other authors, in every mode.
                let kept = without_comments(&raw, &mut in_comment);
                if kept.trim().is_empty() {
                    continue;
                }
                let kept = CowStr::from(without_controls(&kept).into_owned());
                if options.allow_raw_html {
                    Event::Html(kept)
                } else {
                    Event::Text(kept)
                }
            }
            Event::Text(text) => Event::Text(controls_removed(text)),
            Event::Code(text) => Event::Code(controls_removed(text)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            }),
            // Pages must not load anything, so an image becomes its alt text
            // unless it is already inline data.
            Event::Start(Tag::Image { dest_url, .. }) if !is_inline_image(&dest_url) => {
                hidden_image_depth += 1;
                continue;
            }
            Event::End(pulldown_cmark::TagEnd::Image) if hidden_image_depth > 0 => {
                hidden_image_depth -= 1;
                continue;
            }
            other => other,
        };
        out.push(event);
    }
    out
}

/// `raw` without `<!-- ... -->` spans; `in_comment` carries an open comment
/// over to the next piece of raw HTML (a block comes line by line).
fn without_comments(raw: &str, in_comment: &mut bool) -> String {
    let mut kept = String::new();
    let mut rest = raw;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(end) => {
                    rest = &rest[end + 3..];
                    *in_comment = false;
                }
                None => return kept,
            }
        } else {
            match rest.find("<!--") {
                Some(start) => {
                    kept.push_str(&rest[..start]);
                    rest = &rest[start + 4..];
                    *in_comment = true;
                }
                None => {
                    kept.push_str(rest);
                    return kept;
                }
            }
        }
    }
}

/// NUL, escape and other control characters mean nothing on a page and
/// can confuse terminals reading the text version; tabs and newlines stay.
pub fn without_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_stray_control) {
        text.chars().filter(|c| !is_stray_control(*c)).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn controls_removed(text: CowStr<'_>) -> CowStr<'_> {
    match without_controls(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => CowStr::from(clean),
    }
}

fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t' | '\r')
}

/// The prose of each text event, with runs of whitespace made one space.
/// Code (`Content-Length`, `nginx -t`) is left out: such names also appear
/// in headers and server configs, so they prove no leak.
fn is_inline_image(url: &str) -> bool {
    url.get(..11)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("data:image/"))
        && !url.to_ascii_lowercase().starts_with("data:image/svg")
}

/// Keeps links that cannot run code: http(s), mailto, tel, and relative
/// links. Anything else (`javascript:`, `data:`, `vbscript:` ...) becomes `#`.
pub fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    if is_safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

pub fn is_safe_url(url: &str) -> bool {
    // Browsers ignore ASCII whitespace and control characters inside a
    // scheme, so `java\tscript:` must be judged without them.
    let compact: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect();
    match compact.find(':') {
        None => true,
        Some(colon) => {
            let before = &compact[..colon];
            // A colon after a path, query or fragment start is not a scheme.
            if before.contains(['/', '?', '#']) {
                return true;
            }
            let scheme = before.to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
    }
}
