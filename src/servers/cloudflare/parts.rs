//! A built page as the Worker carries it: text parts, and `{slot}` markers
//! where errorsmith's own SSI directives stood, so the Worker fills in the
//! developer part and the request details itself and never has to look
//! for a marker inside text that came from content.

use crate::render::SsiMarkup;
use crate::servers::nginx::{NginxSsi, REQUEST_ID_VARIABLE, UPSTREAM_STATUS_VARIABLE, echo};
use anyhow::{Result, bail};
use serde_json::{Value, json};

/// errorsmith's directives for one page, each with the slot it becomes.
pub struct Directives {
    known: Vec<(String, &'static str)>,
    /// The locale's `reference.html` (label and request-id echo), put in
    /// place of the page's reference include by [`Directives::split`].
    reference: Option<String>,
}

impl Directives {
    pub fn new(url_prefix: &str, locale: &str, code: u16) -> Directives {
        let ssi = NginxSsi {
            url_prefix: url_prefix.to_string(),
        };
        Directives {
            reference: None,
            known: vec![
                (ssi.reference_include(&format!("{locale}/")), "reference"),
                (
                    ssi.developer_include(&format!("{locale}/"), code),
                    "developer",
                ),
                (echo(REQUEST_ID_VARIABLE), "request_id"),
                (echo("time_iso8601"), "time"),
                (echo("host"), "host"),
                (echo("request_uri"), "uri"),
                (echo(UPSTREAM_STATUS_VARIABLE), "upstream"),
            ],
        }
    }

    /// With the locale's reference fragment, so the Worker shows the
    /// reference (its request-id echo becomes the `request_id` slot).
    pub fn with_reference(mut self, fragment: Option<&str>) -> Directives {
        self.reference = fragment.map(str::to_string);
        self
    }

    /// `text` without errorsmith's directives, for targets that cannot
    /// fill them in (they would reach visitors as empty comments).
    pub fn strip(&self, text: &str, path: &str) -> Result<String> {
        let parts = self.split(text, path)?;
        Ok(parts
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect())
    }

    /// `text` as `["before", {"slot": "developer"}, "after"]`; `path`
    /// names the file when it holds a directive errorsmith did not write.
    pub fn split(&self, text: &str, path: &str) -> Result<Value> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("<!--#") {
            let tail = &rest[start..];
            let Some((directive, slot)) = self.known.iter().find(|(d, _)| tail.starts_with(d))
            else {
                let end = tail.find("-->").map_or(tail.len(), |e| e + 3);
                bail!(
                    "`{path}` holds the SSI directive `{}`, which the Cloudflare Worker cannot run; rebuild with `errorsmith build`",
                    &tail[..end]
                );
            };
            if start > 0 {
                parts.push(json!(&rest[..start]));
            }
            match (&self.reference, *slot) {
                (Some(fragment), "reference") => {
                    let inner = Directives {
                        known: self.known.clone(),
                        reference: None,
                    };
                    if let Value::Array(filled) = inner.split(fragment.trim_end(), path)? {
                        parts.extend(filled);
                    }
                }
                _ => parts.push(json!({ "slot": slot })),
            }
            rest = &tail[directive.len()..];
        }
        if !rest.is_empty() {
            parts.push(json!(rest));
        }
        Ok(Value::Array(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_directives_become_slots_and_text_stays_as_it_was() {
        let directives = Directives::new("/_errors", "de", 503);
        let include = NginxSsi {
            url_prefix: "/_errors".into(),
        }
        .developer_include("de/", 503);
        let page = format!(
            "<p>a</p>{}<main>{include}</main>",
            echo(REQUEST_ID_VARIABLE)
        );
        assert_eq!(
            directives.split(&page, "de/503.html").unwrap(),
            json!(["<p>a</p>", {"slot": "request_id"}, "<main>", {"slot": "developer"}, "</main>"])
        );
        assert_eq!(directives.split("plain", "x").unwrap(), json!(["plain"]));
    }

    #[test]
    fn a_directive_errorsmith_did_not_write_stops_the_build() {
        let directives = Directives::new("/_errors", "en", 404);
        let error = directives
            .split("<p><!--# exec cmd=\"id\" --></p>", "en/404.html")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "`en/404.html` holds the SSI directive `<!--# exec cmd=\"id\" -->`, which the Cloudflare Worker cannot run; rebuild with `errorsmith build`"
        );
    }
}
