//! Where tags and comments end, shared by the minifier and the publication
//! gate: both must agree on what is a tag, or the gate could inspect
//! different boundaries than the minifier kept.

/// Index just past the `>` that closes the tag starting at `start`,
/// skipping quoted attribute values; the end of `html` if nothing closes
/// it.
pub fn tag_end(html: &str, start: usize) -> usize {
    // Quotes and `>` are ASCII, and no byte of a longer UTF-8 character
    // is, so bytes are enough.
    let mut quote = None;
    for (i, &b) in html.as_bytes()[start..].iter().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return start + i + 1,
            _ => {}
        }
    }
    html.len()
}

/// Index just past the `-->` of the comment starting at `start`, searched
/// from the `<!--` itself so that `<!-->` and `<!--->` end where a browser
/// ends them; the end of `html` if nothing closes it.
pub fn comment_end(html: &str, start: usize) -> usize {
    find(html, start, "-->").map_or(html.len(), |end| end + 3)
}

/// Where `needle` (starting with an ASCII byte) next occurs in `text` at or
/// after `from`: a jump to each occurrence of its first byte, which for the
/// short needles of markup (`</`, `<!--#`, `-->`) beats a general substring
/// search on every page.
pub fn find(text: &str, from: usize, needle: &str) -> Option<usize> {
    let first = needle.as_bytes().first()?;
    debug_assert!(first.is_ascii());
    let mut at = from;
    while let Some(offset) = text.get(at..)?.find(char::from(*first)) {
        let start = at + offset;
        if text.as_bytes()[start..].starts_with(needle.as_bytes()) {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_agrees_with_str_find() {
        let text = "a<b></ <!-- x --> <!--#echo --> é</style>--></";
        for needle in ["</", "<!--#", "-->", "</style", "<", "x", "zz", "/>"] {
            for from in 0..=text.len() {
                if !text.is_char_boundary(from) {
                    continue;
                }
                let expected = text[from..].find(needle).map(|o| from + o);
                assert_eq!(find(text, from, needle), expected, "{needle:?} from {from}");
            }
        }
    }

    #[test]
    fn tags_end_at_the_first_unquoted_angle_bracket() {
        let html = "x<p title='a > b' class=\"c>d\">t</p>";
        assert_eq!(
            &html[1..tag_end(html, 1)],
            "<p title='a > b' class=\"c>d\">"
        );
        assert_eq!(tag_end("<p title='open", 0), 14);
    }

    #[test]
    fn comments_end_like_a_browser_ends_them() {
        assert_eq!(comment_end("<!-->x", 0), 5);
        assert_eq!(comment_end("<!--->x", 0), 6);
        assert_eq!(comment_end("a<!-- b -->c", 1), 11);
        assert_eq!(comment_end("<!-- open", 0), 9);
    }
}
