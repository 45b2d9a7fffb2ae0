//! `errorsmith.yaml`: the brand and the build choices. Every value is
//! checked here, so the renderer and the server writers can trust it.

use crate::catalog::is_locale_tag;
use crate::content::is_error_code;
use anyhow::Result;
use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "errorsmith.yaml";

/// How the developer part of each page reaches (or does not reach) people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DeveloperMode {
    /// Left out of the pages entirely.
    Strip,
    /// In the page, invisible until the address ends in `#developer`.
    #[default]
    Hidden,
    /// Served by nginx SSI only to networks the owner trusts.
    Ssi,
}

impl DeveloperMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DeveloperMode::Strip => "strip",
            DeveloperMode::Hidden => "hidden",
            DeveloperMode::Ssi => "ssi",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Site {
    /// Brand or site name, shown in the title and header.
    pub name: String,
    /// Where "Go to the home page" leads.
    pub home_url: String,
    pub status_url: Option<String>,
    /// A support page (http(s) or path) or a `mailto:` address.
    pub support_url: Option<String>,
    pub footer: Option<String>,
    /// SVG or PNG file, relative to the config file; inlined into pages.
    pub logo: Option<PathBuf>,
}

// A `site:` block without `home_url` still gets `/`, not an empty link.
impl Default for Site {
    fn default() -> Self {
        Site {
            name: String::new(),
            home_url: "/".into(),
            status_url: None,
            support_url: None,
            footer: None,
            logo: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Colors {
    pub accent: Option<String>,
    pub background: Option<String>,
    pub text: Option<String>,
    pub dark_accent: Option<String>,
    pub dark_background: Option<String>,
    pub dark_text: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub site: Site,
    pub colors: Colors,
    pub theme: String,
    pub developer: DeveloperMode,
    pub default_locale: String,
    /// Build only these codes; empty means every code that has content.
    pub codes: Vec<u16>,
    /// The URL path the pages are served under by the server configs.
    pub url_prefix: String,
    /// Let raw HTML in Markdown through. Only for content you fully trust.
    pub allow_raw_html: bool,
    /// Networks that may see the developer part in `ssi` mode.
    pub trusted_networks: Vec<String>,
    /// Where the file was read from; logo paths are relative to its folder.
    #[serde(skip)]
    pub origin: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            site: Site {
                name: String::new(),
                home_url: "/".into(),
                ..Site::default()
            },
            colors: Colors::default(),
            theme: "default".into(),
            developer: DeveloperMode::Hidden,
            default_locale: "en".into(),
            codes: Vec::new(),
            url_prefix: "/_errors".into(),
            allow_raw_html: false,
            trusted_networks: Vec::new(),
            origin: None,
        }
    }
}

impl Config {
    /// Reads `path`; the result is validated.
    pub fn load(path: &Path) -> Result<Config> {
        let origin = path.display().to_string();
        let text = crate::fsx::read_utf8(path)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            crate::yaml::parse(text, 1)
                .map_err(|e| anyhow::anyhow!("{origin}:{}: {}", e.line, e.message))?
        };
        config.origin = Some(path.to_path_buf());
        let problems = config.problems();
        if !problems.is_empty() {
            let listed = problems
                .into_iter()
                .map(|p| format!("{origin}: {p}"))
                .collect();
            return Err(crate::error_list("configuration", listed));
        }
        Ok(config)
    }

    /// Everything wrong with the values, one sentence each, naming the key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut url = |key: &str, value: &str, allow_mailto: bool| {
            if !is_link(value, allow_mailto) {
                let also = if allow_mailto {
                    ", a `mailto:` address"
                } else {
                    ""
                };
                problems.push(format!(
                    "`{key}` is `{value}`; use an http(s) URL{also} or a path starting with `/`"
                ));
            }
        };
        url("site.home_url", &self.site.home_url, false);
        if let Some(value) = &self.site.status_url {
            url("site.status_url", value, false);
        }
        if let Some(value) = &self.site.support_url {
            url("site.support_url", value, true);
        }
        for (key, value) in self.colors.iter() {
            if let Some(value) = value
                && !is_color(value)
            {
                problems.push(format!(
                    "`colors.{key}` is `{value}`; use a hex color such as `#1a73e8` or `#fff`"
                ));
            }
        }
        if let Some(logo) = &self.site.logo {
            let ext = logo
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            if !matches!(ext.to_ascii_lowercase().as_str(), "svg" | "png") {
                problems.push(format!(
                    "`site.logo` is `{}`; use an .svg or .png file",
                    logo.display()
                ));
            }
        }
        if !is_locale_tag(&self.default_locale) {
            problems.push(format!(
                "`default_locale` is `{}`; use a language tag such as `en` or `pt-BR`",
                self.default_locale
            ));
        }
        for code in &self.codes {
            if !is_error_code(*code) {
                problems.push(format!("`codes` lists {code}; use codes from 400 to 599"));
            }
        }
        if !is_url_prefix(&self.url_prefix) {
            problems.push(format!(
                "`url_prefix` is `{}`; use a path such as `/_errors` made of letters, digits, `-`, `_` and `/`",
                self.url_prefix
            ));
        }
        for network in &self.trusted_networks {
            if !is_network(network) {
                problems.push(format!(
                    "`trusted_networks` lists `{network}`; use an address or CIDR network such as `10.0.0.0/8` or `::1`"
                ));
            }
        }
        if self.site.name.chars().any(char::is_control) {
            problems.push("`site.name` contains control characters; remove them".into());
        }
        problems
    }

    /// The folder relative paths in the config are resolved against.
    pub fn base_dir(&self) -> &Path {
        self.origin
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."))
    }
}

impl Colors {
    fn iter(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("accent", &self.accent),
            ("background", &self.background),
            ("text", &self.text),
            ("dark_accent", &self.dark_accent),
            ("dark_background", &self.dark_background),
            ("dark_text", &self.dark_text),
        ]
    }
}

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
    matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
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

pub fn is_network(value: &str) -> bool {
    let (address, bits) = match value.split_once('/') {
        Some((address, bits)) => (address, Some(bits)),
        None => (value, None),
    };
    let Ok(ip) = address.parse::<std::net::IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    bits.is_none_or(|b| b.parse::<u8>().is_ok_and(|b| b <= max))
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
    fn prefixes_and_networks() {
        assert!(is_url_prefix("/_errors"));
        assert!(!is_url_prefix("/_errors/"));
        assert!(!is_url_prefix("/a b"));
        assert!(!is_url_prefix("/a;return 200"));
        assert!(!is_url_prefix("/../etc"));
        assert!(is_network("10.0.0.0/8"));
        assert!(is_network("::1"));
        assert!(!is_network("10.0.0.0/33"));
        assert!(!is_network("all; deny"));
    }

    #[test]
    fn default_config_has_no_problems() {
        assert!(Config::default().problems().is_empty());
    }
}
