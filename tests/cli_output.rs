//! What the commands print for CI and people: `check --format github`
//! (exact workflow commands), `build --strict`, `-q`/`-v`, and the progress
//! line that only a terminal gets.

mod common;

use common::{errorsmith, require_program};
use std::path::Path;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// An error with a line (contrast), an error in a file whose name needs
/// escaping and whose message holds `%`, and a warning without a line
/// (the locale lacks every built-in code but 404).
fn findings_project() -> tempfile::TempDir {
    project(&[
        (
            "errorsmith.yaml",
            "site:\n  name: Acme\ncolors:\n  text: \"#aaaaaa\"\nlocales: [en, eo]\n",
        ),
        (
            "pages,v1:a%/404.md",
            "---\ntitle: Not Found\n---\nSee [the list](50%25.html).\n",
        ),
        (
            "pages,v1:a%/eo/404.md",
            "---\ntitle: Ne trovita\n---\nNe.\n",
        ),
    ])
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    errorsmith()
        .current_dir(dir)
        .args(args)
        .env_remove("GITHUB_WORKSPACE")
        .output()
        .unwrap()
}

const GITHUB_FINDINGS: &str = "\
::error file=errorsmith.yaml,line=4::light scheme: `colors.text` #aaaaaa on `colors.background` #ffffff has contrast 2.32:1, below WCAG AA 4.5:1; choose a darker or lighter color until the ratio reaches 4.5
::error file=pages%2Cv1%3Aa%25/404.md,line=4::link `50%2525.html` leads to no page of this build; link to a built page such as `404.html` (or `../404.html` from a locale folder), or remove the link
::warning file=pages%2Cv1%3Aa%25/eo::locale `eo` has no translation of 39 code(s) the default locale `en` has: 400, 401, 402, 403, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511; add pages,v1:a%25/eo/NNN.md for each (until then those pages show the `en` text)
2 errors, 1 warning
";

#[test]
fn check_github_prints_exact_escaped_workflow_commands() {
    let dir = findings_project();
    std::fs::write(
        dir.path().join("pages,v1:a%/500.md"),
        "---\ntitle: Error\n---\nSorry.\n",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &["check", "--format", "github", "--content", "pages,v1:a%"],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), GITHUB_FINDINGS);
    assert!(output.stderr.is_empty(), "{output:?}");
}

#[test]
fn check_github_paths_are_relative_to_the_workspace() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("site");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("errorsmith.yaml"),
        "colors:\n  accent: \"#eeeeee\"\n",
    )
    .unwrap();
    let output = errorsmith()
        .current_dir(&dir)
        .env("GITHUB_WORKSPACE", root.path())
        .args(["check", "--format", "github"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with(
            "::error file=site/errorsmith.yaml,line=2::light scheme: `colors.accent` #eeeeee"
        ),
        "{stdout}"
    );
    // Built-in content is in no file of the repository: no `file=`.
    let empty = tempfile::tempdir().unwrap();
    let output = run(
        empty.path(),
        &["check", "--format", "github", "--theme", "nope"],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("::error::--theme is `nope`, which is no theme"),
        "{stdout}"
    );
}

