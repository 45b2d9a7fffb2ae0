//! The one rule for file names in `content/`: `<code>.md` pages and
//! `strings.yaml`; a page under another name is an error, anything else
//! is skipped and listed. And the note for a page of the user's that
//! stands beside built-in text in other locales.

mod common;

use common::errorsmith;
use std::path::Path;

fn project(files: &[(&str, &[u8])], config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("errorsmith.yaml"), config).unwrap();
    for (path, bytes) in files {
        let path = dir.path().join("content").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = errorsmith().current_dir(dir).args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const PAGE: &[u8] =
    b"---\ntitle: Our own not found\nsummary: Gone.\nfault: visitor\n---\n\nOur own words.\n";

#[test]
fn a_page_under_another_extension_is_an_error_that_names_the_right_name() {
    let dir = project(
        &[
            ("404.markdown", PAGE),
            ("410.MD", PAGE),
            ("503.html", b"<p>down</p>"),
            ("de/strings.yml", b"home: Start\n"),
        ],
        "codes: [404, 410, 503]\n",
    );
    for command in ["build", "check"] {
        let (code, stdout, stderr) = run(dir.path(), &[command]);
        assert_eq!(code, 1, "{command}: {stderr}");
        let said = if command == "build" { &stderr } else { &stdout };
        for (file, name) in [
            ("404.markdown", "404.md"),
            ("410.MD", "410.md"),
            ("503.html", "503.md"),
            ("de/strings.yml", "strings.yaml"),
        ] {
            // `check` prints each finding as `file: error: message; fix`.
            let severity = if command == "check" { "error: " } else { "" };
            let line = format!(
                "content/{file}: {severity}errorsmith reads pages named `<code>.md` and `strings.yaml`, so this file would be ignored; rename it to `{name}`"
            );
            assert!(said.contains(&line), "{command}: {line}\nnot in:\n{said}");
        }
    }
    assert!(
        !dir.path().join("dist").exists(),
        "a failed build wrote output"
    );
}

#[test]
fn files_that_are_not_pages_are_skipped_and_listed_by_build_and_check() {
    // 2 MiB: more than an input file may have, but it is never read.
    let big_image = vec![0u8; 2 * 1024 * 1024];
    let dir = project(
        &[
            ("404.md", PAGE),
            ("README.md", b"# How we write error pages\n"),
            // Named by a code in its front matter: a page.
            ("gone.md", b"---\ncode: 410\ntitle: Our own gone\nsummary: Gone.\nfault: visitor\n---\n\nGone for good.\n"),
            ("404.md.bak", b"old"),
            ("drafts/notes.txt", b"ideas"),
            ("logo-large.png", &big_image),
            (".gitkeep", b""),
            (".DS_Store", b"\0\0\0\x01Bud1"),
        ],
        "codes: [404, 410]\nlocales: [en]\n",
    );
    let (code, _, stderr) = run(dir.path(), &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let listed = [
        "content/404.md.bak",
        "content/README.md",
        "content/drafts/notes.txt",
        "content/logo-large.png",
    ];
    let expected = format!(
        "note: skipped 4 file(s) in the content folder that are not pages (pages are named <code>.md): {}\n",
        listed.join(", ")
    );
    assert!(stderr.ends_with(&expected), "{stderr}");
    for hidden in [".gitkeep", ".DS_Store"] {
        assert!(
            !stderr.contains(hidden),
            "hidden files are not listed: {stderr}"
        );
    }
    let page = std::fs::read_to_string(dir.path().join("dist/404.html")).unwrap();
    assert!(page.contains("Our own words."), "the page itself was built");
    let gone = std::fs::read_to_string(dir.path().join("dist/410.html")).unwrap();
    assert!(
        gone.contains("Gone for good."),
        "a page named by `code:` was built"
    );

    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "warnings only: {stdout}");
    for path in &listed {
        let line = format!(
            "{path}: warning: not a page or strings file, so the build skips it; pages are named `<code>.md` (such as `404.md`); move other files out of the content folder"
        );
        assert!(stdout.contains(&line), "{line}\nnot in:\n{stdout}");
    }
    for hidden in [".gitkeep", ".DS_Store"] {
        assert!(!stdout.contains(hidden), "check names {hidden}: {stdout}");
    }
}

#[test]
fn an_own_default_locale_page_beside_built_in_translations_gets_one_note_and_a_warning() {
    let dir = project(
        &[("404.md", PAGE), ("503.md", PAGE)],
        "codes: [404, 503, 500]\nlocales: [en, de, fr]\n",
    );
    let (code, _, stderr) = run(dir.path(), &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("note: your own"))
        .collect();
    assert_eq!(
        notes,
        [
            "note: your own en page(s) 404, 503 stand beside errorsmith's built-in text for the same code(s) in de, fr; translate them or limit `locales:` (`errorsmith check` lists each)"
        ]
    );
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stdout}");
    let line = "content/404.md: warning: your `en` page for 404 replaces the built-in one, but de, fr still show errorsmith's built-in text for it; add a translation for each (such as `de/404.md`) or limit `locales:` in errorsmith.yaml";
    assert!(stdout.contains(line), "{line}\nnot in:\n{stdout}");
    assert_eq!(
        stdout.matches("replaces the built-in one").count(),
        2,
        "{stdout}"
    );
    let (code, _, stderr) = run(dir.path(), &["build", "--strict"]);
    assert_eq!(code, 1, "--strict fails on the warning: {stderr}");
}

#[test]
fn no_override_note_when_every_built_locale_has_the_users_text() {
    for (files, config) in [
        (vec![("404.md", PAGE)], "codes: [404]\nlocales: [en]\n"),
        (
            vec![("404.md", PAGE), ("de/404.md", PAGE)],
            "codes: [404]\nlocales: [en, de]\n",
        ),
        // Only built-in pages: nothing of the user's to stand beside.
        (vec![], "codes: [404]\nlocales: [en, de]\n"),
    ] {
        let dir = project(&files, config);
        let (code, stdout, stderr) = run(dir.path(), &["build"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(!stderr.contains("note: your own"), "{config}: {stderr}");
        let (_, stdout_check, _) = run(dir.path(), &["check"]);
        assert!(
            !stdout_check.contains("replaces the built-in one"),
            "{config}: {stdout}{stdout_check}"
        );
    }
}
