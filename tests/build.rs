//! `errorsmith build` driven as a user would: the real binary, fixture
//! folders, exact messages.

mod common;

use common::{build_in, errorsmith, fixture, fixture_copy};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir`, relative path -> bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn html_pages(dir: &Path) -> Vec<(String, String)> {
    snapshot(dir)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html") && !path.starts_with("servers/"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

#[test]
fn builds_every_builtin_page_in_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_in(dir.path(), &[]);
    let codes: Vec<u16> = (400..=418)
        .chain(421..=426)
        .chain([428, 429, 431, 451])
        .chain(500..=508)
        .chain([510, 511])
        .collect();
    for code in &codes {
        let page = std::fs::read_to_string(out.join(format!("{code}.html"))).unwrap();
        assert!(page.starts_with("<!doctype html><html"), "{code}");
        assert!(page.contains(&format!("Error {code}")), "{code}");
        assert!(out.join(format!("{code}.json")).is_file());
        assert!(out.join(format!("{code}.txt")).is_file());
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let top_level_html: Vec<u64> = manifest["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["format"] == "html" && !p["path"].as_str().unwrap().contains('/'))
        .map(|p| p["code"].as_u64().unwrap())
        .collect();
    assert_eq!(
        top_level_html,
        codes.iter().map(|c| u64::from(*c)).collect::<Vec<_>>()
    );
    for page in manifest["pages"].as_array().unwrap() {
        let bytes = std::fs::metadata(out.join(page["path"].as_str().unwrap()))
            .unwrap()
            .len();
        assert_eq!(page["bytes"].as_u64().unwrap(), bytes, "{page}");
        assert_eq!(page["theme"], "default");
        assert!(page["locale"].is_string());
    }
}

#[test]
fn page_has_the_required_head_and_visitor_parts() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_in(dir.path(), &[]);
    let page = std::fs::read_to_string(out.join("502.html")).unwrap();
    for needle in [
        "<html lang=\"en\" dir=\"ltr\">",
        "<title>502 Bad Gateway</title>",
        "<meta name=\"robots\" content=\"noindex\">",
        "name=\"viewport\"",
        "prefers-color-scheme:dark",
        "system-ui",
        "<h1>Bad Gateway</h1>",
        "This is a problem on our side, not yours.",
        // "Try again" is an empty link: it reloads the same address
        // without JavaScript.
        "<a class=\"primary\" href=\"\">Try again</a>",
        "<a href=\"/\">Go to the home page</a>",
    ] {
        assert!(page.contains(needle), "missing {needle:?} in\n{page}");
    }
    assert!(!page.contains("<script"));
}

#[test]
fn developer_part_is_hidden_by_default_and_revealed_by_target() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_in(dir.path(), &[]);
    let page = std::fs::read_to_string(out.join("502.html")).unwrap();
    assert!(page.contains("id=\"developer\""));
    assert!(page.contains("class=\"developer concealed\""));
    assert!(page.contains(".concealed{display:none}.concealed:target{display:block}"));
    assert!(
        page.contains("upstream"),
        "the 502 checklist is in the page"
    );
}

#[test]
fn strip_leaves_no_trace_of_the_developer_part() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_in(dir.path(), &["--developer", "strip"]);
    for (path, page) in html_pages(&out) {
        assert!(!page.contains("id=\"developer\""), "{path}");
        assert!(!page.contains("For the site owner"), "{path}");
    }
    let page = std::fs::read_to_string(out.join("502.html")).unwrap();
    assert!(!page.contains("proxy_buffer_size"));
}

#[test]
fn ssi_mode_puts_only_an_inert_include_in_the_page_and_the_part_in_a_fragment() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_in(dir.path(), &["--developer", "ssi"]);
    let page = std::fs::read_to_string(out.join("502.html")).unwrap();
    // Fails closed: without SSI these are inert comments.
    assert!(page.contains("<!--# if expr=\"$errorsmith_developer\" -->"));
    assert!(
        page.contains(
            "<!--# include virtual=\"/_errors/en/developer/502.html\" --><!--# endif -->"
        )
    );
    assert!(
        !page.contains("proxy_buffer_size"),
        "checklist must not be in the page"
    );
    let fragment = std::fs::read_to_string(out.join("en/developer/502.html")).unwrap();
    assert!(fragment.contains("proxy_buffer_size"));
    assert!(
        fragment.contains(
            "<!--# echo var=\"errorsmith_request_id\" encoding=\"entity\" default=\"\" -->"
        )
    );
}

#[test]
fn user_content_overrides_only_its_own_code() {
    let project = fixture_copy("errors/override");
    let out = build_in(project.path(), &[]);
    let custom = std::fs::read_to_string(out.join("404.html")).unwrap();
    assert!(custom.contains("<h1>Nothing Here</h1>"));
    assert!(custom.contains("custom checklist item"));
    let builtin = std::fs::read_to_string(out.join("403.html")).unwrap();
    assert!(builtin.contains("<h1>Forbidden</h1>"));
}

#[test]
fn content_and_themes_flags_point_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let content = fixture("errors/override/content");
    let out = build_in(dir.path(), &["--content", content.to_str().unwrap()]);
    assert!(
        std::fs::read_to_string(out.join("404.html"))
            .unwrap()
            .contains("Nothing Here")
    );
}

#[test]
fn same_input_gives_byte_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "a"])
        .assert()
        .success();
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "b"])
        .assert()
        .success();
    let a = snapshot(&dir.path().join("a"));
    let b = snapshot(&dir.path().join("b"));
    assert!(a.len() > 100);
    // Server configs name the absolute output path, which differs here.
    let strip = |s: BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        s.into_iter()
            .filter(|(p, _)| !p.starts_with("servers/"))
            .collect()
    };
    assert_eq!(strip(a), strip(b));
    // Building again into the same place gives the same bytes, servers too.
    let first = snapshot(&dir.path().join("a"));
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "a"])
        .assert()
        .success();
    assert_eq!(first, snapshot(&dir.path().join("a")));
}

#[test]
fn every_builtin_page_fits_the_size_budget_in_every_mode() {
    let dir = tempfile::tempdir().unwrap();
    for mode in ["strip", "hidden", "ssi"] {
        let out = build_in(dir.path(), &["--developer", mode]);
        for (path, page) in html_pages(&out) {
            assert!(
                page.len() <= 8 * 1024,
                "{mode} {path} is {} bytes",
                page.len()
            );
        }
    }
}

#[test]
fn no_page_references_anything_external() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_in(dir.path(), &[]);
    let pages = html_pages(&out);
    assert!(pages.len() >= 40);
    let external_attribute = regex::Regex::new(
        r#"(?i)\b(src|href|action|poster|srcset)\s*=\s*["']?\s*([a-z][a-z0-9+.-]*:)?//"#,
    )
    .unwrap();
    for (path, page) in pages {
        // The one <link> is an empty inline icon that stops browsers from
        // fetching /favicon.ico.
        assert!(
            page.contains("<link rel=\"icon\" href=\"data:,\">"),
            "{path}"
        );
        let page = page.replace("<link rel=\"icon\" href=\"data:,\">", "");
        for forbidden in [
            "<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(",
        ] {
            assert!(!page.contains(forbidden), "{path} contains {forbidden:?}");
        }
        assert!(
            !external_attribute.is_match(&page),
            "{path} links to something external"
        );
    }
}

/// Bad input: exact message, non-zero exit, and the previous output kept.
fn assert_fails_keeping_output(case: &str, args: &[&str], expected_stderr: &str) {
    let project = fixture_copy(&format!("errors/{case}"));
    // A good build first, made from a clean directory into the project's
    // output folder.
    let out = project.path().join("dist");
    let clean = tempfile::tempdir().unwrap();
    errorsmith()
        .current_dir(clean.path())
        .args(["build", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    let before = snapshot(&out);

    let assert = errorsmith()
        .current_dir(project.path())
        .arg("build")
        .args(args)
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr, expected_stderr, "case {case}");
    assert!(!stderr.contains("panicked"));
    assert_eq!(
        before,
        snapshot(&out),
        "case {case}: previous output changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(project.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".errorsmith"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn malformed_front_matter() {
    assert_fails_keeping_output(
        "malformed_yaml",
        &[],
        "error: content/404.md:3: front matter: expected string scalar; check the YAML syntax on that line (quote text that contains `:`, `#`, `[` or `{`)\n",
    );
}

