//! The Envoy Gateway file errorsmith writes: its BackendTrafficPolicy
//! validated against Envoy Gateway's own CRD schema by a real JSON Schema
//! validator (check-jsonschema), and its ConfigMaps holding the pages.

mod common;

use common::servers::retry_after;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const SCHEMA: &str = "tests/fixtures/schemas/envoy-gateway-backendtrafficpolicy.v1alpha1.json";

fn documents(text: &str) -> Vec<Value> {
    text.split("\n---\n")
        .skip(1)
        .map(|doc| serde_json::from_str(doc).unwrap())
        .collect()
}

/// check-jsonschema's verdict on `resource` (written to `dir`).
fn validates(checker: &Path, dir: &Path, resource: &Value) -> (bool, String) {
    let file = dir.join("resource.json");
    std::fs::write(&file, serde_json::to_string(resource).unwrap()).unwrap();
    let output = Command::new(checker)
        .arg("--schemafile")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA))
        .arg(&file)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn envoy_gateway_policy_passes_the_crd_schema_and_points_at_configmaps_with_the_pages() {
    let test = "envoy_gateway_policy_passes_the_crd_schema_and_points_at_configmaps_with_the_pages";
    let Some(checker) = require_program("check-jsonschema", test) else {
        return;
    };
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("errorsmith.yaml"),
        "developer: ssi\nvisitor_reference: true\ntargets: [envoy]\ndefault_locale: de\nlocales: [de, en]\n",
    )
    .unwrap();
    let dist = build_in(project.path(), &[]);
    let text = std::fs::read_to_string(dist.join("servers/envoy-gateway.yaml")).unwrap();
    assert!(
        text.contains("cannot choose a response by Accept or Accept-Language:\n# every override is the `de` HTML page"),
        "{text}"
    );
    let docs = documents(&text);
    let (policies, maps): (Vec<&Value>, Vec<&Value>) = docs
        .iter()
        .partition(|d| d["kind"] == "BackendTrafficPolicy");
    assert_eq!(policies.len(), 1);
    let policy = policies[0];

    let (ok, output) = validates(&checker, project.path(), policy);
    assert!(ok, "{output}");
    // The validator is real: a rule without its status type, and a body
    // of an unknown type, are refused.
    for broken in [
        (
            "/spec/responseOverride/0/match/statusCodes/0/type",
            Value::from("Exact"),
        ),
        (
            "/spec/responseOverride/0/response/body/type",
            Value::from("File"),
        ),
    ] {
        let mut resource = policy.clone();
        *resource.pointer_mut(broken.0).unwrap() = broken.1;
        let (ok, output) = validates(&checker, project.path(), &resource);
        assert!(!ok, "{} accepted: {output}", broken.0);
    }

    // One override per built 5xx (the default replaced statuses), each an
    // HTML ValueRef to a ConfigMap holding that page without SSI markup.
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("manifest.json")).unwrap())
            .unwrap();
    let mut built: Vec<u64> = manifest["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["path"].as_str().unwrap() == format!("{}.html", p["code"]))
        .map(|p| p["code"].as_u64().unwrap())
        .filter(|c| *c >= 500)
        .collect();
    built.sort_unstable();
    let overrides = policy["spec"]["responseOverride"].as_array().unwrap();
    let codes: Vec<u64> = overrides
        .iter()
        .map(|o| o["match"]["statusCodes"][0]["value"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, built);
    assert_eq!(maps.len(), codes.len());
    let ssi = regex::Regex::new(r"<!--#.*?-->").unwrap();
    for (rule, code) in overrides.iter().zip(&codes) {
        let response = &rule["response"];
        assert_eq!(response["contentType"], "text/html; charset=utf-8");
        let name = response["body"]["valueRef"]["name"].as_str().unwrap();
        let map = maps
            .iter()
            .find(|m| m["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no ConfigMap {name}"));
        assert_eq!(map["apiVersion"], "v1");
        let body = map["data"]["response.body"].as_str().unwrap();
        let page = std::fs::read_to_string(dist.join(format!("{code}.html"))).unwrap();
        assert!(ssi.is_match(&page), "an SSI build's page has directives");
        assert_eq!(body, ssi.replace_all(&page, ""));
        let headers = response["header"]["set"].as_array().unwrap();
        let retry = headers
            .iter()
            .find(|h| h["name"] == "Retry-After")
            .map(|h| h["value"].as_str().unwrap().to_string());
        assert_eq!(retry, retry_after(&dist, *code as u16));
    }
}

#[test]
fn check_and_build_name_the_pages_over_envoys_direct_response_limit_only_for_envoy_users() {
    let project = tempfile::tempdir().unwrap();
    let config = project.path().join("errorsmith.yaml");
    std::fs::write(&config, "targets: [nginx, envoy]\n").unwrap();
    let build = errorsmith()
        .current_dir(project.path())
        .arg("build")
        .output()
        .unwrap();
    assert!(build.status.success(), "{build:?}");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(project.path().join("dist/manifest.json")).unwrap(),
    )
    .unwrap();
    let over: Vec<(String, u64)> = manifest["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["path"].as_str().unwrap() == format!("{}.html", p["code"]))
        .filter(|p| p["code"].as_u64().unwrap() >= 500 && p["bytes"].as_u64().unwrap() > 4096)
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_string(),
                p["bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(!over.is_empty(), "the built-in 5xx pages are over 4 KB");
    let build_err = String::from_utf8(build.stderr).unwrap();
    let check = errorsmith()
        .current_dir(project.path())
        .arg("check")
        .output()
        .unwrap();
    let check_out =
        String::from_utf8(check.stdout).unwrap() + &String::from_utf8(check.stderr).unwrap();
    for (page, bytes) in &over {
        let said = format!(
            "`{page}` is {bytes} bytes, more than Envoy's default direct-response limit of 4096 bytes"
        );
        assert!(
            build_err.contains(&format!("warning: {said}")),
            "{build_err}"
        );
        assert!(
            check_out.contains(&format!("{page}: warning: {said}")),
            "{check_out}"
        );
    }
    assert_eq!(
        build_err.matches("warning:").count(),
        over.len(),
        "{build_err}"
    );

    // Without `targets`, a build writes the five servers only and warns of
    // no edge limit.
    std::fs::remove_file(&config).unwrap();
    let build = errorsmith()
        .current_dir(project.path())
        .arg("build")
        .output()
        .unwrap();
    assert!(build.status.success(), "{build:?}");
    assert!(!String::from_utf8(build.stderr).unwrap().contains("warning"));
    let servers = project.path().join("dist/servers");
    assert!(servers.join("nginx.conf").is_file() && servers.join("haproxy.cfg").is_file());
    assert!(!servers.join("envoy-gateway.yaml").exists() && !servers.join("cloudflare").exists());
}
