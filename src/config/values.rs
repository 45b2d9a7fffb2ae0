//! The rules for single config values that land in pages and server
//! configs: links, colors, the URL prefix. Kept apart from loading the
//! config, since server writers and the CLI check values by them too.

/// An http(s) URL or an absolute path, without characters that could end an
/// HTML attribute, a CSS string or a server config token.
pub fn is_link(value: &str, allow_mailto: bool) -> bool {
    let clean = !value.is_empty()
        && value
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"\"'<>`\\{};".contains(c));
    let lower = value.to_ascii_lowercase();
    clean
        && (lower.starts_with("https://")
            || lower.starts_with("http://")
            || (value.starts_with('/') && !value.starts_with("//"))
            || (allow_mailto && lower.starts_with("mailto:")))
}

pub fn is_color(value: &str) -> bool {
    let Some(hex) = value.strip_prefix('#') else {
        return false;
    };
    matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn is_url_prefix(value: &str) -> bool {
    value.starts_with('/')
        && !value.ends_with('/')
        && !value.contains("//")
        && !value.contains("..")
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_/.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links() {
        assert!(is_link("/", false));
        assert!(is_link("https://status.example.com/x?y=1", false));
        assert!(is_link("mailto:help@example.com", true));
        assert!(!is_link("mailto:help@example.com", false));
        assert!(!is_link("javascript:alert(1)", true));
        assert!(!is_link("//evil.example", false));
        assert!(!is_link("/a\"onmouseover=\"x", false));
        assert!(!is_link("/a;\nreturn 200", false));
        assert!(!is_link("https://x/}body{color:red", false));
    }

    #[test]
    fn colors() {
        assert!(is_color("#fff"));
        assert!(is_color("#1A73E8"));
        assert!(!is_color("red;}body{display:none"));
        assert!(!is_color("#12345"));
        assert!(!is_color("1a73e8"));
    }

    #[test]
    fn colors_with_alpha_are_refused_not_dropped() {
        for value in ["#1a56db10", "#00000000", "#fff8"] {
            assert!(!is_color(value), "{value}");
        }
    }

    #[test]
    fn url_prefixes() {
        assert!(is_url_prefix("/_errors"));
        assert!(!is_url_prefix("/_errors/"));
        assert!(!is_url_prefix("/a b"));
        assert!(!is_url_prefix("/a;return 200"));
        assert!(!is_url_prefix("/../etc"));
    }
}
