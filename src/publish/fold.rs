//! Text folded to what a reader sees: entities and JSON escapes decoded,
//! markup punctuation and case dropped, so a run of developer text is found
//! however a template escaped, quoted or reflowed it.

/// Runs lighter than this (see [`weight`]) are too common to mean a leak:
/// a product name, a header, a short phrase any page may say.
pub const MIN_RUN: usize = 24;

/// The length of folded text, counting each character of scripts written
/// without spaces (CJK) twice, as they carry about a word each.
pub fn weight(folded: &str) -> usize {
    folded
        .chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum()
}

/// `text` decoded (HTML entities, `\uXXXX` and other JSON escapes) and
/// reduced to its letters and digits, lower-cased.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        // Most of every page is ASCII: letters and digits kept lower-cased,
        // the rest dropped, without decoding a char.
        if b.is_ascii() && b != b'&' && b != b'\\' {
            if b.is_ascii_alphanumeric() {
                out.push(b.to_ascii_lowercase() as char);
            }
            at += 1;
            continue;
        }
        let rest = &text[at..];
        let (decoded, used) = match b {
            b'&' => entity(rest).unwrap_or((Some('&'), 1)),
            b'\\' => json_escape(rest).unwrap_or((Some('\\'), 1)),
            _ => {
                let c = rest.chars().next().unwrap_or_default();
                (Some(c), c.len_utf8())
            }
        };
        if let Some(d) = decoded
            && d.is_alphanumeric()
        {
            out.extend(d.to_lowercase());
        }
        at += used;
    }
    out
}

/// `&amp;`, `&#39;`, `&#x2F;` ... at the start of `text`: the character and
/// the bytes it took.
pub(super) fn entity(text: &str) -> Option<(Option<char>, usize)> {
    let (end, _) = text.char_indices().take(12).find(|(_, c)| *c == ';')?;
    let name = &text[1..end];
    let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
    } else if let Some(dec) = name.strip_prefix('#') {
        char::from_u32(dec.parse().ok()?)?
    } else {
        match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            _ => return None,
        }
    };
    Some((Some(c), end + 1))
}

/// `\u00e9`, `\n`, `\"` ... at the start of `text`.
fn json_escape(text: &str) -> Option<(Option<char>, usize)> {
    let next = text[1..].chars().next()?;
    match next {
        'u' => {
            let hex = text.get(2..6)?;
            let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?).unwrap_or(' ');
            Some((Some(c), 6))
        }
        'n' | 't' | 'r' | 'b' | 'f' => Some((None, 2)),
        _ => Some((Some(next), 1 + next.len_utf8())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_markup_and_case_fold_away() {
        let plain = fold("Check the upstream's error log");
        assert_eq!(plain, "checktheupstreamserrorlog");
        for escaped in [
            "check the upstream&#39;s error log",
            "<li>Check the upstream&#x27;s\n  error log</li>",
            "\"Check the upstream\\u0027s error log\"",
            "CHECK&nbsp;THE&nbsp;UPSTREAM&apos;S ERROR LOG",
        ] {
            assert!(fold(escaped).contains(&plain), "{escaped}");
        }
        assert_eq!(fold("Überprüfen Sie 日本語"), "überprüfensie日本語");
        assert_eq!(fold("a & b &bogus; \\"), "abbogus");
    }

    /// The fold as first written, a char at a time: the ASCII fast path
    /// must agree with it on any text.
    fn fold_by_chars(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let (decoded, used) = match c {
                '&' => entity(rest).unwrap_or((Some('&'), 1)),
                '\\' => json_escape(rest).unwrap_or((Some('\\'), 1)),
                _ => (Some(c), c.len_utf8()),
            };
            if let Some(d) = decoded
                && d.is_alphanumeric()
            {
                out.extend(d.to_lowercase());
            }
            rest = &rest[used..];
        }
        out
    }

    #[test]
    fn the_ascii_fast_path_folds_as_char_by_char_folding_does() {
        let pieces = [
            "a",
            "Z",
            "9",
            " ",
            "<",
            "&amp;",
            "&#x41;",
            "&#66;",
            "&nbsp;",
            "&",
            ";",
            "\\",
            "\\u00C9",
            "\\n",
            "\\\"",
            "É",
            "ß",
            "İ",
            "日",
            "\u{2028}",
            "&#x1F600;",
            "\\u12",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..12 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            assert_eq!(fold(&text), fold_by_chars(&text), "{text:?}");
        }
    }
}
