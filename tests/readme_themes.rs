//! README statements about themes that no topic file covered: each test
//! names the statement it proves, and fails if the README stops being
//! true. (Content, build and check statements: tests/readme_claims.rs.)

mod common;

use common::{build_in, errorsmith};
use std::path::Path;

const BUILTIN_THEMES: [&str; 4] = ["default", "illustrated", "minimal", "terminal"];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The inlined stylesheet of a page.
fn stylesheet(html: &str) -> &str {
    let start = html.find("<style>").expect("page has a <style>") + "<style>".len();
    let end = html[start..].find("</style>").unwrap();
    &html[start..start + end]
}

/// The first inline SVG of a page.
fn svg(html: &str) -> &str {
    let start = html.find("<svg").expect("page has an <svg>");
    &html[start..start + html[start..].find("</svg>").unwrap()]
}

/// README, "Built-in themes": the `errorsmith themes` block is what the
/// command prints, word for word.
#[test]
fn themes_prints_the_readme_block() {
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let start = readme.find("$ errorsmith themes\n").unwrap() + "$ errorsmith themes\n".len();
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let output = errorsmith()
        .current_dir(dir.path())
        .arg("themes")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), block);
}

/// README, "Overriding content and themes": `themes/default/style.css`
/// replaces only the default theme's stylesheet (and "Your theme's files
/// also override a built-in theme of the same name, file by file").
#[test]
fn a_folder_named_like_a_builtin_theme_overrides_it_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "errorsmith.yaml", "locales: []\ncodes: [404]\n");
    write(
        dir.path(),
        "themes/default/style.css",
        "body{color:#123456}\n",
    );
    let out = build_in(dir.path(), &[]);
    let html = read(&out.join("404.html"));
    assert_eq!(stylesheet(&html), "body{color:#123456}");
    // The built-in page.html and partials still make the page.
    assert!(html.contains("<p class=\"code\">Error 404</p><h1>Not Found</h1>"));
    assert!(html.contains("id=\"developer\""));
}

/// README, "Built-in themes": `illustrated` picks its picture by code, in
/// six groups.
#[test]
fn illustrated_draws_one_picture_per_readme_group() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "errorsmith.yaml", "locales: []\n");
    let out = build_in(dir.path(), &["--theme", "illustrated"]);
    let art = |code: u16| svg(&read(&out.join(format!("{code}.html")))).to_string();
    let groups: [(&str, &[u16]); 6] = [
        ("lock", &[401, 403, 407, 511]),
        ("magnifier", &[404, 410, 414]),
        ("clock", &[408, 425, 429, 504]),
        ("pulled plug", &[502, 503]),
        ("server (other 5xx)", &[500, 501, 505, 507, 508, 510]),
        ("page (other 4xx)", &[400, 402, 405, 409, 418, 451]),
    ];
    let mut pictures = Vec::new();
    for (name, codes) in groups {
        let first = art(codes[0]);
        for &code in &codes[1..] {
            assert_eq!(art(code), first, "{code} should show the {name}");
        }
        assert!(!pictures.contains(&first), "the {name} repeats a picture");
        pictures.push(first);
    }
}

/// README: "A content file can choose another with `extra: {art: clock}`".
#[test]
fn extra_art_chooses_another_illustration() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: []\ncodes: [404, 408]\n",
    );
    write(
        dir.path(),
        "content/404.md",
        "---\ntitle: Not Found\nextra: {art: clock}\n---\nGone.\n",
    );
    let out = build_in(dir.path(), &["--theme", "illustrated"]);
    let clock = svg(&read(&out.join("408.html"))).to_string();
    assert_eq!(svg(&read(&out.join("404.html"))), clock);
}

/// README, content keys: `extra` is a free-form map for custom themes
/// (`page.extra`).
#[test]
fn extra_reaches_a_custom_theme_as_page_extra() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: []\ncodes: [404]\ntheme: mine\n",
    );
    write(dir.path(), "themes/mine/theme.yaml", "extends: default\n");
    write(
        dir.path(),
        "themes/mine/page.html",
        "{% extends \"default/page.html\" %}{% block heading %}<p class=\"team\">{{ page.extra.team }} / {{ page.extra.nested.n }}</p>{{ super() }}{% endblock heading %}",
    );
    write(
        dir.path(),
        "content/404.md",
        "---\ntitle: Not Found\nextra:\n  team: Platform crew\n  nested: {n: 7}\n---\nGone.\n",
    );
    let out = build_in(dir.path(), &[]);
    assert!(read(&out.join("404.html")).contains("<p class=\"team\">Platform crew / 7</p>"));
}

