//! Several brands in one run: a folder per brand, shared keys with brand
//! overrides, one atomic swap for all of them.

mod common;

use common::errorsmith;
use std::collections::BTreeMap;
use std::path::Path;

const CONFIG: &str = "site:\n  support_url: https://help.example\ncolors:\n  accent: \"#225522\"\nlocales: [de]\nbrands:\n  acme:\n    site:\n      name: Acme\n  globex:\n    site:\n      name: Globex\n    theme: terminal\n    developer: strip\n    codes: [404, 502]\n";

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("errorsmith.yaml"), config).unwrap();
    dir
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn each_brand_gets_its_folder_its_settings_and_its_server_configs() {
    let dir = project(CONFIG);
    let output = errorsmith()
        .current_dir(dir.path())
        .arg("build")
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.contains("(brand acme, theme default, developer part hidden"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(brand globex, theme terminal, developer part strip"),
        "{stderr}"
    );
    assert!(stderr.contains("built 2 brands into dist"), "{stderr}");
    let dist = dir.path().join("dist");
    let acme = text(&dist.join("acme/de/404.html"));
    assert!(
        acme.contains("Acme") && acme.contains("https://help.example"),
        "{acme}"
    );
    assert!(acme.contains("#225522"), "the shared accent is missing");
    let globex = text(&dist.join("globex/404.html"));
    assert!(globex.contains("Globex") && !globex.contains("Acme"));
    assert!(globex.contains("https://help.example"));
    // Only the brand's codes, and strip mode's pages (no developer part).
    assert!(dist.join("globex/502.html").is_file());
    assert!(!dist.join("globex/500.html").exists());
    assert!(
        text(&dist.join("acme/404.html")).contains("id=\"developer\""),
        "the hidden build lacks its developer part"
    );
    assert!(
        !globex.contains("id=\"developer\""),
        "the strip page holds the developer part"
    );
    // Each brand's manifest is an ordinary one; the index lists brands.
    let index: serde_json::Value =
        serde_json::from_str(&text(&dist.join("manifest.json"))).unwrap();
    assert_eq!(index["brands"], serde_json::json!(["acme", "globex"]));
    let globex_manifest: serde_json::Value =
        serde_json::from_str(&text(&dist.join("globex/manifest.json"))).unwrap();
    assert_eq!(globex_manifest["theme"], "terminal");
    assert_eq!(globex_manifest["developer"], "strip");
    // Server configs name the brand's own folder; `config` reprints them
    // from the brand's folder, and says what to do with the whole output.
    let nginx = text(&dist.join("acme/servers/nginx.conf"));
    let acme_dir = std::fs::canonicalize(dist.join("acme")).unwrap();
    assert!(
        nginx.contains(&format!("alias \"{}/\";", acme_dir.display())),
        "{nginx}"
    );
    let reprint = errorsmith()
        .args(["config", "nginx", "--pages"])
        .arg(dist.join("acme"))
        .assert()
        .success();
    assert_eq!(reprint.get_output().stdout, nginx.as_bytes());
    let whole = errorsmith()
        .args(["config", "nginx", "--pages"])
        .arg(&dist)
        .assert()
        .failure();
    let message = String::from_utf8_lossy(&whole.get_output().stderr).into_owned();
    assert!(
        message.contains("is a multi-brand build; pass one brand's folder"),
        "{message}"
    );
    // A second build of the same input changes nothing.
    let before = snapshot(&dist);
    errorsmith()
        .current_dir(dir.path())
        .arg("build")
        .assert()
        .success();
    assert_eq!(snapshot(&dist), before);
}

#[test]
fn a_failure_in_one_brand_leaves_every_brands_previous_output() {
    let dir = project(CONFIG);
    errorsmith()
        .current_dir(dir.path())
        .arg("build")
        .assert()
        .success();
    let dist = dir.path().join("dist");
    let before = snapshot(&dist);
    // A theme that does not exist, in the second brand only.
    std::fs::write(
        dir.path().join("errorsmith.yaml"),
        CONFIG.replace("theme: terminal", "theme: termnial"),
    )
    .unwrap();
    let failed = errorsmith()
        .current_dir(dir.path())
        .arg("build")
        .assert()
        .failure();
    let message = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
    assert!(message.contains("brand `globex`"), "{message}");
    assert!(message.contains("`brands.globex.theme`"), "{message}");
    assert!(message.contains("did you mean `terminal`?"), "{message}");
    assert_eq!(snapshot(&dist), before);
    // A bad value names the file, the brand and the key, before anything
    // is rendered.
    std::fs::write(
        dir.path().join("errorsmith.yaml"),
        CONFIG.replace("name: Acme", "name: Acme\n    colors:\n      accent: blue"),
    )
    .unwrap();
    let failed = errorsmith()
        .current_dir(dir.path())
        .arg("build")
        .assert()
        .failure();
    let message = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
    assert!(
        message.contains("errorsmith.yaml: brand `acme`: `colors.accent` is `blue`"),
        "{message}"
    );
    assert_eq!(snapshot(&dist), before);
}

#[test]
fn check_names_the_brand_and_brand_selects_one() {
    let dir = project(&CONFIG.replace("name: Globex", "name: Globex\n      home_url: nope"));
    let output = errorsmith()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .failure();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(
        stdout.contains("errorsmith.yaml: error: brand `globex`: `site.home_url` is `nope`"),
        "{stdout}"
    );
    let dir = project(CONFIG);
    let output = errorsmith()
        .current_dir(dir.path())
        .args(["check", "--brand", "nope"])
        .assert()
        .failure();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(stdout.contains("--brand nope: "), "{stdout}");
    assert!(stdout.contains("its brands: acme, globex"), "{stdout}");
    let output = errorsmith()
        .current_dir(dir.path())
        .args(["build", "--brand", "acme"])
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(stderr.contains("`build` builds every brand"), "{stderr}");
}

/// A second build of the same brands keeps the whole output without
/// rendering and reports every brand as the first build did; a change to
/// one brand's settings renders again.
#[test]
fn an_unchanged_multi_brand_rebuild_keeps_the_output_and_reports_every_brand() {
    let dir = project(CONFIG);
    let build = || {
        let output = errorsmith()
            .current_dir(dir.path())
            .arg("build")
            .assert()
            .success();
        String::from_utf8_lossy(&output.get_output().stderr).into_owned()
    };
    let first = build();
    let before = snapshot(&dir.path().join("dist"));
    let second = build();
    assert!(
        second.contains("kept it without rendering again"),
        "{second}"
    );
    assert_eq!(
        second.replace(
            "note: the inputs are those of the last build into dist, which still holds its output; kept it without rendering again\n",
            ""
        ),
        first,
        "the reused build reports otherwise"
    );
    assert_eq!(snapshot(&dir.path().join("dist")), before);

    std::fs::write(
        dir.path().join("errorsmith.yaml"),
        CONFIG.replace("name: Globex", "name: Globex Two"),
    )
    .unwrap();
    let third = build();
    assert!(!third.contains("without rendering"), "{third}");
    assert!(text(&dir.path().join("dist/globex/de/404.html")).contains("Globex Two"));
}
