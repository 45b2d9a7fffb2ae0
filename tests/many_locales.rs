//! A project with more content than a build holds parsed: past it, pages
//! are parsed again where they are used, and must come out as they do when
//! held, in every developer mode, with nothing of a stripped part.

mod common;

use common::errorsmith;
use std::path::Path;

/// More locales of errorsmith's English pages (about 56 KB of files each)
/// than the 2 MiB of files a build holds parsed.
const LOCALES: usize = 80;

fn tag(n: usize) -> String {
    format!(
        "q{}{}",
        (b'a' + (n / 26) as u8) as char,
        (b'a' + (n % 26) as u8) as char
    )
}

/// The English pages in each of `tags`, the last 404 with a runbook of
/// its own.
fn project(dir: &Path, tags: &[String], mode: &str) {
    let english = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    for tag in tags {
        let folder = dir.join("content").join(tag);
        std::fs::create_dir_all(&folder).unwrap();
        for entry in std::fs::read_dir(&english).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                std::fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    let last = dir
        .join("content")
        .join(tags.last().unwrap())
        .join("404.md");
    let text = std::fs::read_to_string(&last).unwrap();
    std::fs::write(
        &last,
        format!("{text}\n\nOpen RUNBOOK-OF-THE-LAST-LOCALE before paging.\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("errorsmith.yaml"),
        format!("developer: {mode}\ncodes: [404, 500, 503]\n"),
    )
    .unwrap();
}

fn build(dir: &Path) -> std::path::PathBuf {
    errorsmith()
        .current_dir(dir)
        .args(["build", "--quiet"])
        .assert()
        .success();
    dir.join("dist")
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn pages_past_what_a_build_holds_come_out_as_held_ones_and_a_stripped_part_stays_out() {
    let tags: Vec<String> = (0..LOCALES).map(tag).collect();
    let last = tags.last().unwrap().clone();
    for mode in ["strip", "hidden", "ssi"] {
        let many = tempfile::tempdir().unwrap();
        project(many.path(), &tags, mode);
        let alone = tempfile::tempdir().unwrap();
        project(alone.path(), std::slice::from_ref(&last), mode);
        let (many_out, alone_out) = (build(many.path()), build(alone.path()));
        let mut compared = 0;
        for path in files_under(&alone_out.join(&last)) {
            let rel = path.strip_prefix(&alone_out).unwrap();
            assert_eq!(
                std::fs::read(many_out.join(rel)).unwrap(),
                std::fs::read(&path).unwrap(),
                "{mode}: {}",
                rel.display()
            );
            compared += 1;
        }
        let expected = if mode == "ssi" { 3 * 3 + 3 } else { 3 * 3 };
        assert_eq!(compared, expected, "{mode}");
        let runbook_in: Vec<String> = files_under(&many_out)
            .into_iter()
            .filter(|path| {
                String::from_utf8_lossy(&std::fs::read(path).unwrap())
                    .contains("RUNBOOK-OF-THE-LAST-LOCALE")
            })
            .map(|path| path.strip_prefix(&many_out).unwrap().display().to_string())
            .collect();
        let expected: Vec<String> = match mode {
            "strip" => vec![],
            "hidden" => vec![format!("{last}/404.html")],
            _ => vec![format!("{last}/developer/404.html")],
        };
        assert_eq!(runbook_in, expected, "{mode}");
    }
}
