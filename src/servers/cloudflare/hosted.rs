//! Cloudflare without Workers: pages Cloudflare serves itself, rendered
//! for it through the normal render path (theme, templates, minifier) into
//! `servers/cloudflare/pages/`:
//!
//! - `500_errors.html` and `1000_errors.html`, the hosted custom error
//!   pages of those API identifiers ("500 class errors", "1000 class
//!   errors"), each with the token Cloudflare requires of it
//!   (`::CLOUDFLARE_ERROR_500S_BOX::`, `::CLOUDFLARE_ERROR_1000S_BOX::`)
//!   at the end of the visitor text;
//! - `<code>.html` for every replaced status: the inline `content` of its
//!   Custom Error Rule (see [`super::rules`]).
//!
//! Cloudflare serves these to everyone and runs no SSI, so they are
//! rendered as a `strip` build renders (never the developer part, in any
//! mode) and the visitor reference is Cloudflare's own `::RAY_ID::` token.
//! Cloudflare replaces every `::NAME::` token it knows in these pages, so
//! the gate admits only the tokens errorsmith put there ([`placeholders`]).

use crate::content::Page;
use crate::formats::Format;
use crate::output::{ManifestPage, OutputFile};
use crate::render::{Renderer, RequestField, SsiMarkup};
use crate::strings::Strings;
use anyhow::{Result, anyhow};
use std::collections::BTreeMap;

/// Where the pages for Cloudflare are written.
pub const DIR: &str = "servers/cloudflare/pages/";

/// Cloudflare's visitor reference token (the request's Ray ID).
pub const RAY_ID: &str = "::RAY_ID::";

/// One kind of Cloudflare hosted custom error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Cloudflare's API identifier, also the file name.
    pub id: &'static str,
    /// The dashboard's name for it.
    pub name: &'static str,
    /// The token Cloudflare requires in the page; it puts the error's
    /// details there.
    pub token: &'static str,
    /// The content the page is made of: the first of these that is built.
    pub codes: &'static [u16],
}

/// The kinds errorsmith writes. 5xx: the origin failing behind Cloudflare
/// (its 52x errors), so the 502 page, which says that. 1xxx: mostly
/// access refused by the zone's security settings (1020, 1010, 1006-1009
/// send 403), so the 403 page. The challenge pages (`::CAPTCHA_BOX::`)
/// need Cloudflare's script, which errorsmith pages never carry; the block
/// pages need no token, so the built 403 or 429 page serves as it is.
pub const KINDS: [Kind; 2] = [
    Kind {
        id: "500_errors",
        name: "500 class errors",
        token: "::CLOUDFLARE_ERROR_500S_BOX::",
        codes: &[502, 500, 503, 504],
    },
    Kind {
        id: "1000_errors",
        name: "1000 class errors",
        token: "::CLOUDFLARE_ERROR_1000S_BOX::",
        codes: &[403, 400],
    },
];

pub fn kind_path(kind: &Kind) -> String {
    format!("{DIR}{}.html", kind.id)
}

/// The page a Custom Error Rule sends for `code`.
pub fn rule_path(code: u16) -> String {
    format!("{DIR}{code}.html")
}

/// What the gate expects of a file under [`DIR`]: the kind it is (for
/// hosted pages), or None for a rule's page.
pub fn kind_of_path(path: &str) -> Option<&'static Kind> {
    let name = path.strip_prefix(DIR)?.strip_suffix(".html")?;
    KINDS.iter().find(|k| k.id == name)
}

/// `page` with the kind's token after its visitor text, so the theme puts
/// it inside the visitor part like the rest of that text.
pub fn with_token(page: &Page, kind: &Kind) -> Page {
    let mut page = page.clone();
    page.visitor_html = format!(
        "{}<div class=\"cloudflare-error\">{}</div>",
        page.visitor_html, kind.token
    );
    page
}

