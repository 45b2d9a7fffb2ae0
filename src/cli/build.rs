//! `errorsmith build`: `--strict` runs the checks first, the build runs
//! under a progress line on a terminal, and the summary honours `-q`/`-v`.

use super::progress::Progress;
use anyhow::{Result, bail};
use errorsmith::build::BrandReport;
use errorsmith::formats::Format;
use errorsmith::project::ProjectOptions;
use errorsmith::{BuildOptions, BuildReport};
use std::path::PathBuf;

pub struct BuildCommand {
    pub project: ProjectOptions,
    pub out_dir: PathBuf,
    pub strict: bool,
    pub quiet: bool,
    pub verbose: bool,
}

pub fn build(command: &BuildCommand) -> Result<()> {
    let progress = Progress::start("building", !command.quiet);
    if command.strict {
        // Before the build, so a failure leaves the previous output as it is.
        let report = errorsmith::check::check(&command.project);
        if !report.findings.is_empty() {
            drop(progress);
            eprint!("{}", report.to_text());
            bail!(
                "--strict: `errorsmith check` reports {}; nothing was written to {}",
                report.summary_line(),
                command.out_dir.display()
            );
        }
    }
    let report = errorsmith::build(&BuildOptions {
        project: command.project.clone(),
        out_dir: command.out_dir.clone(),
    });
    drop(progress);
    let report = report?;
    if command.verbose {
        list_files(&report);
    }
    if !command.quiet {
        print_summary(&report);
    }
    Ok(())
}

fn print_summary(report: &BuildReport) {
    for brand in &report.brands {
        print_brand_summary(brand);
    }
    if report.reused {
        eprintln!(
            "note: the inputs are those of the last build into {}, which still holds its output; kept it without rendering again",
            report.out_dir.display()
        );
    }
    if report.brands.len() > 1 {
        eprintln!(
            "built {} brands into {}",
            report.brands.len(),
            report.out_dir.display()
        );
    }
}

fn print_brand_summary(report: &BrandReport) {
    let pages: Vec<_> = report
        .manifest
        .pages
        .iter()
        .filter(|p| p.format == Format::Html)
        .collect();
    let largest = pages.iter().map(|p| p.bytes).max().unwrap_or(0);
    let brand = report
        .name
        .as_ref()
        .map(|name| format!("brand {name}, "))
        .unwrap_or_default();
    eprintln!(
        "built {} HTML pages, with JSON and text versions ({brand}theme {}, developer part {}, largest {} bytes) into {}",
        pages.len(),
        report.manifest.theme,
        report.manifest.developer,
        largest,
        report.out_dir.display()
    );
    for misfit in errorsmith::servers::limits::misfits(&report.manifest) {
        eprintln!("warning: {}", misfit.message);
    }
    if !report.fallbacks.is_empty() {
        eprintln!(
            "note: {} pages have no translation and use the default locale's content: {}",
            report.fallbacks.len(),
            report.fallbacks.join(", ")
        );
    }
    if !report.stock_beside_overrides.is_empty() {
        let codes: Vec<String> = report
            .stock_beside_overrides
            .iter()
            .map(|s| s.code.to_string())
            .collect();
        let mut locales: Vec<&str> = report
            .stock_beside_overrides
            .iter()
            .flat_map(|s| s.locales.iter().map(String::as_str))
            .collect();
        locales.sort_unstable();
        locales.dedup();
        eprintln!(
            "note: your own {} page(s) {} stand beside errorsmith's built-in text for the same code(s) in {}; translate them or limit `locales:` (`errorsmith check` lists each)",
            report.manifest.default_locale,
            codes.join(", "),
            locales.join(", ")
        );
    }
    if !report.skipped.is_empty() {
        eprintln!(
            "note: skipped {} file(s) in the content folder that are not pages (pages are named <code>.md): {}",
            report.skipped.len(),
            report.skipped.join(", ")
        );
    }
}

/// Every file in the output directory, which holds exactly what the build
/// wrote, sorted, with its size.
fn list_files(report: &BuildReport) {
    let walk = walkdir::WalkDir::new(&report.out_dir).sort_by_file_name();
    for entry in walk.into_iter().filter_map(|entry| entry.ok()) {
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
        eprintln!("wrote {} ({bytes} bytes)", entry.path().display());
    }
}
