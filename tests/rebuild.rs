//! Rebuilds: unchanged input writes no file and keeps the output as it is;
//! changed input rewrites only what changed; either way the output is byte
//! for byte what a fresh build of the same input writes.

mod common;

use common::build_in;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Every file under `dir`: relative path -> (inode, bytes).
fn files(dir: &Path) -> BTreeMap<String, (u64, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            let meta = e.metadata().unwrap();
            (rel, (meta.ino(), std::fs::read(e.path()).unwrap()))
        })
        .collect()
}

fn bytes(files: &BTreeMap<String, (u64, Vec<u8>)>) -> BTreeMap<&str, &[u8]> {
    files
        .iter()
        .map(|(path, (_, b))| (path.as_str(), b.as_slice()))
        .collect()
}

/// The output of a fresh build of `project` into the same path.
fn fresh(project: &Path) -> BTreeMap<String, (u64, Vec<u8>)> {
    fresh_with(project, &["--locale", "de"])
}

#[test]
fn an_unchanged_rebuild_writes_nothing_and_a_change_rewrites_only_its_files() {
    let project = tempfile::tempdir().unwrap();
    let p = project.path();
    std::fs::create_dir(p.join("content")).unwrap();
    std::fs::write(
        p.join("content/404.md"),
        "---\ntitle: Not here\nsummary: That page is gone.\n---\nTry the home page.\n",
    )
    .unwrap();
    let dist = build_in(p, &["--locale", "de"]);
    let first = files(&dist);
    assert!(first.len() > 100, "{} files", first.len());

    // Unchanged input: every file is the same inode, so nothing was
    // written, and the folder itself stayed.
    let folder = std::fs::metadata(&dist).unwrap().ino();
    build_in(p, &["--locale", "de"]);
    let second = files(&dist);
    assert_eq!(second, first);
    assert_eq!(std::fs::metadata(&dist).unwrap().ino(), folder);

    // One page changed: its files are new, every other file keeps its
    // inode (hard-linked from the previous output), and the whole output
    // equals a fresh build's.
    std::fs::write(
        p.join("content/404.md"),
        "---\ntitle: Not here any more\nsummary: That page is gone.\n---\nTry the home page.\n",
    )
    .unwrap();
    build_in(p, &["--locale", "de"]);
    let third = files(&dist);
    let changed: Vec<&str> = third
        .iter()
        .filter(|(path, (ino, _))| first.get(*path).is_none_or(|(old, _)| old != ino))
        .map(|(path, _)| path.as_str())
        .collect();
    for path in ["404.html", "en/404.html", "en/404.json", "en/404.txt"] {
        assert!(changed.contains(&path), "{path} not rewritten: {changed:?}");
    }
    for path in ["500.html", "en/500.html", "de/404.html", "de/404.json"] {
        assert!(!changed.contains(&path), "{path} rewritten: {changed:?}");
    }
    assert!(
        changed.len() < 40,
        "{} of {} files rewritten: {changed:?}",
        changed.len(),
        third.len()
    );
    assert_eq!(bytes(&third), bytes(&fresh(p)));
    assert!(
        String::from_utf8_lossy(&third["en/404.html"].1).contains("Not here any more"),
        "the changed page is not in the output"
    );
}

#[test]
fn a_rebuild_restores_a_file_changed_or_removed_in_the_output() {
    let project = tempfile::tempdir().unwrap();
    let p = project.path();
    let dist = build_in(p, &["--locale", "en"]);
    let first = files(&dist);
    std::fs::write(dist.join("500.html"), "tampered").unwrap();
    std::fs::remove_file(dist.join("en/404.json")).unwrap();
    build_in(p, &["--locale", "en"]);
    assert_eq!(bytes(&files(&dist)), bytes(&first));
}

/// Builds `p` with `args`; true when the build kept the previous output
/// without rendering (it says so).
fn reused(p: &Path, args: &[&str]) -> bool {
    let output = common::errorsmith()
        .current_dir(p)
        .arg("build")
        .args(args)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    stderr.contains("kept it without rendering again")
}

