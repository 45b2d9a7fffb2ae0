//! Where the developer part begins and ends: the one function that decides,
//! for every Markdown event, whether the visitor or the developer sees it.
//!
//! The split happens between top-level blocks, never inside one, so both
//! parts are always balanced HTML. A heading marked `{.developer}` opens the
//! developer part at its level; it stays open until a top-level heading of
//! the same or a higher level that is not marked. Nested marked headings do
//! not shorten it. A marker inside a list or a blockquote sends that whole
//! top-level block, and what follows, to the developer part: when in doubt,
//! text goes to the side that is not public.

pub use super::markers::MARKER_CLASS;
use super::markers::{event_lookalike, is_marked, source_lookalike};
use pulldown_cmark::{Event, HeadingLevel, LinkType, Tag, TagEnd};
use std::ops::Range;

/// Deeper Markdown than this is refused: nobody writes it by hand, and the
/// HTML it makes would exhaust the stack of anything that walks it.
pub const MAX_NESTING: usize = 32;

/// One parsed event and the byte range of the source it came from.
pub type Spanned<'a> = (Event<'a>, Range<usize>);

/// The events of each part, in source order.
#[derive(Debug, Default)]
pub struct Split<'a> {
    pub visitor: Vec<Event<'a>>,
    pub developer: Vec<Event<'a>>,
}

/// A problem at a byte offset of the Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryError {
    pub offset: usize,
    pub message: String,
}

/// A parsed document: its source, its events and where each link
/// reference definition (`[label]: url`) stands, by lowercased label.
pub struct Document<'s, 'a> {
    pub source: &'s str,
    pub events: Vec<Spanned<'a>>,
    pub definitions: Vec<(String, Range<usize>)>,
}

/// Sends each event to the visitor or the developer part.
pub fn split<'a>(document: Document<'_, 'a>) -> Result<Split<'a>, BoundaryError> {
    let Document {
        source,
        events,
        definitions,
    } = document;
    // The parser's own view is checked first (its messages are the more
    // precise), then the source for markers the parser could not see.
    let lookalike = source_lookalike(source, &events);
    let mut split = Split::default();
    // Where each top-level block starts and whether it went to the
    // developer part, and the labels of reference links in the visitor part.
    let mut blocks: Vec<(usize, bool)> = Vec::new();
    let mut block_start = 0;
    let mut visitor_references: Vec<String> = Vec::new();
    let mut block_references: Vec<String> = Vec::new();
    // Level of the heading that opened the developer part, while it is open.
    let mut open: Option<HeadingLevel> = None;
    let mut block: Vec<Event<'a>> = Vec::new();
    let mut block_is_developer = false;
    let mut depth = 0usize;
    let mut code_depth = 0usize;

    for (event, range) in events {
        if depth == 0 {
            block_start = range.start;
        }
        if let Event::Start(Tag::Link { link_type, id, .. } | Tag::Image { link_type, id, .. }) =
            &event
            && matches!(
                link_type,
                LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
            )
        {
            block_references.push(label_key(id));
        }
        if let Some(message) = event_lookalike(&event, code_depth > 0) {
            return Err(BoundaryError {
                offset: range.start,
                message,
            });
        }
        if let Event::Start(tag) = &event {
            if matches!(tag, Tag::CodeBlock(_)) {
                code_depth += 1;
            }
            if let Tag::Heading { level, .. } = tag {
                let marked = is_marked(tag);
                if marked {
                    open = Some(open.map_or(*level, |o| o.min(*level)));
                    block_is_developer = true;
                } else if depth == 0 && open.is_some_and(|o| *level <= o) {
                    open = None;
                }
            }
            if depth == 0 {
                block_is_developer |= open.is_some();
            }
            depth += 1;
            if depth > MAX_NESTING {
                return Err(BoundaryError {
                    offset: range.start,
                    message: format!(
                        "the Markdown is nested more than {MAX_NESTING} levels deep (lists, quotes or emphasis inside each other); flatten it"
                    ),
                });
            }
        } else if depth == 0 {
            // A block of one event (a rule, stray text).
            block_is_developer |= open.is_some();
        }
        if let Event::End(tag) = &event {
            depth = depth.saturating_sub(1);
            if matches!(tag, TagEnd::CodeBlock) {
                code_depth = code_depth.saturating_sub(1);
            }
        }
        block.push(event);
        if depth == 0 {
            blocks.push((block_start, block_is_developer));
            if block_is_developer {
                split.developer.append(&mut block);
                block_references.clear();
            } else {
                split.visitor.append(&mut block);
                visitor_references.append(&mut block_references);
            }
            block_is_developer = false;
        }
    }
    // Unbalanced input cannot come from the parser; keep it private anyway.
    split.developer.append(&mut block);
    if let Some((offset, message)) = lookalike {
        return Err(BoundaryError { offset, message });
    }
    // A definition is not an event: it belongs to the part of the block
    // it stands in or follows, so under a developer heading it is private.
    for (label, span) in &definitions {
        let in_developer = blocks
            .iter()
            .rev()
            .find(|(start, _)| *start <= span.start)
            .is_some_and(|(_, developer)| *developer);
        if in_developer && visitor_references.contains(label) {
            return Err(BoundaryError {
                offset: span.start,
                message: format!(
                    "the link reference `[{label}]` is defined in the developer part but used in the visitor part, which would publish its address; define it in the visitor part, or write the address in the developer link itself"
                ),
            });
        }
    }
    Ok(split)
}