#[test]
fn check_json_is_unchanged_and_quiet_text_keeps_only_errors() {
    let dir = findings_project();
    let output = run(
        dir.path(),
        &["check", "--format", "json", "--content", "pages,v1:a%"],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["summary"]["errors"], 2);
    let output = run(dir.path(), &["check", "-q", "--content", "pages,v1:a%"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.lines().all(|l| l.contains(": error: ")), "{stdout}");
}

/// A project whose only finding is a warning: `build` passes, `--strict` not.
fn warning_project() -> tempfile::TempDir {
    project(&[("content/eo/404.md", "---\ntitle: Ne trovita\n---\nNe.\n")])
}

#[test]
fn strict_build_fails_on_warnings_and_leaves_the_previous_output() {
    let dir = warning_project();
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{output:?}");
    let manifest = std::fs::read(dir.path().join("dist/manifest.json")).unwrap();
    let page = std::fs::read(dir.path().join("dist/eo/404.html")).unwrap();

    std::fs::write(
        dir.path().join("content/eo/404.md"),
        "---\ntitle: Ŝanĝita\n---\nNe.\n",
    )
    .unwrap();
    let output = run(dir.path(), &["build", "--strict"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("content/eo: warning: locale `eo` has no translation of "),
        "{stderr}"
    );
    assert_eq!(
        *lines.last().unwrap(),
        "error: --strict: `errorsmith check` reports 0 errors, 1 warning; nothing was written to dist"
    );
    assert_eq!(
        std::fs::read(dir.path().join("dist/manifest.json")).unwrap(),
        manifest
    );
    assert_eq!(
        std::fs::read(dir.path().join("dist/eo/404.html")).unwrap(),
        page
    );
}

#[test]
fn strict_build_fails_on_check_errors_build_lets_through() {
    let dir = project(&[("errorsmith.yaml", "colors:\n  text: \"#bbbbbb\"\n")]);
    assert!(run(dir.path(), &["build"]).status.success());
    std::fs::remove_dir_all(dir.path().join("dist")).unwrap();
    let output = run(dir.path(), &["build", "--strict"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(!dir.path().join("dist").exists());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("errorsmith.yaml:2: error: light scheme"),
        "{stderr}"
    );
}

#[test]
fn strict_build_of_a_clean_project_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["build", "--strict"]);
    assert!(output.status.success(), "{output:?}");
    assert!(dir.path().join("dist/404.html").is_file());
}

#[test]
fn default_build_prints_one_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["build"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("built "), "{stderr}");
    assert!(stderr.ends_with(" into dist\n"), "{stderr}");
}

#[test]
fn quiet_prints_only_errors() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["build", "-q"]);
    assert!(output.status.success());
    assert!(output.stderr.is_empty(), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let output = run(dir.path(), &["build", "--quiet", "--theme", "nope"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: --theme is `nope`, which is no theme"),
        "{stderr}"
    );
    let output = run(dir.path(), &["build", "-q", "-v"]);
    assert_eq!(output.status.code(), Some(2), "-q and -v conflict");
    let output = run(dir.path(), &["init", "-q", "brand"]);
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{output:?}"
    );
}

#[test]
fn verbose_lists_every_file_written_with_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["build", "-v"]);
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let (listed, summary) = stderr.trim_end().rsplit_once('\n').unwrap();
    assert!(summary.starts_with("built "), "{summary}");
    let mut on_disk = Vec::new();
    for entry in walkdir::WalkDir::new(dir.path().join("dist")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir.path()).unwrap();
            let bytes = entry.metadata().unwrap().len();
            on_disk.push(format!("wrote {} ({bytes} bytes)", rel.display()));
        }
    }
    assert!(on_disk.len() > 100, "{}", on_disk.len());
    assert_eq!(listed.lines().collect::<Vec<_>>(), on_disk);
}

#[test]
fn no_progress_bytes_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let output = errorsmith()
        .current_dir(dir.path())
        .env("ERRORSMITH_PROGRESS_AFTER_MS", "0")
        .arg("build")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
    assert!(!stderr.contains("building"), "{stderr:?}");
}

#[test]
fn progress_line_on_a_terminal_is_drawn_then_erased() {
    let Some(script) = require_program("script", "progress_line_on_a_terminal") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let binary = assert_cmd::cargo::cargo_bin("errorsmith");
    let output = std::process::Command::new(script)
        .args(["-q", "-e", "-c"])
        .arg(format!("'{}' build", binary.display()))
        .arg("/dev/null")
        .current_dir(dir.path())
        .env("ERRORSMITH_PROGRESS_AFTER_MS", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("\rbuilding\u{2026} "), "{text:?}");
    let erased = text.find("\r\x1b[2K").expect("line erased");
    assert!(
        text[erased..].contains("built "),
        "summary after the line: {text:?}"
    );
}
