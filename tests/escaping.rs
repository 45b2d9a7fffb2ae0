//! One hostile value per output context: HTML text, HTML attributes, URLs,
//! CSS, SSI, JSON and each server config. Every test pins the exact output
//! or the exact error, so a change in escaping shows up here first.

mod common;

use common::errorsmith;
use std::path::Path;
use std::process::Output;

/// A project in a fresh folder: `errorsmith.yaml`, an optional
/// `content/404.md`, and the test themes copied to `themes/`.
fn project(config: &str, page: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("errorsmith.yaml"), config).unwrap();
    if let Some(page) = page {
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/404.md"), page).unwrap();
    }
    common::copy_dir(&common::fixture("escaping"), dir.path());
    dir
}

fn build(dir: &Path, args: &[&str]) -> Output {
    errorsmith()
        .current_dir(dir)
        .arg("build")
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn built(dir: &Path, args: &[&str]) -> std::path::PathBuf {
    let output = build(dir, args);
    assert!(output.status.success(), "{}", stderr(&output));
    dir.join("dist")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {text}"));
    let rest = &text[from..];
    &rest[..rest[start.len()..]
        .find(end)
        .map_or(rest.len(), |e| e + start.len() + end.len())]
}

const HOSTILE_PAGE: &str = "---\ntitle: \"<script>alert(1)</script> & \\\"q\\\" 'a'\"\nsummary: \"S <b>&amp; \\\"q\\\"\"\n---\nbody\n";
const HOSTILE_SITE: &str = "codes: [404]\nsite:\n  name: \"<script>n</script> & \\\"q\\\" 'a'\"\n  footer: \"F <i>&amp; \\\"q\\\"\"\n";

#[test]
fn html_text_escapes_site_name_footer_title_and_summary() {
    let dir = project(HOSTILE_SITE, Some(HOSTILE_PAGE));
    let html = read(&built(dir.path(), &[]).join("404.html"));
    // Markup characters and quotes stay escaped as the template wrote
    // them (the minifier decodes nothing), so `&amp;` in a value shows as
    // written.
    assert_eq!(
        between(&html, "<title>", "</title>"),
        "<title>404 &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39; | &lt;script&gt;n&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;</title>"
    );
    assert_eq!(
        between(&html, "<h1>", "</h1>"),
        "<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;</h1>"
    );
    assert_eq!(
        between(&html, "<p class=\"summary\">", "</p>"),
        "<p class=\"summary\">S &lt;b&gt;&amp;amp; &quot;q&quot;</p>"
    );
    assert_eq!(
        between(&html, "<footer>", "</footer>"),
        "<footer><bdi>F &lt;i&gt;&amp;amp; &quot;q&quot;</bdi></footer>"
    );
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    assert!(!html.contains("<b>") && !html.contains("<i>"), "{html}");
}

#[test]
fn a_quoted_attribute_holds_the_value_escaped() {
    let dir = project(
        "codes: [404]\nsite:\n  name: \"A \\\"q\\\" & <b> 'x'\"\n",
        None,
    );
    let html = read(&built(dir.path(), &["--theme", "quoted"]).join("404.html"));
    // Escaped as the template wrote it, the value stays one attribute.
    assert_eq!(
        between(&html, "<p class=\"quoted\"", ">q</p>"),
        "<p class=\"quoted\" title=\"A &quot;q&quot; &amp; &lt;b&gt; &#39;x&#39;\">q</p>"
    );
}

#[test]
fn an_unquoted_attribute_that_would_gain_an_event_handler_is_refused_naming_site_name() {
    let dir = project(
        "codes: [404]\nsite:\n  name: \"x onmouseover=alert(1)\"\n",
        None,
    );
    let output = build(dir.path(), &["--theme", "attributes"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    let line = "404.html: the event handler `onmouseover=alert(1)` that the theme `attributes` does not contain; it comes from `site.name` in errorsmith.yaml; errorsmith pages carry no script and load nothing";
    assert!(
        stderr.starts_with("error: 14 problems in the build's output:\n"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("\n  {line}\n")), "{stderr}");
    assert!(
        stderr.contains("\n  servers/haproxy/404.http: the event handler `onmouseover=alert(1)`"),
        "{stderr}"
    );
    assert!(!dir.path().join("dist").exists());
}

#[test]
fn script_scheme_relative_and_quoted_urls_are_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for key in ["home_url", "status_url", "support_url"] {
        for value in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "//evil.example/x",
            "/a\"onmouseover=\"alert(1)",
            "/a'b",
            "data:text/html,x",
        ] {
            std::fs::write(
                dir.path().join("errorsmith.yaml"),
                format!("site:\n  {key}: '{}'\n", value.replace('\'', "''")),
            )
            .unwrap();
            let output = build(dir.path(), &[]);
            let also = if key == "support_url" {
                ", a `mailto:` address"
            } else {
                ""
            };
            assert_eq!(output.status.code(), Some(1), "{key}: {value}");
            assert_eq!(
                stderr(&output),
                format!(
                    "error: errorsmith.yaml: `site.{key}` is `{value}`; use an http(s) URL{also} or a path starting with `/`\n"
                )
            );
        }
    }
    assert!(!dir.path().join("dist").exists());
}

/// errorsmith gives `site.*` values in stylesheets CSS escapes, which the
/// minifier keeps as written: the value cannot end the `<style>` element,
/// and the build succeeds with the value intact as CSS reads it.
#[test]
fn a_site_name_that_would_end_the_style_element_stays_inside_it() {
    let dir = project(
        "codes: [404]\nsite:\n  name: \"</style><script>alert(1)</script>\"\n",
        None,
    );
    let html = read(&built(dir.path(), &["--theme", "stylesheet"]).join("404.html"));
    assert_eq!(
        between(&html, "<style>", "</style>"),
        "<style>h1::before{content:\"\\3C \\2F style\\3E \\3C script\\3E alert\\28 1\\29 \\3C \\2F script\\3E \"}</style>"
    );
    assert_eq!(html.matches("</style").count(), 1, "{html}");
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
}

#[test]
fn css_string_values_stay_inside_the_string() {
    let dir = project(
        "codes: [404]\nsite:\n  name: \"Tom & <Jerry> \\\"q\\\" }body{x:y}\"\n",
        None,
    );
    let html = read(&built(dir.path(), &["--theme", "stylesheet"]).join("404.html"));
    assert_eq!(
        between(&html, "<style>", "</style>"),
        "<style>h1::before{content:\"Tom\\20 \\26 \\20 \\3C Jerry\\3E \\20 \\22 q\\22 \\20 \\7D body\\7B x\\3A y\\7D \"}</style>"
    );
}

/// Every distinct SSI directive in the HTML pages, fragments and HAProxy
/// errorfiles of a build.
fn directives(out: &Path) -> (std::collections::BTreeSet<String>, usize) {
    let mut found = std::collections::BTreeSet::new();
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        let path = entry.path();
        if !path.extension().is_some_and(|e| e == "html" || e == "http") {
            continue;
        }
        pages += 1;
        let html = read(path);
        for (at, _) in html.match_indices("<!--#") {
            let end = html[at..].find("-->").map_or(html.len(), |e| at + e + 3);
            found.insert(html[at..end].to_string());
        }
    }
    (found, pages)
}

