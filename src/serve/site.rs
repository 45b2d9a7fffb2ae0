//! The preview's pages, in memory: every theme rendered by the same code
//! as `errorsmith build`, and the index and error pages around them.

use crate::build::{RenderMemo, SharedRuns, render_project_sharing};
use crate::formats::Format;
use crate::output::ManifestPage;
use crate::project::{Project, ProjectOptions};
use crate::publish::Published;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What one rebuild produced.
pub enum Site {
    /// The project itself did not load (config or content error).
    Broken(String),
    Ready(Preview),
}

pub struct Preview {
    /// Shared, so a rebuild of some themes keeps the others as they are.
    pub themes: Vec<Arc<ThemePreview>>,
    /// Inputs outside the watched folders (the logo), to watch as well.
    pub extra_inputs: Vec<PathBuf>,
}

pub struct ThemePreview {
    pub name: String,
    pub description: String,
    /// The build output by relative path, or why the theme did not render.
    pub files: Result<BTreeMap<String, Vec<u8>>, String>,
    /// The HTML pages under their locale folders, for the index.
    pub pages: Vec<IndexEntry>,
    /// The theme and every theme it extends, whose files it renders
    /// with; None when the theme did not resolve.
    pub lineage: Option<Vec<String>>,
    /// The pages this render made, for the next render of the theme.
    pub memo: RenderMemo,
}

pub struct IndexEntry {
    pub locale: String,
    pub code: u16,
    pub title: String,
    pub path: String,
}

/// Where `build` would write to by default; only the server configuration
/// in the output mentions it.
const NOMINAL_OUT_DIR: &str = "dist";

impl Site {
    /// Renders again after `previous`: the themes in `themes` (for edits
    /// of theme files, which no other theme reads, see
    /// [`Preview::affected_by`]) or all when None, keeping the other
    /// themes as they are. A rendered theme recalls the pages its previous
    /// render made from the same inputs.
    pub fn render_after(
        options: &ProjectOptions,
        previous: Option<&Preview>,
        themes: Option<&BTreeSet<String>>,
    ) -> Site {
        let before = |name: &str| previous.and_then(|p| p.theme(name));
        let keep = |name: &str| {
            before(name)
                .filter(|_| themes.is_some_and(|themes| !themes.contains(name)))
                .map(Arc::clone)
        };
        let memo = |name: &str| before(name).map(|theme| &theme.memo);
        match Project::load(options)
            .and_then(|project| Preview::render(&project, options, keep, memo))
        {
            Ok(preview) => Site::Ready(preview),
            Err(error) => Site::Broken(format!("{error:#}")),
        }
    }

    /// Every error of this rebuild, for the terminal.
    pub fn errors(&self) -> Vec<String> {
        match self {
            Site::Broken(message) => vec![message.clone()],
            Site::Ready(preview) => preview
                .themes
                .iter()
                .filter_map(|t| t.files.as_ref().err())
                .cloned()
                .collect(),
        }
    }
}

impl Preview {
    /// Renders the themes in parallel, each from its own load of the
    /// project, since a render reads the theme from the project's config;
    /// a theme `keep` gives is kept instead.
    fn render<'a>(
        project: &Project,
        options: &ProjectOptions,
        keep: impl Fn(&str) -> Option<Arc<ThemePreview>> + Sync,
        memo: impl Fn(&str) -> Option<&'a RenderMemo> + Sync,
    ) -> anyhow::Result<Preview> {
        let out_dir = std::path::absolute(crate::project::under(
            &options.root,
            Path::new(NOMINAL_OUT_DIR),
        ))?;
        let extra_inputs = project
            .config
            .site
            .logo
            .iter()
            .map(|logo| project.config.base_dir().join(logo))
            .collect();
        let list = project.themes.list()?;
        let shared = SharedRuns::default();
        // Made before the themes render side by side, which would each
        // make them at once.
        shared.prepare_for_memos(&project.catalog);
        let themes = std::thread::scope(|scope| {
            let workers: Vec<_> = list
                .into_iter()
                .map(|(name, description)| {
                    let (out_dir, keep, memo, shared) = (&out_dir, &keep, &memo, &shared);
                    let worker_name = name.clone();
                    let lineage = lineage(project, &name);
                    let worker = scope.spawn(move || {
                        keep(&worker_name).unwrap_or_else(|| {
                            Arc::new(ThemePreview::render(
                                &project.with_theme(&worker_name),
                                out_dir,
                                shared,
                                RenderMemo::after(memo(&worker_name)),
                                worker_name,
                                description,
                                lineage,
                            ))
                        })
                    });
                    (name, worker)
                })
                .collect();
            workers
                .into_iter()
                .map(|(name, worker)| {
                    worker.join().unwrap_or_else(|_| {
                        Arc::new(ThemePreview {
                            files: Err(format!(
                                "theme `{name}`: rendering crashed; see the terminal"
                            )),
                            name,
                            description: String::new(),
                            pages: Vec::new(),
                            lineage: None,
                            memo: RenderMemo::default(),
                        })
                    })
                })
                .collect()
        });
        Ok(Preview {
            themes,
            extra_inputs,
        })
    }

    /// `; 2,395 of 2,400 pages unchanged` for the themes this rebuild
    /// rendered (`only`, or all), which recalled those pages from their
    /// previous render; empty when it recalled none.
    pub fn unchanged_pages(&self, only: Option<&BTreeSet<String>>) -> String {
        let (pages, recalled) = self
            .themes
            .iter()
            .filter(|t| only.is_none_or(|only| only.contains(&t.name)))
            .map(|t| t.memo.counts())
            .fold((0, 0), |(p, r), (tp, tr)| (p + tp, r + tr));
        if recalled == 0 {
            return String::new();
        }
        format!("; {recalled} of {pages} pages unchanged")
    }

    pub fn theme(&self, name: &str) -> Option<&Arc<ThemePreview>> {
        self.themes.iter().find(|t| t.name == name)
    }

    /// The themes an edit of files in the folder of theme `edited` can
    /// change: those that render with its files, and any whose lineage
    /// is unknown. None when no theme has that name (a theme added).
    pub fn affected_by(&self, edited: &str) -> Option<BTreeSet<String>> {
        self.theme(edited)?;
        Some(
            self.themes
                .iter()
                .filter(|t| {
                    t.lineage
                        .as_ref()
                        .is_none_or(|lineage| lineage.iter().any(|n| n == edited))
                })
                .map(|t| t.name.clone())
                .collect(),
        )
    }
}

