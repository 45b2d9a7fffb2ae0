//! The CloudFormation stack errorsmith writes for CloudFront, checked by
//! `cfn-lint` (AWS's own template linter, with CloudFront's schema).

mod common;

use common::servers::retry_after;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// cfn-lint's exit status and output for `template` (written to `dir`).
fn lint(program: &Path, dir: &Path, template: &Value) -> (bool, String) {
    let file = dir.join("template.json");
    std::fs::write(&file, serde_json::to_string_pretty(template).unwrap()).unwrap();
    let output = Command::new(program).arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
fn cloudfront_stack_passes_cfn_lint_and_leaves_out_the_codes_cloudfront_rejects() {
    let test = "cloudfront_stack_passes_cfn_lint_and_leaves_out_the_codes_cloudfront_rejects";
    let Some(cfn_lint) = require_program("cfn-lint", test) else {
        return;
    };
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("errorsmith.yaml"),
        "targets: [cloudfront]\nurl_prefix: /errors/pages\nreplace_statuses: [404, 429, 431, 503]\n",
    )
    .unwrap();
    let dist = build_in(project.path(), &[]);
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(dist.join("servers/cloudfront.json")).unwrap(),
    )
    .unwrap();
    let (ok, output) = lint(&cfn_lint, project.path(), &template);
    assert!(ok, "{output}");

    let config = &template["Resources"]["Distribution"]["Properties"]["DistributionConfig"];
    let errors = config["CustomErrorResponses"].as_array().unwrap();
    let codes: Vec<u64> = errors
        .iter()
        .map(|e| e["ErrorCode"].as_u64().unwrap())
        .collect();
    // 429 and 431 are built and replaced elsewhere, but CloudFront has no
    // custom error response for them.
    assert!(dist.join("429.html").is_file() && dist.join("431.html").is_file());
    assert_eq!(codes, [404, 503]);
    let behaviour = &config["CacheBehaviors"][0];
    assert_eq!(behaviour["PathPattern"], "/errors/pages/*");
    let pages_origin = behaviour["TargetOriginId"].as_str().unwrap();
    let origin = config["Origins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["Id"] == pages_origin)
        .unwrap();
    assert!(origin.get("S3OriginConfig").is_some(), "{origin}");
    for error in errors {
        let code = error["ErrorCode"].as_u64().unwrap();
        assert_eq!(error["ResponseCode"], code);
        let path = error["ResponsePagePath"].as_str().unwrap();
        let file = path.strip_prefix("/errors/pages/").unwrap();
        assert!(dist.join(file).is_file(), "{path}");
        assert_eq!(
            error.get("ErrorCachingMinTTL").map(|t| t.to_string()),
            retry_after(&dist, code as u16)
        );
    }

    // cfn-lint knows CloudFront's list: the left-out codes put back fail.
    let mut broken = template.clone();
    let list = broken["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
        ["CustomErrorResponses"]
        .as_array_mut()
        .unwrap();
    for rejected in [429, 431] {
        list.push(
            serde_json::json!({"ErrorCode": rejected, "ResponseCode": rejected,
            "ResponsePagePath": format!("/errors/pages/{rejected}.html")}),
        );
    }
    let (ok, output) = lint(&cfn_lint, project.path(), &broken);
    assert!(!ok, "{output}");
    for rejected in [429, 431] {
        assert!(
            output.contains(&format!("{rejected} is not one of")),
            "{output}"
        );
    }
}
