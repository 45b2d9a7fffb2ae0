//! Minification, the one place it happens. Settings are chosen so that the
//! output stays valid HTML and SSI directives survive.

use minify_html::Cfg;

fn page_settings() -> Cfg {
    let mut cfg = Cfg::new();
    // nginx SSI directives carry the developer part and request details.
    cfg.keep_ssi_comments = true;
    // Cloudflare and strict validators want an explicit <html> and <head>.
    cfg.keep_html_and_head_opening_tags = true;
    cfg.keep_closing_tags = true;
    // Stylesheets are minified once per theme by `stylesheet`, not per page.
    cfg.minify_css = false;
    cfg.minify_js = false;
    cfg
}

/// Deeper element nesting than this is refused before minifying: the
/// minifier's parser recurses per element and would overflow the stack,
/// and no error page needs it.
pub const MAX_ELEMENT_NESTING: usize = 200;

pub fn page(html: &str) -> Result<Vec<u8>, String> {
    let depth = element_nesting(html);
    if depth > MAX_ELEMENT_NESTING {
        return Err(format!(
            "the HTML nests elements {depth} deep, more than the {MAX_ELEMENT_NESTING} errorsmith accepts; flatten the template or the content"
        ));
    }
    let minified = minify_html::minify(html.as_bytes(), &page_settings());
    Ok(match String::from_utf8(minified) {
        Ok(text) => neutralise_ssi(&text).into_bytes(),
        Err(error) => error.into_bytes(),
    })
}

/// Elements that never have content, so never nest.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
/// Elements a new sibling of the same name closes implicitly.
const SELF_CLOSING_SIBLINGS: [&str; 8] = ["p", "li", "dt", "dd", "option", "tr", "td", "th"];

/// How deep elements nest, counted the way an HTML parser would see it
/// closely enough to stay below any real stack limit: void elements and
/// `/>` do not nest, a `<li>` after an open `<li>` is a sibling, and a
/// closing tag closes everything opened after its element.
fn element_nesting(html: &str) -> usize {
    let mut stack: Vec<String> = Vec::new();
    let mut deepest = 0;
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            rest = &rest[end..];
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        rest = &rest[end..];
        let closing = tag.starts_with("</");
        let name: String = tag[if closing { 2 } else { 1 }..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if closing {
            if let Some(open) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(open);
            }
            continue;
        }
        if VOID.contains(&name.as_str()) || tag.ends_with("/>") {
            continue;
        }
        if SELF_CLOSING_SIBLINGS.contains(&name.as_str()) && stack.last() == Some(&name) {
            stack.pop();
        }
        if RAW_TEXT.contains(&name.as_str()) {
            let close = rest
                .to_ascii_lowercase()
                .find(&format!("</{name}"))
                .unwrap_or(rest.len());
            rest = &rest[close..];
        }
        stack.push(name);
        deepest = deepest.max(stack.len());
    }
    deepest
}

const SSI_OPEN: &str = "<!--#";
const SSI_ESCAPED: &str = "&lt;!--#";
/// Elements whose text the minifier may decode `&lt;` in.
const RAW_TEXT: [&str; 4] = ["title", "textarea", "style", "script"];
/// Of those, the ones whose text browsers show, where `&lt;` means `<`.
const ESCAPABLE_TEXT: [&str; 2] = ["title", "textarea"];

/// The minifier decodes `&lt;` where HTML allows a bare `<`: inside
/// `<title>` and attribute values. nginx parses SSI byte by byte, whatever
/// the HTML context, so escaped text such as a title `<!--# include ... -->`
/// would become a live directive. Only SSI comments in markup position are
/// the theme's; every other `<!--#` is escaped again.
fn neutralise_ssi(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let end = tag_end(rest);
        out.push('<');
        out.push_str(&rest[1..end].replace(SSI_OPEN, SSI_ESCAPED));
        let name: String = rest[1..end]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &rest[end..];
        if RAW_TEXT.contains(&name.as_str()) {
            let close = rest
                .to_ascii_lowercase()
                .find(&format!("</{name}"))
                .unwrap_or(rest.len());
            let text = &rest[..close];
            // Title text is never markup, so every `<` may be escaped,
            // which also keeps `<script>` out of sight of naive filters.
            if ESCAPABLE_TEXT.contains(&name.as_str()) {
                out.push_str(&text.replace('<', "&lt;"));
            } else {
                out.push_str(&text.replace(SSI_OPEN, SSI_ESCAPED));
            }
            rest = &rest[close..];
        }
    }
    out.push_str(rest);
    out
}

