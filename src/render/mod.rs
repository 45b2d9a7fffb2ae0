//! Pages x theme -> HTML. Templates are compiled once per theme; rendering
//! never touches the file system.

use crate::config::{Config, DeveloperMode};
use crate::content::{Fault, Page};
use crate::palette::Palette;
use crate::strings::Strings;
use crate::theme::{PAGE_TEMPLATE, Theme};
use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use std::collections::HashMap;
use tera::{Context, Tera};

mod tera_guard;
use tera_guard::{RANGE_BUDGET, RANGE_LEFT, bounded_range, is_template, template_error};

/// The template for the developer part on its own (the SSI fragment).
pub const DEVELOPER_TEMPLATE: &str = "developer.html";
const STYLE_TEMPLATE: &str = "style.css";

/// What every page of a build shares: brand and developer mode.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub name: String,
    pub home_url: String,
    pub status_url: Option<String>,
    pub support_url: Option<String>,
    pub footer: Option<String>,
    /// The logo as a `data:` URI.
    pub logo: Option<String>,
}

impl SiteView {
    /// The same values escaped for CSS, for `style.css` templates: a value
    /// there can be a string, a URL or a custom property, and CSS escapes
    /// (`\3C `) read the same in all of them, so no value can close a
    /// string, a rule or the `<style>` element.
    pub fn css_escaped(&self) -> SiteView {
        let escape = |value: &Option<String>| value.as_deref().map(css_escape);
        SiteView {
            name: css_escape(&self.name),
            home_url: css_escape(&self.home_url),
            status_url: escape(&self.status_url),
            support_url: escape(&self.support_url),
            footer: escape(&self.footer),
            logo: escape(&self.logo),
        }
    }
}

/// `value` with every ASCII character other than letters, digits, `-` and
/// `_` written as a CSS hex escape; other characters are safe as they are.
pub fn css_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii() {
            if !c.is_control() {
                out.push(c);
            }
        } else if !c.is_control() || c == '\t' {
            out.push_str(&format!("\\{:X} ", c as u32));
        }
    }
    out
}

/// The minifier keeps CSS escapes as written (`\3C ` stays `\3C `) and the
/// theme's own text is refused by [`ends_the_style_element`], so no `</`
/// should reach here. Should one ever do, it is written `<\/`, which CSS
/// reads the same inside a string and valid CSS never has outside one, so
/// the stylesheet cannot end the `<style>` element whatever changes before.
fn style_element_safe(css: &str) -> String {
    css.replace("</", "<\\/")
}

/// What in a stylesheet would end the `<style>` element or start markup.
fn ends_the_style_element(css: &str) -> Option<&'static str> {
    let lower = css.to_ascii_lowercase();
    ["</style", "<!--", "-->", "<script", "</"]
        .into_iter()
        .find(|bad| lower.contains(bad))
}

/// One request detail nginx fills in (SSI mode only).
#[derive(Debug, Clone, Serialize)]
pub struct RequestField {
    pub label: String,
    /// Server-side markup, never user data.
    pub value: String,
}

#[derive(Serialize)]
struct DeveloperView<'a> {
    mode: &'static str,
    html: &'a str,
    /// The markup that stands in for the developer part in SSI mode.
    include: String,
    request_fields: Vec<RequestField>,
}

/// The page as templates see it: every public field, and of the developer
/// part only what [`developer_html_for`] lets this file carry.
#[derive(Serialize)]
struct PageFields<'a> {
    code: u16,
    locale: &'a str,
    title: &'a str,
    summary: &'a str,
    fault: Fault,
    retry_after: Option<u32>,
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
    visitor_html: &'a str,
    /// The same as `developer.html`, under the name older themes use.
    developer_html: &'a str,
}

/// Which file of a page a template renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The page itself (`404.html`), public.
    Page,
    /// The developer part on its own (`developer/404.html`, SSI mode),
    /// which the server sends only to trusted clients.
    Fragment,
}

/// The developer HTML a file may carry: the page in hidden mode (the owner
/// chose to ship it, concealed), the fragment in SSI mode, and nothing
/// else. The only place the developer part reaches a template.
pub fn developer_html_for(mode: DeveloperMode, part: Part, page: &Page) -> &str {
    match (mode, part) {
        (DeveloperMode::Hidden, Part::Page) | (DeveloperMode::Ssi, Part::Fragment) => {
            page.developer.html().unwrap_or_default()
        }
        _ => "",
    }
}

