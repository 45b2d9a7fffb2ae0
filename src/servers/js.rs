//! The one way data reaches JavaScript: as a JSON literal that is also a
//! valid JavaScript expression, whatever the strings inside hold.

/// `value` as JavaScript source. serde_json already escapes quotes,
/// backslashes and control characters (NUL becomes `\u0000`); on top:
///
/// - `<` as `\u003c`, so `</script>` or `<!--` cannot end or open anything
///   if the text is ever inlined into HTML;
/// - U+2028 and U+2029, which JSON allows raw but older JavaScript engines
///   read as line ends inside a string literal;
///
/// Backticks and `${` need nothing: outside a template literal they are
/// plain characters in a double-quoted string.
pub fn literal(value: &serde_json::Value) -> String {
    let json = serde_json::to_string(value).expect("a JSON value serializes");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings_stay_inside_their_literal() {
        let hostile = "a\"b'c\\d</script><!--e\u{2028}f\u{2029}g${h}`i`\0j\nk";
        let js = literal(&serde_json::json!({ "k\"</": hostile }));
        assert_eq!(
            js,
            r#"{"k\"\u003c/":"a\"b'c\\d\u003c/script>\u003c!--e\u2028f\u2029g${h}`i`\u0000j\nk"}"#
        );
        for raw in ["</script", "<!--", "\u{2028}", "\u{2029}", "\0", "\n"] {
            assert!(!js.contains(raw), "{raw:?} in {js}");
        }
        // Still JSON, and the same value: nothing was lost on the way.
        let back: serde_json::Value = serde_json::from_str(&js).unwrap();
        assert_eq!(back["k\"</"], hostile);
    }
}
