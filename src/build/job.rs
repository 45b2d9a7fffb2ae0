//! One page in one locale: rendered, minified, admitted by the gate and
//! handed to the sink, with what the build needs to keep of it.

use super::memo::{self, PageKeys, Remembered, RenderMemo};
use crate::catalog::Entry;
use crate::formats::{self, Format};
use crate::output::{ManifestPage, OutputFile, Sink};
use crate::publish::{Gate, Published};
use crate::render::Renderer;
use crate::servers::nginx::NginxSsi;
use crate::strings::Strings;
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// One page in one locale to render.
pub(super) struct Job<'a> {
    pub(super) locale: &'a str,
    pub(super) page: &'a Entry,
    pub(super) fallback_from: Option<String>,
    /// Also written at the top of the output (the default locale).
    pub(super) top_level: bool,
}

/// What every job reads.
pub(super) struct Shared<'a> {
    pub(super) renderer: &'a Renderer,
    pub(super) ssi: &'a NginxSsi,
    pub(super) strings: &'a BTreeMap<&'a str, Strings>,
    pub(super) theme: &'a str,
    pub(super) ssi_fragments: bool,
    pub(super) gate: &'a Gate,
    pub(super) sink: &'a dyn Sink,
    /// Codes whose files a server file bundles (the Cloudflare Worker
    /// embeds the statuses it replaces, in every locale): those files are
    /// kept for it, and no others, so a build holds the bundle, not the
    /// whole output.
    pub(super) keep_codes: &'a BTreeSet<u16>,
    /// The previous render's pages, in `serve`.
    pub(super) memo: Option<Recall<'a>>,
}

/// What a render recalls pages from: the memo, the key of the render, and
/// the keys of the catalog's pages.
pub(super) struct Recall<'a> {
    pub(super) memo: &'a RenderMemo,
    pub(super) render: String,
    pub(super) pages: Arc<PageKeys>,
}

/// The formats each page is written in: HTML, JSON and text.
pub(super) const FILES_PER_PAGE: usize = 3;

impl Job<'_> {
    /// The manifest entries the job makes: each format, in its locale's
    /// folder and, for a top-level page, at the top too.
    pub(super) fn manifest_entries(&self) -> usize {
        FILES_PER_PAGE * if self.top_level { 2 } else { 1 }
    }
}

/// What a job leaves once its files are in the sink.
pub(super) struct JobOutput {
    pub(super) pages: Vec<ManifestPage>,
    /// Paths of the job's files that are not pages (developer fragments).
    pub(super) other_files: Vec<String>,
    /// The top-level HTML page, which server configs embed or name.
    pub(super) top_level: Option<(String, Vec<u8>)>,
    /// Every file of the job, when its code is in [`Shared::keep_codes`].
    pub(super) kept: Vec<(String, Vec<u8>)>,
    pub(super) problems: Problems,
}

/// The HTML, JSON and text files of one page, and their manifest entries:
/// rendered, or recalled from the previous render when made from the same
/// inputs; either way every file passes the gate.
pub(super) fn render_job(job: &Job, shared: &Shared) -> Result<JobOutput> {
    let strings = &shared.strings[job.page.locale()];
    let key = (shared.memo.as_ref()).and_then(|recall| {
        Some((
            recall,
            memo::job_key(&recall.render, job, &recall.pages, strings)?,
        ))
    });
    if let Some((recall, key)) = &key
        && let Some(remembered) = recall.memo.recall(key)
    {
        let (output, readmitted) = replay(&remembered, shared)?;
        if output.problems.0.is_empty() {
            // The files as this gate passed them, so the next render with
            // the same gate passes them without judging them again.
            let remembered = match readmitted {
                None => remembered,
                Some(files) => Arc::new(remembered_of(&output, files)),
            };
            recall.memo.remember(key.clone(), remembered);
        }
        return Ok(output);
    }
    let made = make_files(job, shared)?;
    let (output, admitted) = admit_files(job, shared, made)?;
    if let Some((recall, key)) = key
        && output.problems.0.is_empty()
    {
        recall
            .memo
            .remember(key, Arc::new(remembered_of(&output, admitted)));
    }
    Ok(output)
}

/// What the memo keeps of a job that passed the gate: its output and the
/// files as admitted.
fn remembered_of(output: &JobOutput, files: Vec<Published>) -> Remembered {
    Remembered {
        pages: output.pages.clone(),
        other_files: output.other_files.clone(),
        top_level: output.top_level.clone(),
        kept: output.kept.clone(),
        files,
    }
}

