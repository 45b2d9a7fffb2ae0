//! Build benchmarks: `cargo bench`.
//!
//! * `builtin`: every built-in page (all locales) rendered in memory, and a
//!   full build to disk.
//! * `matrix`: a synthetic project of many codes x themes x locales, built
//!   to disk, against the floor of writing the same files without rendering.
//!
//! Prints median times over several runs, pages per second and peak memory.
//! `cargo bench -- builtin` runs one group; ERRORSMITH_BENCH_RUNS sets runs.

use errorsmith::build::{BuildOptions, build, render_project};
use errorsmith::formats::Format;
use errorsmith::output::replace_dir;
use errorsmith::project::{Project, ProjectOptions};
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runs: usize = std::env::var("ERRORSMITH_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    if wanted("builtin") {
        builtin(runs);
    }
    if wanted("matrix") {
        matrix(runs.min(3));
    }
    println!("peak memory (VmHWM): {} MiB", peak_memory_kib() / 1024);
}

fn builtin(runs: usize) {
    let empty = tempfile::tempdir().unwrap();
    let options = ProjectOptions {
        root: empty.path().to_path_buf(),
        ..ProjectOptions::default()
    };
    let out = empty.path().join("dist");
    let (render, pages) = median(runs, || {
        let project = Project::load(&options).unwrap();
        let rendered = render_project(&project, &out).unwrap();
        html_count(&rendered.manifest)
    });
    report("builtin: load + render in memory", render, pages);
    let (full, pages) = median(runs, || {
        let report = build(&BuildOptions {
            project: options.clone(),
            out_dir: out.clone(),
        })
        .unwrap();
        html_count(&report.manifest)
    });
    report("builtin: full build to disk", full, pages);
}

/// Codes x themes x locales, from the built-in content copied into extra
/// locales and themes that extend the default. Each theme is timed in two
/// phases: load + render in memory, and writing the files with the same
/// staged, atomic writer `build` uses. The write phase alone is the floor:
/// the time to put that many files of those sizes on this disk.
fn matrix(runs: usize) {
    const THEMES: usize = 10;
    const EXTRA_LOCALES: usize = 20;
    let root = tempfile::tempdir().unwrap();
    let project = root.path();
    write_matrix_project(project, EXTRA_LOCALES);
    let out = project.join("dist");
    let (mut render_total, mut write_total) = (Duration::ZERO, Duration::ZERO);
    let (mut pages, mut files, mut bytes) = (0, 0, 0);
    for theme in 0..THEMES {
        let options = ProjectOptions {
            root: project.to_path_buf(),
            theme: Some(format!("brand{theme}")),
            ..ProjectOptions::default()
        };
        let target = out.join(format!("brand{theme}"));
        let mut rendered = None;
        let (render, count) = median(runs, || {
            let project = Project::load(&options).unwrap();
            let result = render_project(&project, &target).unwrap();
            let count = html_count(&result.manifest);
            rendered = Some(result);
            count
        });
        let rendered = rendered.unwrap();
        let (write, _) = median(runs, || {
            replace_dir(&target, &rendered.files).unwrap();
            0
        });
        render_total += render;
        write_total += write;
        pages += count;
        files += rendered.files.len();
        bytes += rendered.files.iter().map(|f| f.bytes.len()).sum::<usize>();
    }
    println!(
        "matrix: {THEMES} themes x {} locales x 40 codes = {pages} HTML pages ({files} files, {:.1} MiB with JSON, text and server configs)",
        EXTRA_LOCALES + 12,
        bytes as f64 / 1048576.0
    );
    report("matrix: load + render in memory", render_total, pages);
    report("matrix: write only (the floor)", write_total, pages);
    report("matrix: total", render_total + write_total, pages);
}

fn write_matrix_project(project: &Path, locales: usize) {
    let builtin = Project::load(&ProjectOptions {
        root: project.to_path_buf(),
        ..ProjectOptions::default()
    })
    .unwrap();
    let english: Vec<_> = builtin
        .catalog
        .pages
        .values()
        .filter(|p| p.locale == "en")
        .collect();
    let content = project.join("content");
    for n in 0..locales {
        let tag = locale_tag(n);
        let dir = content.join(&tag);
        std::fs::create_dir_all(&dir).unwrap();
        for page in &english {
            let text = format!(
                "---\ntitle: {} ({tag})\nsummary: {}\n---\n{}\n\n## Troubleshooting {{.developer}}\n\n- Check the logs for {tag}.\n",
                page.title, page.summary, page.visitor_text
            );
            std::fs::write(dir.join(format!("{}.md", page.code)), text).unwrap();
        }
    }
    for theme in 0..10 {
        let dir = project.join(format!("themes/brand{theme}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("theme.yaml"),
            "description: bench\nextends: default\n",
        )
        .unwrap();
    }
    std::fs::write(
        project.join("errorsmith.yaml"),
        "colors:\n  accent: \"#225522\"\n",
    )
    .unwrap();
}

/// Distinct valid tags that no built-in locale uses.
fn locale_tag(n: usize) -> String {
    let a = (b'a' + (n / 26) as u8) as char;
    let b = (b'a' + (n % 26) as u8) as char;
    format!("q{a}{b}")
}

fn html_count(manifest: &errorsmith::output::Manifest) -> usize {
    manifest
        .pages
        .iter()
        .filter(|p| p.format == Format::Html)
        .count()
}

fn median(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut count = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        count = f();
        times.push(start.elapsed());
    }
    times.sort();
    (times[times.len() / 2], count)
}

fn report(name: &str, time: Duration, pages: usize) {
    println!(
        "{name}: {pages} HTML pages in {:.1} ms (median), {:.0} pages/s",
        time.as_secs_f64() * 1e3,
        pages as f64 / time.as_secs_f64()
    );
}

fn peak_memory_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
