//! The stylesheet pass: comments and whitespace go, everything else is
//! copied as written. Strings, `url(...)` and escapes are never decoded or
//! touched, so a value errorsmith escaped for CSS stays escaped.

/// After these a space is never needed: no token they end can join the
/// next one.
const NO_SPACE_AFTER: &[u8] = b"{};,:>(";
/// Before these a space is never needed. `:` is missing because `a :hover`
/// is not `a:hover`, `(` because `and (` is not the function `and(`, and
/// `+`/`-` because `calc()` needs the spaces around them.
const NO_SPACE_BEFORE: &[u8] = b"{};,>!)";
/// Bytes that end a run copied as is.
const SPECIAL: &[u8] = b" \t\n\r\x0c/\"'\\{};,:>()!uU";

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Whether `byte` can be part of a name, so `url(` after it is not the
/// `url(` token (as in `my-url(`).
fn is_name(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || byte == b'-'
        || byte == b'_'
        || byte == b'\\'
        || !byte.is_ascii()
}

struct Writer {
    out: String,
    /// Whitespace or a comment was skipped since the last byte written.
    pending: bool,
    /// The last byte written was one of [`NO_SPACE_AFTER`] as a token.
    after_punct: bool,
    /// The last byte written is a `;` token, which a `}` makes redundant.
    semicolon: bool,
}

impl Writer {
    fn space_before(&mut self, next: u8) {
        if self.pending {
            let needed =
                !self.out.is_empty() && !self.after_punct && !NO_SPACE_BEFORE.contains(&next);
            // Never join a `<` to what follows: `< !--#` must not become an
            // SSI directive, nor `< /style` the end of the element.
            if needed || self.out.ends_with('<') {
                self.out.push(' ');
            }
            self.pending = false;
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(&first) = text.as_bytes().first() {
            self.space_before(first);
            self.out.push_str(text);
            self.after_punct = false;
            self.semicolon = false;
        }
    }

    fn punct(&mut self, byte: u8) {
        self.space_before(byte);
        if byte == b'}' && self.semicolon {
            self.out.pop();
        }
        self.out.push(byte as char);
        self.after_punct = NO_SPACE_AFTER.contains(&byte);
        self.semicolon = byte == b';';
    }
}

pub fn stylesheet(css: &str) -> String {
    let bytes = css.as_bytes();
    let mut w = Writer {
        out: String::with_capacity(css.len()),
        pending: false,
        after_punct: false,
        semicolon: false,
    };
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if is_space(byte) {
            w.pending = true;
            i += 1;
        } else if css[i..].starts_with("/*") {
            // A comment separates tokens like whitespace does.
            i = css[i + 2..]
                .find("*/")
                .map_or(css.len(), |end| i + 2 + end + 2);
            w.pending = true;
        } else if byte == b'"' || byte == b'\'' {
            let end = string_end(css, i);
            w.text(&css[i..end]);
            i = end;
        } else if byte == b'\\' {
            let end = escape_end(css, i);
            w.text(&css[i..end]);
            i = end;
        } else if css[i..].len() >= 4
            && bytes[i..i + 4].eq_ignore_ascii_case(b"url(")
            && (i == 0 || !is_name(bytes[i - 1]))
        {
            let end = url_end(css, i + 4);
            w.text(&css[i..end]);
            i = end;
        } else if SPECIAL.contains(&byte) && !matches!(byte, b'/' | b'u' | b'U') {
            w.punct(byte);
            i += 1;
        } else {
            let start = i;
            i += 1;
            while i < bytes.len() && !SPECIAL.contains(&bytes[i]) {
                i += 1;
            }
            w.text(&css[start..i]);
        }
    }
    w.out
}

