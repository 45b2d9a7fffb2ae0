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

/// Codes x themes x locales, from the built-in content copied into every
/// locale and themes that extend the default with their own colors.
fn matrix(runs: usize) {
    const THEMES: usize = 10;
    const LOCALES: usize = 20;
    let root = tempfile::tempdir().unwrap();
    let project = root.path();
    write_matrix_project(project, LOCALES);
    let out = project.join("dist");
    let mut total = Duration::ZERO;
    let mut pages = 0;
    let mut bytes = Vec::new();
    for theme in 0..THEMES {
        let options = ProjectOptions {
            root: project.to_path_buf(),
            theme: Some(format!("brand{theme}")),
            ..ProjectOptions::default()
        };
        let (time, count) = median(runs, || {
            let report = build(&BuildOptions {
                project: options.clone(),
                out_dir: out.join(format!("brand{theme}")),
            })
            .unwrap();
            html_count(&report.manifest)
        });
        total += time;
        pages += count;
        if theme == 0 {
            bytes = std::fs::read_dir(out.join("brand0/de"))
                .unwrap()
                .map(|e| std::fs::read(e.unwrap().path()).unwrap())
                .collect();
        }
    }
    report(
        &format!("matrix: {THEMES} themes x {LOCALES} locales, full builds"),
        total,
        pages,
    );

    // The floor: writing as many files of the same sizes, nothing else.
    let floor_dir = project.join("floor");
    let files_per_theme = std::fs::read_dir(out.join("brand0/de")).unwrap().count();
    let (floor, _) = median(runs, || {
        let _ = std::fs::remove_dir_all(&floor_dir);
        for theme in 0..THEMES {
            for locale in 0..=LOCALES {
                let dir = floor_dir.join(format!("{theme}/{locale}"));
                std::fs::create_dir_all(&dir).unwrap();
                for (i, content) in bytes.iter().enumerate().take(files_per_theme) {
                    std::fs::write(dir.join(i.to_string()), content).unwrap();
                }
            }
        }
        0
    });
    println!(
        "matrix floor: writing {} files of the same sizes took {:.1} ms",
        THEMES * (LOCALES + 1) * files_per_theme,
        floor.as_secs_f64() * 1e3
    );
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
