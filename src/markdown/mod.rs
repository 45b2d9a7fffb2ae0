//! Markdown to HTML, split into the visitor part and the developer part.
//!
//! A heading with the class `developer` (`## Troubleshooting {.developer}`)
//! starts the developer part; [`boundary::split`] is the one place that
//! decides where it ends. Everything else is the visitor part. Then each
//! part is made safe: no raw HTML unless allowed, no script URLs, no remote
//! images, no author comments, no control characters.

pub mod boundary;
mod markers;
mod safety;

use safety::make_safe;
pub use safety::{is_safe_url, safe_url, without_controls};

use pulldown_cmark::{Event, Options, Parser, Tag, html};

/// Choices that change how Markdown becomes HTML.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownOptions {
    /// Pass raw HTML in the Markdown through unchanged. Off by default: the
    /// text is escaped, so content cannot inject markup or script.
    pub allow_raw_html: bool,
}

/// The two parts of a page body, as HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    pub visitor_html: String,
    pub developer_html: String,
    /// The visitor part as plain text, for `text/plain` responses.
    pub visitor_text: String,
    /// Each run of text of the developer part, as written: what the
    /// publication gate looks for in files that must not carry it.
    pub developer_runs: Vec<String>,
}

pub use boundary::BoundaryError as MarkdownError;

fn parser(markdown: &str) -> Parser<'_> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    Parser::new_ext(markdown, options)
}

/// Renders `markdown` and splits it into visitor and developer HTML. An
/// error carries the byte offset into `markdown` it is about.
pub fn render(markdown: &str, options: MarkdownOptions) -> Result<Body, MarkdownError> {
    let mut parsed = parser(markdown).into_offset_iter();
    let events = parsed.by_ref().collect();
    let definitions = parsed
        .reference_definitions()
        .iter()
        .map(|(label, definition)| (boundary::label_key(label), definition.span.clone()))
        .collect();
    let split = boundary::split(boundary::Document {
        source: markdown,
        events,
        definitions,
    })?;
    let visitor = make_safe(split.visitor, options);
    let developer = make_safe(split.developer, options);
    Ok(Body {
        visitor_text: to_text(&visitor),
        developer_runs: text_runs(&developer),
        visitor_html: to_html(visitor),
        developer_html: to_html(developer),
    })
}

fn text_runs(events: &[Event<'_>]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::Text(text) | Event::Html(text) => {
                let run = text.split_whitespace().collect::<Vec<_>>().join(" ");
                (!run.is_empty()).then_some(run)
            }
            _ => None,
        })
        .collect()
}

/// Plain text for terminals and logs: paragraphs and headings separated by
/// blank lines, list items as `- item`, markup dropped.
fn to_text(events: &[Event<'_>]) -> String {
    use pulldown_cmark::TagEnd;
    let mut out = String::new();
    let mut item_depth = 0usize;
    for event in events {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => {
                item_depth += 1;
                out.push_str("- ");
            }
            Event::End(TagEnd::Item) => {
                item_depth -= 1;
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            // Paragraphs inside list items (loose lists) stay one line each.
            Event::End(TagEnd::Paragraph) if item_depth > 0 => out.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::List(_)) => {
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push('\n');
            }
            _ => {}
        }
    }
    // Held for the whole build: made at its final size, with no spare
    // capacity left over from growing.
    let kept = out.trim_end();
    let mut text = String::with_capacity(kept.len() + 1);
    text.push_str(kept);
    text.push('\n');
    text
}

