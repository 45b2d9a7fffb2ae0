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
    "script", "style", "textarea", "xmp", "iframe", "noembed", "noframes",
];
/// Elements that never have content, so never nest.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
/// Elements a new sibling of the same name closes implicitly.
const SELF_CLOSING_SIBLINGS: [&str; 8] = ["p", "li", "dt", "dd", "option", "tr", "td", "th"];

fn is_block(name: &str) -> bool {
    BLOCK.iter().any(|b| b.eq_ignore_ascii_case(name))
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
        let is = |list: &[&str]| list.iter().any(|n| n.eq_ignore_ascii_case(name));
        if is(&VOID) || tag.ends_with("/>") {
            return;
        }
        if is(&SELF_CLOSING_SIBLINGS)
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
            } else if RAW_TEXT.iter().any(|n| is(n)) {
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
    while let Some(offset) = html[at..].find("</") {
        let start = at + offset;
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
