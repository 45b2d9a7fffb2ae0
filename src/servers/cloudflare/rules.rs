//! Cloudflare Custom Error Rules (`servers/cloudflare/custom-errors.json`):
//! the body of a `PUT` to the zone's `http_custom_errors` phase entry
//! point, one `serve_error` rule per replaced status whose inline content
//! is that status's page for Cloudflare ([`super::hosted::rule_path`]).
//!
//! Every rule sends HTML. Cloudflare's expressions can test whether Accept
//! mentions `application/json` but cannot weigh q-values as the nginx maps
//! do, its inline content cannot be `application/problem+json`, and a
//! second rule per status would halve the statuses a plan's rule count
//! covers (25 on Pro); so JSON clients get the HTML page here, and the
//! Worker is the target that negotiates.

use super::hosted;
use crate::output::OutputFile;
use crate::servers::ServerInput;
use anyhow::{Result, bail};
use serde_json::{Value, json};

pub const FILE: &str = "servers/cloudflare/custom-errors.json";

/// The ruleset phase Custom Error Rules belong to.
pub const PHASE: &str = "http_custom_errors";

/// The largest inline `content` Cloudflare accepts in a rule (10 KB; the
/// Rulesets API's schema says 10,240).
pub const INLINE_MAX_BYTES: usize = 10_240;

/// The content types a rule may send.
pub const CONTENT_TYPES: [&str; 4] = ["text/html", "text/plain", "application/json", "text/xml"];

/// The rules file, or None when no replaced status has a page. A page over
/// [`INLINE_MAX_BYTES`] is left out (Cloudflare would refuse the whole
/// ruleset); `limits::misfits` names it.
pub fn file(input: &ServerInput) -> Result<Option<OutputFile>> {
    let built: Vec<u16> = super::super::top_level_pages(input)
        .iter()
        .map(|(code, _)| *code)
        .collect();
    let replaced =
        super::super::replaced_statuses(&input.manifest.servers.replace_statuses, &built)?;
    let mut rules = Vec::new();
    for code in replaced {
        let path = hosted::rule_path(code);
        let Some(bytes) = input.files.get(&path) else {
            continue;
        };
        let Ok(content) = std::str::from_utf8(bytes) else {
            bail!("`{path}` is not UTF-8; rebuild with `errorsmith build`");
        };
        if content.len() > INLINE_MAX_BYTES {
            continue;
        }
        rules.push(rule(code, content));
    }
    if rules.is_empty() {
        return Ok(None);
    }
    let body = json!({ "rules": rules });
    let text = serde_json::to_string_pretty(&body).expect("JSON serializes") + "\n";
    Ok(Some(super::super::text_file(FILE, text)))
}

fn rule(code: u16, content: &str) -> Value {
    json!({
        "description": format!("errorsmith: page for {code}"),
        "expression": format!("http.response.code eq {code}"),
        "action": "serve_error",
        "action_parameters": {
            "content": content,
            "content_type": "text/html",
            "status_code": code,
        },
        "enabled": true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_matches_its_status_and_keeps_it() {
        let rule = rule(503, "<p>\"x\"</p>");
        assert_eq!(rule["expression"], "http.response.code eq 503");
        assert_eq!(rule["action_parameters"]["status_code"], 503);
        assert_eq!(rule["action_parameters"]["content"], "<p>\"x\"</p>");
        assert!(
            CONTENT_TYPES.contains(&rule["action_parameters"]["content_type"].as_str().unwrap())
        );
    }
}
