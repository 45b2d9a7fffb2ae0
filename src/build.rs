//! `errorsmith build`: load -> render -> write.

use crate::config::DeveloperMode;
use crate::content::Page;
use crate::formats::{self, Format};
use crate::output::{self, Manifest, ManifestPage, OutputFile};
use crate::project::{Project, ProjectOptions};
use crate::publish::{DeveloperRun, Gate, GateInput, Published};
use crate::render::Renderer;
use crate::render::SsiMarkup;
use crate::servers::nginx::NginxSsi;
use crate::servers::{Server, ServerInput};
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

/// The gate for this build: what the theme's source holds, what errorsmith's
/// SSI writer adds, and what of the content is the developer part.
fn publication_gate(
    project: &Project,
    theme: &crate::theme::Theme,
    jobs: &[Job],
    strings: &BTreeMap<&str, Strings>,
    ssi: &NginxSsi,
) -> Result<Gate> {
    let config = &project.config;
    let theme_sources: Vec<&str> = theme
        .files
        .values()
        .chain(theme.ancestors.iter().flat_map(|(_, files)| files.values()))
        .filter_map(|file| file.text().ok())
        .collect();
    let mut own_ssi = BTreeSet::new();
    if config.developer == DeveloperMode::Ssi {
        let markup = jobs
            .iter()
            .map(|job| ssi.developer_include(&format!("{}/", job.locale), job.page.code))
            .chain(
                strings
                    .values()
                    .flat_map(|s| ssi.request_fields(s))
                    .map(|field| field.value),
            );
        for text in markup {
            own_ssi.extend(crate::publish::ssi_directives(&text));
        }
    }
    if config.visitor_reference {
        let locales = jobs.iter().map(|job| job.locale).collect::<BTreeSet<_>>();
        let markup = locales
            .into_iter()
            .map(|locale| ssi.reference_include(&format!("{locale}/")))
            .chain(strings.values().map(|s| ssi.reference_fragment(s)));
        for text in markup {
            own_ssi.extend(crate::publish::ssi_directives(&text));
        }
    }
    let pages = project.catalog.pages.values();
    let developer_runs = pages
        .clone()
        .flat_map(|page| {
            page.developer.runs().iter().map(|text| DeveloperRun {
                text: text.clone(),
                origin: page.origin.clone(),
            })
        })
        .collect();
    let strings_text: Vec<String> = strings
        .values()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    let site = &config.site;
    let config_file = config
        .origin
        .as_ref()
        .map_or_else(|| "the defaults".to_string(), |p| p.display().to_string());
    let mut values: Vec<(String, String)> = [
        ("site.name", Some(&site.name)),
        ("site.home_url", Some(&site.home_url)),
        ("site.status_url", site.status_url.as_ref()),
        ("site.support_url", site.support_url.as_ref()),
        ("site.footer", site.footer.as_ref()),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some((format!("`{key}` in {config_file}"), value?.clone())))
    .collect();
    for (locale, words) in strings {
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(words) {
            for (key, value) in map {
                if let serde_json::Value::String(value) = value {
                    values.push((
                        format!("`{key}` in the `{locale}` strings (strings.yaml)"),
                        value,
                    ));
                }
            }
        }
    }
    let site_values: Vec<String> = values.iter().map(|(_, v)| v.clone()).collect();
    let mut public_text: Vec<&str> = theme_sources.clone();
    public_text.extend(site_values.iter().map(String::as_str));
    public_text.extend(strings_text.iter().map(String::as_str));
    for page in pages {
        public_text.extend([
            page.title.as_str(),
            page.summary.as_str(),
            page.visitor_html.as_str(),
            page.visitor_text.as_str(),
        ]);
        values.push((format!("`title` in {}", page.origin), page.title.clone()));
        values.push((
            format!("`summary` in {}", page.origin),
            page.summary.clone(),
        ));
        values.push((
            format!("`extra` in {}", page.origin),
            serde_json::to_string(&page.extra).unwrap_or_default(),
        ));
        values.push((
            format!("the text of {}", page.origin),
            page.visitor_html.clone(),
        ));
        if let Some(html) = page.developer.html() {
            values.push((
                format!("the developer part of {}", page.origin),
                html.to_string(),
            ));
        }
    }
    let page_sources = jobs
        .iter()
        .flat_map(|job| {
            let source = format!(
                "{}: page {} ({})",
                job.page.origin, job.page.code, job.locale
            );
            let mut paths = vec![format!("{}/{}.html", job.locale, job.page.code)];
            if job.top_level {
                paths.push(format!("{}.html", job.page.code));
                paths.push(crate::servers::cloudflare::hosted::rule_path(job.page.code));
            }
            paths.into_iter().map(move |path| (path, source.clone()))
        })
        .collect();
    Gate::new(GateInput {
        mode: config.developer,
        theme_sources,
        theme: &theme.name,
        own_ssi,
        developer_runs,
        public_text,
        values,
        page_sources,
        visitor_reference: config.visitor_reference,
    })
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