/// README: "`terminal` draws its window in your dark colors in both
/// [schemes], on a desk that follows the setting".
#[test]
fn terminal_draws_its_window_in_the_dark_colors_outside_the_dark_query() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: []\ncodes: [404]\ncolors:\n  background: \"#fefefe\"\n  dark_background: \"#10100c\"\n",
    );
    let out = build_in(dir.path(), &["--theme", "terminal"]);
    let css = stylesheet(&read(&out.join("404.html"))).to_string();
    // The top-level `main{...}` rule, outside every media query.
    let mut depth = 0;
    let mut window = None;
    for (at, c) in css.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ if depth == 0 && css[at..].starts_with("main{") => {
                window = Some(&css[at..at + css[at..].find('}').unwrap()]);
            }
            _ => {}
        }
    }
    let window = window.expect("a top-level main rule");
    assert!(window.contains("--bg:#10100c"), "{window}");
    assert!(window.contains("background:var(--bg)"), "{window}");
    // The desk (body) follows the setting: light background at :root.
    assert!(
        css.starts_with(":root{color-scheme:light dark;--bg:#fefefe"),
        "{css}"
    );
    assert!(css.contains("body{") && css.contains("background:var(--soft)"));
}

/// README, "Checked in a real browser": the font stacks name
/// `fonts-noto-cjk` next to the macOS and Windows system fonts, in every
/// built-in theme.
#[test]
fn cjk_font_stacks_name_noto_and_the_system_fonts() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: [ja, zh, ko]\ncodes: [404]\n",
    );
    for theme in BUILTIN_THEMES {
        let out = build_in(dir.path(), &["--theme", theme]);
        for (locale, fonts) in [
            (
                "ja",
                ["\"Hiragino Sans\"", "\"Yu Gothic\"", "\"Noto Sans CJK JP\""],
            ),
            (
                "zh",
                [
                    "\"PingFang SC\"",
                    "\"Microsoft YaHei\"",
                    "\"Noto Sans CJK SC\"",
                ],
            ),
            (
                "ko",
                [
                    "\"Apple SD Gothic Neo\"",
                    "\"Malgun Gothic\"",
                    "\"Noto Sans CJK KR\"",
                ],
            ),
        ] {
            let html = read(&out.join(format!("{locale}/404.html")));
            let css = stylesheet(&html);
            let rule = format!("html:lang({locale})");
            let at = css
                .find(&rule)
                .unwrap_or_else(|| panic!("{theme}: no {rule} rule"));
            let stack = &css[at..at + css[at..].find('}').unwrap()];
            for font in fonts {
                assert!(stack.contains(font), "{theme} {locale}: {stack}");
            }
        }
    }
}

/// README, "Design choices": shades are computed in Rust, not with CSS
/// `color-mix()`.
#[test]
fn no_builtin_stylesheet_mixes_colors_in_css() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "errorsmith.yaml", "locales: []\ncodes: [404]\n");
    for theme in BUILTIN_THEMES {
        let out = build_in(dir.path(), &["--theme", theme]);
        let html = read(&out.join("404.html"));
        assert!(!stylesheet(&html).contains("color-mix("), "{theme}");
    }
}

/// README, "Writing a custom theme": each block the README names in the
/// default `page.html` can be replaced by a theme that extends it.
#[test]
fn every_block_the_readme_names_can_be_replaced() {
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let start = readme
        .find("the default `page.html` has the blocks")
        .unwrap();
    let sentence = &readme[start..start + readme[start..].find("`.").unwrap() + 1];
    let blocks: Vec<&str> = sentence.split('`').skip(3).step_by(2).collect();
    assert!(blocks.len() >= 6, "{sentence}");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: []\ncodes: [404]\ntheme: mine\nvisitor_reference: true\n",
    );
    write(dir.path(), "themes/mine/theme.yaml", "extends: default\n");
    let mut page = String::from("{% extends \"default/page.html\" %}");
    for block in &blocks {
        page.push_str(&format!(
            "{{% block {block} %}}<i>replaced-{block}</i>{{% endblock {block} %}}"
        ));
    }
    write(dir.path(), "themes/mine/page.html", &page);
    let out = build_in(dir.path(), &[]);
    let html = read(&out.join("404.html"));
    for block in &blocks {
        assert!(
            html.contains(&format!("<i>replaced-{block}</i>")),
            "{block}: {html}"
        );
    }
}

