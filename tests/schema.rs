//! `errorsmith schema`: every config in the README and the `init` scaffold
//! validate against the generated schemas with a real validator
//! (check-jsonschema), and bad configs fail the schema where `build` fails.

mod common;

use common::{errorsmith, require_program};
use std::path::{Path, PathBuf};
use std::process::Command;

fn schema(document: &str) -> String {
    let output = errorsmith().args(["schema", document]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Writes the three schemas into `dir`; returns (config, theme, front matter).
fn write_schemas(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let path = |name: &str| dir.join(format!("{name}.schema.json"));
    for name in ["config", "theme", "front-matter"] {
        std::fs::write(path(name), schema(name)).unwrap();
    }
    (path("config"), path("theme"), path("front-matter"))
}

/// Runs check-jsonschema; Ok on a valid instance, Err(its output) otherwise.
fn validate(validator: &Path, schema: &Path, instance: &Path) -> Result<(), String> {
    let output = Command::new(validator)
        .arg("--schemafile")
        .arg(schema)
        .arg(instance)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    match output.status.code() {
        Some(0) => Ok(()),
        // 1: the instance is invalid. Anything else is the schema's or the
        // tool's fault, never a pass or an expected failure.
        Some(1) if text.contains("Schema validation errors") => Err(text),
        _ => panic!("check-jsonschema failed on {}: {text}", instance.display()),
    }
}

/// The fenced blocks of `lang` in a Markdown text.
fn fenced_blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_end() == format!("```{lang}") => current = Some(String::new()),
            Some(block) if line.trim_end() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// A YAML block of the docs is an `errorsmith.yaml` unless its first line
/// names another file (`# .gitlab-ci.yml`).
fn is_errorsmith_config(block: &str) -> bool {
    let first = block.lines().next().unwrap_or_default();
    match first.strip_prefix("# ") {
        Some(name) if !name.contains(' ') => name.ends_with("errorsmith.yaml"),
        _ => true,
    }
}

#[test]
fn ci_examples_are_told_apart_from_configs() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/in-ci.md");
    let blocks = fenced_blocks(&std::fs::read_to_string(docs).unwrap(), "yaml");
    assert_eq!(blocks.len(), 2);
    assert!(blocks.iter().all(|b| !is_errorsmith_config(b)));
    assert!(is_errorsmith_config("# errorsmith.yaml\ndeveloper: ssi\n"));
    assert!(is_errorsmith_config("site:\n  name: Acme\n"));
}

/// The YAML between the `---` lines at the top of a content file.
fn front_matter(markdown: &str) -> String {
    let rest = markdown.strip_prefix("---\n").expect("front matter");
    rest[..rest.find("\n---\n").expect("front matter end") + 1].to_string()
}

#[test]
fn readme_examples_validate_against_the_schemas() {
    let Some(validator) = require_program("check-jsonschema", "readme_examples_validate") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (config, _, front) = write_schemas(dir.path());
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let configs: Vec<String> = fenced_blocks(&readme, "yaml")
        .into_iter()
        .filter(|block| is_errorsmith_config(block))
        .collect();
    assert!(configs.len() >= 2, "{configs:?}");
    for (i, block) in configs.iter().enumerate() {
        let path = dir.path().join(format!("readme-{i}.yaml"));
        std::fs::write(&path, block).unwrap();
        validate(&validator, &config, &path).unwrap_or_else(|e| panic!("{block}\n{e}"));
    }
    let pages = fenced_blocks(&readme, "markdown");
    assert!(!pages.is_empty());
    for (i, page) in pages.iter().enumerate() {
        let path = dir.path().join(format!("readme-page-{i}.yaml"));
        std::fs::write(&path, front_matter(page)).unwrap();
        validate(&validator, &front, &path).unwrap_or_else(|e| panic!("{page}\n{e}"));
    }
}

#[test]
fn init_scaffold_validates_and_points_editors_at_its_schema() {
    let Some(validator) = require_program("check-jsonschema", "init_scaffold_validates") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_, theme, front) = write_schemas(dir.path());
    let project = dir.path().join("acme");
    errorsmith()
        .args(["init", "-q"])
        .arg(&project)
        .assert()
        .success()
        .stderr("");
    let config = std::fs::read_to_string(project.join("errorsmith.yaml")).unwrap();
    assert!(
        config.starts_with("# yaml-language-server: $schema=./errorsmith.schema.json\n"),
        "{config}"
    );
    // The schema init writes is the one `errorsmith schema config` prints.
    let written = project.join("errorsmith.schema.json");
    assert_eq!(std::fs::read_to_string(&written).unwrap(), schema("config"));
    validate(&validator, &written, &project.join("errorsmith.yaml")).unwrap();
    validate(&validator, &theme, &project.join("themes/acme/theme.yaml")).unwrap();
    let page = std::fs::read_to_string(project.join("content/404.md")).unwrap();
    let path = dir.path().join("404-front-matter.yaml");
    std::fs::write(&path, front_matter(&page)).unwrap();
    validate(&validator, &front, &path).unwrap();
}

