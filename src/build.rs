//! `errorsmith build`: load -> render -> write.

use crate::config::DeveloperMode;
use crate::content::Page;
use crate::formats::{self, Format};
use crate::output::{self, Manifest, ManifestPage, OutputFile};
use crate::project::{Project, ProjectOptions};
use crate::render::Renderer;
use crate::servers::ServerInput;
use crate::servers::nginx::NginxSsi;
use crate::strings::Strings;
use anyhow::{Result, bail};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub project: ProjectOptions,
    pub out_dir: PathBuf,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub out_dir: PathBuf,
    pub manifest: Manifest,
    /// `locale/code` of pages built from the default locale's content.
    pub fallbacks: Vec<String>,
}

pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let project = Project::load(&options.project)?;
    let out_dir = crate::project::under(&options.project.root, &options.out_dir);
    refuse_output_inside_inputs(&out_dir, &project)?;
    let rendered = render_project(&project, &absolute(&out_dir))?;
    output::replace_dir(&out_dir, &rendered.files)?;
    Ok(BuildReport {
        out_dir,
        manifest: rendered.manifest,
        fallbacks: rendered.fallbacks,
    })
}

/// Every file of a build, in memory.
pub struct Rendered {
    pub files: Vec<OutputFile>,
    pub manifest: Manifest,
    pub fallbacks: Vec<String>,
}

/// Renders every page of the project, and the server configuration for
/// serving them from `out_dir`; writes nothing.
pub fn render_project(project: &Project, out_dir: &Path) -> Result<Rendered> {
    let config = &project.config;
    let theme = project.theme()?;
    let renderer = Renderer::new(&theme, config, project.site_view()?)?;
    if config.developer == DeveloperMode::Ssi && !renderer.has_developer_template() {
        bail!(
            "theme `{}` has no `{}` template, which --developer ssi needs; add one or extend the default theme",
            theme.name,
            crate::render::DEVELOPER_TEMPLATE
        );
    }
    let ssi = NginxSsi {
        url_prefix: config.url_prefix.clone(),
    };
    let default_locale = config.default_locale.as_str();
    let codes = codes_to_build(project)?;
    let mut locales: Vec<&str> = project.catalog.locales();
    // The default locale first, so its pages also land at the top level.
    locales.retain(|l| *l != default_locale);
    locales.insert(0, default_locale);

    // Deciding what to render is cheap and sequential; rendering and
    // minifying is where the time goes, so that runs on every core. The
    // results are collected in job order, which keeps output stable.
    let mut jobs = Vec::new();
    let mut fallbacks = Vec::new();
    for locale in &locales {
        for &code in &codes {
            let (page, fallback_from) = match project.catalog.page(locale, code) {
                Some(page) => (page, None),
                None => {
                    let Some(page) = project
                        .catalog
                        .page(default_locale, code)
                        .or_else(|| project.catalog.page(crate::catalog::BUILTIN_LOCALE, code))
                    else {
                        continue;
                    };
                    fallbacks.push(format!("{locale}/{code}"));
                    (page, Some(page.locale.clone()))
                }
            };
            jobs.push(Job {
                locale,
                page,
                fallback_from,
                top_level: *locale == default_locale,
            });
        }
    }
    // A fallback page keeps its own language, so strings follow the page.
    let strings: BTreeMap<&str, Strings> = jobs
        .iter()
        .map(|job| job.page.locale.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|locale| (locale, project.catalog.strings_for(locale, default_locale)))
        .collect();
    let shared = Shared {
        renderer: &renderer,
        ssi: &ssi,
        strings: &strings,
        theme: &theme.name,
        ssi_fragments: config.developer == DeveloperMode::Ssi,
    };
    let results: Vec<(Vec<ManifestPage>, Vec<OutputFile>)> = jobs
        .par_iter()
        .map(|job| render_job(job, &shared))
        .collect::<Result<_>>()?;
    let mut pages = Vec::new();
    let mut files = Vec::new();
    for (job_pages, job_files) in results {
        pages.extend(job_pages);
        files.extend(job_files);
    }
    let manifest = Manifest::new(
        &theme.name,
        config.developer.as_str(),
        default_locale,
        pages,
    );
    files.push(manifest.to_file());
    let server_input = ServerInput {
        pages: files
            .iter()
            .filter(|f| is_top_level_page(&f.path))
            .map(|f| (f.path.clone(), f.bytes.clone()))
            .collect(),
        manifest: manifest.clone(),
        pages_dir: out_dir.to_path_buf(),
        url_prefix: config.url_prefix.clone(),
        trusted_networks: config.trusted_networks.clone(),
    };
    files.extend(crate::servers::all_files(&server_input)?);
    Ok(Rendered {
        files,
        manifest,
        fallbacks,
    })
}

