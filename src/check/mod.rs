//! `errorsmith check`: everything a build would use, validated and rendered
//! in memory, reported as findings. Writes nothing.

use crate::build::render_project;
use crate::project::{Project, ProjectOptions};
use serde::Serialize;
use std::path::Path;

mod config;
mod content;
mod theme;

pub use theme::external_references;

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

    pub(crate) fn error(&mut self, file: &str, line: Option<usize>, message: String, fix: &str) {
        self.push(file, line, Severity::Error, message, fix);
    }

    pub(crate) fn push(
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
/// With `brands:`, each brand is checked and its findings say which.
pub fn check(options: &ProjectOptions) -> Report {
    let mut report = Report::default();
    let brands = match Project::load_brands(options) {
        Ok(brands) => brands,
        Err(error) => {
            add_error_lines(&mut report, &error, "project");
            return report;
        }
    };
    for brand in brands {
        let mut own = Report::default();
        check_project(&mut own, &brand.project);
        for mut finding in own.findings {
            if let Some(name) = &brand.name {
                finding.message = format!("brand `{name}`: {}", finding.message);
            }
            if !report.findings.contains(&finding) {
                report.findings.push(finding);
            }
        }
    }
    report.sort();
    report
}

fn check_project(report: &mut Report, project: &Project) {
    let config_file = project
        .config
        .origin
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| crate::config::FILE_NAME.to_string());
    if let Err(error) = project.themes.list() {
        add_error_lines(report, &error, "themes");
    }
    config::check_contrast(report, project, &config_file);
    config::check_exposure(report, project, &config_file);
    content::check_translations(report, project);
    content::check_overrides(report, project);
    content::check_skipped(report, project);
    match project.theme() {
        Ok(theme) => theme::check_external_references(report, &theme, project),
        Err(error) => {
            add_error_lines(report, &error, &config_file);
            return;
        }
    }
    // Nothing is written, so any folder does for the server snippets.
    match render_project(project, Path::new("/errorsmith-check")) {
        Ok(rendered) => {
            content::check_links(report, project, &rendered);
            for misfit in crate::servers::limits::misfits(&rendered.manifest) {
                report.push(&misfit.page, None, Severity::Warning, misfit.message, "");
            }
        }
        Err(error) => add_error_lines(report, &error, &config_file),
    }
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

/// Line of `value` in the list under `key:` (or on the key's own line), 1-based.
pub(crate) fn line_of_value(text: &str, key: &str, value: &str) -> Option<usize> {
    let start = line_of_key(text, key)?;
    text.lines()
        .enumerate()
        .skip(start - 1)
        .find(|(_, line)| line.contains(value))
        .map(|(i, _)| i + 1)
        .or(Some(start))
}

/// Line of the first `key:` in a YAML text, 1-based.
pub(crate) fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let wanted = format!("{key}:");
    text.lines()
        .position(|l| l.trim_start().starts_with(&wanted))
        .map(|i| i + 1)
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
}
