//! The hostile corpus: every folder under `tests/hostile/` is one broken or
//! malicious project plus a `case.yaml` saying exactly what errorsmith must
//! do with it. Each case runs the real binary in a copy of its folder, after
//! a good build into `dist/`, and must: exit as stated, say what it states,
//! never panic, and leave everything (the previous build above all)
//! byte-for-byte unchanged when it fails.

mod common;

use rayon::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    about: String,
    /// Arguments after `errorsmith`, run in the case's folder.
    args: Vec<String>,
    exit: i32,
    /// Must appear in stderr (one line or a part of one).
    stderr: Option<String>,
    /// Must appear in stdout (`check` prints its findings there).
    stdout: Option<String>,
    #[serde(default)]
    contains: Vec<FileText>,
    #[serde(default)]
    lacks: Vec<FileText>,
    #[serde(default)]
    setup: Vec<Setup>,
    /// What happens instead when the tests run as root, who ignores
    /// file modes.
    as_root: Option<AsRoot>,
    /// Run with the output on a small tmpfs of its own.
    tmpfs: Option<Tmpfs>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    file: String,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AsRoot {
    exit: i32,
    why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tmpfs {
    /// Mount it read-only after the previous build is copied in; otherwise
    /// it is sized so that the new build cannot fit next to the old one.
    readonly: bool,
}

/// Done to the copy before the run: things git cannot hold or that are too
/// big to commit.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
enum Setup {
    Symlink {
        link: String,
        target: String,
    },
    Chmod {
        path: String,
        mode: String,
    },
    Mkdir(String),
    /// A named pipe (`mkfifo`): git cannot hold one.
    Fifo(String),
    /// Removes a file, link or folder (of the previous build, say), so a
    /// later step can put something else at its path.
    Remove(String),
    Repeat {
        path: String,
        head: String,
        unit: String,
        count: usize,
        /// Repeated `count` times after the units: the closers of what
        /// the units opened (`a*` for `*a`).
        #[serde(default)]
        close: String,
        tail: String,
    },
}

const CASES: &str = "tests/hostile";
const PREVIOUS: &str = "dist";

#[test]
fn hostile_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(CASES);
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // ERRORSMITH_HOSTILE=a,b runs only those cases, for work on one case.
    if let Ok(only) = std::env::var("ERRORSMITH_HOSTILE") {
        let only: Vec<&str> = only.split(',').collect();
        names.retain(|n| only.contains(&n.as_str()));
        assert!(!names.is_empty(), "no case is named in ERRORSMITH_HOSTILE");
    } else {
        // The README, "Hostile input", promises more than 70.
        assert!(
            names.len() > 70,
            "the corpus has only {} cases",
            names.len()
        );
    }
    // Every case works in its own temporary folder, so they run on every
    // core; the failures still come out in name order.
    let failures: Vec<String> = names
        .par_iter()
        .filter_map(|name| run_case(&root.join(name), name).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n\n")
    );
}