#[test]
fn unknown_front_matter_key() {
    assert_fails_keeping_output(
        "unknown_key",
        &[],
        "error: content/404.md:3: front matter: unknown field `colour`, expected one of code, title, summary, fault, retry_after, extra\n",
    );
}

#[test]
fn code_that_is_not_an_error() {
    assert_fails_keeping_output(
        "code_not_error",
        &[],
        "error: content/302.md: 302 is not an error status code; use a code from 400 to 599\n",
    );
}

#[test]
fn file_name_that_is_not_a_code() {
    assert_fails_keeping_output(
        "name_not_code",
        &[],
        "error: content/oops.md: the file name must be a status code such as `404.md` (or set `code:` in the front matter)\n",
    );
}

#[test]
fn two_files_for_one_code() {
    assert_fails_keeping_output(
        "duplicate_code",
        &[],
        "error: content/missing-page.md: code 404 is already defined by `content/404.md`; keep one file per code and locale\n",
    );
}

#[test]
fn markdown_that_is_not_utf8() {
    assert_fails_keeping_output(
        "not_utf8",
        &[],
        "error: content/404.md: the file is not valid UTF-8 (first bad byte at offset 28); save it as UTF-8\n",
    );
}

#[test]
fn empty_file_and_missing_front_matter() {
    let expected = "error: content/404.md:1: the file must start with a front matter block: a line `---`, YAML such as `title: Not Found`, and a closing `---`\n";
    assert_fails_keeping_output("empty_file", &[], expected);
    assert_fails_keeping_output("no_front_matter", &[], expected);
}

