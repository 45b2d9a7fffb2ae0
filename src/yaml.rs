//! YAML parsing with messages in errorsmith's one shape:
//! `file:line: what is wrong`.

use serde::de::DeserializeOwned;

/// What went wrong, and on which line of the file.
#[derive(Debug)]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

/// Parses `text`, which starts on line `first_line` of its file.
pub fn parse<T: DeserializeOwned>(text: &str, first_line: usize) -> Result<T, YamlError> {
    serde_saphyr::from_str(text).map_err(|error| {
        let line = error
            .location()
            .map(|loc| loc.line() as usize + first_line - 1)
            .unwrap_or(first_line);
        let mut message = sentence(&error.to_string());
        if message.starts_with("budget breached") {
            message = "the YAML expands to too many values (aliases that repeat each other, or a huge document); write the values out plainly".to_string();
        } else if message == "expected sequence start" {
            message = "expected a list here, such as `[404, 503]` or one `- item` per line".to_string();
        }
        if let Some(kind) = message.strip_prefix("invalid ")
            && matches!(kind, "u8" | "u16" | "u32" | "u64" | "i32" | "i64")
        {
            message = "expected a whole number here".to_string();
        }
        let about_values = ["unknown field", "invalid type", "missing field", "unknown variant", "invalid value", "whole number", "expected a list", "expands to too many"]
            .iter()
            .any(|known| message.contains(known));
        if !about_values {
            message.push_str("; check the YAML syntax on that line (quote text that contains `:`, `#`, `[` or `{`)");
        }
        YamlError { line, message }
    })
}

/// serde-saphyr wraps its sentence in "error: line N column M: ..." and a
/// source excerpt; the line is already in front, so only the sentence stays.
fn sentence(text: &str) -> String {
    let first = text.lines().next().unwrap_or(text).trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = match first.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(first, |(_, tail)| tail),
        None => first,
    };
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_drops_the_position_prefix() {
        assert_eq!(
            sentence("error: line 2 column 1: unknown field `x`, expected `a`\n  | excerpt"),
            "unknown field `x`, expected `a`"
        );
    }
}
