//! `errorsmith build`: load -> render -> write.

mod gate;
mod inputs;
mod job;
mod memo;
mod paths;
mod plan;
mod render;

pub use gate::SharedRuns;
use job::{Job, Problems};
pub use memo::RenderMemo;
use plan::plan_jobs;
pub use render::{Summary, render_into};

use crate::output::{self, Collect, Manifest, Sink, Writer, Written};
use crate::project::{Project, ProjectOptions};
use crate::publish::Published;
use anyhow::Result;
use rayon::prelude::*;
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
    /// One per brand, in name order; one, unnamed, without `brands:`.
    pub brands: Vec<BrandReport>,
    /// How many files were written and how many kept from the previous
    /// output.
    pub written: Written,
    /// True when the inputs were those of the previous output, which still
    /// held what they make: nothing was rendered.
    pub reused: bool,
}

/// What a build produced for one brand.
#[derive(Debug, Clone)]
pub struct BrandReport {
    pub name: Option<String>,
    /// Where this brand's files are: the output, or its brand folder.
    pub out_dir: PathBuf,
    pub manifest: Manifest,
    /// `locale/code` of pages built from the default locale's content.
    pub fallbacks: Vec<String>,
    /// The user's files in `content/` that are not content.
    pub skipped: Vec<String>,
    /// The user's pages whose other locales keep the built-in text.
    pub stock_beside_overrides: Vec<crate::catalog::StockBesideOverride>,
}

/// Builds every brand into one staging folder, swapped in at once: a
/// failure in any brand leaves every brand's previous output as it was.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    output::install_signal_handler();
    let brands = Project::load_brands(&options.project)?;
    let out_dir = crate::project::under(&options.project.root, &options.out_dir);
    let write_dir = paths::folder_behind(&out_dir)?;
    for brand in &brands {
        paths::refuse_output_inside_inputs(&write_dir, &brand.project)?;
    }
    let absolute = paths::absolute(&write_dir);
    let key = inputs::key(&options.project, &absolute, &brands);
    let writer = match Writer::keep_or_open(&write_dir, key)? {
        output::Opened::Kept(written) => return kept_build(&brands, out_dir, written),
        output::Opened::New(writer) => *writer,
    };
    let mut reports = Vec::new();
    let mut gates = Vec::new();
    let shared_runs = SharedRuns::default();
    shared_runs.prepare(&brands);
    // Brands render side by side, so one brand's set-up (its gate, its
    // server files) overlaps another's pages; the first failure in brand
    // order is the one reported, whatever the threads did.
    let rendered: Vec<Result<Summary>> = brands
        .par_iter()
        .map(|brand| match &brand.name {
            None => render_into(&brand.project, &absolute, &writer, &shared_runs, None),
            Some(name) => {
                let sink = output::InFolder::new(&writer, name);
                render_into(
                    &brand.project,
                    &absolute.join(name),
                    &sink,
                    &shared_runs,
                    None,
                )
                .map_err(|e| anyhow::anyhow!("brand `{name}`: {e:#}"))
            }
        })
        .collect();
    for (brand, rendered) in brands.iter().zip(rendered) {
        let rendered = rendered?;
        let dir = brand_dir(&out_dir, &brand.name);
        gates.push(rendered.gate);
        reports.push(BrandReport {
            name: brand.name.clone(),
            out_dir: dir,
            manifest: rendered.manifest,
            fallbacks: rendered.fallbacks,
            skipped: brand.project.catalog.skipped.clone(),
            stock_beside_overrides: brand.project.stock_beside_overrides(),
        });
    }
    if brands.iter().any(|b| b.name.is_some()) {
        // The index of the brands is admitted by every brand's gate.
        let index = Manifest::index_of_brands(
            reports
                .iter()
                .filter_map(|r| Some((r.name.clone()?, &r.manifest))),
        )
        .to_file();
        let mut problems = Problems::default();
        let mut admitted = None;
        for gate in &gates {
            match gate.admit(index.clone()) {
                Ok(published) => admitted = Some(published),
                Err(problem) => problems.add(problem),
            }
        }
        problems.into_result()?;
        if let Some(published) = admitted {
            writer.put(published)?;
        }
    }
    let written = writer.finish()?;
    Ok(BuildReport {
        out_dir,
        brands: reports,
        written,
        reused: false,
    })
}

/// The report of a build whose previous output was made from the same
/// inputs and still holds it: read from that output's manifests, with the
/// notes that come from the inputs worked out again.
fn kept_build(
    brands: &[crate::project::Brand],
    out_dir: PathBuf,
    written: Written,
) -> Result<BuildReport> {
    let mut reports = Vec::new();
    for brand in brands {
        let dir = brand_dir(&out_dir, &brand.name);
        let (_, fallbacks) = plan_jobs(&brand.project)?;
        reports.push(BrandReport {
            name: brand.name.clone(),
            manifest: Manifest::read(&dir)?,
            out_dir: dir,
            fallbacks,
            skipped: brand.project.catalog.skipped.clone(),
            stock_beside_overrides: brand.project.stock_beside_overrides(),
        });
    }
    Ok(BuildReport {
        out_dir,
        brands: reports,
        written,
        reused: true,
    })
}

/// Every file of a build, in memory, admitted by the publication gate.
pub struct Rendered {
    pub files: Vec<Published>,
    pub manifest: Manifest,
    pub fallbacks: Vec<String>,
}

/// Renders every page of the project, and the server configuration for
/// serving them from `out_dir`, into memory; writes nothing.
pub fn render_project(project: &Project, out_dir: &Path) -> Result<Rendered> {
    render_project_sharing(project, out_dir, &SharedRuns::default(), None)
}

/// [`render_project`] for one of several renders of the same content
/// (`serve`'s themes), which pass one `shared`; with `memo`, the pages of
/// the previous render made from the same inputs are not rendered again.
pub fn render_project_sharing(
    project: &Project,
    out_dir: &Path,
    shared: &SharedRuns,
    memo: Option<&RenderMemo>,
) -> Result<Rendered> {
    let sink = Collect::default();
    let summary = render_into(project, out_dir, &sink, shared, memo)?;
    Ok(Rendered {
        files: sink.into_files(),
        manifest: summary.manifest,
        fallbacks: summary.fallbacks,
    })
}

/// Where a brand's files go: the output, or its brand folder.
fn brand_dir(out_dir: &Path, name: &Option<String>) -> PathBuf {
    match name {
        None => out_dir.to_path_buf(),
        Some(name) => out_dir.join(name),
    }
}
