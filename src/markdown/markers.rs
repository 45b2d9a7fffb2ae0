//! What marks a developer heading, and what only looks like a marker. A
//! look-alike is an error, never visitor text: a marker the parser does not
//! honour would publish the part it was meant to hide. The checks work on
//! the source as well as on the parsed events, because a marker hidden from
//! the parser (inside an HTML block or an unclosed code fence, spelled with
//! a Unicode look-alike letter) leaves no trace in the events.

use super::boundary::Spanned;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag};
use std::ops::Range;

/// The class that marks a developer heading, matched without regard to
/// case, so `{.Developer}` is honoured rather than published.
pub const MARKER_CLASS: &str = "developer";

/// True for a heading with the marker class, whether written `{.developer}`,
/// `{.Developer}`, `{ .developer }`, `{class=developer}` or with the value
/// quoted (`{class="developer"}`, `{class='x developer'}`).
pub fn is_marked(tag: &Tag<'_>) -> bool {
    let Tag::Heading { classes, attrs, .. } = tag else {
        return false;
    };
    classes.iter().any(|c| is_marker(c))
        || attrs.iter().any(|(key, value)| {
            key.eq_ignore_ascii_case("class")
                && value
                    .as_deref()
                    .is_some_and(|v| unquoted(v).split_ascii_whitespace().any(is_marker))
        })
}

fn is_marker(word: &str) -> bool {
    word.eq_ignore_ascii_case(MARKER_CLASS)
}

fn unquoted(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// A message when `event` looks like a developer marker the parser did not
/// take as one. Text in code is exempt, so a page can still show the syntax.
pub fn event_lookalike(event: &Event<'_>, in_code_block: bool) -> Option<String> {
    match event {
        Event::Start(Tag::Heading { id: Some(id), .. })
            if id.eq_ignore_ascii_case(MARKER_CLASS) =>
        {
            Some(format!(
                "`{{#{id}}}` gives the heading the id the theme uses for the developer part; to mark the developer part write `{{.developer}}` at the end of the heading"
            ))
        }
        Event::Text(text) if !in_code_block && braces_around_marker(text) => Some(format!(
            "`{}` looks like a developer marker but is not one, so it would be published; a marker must end a heading line, as in `## Troubleshooting {{.developer}}` (put it in backticks to show it as text)",
            excerpt(text)
        )),
        _ => None,
    }
}

/// `{` ... `developer` ... `}` on one line, or an unclosed `{.developer`.
fn braces_around_marker(text: &CowStr<'_>) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.lines().any(|line| {
        line.match_indices('{').any(|(at, _)| {
            let rest = &line[at + 1..];
            let inside = rest.split('}').next().unwrap_or(rest);
            inside.contains(MARKER_CLASS)
        })
    })
}

fn excerpt(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.contains('{'))
        .unwrap_or(text)
        .trim();
    line.chars().take(60).collect()
}

/// The attribute block `{...}` that ends a line, if any.
fn trailing_block(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_end();
    let inner = trimmed.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    Some((open, &inner[open + 1..]))
}

/// Whether an attribute block mentions the marker in any spelling: its
/// letters (lowercased; a non-ASCII letter stands for any letter; spaces,
/// punctuation, invisible and control characters dropped) hold `developer`
/// with at most two letters changed, added or left out.
fn mentions_marker(block: &str) -> bool {
    let letters: Vec<char> = block
        .chars()
        .filter_map(|c| {
            if c.is_ascii_alphabetic() {
                Some(c.to_ascii_lowercase())
            } else if !c.is_ascii() && c.is_alphanumeric() {
                Some('?')
            } else {
                None
            }
        })
        .collect();
    within_two_edits(MARKER_CLASS.as_bytes(), &letters)
}