/// `name` and the themes it extends, nearest first; None if it does not
/// resolve (its render then says why).
fn lineage(project: &Project, name: &str) -> Option<Vec<String>> {
    let theme = project.themes.resolve(name).ok()?;
    let ancestors = theme.ancestors.into_iter().map(|(name, _)| name);
    Some(std::iter::once(theme.name).chain(ancestors).collect())
}

impl ThemePreview {
    fn render(
        project: &Project,
        out_dir: &Path,
        shared: &SharedRuns,
        memo: RenderMemo,
        name: String,
        description: String,
        lineage: Option<Vec<String>>,
    ) -> ThemePreview {
        let rendered = render_project_sharing(project, out_dir, shared, Some(&memo));
        let memo = memo.finished();
        let rendered =
            rendered.map(|rendered| (index_entries(project, &rendered.manifest.pages), rendered));
        match rendered {
            Ok((pages, rendered)) => ThemePreview {
                pages,
                files: Ok(rendered
                    .files
                    .into_iter()
                    .map(Published::into_parts)
                    .collect()),
                name,
                description,
                lineage,
                memo,
            },
            Err(error) => ThemePreview {
                files: Err(format!("theme `{name}`: {error:#}")),
                pages: Vec::new(),
                name,
                description,
                lineage: None,
                memo,
            },
        }
    }
}

/// The HTML pages in locale folders; the top-level copies of the default
/// locale are the same bytes.
fn index_entries(project: &Project, pages: &[ManifestPage]) -> Vec<IndexEntry> {
    pages
        .iter()
        .filter(|p| p.format == Format::Html && p.path.contains('/'))
        .map(|p| {
            let source = p.fallback_from.as_deref().unwrap_or(&p.locale);
            IndexEntry {
                locale: p.locale.clone(),
                code: p.code,
                title: project
                    .catalog
                    .page(source, p.code)
                    .map(|page| page.title().to_string())
                    .unwrap_or_default(),
                path: p.path.clone(),
            }
        })
        .collect()
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:70rem;margin:0 auto;padding:1rem}\
table{border-collapse:collapse}th{text-align:start;padding-inline-end:.75rem;font-weight:600}\
td a{display:inline-block;margin:0 .4rem .2rem 0}pre{white-space:pre-wrap;background:#fee;color:#600;padding:1rem;border-radius:.5rem}\
@media (prefers-color-scheme:dark){body{background:#121417;color:#e8eaed}a{color:#8ab4f8}pre{background:#3a1717;color:#fcc}}";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
<meta name=viewport content=\"width=device-width,initial-scale=1\">\
<meta name=color-scheme content=\"light dark\"><title>{}</title><style>{STYLE}</style></head>\
<body>{body}</body></html>",
        escape(title)
    )
}

/// Shown instead of any page while the project does not build.
pub fn error_page(message: &str) -> String {
    document(
        "errorsmith: build error",
        &format!(
            "<h1>The preview does not build</h1><pre>{}</pre>\
<p>Fix the file; this page reloads by itself.</p>",
            escape(message)
        ),
    )
}

pub fn not_found_page(path: &str) -> String {
    document(
        "errorsmith: not found",
        &format!(
            "<h1>Nothing at <code>{}</code></h1><p><a href=\"/\">All pages</a></p>",
            escape(path)
        ),
    )
}

/// Every code of every theme and locale, as links.
pub fn index_page(preview: &Preview) -> String {
    let mut body = String::from("<h1>errorsmith preview</h1><p>Themes:");
    for theme in &preview.themes {
        let _ = write!(body, " <a href=\"#theme-{0}\">{0}</a>", escape(&theme.name));
    }
    body.push_str("</p>");
    for theme in &preview.themes {
        let _ = write!(
            body,
            "<h2 id=\"theme-{0}\">{0}</h2><p>{1}</p>",
            escape(&theme.name),
            escape(&theme.description)
        );
        match &theme.files {
            Err(message) => {
                let _ = write!(body, "<pre>{}</pre>", escape(message));
            }
            Ok(_) => body.push_str(&locale_table(&theme.name, &theme.pages)),
        }
    }
    document("errorsmith preview", &body)
}

fn locale_table(theme: &str, pages: &[IndexEntry]) -> String {
    let mut by_locale: BTreeMap<&str, Vec<&IndexEntry>> = BTreeMap::new();
    for page in pages {
        by_locale.entry(&page.locale).or_default().push(page);
    }
    let mut table = String::from("<table>");
    for (locale, entries) in by_locale {
        let _ = write!(table, "<tr><th>{}</th><td>", escape(locale));
        for entry in entries {
            let _ = write!(
                table,
                "<a href=\"/{}/{}\" title=\"{}\">{}</a>",
                escape(theme),
                escape(&entry.path),
                escape(&entry.title),
                entry.code
            );
        }
        table.push_str("</td></tr>");
    }
    table.push_str("</table>");
    table
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_covers_text_and_both_quotes() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