/// Each of these stops `build`; the schema must flag it too, so an editor
/// shows the mistake before anyone runs a build.
const BAD_CONFIGS: [(&str, &str); 12] = [
    ("unknown key", "sitee:\n  name: Acme\n"),
    ("unknown nested key", "site:\n  nmae: Acme\n"),
    ("wrong type", "codes: all\n"),
    ("wrong nested type", "site:\n  name: [Acme]\n"),
    ("bad developer mode", "developer: public\n"),
    ("bad color", "colors:\n  accent: red\n"),
    ("short hex color", "colors:\n  dark_text: \"#12345\"\n"),
    ("color with alpha", "colors:\n  accent: \"#1a56db10\"\n"),
    (
        "short color with alpha",
        "colors:\n  background: \"#fff8\"\n",
    ),
    ("code out of range", "codes: [200]\n"),
    ("script link", "site:\n  home_url: javascript:alert(1)\n"),
    ("url prefix without slash", "url_prefix: errors\n"),
];

#[test]
fn bad_configs_fail_the_schema_where_build_fails() {
    let Some(validator) = require_program("check-jsonschema", "bad_configs_fail") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (config, _, _) = write_schemas(dir.path());
    for (what, yaml) in BAD_CONFIGS {
        let project = tempfile::tempdir().unwrap();
        let file = project.path().join("errorsmith.yaml");
        std::fs::write(&file, yaml).unwrap();
        let build = errorsmith()
            .current_dir(project.path())
            .arg("build")
            .output()
            .unwrap();
        assert_eq!(build.status.code(), Some(1), "{what}: build passed");
        assert!(!project.path().join("dist").exists(), "{what}: build wrote");
        assert!(
            validate(&validator, &config, &file).is_err(),
            "{what}: the schema accepts what build refuses:\n{yaml}"
        );
    }
}

#[test]
fn schema_describes_the_keys_with_their_help() {
    let config: serde_json::Value = serde_json::from_str(&schema("config")).unwrap();
    assert_eq!(
        config["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(config["title"], "errorsmith.yaml");
    assert_eq!(config["additionalProperties"], false);
    let developer = serde_json::to_string(&config["$defs"]["DeveloperMode"]).unwrap();
    for mode in ["strip", "hidden", "ssi"] {
        assert!(developer.contains(&format!("\"{mode}\"")), "{developer}");
    }
    let theme: serde_json::Value = serde_json::from_str(&schema("theme")).unwrap();
    assert_eq!(theme["title"], "theme.yaml");
    assert!(theme["properties"]["extends"].is_object(), "{theme}");
    // Default is `config`.
    let output = errorsmith().arg("schema").output().unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), schema("config"));
}

#[test]
fn visitor_reference_is_a_documented_boolean_off_by_default() {
    let schema: serde_json::Value = serde_json::from_str(&schema("config")).unwrap();
    let key = &schema["properties"]["visitor_reference"];
    assert_eq!(key["type"], "boolean", "{key}");
    assert_eq!(key["default"], false, "{key}");
    assert!(
        key["description"]
            .as_str()
            .is_some_and(|d| d.contains("request id")),
        "{key}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let (config, _, _) = write_schemas(tmp.path());
    if let Some(validator) = require_program(
        "check-jsonschema",
        "visitor_reference_is_a_documented_boolean_off_by_default",
    ) {
        let bad = tmp.path().join("bad.yaml");
        std::fs::write(&bad, "visitor_reference: \"yes\"\n").unwrap();
        assert!(validate(&validator, &config, &bad).is_err());
        let good = tmp.path().join("good.yaml");
        std::fs::write(&good, "visitor_reference: true\n").unwrap();
        validate(&validator, &config, &good).unwrap();
    }
}