/// One page in one locale to render.
struct Job<'a> {
    locale: &'a str,
    page: &'a Page,
    fallback_from: Option<String>,
    /// Also written at the top of the output (the default locale).
    top_level: bool,
}

/// What every job reads.
struct Shared<'a> {
    renderer: &'a Renderer,
    ssi: &'a NginxSsi,
    strings: &'a BTreeMap<&'a str, Strings>,
    theme: &'a str,
    ssi_fragments: bool,
}

/// The HTML, JSON and text files of one page, and their manifest entries.
fn render_job(job: &Job, shared: &Shared) -> Result<(Vec<ManifestPage>, Vec<OutputFile>)> {
    let page = job.page;
    let code = page.code;
    let strings = &shared.strings[page.locale.as_str()];
    // Fragments live only under the locale's folder, so the top-level copy
    // of a default-locale page is the same bytes.
    let locale_dir = format!("{}/", job.locale);
    let html = crate::minify::page(&shared.renderer.page(
        page,
        strings,
        &locale_dir,
        shared.ssi,
    )?);
    let mut files = Vec::new();
    if shared.ssi_fragments && page.developer.html().is_some() {
        let fragment = shared
            .renderer
            .developer_fragment(page, strings, shared.ssi)?;
        files.push(OutputFile {
            path: format!("{locale_dir}developer/{code}.html"),
            bytes: crate::minify::page(&fragment),
        });
    }
    let dirs: &[&str] = if job.top_level {
        &["", &locale_dir]
    } else {
        &[&locale_dir]
    };
    let outputs = [
        (Format::Html, html),
        (Format::Json, formats::problem_json(page)),
        (Format::Text, formats::plain_text(page)),
    ];
    let mut pages = Vec::new();
    for dir in dirs {
        for (format, bytes) in &outputs {
            let path = format!("{dir}{code}.{}", format.extension());
            pages.push(ManifestPage {
                code,
                locale: job.locale.to_string(),
                format: *format,
                theme: shared.theme.to_string(),
                path: path.clone(),
                bytes: bytes.len(),
                retry_after: page.retry_after,
                fallback_from: job.fallback_from.clone(),
            });
            files.push(OutputFile {
                path,
                bytes: bytes.clone(),
            });
        }
    }
    Ok((pages, files))
}

/// `404.html`: a default-locale page at the top of the output.
fn is_top_level_page(path: &str) -> bool {
    !path.contains('/') && path.ends_with(".html")
}

fn codes_to_build(project: &Project) -> Result<Vec<u16>> {
    let config = &project.config;
    let available = project.catalog.codes(&config.default_locale);
    let available = if available.is_empty() {
        project.catalog.codes(crate::catalog::BUILTIN_LOCALE)
    } else {
        available
    };
    if config.codes.is_empty() {
        return Ok(available);
    }
    let mut codes = config.codes.clone();
    codes.sort_unstable();
    codes.dedup();
    for code in &codes {
        if project
            .catalog
            .page(&config.default_locale, *code)
            .is_none()
            && project
                .catalog
                .page(crate::catalog::BUILTIN_LOCALE, *code)
                .is_none()
        {
            let origin = config
                .origin
                .as_ref()
                .map(|p| format!("{}: ", p.display()))
                .unwrap_or_default();
            bail!(
                "{origin}`codes` lists {code}, but there is no content for it; add content/{code}.md or remove it from `codes`"
            );
        }
    }
    Ok(codes)
}

/// Writing into the content or themes folder would feed the output back in
/// as input on the next build.
fn refuse_output_inside_inputs(out_dir: &Path, project: &Project) -> Result<()> {
    let out = absolute(out_dir);
    for (what, dir) in [
        ("content", &project.content_dir),
        ("themes", &project.themes_dir),
    ] {
        if let Some(dir) = dir {
            let dir = absolute(dir);
            if out.starts_with(&dir) || dir.starts_with(&out) {
                bail!(
                    "the output directory `{}` overlaps the {what} directory `{}`; choose an --out outside it",
                    out_dir.display(),
                    dir.display()
                );
            }
        }
    }
    Ok(())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path)
        .map(|p| p.canonicalize().unwrap_or(p))
        .unwrap_or_else(|_| path.to_path_buf())
}