#[derive(Serialize)]
struct PageView<'a> {
    lang: &'a str,
    dir: &'static str,
    page: PageFields<'a>,
    site: &'a SiteView,
    strings: &'a Strings,
    fault_note: &'a str,
    developer: DeveloperView<'a>,
    colors: &'a Palette,
    css: &'a str,
    theme: &'a str,
    /// Server markup that shows the visitor reference, or empty.
    reference: String,
}

/// How the SSI developer part is wired, supplied by the nginx writer.
pub trait SsiMarkup {
    /// Markup put in the page in place of the developer part.
    fn developer_include(&self, locale_dir: &str, code: u16) -> String;
    /// Request details echoed by the server inside the fragment.
    fn request_fields(&self, strings: &Strings) -> Vec<RequestField>;
    /// Markup put in the page where the visitor reference goes
    /// (`visitor_reference`): inert where the server does not process it.
    fn reference_include(&self, locale_dir: &str) -> String;
    /// The file that include names, holding the label and the echo.
    fn reference_fragment(&self, strings: &Strings) -> String;
}

pub struct Renderer {
    tera: Tera,
    theme: String,
    /// Template name -> file shown in messages.
    origins: HashMap<String, String>,
    site: SiteView,
    palette: Palette,
    css: String,
    mode: DeveloperMode,
    visitor_reference: bool,
}

impl Renderer {
    pub fn new(theme: &Theme, config: &Config, site: SiteView) -> Result<Renderer> {
        let mut origins = HashMap::new();
        let mut templates = Vec::new();
        let mut add = |name: String, file: &crate::source::SourceFile| -> Result<()> {
            if is_template(&name) {
                let text = file.text().map_err(anyhow::Error::msg)?;
                origins.insert(name.clone(), file.origin.clone());
                templates.push((name, text.to_string()));
            }
            Ok(())
        };
        for (name, file) in &theme.files {
            add(name.clone(), file)?;
        }
        for (ancestor, files) in &theme.ancestors {
            for (name, file) in files {
                add(format!("{ancestor}/{name}"), file)?;
            }
        }
        let mut tera = Tera::new();
        tera.register_function("range", bounded_range);
        tera.add_raw_templates(templates)
            .map_err(|e| template_error(&e, &origins, &theme.name))?;

        let mut renderer = Renderer {
            tera,
            theme: theme.name.clone(),
            origins,
            site,
            palette: Palette::from_colors(&config.colors),
            css: String::new(),
            mode: config.developer,
            visitor_reference: config.visitor_reference,
        };
        if renderer.tera.contains_template(STYLE_TEMPLATE) {
            let mut context = Context::new();
            context.insert("colors", &renderer.palette);
            context.insert("site", &renderer.site.css_escaped());
            let css = renderer.render_template(STYLE_TEMPLATE, &context)?;
            // Values are escaped, so only the theme's own text can do this.
            if let Some(bad) = ends_the_style_element(&css) {
                let origin = renderer
                    .origins
                    .get(STYLE_TEMPLATE)
                    .map_or(STYLE_TEMPLATE, String::as_str);
                bail!(
                    "{origin}: the stylesheet contains `{bad}`, which would end the page's <style> element and let markup in; remove it from the theme"
                );
            }
            renderer.css = style_element_safe(&crate::minify::stylesheet(&css));
        }
        Ok(renderer)
    }

    pub fn theme(&self) -> &str {
        &self.theme
    }

    pub fn has_developer_template(&self) -> bool {
        self.tera.contains_template(DEVELOPER_TEMPLATE)
    }

    /// The full page, not yet minified.
    pub fn page(
        &self,
        page: &Page,
        strings: &Strings,
        locale_dir: &str,
        ssi: &dyn SsiMarkup,
    ) -> Result<String> {
        let developer = self.developer_view(page, strings, locale_dir, ssi, Part::Page);
        let reference = if self.visitor_reference {
            ssi.reference_include(locale_dir)
        } else {
            String::new()
        };
        let context = self.context(page, strings, developer, reference)?;
        self.render_template(PAGE_TEMPLATE, &context)
    }

