//! `errorsmith check`: each kind of finding, exact lines, exit codes, the
//! JSON document, and that it writes nothing.

mod common;

use common::errorsmith;
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

/// Runs `check` in `dir`; returns exit code and stdout.
fn check(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = errorsmith()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

fn files_in(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().path().display().to_string())
        .collect()
}

#[test]
fn built_in_project_passes_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.ends_with(" errors, 0 warnings\n") || stdout.ends_with("0 warnings\n"));
    assert!(
        stdout.starts_with("0 errors, ") || stdout.contains("\n0 errors, "),
        "{stdout}"
    );
    assert_eq!(files_in(dir.path()).len(), 1, "check wrote files");
}

#[test]
fn every_built_in_theme_passes() {
    let dir = tempfile::tempdir().unwrap();
    let themes = errorsmith()
        .current_dir(dir.path())
        .arg("themes")
        .output()
        .unwrap();
    let themes = String::from_utf8(themes.stdout).unwrap();
    for theme in themes.lines().filter_map(|l| l.split_whitespace().next()) {
        let (code, stdout) = check(dir.path(), &["--theme", theme]);
        assert_eq!(code, 0, "theme {theme}:\n{stdout}");
    }
}

#[test]
fn page_over_the_budget_is_an_error_naming_the_content_file() {
    // About 10 KB: over the 8 KiB budget, under HAProxy's 15 KiB limit.
    let body = "Lorem ipsum dolor sit amet. ".repeat(360);
    let dir = project(&[
        (
            "content/404.md",
            &format!("---\ntitle: Not Found\n---\n{body}\n"),
        ),
        ("errorsmith.yaml", "locales: [en]\n"),
    ]);
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("budget"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        line.starts_with("content/404.md: error: page 404 (en) is "),
        "{line}"
    );
    assert!(line.ends_with("bytes, over the 8192-byte budget; shorten the text, or move detail to the developer part with --developer strip or ssi"), "{line}");
    assert!(stdout.ends_with("1 error, 0 warnings\n"), "{stdout}");
}

#[test]
fn broken_relative_links_are_errors_with_their_line() {
    let dir = project(&[
        (
            "content/404.md",
            "---\ntitle: Not Found\n---\nFine: [503](503.html), [top](#top), [home](/), [web](https://example.com/x.html).\n\nBroken: [x](599.html)\n\nAlso: [y](../../etc/passwd)\n",
        ),
        (
            "content/de/404.md",
            "---\ntitle: Nicht gefunden\n---\n[ok](503.html) [up](../500.html) [abs](/_errors/de/502.html) [bad](/_errors/de/599.html)\n",
        ),
    ]);
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    let errors: Vec<&str> = stdout.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(
        errors,
        [
            "content/404.md:6: error: link `599.html` leads to no page of this build; link to a built page such as `404.html` (or `../404.html` from a locale folder), or remove the link",
            "content/404.md:8: error: link `../../etc/passwd` leads to no page of this build; link to a built page such as `404.html` (or `../404.html` from a locale folder), or remove the link",
            "content/de/404.md:4: error: link `/_errors/de/599.html` leads to no page of this build; link to a built page such as `404.html` (or `../404.html` from a locale folder), or remove the link",
        ],
        "{stdout}"
    );
}

#[test]
fn external_resources_in_themes_are_errors_unless_brand_links() {
    let dir = project(&[
        (
            "errorsmith.yaml",
            "theme: mine\nsite:\n  home_url: https://shop.example/\n",
        ),
        ("themes/mine/theme.yaml", "extends: default\n"),
        (
            "themes/mine/partials/brand.html",
            "<p><a href=\"https://shop.example/\">home</a></p>\n<img src=\"//cdn.example/logo.png\" alt=\"\">\n",
        ),
        (
            "themes/mine/style.css",
            "body{color:#000}\n@font-face{src:url('https://fonts.example/a.woff2')}\n",
        ),
    ]);
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    let errors: Vec<&str> = stdout.lines().filter(|l| l.contains(": error: ")).collect();
    let fix = "inline the resource (CSS, a data: URI or inline SVG) or link through `site.*` in errorsmith.yaml";
    assert_eq!(
        errors,
        [
            format!(
                "themes/mine/partials/brand.html:2: error: `//cdn.example/logo.png` is loaded or linked from outside the page; pages must be self-contained; {fix}"
            ),
            format!(
                "themes/mine/style.css:2: error: `https://fonts.example/a.woff2` is loaded or linked from outside the page; pages must be self-contained; {fix}"
            ),
        ],
        "{stdout}"
    );
}

