//! The HTML pass: one linear scan that copies tags, attributes, entities
//! and raw text as written and only removes whitespace a browser would not
//! render and comments nobody reads. It never decodes anything, so what
//! was escaped stays escaped, and it keeps every tag (closing and optional
//! ones too), so pages stay what strict validators and CDNs accept.

use crate::markup::{comment_end, tag_end};

/// The minified page and how deep its elements nest.
pub(super) struct Minified {
    pub html: String,
    pub depth: usize,
}

/// Elements around which whitespace is never rendered: a line box starts or
/// ends at their edges. Anything not listed is treated as inline, where one
/// space must stay.
const BLOCK: [&str; 48] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];
/// Elements whose content is not markup and is copied byte for byte up to
/// their closing tag.
const RAW_TEXT: [&str; 7] = [
    "iframe", "noembed", "noframes", "script", "style", "textarea", "xmp",
];
/// Elements that never have content, so never nest.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
/// Elements a new sibling of the same name closes implicitly.
const SELF_CLOSING_SIBLINGS: [&str; 8] = ["dd", "dt", "li", "option", "p", "td", "th", "tr"];

fn is_block(name: &str) -> bool {
    is_one_of(&BLOCK, name)
}

/// Whether `name`, in any case, is in `sorted` (lower-case, in order):
/// asked for every tag of every page, so a binary search without
/// allocating.
fn is_one_of(sorted: &[&str], name: &str) -> bool {
    let mut lower = [0u8; 16];
    let Some(buffer) = lower.get_mut(..name.len()) else {
        return false;
    };
    for (to, from) in buffer.iter_mut().zip(name.bytes()) {
        *to = from.to_ascii_lowercase();
    }
    sorted
        .binary_search_by(|n| short_cmp(n.as_bytes(), buffer))
        .is_ok()
}

/// `a.cmp(b)` for names of a few bytes, without a call to `memcmp`.
fn short_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// How deep elements nest, counted the way an HTML parser would see it
/// closely enough: void elements and `/>` do not nest, a `<li>` after an
/// open `<li>` is a sibling, and a closing tag closes everything opened
/// after its element.
#[derive(Default)]
struct Nesting<'a> {
    open: Vec<&'a str>,
    deepest: usize,
}

impl<'a> Nesting<'a> {
    fn open(&mut self, name: &'a str, tag: &str) {
        if is_one_of(&VOID, name) || tag.ends_with("/>") {
            return;
        }
        if is_one_of(&SELF_CLOSING_SIBLINGS, name)
            && self
                .open
                .last()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        {
            self.open.pop();
        }
        self.open.push(name);
        self.deepest = self.deepest.max(self.open.len());
    }

    fn close(&mut self, name: &str) {
        if let Some(at) = self.open.iter().rposition(|n| n.eq_ignore_ascii_case(name)) {
            self.open.truncate(at);
        }
    }
}

/// Whitespace seen but not yet written: it becomes one space unless a
/// block edge is on either side or the page has not started rendering.
struct Space {
    pending: bool,
    after_block: bool,
    after_text: bool,
    in_head: bool,
}

impl Space {
    /// Before a tag, comment or directive.
    fn flush(&mut self, out: &mut String, before_block: bool) {
        self.write(out, before_block, false);
        self.after_text = false;
    }

    /// Before text.
    fn flush_text(&mut self, out: &mut String) {
        self.write(out, false, true);
        self.after_text = true;
    }

    fn write(&mut self, out: &mut String, before_block: bool, before_text: bool) {
        // Whitespace between tags in <head> is never rendered, but text
        // there is (the parser moves it to <body>), so words keep theirs.
        let hidden = self.in_head && !(self.after_text && before_text);
        if self.pending && !self.after_block && !before_block && !hidden {
            out.push(' ');
        }
        self.pending = false;
    }
}

