//! README, "Content format": each front matter key of its table reaches
//! the outputs it says: `title` the heading and `<title>`, `summary` the
//! page and the JSON `detail`, `fault` the theme's sentence (`either` by
//! default), `retry_after` the manifest and the server configs, `code` the
//! page a file under another name makes.

mod common;

use common::build_in;
use scraper::{Html, Selector};
use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn texts(page: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    page.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

const FAULT_SERVER: &str = "This is a problem on our side, not yours.";
const FAULT_VISITOR: &str = "Something about the request needs a change before it can work.";

#[test]
fn each_front_matter_key_reaches_the_outputs_the_readme_names() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "errorsmith.yaml",
        "locales: []\ncodes: [400, 404, 410]\n",
    );
    write(
        dir.path(),
        "content/404.md",
        "---\ntitle: Lost\nsummary: Nothing lives at this address.\nfault: server\n\
         retry_after: 30\n---\nLook elsewhere.\n",
    );
    write(
        dir.path(),
        "content/gone.md",
        "---\ncode: 410\ntitle: Gone for good\nsummary: It left.\n---\nBye.\n",
    );
    write(
        dir.path(),
        "content/400.md",
        "---\ntitle: Bad request\nsummary: Fix it.\nfault: visitor\n---\nNo.\n",
    );
    let out = build_in(dir.path(), &[]);

    let lost = Html::parse_document(&read(&out.join("404.html")));
    assert_eq!(texts(&lost, "title"), ["404 Lost"]);
    assert_eq!(texts(&lost, "h1"), ["Lost"]);
    let main = texts(&lost, "main").concat();
    assert!(main.contains("Nothing lives at this address."), "{main}");
    assert!(main.contains(FAULT_SERVER), "{main}");
    let problem: serde_json::Value = serde_json::from_str(&read(&out.join("404.json"))).unwrap();
    assert_eq!(problem["title"], "Lost");
    assert_eq!(problem["detail"], "Nothing lives at this address.");
    assert_eq!(problem["status"], 404);

    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let page = |path: &str| {
        manifest["pages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["path"] == path)
            .unwrap_or_else(|| panic!("{path} not in the manifest"))
            .clone()
    };
    assert_eq!(page("404.html")["retry_after"], 30);
    assert!(page("410.html").get("retry_after").is_none());
    let errorfile = read(&out.join("servers/haproxy/404.http"));
    let head = &errorfile[..errorfile.find("\r\n\r\n").unwrap()];
    assert!(head.contains("\r\nRetry-After: 30"), "{head}");
    assert!(!read(&out.join("servers/haproxy/410.http")).contains("Retry-After"));
    let nginx = read(&out.join("servers/nginx-http.conf"));
    assert!(
        nginx.contains(
            "map $status $errorsmith_retry_after_content {\n    default \"\";\n    404 30;\n}"
        ),
        "{nginx}"
    );

    // `code:` makes gone.md the 410; no `fault:` is `either`, which says
    // neither sentence.
    let gone = Html::parse_document(&read(&out.join("410.html")));
    assert_eq!(texts(&gone, "h1"), ["Gone for good"]);
    let main = texts(&gone, "main").concat();
    assert!(
        !main.contains(FAULT_SERVER) && !main.contains(FAULT_VISITOR),
        "{main}"
    );
    assert!(!out.join("gone.html").exists());

    let bad = Html::parse_document(&read(&out.join("400.html")));
    assert!(texts(&bad, "main").concat().contains(FAULT_VISITOR));
}