/// The pages for Cloudflare: each hosted kind whose content is built and
/// the page of every `replaced` status, from the default locale's `pages`.
/// `renderer` must be a strip-mode one (no developer part, in any mode);
/// `strings` are by page locale, as the build has them.
pub fn render(
    renderer: &Renderer,
    pages: &[&Page],
    strings: &BTreeMap<&str, Strings>,
    replaced: &[u16],
) -> Result<Vec<(ManifestPage, OutputFile)>> {
    let by_code: BTreeMap<u16, &Page> = pages.iter().map(|p| (p.code, *p)).collect();
    let mut jobs: Vec<(String, Page)> = Vec::new();
    for kind in &KINDS {
        if let Some(page) = kind.codes.iter().find_map(|c| by_code.get(c)) {
            jobs.push((kind_path(kind), with_token(page, kind)));
        }
    }
    for code in replaced {
        if let Some(page) = by_code.get(code) {
            jobs.push((rule_path(*code), (*page).clone()));
        }
    }
    let mut out = Vec::new();
    for (path, page) in jobs {
        let words = strings
            .get(page.locale.as_str())
            .ok_or_else(|| anyhow!("no strings for locale `{}`", page.locale))?;
        let markup = CloudflareMarkup::new(words);
        let html = renderer.page(&page, words, "", &markup)?;
        let bytes = crate::minify::page(&html).map_err(|e| {
            anyhow!(
                "{}: page {} for Cloudflare ({path}) with theme `{}`: {e}",
                page.origin,
                page.code,
                renderer.theme()
            )
        })?;
        out.push((
            ManifestPage {
                code: page.code,
                locale: page.locale.clone(),
                format: Format::Html,
                theme: renderer.theme().to_string(),
                path: path.clone(),
                bytes: bytes.len(),
                retry_after: page.retry_after,
                fallback_from: None,
            },
            OutputFile { path, bytes },
        ));
    }
    Ok(out)
}

/// The markup of pages Cloudflare serves: no developer include (the
/// renderer runs in strip mode anyway), and the reference as the locale's
/// label and Cloudflare's [`RAY_ID`] token.
pub struct CloudflareMarkup {
    reference: String,
}

impl CloudflareMarkup {
    pub fn new(strings: &Strings) -> CloudflareMarkup {
        CloudflareMarkup {
            reference: reference(strings),
        }
    }
}

impl SsiMarkup for CloudflareMarkup {
    fn developer_include(&self, _locale_dir: &str, _code: u16) -> String {
        String::new()
    }
    fn request_fields(&self, _strings: &Strings) -> Vec<RequestField> {
        Vec::new()
    }
    fn reference_include(&self, _locale_dir: &str) -> String {
        self.reference.clone()
    }
    fn reference_fragment(&self, strings: &Strings) -> String {
        reference(strings)
    }
}

/// The label is HTML-escaped as nginx's reference fragment escapes it.
fn reference(strings: &Strings) -> String {
    let label = strings.reference.as_deref().unwrap_or("Reference");
    format!(
        "<p class=\"reference\">{}: <code>{RAY_ID}</code></p>",
        crate::servers::nginx::html_escape(label)
    )
}

/// Every `::NAME::` in `text` (NAME of capital letters, digits and `_`),
/// the shape of all of Cloudflare's tokens, with its byte offset.
pub fn placeholders(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = text[at..].find("::").map(|i| at + i) {
        let name_len = bytes[start + 2..]
            .iter()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_')
            .count();
        let end = start + 2 + name_len;
        if name_len > 0 && text[end..].starts_with("::") {
            found.push((start, &text[start..end + 2]));
            at = end + 2;
        } else {
            at = start + 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_other_colons_are_not() {
        assert_eq!(
            placeholders("a::RAY_ID::b ::GEO::::CLIENT_IP:: std::io :: ::x:: ::A B::"),
            [(1, "::RAY_ID::"), (13, "::GEO::"), (20, "::CLIENT_IP::")]
        );
        assert!(placeholders("::::").is_empty());
    }

    #[test]
    fn paths_name_their_kind() {
        assert_eq!(
            kind_of_path("servers/cloudflare/pages/500_errors.html").map(|k| k.token),
            Some("::CLOUDFLARE_ERROR_500S_BOX::")
        );
        assert_eq!(kind_of_path("servers/cloudflare/pages/502.html"), None);
        assert_eq!(rule_path(502), "servers/cloudflare/pages/502.html");
    }
}
