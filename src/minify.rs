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
    minify_html::minify(html.as_bytes(), &page_settings())
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