/// Approximate substring search (Sellers): does `pattern` occur in `text`
/// with at most two edits? `?` in `text` matches any letter.
fn within_two_edits(pattern: &[u8], text: &[char]) -> bool {
    const MAX_EDITS: usize = 2;
    let mut previous: Vec<usize> = vec![0; text.len() + 1];
    for (i, &p) in pattern.iter().enumerate() {
        let mut current = vec![i + 1; text.len() + 1];
        for (j, &t) in text.iter().enumerate() {
            let substitution = previous[j] + usize::from(t != '?' && t != p as char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous.iter().any(|&edits| edits <= MAX_EDITS)
}

/// Whether every word of an attribute block that is about the marker is
/// exactly one (`.developer`, `class=developer`, `class="developer"`);
/// words about other things may hold anything. A quoted list such as
/// `class="a developer"` is not one: the parser splits it at the space.
fn is_exact(block: &str) -> bool {
    block.split_ascii_whitespace().all(|word| {
        let bare = word.trim_start_matches(':');
        let exact = if let Some(class) = bare.strip_prefix('.') {
            is_marker(class)
        } else if let Some((key, value)) = bare.split_once('=') {
            key.eq_ignore_ascii_case("class") && is_marker(unquoted(value))
        } else {
            false
        };
        exact || !mentions_marker(word)
    })
}

/// Every line of `source` that ends in an attribute block about the marker
/// must be a heading the parser honoured with an exact marker. Lines inside
/// indented code and closed code fences are text shown as code; inside an
/// HTML block or an unclosed fence they would be published, so they are
/// errors. Returns the offset and the message of the first problem.
pub fn source_lookalike(source: &str, events: &[Spanned<'_>]) -> Option<(usize, String)> {
    let headings: Vec<Range<usize>> = events
        .iter()
        .filter(|(e, _)| matches!(e, Event::Start(Tag::Heading { .. })))
        .map(|(_, r)| r.clone())
        .collect();
    let shown_as_code: Vec<Range<usize>> = events
        .iter()
        .filter_map(|(e, r)| match e {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => Some(r.clone()),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_)))
                if fence_is_closed(&source[r.clone()]) =>
            {
                Some(r.clone())
            }
            _ => None,
        })
        .collect();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some((_, block)) = trailing_block(line) else {
            continue;
        };
        if !mentions_marker(block) {
            continue;
        }
        if shown_as_code.iter().any(|r| r.contains(&start)) {
            continue;
        }
        // A heading in a list item or a quote starts after the line does.
        let in_heading = headings.iter().any(|r| r.start < offset && r.end > start);
        let shown = line
            .trim()
            .chars()
            .take(60)
            .collect::<String>()
            .escape_debug()
            .to_string();
        if !in_heading {
            return Some((
                start,
                format!(
                    "`{shown}` looks like a developer heading, but Markdown reads it as part of another block (an HTML block or a code fence left open above it), so it would be published; close that block, or leave a blank line before the heading"
                ),
            ));
        }
        if !is_exact(block) {
            return Some((
                start,
                format!(
                    "`{shown}` looks like a developer marker but is not exactly one (a look-alike letter, an invisible or control character, or another spelling), so it would be published; write `{{.developer}}` in plain ASCII"
                ),
            ));
        }
    }
    None
}

/// A fenced code block's source ends with a closing fence line.
fn fence_is_closed(block: &str) -> bool {
    let mut lines = block.lines();
    let Some(first) = lines.next() else {
        return false;
    };
    let opener = first.trim_start();
    let fence_char = opener.chars().next().unwrap_or('`');
    let fence_len = opener.chars().take_while(|&c| c == fence_char).count();
    lines.next_back().is_some_and(|last| {
        let last = last.trim();
        last.chars().take_while(|&c| c == fence_char).count() >= fence_len
            && last.chars().all(|c| c == fence_char)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_markers_pass_and_near_misses_do_not() {
        for block in [
            ".developer",
            ".Developer",
            " .developer ",
            ": .developer",
            ".DEVELOPER .wide",
            "class=developer",
            "class=\"developer\"",
            "lang=de .developer",
        ] {
            assert!(is_exact(block), "{block:?}");
        }
        for block in [
            ".dеveloper", // Cyrillic е
            ".deve\u{200b}loper",
            ".\u{ff44}eveloper",
            "\u{a0}.developer",
            ".devel\u{0}oper",
            ".developers",
            ". developer",
            "..developer",
            "class=developers",
            "class=\"wide developer\"",
            "developer",
        ] {
            assert!(mentions_marker(block), "{block:?}");
            assert!(!is_exact(block), "{block:?}");
        }
        assert!(!mentions_marker(".wide lang=de"));
        assert!(!mentions_marker("lang=es title=\"Sección\""));
        assert!(mentions_marker(".devloper"));
    }

    #[test]
    fn closed_fences_are_told_from_open_ones() {
        assert!(fence_is_closed("```\n## X {.developer}\n```\n"));
        assert!(fence_is_closed("~~~~ md\nx\n~~~~"));
        assert!(!fence_is_closed("```\n## X {.developer}\n"));
        assert!(!fence_is_closed("````\nx\n```\n"));
    }
}
