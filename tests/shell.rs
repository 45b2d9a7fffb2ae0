//! `errorsmith completions` and `errorsmith man`: bash loads the script and
//! completes subcommands and flag values; every man page renders through
//! man-db and groff without a warning.

mod common;

use common::{errorsmith, require_program};
use std::path::Path;
use std::process::Command;

fn stdout_of(args: &[&str]) -> String {
    let output = errorsmith().args(args).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stderr.is_empty(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// What bash completion offers after `line` (the last word being
/// completed), one candidate per line, sorted.
fn bash_completes(bash: &Path, script: &Path, line: &str) -> Vec<String> {
    let program = format!(
        r#"source '{}'
read -ra COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="$LINE"
COMP_POINT=${{#COMP_LINE}}
_errorsmith errorsmith "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script.display()
    );
    let output = Command::new(bash)
        .args(["--norc", "--noprofile", "-c", &program])
        .env("LINE", line)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stderr.is_empty(), "bash: {output:?}");
    let mut words: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words
}

#[test]
fn bash_completes_subcommands_developer_modes_and_themes() {
    let Some(bash) = require_program("bash", "bash_completes_subcommands") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("errorsmith.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"])).unwrap();

    let commands = bash_completes(&bash, &script, "errorsmith ");
    for command in [
        "build",
        "check",
        "completions",
        "config",
        "init",
        "man",
        "schema",
        "themes",
    ] {
        assert!(commands.contains(&command.to_string()), "{commands:?}");
    }
    assert_eq!(bash_completes(&bash, &script, "errorsmith bu"), ["build"]);
    assert_eq!(
        bash_completes(&bash, &script, "errorsmith build --developer "),
        ["hidden", "ssi", "strip"]
    );
    assert_eq!(
        bash_completes(&bash, &script, "errorsmith build --theme "),
        ["default", "illustrated", "minimal", "terminal"]
    );
    assert_eq!(
        bash_completes(&bash, &script, "errorsmith check --theme te"),
        ["terminal"]
    );
    assert_eq!(
        bash_completes(&bash, &script, "errorsmith check --format "),
        ["github", "json", "text"]
    );
    let documents = bash_completes(&bash, &script, "errorsmith schema ");
    let documents: Vec<&String> = documents.iter().filter(|w| !w.starts_with('-')).collect();
    assert_eq!(documents, ["config", "front-matter", "theme"]);
    let build_flags = bash_completes(&bash, &script, "errorsmith build --");
    for flag in ["--strict", "--quiet", "--verbose", "--out", "--theme"] {
        assert!(build_flags.contains(&flag.to_string()), "{build_flags:?}");
    }
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    // fish spells flags `-l developer`; PowerShell and elvish complete
    // flag names only, not values.
    for (shell, flag, values) in [
        ("bash", "--developer", true),
        ("zsh", "--developer", true),
        ("fish", "-l developer", true),
        ("powershell", "--developer", false),
        ("elvish", "--developer", false),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("errorsmith"), "{shell}");
        assert!(script.contains(flag), "{shell}");
        assert_eq!(
            script.contains("illustrated"),
            values,
            "{shell}: theme names"
        );
    }
}

/// errorsmith(1) and one page per subcommand.
fn man_pages() -> Vec<(String, String)> {
    let mut pages = vec![("errorsmith.1".to_string(), stdout_of(&["man"]))];
    for command in [
        "build",
        "themes",
        "config",
        "check",
        "init",
        "serve",
        "schema",
        "completions",
        "man",
    ] {
        pages.push((
            format!("errorsmith-{command}.1"),
            stdout_of(&["man", command]),
        ));
    }
    pages
}

#[test]
fn man_pages_render_with_man_db_and_groff_without_warnings() {
    let Some(man) = require_program("man", "man_pages_render") else {
        return;
    };
    let Some(groff) = require_program("groff", "man_pages_render") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, roff) in man_pages() {
        let path = dir.path().join(&name);
        std::fs::write(&path, &roff).unwrap();
        let rendered = Command::new(&man)
            .args(["-l", "-Tutf8"])
            .arg(&path)
            .env("MANWIDTH", "80")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&rendered.stderr);
        assert!(rendered.status.success(), "{name}: {stderr}");
        assert!(stderr.is_empty(), "{name}: man warned:\n{stderr}");
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(text.contains("errorsmith"), "{name}:\n{text}");
        let lint = Command::new(&groff)
            .args(["-ww", "-z", "-man"])
            .arg(&path)
            .output()
            .unwrap();
        let warnings = String::from_utf8_lossy(&lint.stderr);
        assert!(
            lint.status.success() && warnings.is_empty(),
            "{name}: groff warned:\n{warnings}"
        );
    }
}

#[test]
fn man_page_lists_the_subcommands_and_a_subcommand_page_its_flags() {
    let main = stdout_of(&["man"]);
    assert!(main.starts_with(".ie \\n(.g .ds Aq"), "{}", &main[..80]);
    assert!(main.contains(".TH errorsmith 1"), "{main}");
    assert!(main.contains("errorsmith\\-build(1)"), "{main}");
    let build = stdout_of(&["man", "build"]);
    assert!(build.contains(".TH errorsmith-build 1"), "{build}");
    assert!(build.contains("\\-\\-strict"), "{build}");
    let output = errorsmith().args(["man", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .starts_with("error: `nope` is not an errorsmith command; use one of: build, "),
        "{output:?}"
    );
}
