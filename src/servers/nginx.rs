//! nginx: the `error_page` include, and the SSI markup for the developer
//! part.

use super::ServerInput;
use crate::output::OutputFile;
use crate::render::{RequestField, SsiMarkup};
use crate::strings::Strings;
use anyhow::Result;

pub fn files(_input: &ServerInput) -> Result<Vec<OutputFile>> {
    Ok(Vec::new())
}

/// The nginx variable that decides who sees the developer part; the server
/// config sets it from a `geo` block of trusted networks.
pub const DEVELOPER_VARIABLE: &str = "errorsmith_developer";

pub struct NginxSsi {
    /// Validated by `config::is_url_prefix`.
    pub url_prefix: String,
}

impl SsiMarkup for NginxSsi {
    /// Fails closed: where SSI is off, the page holds only inert comments.
    fn developer_include(&self, locale_dir: &str, code: u16) -> String {
        format!(
            "<!--# if expr=\"${DEVELOPER_VARIABLE}\" --><!--# include virtual=\"{}/{}developer/{code}.html\" --><!--# endif -->",
            self.url_prefix, locale_dir
        )
    }

    fn request_fields(&self, strings: &Strings) -> Vec<RequestField> {
        let field = |label: &Option<String>, variable: &str| RequestField {
            label: label.clone().unwrap_or_default(),
            // encoding is sticky across echoes in nginx, so it is named
            // every time; entity encoding covers < > & ".
            value: format!("<!--# echo var=\"{variable}\" encoding=\"entity\" default=\"\" -->"),
        };
        vec![
            field(&strings.request_id, "request_id"),
            field(&strings.request_time, "time_iso8601"),
            field(&strings.request_host, "host"),
            field(&strings.request_uri, "request_uri"),
            field(&strings.upstream_status, "upstream_status"),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_is_wrapped_in_a_condition_and_points_at_the_fragment() {
        let ssi = NginxSsi {
            url_prefix: "/_errors".into(),
        };
        assert_eq!(
            ssi.developer_include("de/", 502),
            "<!--# if expr=\"$errorsmith_developer\" --><!--# include virtual=\"/_errors/de/developer/502.html\" --><!--# endif -->"
        );
    }

    #[test]
    fn every_echo_names_its_encoding() {
        let ssi = NginxSsi {
            url_prefix: "/_errors".into(),
        };
        for field in ssi.request_fields(&Strings::default()) {
            assert!(
                field.value.contains("encoding=\"entity\""),
                "{}",
                field.value
            );
            assert!(field.value.contains("default=\"\""), "{}", field.value);
        }
    }
}
