//! Build benchmarks: `cargo bench --bench build`. Every figure is the
//! whole `errorsmith` process (the release binary), median of several runs.
//!
//! * `builtin`: the built-in set, fresh and into an existing output.
//! * `matrix`: 10 brands (a theme each) x 33 locales x 40 codes in one
//!   multi-brand run, against the floor: the same files (same paths and
//!   sizes) written into a staging folder and renamed into place, by this
//!   process, in the same run. On tmpfs and on the normal disk.
//! * `memory`: peak RSS (`/usr/bin/time -v`) of the matrix and of 300
//!   locales.
//!
//! `cargo bench --bench build -- matrix` runs one group;
//! ERRORSMITH_BENCH_RUNS sets the runs (default 10 for builtin, 5 otherwise).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_errorsmith");

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runs: Option<usize> = std::env::var("ERRORSMITH_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok());
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let shm = Path::new("/dev/shm");
    let disk = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    if wanted("builtin") {
        builtin(shm, runs.unwrap_or(10));
    }
    if wanted("matrix") {
        let project = tempfile::tempdir_in(&disk).unwrap();
        write_matrix_project(project.path(), 10, 21);
        for place in [shm, disk.as_path()] {
            matrix(project.path(), place, runs.unwrap_or(5));
        }
    }
    if wanted("memory") {
        memory(&disk);
    }
}

fn builtin(place: &Path, runs: usize) {
    let project = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir_in(place).unwrap();
    let dist = out.path().join("dist");
    let fresh = median(runs, || {
        let _ = std::fs::remove_dir_all(&dist);
        time_build(project.path(), &dist)
    });
    let again = median(runs, || time_build(project.path(), &dist));
    let mut edits = 0;
    let edited = median(runs, || {
        edits += 1;
        edit_a_page(project.path(), edits);
        time_build(project.path(), &dist)
    });
    let pages = html_pages(&dist);
    report(
        &format!("builtin, fresh ({})", place.display()),
        fresh,
        pages,
    );
    report(
        &format!("builtin, into its existing output ({})", place.display()),
        again,
        pages,
    );
    report(
        &format!(
            "builtin, into its existing output after editing content/404.md ({})",
            place.display()
        ),
        edited,
        pages,
    );
}

/// A new text for the default locale's 404 page, different on every call:
/// the edit a user makes between two builds.
fn edit_a_page(project: &Path, n: usize) {
    std::fs::create_dir_all(project.join("content")).unwrap();
    std::fs::write(
        project.join("content/404.md"),
        format!("---\ntitle: Not found ({n})\nsummary: That page is not here.\n---\nTry the home page.\n"),
    )
    .unwrap();
}

fn matrix(project: &Path, place: &Path, runs: usize) {
    let out = tempfile::tempdir_in(place).unwrap();
    // Every timed run writes into a new folder and nothing is deleted
    // until the group ends: on ext4, creating tens of thousands of files
    // right after deleting as many spends seconds in the kernel's inode
    // allocator (`recently_deleted`), for `cp -r` as much as for a build,
    // and whichever of build and floor ran after a deletion would lose.
    let mut fresh = 0;
    let build = median(runs, || {
        fresh += 1;
        time_build(project, &out.path().join(format!("dist{fresh}")))
    });
    let dist = out.path().join(format!("dist{fresh}"));
    let pages = html_pages(&dist);
    // The README, "Speed", gives this count: 10 brands x (33 locales x 40
    // codes + 40 top-level copies).
    assert_eq!(pages, 10 * (33 * 40 + 40), "the matrix's HTML pages");
    let files = list_files(&dist);
    // And this one: with JSON, text, manifests and server configs.
    assert_eq!(files.len(), 41_121, "the matrix's files");
    let bytes: u64 = files.iter().map(|(_, n)| n).sum();
    let mut floors = 0;
    let floor = median(runs, || {
        floors += 1;
        write_floor(&out.path().join(format!("floor{floors}")), &files)
    });
    let again = median(runs, || time_build(project, &dist));
    let mut edits = 0;
    let edited = median(runs, || {
        edits += 1;
        edit_a_page(project, edits);
        time_build(project, &dist)
    });
    let _ = std::fs::remove_file(project.join("content/404.md"));
    println!(
        "matrix on {}: {pages} HTML pages, {} files, {:.1} MiB",
        place.display(),
        files.len(),
        bytes as f64 / 1048576.0
    );
    report("  fresh build", build, pages);
    report(
        "  the floor (same files written, staged, renamed)",
        floor,
        pages,
    );
    println!(
        "  ratio build / floor: {:.2}",
        build.as_secs_f64() / floor.as_secs_f64()
    );
    report("  rebuild of unchanged input", again, pages);
    println!(
        "  ratio rebuild / fresh build: {:.2}",
        again.as_secs_f64() / build.as_secs_f64()
    );
    report("  rebuild after editing content/404.md", edited, pages);
    println!(
        "  ratio edited rebuild / fresh build: {:.2}",
        edited.as_secs_f64() / build.as_secs_f64()
    );
}