/// A recalled page's files, each through this render's gate; with the
/// files as admitted when the gate judged any of them again.
fn replay(remembered: &Remembered, shared: &Shared) -> Result<(JobOutput, Option<Vec<Published>>)> {
    let mut problems = Problems::default();
    let judged = !(remembered.files.iter()).all(|file| shared.gate.passes_as_it_is(file));
    let mut readmitted = Vec::new();
    for file in &remembered.files {
        match shared.gate.admit_again(file.clone()) {
            Ok(published) => {
                if judged {
                    readmitted.push(published.clone());
                }
                shared.sink.put(published)?;
            }
            Err(problem) => problems.add(problem),
        }
    }
    let output = JobOutput {
        pages: remembered.pages.clone(),
        other_files: remembered.other_files.clone(),
        top_level: remembered.top_level.clone(),
        kept: remembered.kept.clone(),
        problems,
    };
    Ok((output, judged.then_some(readmitted)))
}

/// One page's files before the gate, and what the build keeps of them.
struct Made {
    files: Vec<OutputFile>,
    pages: Vec<ManifestPage>,
    other_files: Vec<String>,
    top_level: Option<(String, Vec<u8>)>,
}

fn make_files(job: &Job, shared: &Shared) -> Result<Made> {
    // A page the catalog does not hold is parsed again here, and goes
    // with the job.
    let page = job.page.page().map_err(anyhow::Error::msg)?;
    let page = page.as_ref();
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
    let mut other_files = Vec::new();
    if shared.ssi_fragments && page.developer.html().is_some() {
        let fragment = shared
            .renderer
            .developer_fragment(page, strings, shared.ssi)?;
        let path = format!("{locale_dir}developer/{code}.html");
        other_files.push(path.clone());
        files.push(OutputFile {
            path,
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
    let top_level = job
        .top_level
        .then(|| (format!("{code}.html"), html.clone()));
    let outputs: [(Format, Vec<u8>); FILES_PER_PAGE] = [
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
    Ok(Made {
        files,
        pages,
        other_files,
        top_level,
    })
}

/// `made`'s files through the gate into the sink; with what was admitted,
/// when the render keeps a memo.
fn admit_files(job: &Job, shared: &Shared, made: Made) -> Result<(JobOutput, Vec<Published>)> {
    let mut problems = Problems::default();
    let mut kept = Vec::new();
    // The top-level copy of a page holds the bytes of its locale's: the
    // gate judges those bytes once.
    let mut admitted: Vec<Published> = Vec::new();
    let mut remembered = Vec::new();
    let keep = shared.keep_codes.contains(&job.page.code());
    for file in made.files {
        if keep {
            kept.push((file.path.clone(), file.bytes.clone()));
        }
        let verdict = match admitted.iter().find(|a| a.bytes() == file.bytes) {
            Some(same) => shared.gate.admit_same(same, file),
            None => shared.gate.admit(file),
        };
        match verdict {
            Ok(published) => {
                if job.top_level {
                    admitted.push(published.clone());
                }
                if shared.memo.is_some() {
                    remembered.push(published.clone());
                }
                shared.sink.put(published)?;
            }
            Err(problem) => problems.add(problem),
        }
    }
    let output = JobOutput {
        pages: made.pages,
        other_files: made.other_files,
        top_level: made.top_level,
        kept,
        problems,
    };
    Ok((output, remembered))
}

/// Violations the gate found, in the order of the files, each once (the
/// top-level copy of a page fails as its locale's does).
#[derive(Default)]
pub(super) struct Problems(Vec<String>);

impl Problems {
    /// Admits `file` into `sink`, or notes why not.
    pub(super) fn publish(&mut self, gate: &Gate, sink: &dyn Sink, file: OutputFile) -> Result<()> {
        match gate.admit(file) {
            Ok(published) => sink.put(published),
            Err(problem) => {
                self.add(problem);
                Ok(())
            }
        }
    }

    pub(super) fn add(&mut self, problem: String) {
        if !self.0.contains(&problem) {
            self.0.push(problem);
        }
    }

    pub(super) fn extend(&mut self, problems: Problems) {
        for problem in problems.0 {
            self.add(problem);
        }
    }

    pub(super) fn into_result(mut self) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.truncate(20);
        Err(crate::error_list("build's output", self.0))
    }
}
