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
    let mut options = serde_saphyr::options::Options::default();
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options(text, options).map_err(|error| {
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
        if message.starts_with("invalid boolean") {
            // The library names no key; the line it points at does.
            let key = text
                .lines()
                .nth(line.saturating_sub(first_line))
                .and_then(|l| l.split_once(':'))
                .map(|(key, _)| key.trim().trim_start_matches("- "))
                .filter(|key| !key.is_empty() && !key.contains(['`', '"', '\'']))
                .map(|key| format!("`{key}`: "))
                .unwrap_or_default();
            message = format!("{key}expected `true` or `false` here, written without quotes");
        } else if let Some(key) = message
            .strip_prefix("duplicate mapping key: ")
            .and_then(|rest| rest.split(',').next())
        {
            message = format!("`{key}` is given twice; keep one");
        }
        if let Some(kind) = message.strip_prefix("invalid ")
            && matches!(kind, "u8" | "u16" | "u32" | "u64" | "i32" | "i64")
        {
            message = "expected a whole number here".to_string();
        }
        let about_values = ["unknown field", "invalid type", "missing field", "unknown variant", "invalid value", "whole number", "expected a list", "expands to too many", "given twice", "`true` or `false`"]
            .iter()
            .any(|known| message.contains(known));
        if !about_values {
            message.push_str("; check the YAML syntax on that line (quote text that contains `:`, `#`, `[` or `{`)");
        }
        YamlError { line, message }
    })
}

/// Refuses a whole number not written as plain decimal digits (`"404 "`,
/// `0x1F7`, `+404`, `4_04`): YAML reads them all as numbers, but they are
/// typos or tricks in a file people read. `numbers` are (key, value as
/// parsed with its place) pairs from a second, lenient parse of `text`.
pub fn refuse_unplain_numbers<T>(
    text: &str,
    first_line: usize,
    numbers: &[(&str, &serde_saphyr::Spanned<T>)],
) -> Result<(), YamlError> {
    for (key, number) in numbers {
        let span = number.referenced.span();
        let Some((start, len)) = span.byte_offset().zip(span.byte_len()) else {
            continue;
        };
        let written = text
            .get(start as usize..(start + len) as usize)
            .unwrap_or_default();
        let plain = !written.is_empty()
            && written.bytes().all(|b| b.is_ascii_digit())
            && (written == "0" || !written.starts_with('0'));
        if !plain {
            return Err(YamlError {
                line: number.referenced.line() as usize + first_line - 1,
                message: format!(
                    "`{key}` is written `{written}`; write the number as plain digits, such as `404` (no quotes, spaces, sign, `0x` or `_`)"
                ),
            });
        }
    }
    Ok(())
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
