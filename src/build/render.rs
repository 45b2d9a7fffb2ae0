//! Rendering one project (one brand) into a sink: its pages, each through
//! the publication gate as it is made, then what the pages make (reference
//! files, Cloudflare's own pages, the server configs, the manifest).

use super::SharedRuns;
use super::gate;
use super::job::{Job, JobOutput, Problems, Recall, Shared, render_job};
use super::memo::{self, RenderMemo};
use super::plan::plan_jobs;
use crate::config::DeveloperMode;
use crate::content::Page;
use crate::output::{Manifest, ManifestPage, OutputFile, Sink};
use crate::project::Project;
use crate::publish::Gate;
use crate::render::Renderer;
use crate::render::SsiMarkup;
use crate::servers::ServerInput;
use crate::servers::nginx::NginxSsi;
use crate::strings::Strings;
use anyhow::{Result, bail};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What a build reports besides its files.
pub struct Summary {
    pub manifest: Manifest,
    pub fallbacks: Vec<String>,
    /// The gate the files passed.
    pub gate: Gate,
}

/// Enough jobs per chunk that every core stays busy between the merges.
const JOBS_PER_CHUNK: usize = 512;

/// Renders every page of the project and the server configuration for
/// serving them from `out_dir`, passing each file through the publication
/// gate into `sink` as soon as it is made. Builds of several brands pass
/// one `shared` to all of them.
pub fn render_into(
    project: &Project,
    out_dir: &Path,
    sink: &dyn Sink,
    shared: &SharedRuns,
    memo: Option<&RenderMemo>,
) -> Result<Summary> {
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
    let locales: Vec<&str> = project.locales.iter().map(String::as_str).collect();
    let (jobs, fallbacks) = plan_jobs(project)?;
    // A fallback page keeps its own language, so strings follow the page.
    let strings: BTreeMap<&str, Strings> = jobs
        .iter()
        .map(|job| job.page.locale())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|locale| (locale, project.catalog.strings_for(locale, default_locale)))
        .collect();
    let gate = gate::publication_gate(project, &theme, &jobs, &strings, &ssi, shared)?;
    let cloudflare = crate::output::ServerSettings::from_config(config)
        .targets
        .contains(&crate::servers::Server::Cloudflare);
    // Cloudflare's own pages and the Worker's bundle both follow the
    // top-level pages and the statuses replaced at the edge.
    let at_edge: Option<(Vec<Cow<Page>>, Vec<u16>)> = if cloudflare {
        let top_level: Vec<Cow<Page>> = jobs
            .iter()
            .filter(|job| job.top_level)
            .map(|job| job.page.page())
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::msg)?;
        let built: Vec<u16> = top_level.iter().map(|page| page.code).collect();
        let replaced = crate::servers::replaced_statuses(&config.replace_statuses, &built)?;
        Some((top_level, replaced))
    } else {
        None
    };
    let keep_codes: BTreeSet<u16> = match &at_edge {
        Some((top_level, replaced)) => {
            let built: Vec<u16> = top_level.iter().map(|page| page.code).collect();
            crate::servers::cloudflare::worker_codes(replaced, &built)
                .into_iter()
                .collect()
        }
        None => BTreeSet::new(),
    };
    let recall = match memo {
        Some(memo) => Some(Recall {
            memo,
            render: memo::render_key(&theme, config, &project.site_view()?),
            pages: shared.page_keys(&project.catalog),
        }),
        None => None,
    };
    let shared = Shared {
        memo: recall,
        renderer: &renderer,
        ssi: &ssi,
        strings: &strings,
        theme: &theme.name,
        ssi_fragments: config.developer == DeveloperMode::Ssi,
        gate: &gate,
        sink,
        keep_codes: &keep_codes,
    };
    // Rendering and minifying is where the time goes, so jobs run on every
    // core and each file goes to the sink as it is made. Jobs go in
    // chunks, each merged in job order before the next starts, so what a
    // job leaves is held for one chunk, not for the whole build; the first
    // failure in job order is reported, so the message is the same on
    // every run whatever the threads did.
    let mut problems = Problems::default();
    let entries: usize = jobs.iter().map(Job::manifest_entries).sum();
    let mut pages = Vec::with_capacity(entries);
    let mut top_level = BTreeMap::new();
    let mut kept = BTreeMap::new();
    let mut other_files = Vec::new();
    for chunk in jobs.chunks(JOBS_PER_CHUNK) {
        let results: Vec<JobOutput> = chunk
            .par_iter()
            .map(|job| render_job(job, &shared))
            .collect::<Vec<Result<_>>>()
            .into_iter()
            .collect::<Result<_>>()?;
        for result in results {
            pages.extend(result.pages);
            other_files.extend(result.other_files);
            top_level.extend(result.top_level);
            kept.extend(result.kept);
            problems.extend(result.problems);
        }
    }
    debug_assert_eq!(
        pages.len(),
        entries,
        "Job::manifest_entries counts what a job makes"
    );
    for file in reference_files(project, &locales, &ssi) {
        other_files.push(file.path.clone());
        if cloudflare {
            kept.insert(file.path.clone(), file.bytes.clone());
        }
        problems.publish(&gate, sink, file)?;
    }
    let mut manifest = Manifest::new(
        &theme.name,
        config.developer.as_str(),
        default_locale,
        pages,
        crate::output::ServerSettings::from_config(config),
    );
    if let Some((top_level, replaced)) = &at_edge {
        let top_level: Vec<&Page> = top_level.iter().map(Cow::as_ref).collect();
        for (entry, file) in cloudflare_pages(project, &theme, &top_level, &strings, replaced)? {
            manifest.cloudflare_pages.push(entry);
            other_files.push(file.path.clone());
            kept.insert(file.path.clone(), file.bytes.clone());
            problems.publish(&gate, sink, file)?;
        }
    }
    let server_input = ServerInput {
        pages: top_level,
        manifest,
        pages_dir: out_dir.to_path_buf(),
        files: kept,
    };
    let server_files = crate::servers::all_files(&server_input)?;
    // The rest of the input (the bytes of the Worker's pages) goes now.
    let mut manifest = server_input.into_manifest();
    other_files.extend(server_files.iter().map(|f| f.path.clone()));
    other_files.sort();
    manifest.files = other_files;
    for file in server_files {
        problems.publish(&gate, sink, file)?;
    }
    problems.publish(&gate, sink, manifest.to_file())?;
    problems.into_result()?;
    Ok(Summary {
        manifest,
        fallbacks,
        gate,
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
    replaced: &[u16],
) -> Result<Vec<(ManifestPage, OutputFile)>> {
    let config = crate::config::Config {
        developer: DeveloperMode::Strip,
        ..project.config.clone()
    };
    let renderer = Renderer::new(theme, &config, project.site_view()?)?;
    crate::servers::cloudflare::hosted::render(&renderer, top_level, strings, replaced)
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