pub(super) fn minify(html: &str) -> Minified {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut nesting = Nesting::default();
    let mut space = Space {
        pending: false,
        after_block: true,
        after_text: false,
        in_head: false,
    };
    // Open <pre> elements: inside one, whitespace is content.
    let mut pre = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            let start = i;
            if pre == 0 && is_space(bytes[i]) {
                while i < bytes.len() && is_space(bytes[i]) {
                    i += 1;
                }
                space.pending = true;
                continue;
            }
            while i < bytes.len() && bytes[i] != b'<' && (pre > 0 || !is_space(bytes[i])) {
                i += 1;
            }
            space.flush_text(&mut out);
            out.push_str(&html[start..i]);
            space.after_block = false;
            continue;
        }
        let rest = &html[i..];
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        if rest.starts_with("<!--#") {
            // nginx SSI directives are the theme's or errorsmith's: as written.
            let end = comment_end(html, i);
            space.flush(&mut out, false);
            out.push_str(&html[i..end]);
            space.after_block = false;
            i = end;
        } else if rest.starts_with("<!--") {
            let end = comment_end(html, i);
            // Text on both sides must not join into a tag, an SSI directive
            // or an entity (`<<!-- -->script>`, `&l<!-- -->t;`).
            if joins_markup(&out) {
                out.push_str(&html[i..end]);
            }
            i = end;
        } else if next.is_ascii_alphabetic()
            || (next == b'/' && bytes.get(i + 2).is_some_and(u8::is_ascii_alphabetic))
        {
            let closing = next == b'/';
            let end = tag_end(html, i);
            let tag = &html[i..end];
            let name_start = if closing { 2 } else { 1 };
            let name_len = tag[name_start..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
                .count();
            let name = &tag[name_start..name_start + name_len];
            let block = is_block(name);
            if name.eq_ignore_ascii_case("body") {
                space.in_head = false;
            }
            space.flush(&mut out, block);
            push_tag(&mut out, tag);
            space.after_block = block;
            i = end;
            let is = |n: &str| name.eq_ignore_ascii_case(n);
            if closing {
                nesting.close(name);
                if is("pre") {
                    pre = pre.saturating_sub(1);
                } else if is("head") {
                    space.in_head = false;
                }
                continue;
            }
            nesting.open(name, tag);
            if is("pre") {
                pre += 1;
            } else if is("head") {
                space.in_head = true;
            } else if is("plaintext") {
                out.push_str(&html[i..]);
                i = html.len();
            } else if is("title") {
                let close = closing_tag(html, i, name);
                push_collapsed(
                    &mut out,
                    html[i..close].trim_matches(|c: char| c.is_ascii() && is_space(c as u8)),
                );
                i = close;
            } else if is_one_of(&RAW_TEXT, name) {
                let close = closing_tag(html, i, name);
                out.push_str(&html[i..close]);
                i = close;
            }
        } else if next == b'!' || next == b'?' || next == b'/' {
            // Doctype, CDATA and bogus comments: copied as written.
            let end = tag_end(html, i);
            let doctype = rest.len() >= 9 && rest[..9].eq_ignore_ascii_case("<!doctype");
            space.flush(&mut out, doctype);
            out.push_str(&html[i..end]);
            space.after_block = doctype;
            i = end;
        } else {
            // A `<` that starts no tag is text.
            space.flush_text(&mut out);
            out.push('<');
            space.after_block = false;
            i += 1;
        }
    }
    Minified {
        html: out,
        depth: nesting.deepest,
    }
}

/// A tag as written, with each run of whitespace outside quotes made one
/// space and the run before the closing `>` dropped.
fn push_tag(out: &mut String, tag: &str) {
    let bytes = tag.as_bytes();
    let mut quote = None;
    let mut copied = 0;
    let mut i = 1;
    while i < bytes.len() {
        let byte = bytes[i];
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if is_space(byte) => {
                out.push_str(&tag[copied..i]);
                while i < bytes.len() && is_space(bytes[i]) {
                    i += 1;
                }
                if i < bytes.len() && !(bytes[i] == b'>' && i + 1 == bytes.len()) {
                    out.push(' ');
                }
                copied = i;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    out.push_str(&tag[copied..]);
}

/// `text` with each run of whitespace made one space.
fn push_collapsed(out: &mut String, text: &str) {
    let mut words = text
        .split(|c: char| c.is_ascii() && is_space(c as u8))
        .filter(|w| !w.is_empty());
    if let Some(first) = words.next() {
        out.push_str(first);
        for word in words {
            out.push(' ');
            out.push_str(word);
        }
    }
}

/// Where the closing tag of the raw text element `name` starts at or after
/// `from`, matched without case; the end of `html` if it never closes.
fn closing_tag(html: &str, from: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(start) = crate::markup::find(html, at, "</") {
        let name_end = start + 2 + name.len();
        if bytes
            .get(start + 2..name_end)
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
        {
            return start;
        }
        at = start + 2;
    }
    html.len()
}

/// Whether the output ends in a `<` or an unfinished entity, which removing
/// the comment that follows would join to the text after it.
fn joins_markup(out: &str) -> bool {
    let bytes = out.as_bytes();
    let word = bytes
        .iter()
        .rev()
        .take(32)
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
        .count();
    let before = bytes.len().checked_sub(word + 1).map(|at| bytes[at]);
    before == Some(b'&') || (word == 0 && before == Some(b'<'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`is_one_of`] searches by halves, so every list must stay sorted.
    #[test]
    fn element_lists_are_sorted_and_found_in_any_case() {
        for list in [&BLOCK[..], &RAW_TEXT, &VOID, &SELF_CLOSING_SIBLINGS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
            for name in list {
                assert!(is_one_of(list, name));
                assert!(is_one_of(list, &name.to_ascii_uppercase()));
            }
        }
        assert!(!is_one_of(&BLOCK, "span"));
        assert!(!is_one_of(&BLOCK, "a-very-long-custom-element-name"));
        assert!(!is_one_of(&VOID, ""));
    }
}