#[test]
fn an_ssi_directive_in_the_title_is_never_live() {
    let hostile = "---\ntitle: '<!--# include virtual=\"/etc/passwd\" -->'\nsummary: '<!--#exec cmd=\"id\" -->'\n---\nBody <!--# echo var=\"x\" -->\n\n## Fix {.developer}\n\nDev <!--# include virtual=\"/etc/shadow\" -->\n";
    let plain = "---\ntitle: Plain\nsummary: Plain\n---\nBody\n\n## Fix {.developer}\n\nDev\n";
    let dir = project("codes: [404]\n", Some(hostile));
    let baseline = project("codes: [404]\n", Some(plain));
    for mode in ["strip", "hidden", "ssi"] {
        let args = ["--developer", mode];
        let (own, _) = directives(&built(baseline.path(), &args));
        let out = built(dir.path(), &args);
        let (found, pages) = directives(&out);
        assert!(pages > 13, "{mode}: {pages} pages");
        // errorsmith's own directives (none outside ssi mode), and no other.
        assert_eq!(own.is_empty(), mode != "ssi", "{mode}: {own:?}");
        let foreign: Vec<&String> = found.difference(&own).collect();
        assert!(foreign.is_empty(), "{mode}: live {foreign:?}");
        let html = read(&out.join("404.html"));
        assert!(
            html.contains("&lt;!--# include virtual=&quot;/etc/passwd&quot; --&gt;"),
            "{mode}: the title is kept as text: {html}"
        );
    }
}

#[test]
fn json_round_trips_a_title_with_quotes_backslashes_script_and_line_separators() {
    let title = "Quote \" back \\ </script> line\u{2028}para\u{2029}end";
    let page =
        "---\ntitle: \"Quote \\\" back \\\\ </script> line\\u2028para\\u2029end\"\n---\nbody\n";
    let dir = project("codes: [404]\n", Some(page));
    let out = built(dir.path(), &[]);
    for path in ["404.json", "en/404.json"] {
        let text = read(&out.join(path));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["title"], title, "{path}: {text}");
        assert_eq!(value["status"], 404, "{path}: {text}");
    }
    let txt = read(&out.join("404.txt"));
    assert!(txt.contains(title), "{txt}");
}

