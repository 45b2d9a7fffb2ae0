//! The same page for programs: RFC 9457 problem details (JSON) and plain
//! text. The developer part never goes into these: they have no way to
//! hide it, and SSI cannot gate them.

use crate::content::Page;
use serde::Serialize;

/// One output format of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Html,
    Json,
    Text,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Json => "json",
            Format::Text => "txt",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Json => "application/problem+json",
            Format::Text => "text/plain; charset=utf-8",
        }
    }
}

/// RFC 9457 problem details; `about:blank` says the status code is the
/// whole story, which holds for these generic pages.
#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    status: u16,
    detail: &'a str,
}

pub fn problem_json(page: &Page) -> Vec<u8> {
    let problem = Problem {
        kind: "about:blank",
        title: &page.title,
        status: page.code,
        detail: &page.summary,
    };
    let mut bytes = serde_json::to_vec(&problem).expect("problem serializes");
    bytes.push(b'\n');
    bytes
}

pub fn plain_text(page: &Page) -> Vec<u8> {
    let mut text = format!("{} {}\n\n", page.code, page.title);
    if !page.summary.is_empty() {
        text.push_str(&page.summary);
        text.push_str("\n\n");
    }
    text.push_str(&page.visitor_text);
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_page;
    use crate::markdown::MarkdownOptions;
    use crate::source::SourceFile;

    fn page() -> Page {
        let file = SourceFile {
            rel_path: "503.md".into(),
            origin: "503.md".into(),
            bytes: b"---\ntitle: Service \"Unavailable\"\nsummary: Back soon.\n---\nWe are <b>down</b>.\n\n## Fix {.developer}\n\n- secret step\n".to_vec(),
        };
        parse_page(&file, "en", MarkdownOptions::default()).unwrap()
    }

    #[test]
    fn json_is_rfc9457_problem_details_without_developer_part() {
        let json = String::from_utf8(problem_json(&page())).unwrap();
        assert_eq!(
            json,
            "{\"type\":\"about:blank\",\"title\":\"Service \\\"Unavailable\\\"\",\"status\":503,\"detail\":\"Back soon.\"}\n"
        );
    }

    #[test]
    fn text_has_status_summary_and_visitor_text_only() {
        let text = String::from_utf8(plain_text(&page())).unwrap();
        assert_eq!(
            text,
            "503 Service \"Unavailable\"\n\nBack soon.\n\nWe are <b>down</b>.\n"
        );
        assert!(!text.contains("secret"));
    }
}