    /// The developer part on its own, for nginx to include (SSI mode).
    pub fn developer_fragment(
        &self,
        page: &Page,
        strings: &Strings,
        ssi: &dyn SsiMarkup,
    ) -> Result<String> {
        let developer = self.developer_view(page, strings, "", ssi, Part::Fragment);
        let context = self.context(page, strings, developer, String::new())?;
        self.render_template(DEVELOPER_TEMPLATE, &context)
    }

    fn developer_view<'a>(
        &self,
        page: &'a Page,
        strings: &Strings,
        locale_dir: &str,
        ssi: &dyn SsiMarkup,
        part: Part,
    ) -> DeveloperView<'a> {
        let mode = self.mode;
        let html = developer_html_for(mode, part, page);
        let fragment = part == Part::Fragment;
        DeveloperView {
            mode: mode.as_str(),
            html,
            // Only a page that has a developer part gets the include.
            include: if mode == DeveloperMode::Ssi && !fragment && page.developer.exists() {
                ssi.developer_include(locale_dir, page.code)
            } else {
                String::new()
            },
            request_fields: if mode == DeveloperMode::Ssi && fragment {
                ssi.request_fields(strings)
            } else {
                Vec::new()
            },
        }
    }

    fn context(
        &self,
        page: &Page,
        strings: &Strings,
        developer: DeveloperView,
        reference: String,
    ) -> Result<Context> {
        let fault_note = match page.fault {
            Fault::Server => strings.fault_server.as_deref(),
            Fault::Visitor => strings.fault_visitor.as_deref(),
            Fault::Either => strings.fault_either.as_deref(),
        }
        .unwrap_or_default();
        let strings = strings.for_mode(self.mode);
        let view = PageView {
            lang: &page.locale,
            dir: if strings.is_rtl() { "rtl" } else { "ltr" },
            page: PageFields {
                code: page.code,
                locale: &page.locale,
                title: &page.title,
                summary: &page.summary,
                fault: page.fault,
                retry_after: page.retry_after,
                extra: &page.extra,
                visitor_html: &page.visitor_html,
                developer_html: developer.html,
            },
            site: &self.site,
            strings: &strings,
            fault_note,
            developer,
            colors: &self.palette,
            css: &self.css,
            theme: &self.theme,
            reference,
        };
        Context::from_serialize(&view)
            .map_err(|e| anyhow!("cannot prepare page {}: {e}", page.code))
    }

    fn render_template(&self, name: &str, context: &Context) -> Result<String> {
        RANGE_LEFT.with(|left| left.set(RANGE_BUDGET));
        self.tera
            .render(name, context)
            .map_err(|e| template_error(&e, &self.origins, &self.theme))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_escape_leaves_nothing_that_ends_a_string_rule_or_element() {
        let hostile = "</style><script>alert(1)</script>\"}body{x:url(//e)};\\\n";
        let escaped = css_escape(hostile);
        for bad in ["<", ">", "\"", "'", "{", "}", ";", "(", "/", "\n"] {
            assert!(!escaped.contains(bad), "{bad} in {escaped}");
        }
        assert!(escaped.starts_with("\\3C \\2F style\\3E "), "{escaped}");
        assert_eq!(css_escape("Acme-Café_1"), "Acme-Café_1");
        assert_eq!(
            css_escape("data:image/png;base64,AB+/="),
            "data\\3A image\\2F png\\3B base64\\2C AB\\2B \\2F \\3D "
        );
    }

    #[test]
    fn minified_css_cannot_end_the_style_element() {
        let css = crate::minify::stylesheet(&format!(
            "a::after{{ content: \"{}\" }}",
            css_escape("</style><script>alert(1)</script>")
        ));
        assert_eq!(
            css,
            "a::after{content:\"\\3C \\2F style\\3E \\3C script\\3E alert\\28 1\\29 \\3C \\2F script\\3E \"}"
        );
        assert_eq!(style_element_safe(&css), css);
        assert_eq!(
            style_element_safe("a{content:\"</style>\"}"),
            "a{content:\"<\\/style>\"}"
        );
    }

    #[test]
    fn stylesheets_that_would_end_the_style_element_are_found() {
        assert_eq!(ends_the_style_element("a{b:c}"), None);
        assert_eq!(ends_the_style_element("a{}</STYLE><p>"), Some("</style"));
        assert_eq!(ends_the_style_element("a{}<!--"), Some("<!--"));
    }
}
