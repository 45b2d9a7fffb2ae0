//! Checks of the theme: pages must load nothing from elsewhere.

use super::Report;
use crate::project::Project;
use crate::theme::Theme;
use std::collections::BTreeSet;

/// Pages must load nothing: any absolute or protocol-relative URL in a
/// template's resource or link position is an error, unless it is one of
/// the brand's own links from the config.
pub(super) fn check_external_references(report: &mut Report, theme: &Theme, project: &Project) {
    let site = &project.config.site;
    let brand: Vec<&str> = [
        Some(&site.home_url),
        site.status_url.as_ref(),
        site.support_url.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect();
    let mut seen = BTreeSet::new();
    let files = theme
        .files
        .values()
        .chain(theme.ancestors.iter().flat_map(|(_, files)| files.values()));
    for file in files {
        if !seen.insert(file.origin.clone()) {
            continue;
        }
        let Ok(text) = file.text() else {
            continue;
        };
        for (line, url) in external_references(text) {
            if brand.contains(&url.as_str()) {
                continue;
            }
            report.error(
                &file.origin,
                Some(line),
                format!("`{url}` is loaded or linked from outside the page; pages must be self-contained"),
                "inline the resource (CSS, a data: URI or inline SVG) or link through `site.*` in errorsmith.yaml",
            );
        }
    }
}

/// (line, URL) of every http(s) or protocol-relative URL in `src=`,
/// `href=`, `srcset=`, `action=`, `url(` or `@import`.
pub fn external_references(text: &str) -> Vec<(usize, String)> {
    const OPENERS: [&str; 7] = [
        "src=", "href=", "srcset=", "action=", "poster=", "url(", "@import",
    ];
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for opener in OPENERS {
        let mut from = 0;
        while let Some(at) = lower[from..].find(opener) {
            let start = from + at + opener.len();
            from = start;
            let value = lower[start..].trim_start_matches(|c: char| {
                c.is_whitespace() || c == '"' || c == '\'' || c == '('
            });
            let value_at = lower.len() - value.len();
            let is_external = value.starts_with("http://")
                || value.starts_with("https://")
                || value.starts_with("//");
            if !is_external {
                continue;
            }
            let end = text[value_at..]
                .find(|c: char| c.is_whitespace() || "\"'()<>;".contains(c))
                .map_or(text.len(), |e| value_at + e);
            let line = text[..value_at].matches('\n').count() + 1;
            found.push((line, text[value_at..end].to_string()));
        }
    }
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_references_are_found_with_their_lines() {
        let text = "<link href=\"https://cdn.example/x.css\">\n<img src='//x.example/a.png'>\n@import url(https://f.example/a.css);\n<a href=\"/local\">\n";
        assert_eq!(
            external_references(text),
            vec![
                (1, "https://cdn.example/x.css".to_string()),
                (2, "//x.example/a.png".to_string()),
                (3, "https://f.example/a.css".to_string()),
            ]
        );
        assert!(external_references("<a href=\"{{ site.home_url }}\">").is_empty());
        let loads = "<img srcset=\"https://a.example/x.png 2x\"><form action='//b.example/f'></form>\n<video poster=http://c.example/p.jpg></video>";
        assert_eq!(
            external_references(loads),
            vec![
                (1, "//b.example/f".to_string()),
                (1, "https://a.example/x.png".to_string()),
                (2, "http://c.example/p.jpg".to_string()),
            ]
        );
    }
}
