//! The words a theme puts around the content ("Try again", labels of the
//! developer part), one `strings.yaml` per locale in the content folder.

use crate::config::DeveloperMode;
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
    /// In a strings file: the label for both modes, for files written
    /// before the two below; a file's own mode labels win over it. In a
    /// template: the label of the build's mode, set by the renderer.
    pub developer_note: Option<String>,
    /// What is true in `hidden` mode: anyone can see the part.
    pub developer_note_hidden: Option<String>,
    /// What is true in `ssi` mode: the server adds it for trusted networks.
    pub developer_note_ssi: Option<String>,
    pub request_details: Option<String>,
    pub request_id: Option<String>,
    pub request_time: Option<String>,
    pub request_host: Option<String>,
    pub request_uri: Option<String>,
    pub upstream_status: Option<String>,
    /// The label before the request id in the visitor part
    /// (`visitor_reference`).
    pub reference: Option<String>,
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
            developer_note_hidden,
            developer_note_ssi,
            request_details,
            request_id,
            request_time,
            request_host,
            request_uri,
            upstream_status,
            reference,
            direction
        );
        self
    }

    /// These strings as a template sees them in a `mode` build:
    /// `developer_note` is that mode's label, so themes (and user templates
    /// written for the single label) show words that are true.
    pub fn for_mode(&self, mode: DeveloperMode) -> Strings {
        let note = match mode {
            DeveloperMode::Hidden => &self.developer_note_hidden,
            DeveloperMode::Ssi => &self.developer_note_ssi,
            DeveloperMode::Strip => &None,
        };
        Strings {
            developer_note: note.clone(),
            ..self.clone()
        }
    }

    /// A file's `developer_note` stands for each mode label the same file
    /// leaves out, so an older strings file still overrides both.
    fn spread_developer_note(mut self) -> Strings {
        if let Some(note) = &self.developer_note {
            self.developer_note_hidden
                .get_or_insert_with(|| note.clone());
            self.developer_note_ssi.get_or_insert_with(|| note.clone());
        }
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
        None | Some("ltr") | Some("rtl") => Ok(strings.spread_developer_note()),
        Some(other) => Err(format!(
            "{}: `direction` is `{other}`; use `ltr` or `rtl`",
            file.origin
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Strings {
        parse(&SourceFile {
            rel_path: FILE_NAME.into(),
            origin: FILE_NAME.into(),
            bytes: text.as_bytes().to_vec(),
        })
        .unwrap()
    }

    #[test]
    fn a_file_with_only_developer_note_sets_both_modes_over_the_builtin() {
        let builtin = parsed("developer_note_hidden: anyone\ndeveloper_note_ssi: trusted\n");
        let user = parsed("developer_note: ours\n").over(&builtin);
        for mode in [DeveloperMode::Hidden, DeveloperMode::Ssi] {
            assert_eq!(user.for_mode(mode).developer_note.as_deref(), Some("ours"));
        }
        let mixed = parsed("developer_note: ours\ndeveloper_note_ssi: servers\n").over(&builtin);
        let note = |mode| mixed.for_mode(mode).developer_note;
        assert_eq!(note(DeveloperMode::Hidden).as_deref(), Some("ours"));
        assert_eq!(note(DeveloperMode::Ssi).as_deref(), Some("servers"));
        assert_eq!(note(DeveloperMode::Strip), None);
    }

    #[test]
    fn each_mode_gets_its_own_label() {
        let strings = parsed("developer_note_hidden: anyone\ndeveloper_note_ssi: trusted\n");
        let note = |mode| strings.for_mode(mode).developer_note;
        assert_eq!(note(DeveloperMode::Hidden).as_deref(), Some("anyone"));
        assert_eq!(note(DeveloperMode::Ssi).as_deref(), Some("trusted"));
    }
}
