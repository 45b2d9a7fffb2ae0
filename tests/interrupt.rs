//! Nothing is lost: an output folder that overlaps the inputs is refused,
//! files the user put into a previous build's output stop the rebuild,
//! SIGINT and SIGTERM leave either the previous or the new build and no
//! staging folder, and leftovers of dead builds are cleared without
//! touching anything that is not recognisably errorsmith's.

mod common;

use common::errorsmith;
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every file and folder under `dir`: relative path -> contents (folders
/// map to `None`).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|entry| {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(dir).unwrap().to_path_buf();
            let bytes = entry
                .file_type()
                .is_file()
                .then(|| std::fs::read(entry.path()).unwrap());
            (rel, bytes)
        })
        .collect()
}

/// `site/` as `errorsmith init` makes it: config, content, own theme, logo.
fn initialised_site() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("site");
    std::fs::create_dir(&site).unwrap();
    errorsmith()
        .current_dir(&site)
        .arg("init")
        .assert()
        .success();
    root
}

fn run_build(dir: &Path, args: &[&str]) -> std::process::Output {
    errorsmith()
        .current_dir(dir)
        .arg("build")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn an_output_folder_that_overlaps_the_inputs_is_refused_and_nothing_changes() {
    let root = initialised_site();
    let inputs = [
        "--config",
        "site/errorsmith.yaml",
        "--content",
        "site/content",
        "--themes",
        "site/themes",
    ];
    let before = snapshot(root.path());
    for (out, relation) in [
        ("site", "holds the config file `site/errorsmith.yaml`"),
        (".", "holds the config file `site/errorsmith.yaml`"),
        ("site/content", "is the content directory `site/content`"),
        (
            "site/content/en",
            "is inside the content directory `site/content`",
        ),
        (
            "site/themes/x",
            "is inside the themes directory `site/themes`",
        ),
        ("site/themes", "is the themes directory `site/themes`"),
    ] {
        let mut args = inputs.to_vec();
        args.extend(["--out", out]);
        let output = run_build(root.path(), &args);
        assert_eq!(output.status.code(), Some(1), "--out {out}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!(
                "error: the output directory `{out}` {relation}; a build replaces its whole output directory, so choose an --out that holds none of your inputs, such as `dist`\n"
            ),
            "--out {out}"
        );
        assert_eq!(snapshot(root.path()), before, "--out {out} changed files");
    }
}

/// The logo is an input: the folder holding it is refused as output,
/// naming the logo.
#[test]
fn the_folder_holding_the_logo_is_refused_as_output_and_nothing_changes() {
    let root = initialised_site();
    let site = root.path().join("site");
    std::fs::create_dir(site.join("assets")).unwrap();
    std::fs::rename(site.join("logo.svg"), site.join("assets/logo.svg")).unwrap();
    let config = std::fs::read_to_string(site.join("errorsmith.yaml")).unwrap();
    std::fs::write(
        site.join("errorsmith.yaml"),
        config.replace("logo: logo.svg", "logo: assets/logo.svg"),
    )
    .unwrap();
    let before = snapshot(root.path());
    let output = run_build(&site, &["--out", "assets"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: the output directory `assets` holds the logo `assets/logo.svg`; a build replaces its whole output directory, so choose an --out that holds none of your inputs, such as `dist`\n"
    );
    assert_eq!(snapshot(root.path()), before);
}

#[test]
fn files_the_user_added_to_the_output_stop_the_rebuild_and_survive() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("errorsmith.yaml"), "codes: [404, 503]\n").unwrap();
    let first = run_build(dir.path(), &[]);
    assert!(first.status.success());
    let dist = dir.path().join("dist");
    std::fs::write(dist.join("robots.txt"), "User-agent: *\n").unwrap();
    std::fs::create_dir(dist.join("extra")).unwrap();
    std::fs::write(dist.join("extra/note.txt"), "mine").unwrap();
    let before = snapshot(dir.path());
    let output = run_build(dir.path(), &["--theme", "minimal"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: `dist` holds 3 files errorsmith did not write: dist/extra/, dist/extra/note.txt, dist/robots.txt; a build replaces the whole folder, so move them out of it (or delete them) and build again\n"
    );
    assert_eq!(snapshot(dir.path()), before);

    // One file: the sentence says "it".
    std::fs::remove_dir_all(dist.join("extra")).unwrap();
    let output = run_build(dir.path(), &[]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: `dist` holds 1 file errorsmith did not write: dist/robots.txt; a build replaces the whole folder, so move it out of it (or delete it) and build again\n"
    );
    assert_eq!(
        std::fs::read(dist.join("robots.txt")).unwrap(),
        b"User-agent: *\n"
    );
}