fn memory(disk: &Path) {
    if !Path::new("/usr/bin/time").exists() {
        println!("memory: /usr/bin/time is missing (Debian package `time`)");
        return;
    }
    let matrix = tempfile::tempdir_in(disk).unwrap();
    write_matrix_project(matrix.path(), 10, 21);
    let locales = tempfile::tempdir_in(disk).unwrap();
    write_matrix_project(locales.path(), 0, 288);
    for (name, project) in [
        ("matrix (10 brands x 33 locales)", matrix.path()),
        ("300 locales", locales.path()),
    ] {
        let out = project.join("dist");
        let output = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(BIN)
            .args(["build", "--quiet", "--out"])
            .arg(&out)
            .current_dir(project)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8_lossy(&output.stderr);
        let kib: u64 = text
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        println!(
            "memory: {name}: {} HTML pages, peak RSS {:.1} MiB",
            html_pages(&out),
            kib as f64 / 1024.0
        );
    }
}

/// `brands` brands (none: one project) with a theme each, and `locales`
/// locales beyond the built-in twelve, copied from the English content.
fn write_matrix_project(project: &Path, brands: usize, locales: usize) {
    let content = project.join("content");
    let english = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    for n in 0..locales {
        let dir = content.join(locale_tag(n));
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&english).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
            }
        }
    }
    let mut config = String::from("colors:\n  accent: \"#225522\"\n");
    if brands > 0 {
        config.push_str("brands:\n");
    }
    for n in 0..brands {
        let dir = project.join(format!("themes/brand{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("theme.yaml"),
            "description: bench\nextends: default\n",
        )
        .unwrap();
        config.push_str(&format!(
            "  brand{n}:\n    theme: brand{n}\n    site:\n      name: Brand {n}\n    colors:\n      accent: \"#22{:02x}22\"\n",
            n * 20
        ));
    }
    std::fs::write(project.join("errorsmith.yaml"), config).unwrap();
}

/// Distinct valid tags that no built-in locale uses.
fn locale_tag(n: usize) -> String {
    let a = (b'a' + (n / 26) as u8) as char;
    let b = (b'a' + (n % 26) as u8) as char;
    format!("q{a}{b}")
}

fn time_build(project: &Path, out: &Path) -> Duration {
    let start = Instant::now();
    let status = Command::new(BIN)
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
        )
        .args(["build", "--quiet", "--out"])
        .arg(out)
        .current_dir(project)
        .status()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(status.success());
    elapsed
}

/// Every file under `dir` with its size, relative paths.
fn list_files(dir: &Path) -> Vec<(PathBuf, u64)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let size = e.metadata().unwrap().len();
            (e.path().strip_prefix(dir).unwrap().to_path_buf(), size)
        })
        .collect()
}

/// The same files written without rendering: into a staging folder beside
/// `target`, from both cores, then renamed into place.
fn write_floor(target: &Path, files: &[(PathBuf, u64)]) -> Duration {
    let start = Instant::now();
    let staging = target.with_extension("staging");
    let dirs: std::collections::BTreeSet<&Path> =
        files.iter().filter_map(|(p, _)| p.parent()).collect();
    for dir in dirs {
        std::fs::create_dir_all(staging.join(dir)).unwrap();
    }
    let filler = vec![b'x'; files.iter().map(|(_, n)| *n as usize).max().unwrap_or(0)];
    std::thread::scope(|scope| {
        for half in files.chunks(files.len().div_ceil(2).max(1)) {
            let (staging, filler) = (&staging, &filler);
            scope.spawn(move || {
                for (path, size) in half {
                    std::fs::write(staging.join(path), &filler[..*size as usize]).unwrap();
                }
            });
        }
    });
    std::fs::rename(&staging, target).unwrap();
    start.elapsed()
}

fn html_pages(dir: &Path) -> usize {
    list_files(dir)
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
        .filter(|(p, _)| !p.components().any(|c| c.as_os_str() == "servers"))
        .count()
}

fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs.max(1)).map(|_| f()).collect();
    times.sort();
    times[times.len() / 2]
}

fn report(name: &str, time: Duration, pages: usize) {
    println!(
        "{name}: {pages} HTML pages in {:.1} ms (median), {:.0} pages/s",
        time.as_secs_f64() * 1e3,
        pages as f64 / time.as_secs_f64()
    );
}
