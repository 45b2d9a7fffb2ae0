//! The files Cloudflare serves itself: the hosted custom error pages and
//! the Custom Error Rules. Cloudflare replaces the `::NAME::` tokens it
//! knows in them before a visitor sees them, so beyond the rules of pages
//! (and never the developer part) each must hold exactly the tokens
//! errorsmith put there: its kind's box token once, `::RAY_ID::` once when
//! the visitor reference is on, and nothing else a content author, a
//! strings file or a theme wrote that Cloudflare would act on.

use super::{Gate, Kind};
use crate::output::OutputFile;
use crate::servers::cloudflare::hosted::{self, RAY_ID, placeholders};

impl Gate {
    pub(super) fn admit_cloudflare_page(&self, file: &OutputFile) -> Result<(), String> {
        self.check(Kind::CloudflarePage, &file.path, &file.path, &file.bytes)?;
        let required = hosted::kind_of_path(&file.path).map(|k| k.token);
        self.cloudflare_tokens(&file.path, &String::from_utf8_lossy(&file.bytes), required)
    }

    /// Each rule's content is a page Cloudflare sends as it is (checked
    /// after decoding, since JSON escapes could hide markup); the rest of
    /// the file is a server config.
    pub(super) fn admit_cloudflare_rules(&self, file: &OutputFile) -> Result<(), String> {
        let unreadable = || {
            format!(
                "{}: is not the Custom Error Rules file errorsmith writes; rebuild with `errorsmith build`",
                file.path
            )
        };
        let mut body: serde_json::Value =
            serde_json::from_slice(&file.bytes).map_err(|_| unreadable())?;
        let rules = body
            .get_mut("rules")
            .and_then(serde_json::Value::as_array_mut)
            .ok_or_else(unreadable)?;
        for rule in rules {
            let code = rule["action_parameters"]["status_code"]
                .as_u64()
                .unwrap_or_default();
            let content = rule["action_parameters"]
                .get_mut("content")
                .map(serde_json::Value::take)
                .ok_or_else(unreadable)?;
            let content = content.as_str().ok_or_else(unreadable)?;
            let path = format!("{} (rule for {code})", file.path);
            let source = u16::try_from(code).map_or_else(|_| path.clone(), hosted::rule_path);
            self.check(Kind::CloudflarePage, &path, &source, content.as_bytes())?;
            self.cloudflare_tokens(&path, content, None)?;
        }
        self.check(
            Kind::ServerConfig,
            &file.path,
            &file.path,
            body.to_string().as_bytes(),
        )
    }

