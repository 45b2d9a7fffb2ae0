//! The words a theme puts around the content ("Try again", labels of the
//! developer part), one `strings.yaml` per locale in the content folder.

use crate::source::SourceFile;
use serde::{Deserialize, Serialize};

/// Every key is optional in a file; missing ones come from the default
/// locale, then from the built-in English.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Strings {
    pub error: Option<String>,
    pub try_again: Option<String>,
    pub go_home: Option<String>,
    pub status_page: Option<String>,
    pub contact_support: Option<String>,
    pub fault_server: Option<String>,
    pub fault_visitor: Option<String>,
    pub fault_either: Option<String>,
    pub developer_heading: Option<String>,
    pub developer_note: Option<String>,
    pub request_details: Option<String>,
    pub request_id: Option<String>,
    pub request_time: Option<String>,
    pub request_host: Option<String>,
    pub request_uri: Option<String>,
    pub upstream_status: Option<String>,
    /// `ltr` or `rtl`.
    pub direction: Option<String>,
}

impl Strings {
    /// Fills every missing key from `base`.
    pub fn over(mut self, base: &Strings) -> Strings {
        macro_rules! fill {
            ($($field:ident),*) => {$(
                if self.$field.is_none() { self.$field = base.$field.clone(); }
            )*};
        }
        fill!(
            error,
            try_again,
            go_home,
            status_page,
            contact_support,
            fault_server,
            fault_visitor,
            fault_either,
            developer_heading,
            developer_note,
            request_details,
            request_id,
            request_time,
            request_host,
            request_uri,
            upstream_status,
            direction
        );
        self
    }

    pub fn is_rtl(&self) -> bool {
        self.direction.as_deref() == Some("rtl")
    }
}

pub const FILE_NAME: &str = "strings.yaml";

pub fn parse(file: &SourceFile) -> Result<Strings, String> {
    let text = file.text()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let strings: Strings = crate::yaml::parse(text, 1)
        .map_err(|e| format!("{}:{}: {}", file.origin, e.line, e.message))?;
    match strings.direction.as_deref() {
        None | Some("ltr") | Some("rtl") => Ok(strings),
        Some(other) => Err(format!(
            "{}: `direction` is `{other}`; use `ltr` or `rtl`",
            file.origin
        )),
    }
}
