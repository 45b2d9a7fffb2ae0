//! `check --format github`: findings as GitHub Actions workflow commands
//! (`::error file=F,line=N::message`), which the Actions log turns into
//! annotations on the file and line at fault.

use crate::check::{Report, Severity};
use std::path::{Component, Path, PathBuf};

/// One workflow command per finding, then the summary as a plain log line.
/// File paths are made relative to `base` (the repository checkout) when
/// they are inside it; a finding whose file is not on disk (built-in
/// content, a project part) gets no `file=`, so GitHub shows it on the run.
pub fn workflow_commands(report: &Report, cwd: &Path, base: &Path) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(file) = repository_path(&finding.file, cwd, base) {
            properties.push(format!("file={}", escape_property(&file)));
            if let Some(line) = finding.line {
                properties.push(format!("line={line}"));
            }
        }
        let mut message = finding.message.clone();
        if !finding.fix.is_empty() {
            message.push_str("; ");
            message.push_str(&finding.fix);
        }
        out.push_str("::");
        out.push_str(command);
        if !properties.is_empty() {
            out.push(' ');
            out.push_str(&properties.join(","));
        }
        out.push_str("::");
        out.push_str(&escape_data(&message));
        out.push('\n');
    }
    out.push_str(&report.summary_line());
    out.push('\n');
    out
}

/// `file` relative to `base` (absolute when outside it), or None when it names
/// nothing on disk.
fn repository_path(file: &str, cwd: &Path, base: &Path) -> Option<String> {
    let path = Path::new(file);
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    if !absolute.exists() {
        return None;
    }
    let absolute: PathBuf = absolute
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let shown = absolute
        .strip_prefix(base)
        .map(Path::to_path_buf)
        .unwrap_or(absolute);
    Some(shown.to_string_lossy().into_owned())
}

/// The message: `%`, CR and LF are what end or garble a command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file=`): also `:` and `,`, which end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_the_runner_reads_them() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a%:b,c\n"), "a%25%3Ab%2Cc%0A");
    }
}
