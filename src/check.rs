//! `errorsmith check`: everything a build would use, validated and rendered
//! in memory, reported as findings. Writes nothing.

use crate::build::{Rendered, render_project};
use crate::config::Network;
use crate::palette::{Palette, Scheme, contrast_ratio};
use crate::project::{Project, ProjectOptions};
use crate::theme::Theme;
use pulldown_cmark::{Event, Parser, Tag};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::Path;

/// Largest page a build may produce; the publication gate enforces it.
pub const PAGE_BUDGET: usize = crate::publish::PAGE_BUDGET;
/// WCAG 2 AA contrast for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The file at fault, or the project part when no one file is.
    pub file: String,
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: String,
    /// What to do about it; empty when the message already says.
    pub fix: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    pub fn summary_line(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}, {}",
            plural(self.errors(), "error"),
            plural(self.warnings(), "warning")
        )
    }

    /// One line per finding, then the summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for finding in &self.findings {
            out.push_str(&finding.to_string());
            out.push('\n');
        }
        out.push_str(&self.summary_line());
        out.push('\n');
        out
    }

    pub fn to_json(&self) -> String {
        let document = serde_json::json!({
            "findings": self.findings,
            "summary": Summary { errors: self.errors(), warnings: self.warnings() },
        });
        let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Errors first, then by file and line, so output is stable.
    fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.severity != Severity::Error, &a.file, a.line).cmp(&(
                b.severity != Severity::Error,
                &b.file,
                b.line,
            ))
        });
    }

    fn error(&mut self, file: &str, line: Option<usize>, message: String, fix: &str) {
        self.push(file, line, Severity::Error, message, fix);
    }

    fn push(
        &mut self,
        file: &str,
        line: Option<usize>,
        severity: Severity,
        message: String,
        fix: &str,
    ) {
        self.findings.push(Finding {
            file: file.to_string(),
            line,
            severity,
            message,
            fix: fix.to_string(),
        });
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {severity}: {}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, "; {}", self.fix)?;
        }
        Ok(())
    }
}

/// Loads, renders and inspects the project described by `options`.
pub fn check(options: &ProjectOptions) -> Report {
    let mut report = Report::default();
    let project = match Project::load(options) {
        Ok(project) => project,
        Err(error) => {
            add_error_lines(&mut report, &error, "project");
            return report;
        }
    };
    let config_file = project
        .config
        .origin
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| crate::config::FILE_NAME.to_string());
    if let Err(error) = project.themes.list() {
        add_error_lines(&mut report, &error, "themes");
    }
    check_contrast(&mut report, &project, &config_file);
    check_exposure(&mut report, &project, &config_file);
    check_translations(&mut report, &project);
    match project.theme() {
        Ok(theme) => check_external_references(&mut report, &theme, &project),
        Err(error) => {
            add_error_lines(&mut report, &error, &config_file);
            return report;
        }
    }
    // Nothing is written, so any folder does for the server snippets.
    match render_project(&project, Path::new("/errorsmith-check")) {
        Ok(rendered) => {
            check_links(&mut report, &project, &rendered);
            for misfit in crate::servers::limits::misfits(&rendered.manifest) {
                report.push(&misfit.page, None, Severity::Warning, misfit.message, "");
            }
        }
        Err(error) => add_error_lines(&mut report, &error, &config_file),
    }
    report.sort();
    report
}

/// Loading errors already read `file:line: message; fix`, several to an
/// error when a loader lists all it found; each line becomes a finding.
fn add_error_lines(report: &mut Report, error: &anyhow::Error, fallback_file: &str) {
    let text = format!("{error:#}");
    let mut lines: Vec<&str> = text.lines().map(str::trim).collect();
    if lines.len() > 1 && lines[0].ends_with(':') && lines[0].contains(" problems in the ") {
        lines.remove(0);
    }
    for line in lines.into_iter().filter(|l| !l.is_empty()) {
        let (file, number, message) = split_location(line);
        let (message, fix) = match message.rsplit_once("; ") {
            Some((message, fix)) => (message, fix),
            None => (message, ""),
        };
        report.error(
            file.unwrap_or(fallback_file),
            number,
            message.to_string(),
            fix,
        );
    }
}