fn run_case(dir: &Path, name: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join("case.yaml")).unwrap();
    let case: Case =
        serde_saphyr::from_str(&text).map_err(|e| format!("{name}: case.yaml: {e}"))?;
    let temp = tempfile::tempdir().unwrap();
    let work = temp.path().join("work");
    common::copy_dir(dir, &work);
    std::fs::remove_file(work.join("case.yaml")).unwrap();
    common::copy_dir(previous_build(), &work.join(PREVIOUS));
    for step in &case.setup {
        apply(&work, step);
    }
    let root = is_root();
    let (expected_exit, why) = match (&case.as_root, root) {
        (Some(as_root), true) => {
            eprintln!(
                "NOTE {name}: running as root, so expecting exit {} instead of {}: {}",
                as_root.exit, case.exit, as_root.why
            );
            (as_root.exit, Some(&as_root.why))
        }
        _ => (case.exit, None),
    };

    let before = snapshot(&work);
    let (output, tmpfs_after) = match &case.tmpfs {
        Some(tmpfs) => match run_on_tmpfs(&work, &case.args, tmpfs.readonly, root) {
            Some(result) => result,
            None => {
                eprintln!(
                    "\n*** SKIPPED hostile case {name}: cannot mount a tmpfs here (needs root or user namespaces). ***\n"
                );
                return Ok(());
            }
        },
        None => (run(&work, &case.args), None),
    };
    let after = snapshot(&work);
    restore_permissions(&work);

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut problems = Vec::new();
    let code = output.status.code().unwrap_or(-1);
    if code != expected_exit {
        problems.push(format!("exit code {code}, expected {expected_exit}"));
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        problems.push("it panicked".to_string());
    }
    if why.is_none() {
        if let Some(wanted) = &case.stderr
            && !stderr.contains(wanted.as_str())
        {
            problems.push(format!("stderr lacks {wanted:?}"));
        }
        if let Some(wanted) = &case.stdout
            && !stdout.contains(wanted.as_str())
        {
            problems.push(format!("stdout lacks {wanted:?}"));
        }
    }
    if code != 0 && !stderr.is_empty() && !stderr.contains("error") {
        problems.push("a failure with no `error` line".to_string());
    }
    let failed = code != 0;
    let writes_nothing = case.args.first().is_some_and(|a| a == "check");
    if (failed || writes_nothing)
        && let Some(diff) = difference(&before, &after)
    {
        problems.push(format!("the files changed: {diff}"));
    }
    if let Some(tmpfs_after) = tmpfs_after
        && let Some(diff) = difference(&before_of(&before, PREVIOUS), &tmpfs_after)
    {
        problems.push(format!("the previous build on the tmpfs changed: {diff}"));
    }
    for expect in &case.contains {
        let body = read_output(&work, &expect.file);
        if !body.contains(&expect.text) {
            problems.push(format!("{} lacks {:?}", expect.file, expect.text));
        }
    }
    for expect in &case.lacks {
        let body = read_output(&work, &expect.file);
        if body.contains(&expect.text) {
            problems.push(format!("{} contains {:?}", expect.file, expect.text));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name} ({}): {}\n--- stdout:\n{}--- stderr:\n{}",
            case.about,
            problems.join("; "),
            tail(&stdout),
            tail(&stderr)
        ))
    }
}

fn tail(text: &str) -> String {
    let start = text.len().saturating_sub(2000);
    let start = (start..=text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    text[start..].to_string()
}

fn read_output(work: &Path, file: &str) -> String {
    String::from_utf8_lossy(&std::fs::read(work.join(file)).unwrap_or_default()).into_owned()
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_errorsmith")
}

/// A good build of the built-in content (English only, so the copies and
/// snapshots stay cheap), made once from an empty folder so the cases'
/// broken inputs play no part in it; each case gets a copy.
fn previous_build() -> &'static Path {
    static BUILD: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    &BUILD
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let output = Command::new(binary())
                .current_dir(dir.path())
                .args(["build", "--locale", "en", "--out", PREVIOUS])
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "the previous build failed: {output:?}"
            );
            let path = dir.path().join(PREVIOUS);
            (dir, path)
        })
        .1
}

fn run(work: &Path, args: &[String]) -> Output {
    let mut command = common::errorsmith();
    command
        .current_dir(work)
        .args(args)
        .timeout(Duration::from_secs(120));
    command.output().unwrap()
}

/// Runs the case in a private mount namespace with `fs/` a tmpfs holding a
/// copy of the previous build; returns the output and what `fs/dist` held
/// afterwards.
fn run_on_tmpfs(
    work: &Path,
    args: &[String],
    readonly: bool,
    root: bool,
) -> Option<(Output, Option<Snapshot>)> {
    let previous = work.join(PREVIOUS);
    // Room for the previous build and half of a new one: the staging copy
    // runs out of space part of the way through.
    let used: u64 = walkdir::WalkDir::new(&previous)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().unwrap().len().div_ceil(4096) * 4096)
        .sum();
    let size = if readonly { used * 2 } else { used + used / 4 };
    let after = work.parent().unwrap().join("fs-after");
    let remount = if readonly {
        "mount -o remount,ro fs &&"
    } else {
        ""
    };
    let script = format!(
        "mkdir -p fs && mount -t tmpfs -o size={size} tmpfs fs && cp -a {PREVIOUS} fs/dist && {remount} \"$0\" \"$@\"; rc=$?; cp -a fs/dist '{}'; exit $rc",
        after.display()
    );
    let mut command = Command::new("unshare");
    command.arg(if root { "-m" } else { "-rm" });
    command.args(["sh", "-c", &script, binary()]).args(args);
    command.current_dir(work);
    // Probe first: a namespace that cannot mount is a skip, not a failure.
    let probe = Command::new("unshare")
        .arg(if root { "-m" } else { "-rm" })
        .args(["sh", "-c", "mount -t tmpfs -o size=4096 tmpfs \"$0\""])
        .arg(tempfile::tempdir().ok()?.path())
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let output = command.output().ok()?;
    std::fs::remove_dir(work.join("fs")).ok();
    let snapshot = after.is_dir().then(|| snapshot(&after));
    Some((output, snapshot))
}