/// Names next to the output that belong to a build in progress or dead.
fn staging_names(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".errorsmith-"))
        .collect()
}

/// A project whose build takes a few seconds: many locales of many codes.
fn slow_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut codes: Vec<String> = std::fs::read_dir(&builtin)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    codes.sort();
    codes.truncate(40);
    for i in 0..12u8 {
        let locale = format!("en-X{}", (b'A' + i) as char);
        let folder = dir.path().join("content").join(&locale);
        std::fs::create_dir_all(&folder).unwrap();
        for code in &codes {
            std::fs::write(
                folder.join(code),
                format!("---\ntitle: Title {locale} {code}\nsummary: Summary\n---\nBody of {locale} {code}.\n\n## Fix {{.developer}}\n\nDeveloper text of {locale}.\n"),
            )
            .unwrap();
        }
    }
    dir
}

fn spawn_build(dir: &Path, theme: &str) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("errorsmith"))
        .current_dir(dir)
        .args(["build", "--theme", theme])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn timed_build(dir: &Path, theme: &str) -> Duration {
    let start = Instant::now();
    let output = spawn_build(dir, theme).wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    start.elapsed()
}

/// When to send the signal: after a delay, or as soon as the staging
/// folder exists (the build is writing).
#[derive(Debug, Clone, Copy)]
enum When {
    After(Duration),
    Staging,
}

#[test]
fn sigint_and_sigterm_leave_the_previous_or_the_new_build_and_no_staging_folder() {
    let dir = slow_project();
    let dist = dir.path().join("dist");
    // The complete new build (theme minimal) and the complete previous
    // one (theme default), both in `dist`, as references.
    timed_build(dir.path(), "minimal");
    let new = snapshot(&dist);
    let duration = timed_build(dir.path(), "default");
    let previous = snapshot(&dist);
    assert_ne!(new, previous);

    let mut whens: Vec<When> = [10, 50, 100, 200, 400]
        .map(|ms| When::After(Duration::from_millis(ms)))
        .to_vec();
    for percent in [50, 90, 120] {
        whens.push(When::After(duration * percent / 100));
    }
    whens.push(When::Staging);
    let mut outcomes = BTreeMap::new();
    for (signal, number) in [("INT", 2), ("TERM", 15)] {
        for &when in &whens {
            let child = spawn_build(dir.path(), "minimal");
            match when {
                When::After(delay) => std::thread::sleep(delay),
                When::Staging => {
                    let deadline = Instant::now() + duration * 3;
                    while Instant::now() < deadline
                        && !staging_names(dir.path())
                            .iter()
                            .any(|n| n.starts_with(".errorsmith-staging-") && !n.ends_with(".lock"))
                    {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
            }
            let status = Command::new("kill")
                .args([format!("-{signal}"), child.id().to_string()])
                .status()
                .unwrap();
            let exit = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&exit.stderr).into_owned();
            let outcome = match (exit.status.code(), exit.status.signal()) {
                (Some(0), _) => "finished",
                (Some(130), _)
                    if stderr == "error: interrupted after the new output was put in place\n" =>
                {
                    "exit 130 after the swap"
                }
                (Some(130), _) => {
                    assert_eq!(
                        stderr, "error: interrupted; the previous output is unchanged\n",
                        "SIG{signal} {when:?}"
                    );
                    "exit 130"
                }
                // During process start-up, before the build begins, no
                // handler is installed yet and the signal ends the process
                // as usual.
                (None, Some(n)) if n == number => "killed by the signal",
                other => panic!("SIG{signal} {when:?}: exit {other:?}: {stderr}"),
            };
            assert!(
                status.success() || outcome == "finished",
                "kill failed for {when:?}"
            );
            // What the signal left is dead (no lock) and the next build
            // removes it; that nothing is left at all is
            // `a_signal_while_writing_removes_the_staging_folder`.
            let left = staging_names(dir.path());
            for name in &left {
                assert!(
                    name.starts_with(".errorsmith-staging-")
                        && !name.ends_with(".lock")
                        && !left.contains(&format!("{name}.lock")),
                    "SIG{signal} {when:?} ({outcome}) left {left:?}"
                );
            }
            let now = snapshot(&dist);
            let which = if now == previous {
                "previous"
            } else if now == new {
                "new"
            } else {
                panic!(
                    "SIG{signal} {when:?} ({outcome}): dist is neither the previous nor the new build"
                )
            };
            // What the exit says is what `dist` holds.
            assert_eq!(
                which == "new",
                outcome == "finished" || outcome == "exit 130 after the swap",
                "SIG{signal} {when:?}: {outcome} but dist holds the {which} build"
            );
            if which == "new" || !left.is_empty() {
                timed_build(dir.path(), "default");
                assert_eq!(staging_names(dir.path()), Vec::<String>::new());
                assert_eq!(snapshot(&dist), previous);
            }
            if !left.is_empty() {
                *outcomes.entry("left a dead staging folder").or_insert(0) += 1;
            }
            *outcomes.entry(outcome).or_insert(0) += 1;
        }
    }
    // The staging case and the long delays reach the handler.
    assert!(
        outcomes.get("exit 130").is_some_and(|n| *n >= 2),
        "{outcomes:?}"
    );
}

/// SIGINT while the build writes its files: the handler removes the
/// staging folder while the writer threads still create files in it.
#[test]
fn a_signal_while_writing_removes_the_staging_folder() {
    let dir = slow_project();
    timed_build(dir.path(), "default");
    for attempt in 0..5 {
        let mut child = spawn_build(dir.path(), "minimal");
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline
            && !staging_names(dir.path())
                .iter()
                .any(|n| n.starts_with(".errorsmith-staging-") && !n.ends_with(".lock"))
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(20));
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "attempt {attempt}");
        assert_eq!(
            staging_names(dir.path()),
            Vec::<String>::new(),
            "attempt {attempt}"
        );
    }
}