    /// `required` (the kind's box token) and the reference token once
    /// each, and no other token.
    fn cloudflare_tokens(
        &self,
        path: &str,
        text: &str,
        required: Option<&str>,
    ) -> Result<(), String> {
        let mut expected: Vec<&str> = required.into_iter().collect();
        if self.visitor_reference {
            expected.push(RAY_ID);
        }
        let found = placeholders(text);
        let mut seen: Vec<&str> = Vec::new();
        for &(at, token) in &found {
            let offsets: Vec<String> = found
                .iter()
                .filter(|(_, t)| *t == token)
                .map(|(at, _)| at.to_string())
                .collect();
            let place = if !expected.contains(&token) {
                format!("at byte {at}, which errorsmith did not put there")
            } else if offsets.len() > 1 {
                format!(
                    "{} times (at bytes {}), where errorsmith puts it once, so one was not put there by errorsmith",
                    offsets.len(),
                    offsets.join(", ")
                )
            } else {
                seen.push(token);
                continue;
            };
            let source = self
                .value_sources()
                .find(|(_, value)| value.contains(token))
                .map(|(origin, _)| format!("; it comes from {origin}"))
                .unwrap_or_default();
            return Err(format!(
                "{path}: holds the Cloudflare token `{token}` {place}{source}; Cloudflare replaces such tokens in the pages it serves, so take it out there, or remove `cloudflare` from `targets`"
            ));
        }
        if let Some(missing) = expected.iter().find(|t| !seen.contains(t)) {
            return Err(format!(
                "{path}: lacks `{missing}`, which errorsmith puts {}; the theme `{}` leaves it out: render `{}` in page.html",
                if *missing == RAY_ID {
                    "where the visitor reference goes"
                } else {
                    "at the end of the visitor text"
                },
                self.theme,
                if *missing == RAY_ID {
                    "{{ reference | safe }}"
                } else {
                    "{{ page.visitor_html | safe }}"
                }
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{file, gate};
    use crate::config::DeveloperMode;
    use crate::servers::cloudflare::rules::FILE;

    const BOX: &str = "::CLOUDFLARE_ERROR_500S_BOX::";
    const HOSTED: &str = "servers/cloudflare/pages/500_errors.html";

    fn rules(content: &str) -> crate::output::OutputFile {
        let rule = serde_json::json!({"rules": [{"action": "serve_error",
            "expression": "http.response.code eq 502",
            "action_parameters": {"content": content, "content_type": "text/html", "status_code": 502}}]});
        file(FILE, &rule.to_string())
    }

    #[test]
    fn hosted_pages_hold_their_token_once_and_nothing_else() {
        let gate = gate(DeveloperMode::Hidden, "");
        assert!(gate.admit(file(HOSTED, &format!("<p>{BOX}</p>"))).is_ok());
        let error = gate.admit(file(HOSTED, "<p>no box</p>")).unwrap_err();
        assert!(
            error.contains("lacks `::CLOUDFLARE_ERROR_500S_BOX::`"),
            "{error}"
        );
        let error = gate
            .admit(file(HOSTED, &format!("<p>{BOX}{BOX}</p>")))
            .unwrap_err();
        assert!(
            error.contains("`::CLOUDFLARE_ERROR_500S_BOX::` 2 times (at bytes 3, 32), where errorsmith puts it once"),
            "{error}"
        );
        let error = gate
            .admit(file(HOSTED, &format!("<p>{BOX}::RAY_ID::</p>")))
            .unwrap_err();
        assert!(error.contains("token `::RAY_ID::` at byte"), "{error}");
        // A rule's page carries no box.
        let error = gate
            .admit(file("servers/cloudflare/pages/502.html", BOX))
            .unwrap_err();
        assert!(error.contains("did not put there"), "{error}");
    }

    #[test]
    fn the_reference_token_is_required_once_when_the_reference_is_on() {
        let mut gate = gate(DeveloperMode::Strip, "");
        gate.visitor_reference = true;
        assert!(gate.admit(rules("<p>::RAY_ID::</p>")).is_ok());
        assert!(
            gate.admit(rules("<p>x</p>"))
                .unwrap_err()
                .contains("lacks `::RAY_ID::`")
        );
        let error = gate
            .admit(rules("<p>::RAY_ID:: ::RAY_ID::</p>"))
            .unwrap_err();
        assert!(
            error.starts_with("servers/cloudflare/custom-errors.json (rule for 502): holds the Cloudflare token `::RAY_ID::` 2 times"),
            "{error}"
        );
    }

    #[test]
    fn cloudflare_pages_never_carry_the_developer_part_even_in_hidden_builds() {
        let leak = "<li>Check the upstream's error log</li>";
        let gate = gate(DeveloperMode::Hidden, "");
        assert!(gate.admit(file("404.html", leak)).is_ok());
        let error = gate
            .admit(file(HOSTED, &format!("{leak}{BOX}")))
            .unwrap_err();
        assert!(error.contains("Cloudflare serves to everyone"), "{error}");
        let error = gate.admit(rules(leak)).unwrap_err();
        assert!(error.contains("(rule for 502): would publish"), "{error}");
        // Escaped in JSON, a script is still found.
        let error = gate.admit(rules("<script>steal()</script>")).unwrap_err();
        assert!(error.contains("a <script> element"), "{error}");
        assert!(
            gate.admit(file(FILE, "[]"))
                .unwrap_err()
                .contains("is not the Custom Error Rules file")
        );
    }
}