#[test]
fn low_contrast_brand_colors_are_errors_at_the_config_line() {
    let dir = project(&[(
        "errorsmith.yaml",
        "colors:\n  accent: \"#1a56db\"\n  dark_background: \"#121417\"\n  dark_accent: \"#222222\"\n",
    )]);
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("errorsmith.yaml:4: error: dark scheme: `colors.dark_accent` #222222 on `colors.dark_background` #121417 has contrast 1.16:1, below WCAG AA 4.5:1; choose a darker or lighter color until the ratio reaches 4.5\n"),
        "{stdout}"
    );
    assert!(stdout.ends_with("1 error, 0 warnings\n"), "{stdout}");
}

#[test]
fn loading_errors_become_findings_with_file_and_line() {
    let dir = project(&[
        ("content/404.md", "---\ntitle: x\ncolour: red\n---\n"),
        ("content/503.md", "no front matter\n"),
    ]);
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("content/404.md:3: error: front matter: unknown field `colour`"),
        "{stdout}"
    );
    assert!(
        lines[1]
            .starts_with("content/503.md:1: error: the file must start with a front matter block"),
        "{stdout}"
    );
    assert_eq!(lines[2], "2 errors, 0 warnings");
}

#[test]
fn missing_translations_are_warnings_and_exit_zero() {
    let dir = project(&[
        ("errorsmith.yaml", "codes: [404, 500]\n"),
        ("content/eo/404.md", "---\ntitle: Ne trovita\n---\nx\n"),
    ]);
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        stdout,
        "content/eo: warning: locale `eo` has no translation of 1 code(s) the default locale `en` has: 500; add content/eo/NNN.md for each (until then those pages show the `en` text)\n0 errors, 1 warning\n"
    );
}

#[test]
fn json_format_lists_findings_and_summary() {
    let dir = project(&[
        (
            "errorsmith.yaml",
            "codes: [404, 500]\ncolors:\n  text: \"#bbbbbb\"\n",
        ),
        ("content/eo/404.md", "---\ntitle: Ne trovita\n---\nx\n"),
    ]);
    let (code, stdout) = check(dir.path(), &["--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["summary"]["warnings"], 1);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings[0]["file"], "errorsmith.yaml");
    assert_eq!(findings[0]["line"], 3);
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(
        findings[0]["fix"],
        "choose a darker or lighter color until the ratio reaches 4.5"
    );
    assert_eq!(findings[1]["severity"], "warning");
    assert_eq!(findings[1]["file"], "content/eo");
    assert!(findings[1]["line"].is_null());
}

#[test]
fn options_are_honoured_and_a_missing_theme_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout) = check(dir.path(), &["--theme", "nope"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.starts_with(
            "errorsmith.yaml: error: --theme is `nope`, which is no theme; available themes: "
        ),
        "{stdout}"
    );
    let (code, stdout) = check(dir.path(), &["--content", "missing"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "project: error: --content missing: not a directory; pass an existing directory"
        ),
        "{stdout}"
    );
}

#[test]
fn networks_that_trust_everyone_are_warnings_naming_their_line() {
    let dir = project(&[(
        "errorsmith.yaml",
        "developer: ssi\ntrusted_networks:\n  - 10.0.0.0/8\n  - \"::/0\"\n  - \"::ffff:0:0/96\"\n  - 0.0.0.0/0\n",
    )]);
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{stdout}");
    let fix = "list only the networks you run, such as `10.0.0.0/8`";
    for (line, value, everyone) in [
        (4, "::/0", "every IPv6 client"),
        (
            5,
            "::ffff:0:0/96",
            "every IPv4 client that reaches the server as an IPv4-mapped `::ffff:` address",
        ),
        (6, "0.0.0.0/0", "every IPv4 client"),
    ] {
        let wanted = format!(
            "errorsmith.yaml:{line}: warning: `trusted_networks` lists `{value}`, which trusts {everyone}: in `ssi` mode they all see the developer part; {fix}\n"
        );
        assert!(stdout.contains(&wanted), "{wanted}\n{stdout}");
    }
    assert!(!stdout.contains("10.0.0.0/8`, which"), "{stdout}");
    assert!(stdout.ends_with("0 errors, 3 warnings\n"), "{stdout}");
}

#[test]
fn a_url_prefix_under_well_known_is_a_warning() {
    for prefix in ["/.well-known", "/.well-known/errors"] {
        let dir = project(&[("errorsmith.yaml", &format!("url_prefix: {prefix}\n"))]);
        let (code, stdout) = check(dir.path(), &[]);
        assert_eq!(code, 0, "{stdout}");
        assert!(
            stdout.contains(&format!(
                "errorsmith.yaml:1: warning: `url_prefix` is `{prefix}`, under `/.well-known/`: the server configs keep every path under the prefix for error pages, and ACME certificate checks and other standard files under `/.well-known/` must reach the site (proxies often hand all of it to another service); use a path of your own such as `/_errors`\n"
            )),
            "{stdout}"
        );
    }
    let dir = project(&[("errorsmith.yaml", "url_prefix: /.well-knownish\n")]);
    let (_, stdout) = check(dir.path(), &[]);
    assert_eq!(stdout, "0 errors, 0 warnings\n");
}

/// README: `check` renders every page "in every locale, in the configured
/// developer mode": a problem only the German page has, and one only the
/// `ssi` fragment has, are both found.
#[test]
fn check_renders_every_locale_and_the_configured_developer_mode() {
    let body = "Lorem ipsum dolor sit amet. ".repeat(360);
    let dir = project(&[
        ("errorsmith.yaml", "locales: [de]\ncodes: [404]\n"),
        (
            "content/de/404.md",
            &format!("---\ntitle: Nicht gefunden\n---\n{body}\n"),
        ),
    ]);
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.starts_with("content/de/404.md: error: page 404 (de) is "),
        "{stdout}"
    );

    let dir = project(&[
        (
            "errorsmith.yaml",
            "locales: [en]\ncodes: [404]\ntheme: bare\ndeveloper: ssi\n",
        ),
        ("themes/bare/theme.yaml", "description: bare\n"),
        (
            "themes/bare/page.html",
            "<!doctype html><html lang=\"{{ lang }}\"><head><title>{{ page.title }}</title><style>{{ css | safe }}</style></head><body><main><h1>{{ page.title }}</h1>{{ page.visitor_html | safe }}{% if developer.include %}{{ developer.include | safe }}{% endif %}</main></body></html>",
        ),
        ("themes/bare/style.css", "body{color:#000}"),
        (
            "themes/bare/developer.html",
            "<section>{{ no_such_thing }}{{ developer.html | safe }}</section>",
        ),
    ]);
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.starts_with(
            "themes/bare/developer.html:1: error: Variable `no_such_thing` is not defined."
        ),
        "{stdout}"
    );
    // The same project in hidden mode never renders developer.html.
    std::fs::write(
        dir.path().join("errorsmith.yaml"),
        "locales: [en]\ncodes: [404]\ntheme: bare\ndeveloper: hidden\n",
    )
    .unwrap();
    let (code, stdout) = check(dir.path(), &[]);
    assert_eq!((code, stdout.as_str()), (0, "0 errors, 0 warnings\n"));
}