fn to_html(events: Vec<Event<'_>>) -> String {
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    // Held for the whole build, and grown by doubling: give back the rest.
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(md: &str) -> Body {
        render(md, MarkdownOptions::default()).unwrap()
    }

    #[test]
    fn developer_heading_starts_developer_part_and_drops_the_marker_class() {
        let body = split("Hello.\n\n## Fix it {.developer}\n\n- check logs\n");
        assert_eq!(body.visitor_html, "<p>Hello.</p>\n");
        assert_eq!(
            body.developer_html,
            "<h2>Fix it</h2>\n<ul>\n<li>check logs</li>\n</ul>\n"
        );
    }

    #[test]
    fn developer_part_ends_at_a_heading_of_the_same_level() {
        let body = split(
            "## Dev {.developer}\n\nsecret\n\n### Deeper\n\nstill dev\n\n## Visitor again\n\npublic\n",
        );
        assert!(body.developer_html.contains("secret"));
        assert!(body.developer_html.contains("still dev"));
        assert!(!body.visitor_html.contains("secret"));
        assert!(body.visitor_html.contains("<h2>Visitor again</h2>"));
        assert!(body.visitor_html.contains("public"));
    }

    #[test]
    fn developer_part_ends_at_a_higher_level_heading() {
        let body = split("### Dev {.developer}\n\nsecret\n\n# Top\n\npublic\n");
        assert!(body.developer_html.contains("secret"));
        assert!(body.visitor_html.contains("public"));
        assert!(!body.visitor_html.contains("secret"));
    }

    #[test]
    fn two_developer_sections_are_both_collected() {
        let body =
            split("## A {.developer}\n\none\n\n## B\n\npublic\n\n## C {.developer}\n\ntwo\n");
        assert!(body.developer_html.contains("one"));
        assert!(body.developer_html.contains("two"));
        assert_eq!(body.visitor_html, "<h2>B</h2>\n<p>public</p>\n");
    }

    #[test]
    fn plain_text_keeps_words_and_list_items_only() {
        let body = split(
            "Hello *there*, `code`.\n\n## What you can do\n\n- Retry\n- Wait\n\n## Dev {.developer}\n\n- secret\n",
        );
        let loose = split("- one\n\n- two\n");
        assert_eq!(loose.visitor_text, "- one\n- two\n");
        assert_eq!(
            body.visitor_text,
            "Hello there, code.\n\nWhat you can do\n\n- Retry\n- Wait\n"
        );
    }

    #[test]
    fn other_classes_are_kept() {
        let body = split("## Dev {.developer .wide}\n\nx\n");
        assert!(body.developer_html.starts_with("<h2 class=\"wide\">"));
    }

    #[test]
    fn without_marker_everything_is_for_the_visitor() {
        let body = split("# Title\n\ntext\n");
        assert_eq!(body.developer_html, "");
        assert!(body.visitor_html.contains("text"));
    }

    #[test]
    fn raw_html_is_escaped_by_default() {
        let body = split("<script>alert(1)</script>\n\nA <b>bold</b> claim\n");
        assert!(!body.visitor_html.contains("<script>"));
        assert!(body.visitor_html.contains("&lt;script&gt;"));
        assert!(body.visitor_html.contains("&lt;b&gt;"));
    }

    #[test]
    fn raw_html_passes_when_allowed() {
        let body = render(
            "A <b>bold</b> claim\n",
            MarkdownOptions {
                allow_raw_html: true,
            },
        )
        .unwrap();
        assert!(body.visitor_html.contains("<b>bold</b>"));
    }

    #[test]
    fn ssi_and_template_syntax_stay_inert_text() {
        // An SSI directive is a comment: dropped, never a live directive.
        let body = split("<!--# exec cmd=\"id\" --> and {{ secret }}\n");
        assert_eq!(body.visitor_html, " and {{ secret }}\n");
    }

    #[test]
    fn script_urls_in_links_are_neutralised() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
        ] {
            let body = split(&format!("[click](<{bad}>)\n"));
            assert!(
                body.visitor_html.contains("href=\"#\""),
                "{bad} gave {}",
                body.visitor_html
            );
        }
        for good in [
            "https://example.com/a:b",
            "/status",
            "mailto:a@b.c",
            "tel:+1-555-0100",
            "page?x=a:b",
            "#top",
        ] {
            assert!(is_safe_url(good), "{good}");
        }
    }

    #[test]
    fn heading_attributes_cannot_add_event_handlers_or_sources() {
        let body = split(
            "## Dev {.developer lang=de onclick=alert(1) src=x style=x}\n\n# T {onerror=y title=t}\n",
        );
        assert_eq!(body.developer_html, "<h2 lang=\"de\">Dev</h2>\n");
        assert_eq!(body.visitor_html, "<h1 title=\"t\">T</h1>\n");
    }

    #[test]
    fn remote_images_become_their_alt_text() {
        let body = split("![a cat](https://example.com/cat.png)\n");
        assert!(!body.visitor_html.contains("<img"));
        assert!(body.visitor_html.contains("a cat"));
    }

    #[test]
    fn author_comments_are_dropped_in_every_mode() {
        for allow_raw_html in [false, true] {
            let body = render(
                "<!-- note\nfor authors -->\n\nshown <!-- inline note --> text\n\n## Fix {.developer}\n\n<!--# exec cmd=\"id\" -->\n",
                MarkdownOptions { allow_raw_html },
            )
            .unwrap();
            for part in [&body.visitor_html, &body.developer_html, &body.visitor_text] {
                assert!(!part.contains("note"), "{part}");
                assert!(!part.contains("exec"), "{part}");
            }
            assert!(body.visitor_html.contains("shown"));
        }
    }

    #[test]
    fn control_characters_never_reach_the_output() {
        let body = split("a\u{0}b\u{1b}[31mc\u{7}d\n\n`x\u{8}y`\n");
        assert_eq!(
            body.visitor_html,
            "<p>ab[31mcd</p>\n<p><code>xy</code></p>\n"
        );
    }

    #[test]
    fn developer_runs_are_the_text_of_the_developer_part() {
        let body = split("Public words.\n\n## Fix it {.developer}\n\n- Check `nginx -t`  output\n");
        assert_eq!(body.developer_runs, ["Fix it", "Check", "output"]);
    }
}
