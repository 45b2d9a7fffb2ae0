//! Content files: one Markdown file per status code and locale, with YAML
//! front matter. Loading parses and validates; it never touches templates.

use crate::markdown::{self, Body, MarkdownOptions};
use crate::source::SourceFile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whose side the cause of an error is usually on. Themes use it to tell the
/// visitor, in plain words, whether it is their fault.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Fault {
    Server,
    Visitor,
    #[default]
    Either,
}

/// The YAML block at the top of a content file.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(title = "errorsmith content front matter")]
pub struct FrontMatter {
    /// Overrides the code taken from the file name.
    pub code: Option<u16>,
    /// The page's heading and `<title>`.
    pub title: String,
    /// One sentence under the heading.
    pub summary: String,
    /// Whose side the cause is usually on: `server`, `visitor` or `either`.
    pub fault: Fault,
    /// Seconds a client should wait before retrying (sent as `Retry-After`).
    pub retry_after: Option<u32>,
    /// Free-form values for custom themes, available as `page.extra`.
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// One error page's content in one locale, ready to render. It is not
/// `Serialize`: templates get a view made by `render`, which decides what
/// of the developer part each file may carry.
#[derive(Debug, Clone)]
pub struct Page {
    pub code: u16,
    pub locale: String,
    /// Where the content came from, as shown in messages.
    pub origin: String,
    pub title: String,
    pub summary: String,
    pub fault: Fault,
    pub retry_after: Option<u32>,
    pub extra: BTreeMap<String, serde_json::Value>,
    pub visitor_html: String,
    /// The visitor part as plain text, for the text format.
    pub visitor_text: String,
    pub developer: DeveloperPart,
}

impl Page {
    /// Whether the page is errorsmith's own text, not the user's.
    pub fn is_builtin(&self) -> bool {
        self.origin.starts_with(crate::source::BUILTIN_ORIGIN)
    }

    /// The page's values without its text.
    pub fn without_text(self) -> Page {
        Page {
            visitor_html: String::new(),
            visitor_text: String::new(),
            developer: DeveloperPart::default(),
            ..self
        }
    }
}

/// The developer part of a page. Its HTML is dropped at load time when the
/// build strips the developer part, so nothing later can publish it; its
/// text runs stay, for the publication gate to look for.
#[derive(Debug, Clone, Default)]
pub struct DeveloperPart {
    html: Option<String>,
    /// The runs, one per line: a run has its whitespace collapsed, so it
    /// holds no line break. One string, not one per run, because every
    /// page of every locale is held for the whole build.
    runs: String,
}

impl DeveloperPart {
    pub fn new(html: String, runs: Vec<String>) -> DeveloperPart {
        debug_assert!(
            runs.iter()
                .all(|run| !run.is_empty() && !run.contains('\n'))
        );
        DeveloperPart {
            html: (!html.is_empty()).then_some(html),
            runs: runs.join("\n"),
        }
    }

    /// The HTML, unless the page has none or it was stripped.
    pub fn html(&self) -> Option<&str> {
        self.html.as_deref()
    }

    /// Each run of text of the part, whitespace collapsed.
    pub fn runs(&self) -> impl Iterator<Item = &str> + Clone {
        self.runs.split('\n').filter(|run| !run.is_empty())
    }

    /// True when the content has a developer part, stripped or not.
    pub fn exists(&self) -> bool {
        !self.runs.is_empty() || self.html.is_some()
    }