/// The key a reference label is matched by: lowercased, inner whitespace
/// collapsed, as CommonMark matches labels.
pub fn label_key(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser, html};

    fn parts(markdown: &str) -> Result<(String, String), String> {
        let options = Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_TABLES;
        let mut parsed = Parser::new_ext(markdown, options).into_offset_iter();
        let events = parsed.by_ref().collect();
        let definitions = parsed
            .reference_definitions()
            .iter()
            .map(|(label, d)| (label_key(label), d.span.clone()))
            .collect();
        let split = split(Document {
            source: markdown,
            events,
            definitions,
        })
        .map_err(|e| e.message)?;
        let render = |events: Vec<Event>| {
            let mut out = String::new();
            html::push_html(&mut out, events.into_iter());
            out
        };
        Ok((render(split.visitor), render(split.developer)))
    }

    fn visitor(markdown: &str) -> String {
        parts(markdown).unwrap().0
    }

    fn developer(markdown: &str) -> String {
        parts(markdown).unwrap().1
    }

    #[test]
    fn a_marked_heading_opens_the_part_until_an_unmarked_heading_of_its_level() {
        let md =
            "intro\n\n## Fix {.developer}\n\nsecret\n\n### Deeper\n\nstill\n\n## Public\n\nopen\n";
        assert_eq!(visitor(md), "<p>intro</p>\n<h2>Public</h2>\n<p>open</p>\n");
        assert!(developer(md).contains("secret") && developer(md).contains("still"));
    }

    #[test]
    fn nested_marked_headings_keep_the_outer_level() {
        let md = "## A {.developer}\n\na\n\n### B {.developer}\n\nb\n\n### D\n\nd\n\n## E\n\ne\n";
        assert_eq!(visitor(md), "<h2>E</h2>\n<p>e</p>\n");
        assert!(developer(md).contains("<p>d</p>"));
    }

    #[test]
    fn a_higher_marked_heading_widens_the_part() {
        let md = "### A {.developer}\n\na\n\n## B {.developer}\n\nb\n\n### C\n\nc\n\n## D\n\nd\n";
        assert_eq!(visitor(md), "<h2>D</h2>\n<p>d</p>\n");
        assert!(developer(md).contains("<p>c</p>"));
    }

    #[test]
    fn a_higher_unmarked_heading_closes_the_part() {
        let md = "### A {.developer}\n\na\n\n# Top\n\npublic\n";
        assert_eq!(visitor(md), "<h1>Top</h1>\n<p>public</p>\n");
    }

    #[test]
    fn a_level_one_marker_runs_to_the_next_level_one_heading() {
        let md = "# Dev {.developer}\n\na\n\n## Sub\n\nb\n\n###### Deep\n\nc\n\n# Public\n\nd\n";
        assert_eq!(visitor(md), "<h1>Public</h1>\n<p>d</p>\n");
        assert!(developer(md).contains("<p>c</p>"));
    }

    #[test]
    fn setext_headings_are_markers_too() {
        let md = "Dev {.developer}\n---\n\nsecret\n\nPublic\n------\n\nopen\n";
        assert_eq!(visitor(md), "<h2>Public</h2>\n<p>open</p>\n");
        assert_eq!(
            developer(md),
            "<h2 class=\"developer\">Dev</h2>\n<p>secret</p>\n"
        );
    }

    #[test]
    fn a_marker_in_a_list_takes_the_whole_list_and_what_follows() {
        let md = "- shown\n- ## Dev {.developer}\n  secret\n\nafter\n\n## Public\n\nopen\n";
        assert_eq!(visitor(md), "<h2>Public</h2>\n<p>open</p>\n");
        let dev = developer(md);
        assert!(dev.starts_with("<ul>") && dev.contains("secret") && dev.contains("after"));
        assert_eq!(dev.matches("<ul>").count(), dev.matches("</ul>").count());
    }

    #[test]
    fn a_marker_in_a_blockquote_keeps_both_parts_balanced() {
        let md = "> ## Dev {.developer}\n> secret\n\n## Public\n\nopen\n";
        assert_eq!(visitor(md), "<h2>Public</h2>\n<p>open</p>\n");
        let dev = developer(md);
        assert!(dev.starts_with("<blockquote>") && dev.contains("</blockquote>"));
    }

    #[test]
    fn an_unmarked_heading_inside_a_list_does_not_close_the_part() {
        let md = "## Dev {.developer}\n\n- ## Item heading\n  secret\n";
        assert_eq!(visitor(md), "");
        assert!(developer(md).contains("secret"));
    }

    #[test]
    fn marker_case_spacing_and_class_attribute_are_honoured() {
        for marker in [
            "{.Developer}",
            "{ .developer }",
            "{: .developer}",
            "{.DEVELOPER .wide}",
            "{class=developer}",
        ] {
            let md = format!("## Fix {marker}\n\nsecret\n");
            assert_eq!(visitor(&md), "", "{marker}");
            assert!(developer(&md).contains("secret"), "{marker}");
        }
    }

    #[test]
    fn lookalike_markers_are_errors() {
        for md in [
            "## Fix {.developer} now\n\nsecret\n",
            "Fix {.developer}\n\nsecret\n",
            "## Fix {.developer\n",
            "- item {.developer}\n",
        ] {
            let error = parts(md).unwrap_err();
            assert!(
                error.contains("looks like a developer marker"),
                "{md}: {error}"
            );
        }
        let error = parts("## Fix {#developer}\n").unwrap_err();
        assert!(
            error.contains("`{#developer}` gives the heading the id"),
            "{error}"
        );
    }

    #[test]
    fn a_reference_defined_in_the_developer_part_cannot_be_used_by_the_visitor_part() {
        let md = "See [the status][status].\n\n## Fix {.developer}\n\nOpen [it][status].\n\n[status]: https://grafana.internal/?token=s3cr3t\n";
        let error = parts(md).unwrap_err();
        assert!(
            error.contains("the link reference `[status]` is defined in the developer part"),
            "{error}"
        );
        // Used only in the developer part, or defined in the visitor part: fine.
        assert!(
            parts("Hi.\n\n## Fix {.developer}\n\nOpen [it][s].\n\n[s]: https://x.internal/\n")
                .is_ok()
        );
        let public =
            "See [s].\n\n[s]: https://status.example/\n\n## Fix {.developer}\n\nOpen [s].\n";
        assert!(visitor(public).contains("https://status.example/"));
    }

    #[test]
    fn a_marker_the_parser_cannot_see_is_an_error() {
        for md in [
            "Intro.\n\n```\nexample\n\n## Fix {.developer}\n\nsecret\n",
            "<div>\n## Fix {.developer}\n\nsecret\n",
            "<pre>\nx\n\n## Fix {.developer}\n\nsecret\n",
        ] {
            let error = parts(md).unwrap_err();
            assert!(
                error.contains("reads it as part of another block"),
                "{md}: {error}"
            );
        }
        for md in [
            "## Fix {.dеveloper}\n\nsecret\n",
            "## Fix {.deve\u{200b}loper}\n\nsecret\n",
            "## Fix {.developers}\n\nsecret\n",
            "## Fix {. developer}\n\nsecret\n",
            "## Fix {..developer}\n\nsecret\n",
            "## Fix {\u{a0}.developer}\n\nsecret\n",
        ] {
            let error = parts(md).unwrap_err();
            assert!(error.contains("marker"), "{md:?}: {error}");
        }
        let error = parts("## Fix {class=\"wide developer\"}\n\nsecret\n").unwrap_err();
        assert!(error.contains("not exactly one"), "{error}");
        for marker in ["{class=\"developer\"}", "{class='developer'}"] {
            let md = format!("## Fix {marker}\n\nsecret\n");
            assert_eq!(visitor(&md), "", "{marker}");
        }
    }

    #[test]
    fn markers_in_code_are_text() {
        let md = "Write `{.developer}` after a heading.\n\n```\n## Fix {.developer}\n```\n";
        assert!(visitor(md).contains("{.developer}"));
        assert_eq!(developer(md), "");
    }

    #[test]
    fn nesting_is_bounded_with_the_offset() {
        let md = format!("intro\n\n{} deep\n", ">".repeat(100));
        let options = Options::empty();
        let events = Parser::new_ext(&md, options).into_offset_iter().collect();
        let error = split(Document {
            source: &md,
            events,
            definitions: Vec::new(),
        })
        .unwrap_err();
        assert!((7..110).contains(&error.offset), "{}", error.offset);
        assert!(error.message.contains("nested more than 32 levels"));
        assert!(parts(&format!("{} ok\n", ">".repeat(20))).is_ok());
    }
}