/// Index just past the `>` closing the tag `html` starts with, skipping
/// quoted attribute values.
fn tag_end(html: &str) -> usize {
    let mut quote = None;
    for (i, c) in html.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    html.len()
}

/// Minifies a stylesheet by running it through the HTML minifier as the
/// body of a `<style>` element.
pub fn stylesheet(css: &str) -> String {
    const OPEN: &str = "<style>";
    const CLOSE: &str = "</style>";
    let mut cfg = Cfg::new();
    cfg.minify_css = true;
    cfg.keep_closing_tags = true;
    let wrapped = format!("{OPEN}{css}{CLOSE}");
    let out = String::from_utf8(minify_html::minify(wrapped.as_bytes(), &cfg)).unwrap_or_default();
    match out.strip_prefix(OPEN).and_then(|s| s.strip_suffix(CLOSE)) {
        Some(inner) => inner.to_string(),
        // Should the minifier ever change the wrapper, keep the CSS as is.
        None => css.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_like_a_parser_and_deep_html_is_refused() {
        assert_eq!(
            element_nesting(
                "<html><body><ul><li>a<li>b<li><p>c<p>d</ul><br><img src=x></body></html>"
            ),
            5
        );
        assert_eq!(element_nesting("<div><div></div></div><div>"), 2);
        assert_eq!(element_nesting("<style>a<b{}</style><p>"), 1);
        let deep = "<div>".repeat(5000);
        let error = page(&deep).unwrap_err();
        assert!(
            error.starts_with("the HTML nests elements 5000 deep"),
            "{error}"
        );
        assert!(page(&"<div>".repeat(150)).is_ok());
    }

    #[test]
    fn ssi_comments_survive_and_plain_comments_go() {
        let out = page(
            "<!doctype html><html><head><title>x</title></head><body><!-- note --><!--# echo var=\"host\" --></body></html>",
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("<!--# echo var=\"host\" -->"), "{out}");
        assert!(!out.contains("note"), "{out}");
    }

    #[test]
    fn escaped_ssi_in_titles_and_attributes_stays_escaped() {
        let out = String::from_utf8(page(
            "<!doctype html><html><head><title>&lt;!--# include virtual=\"/x\" --></title></head><body><p title=\"&lt;!--# echo var=&quot;a&quot; -->\">&lt;!--# exec cmd=\"id\" --></p><!--# if expr=\"$x\" --><!--# endif --></body></html>",
        ).unwrap())
        .unwrap();
        assert_eq!(out.matches("<!--#").count(), 2, "{out}");
        assert!(
            out.contains("<!--# if expr=\"$x\" --><!--# endif -->"),
            "{out}"
        );
        assert!(out.contains("<title>&lt;!--# include"), "{out}");
        assert!(out.contains("title='&lt;!--# echo"), "{out}");
    }

    #[test]
    fn html_and_head_tags_are_kept() {
        let out = String::from_utf8(
            page("<!doctype html><html lang=en><head><title>x</title></head><body>y</body></html>")
                .unwrap(),
        )
        .unwrap();
        assert!(out.contains("<html lang=en>"), "{out}");
        assert!(out.contains("<head>"), "{out}");
    }

    #[test]
    fn stylesheet_is_minified() {
        let css = stylesheet("body {\n  color : #ffffff ;\n}\n");
        assert_eq!(css, "body{color:#fff}");
    }
}