fn apply(work: &Path, step: &Setup) {
    match step {
        Setup::Symlink { link, target } => {
            let link = work.join(link);
            std::fs::create_dir_all(link.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(target, link).unwrap();
        }
        Setup::Chmod { path, mode } => {
            let mode = u32::from_str_radix(mode, 8).unwrap();
            std::fs::set_permissions(work.join(path), std::fs::Permissions::from_mode(mode))
                .unwrap();
        }
        Setup::Mkdir(path) => std::fs::create_dir_all(work.join(path)).unwrap(),
        Setup::Fifo(path) => {
            let path = work.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let status = Command::new("mkfifo").arg(&path).status().unwrap();
            assert!(status.success(), "mkfifo {}", path.display());
        }
        Setup::Remove(path) => {
            let path = work.join(path);
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
        Setup::Repeat {
            path,
            head,
            unit,
            count,
            close,
            tail,
        } => {
            let path = work.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let text = format!(
                "{head}{}{}{tail}",
                unit.repeat(*count),
                close.repeat(*count)
            );
            std::fs::write(path, text).unwrap();
        }
    }
}

/// So the temporary folder can be removed when not running as root.
fn restore_permissions(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if !entry.path_is_symlink() {
            let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o755));
        }
    }
}

fn is_root() -> bool {
    let probe = tempfile::tempfile().unwrap();
    probe.metadata().unwrap().uid() == 0
}

/// Every entry under a folder: file bytes, link target, or folder, with
/// its mode. Links are recorded, never followed (some cases are loops).
type Snapshot = BTreeMap<PathBuf, String>;

fn snapshot(dir: &Path) -> Snapshot {
    let mut entries = BTreeMap::new();
    collect(dir, dir, &mut entries);
    entries
}

fn collect(root: &Path, dir: &Path, entries: &mut Snapshot) {
    let Ok(list) = std::fs::read_dir(dir) else {
        entries.insert(
            dir.strip_prefix(root).unwrap().to_path_buf(),
            "unlistable".into(),
        );
        return;
    };
    for entry in list {
        let entry = entry.unwrap();
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = meta.mode() & 0o7777;
        let value = if meta.file_type().is_symlink() {
            format!("link {:?}", std::fs::read_link(&path).unwrap())
        } else if meta.is_dir() {
            collect(root, &path, entries);
            format!("dir {mode:o}")
        } else if meta.file_type().is_fifo() {
            // Reading a pipe would wait for a writer.
            format!("fifo {mode:o}")
        } else {
            match std::fs::read(&path) {
                Ok(bytes) => format!("file {mode:o} {}", fingerprint(&bytes)),
                Err(_) => format!("unreadable file {mode:o} {}", meta.len()),
            }
        };
        entries.insert(rel, value);
    }
}

/// Length and content hash; enough to see any change, short in messages.
fn fingerprint(bytes: &[u8]) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("{} bytes {:016x}", bytes.len(), hasher.finish())
}

/// The entries under `prefix`, with the prefix taken off.
fn before_of(snapshot: &Snapshot, prefix: &str) -> Snapshot {
    snapshot
        .iter()
        .filter_map(|(path, value)| {
            let rel = path.strip_prefix(prefix).ok()?;
            (!rel.as_os_str().is_empty()).then(|| (rel.to_path_buf(), value.clone()))
        })
        .collect()
}

fn difference(before: &Snapshot, after: &Snapshot) -> Option<String> {
    let mut changes = Vec::new();
    for (path, value) in before {
        match after.get(path) {
            None => changes.push(format!("{} removed", path.display())),
            Some(now) if now != value => changes.push(format!("{} changed", path.display())),
            _ => {}
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        changes.push(format!("{} added", path.display()));
    }
    if changes.is_empty() {
        None
    } else {
        changes.truncate(5);
        Some(changes.join(", "))
    }
}
