//! `errorsmith init`: the scaffold builds at once, shows the brand's own
//! content and theme, and never overwrites a file.

mod common;

use common::errorsmith;
use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const SCAFFOLD: [&str; 7] = [
    "content/404.md",
    "errorsmith.yaml",
    "logo.svg",
    "themes/acme-shop/page.html",
    "themes/acme-shop/partials/brand.html",
    "themes/acme-shop/style.css",
    "themes/acme-shop/theme.yaml",
];

#[test]
fn init_then_build_shows_the_override_and_the_custom_theme() {
    let root = tempfile::tempdir().unwrap();
    errorsmith()
        .current_dir(root.path())
        .args(["init", "shop", "--name", "Acme Shop"])
        .assert()
        .success();
    let project = root.path().join("shop");
    for file in SCAFFOLD {
        assert!(project.join(file).is_file(), "{file} not written");
    }
    errorsmith()
        .current_dir(&project)
        .arg("build")
        .assert()
        .success();
    let out = project.join("dist");
    assert!(read(&out.join("manifest.json")).contains(r#""theme": "acme-shop""#));
    // Nobody is trusted until the owner says so: behind a proxy on the
    // same host, 127.0.0.1 would be every visitor.
    let config = read(&project.join("errorsmith.yaml"));
    assert!(config.contains("\ntrusted_networks: []\n"), "{config}");
    assert!(config.contains("\n#   - 10.0.0.0/8\n"), "{config}");
    assert!(
        read(&out.join("servers/nginx-http.conf"))
            .contains("geo $errorsmith_developer {\n    default \"\";\n}")
    );
    // The scaffold lists every server a build without `targets` writes.
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    for server in [
        "traefik", "varnish", "lighttpd", "caddy", "haproxy", "apache", "nginx",
    ] {
        assert!(
            files
                .iter()
                .any(|f| f.starts_with(&format!("servers/{server}"))),
            "{server} not written by the scaffold: {files:?}"
        );
    }

    let not_found = read(&out.join("404.html"));
    // The content override.
    assert!(not_found.contains("<h1>This page took a day off</h1>"));
    // The theme's partial override, CSS addition and replaced footer block.
    assert!(
        not_found.contains("<header class=\"brandbar\">"),
        "{not_found}"
    );
    // The name is isolated (right-to-left locales), and the logo keeps its
    // aspect ratio: no fixed square size, auto width under a max height.
    assert!(not_found.contains("<bdi>Acme Shop</bdi>"), "{not_found}");
    assert!(!not_found.contains("width=32"), "{not_found}");
    assert!(not_found.contains(
        ".brandbar img{display:block;max-height:2rem;max-width:12rem;width:auto;height:auto}"
    ));
    assert!(not_found.contains("data:image/svg+xml;base64,"), "logo");
    assert!(not_found.contains(".brandbar{"), "CSS addition");
    assert!(
        not_found.contains("border-bottom:3px solid #1a56db"),
        "brand color"
    );
    assert!(not_found.contains("<footer><bdi>Thank you for your patience.</bdi></footer>"));
    // Other codes keep the built-in content, in the brand's theme.
    let bad_gateway = read(&out.join("502.html"));
    assert!(bad_gateway.contains("<h1>Bad Gateway</h1>"));
    assert!(bad_gateway.contains("<header class=\"brandbar\">"));

    let themes = errorsmith()
        .current_dir(&project)
        .arg("themes")
        .assert()
        .success();
    let listed = String::from_utf8(themes.get_output().stdout.clone()).unwrap();
    assert!(
        listed.contains("acme-shop    Our brand; the default theme with our header and colors.")
    );
}

#[test]
fn init_defaults_to_the_current_directory_and_its_name() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("Acme Shop");
    std::fs::create_dir(&project).unwrap();
    errorsmith()
        .current_dir(&project)
        .arg("init")
        .assert()
        .success();
    for file in SCAFFOLD {
        assert!(project.join(file).is_file(), "{file} not written");
    }
    assert!(read(&project.join("errorsmith.yaml")).contains("  name: \"Acme Shop\"\n"));
    assert!(read(&project.join("errorsmith.yaml")).contains("\ntheme: acme-shop\n"));
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path();
    std::fs::write(project.join("errorsmith.yaml"), "theme: mine\n").unwrap();
    std::fs::create_dir(project.join("content")).unwrap();
    std::fs::write(project.join("content/404.md"), "mine").unwrap();
    let output = errorsmith()
        .current_dir(project)
        .args(["init", ".", "--name", "Acme Shop"])
        .assert()
        .code(1);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert_eq!(
        stderr,
        "error: not writing anything: these files already exist and errorsmith init never overwrites files:\n  ./content/404.md\n  ./errorsmith.yaml\nmove them away, or run init in another directory\n"
    );
    assert_eq!(read(&project.join("errorsmith.yaml")), "theme: mine\n");
    assert!(!project.join("themes").exists());
    assert!(!project.join("logo.svg").exists());
}

#[test]
fn init_in_the_current_folder_does_not_say_cd_dot() {
    let dir = tempfile::tempdir().unwrap();
    let assert = common::errorsmith()
        .current_dir(dir.path())
        .args(["init", "--name", "Acme"])
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("\nnext: errorsmith build   (your theme is themes/acme/)\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("cd ."), "{stderr}");
}

/// In a right-to-left page a Latin brand name or footer next to Arabic text
/// would be reordered by the bidi algorithm unless isolated: the scaffold's
/// own brand partial and footer block must isolate them as the built-in
/// themes do.
#[test]
fn the_scaffold_theme_isolates_the_brand_name_and_footer_in_an_arabic_build() {
    let root = tempfile::tempdir().unwrap();
    errorsmith()
        .current_dir(root.path())
        .args(["init", "shop", "--name", "Acme Shop"])
        .assert()
        .success();
    let project = root.path().join("shop");
    errorsmith()
        .current_dir(&project)
        .args(["build", "--locale", "ar"])
        .assert()
        .success();
    let page = scraper::Html::parse_document(&read(&project.join("dist/ar/404.html")));
    let select = |css: &str| {
        let selector = scraper::Selector::parse(css).unwrap();
        page.select(&selector)
            .map(|e| e.text().collect::<String>().trim().to_string())
            .collect::<Vec<_>>()
    };
    let root_element = page.root_element();
    assert_eq!(root_element.value().attr("dir"), Some("rtl"));
    assert_eq!(root_element.value().attr("lang"), Some("ar"));
    // The scaffold's partial, not the default theme's brand.
    assert_eq!(select("header.brandbar bdi"), ["Acme Shop"]);
    assert_eq!(select("footer bdi"), ["Thank you for your patience."]);
    assert_eq!(select("footer"), ["Thank you for your patience."]);
}