#[test]
fn template_syntax_error_names_the_template_file_and_line() {
    assert_fails_keeping_output(
        "template_syntax",
        &["--theme", "broken"],
        "error: themes/broken/page.html:5: Found `</` but expected }}.\n",
    );
}

#[test]
fn theme_that_does_not_exist() {
    let project = tempfile::tempdir().unwrap();
    let assert = errorsmith()
        .current_dir(project.path())
        .args(["build", "--theme", "nope"])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr
            .starts_with("error: --theme is `nope`, which is no theme; available themes: default"),
        "{stderr}"
    );
    assert!(!project.path().join("dist").exists());
}

#[test]
fn theme_named_in_the_config_that_does_not_exist() {
    let project = fixture_copy("errors/missing_theme");
    let assert = errorsmith()
        .current_dir(project.path())
        .arg("build")
        .assert()
        .failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.starts_with("error: errorsmith.yaml: `theme` is `nope`, which is no theme; available themes: default"),
        "{stderr}"
    );
}

#[test]
fn refuses_to_replace_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("site")).unwrap();
    std::fs::write(dir.path().join("site/index.html"), "mine").unwrap();
    let assert = errorsmith()
        .current_dir(dir.path())
        .args(["build", "--out", "site"])
        .assert()
        .failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(
        stderr,
        "error: `site` is not empty and was not written by errorsmith (it has no manifest.json); choose another --out or empty it\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("site/index.html")).unwrap(),
        "mine"
    );
}

#[test]
fn missing_content_directory_flag_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    errorsmith()
        .current_dir(dir.path())
        .args(["build", "--content", "nowhere"])
        .assert()
        .failure()
        .stderr("error: --content nowhere: not a directory; pass an existing directory, or leave --content out to use ./content\n");
}

#[test]
fn help_and_version() {
    let help = errorsmith().arg("--help").assert().success();
    let help = String::from_utf8(help.get_output().stdout.clone()).unwrap();
    assert!(help.contains("Build static error pages"));
    let build_help = errorsmith().args(["build", "--help"]).assert().success();
    let build_help = String::from_utf8(build_help.get_output().stdout.clone()).unwrap();
    for flag in [
        "--out",
        "--content",
        "--themes",
        "--theme",
        "--developer",
        "--config",
    ] {
        assert!(build_help.contains(flag), "{flag}");
    }
    assert!(build_help.contains("strip"));
    errorsmith()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("errorsmith {}\n", env!("CARGO_PKG_VERSION")));
    errorsmith().arg("bogus").assert().failure().code(2);
}

/// Found by fuzzing the theme target: Tera's maps were hash maps, so a
/// theme looping over `page`, `site` or `strings` wrote its keys in a new
/// order on every run. Ten builds of such a theme give the same bytes.
#[test]
fn a_theme_looping_over_maps_gives_byte_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    let theme = dir.path().join("themes/loops");
    std::fs::create_dir_all(&theme).unwrap();
    std::fs::write(theme.join("theme.yaml"), "extends: default\n").unwrap();
    std::fs::write(
        theme.join("page.html"),
        "{% extends \"default/page.html\" %}{% block footer %}<footer>{% for key, value in strings %}{{ key }}={{ value }};{% endfor %}{% for key, value in site %}{{ key }};{% endfor %}{% for key, value in page %}{{ key }};{% endfor %}</footer>{% endblock footer %}",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("errorsmith.yaml"),
        "theme: loops\ncodes: [404]\nlocales: []\n",
    )
    .unwrap();
    let mut first: Option<Vec<u8>> = None;
    for run in 0..10 {
        let out = format!("out{run}");
        errorsmith()
            .current_dir(dir.path())
            .args(["build", "--out", &out])
            .assert()
            .success();
        let page = std::fs::read(dir.path().join(&out).join("404.html")).unwrap();
        match &first {
            None => first = Some(page),
            Some(first) => assert_eq!(first, &page, "run {run} differs"),
        }
    }
    let page = String::from_utf8(first.unwrap()).unwrap();
    assert!(page.contains("error=Error;"), "{page}");
}

/// `--out` through a symbolic link builds into the folder it names and
/// keeps the link, as deploys that switch a `current` link expect.
#[test]
fn an_output_link_is_followed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("www/errors")).unwrap();
    std::os::unix::fs::symlink("www/errors", dir.path().join("public")).unwrap();
    for _ in 0..2 {
        errorsmith()
            .current_dir(dir.path())
            .args(["build", "--locale", "en", "--out", "public"])
            .assert()
            .success();
        let link = std::fs::symlink_metadata(dir.path().join("public")).unwrap();
        assert!(link.file_type().is_symlink(), "the link was replaced");
        assert!(dir.path().join("www/errors/404.html").is_file());
    }
    let dangling = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("nowhere", dangling.path().join("public")).unwrap();
    errorsmith()
        .current_dir(dangling.path())
        .args(["build", "--locale", "en", "--out", "public"])
        .assert()
        .failure()
        .stderr("error: --out `public` is a symbolic link to `nowhere`, which does not exist; create that folder or pass another --out\n");
}