    /// Forgets the HTML for good; the runs stay for the gate.
    pub fn strip(&mut self) {
        self.html = None;
    }
}

/// True for the codes errorsmith builds pages for.
pub fn is_error_code(code: u16) -> bool {
    (400..=599).contains(&code)
}

/// Codes nginx uses internally: `error_page` refuses them, and a client
/// never sees them, so no page can be made for them.
pub fn is_server_internal(code: u16) -> bool {
    matches!(code, 444 | 494..=499)
}

/// Parses one content file. `locale` comes from the folder it sits in.
pub fn parse_page(
    file: &SourceFile,
    locale: &str,
    options: MarkdownOptions,
) -> Result<Page, String> {
    let text = file.text()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (yaml, body, yaml_first_line) = split_front_matter(text).ok_or_else(|| {
        format!(
            "{}:1: the file must start with a front matter block: a line `---`, YAML such as `title: Not Found`, and a closing `---`",
            file.origin
        )
    })?;
    let front: FrontMatter = if yaml.trim().is_empty() {
        FrontMatter::default()
    } else {
        let front = crate::yaml::parse(yaml, yaml_first_line)
            .map_err(|e| format!("{}:{}: front matter: {}", file.origin, e.line, e.message))?;
        refuse_unplain_numbers(yaml, yaml_first_line)
            .map_err(|e| format!("{}:{}: front matter: {}", file.origin, e.line, e.message))?;
        front
    };

    let code = match front.code {
        Some(code) => code,
        None => code_from_file_name(&file.rel_path).ok_or_else(|| {
            format!(
                "{}: the file name must be a status code such as `404.md` (or set `code:` in the front matter)",
                file.origin
            )
        })?,
    };
    if !is_error_code(code) {
        return Err(format!(
            "{}: {code} is not an error status code; use a code from 400 to 599",
            file.origin
        ));
    }
    if is_server_internal(code) {
        return Err(format!(
            "{}: {code} is a code nginx keeps for itself (444 closes the connection, 494-499 are its own logging codes) and no visitor ever receives; remove the file",
            file.origin
        ));
    }
    if front.title.trim().is_empty() {
        return Err(format!(
            "{}:{yaml_first_line}: the front matter needs a `title`, such as `title: Not Found`",
            file.origin
        ));
    }

    let body_line = yaml_first_line + yaml.lines().count() + 1;
    let Body {
        visitor_html,
        developer_html,
        visitor_text,
        developer_runs,
    } = markdown::render(body, options).map_err(|e| {
        let line = body_line + body[..e.offset.min(body.len())].matches('\n').count();
        format!("{}:{line}: {}", file.origin, e.message)
    })?;
    Ok(Page {
        code,
        locale: locale.to_string(),
        origin: file.origin.clone(),
        // Control characters are dropped here as in the body: they mean
        // nothing on a page and would reach terminals through the text version.
        title: crate::markdown::without_controls(front.title.trim()).into_owned(),
        summary: crate::markdown::without_controls(front.summary.trim()).into_owned(),
        fault: front.fault,
        retry_after: front.retry_after,
        extra: front.extra,
        visitor_html,
        visitor_text,
        developer: DeveloperPart::new(developer_html, developer_runs),
    })
}

/// `code:` and `retry_after:` written as plain digits only.
fn refuse_unplain_numbers(yaml: &str, first_line: usize) -> Result<(), crate::yaml::YamlError> {
    #[derive(Deserialize)]
    struct Numbers {
        code: Option<serde_saphyr::Spanned<u16>>,
        retry_after: Option<serde_saphyr::Spanned<u32>>,
    }
    let Ok(numbers) = serde_saphyr::from_str::<Numbers>(yaml) else {
        return Ok(());
    };
    if let Some(code) = &numbers.code {
        crate::yaml::refuse_unplain_numbers(yaml, first_line, &[("code", code)])?;
    }
    if let Some(seconds) = &numbers.retry_after {
        crate::yaml::refuse_unplain_numbers(yaml, first_line, &[("retry_after", seconds)])?;
    }
    Ok(())
}

fn code_from_file_name(rel_path: &str) -> Option<u16> {
    let name = rel_path.rsplit('/').next()?;
    let stem = name.strip_suffix(".md")?;
    if stem.len() == 3 && stem.bytes().all(|b| b.is_ascii_digit()) {
        stem.parse().ok()
    } else {
        None
    }
}

/// Where the Markdown body of a content file starts (a byte offset into
/// `text`), split exactly as `parse_page` splits it.
pub fn body_start(text: &str) -> Option<usize> {
    let unmarked = text.strip_prefix('\u{feff}').unwrap_or(text);
    split_front_matter(unmarked).map(|(_, body, _)| text.len() - body.len())
}

/// Returns (yaml, body, line of the first YAML line), or None when the text
/// does not open with a `---` block.
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some((yaml, body, 2));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel_path: &str, text: &str) -> SourceFile {
        SourceFile {
            rel_path: rel_path.into(),
            origin: format!("content/{rel_path}"),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn parse(rel_path: &str, text: &str) -> Result<Page, String> {
        parse_page(&file(rel_path, text), "en", MarkdownOptions::default())
    }

    #[test]
    fn a_developer_part_gives_back_its_runs_in_order() {
        let runs = vec!["Check the upstream".to_string(), "nginx -t".to_string()];
        let part = DeveloperPart::new("<p>x</p>".into(), runs.clone());
        assert_eq!(part.runs().collect::<Vec<_>>(), runs);
        let empty = DeveloperPart::new(String::new(), Vec::new());
        assert_eq!(empty.runs().count(), 0);
    }

    #[test]
    fn parses_front_matter_and_body() {
        let page = parse(
            "503.md",
            "---\ntitle: Service Unavailable\nsummary: Down for a moment.\nfault: server\nretry_after: 120\n---\nBack soon.\n\n## Fix {.developer}\n\n- restart\n",
        )
        .unwrap();
        assert_eq!(page.code, 503);
        assert_eq!(page.title, "Service Unavailable");
        assert_eq!(page.fault, Fault::Server);
        assert_eq!(page.retry_after, Some(120));
        assert_eq!(page.visitor_html, "<p>Back soon.</p>\n");
        assert!(page.developer.html().unwrap().contains("restart"));
        // README: `fault` is `either` when the front matter leaves it out.
        let page = parse("404.md", "---\ntitle: Not Found\n---\nGone.\n").unwrap();
        assert_eq!(page.fault, Fault::Either);
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let page = parse(
            "404.md",
            "\u{feff}---\r\ntitle: Not Found\r\n---\r\nGone.\r\n",
        )
        .unwrap();
        assert_eq!(page.title, "Not Found");
        assert!(page.visitor_html.contains("Gone."));
    }

    #[test]
    fn code_in_front_matter_overrides_file_name() {
        let page = parse("not-found.md", "---\ncode: 404\ntitle: Not Found\n---\n").unwrap();
        assert_eq!(page.code, 404);
    }

    #[test]
    fn unknown_key_names_file_line_and_allowed_keys() {
        let err = parse("404.md", "---\ntitle: Not Found\ncolour: red\n---\n").unwrap_err();
        assert!(
            err.starts_with("content/404.md:3: front matter: unknown field `colour`"),
            "{err}"
        );
        assert!(err.contains("expected one of"), "{err}");
    }

    #[test]
    fn numbers_and_booleans_must_be_written_plainly() {
        for (front, wanted) in [
            (
                "code: \"404 \"",
                "content/x.md:2: front matter: `code` is written `\"404 \"`",
            ),
            (
                "code: 0x1F7",
                "content/x.md:2: front matter: `code` is written `0x1F7`",
            ),
            ("code: +404", "`code` is written `+404`"),
            ("retry_after: 1_000", "`retry_after` is written `1_000`"),
        ] {
            let err = parse("x.md", &format!("---\n{front}\ntitle: X\n---\n")).unwrap_err();
            assert!(err.starts_with(wanted) || err.contains(wanted), "{err}");
        }
        assert_eq!(
            parse("x.md", "---\ncode: 404\nretry_after: 30\ntitle: X\n---\n")
                .unwrap()
                .code,
            404
        );
    }

    #[test]
    fn wrong_type_names_the_line() {
        let err = parse("503.md", "---\ntitle: X\nretry_after: soon\n---\n").unwrap_err();
        assert!(err.starts_with("content/503.md:3: front matter:"), "{err}");
    }

    #[test]
    fn missing_front_matter_is_an_error() {
        let err = parse("404.md", "Just text\n").unwrap_err();
        assert!(
            err.starts_with("content/404.md:1: the file must start with a front matter block"),
            "{err}"
        );
        let err = parse("404.md", "").unwrap_err();
        assert!(err.contains("front matter block"), "{err}");
        let err = parse("404.md", "---\ntitle: x\nno closing line\n").unwrap_err();
        assert!(err.contains("front matter block"), "{err}");
    }

    #[test]
    fn codes_outside_4xx_5xx_are_rejected() {
        let err = parse("302.md", "---\ntitle: Found\n---\n").unwrap_err();
        assert_eq!(
            err,
            "content/302.md: 302 is not an error status code; use a code from 400 to 599"
        );
        let err = parse("oops.md", "---\ntitle: x\n---\n").unwrap_err();
        assert!(err.contains("the file name must be a status code"), "{err}");
    }

    #[test]
    fn body_starts_after_the_closing_line_with_or_without_bom() {
        let text = "---\ntitle: x\n---\nBody";
        assert_eq!(&text[body_start(text).unwrap()..], "Body");
        let marked = "\u{feff}---\r\ntitle: x\r\n---\r\nBody";
        assert_eq!(&marked[body_start(marked).unwrap()..], "Body");
        assert_eq!(body_start("no front matter"), None);
    }

    #[test]
    fn title_is_required() {
        let err = parse("404.md", "---\nsummary: x\n---\n").unwrap_err();
        assert!(err.contains("needs a `title`"), "{err}");
    }

    #[test]
    fn markdown_errors_name_the_line_in_the_file() {
        let err = parse(
            "404.md",
            "---\ntitle: Not Found\nsummary: x\n---\nGone.\n\n## Fix {.developer} now\n",
        )
        .unwrap_err();
        assert!(
            err.starts_with("content/404.md:7: `## Fix {.developer} now`")
                || err.starts_with("content/404.md:7: `Fix {.developer} now`"),
            "{err}"
        );
    }
}
