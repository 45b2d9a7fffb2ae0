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

pub fn page(html: &str) -> Vec<u8> {
    let minified = minify_html::minify(html.as_bytes(), &page_settings());
    match String::from_utf8(minified) {
        Ok(text) => neutralise_ssi(&text).into_bytes(),
        Err(error) => error.into_bytes(),
    }
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
    fn ssi_comments_survive_and_plain_comments_go() {
        let out = page(
            "<!doctype html><html><head><title>x</title></head><body><!-- note --><!--# echo var=\"host\" --></body></html>",
        );
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("<!--# echo var=\"host\" -->"), "{out}");
        assert!(!out.contains("note"), "{out}");
    }

    #[test]
    fn escaped_ssi_in_titles_and_attributes_stays_escaped() {
        let out = String::from_utf8(page(
            "<!doctype html><html><head><title>&lt;!--# include virtual=\"/x\" --></title></head><body><p title=\"&lt;!--# echo var=&quot;a&quot; -->\">&lt;!--# exec cmd=\"id\" --></p><!--# if expr=\"$x\" --><!--# endif --></body></html>",
        ))
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
        let out = String::from_utf8(page(
            "<!doctype html><html lang=en><head><title>x</title></head><body>y</body></html>",
        ))
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