/// `path:12: rest` -> (path, 12, rest); `path: rest` -> (path, None, rest)
/// when `path` looks like a file rather than the start of a sentence.
fn split_location(line: &str) -> (Option<&str>, Option<usize>, &str) {
    let Some((head, rest)) = line.split_once(": ") else {
        return (None, None, line);
    };
    if let Some((file, number)) = head.rsplit_once(':')
        && let Ok(number) = number.parse::<usize>()
        && looks_like_path(file)
    {
        return (Some(file), Some(number), rest);
    }
    if looks_like_path(head) {
        return (Some(head), None, rest);
    }
    (None, None, line)
}

fn looks_like_path(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(['`', ' '])
        && (text.contains('/') || text.contains('.'))
        && !text.starts_with("cannot")
}

fn check_contrast(report: &mut Report, project: &Project, config_file: &str) {
    let palette = Palette::from_colors(&project.config.colors);
    let config_text = project
        .config
        .origin
        .as_deref()
        .and_then(|p| crate::fsx::read_utf8(p).ok())
        .unwrap_or_default();
    let schemes: [(&Scheme, &str, &str); 2] = [
        (&palette.light, "", "light"),
        (&palette.dark, "dark_", "dark"),
    ];
    for (scheme, prefix, name) in schemes {
        let pairs = [
            (&scheme.text, "text", &scheme.background, "background"),
            (&scheme.accent, "accent", &scheme.background, "background"),
        ];
        for (fg, fg_key, bg, bg_key) in pairs {
            let Some(ratio) = contrast_ratio(fg, bg) else {
                continue;
            };
            if ratio < MIN_CONTRAST {
                let key = format!("{prefix}{fg_key}");
                let line = line_of_key(&config_text, &key)
                    .or_else(|| line_of_key(&config_text, &format!("{prefix}{bg_key}")));
                report.error(
                    config_file,
                    line,
                    format!(
                        "{name} scheme: `colors.{key}` {fg} on `colors.{prefix}{bg_key}` {bg} has contrast {ratio:.2}:1, below WCAG AA {MIN_CONTRAST}:1"
                    ),
                    "choose a darker or lighter color until the ratio reaches 4.5",
                );
            }
        }
    }
}

/// Values the config accepts but that expose more than they seem to:
/// a trusted network that holds every client, and a URL prefix inside
/// `/.well-known/`, whose paths belong to other services.
fn check_exposure(report: &mut Report, project: &Project, config_file: &str) {
    let config = &project.config;
    let config_text = config
        .origin
        .as_deref()
        .and_then(|p| crate::fsx::read_utf8(p).ok())
        .unwrap_or_default();
    for value in &config.trusted_networks {
        let Some(everyone) = Network::parse(value).ok().and_then(|n| n.trusts_everyone()) else {
            continue;
        };
        report.push(
            config_file,
            line_of_value(&config_text, "trusted_networks", value),
            Severity::Warning,
            format!(
                "`trusted_networks` lists `{value}`, which trusts {everyone}: in `ssi` mode they all see the developer part"
            ),
            "list only the networks you run, such as `10.0.0.0/8`",
        );
    }
    let prefix = config.url_prefix.as_str();
    if prefix == WELL_KNOWN || prefix.starts_with(&format!("{WELL_KNOWN}/")) {
        report.push(
            config_file,
            line_of_key(&config_text, "url_prefix"),
            Severity::Warning,
            format!(
                "`url_prefix` is `{prefix}`, under `{WELL_KNOWN}/`: the server configs keep every path under the prefix for error pages, and ACME certificate checks and other standard files under `{WELL_KNOWN}/` must reach the site (proxies often hand all of it to another service)"
            ),
            "use a path of your own such as `/_errors`",
        );
    }
}

/// The path prefix RFC 8615 reserves for standard files such as ACME
/// challenges.
const WELL_KNOWN: &str = "/.well-known";

/// Line of `value` in the list under `key:` (or on the key's own line), 1-based.
fn line_of_value(text: &str, key: &str, value: &str) -> Option<usize> {
    let start = line_of_key(text, key)?;
    text.lines()
        .enumerate()
        .skip(start - 1)
        .find(|(_, line)| line.contains(value))
        .map(|(i, _)| i + 1)
        .or(Some(start))
}

/// Line of the first `key:` in a YAML text, 1-based.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let wanted = format!("{key}:");
    text.lines()
        .position(|l| l.trim_start().starts_with(&wanted))
        .map(|i| i + 1)
}

