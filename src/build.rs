//! `errorsmith build`: load -> render -> write.

use crate::config::DeveloperMode;
use crate::content::Page;
use crate::formats::{self, Format};
use crate::output::{self, Manifest, ManifestPage, OutputFile};
use crate::project::{Project, ProjectOptions};
use crate::publish::Published;
use crate::render::Renderer;
use crate::render::SsiMarkup;
use crate::servers::nginx::NginxSsi;
use crate::servers::{Server, ServerInput};
use crate::strings::Strings;
use anyhow::{Result, bail};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod gate;
use gate::publication_gate;

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
    /// The user's files in `content/` that are not content.
    pub skipped: Vec<String>,
    /// The user's pages whose other locales keep the built-in text.
    pub stock_beside_overrides: Vec<crate::catalog::StockBesideOverride>,
}

pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    output::install_signal_handler();
    let project = Project::load(&options.project)?;
    let out_dir = crate::project::under(&options.project.root, &options.out_dir);
    let write_dir = folder_behind(&out_dir)?;
    refuse_output_inside_inputs(&write_dir, &project)?;
    let rendered = render_project(&project, &absolute(&write_dir))?;
    output::replace_dir(&write_dir, &rendered.files)?;
    Ok(BuildReport {
        out_dir,
        manifest: rendered.manifest,
        fallbacks: rendered.fallbacks,
        skipped: project.catalog.skipped.clone(),
        stock_beside_overrides: project.stock_beside_overrides(),
    })
}

/// Every file of a build, in memory, admitted by the publication gate.
pub struct Rendered {
    pub files: Vec<Published>,
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
    // The default locale comes first, so its pages also land at the top level.
    let locales: Vec<&str> = project.locales.iter().map(String::as_str).collect();

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
    // Every result is kept and the first failure in job order reported, so
    // the message is the same on every run whatever the threads did.
    let results: Vec<(Vec<ManifestPage>, Vec<OutputFile>)> = jobs
        .par_iter()
        .map(|job| render_job(job, &shared))
        .collect::<Vec<Result<_>>>()
        .into_iter()
        .collect::<Result<_>>()?;
    let mut pages = Vec::new();
    let mut files = Vec::new();
    for (job_pages, job_files) in results {
        pages.extend(job_pages);
        files.extend(job_files);
    }
    files.extend(reference_files(project, &locales, &ssi));
    let mut manifest = Manifest::new(
        &theme.name,
        config.developer.as_str(),
        default_locale,
        pages,
        crate::output::ServerSettings::from_config(config),
    );
    if manifest.servers.targets.contains(&Server::Cloudflare) {
        let top_level: Vec<&Page> = jobs
            .iter()
            .filter(|j| j.top_level)
            .map(|j| j.page)
            .collect();
        for (entry, file) in cloudflare_pages(project, &theme, &top_level, &strings)? {
            manifest.cloudflare_pages.push(entry);
            files.push(file);
        }
    }
    let server_input = ServerInput {
        pages: files
            .iter()
            .filter(|f| is_top_level_page(&f.path))
            .map(|f| (f.path.clone(), f.bytes.clone()))
            .collect(),
        manifest: manifest.clone(),
        pages_dir: out_dir.to_path_buf(),
        files: if manifest.servers.targets.contains(&Server::Cloudflare) {
            files
                .iter()
                .map(|f| (f.path.clone(), f.bytes.clone()))
                .collect()
        } else {
            BTreeMap::new()
        },
    };
    files.extend(crate::servers::all_files(&server_input)?);
    let page_paths: BTreeSet<&str> = manifest.pages.iter().map(|p| p.path.as_str()).collect();
    let other_files = files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|path| !page_paths.contains(path))
        .map(str::to_string)
        .collect();
    manifest.files = other_files;
    manifest.files.sort();
    files.push(manifest.to_file());
    let gate = publication_gate(project, &theme, &jobs, &strings, &ssi)?;
    Ok(Rendered {
        files: gate.admit_all(files)?,
        manifest,
        fallbacks,
    })
}