#[test]
fn leftovers_of_dead_builds_go_and_everything_else_stays() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("errorsmith.yaml"), "codes: [404]\n").unwrap();
    // What a SIGKILLed build leaves: staging folder with its free lock, and
    // the previous output moved aside.
    std::fs::create_dir(p.join(".errorsmith-staging-dead")).unwrap();
    std::fs::write(p.join(".errorsmith-staging-dead/404.html"), "x").unwrap();
    std::fs::write(p.join(".errorsmith-staging-dead.lock"), "").unwrap();
    std::fs::create_dir(p.join(".errorsmith-old-dead")).unwrap();
    std::fs::write(p.join(".errorsmith-old-dead/404.html"), "x").unwrap();
    // From before lock files, and a lock without its folder.
    std::fs::create_dir(p.join(".errorsmith-staging-ancient")).unwrap();
    std::fs::write(p.join(".errorsmith-staging-orphan.lock"), "").unwrap();
    // A build still running: its lock is held.
    std::fs::create_dir(p.join(".errorsmith-staging-live")).unwrap();
    let live_lock = std::fs::File::create(p.join(".errorsmith-staging-live.lock")).unwrap();
    live_lock.lock().unwrap();
    std::fs::create_dir(p.join(".errorsmith-old-live")).unwrap();
    // The user's.
    std::fs::create_dir(p.join(".errorsmith-notes")).unwrap();
    std::fs::write(p.join(".errorsmith-notes/todo.txt"), "keep").unwrap();
    std::fs::create_dir(p.join("errorsmith-staging-mine")).unwrap();
    std::fs::write(p.join(".errorsmith-staging-file"), "not a folder").unwrap();

    let output = run_build(p, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut left: Vec<String> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            ".errorsmith-notes",
            ".errorsmith-old-live",
            ".errorsmith-staging-file",
            ".errorsmith-staging-live",
            ".errorsmith-staging-live.lock",
            "dist",
            "errorsmith-staging-mine",
            "errorsmith.yaml",
        ]
    );
    assert_eq!(
        std::fs::read(p.join(".errorsmith-notes/todo.txt")).unwrap(),
        b"keep"
    );
    drop(live_lock);
    // Once the lock is free, the next build clears that one too.
    let output = run_build(p, &[]);
    assert!(output.status.success());
    let mut left = staging_names(p);
    left.sort();
    assert_eq!(left, [".errorsmith-notes", ".errorsmith-staging-file"]);
}
