//! How soon a browser reloads after a saved edit in `errorsmith serve`:
//! the real binary on a temporary brand project, a reload poll waiting as
//! the preview's script does, `content/404.md` edited, and the time to
//! the poll's answer, split into noticing the change and rebuilding.
//!
//! `cargo bench --profile dev --bench serve_reload` (the dev profile is
//! optimized, opt-level 1; a release build takes minutes). `-- events`,
//! `-- poll` or `-- theme` (file events, edits of a brand theme's partial,
//! which re-render that theme only) runs one case; ERRORSMITH_BENCH_EDITS
//! sets the edits (20).

#[path = "../tests/common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "../tests/serve/preview.rs"]
mod preview;
#[path = "../tests/serve/timing.rs"]
mod timing;

use std::time::Duration;

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let edits: usize = std::env::var("ERRORSMITH_BENCH_EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    for (mode, args, file) in [
        ("events", &[][..], "content/404.md"),
        ("poll", &["--poll"][..], "content/404.md"),
        ("theme", &[][..], "themes/brand/partials/brand.html"),
    ] {
        if !wanted(mode) {
            continue;
        }
        let project = preview::project();
        let preview = preview::Preview::start_with(project.path(), args);
        let samples = if file.ends_with(".md") {
            timing::measure(&preview, project.path(), edits)
        } else {
            timing::measure_edits(&preview, project.path(), edits, file, |i| {
                format!("<p class=brand>Edit {i}</p>\n")
            })
        };
        println!("serve reload, {mode}, {edits} edits of {file}:");
        report("edit -> reload answer", samples.iter().map(|s| s.total));
        report(
            "  edit -> rebuild start",
            samples.iter().map(|s| s.notice()),
        );
        report("  rebuild", samples.iter().map(|s| s.rebuild));
    }
}

fn report(what: &str, values: impl Iterator<Item = Duration>) {
    let (median, p90, max) = timing::summary(values.collect());
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {what:<24} median {:7.1} ms   p90 {:7.1} ms   max {:7.1} ms",
        ms(median),
        ms(p90),
        ms(max)
    );
}