fn check_translations(report: &mut Report, project: &Project) {
    let catalog = &project.catalog;
    let default_locale = project.config.default_locale.as_str();
    let only = &project.config.codes;
    let mut wanted = catalog.codes(default_locale);
    wanted.retain(|c| only.is_empty() || only.contains(c));
    for locale in catalog.locales() {
        if locale == default_locale {
            continue;
        }
        let have: BTreeSet<u16> = catalog.codes(locale).into_iter().collect();
        let missing: Vec<String> = wanted
            .iter()
            .filter(|c| !have.contains(c))
            .map(u16::to_string)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let folder = catalog
            .pages
            .iter()
            .find(|((l, _), _)| l == locale)
            .and_then(|(_, page)| page.origin.rsplit_once('/').map(|(dir, _)| dir.to_string()))
            .unwrap_or_else(|| locale.to_string());
        report.push(
            &folder,
            None,
            Severity::Warning,
            format!(
                "locale `{locale}` has no translation of {} code(s) the default locale `{default_locale}` has: {}",
                missing.len(),
                missing.join(", ")
            ),
            &format!(
                "add {}/NNN.md for each (until then those pages show the `{default_locale}` text)",
                folder.strip_prefix("<built-in>/").unwrap_or(&folder)
            ),
        );
    }
}

/// Pages must load nothing: any absolute or protocol-relative URL in a
/// template's resource or link position is an error, unless it is one of
/// the brand's own links from the config.
fn check_external_references(report: &mut Report, theme: &Theme, project: &Project) {
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

/// Relative links in content must lead to a page the build produces.
fn check_links(report: &mut Report, project: &Project, rendered: &Rendered) {
    let built: BTreeSet<&str> = rendered.files.iter().map(|f| f.path.as_str()).collect();
    let prefix = format!("{}/", project.config.url_prefix);
    for page in project.catalog.pages.values() {
        let Some(text) = source_text(&page.origin) else {
            continue;
        };
        let body_at = crate::content::body_start(&text).unwrap_or(0);
        for (offset, url) in links(&text[body_at..]) {
            let target = match url.strip_prefix(&prefix) {
                Some(inside) => Some(inside.to_string()),
                None if is_relative(&url) => resolve(&page.locale, &url),
                None => continue,
            };
            if target.as_deref().is_some_and(|t| built.contains(t)) {
                continue;
            }
            let line = text[..body_at + offset].matches('\n').count() + 1;
            report.error(
                &page.origin,
                Some(line),
                format!("link `{url}` leads to no page of this build"),
                "link to a built page such as `404.html` (or `../404.html` from a locale folder), or remove the link",
            );
        }
    }
}

/// (byte offset, URL) of every link in a Markdown text.
fn links(markdown: &str) -> Vec<(usize, String)> {
    Parser::new(markdown)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some((range.start, dest_url.to_string())),
            _ => None,
        })
        .collect()
}

/// A link to another file of the build: no scheme, not site-absolute, not
/// a fragment on the same page.
fn is_relative(url: &str) -> bool {
    !url.is_empty()
        && !url.starts_with(['/', '#', '?'])
        && !url
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|first| first.contains(':'))
}

/// Where `url` leads from the page `{locale}/{code}.html`, as a path of the
/// build, or None when it climbs above the output directory.
fn resolve(locale: &str, url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let mut parts: Vec<&str> = vec![locale];
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The text of a content file, from disk or from the binary.
fn source_text(origin: &str) -> Option<String> {
    let bytes = std::fs::read(origin).ok().or_else(|| {
        let rel = origin.strip_prefix("<built-in>/content/")?;
        crate::source::builtin_content()
            .into_iter()
            .find(|f| f.rel_path == rel)
            .map(|f| f.bytes)
    })?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_split_off_only_when_they_look_like_files() {
        assert_eq!(
            split_location("content/404.md:3: front matter: bad"),
            (Some("content/404.md"), Some(3), "front matter: bad")
        );
        assert_eq!(
            split_location("./errorsmith.yaml: `x` is `y`; use z"),
            (Some("./errorsmith.yaml"), None, "`x` is `y`; use z")
        );
        assert_eq!(
            split_location("theme `x` does not exist; available themes: a"),
            (None, None, "theme `x` does not exist; available themes: a")
        );
    }

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
    }

    #[test]
    fn relative_links_resolve_against_the_locale_folder() {
        assert_eq!(resolve("de", "503.html").as_deref(), Some("de/503.html"));
        assert_eq!(resolve("de", "../503.html#x").as_deref(), Some("503.html"));
        assert_eq!(resolve("en", "../../x.html"), None);
        assert!(is_relative("503.html"));
        assert!(!is_relative("https://x"));
        assert!(!is_relative("mailto:a@b"));
        assert!(!is_relative("/home"));
        assert!(!is_relative("#top"));
    }
}