#[test]
fn url_prefixes_servers_would_misread_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for value in [
        "/a b", "/a;b", "/a\"b", "/a'b", "/a{b}", "/a$b", "/a#b", "/a\\b", "/a/../b", "//evil",
        "/x/", "x", "/",
    ] {
        std::fs::write(
            dir.path().join("errorsmith.yaml"),
            format!("url_prefix: '{}'\n", value.replace('\'', "''")),
        )
        .unwrap();
        let output = build(dir.path(), &[]);
        assert_eq!(output.status.code(), Some(1), "{value}");
        assert_eq!(
            stderr(&output),
            format!(
                "error: errorsmith.yaml: `url_prefix` is `{value}`; use a path such as `/_errors` made of letters, digits, `-`, `_` and `/`\n"
            )
        );
    }
    assert!(!dir.path().join("dist").exists());
}

/// The directives of each server config that carry the pages folder and
/// the URL prefix, for a folder with a space, `;` and `#` and a prefix with
/// every character the config allows.
#[test]
fn each_server_config_quotes_the_pages_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("errorsmith.yaml"),
        "codes: [404]\nurl_prefix: /err-pages_v1.0/x\n",
    )
    .unwrap();
    let out = dir.path().join("pages dir;#x");
    let output = build(dir.path(), &["--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pages = out.display().to_string();
    let servers = out.join("servers");
    let lines = |file: &str| -> Vec<String> {
        read(&servers.join(file))
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && l.contains(pages.as_str()))
            .map(|l| l.trim().to_string())
            .collect()
    };
    assert_eq!(
        lines("nginx.conf"),
        [
            format!("if (-f \"{pages}.maintenance\") {{"),
            format!("alias \"{pages}/\";"),
        ]
    );
    assert_eq!(
        lines("nginx-default-backend.conf"),
        [format!("alias \"{pages}/\";")]
    );
    assert_eq!(
        lines("apache.conf"),
        [
            format!("Alias /err-pages_v1.0/x/ \"{pages}/\""),
            format!("<Directory \"{pages}\">"),
            format!("RewriteCond \"{pages}.maintenance\" -f"),
        ]
    );
    assert_eq!(
        lines("caddy.caddyfile"),
        [
            format!("try_files \"{pages}.maintenance\""),
            format!("root \"{pages}\""),
            format!("root * \"{pages}\""),
        ]
    );
    assert_eq!(
        lines("lighttpd.conf"),
        [format!("server.errorfile-prefix = \"{pages}/\"")]
    );
    assert_eq!(
        lines("haproxy.cfg"),
        [format!("errorfile 404 '{pages}/servers/haproxy/404.http'")]
    );
}

#[test]
fn a_pages_directory_a_server_cannot_quote_is_refused_naming_the_server() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("errorsmith.yaml"), "codes: [404]\n").unwrap();
    for (name, shown, server) in [
        ("pa'ge", "'\\''", "nginx"),
        ("pa\\ge", "'\\\\'", "nginx"),
        ("pa{ge}", "'{'", "caddy"),
    ] {
        let out = dir.path().join(name);
        let output = build(dir.path(), &["--out", out.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        assert_eq!(
            stderr(&output),
            format!(
                "error: pages directory `{}` contains {shown}, which {server} would read as part of its syntax; move the pages to a path without it\n",
                out.display().to_string().escape_debug()
            )
        );
        assert!(!out.exists(), "{name}");
    }
}

/// The usage comments at the top of the nginx configs show the include
/// line to paste; with a folder that needs quoting, the pasted line must
/// still name the file.
#[test]
fn the_include_line_nginx_configs_suggest_is_quoted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("errorsmith.yaml"), "codes: [404]\n").unwrap();
    let out = dir.path().join("pages dir;#x");
    let output = build(dir.path(), &["--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let conf = read(&out.join("servers/nginx.conf"));
    let expected = format!("include \"{}/servers/nginx.conf\";", out.display());
    assert!(conf.contains(&expected), "{conf}");
}

/// The same value unquoted turns its words into attribute names; the gate
/// refuses names no theme writes.
#[test]
fn an_unquoted_attribute_that_would_gain_attribute_names_is_refused() {
    let dir = project(
        "codes: [404]\nsite:\n  name: \"A \\\"q\\\" & <b> 'x'\"\n",
        None,
    );
    let output = build(dir.path(), &["--theme", "attributes"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("\n  404.html: the attribute name `&quot;q&quot;` (a value in an unquoted attribute?) that the theme `attributes` does not contain; errorsmith pages carry no script and load nothing\n"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("dist").exists());
}
