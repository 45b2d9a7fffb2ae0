//! Where tags and comments end, shared by the minifier and the publication
//! gate: both must agree on what is a tag, or the gate could inspect
//! different boundaries than the minifier kept.

/// Index just past the `>` that closes the tag starting at `start`,
/// skipping quoted attribute values; the end of `html` if nothing closes
/// it.
pub fn tag_end(html: &str, start: usize) -> usize {
    let mut quote = None;
    for (i, c) in html[start..].char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return start + i + 1,
            _ => {}
        }
    }
    html.len()
}

/// Index just past the `-->` of the comment starting at `start`, searched
/// from the `<!--` itself so that `<!-->` and `<!--->` end where a browser
/// ends them; the end of `html` if nothing closes it.
pub fn comment_end(html: &str, start: usize) -> usize {
    html[start..]
        .find("-->")
        .map_or(html.len(), |end| start + end + 3)
}

#[cfg(test)]
mod tests {
    use super::*;

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
