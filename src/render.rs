//! Pages x theme -> HTML. Templates are compiled once per theme; rendering
//! never touches the file system.

use crate::config::{Config, DeveloperMode};
use crate::content::{Fault, Page};
use crate::palette::Palette;
use crate::strings::Strings;
use crate::theme::{PAGE_TEMPLATE, Theme};
use anyhow::{Result, anyhow};
use serde::Serialize;
use std::collections::HashMap;
use tera::{Context, Tera};

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

#[derive(Serialize)]
struct PageView<'a> {
    lang: &'a str,
    dir: &'static str,
    page: &'a Page,
    site: &'a SiteView,
    strings: &'a Strings,
    fault_note: &'a str,
    developer: DeveloperView<'a>,
    colors: &'a Palette,
    css: &'a str,
    theme: &'a str,
}

/// How the SSI developer part is wired, supplied by the nginx writer.
pub trait SsiMarkup {
    /// Markup put in the page in place of the developer part.
    fn developer_include(&self, locale_dir: &str, code: u16) -> String;
    /// Request details echoed by the server inside the fragment.
    fn request_fields(&self, strings: &Strings) -> Vec<RequestField>;
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
        };
        if renderer.tera.contains_template(STYLE_TEMPLATE) {
            let mut context = Context::new();
            context.insert("colors", &renderer.palette);
            context.insert("site", &renderer.site);
            let css = renderer.render_template(STYLE_TEMPLATE, &context)?;
            renderer.css = crate::minify::stylesheet(&css);
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
        let developer = self.developer_view(page, strings, locale_dir, ssi, false);
        let context = self.context(page, strings, developer)?;
        self.render_template(PAGE_TEMPLATE, &context)
    }

    /// The developer part on its own, for nginx to include (SSI mode).
    pub fn developer_fragment(
        &self,
        page: &Page,
        strings: &Strings,
        ssi: &dyn SsiMarkup,
    ) -> Result<String> {
        let developer = self.developer_view(page, strings, "", ssi, true);
        let context = self.context(page, strings, developer)?;
        self.render_template(DEVELOPER_TEMPLATE, &context)
    }

    fn developer_view<'a>(
        &self,
        page: &'a Page,
        strings: &Strings,
        locale_dir: &str,
        ssi: &dyn SsiMarkup,
        fragment: bool,
    ) -> DeveloperView<'a> {
        let mode = self.mode;
        let html = if mode == DeveloperMode::Strip {
            ""
        } else {
            page.developer_html.as_str()
        };
        DeveloperView {
            mode: mode.as_str(),
            html,
            include: if mode == DeveloperMode::Ssi && !fragment {
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

    fn context(&self, page: &Page, strings: &Strings, developer: DeveloperView) -> Result<Context> {
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
            page,
            site: &self.site,
            strings: &strings,
            fault_note,
            developer,
            colors: &self.palette,
            css: &self.css,
            theme: &self.theme,
        };
        Context::from_serialize(&view)
            .map_err(|e| anyhow!("cannot prepare page {}: {e}", page.code))
    }

    fn render_template(&self, name: &str, context: &Context) -> Result<String> {
        self.tera
            .render(name, context)
            .map_err(|e| template_error(&e, &self.origins, &self.theme))
    }
}

fn is_template(name: &str) -> bool {
    [".html", ".css", ".txt", ".json", ".svg"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// `file:line: message` for a Tera error, with the template's real path.
fn template_error(
    error: &tera::Error,
    origins: &HashMap<String, String>,
    theme: &str,
) -> anyhow::Error {
    use tera::ErrorKind;
    let origin = |name: &str| {
        origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    };
    let mut message = match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => format!(
            "{}:{}: {}",
            origin(report.filename()),
            report.span().start_line,
            report.message()
        ),
        _ => format!("theme `{theme}`: {error}"),
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    anyhow!(message)
}