/// The pages Cloudflare serves itself (hosted pages, Custom Error Rule
/// bodies), rendered as a `strip` build renders them: Cloudflare sends them
/// to everyone, so the developer part is never in them.
fn cloudflare_pages(
    project: &Project,
    theme: &crate::theme::Theme,
    top_level: &[&Page],
    strings: &BTreeMap<&str, Strings>,
) -> Result<Vec<(ManifestPage, OutputFile)>> {
    let config = crate::config::Config {
        developer: DeveloperMode::Strip,
        ..project.config.clone()
    };
    let renderer = Renderer::new(theme, &config, project.site_view()?)?;
    let built: Vec<u16> = top_level.iter().map(|p| p.code).collect();
    let replaced = crate::servers::replaced_statuses(&config.replace_statuses, &built)?;
    crate::servers::cloudflare::hosted::render(&renderer, top_level, strings, &replaced)
}

/// `<locale>/reference.html` for every locale when `visitor_reference` is
/// on: the label in that locale's words and the server's echo of the
/// request id, included by the page.
fn reference_files(project: &Project, locales: &[&str], ssi: &NginxSsi) -> Vec<OutputFile> {
    let config = &project.config;
    if !config.visitor_reference {
        return Vec::new();
    }
    locales
        .iter()
        .map(|locale| {
            let strings = project.catalog.strings_for(locale, &config.default_locale);
            OutputFile {
                path: format!("{locale}/{}", crate::servers::nginx::REFERENCE_FILE),
                bytes: ssi.reference_fragment(&strings).into_bytes(),
            }
        })
        .collect()
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
    let theme = shared.renderer.theme();
    let rendered = shared
        .renderer
        .page(page, strings, &locale_dir, shared.ssi)?;
    let html = crate::minify::page(&rendered)
        .map_err(|e| anyhow::anyhow!("{}: page {code} with theme `{theme}`: {e}", page.origin))?;
    let mut files = Vec::new();
    if shared.ssi_fragments && page.developer.html().is_some() {
        let fragment = shared
            .renderer
            .developer_fragment(page, strings, shared.ssi)?;
        files.push(OutputFile {
            path: format!("{locale_dir}developer/{code}.html"),
            bytes: crate::minify::page(&fragment).map_err(|e| {
                anyhow::anyhow!(
                    "{}: developer part of {code} with theme `{theme}`: {e}",
                    page.origin
                )
            })?,
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

/// A build replaces its whole output folder, so the folder may not be,
/// hold or sit inside anything the build reads: it would delete the user's
/// files or feed the output back in as input.
fn refuse_output_inside_inputs(out_dir: &Path, project: &Project) -> Result<()> {
    let out = absolute(out_dir);
    let config = &project.config;
    let logo = config.site.logo.as_ref().map(|l| config.base_dir().join(l));
    let inputs = [
        ("config file", config.origin.clone()),
        ("logo", logo),
        ("content directory", project.content_dir.clone()),
        ("themes directory", project.themes_dir.clone()),
    ];
    for (what, path) in inputs {
        let Some(path) = path else {
            continue;
        };
        let input = absolute(&path);
        let relation = if input == out {
            "is"
        } else if input.starts_with(&out) {
            "holds"
        } else if out.starts_with(&input) {
            "is inside"
        } else {
            continue;
        };
        bail!(
            "the output directory `{}` {relation} the {what} `{}`; a build replaces its whole output directory, so choose an --out that holds none of your inputs, such as `dist`",
            out_dir.display(),
            path.display()
        );
    }
    Ok(())
}

/// `path` made absolute with symbolic links resolved, also when it does not
/// exist yet (its nearest existing ancestor is resolved).
/// The folder a build replaces for `--out path`: `dist/.` is `dist`, and a
/// symbolic link (`public -> www/errors`, as deploys often use) is followed,
/// so the link stays and the folder it names gets the new build.
fn folder_behind(path: &Path) -> Result<PathBuf> {
    let plain: PathBuf = path.components().collect();
    let plain = if plain.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        plain
    };
    match std::fs::symlink_metadata(&plain) {
        Ok(meta) if meta.file_type().is_symlink() => match plain.canonicalize() {
            Ok(real) => Ok(real),
            Err(_) => bail!(
                "--out `{}` is a symbolic link to `{}`, which does not exist; create that folder or pass another --out",
                plain.display(),
                std::fs::read_link(&plain).unwrap_or_default().display()
            ),
        },
        _ => Ok(plain),
    }
}

fn absolute(path: &Path) -> PathBuf {
    let Ok(path) = std::path::absolute(path) else {
        return path.to_path_buf();
    };
    let mut missing = Vec::new();
    let mut existing = path.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return missing.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return path,
        }
    }
}