/// README, "Writing a custom theme": the template variables and the
/// fields the README lists, with their values for a 503 page.
#[test]
fn templates_see_the_variables_the_readme_lists() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: [ar]\ncodes: [503]\ntheme: mine\nsite:\n  name: Varco\ncolors:\n  accent: \"#1a56db\"\n",
    );
    write(dir.path(), "themes/mine/theme.yaml", "extends: default\n");
    write(
        dir.path(),
        "themes/mine/page.html",
        "{% extends \"default/page.html\" %}{% block heading %}<p class=\"vars\">{{ page.code }}|{{ page.locale }}|{{ page.title }}|{{ page.summary }}|{{ page.fault }}|{{ page.retry_after }}|{{ page.visitor_html | length > 0 }}|{{ site.name }}|{{ strings.try_again }}|{{ fault_note | length > 0 }}|{{ developer.mode }}|{{ developer.html | length > 0 }}|{{ theme }}|{{ lang }}|{{ dir }}|{{ css | length > 0 }}|{{ colors.light.accent }}</p>{% endblock heading %}",
    );
    write(
        dir.path(),
        "content/503.md",
        "---\ntitle: Down\nsummary: Back soon.\nfault: server\nretry_after: 90\n---\nWait.\n\n## Fix {.developer}\n\n- restart\n",
    );
    let out = build_in(dir.path(), &["--developer", "hidden"]);
    let html = read(&out.join("503.html"));
    let vars = &html[html.find("<p class=\"vars\">").expect("vars") + 16..];
    let vars = &vars[..vars.find("</p>").unwrap()];
    assert_eq!(
        vars,
        "503|en|Down|Back soon.|server|90|true|Varco|Try again|true|hidden|true|mine|en|ltr|true|#1a56db"
    );
    let arabic = read(&out.join("ar/503.html"));
    assert!(arabic.contains("|ar|rtl|"), "lang and dir per locale");
}

/// README, "Add CSS in your colors": `style.css` gets `colors.light.*` and
/// `colors.dark.*` with seven keys each, and `site`.
#[test]
fn a_stylesheet_template_gets_every_color_key_and_site() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: []\ncodes: [404]\ntheme: mine\nsite:\n  name: Hue\n",
    );
    write(dir.path(), "themes/mine/theme.yaml", "extends: default\n");
    let keys = [
        "background",
        "text",
        "accent",
        "on_accent",
        "muted",
        "line",
        "soft",
    ];
    let mut css = String::new();
    for scheme in ["light", "dark"] {
        for key in keys {
            css.push_str(&format!(
                ".{scheme}-{key}{{color:{{{{ colors.{scheme}.{key} }}}}}}\n"
            ));
        }
    }
    css.push_str(".site::after{content:\"{{ site.name }}\"}\n");
    write(dir.path(), "themes/mine/style.css", &css);
    let out = build_in(dir.path(), &[]);
    let html = read(&out.join("404.html"));
    let sheet = stylesheet(&html);
    let color = regex::Regex::new(r"^#[0-9a-f]{6}$").unwrap();
    for scheme in ["light", "dark"] {
        for key in keys {
            let rule = format!(".{scheme}-{key}{{color:");
            let at = sheet
                .find(&rule)
                .unwrap_or_else(|| panic!("{rule} in {sheet}"))
                + rule.len();
            let value = &sheet[at..at + sheet[at..].find('}').unwrap()];
            assert!(color.is_match(value), "{scheme}.{key} is {value:?}");
        }
    }
    assert!(sheet.contains(".site::after{content:\"Hue\"}"), "{sheet}");
}

/// Issue 10, point 10: in right-to-left pages the brand name and the footer
/// are isolated (`<bdi>`), in every built-in theme.
#[test]
fn rtl_pages_isolate_the_brand_name_and_footer_in_every_theme() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: [ar]\ncodes: [404]\nsite:\n  name: Acme Shop\n  footer: Acme Inc.\n",
    );
    for theme in BUILTIN_THEMES {
        let out = build_in(dir.path(), &["--theme", theme]);
        let html = read(&out.join("ar/404.html"));
        assert!(html.contains("dir=\"rtl\""), "{theme}");
        for text in ["Acme Shop", "Acme Inc."] {
            assert!(
                html.contains(&format!("<bdi>{text}</bdi>")),
                "{theme}: {text}"
            );
        }
    }
}
