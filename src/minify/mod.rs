//! Minification, the one place it happens: [`page`] for every HTML file a
//! build writes, [`stylesheet`] once per theme. Both only remove what a
//! browser ignores and never decode escapes or entities, so the output
//! stays valid HTML, SSI directives survive as written, and no escaped
//! text can turn into markup.

mod css;
mod html;

pub use css::stylesheet;

/// Deeper element nesting than this is refused. The minifier itself does
/// not recurse, but browsers re-parent elements nested past a few hundred
/// levels (Blink at 512), so such a page would not show as written, and no
/// error page needs it.
pub const MAX_ELEMENT_NESTING: usize = 200;

pub fn page(html: &str) -> Result<Vec<u8>, String> {
    let minified = html::minify(html);
    if minified.depth > MAX_ELEMENT_NESTING {
        let depth = minified.depth;
        return Err(format!(
            "the HTML nests elements {depth} deep, more than the {MAX_ELEMENT_NESTING} errorsmith accepts; flatten the template or the content"
        ));
    }
    Ok(minified.html.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(html: &str) -> String {
        String::from_utf8(page(html).unwrap()).unwrap()
    }

    fn nesting(html: &str) -> usize {
        html::minify(html).depth
    }

    #[test]
    fn nesting_is_measured_like_a_parser_and_deep_html_is_refused() {
        assert_eq!(
            nesting("<html><body><ul><li>a<li>b<li><p>c<p>d</ul><br><img src=x></body></html>"),
            5
        );
        assert_eq!(nesting("<div><div></div></div><div>"), 2);
        assert_eq!(nesting("<style>a<b{}</style><p>"), 1);
        assert_eq!(nesting("<DIV><Div></dIV><br/><x-y/><p>"), 2);
        let deep = "<div>".repeat(5000);
        let error = page(&deep).unwrap_err();
        assert!(
            error.starts_with("the HTML nests elements 5000 deep"),
            "{error}"
        );
        assert!(page(&"<div>".repeat(150)).is_ok());
        // README: "HTML deeper than 200 elements" is refused; 200 is not.
        assert!(page(&"<div>".repeat(MAX_ELEMENT_NESTING)).is_ok());
        assert_eq!(MAX_ELEMENT_NESTING, 200);
        let error = page(&"<div>".repeat(201)).unwrap_err();
        assert!(
            error.starts_with("the HTML nests elements 201 deep, more than the 200"),
            "{error}"
        );
        // Far past any stack: the scan does not recurse.
        assert!(page(&"<b>".repeat(1_000_000)).is_err());
    }

    #[test]
    fn ssi_comments_survive_and_plain_comments_go() {
        let out = min(
            "<!doctype html><html><head><title>x</title></head><body><!-- note --><!--# echo var=\"host\"   -->\n<!--# include  virtual=\"/d\" --></body></html>",
        );
        assert_eq!(
            out,
            "<!doctype html><html><head><title>x</title></head><body><!--# echo var=\"host\"   --> <!--# include  virtual=\"/d\" --></body></html>"
        );
    }

    /// The old minifier decoded `&lt;` in titles and attributes, which made
    /// escaped text a live SSI directive; nothing is decoded now.
    #[test]
    fn escaped_ssi_in_titles_and_attributes_stays_escaped() {
        let html = "<!doctype html><html><head><title>&lt;!--# include virtual=\"/x\" --></title></head><body><p title=\"&lt;!--# echo var=&quot;a&quot; -->\">&lt;!--# exec cmd=\"id\" --></p><!--# if expr=\"$x\" --><!--# endif --></body></html>";
        let out = min(html);
        assert_eq!(out, html);
        assert_eq!(out.matches("<!--#").count(), 2, "{out}");
    }

    #[test]
    fn removed_comments_join_no_text_into_markup() {
        for html in [
            "<p>&lt;<<!-- -->!--# exec cmd=\"id\" --></p>",
            "<p><<!-- x -->script>alert(1)</p>",
            "<p>&l<!-- -->t;</p>",
        ] {
            assert_eq!(min(html), html);
        }
        assert_eq!(min("<p>a<!-- x -->b <!-- y --> c</p>"), "<p>ab c</p>");
    }

    #[test]
    fn tags_attributes_and_optional_tags_are_kept_as_written() {
        let html = "<!DOCTYPE html>\n<html lang=\"en\" dir=ltr>\n<head>\n<meta charset=\"utf-8\">\n<title>x</title>\n</head>\n<body>\n<p class=\"a  b\" title='x > y'>t</p>\n</body>\n</html>\n";
        assert_eq!(
            min(html),
            "<!DOCTYPE html><html lang=\"en\" dir=ltr><head><meta charset=\"utf-8\"><title>x</title></head><body><p class=\"a  b\" title='x > y'>t</p></body></html>"
        );
        assert_eq!(
            min("<a\n  href=\"/\"\n  class=x   >y</a ><br />"),
            "<a href=\"/\" class=x>y</a><br />"
        );
    }

    #[test]
    fn inline_whitespace_keeps_one_space_and_block_edges_lose_it() {
        assert_eq!(min("<b>a</b> <i>b</i>"), "<b>a</b> <i>b</i>");
        assert_eq!(
            min(
                "<p>\n  Hello,\n\t<b>world</b>  !\n</p>\n<ul>\n <li>a</li>\n <li>b <a href=x>c</a></li>\n</ul>"
            ),
            "<p>Hello, <b>world</b> !</p><ul><li>a</li><li>b <a href=x>c</a></li></ul>"
        );
        assert_eq!(
            min("x <span>y</span>\n<img src=a> z"),
            "x <span>y</span> <img src=a> z"
        );
        assert_eq!(min("a\u{a0} \u{a0}b"), "a\u{a0} \u{a0}b");
        assert_eq!(
            min(
                "<head>\n<meta charset=utf-8>\n<title>t</title>\nstray  words\n<link rel=icon href=x>\n</head>"
            ),
            "<head><meta charset=utf-8><title>t</title>stray words<link rel=icon href=x></head>"
        );
    }

    #[test]
    fn raw_text_and_preformatted_content_is_kept_byte_for_byte() {
        let html = "<pre>\n  a  <b> b </b>\n\n</pre><textarea>  x\n <!-- y --> </textarea><script>\n if (a  <  b) {} // <!-- x -->\n</script><style>a  { b : c }</style>";
        assert_eq!(min(html), html);
        assert_eq!(
            min("<pre><pre> a </pre> b </pre> c  d"),
            "<pre><pre> a </pre> b </pre>c d"
        );
        assert_eq!(min("<title>\n  a   b\n</title>"), "<title>a b</title>");
        assert_eq!(
            min("<SCRIPT>a  </b>  </Script >  x"),
            "<SCRIPT>a  </b>  </Script> x"
        );
    }

    #[test]
    fn stray_and_unclosed_markup_is_text_and_never_panics() {
        assert_eq!(min("a  <  b"), "a < b");
        for html in [
            "<",
            "<p",
            "<p title='x",
            "<!--",
            "<!-- x",
            "<script>",
            "</",
            "<!",
            "é<é>  ü",
            "<title>",
            "<a b=\"é",
        ] {
            assert!(page(html).is_ok(), "{html}");
        }
        let html = "<x>\u{0}<y a=\u{7f}>";
        assert_eq!(min(html), html);
    }
}
