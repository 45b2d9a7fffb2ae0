//! How `errorsmith serve` notices changes: by file events, by polling
//! with `--poll`, and never for files no page is made from.
#![cfg(feature = "serve")]

mod common;
// Shared with tests/serve.rs, which uses the rest.
#[allow(dead_code)]
#[path = "serve/preview.rs"]
mod preview;
#[path = "serve/timing.rs"]
mod timing;

use preview::{Preview, RELOAD, answer_by_now, connect, project, write};
use std::io::Write as _;
use std::net::TcpStream;
use std::time::Duration;

/// The warning `serve` prints when it falls back to polling.
const FALLBACK: &str = "checking for changes 4 times a second instead";

/// A reload poll waiting for the generation to move past the current one.
fn waiting_poll(preview: &Preview) -> TcpStream {
    let (_, _, generation) = preview.page("/default/404.html");
    let mut poll = connect(preview.port);
    write!(
        poll,
        "GET {RELOAD}?since={generation} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    poll
}

#[test]
fn serve_notices_an_edit_by_file_events_at_once() {
    let project = project();
    let preview = Preview::start(project.path());
    let samples = timing::measure(&preview, project.path(), 3);
    eprintln!("{samples:?}");
    let log = preview.log();
    assert!(!log.contains(FALLBACK), "fell back to polling:\n{log}");
    // Events arrive within milliseconds and the debounce is 20 ms; polling
    // alone would take up to 250 ms. Generous, so a loaded machine passes.
    let (median, _, _) = timing::summary(samples.iter().map(|s| s.notice()).collect());
    assert!(median < Duration::from_secs(1), "{samples:?}");
    let (_, page, _) = preview.page("/default/404.html");
    assert!(page.contains("<h1>Edit 2 of 3</h1>"), "{page}");
}

#[test]
fn serve_with_poll_still_rebuilds_on_an_edit() {
    let project = project();
    let preview = Preview::start_with(project.path(), &["--poll"]);
    let samples = timing::measure(&preview, project.path(), 2);
    eprintln!("{samples:?}");
    let (_, page, _) = preview.page("/default/404.html");
    assert!(page.contains("<h1>Edit 1 of 2</h1>"), "{page}");
    assert!(!preview.log().contains("warning"), "{}", preview.log());
}

/// Writes what editors and builds leave beside the inputs, and saves that
/// change no byte; none of it may rebuild. A real edit then does.
fn assert_only_real_edits_rebuild(args: &[&str]) {
    let project = project();
    let root = project.path();
    let preview = Preview::start_with(root, args);
    let mut poll = waiting_poll(&preview);
    let page = std::fs::read_to_string(root.join("content/404.md")).unwrap();
    for (file, text) in [
        ("content/.404.md.swp", "swap"),
        ("content/4913", ""),
        ("content/404.md~", "backup"),
        ("content/.#404.md", "lock"),
        ("themes/brand/partials/.brand.html.swp", "swap"),
        ("content/404.md", page.as_str()),
        ("errorsmith.yaml", "site:\n  name: Acme Preview\n"),
        ("dist/404.html", "<p>built</p>"),
        ("notes.txt", "not an input"),
    ] {
        write(root, file, text);
    }
    std::fs::remove_file(root.join("content/4913")).unwrap();
    let patience = Duration::from_millis(1200);
    if let Some(answer) = answer_by_now(&mut poll, patience) {
        panic!(
            "a change to no input reloaded: {answer:?}\n{}",
            preview.log()
        );
    }
    assert!(
        timing::rebuilds(&preview.log()).is_empty(),
        "{}",
        preview.log()
    );
    write(
        root,
        "content/404.md",
        "---\ntitle: Really New\n---\nText.\n",
    );
    assert!(answer_by_now(&mut poll, Duration::from_secs(30)).is_some());
    let (_, page, _) = preview.page("/default/404.html");
    assert!(page.contains("<h1>Really New</h1>"), "{page}");
}

#[test]
fn serve_rebuilds_for_no_editor_file_output_or_unchanged_save() {
    assert_only_real_edits_rebuild(&[]);
}

#[test]
fn serve_with_poll_rebuilds_for_no_editor_file_output_or_unchanged_save() {
    assert_only_real_edits_rebuild(&["--poll"]);
}

/// An edit of a theme's own file renders that theme again (and those
/// built on it), not the others; its `theme.yaml` renders everything.
#[test]
fn serve_renders_only_the_themes_a_theme_file_edit_affects() {
    let project = project();
    let root = project.path();
    let preview = Preview::start(root);
    let (_, default_page, generation) = preview.page("/default/404.html");
    write(
        root,
        "themes/brand/partials/brand.html",
        "<p class=brand>NEW</p>\n",
    );
    let generation = preview.wait_for_reload(generation);
    let (_, page, _) = preview.page("/brand/404.html");
    assert!(page.contains("NEW"), "{page}");
    assert_eq!(preview.page("/default/404.html").1, default_page);
    let log = preview.log();
    assert!(
        log.contains(" ms (only brand, which the change affects)\n"),
        "{log}"
    );
    write(
        root,
        "themes/brand/theme.yaml",
        "description: Acme's very own\nextends: default\n",
    );
    preview.wait_for_reload(generation);
    let log = preview.log();
    let last = log.lines().rfind(|l| l.starts_with("rebuilt in ")).unwrap();
    assert!(!last.contains("only"), "{log}");
    assert!(get_index(&preview).contains("Acme&#39;s very own"));
}

/// A content edit renders again only the pages made from the edited file,
/// one per theme here; the rest are recalled from the last render.
#[test]
fn serve_renders_again_only_the_pages_a_content_edit_changes() {
    let project = project();
    let root = project.path();
    let preview = Preview::start(root);
    let (_, _, generation) = preview.page("/default/404.html");
    let themes = get_index(&preview).matches("<h2 id=\"theme-").count();
    write(root, "content/404.md", "---\ntitle: Edited\n---\nText.\n");
    preview.wait_for_reload(generation);
    assert!(preview.page("/brand/404.html").1.contains("Edited"));
    let (kept, all, last) = unchanged_pages(&preview);
    assert!(themes >= 2, "{themes}");
    assert_eq!(all - kept, themes, "{last}");
    // A broken build keeps nothing on screen but the error; the fix
    // recalls the pages of the last build that rendered.
    let generation = preview.page("/default/404.html").2;
    write(root, "content/404.md", "---\ntitle: [Broken\n---\nText.\n");
    let generation = preview.wait_for_reload(generation);
    write(root, "content/404.md", "---\ntitle: Fixed\n---\nText.\n");
    preview.wait_for_reload(generation);
    assert!(preview.page("/brand/404.html").1.contains("Fixed"));
    let (kept, all, last) = unchanged_pages(&preview);
    assert_eq!(all - kept, themes, "{last}");
}

/// `(unchanged, rendered, line)` of the last rebuild line of the log.
fn unchanged_pages(preview: &Preview) -> (usize, usize, String) {
    let log = preview.log();
    let last = log.lines().rfind(|l| l.starts_with("rebuilt in ")).unwrap();
    let counts = last
        .split_once("; ")
        .and_then(|(_, rest)| rest.strip_suffix(" pages unchanged"))
        .and_then(|counts| counts.split_once(" of "))
        .map(|(kept, all)| (kept.parse().unwrap(), all.parse().unwrap()));
    let (kept, all) = counts.unwrap_or_else(|| panic!("no count of unchanged pages: {last}"));
    (kept, all, last.to_string())
}

fn get_index(preview: &Preview) -> String {
    common::get(preview.port, "/", &[]).body
}

/// A content folder removed and made anew is watched anew: edits inside
/// the new one still reload.
#[test]
fn serve_follows_a_content_folder_removed_and_created_again() {
    let project = project();
    let root = project.path();
    let preview = Preview::start(root);
    let (_, _, generation) = preview.page("/brand/404.html");
    std::fs::remove_dir_all(root.join("content")).unwrap();
    let generation = preview.wait_for_reload(generation);
    let generation = wait_for_title(&preview, generation, "<h1>Not Found</h1>");
    write(
        root,
        "content/404.md",
        "---\ntitle: Back Again\n---\nText.\n",
    );
    let generation = wait_for_title(&preview, generation, "<h1>Back Again</h1>");
    write(
        root,
        "content/404.md",
        "---\ntitle: Still Watched\n---\nText.\n",
    );
    wait_for_title(&preview, generation, "<h1>Still Watched</h1>");
}

/// Waits for reloads until the brand 404 page shows `title`; a removal
/// and creation may arrive as one rebuild or two.
fn wait_for_title(preview: &Preview, mut generation: u64, title: &str) -> u64 {
    for _ in 0..5 {
        let (status, page, served) = preview.page("/brand/404.html");
        if status == 200 && page.contains(title) {
            return served;
        }
        generation = preview.wait_for_reload(generation.max(served));
    }
    panic!("{title} never shown\n{}", preview.log());
}