/// Index just past the string starting at `start`: its closing quote, or
/// the newline that ends an unclosed one.
fn string_end(css: &str, start: usize) -> usize {
    let bytes = css.as_bytes();
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i = escape_end(css, i),
            b'\n' => return i,
            byte if byte == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Index just past the escape starting at the `\` at `start`: up to six
/// hex digits and the one whitespace that ends them (part of the escape,
/// so never collapsed), or one character.
fn escape_end(css: &str, start: usize) -> usize {
    let bytes = css.as_bytes();
    let mut i = start + 1;
    let hex = bytes[i..]
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    if hex == 0 {
        return css[i..].chars().next().map_or(i, |c| i + c.len_utf8());
    }
    i += hex;
    if css[i..].starts_with("\r\n") {
        i + 2
    } else if bytes.get(i).is_some_and(|b| is_space(*b)) {
        i + 1
    } else {
        i
    }
}

/// Index just past the `)` that closes the `url(` whose argument starts at
/// `start`, whether the argument is quoted or not.
fn url_end(css: &str, start: usize) -> usize {
    let bytes = css.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => i = string_end(css, i),
            b'\\' => i = escape_end(css, i),
            b')' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::stylesheet;

    #[test]
    fn comments_and_whitespace_around_punctuation_go() {
        assert_eq!(
            stylesheet(
                "/* brand */\nbody {\n  color: #ffffff ;\n  margin : 0 auto;\n}\n\na , b{x:y}"
            ),
            "body{color:#ffffff;margin :0 auto}a,b{x:y}"
        );
        assert_eq!(stylesheet("a/**/b{}"), "a b{}");
        assert_eq!(stylesheet("a{b:c;} d{e:f}"), "a{b:c}d{e:f}");
    }

    #[test]
    fn strings_urls_and_escapes_are_kept_as_written() {
        let css = "a::after{content:\"  x ;  } /* no */ \\\"  \"}b{content:'it\\'s  ;'}";
        assert_eq!(stylesheet(css), css);
        assert_eq!(
            stylesheet("a{background:url( a  b.png ) , URL(\"x  y\" )}"),
            "a{background:url( a  b.png ),URL(\"x  y\" )}"
        );
        // The space ending a hex escape is part of it, the next one is not.
        assert_eq!(stylesheet("a{--n:A\\20  Inc}"), "a{--n:A\\20  Inc}");
        assert_eq!(
            stylesheet("a{content:\"\\3C \\2F style\"}"),
            "a{content:\"\\3C \\2F style\"}"
        );
        assert_eq!(stylesheet("a{b:my-url( x )}"), "a{b:my-url(x)}");
    }

    #[test]
    fn math_combinators_and_media_queries_keep_their_spaces() {
        assert_eq!(
            stylesheet(
                "a{width:calc( 100% - 2 * 1rem );margin:min(1px + 2px,  3px) max(1px , -2px) clamp(1rem, 2vw + 1rem, 3rem)}"
            ),
            "a{width:calc(100% - 2 * 1rem);margin:min(1px + 2px,3px) max(1px,-2px) clamp(1rem,2vw + 1rem,3rem)}"
        );
        assert_eq!(
            stylesheet("nav  a , main > p + p ~ p  :hover{}"),
            "nav a,main>p + p ~ p :hover{}"
        );
        assert_eq!(
            stylesheet(
                "@media screen and (min-width: 40em)  and  (prefers-color-scheme : dark) { a { b: c } }"
            ),
            "@media screen and (min-width:40em) and (prefers-color-scheme :dark){a{b:c}}"
        );
        assert_eq!(
            stylesheet("a{color: red  !important ; }"),
            "a{color:red!important}"
        );
    }

    #[test]
    fn nothing_joins_a_less_than_sign() {
        assert_eq!(
            stylesheet("a{b:\"x\"} < !--# echo -->"),
            "a{b:\"x\"}< !--# echo -->"
        );
        assert_eq!(stylesheet("a < /style"), "a < /style");
    }

    #[test]
    fn unclosed_strings_comments_and_urls_end_the_input_without_panic() {
        for css in [
            "a{content:\"x",
            "a{/* x",
            "a{b:url(x",
            "\\",
            "a\\",
            "\\1",
            "'\\",
            "url(",
            "é\\é  ü",
        ] {
            assert!(stylesheet(css).len() <= css.len(), "{css}");
        }
        assert_eq!(stylesheet("a{b:\"x\ny\"}"), "a{b:\"x y\"}");
    }
}