/// A second build of the same inputs renders nothing; any change to any
/// input (content, a new content file, a theme file, the config, the logo,
/// an option) or to the output renders again, and the output is always a
/// fresh build's, byte for byte.
#[test]
fn only_the_same_inputs_and_an_untouched_output_skip_rendering() {
    let project = tempfile::tempdir().unwrap();
    let p = project.path();
    let svg = |fill: &str| {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="{fill}"/></svg>"#
        )
    };
    std::fs::create_dir_all(p.join("content")).unwrap();
    std::fs::create_dir_all(p.join("themes/mine")).unwrap();
    std::fs::write(p.join("logo.svg"), svg("#111")).unwrap();
    std::fs::write(
        p.join("errorsmith.yaml"),
        "theme: mine\nsite:\n  name: Example\n  logo: logo.svg\n",
    )
    .unwrap();
    std::fs::write(p.join("themes/mine/theme.yaml"), "extends: default\n").unwrap();
    std::fs::write(p.join("themes/mine/extra.css"), "p{color:#222}\n").unwrap();
    std::fs::write(
        p.join("content/404.md"),
        "---\ntitle: Not here\nsummary: That page is gone.\n---\nTry the home page.\n",
    )
    .unwrap();
    let args = ["--locale", "de"];
    assert!(!reused(p, &args), "the first build rendered nothing");
    let dist = p.join("dist");
    let first = files(&dist);
    assert!(reused(p, &args), "the unchanged rebuild rendered");
    assert_eq!(files(&dist), first, "the kept output changed");

    // Each change is a file written: (what, where, its new text).
    let changes = [
        (
            "a content file",
            p.join("content/404.md"),
            "---\ntitle: Not there\nsummary: That page is gone.\n---\nTry the home page.\n"
                .to_string(),
        ),
        (
            "a new content file",
            p.join("content/410.md"),
            "---\ntitle: Gone for good\nsummary: It was removed.\n---\nSorry.\n".to_string(),
        ),
        (
            "a theme file",
            p.join("themes/mine/extra.css"),
            "p{color:#333}\n".to_string(),
        ),
        ("the logo", p.join("logo.svg"), svg("#444")),
        (
            "the config",
            p.join("errorsmith.yaml"),
            "theme: mine\nsite:\n  name: Example Two\n  logo: logo.svg\n".to_string(),
        ),
        (
            "a page of the output",
            dist.join("500.html"),
            "tampered".to_string(),
        ),
        (
            "a file added to the output",
            dist.join("extra.html"),
            "x".to_string(),
        ),
    ];
    for (what, path, text) in changes {
        std::fs::write(path, text).unwrap();
        if what == "a file added to the output" {
            // A file errorsmith did not write is refused, not deleted.
            common::errorsmith()
                .current_dir(p)
                .arg("build")
                .args(args)
                .assert()
                .failure();
            std::fs::remove_file(dist.join("extra.html")).unwrap();
            assert!(reused(p, &args), "after removing the added file again");
            continue;
        }
        assert!(
            !reused(p, &args),
            "{what} changed, and the build did not render"
        );
        assert_eq!(bytes(&files(&dist)), bytes(&fresh_with(p, &args)), "{what}");
        assert!(reused(p, &args), "{what}: the rebuild after it rendered");
    }
    // An option changes what is built.
    assert!(!reused(p, &["--locale", "fr"]));
    assert!(!reused(p, &["--locale", "fr", "--developer", "hidden"]));
    assert!(reused(p, &["--locale", "fr", "--developer", "hidden"]));
    assert_eq!(
        bytes(&files(&dist)),
        bytes(&fresh_with(p, &["--locale", "fr", "--developer", "hidden"]))
    );
}

/// [`fresh`] with other arguments.
fn fresh_with(project: &Path, args: &[&str]) -> BTreeMap<String, (u64, Vec<u8>)> {
    let dist = project.join("dist");
    let aside = project.join("aside");
    std::fs::rename(&dist, &aside).unwrap();
    build_in(project, args);
    let fresh = files(&dist);
    std::fs::remove_dir_all(&dist).unwrap();
    std::fs::rename(&aside, &dist).unwrap();
    fresh
}