/// README: `check --config site/errorsmith.yaml --content site/content
/// --themes site/themes` checks a project that is not at the top.
#[test]
fn config_content_and_themes_options_point_check_at_another_folder() {
    let dir = project(&[
        (
            "site/errorsmith.yaml",
            "locales: [en]\ncodes: [404]\ntheme: mine\n",
        ),
        (
            "site/content/404.md",
            "---\ntitle: Not Found\n---\n[x](599.html)\n",
        ),
        ("site/themes/mine/theme.yaml", "extends: default\n"),
        (
            "site/themes/mine/style.css",
            "@import url(https://fonts.example/a.css);\n",
        ),
    ]);
    let (code, stdout) = check(
        dir.path(),
        &[
            "--config",
            "site/errorsmith.yaml",
            "--content",
            "site/content",
            "--themes",
            "site/themes",
        ],
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("site/content/404.md:4: error: link `599.html`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("site/themes/mine/style.css:1: error: `https://fonts.example/a.css`"),
        "{stdout}"
    );
    assert!(stdout.ends_with("2 errors, 0 warnings\n"), "{stdout}");
}

/// README, exit codes: 2 for wrong command-line arguments.
#[test]
fn wrong_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout) = check(dir.path(), &["--format", "nope"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
}

/// README, JSON: "`fix` is empty when the message already says what to do"
/// (Tera's own syntax messages carry no `; fix`).
#[test]
fn fix_is_empty_when_the_message_has_none() {
    let dir = project(&[
        ("errorsmith.yaml", "locales: [en]\ncodes: [404]\ntheme: t\n"),
        ("themes/t/theme.yaml", "extends: default\n"),
        ("themes/t/page.html", "{{ x }"),
    ]);
    let (code, stdout) = check(dir.path(), &["--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["message"], "Found `}` but expected }}.");
    assert_eq!(finding["fix"], "");
}
