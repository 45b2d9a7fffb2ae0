//! `errorsmith.yaml`: the brand and the build choices. Every value is
//! checked here, so the renderer and the server writers can trust it.

use crate::catalog::is_locale_tag;
use crate::content::is_error_code;
use anyhow::Result;
use clap::ValueEnum;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "errorsmith.yaml";

/// How the developer part of each page reaches (or does not reach) people.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ValueEnum, JsonSchema,
)]
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

/// While the maintenance switch is on, these still reach the site.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Maintenance {
    /// Networks that see the real site (staff testing before reopening);
    /// absent means `trusted_networks`.
    pub allow: Option<Vec<String>>,
    /// URL paths that always reach the site, each with everything below
    /// it: health checks and ACME HTTP-01 challenges.
    #[schemars(inner(regex(pattern = r"^(/[A-Za-z0-9_.-]+)+$")))]
    pub paths: Vec<String>,
}

impl Default for Maintenance {
    fn default() -> Self {
        Maintenance {
            allow: None,
            paths: vec!["/.well-known/acme-challenge".into(), "/healthz".into()],
        }
    }
}

/// The brand: its name, links and logo.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Site {
    /// Brand or site name, shown in the title and header.
    pub name: String,
    /// Where "Go to the home page" leads: an http(s) URL or a path starting with `/`.
    #[schemars(regex(pattern = LINK_PATTERN))]
    pub home_url: String,
    /// A status page: an http(s) URL or a path starting with `/`.
    #[schemars(regex(pattern = LINK_PATTERN))]
    pub status_url: Option<String>,
    /// A support page (http(s) or path) or a `mailto:` address.
    #[schemars(regex(pattern = SUPPORT_LINK_PATTERN))]
    pub support_url: Option<String>,
    /// Small print at the bottom of every page.
    pub footer: Option<String>,
    /// SVG or PNG file, relative to the config file; inlined into pages.
    #[schemars(regex(pattern = r"\.([sS][vV][gG]|[pP][nN][gG])$"))]
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

/// Hex colors (`#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`) for the light
/// scheme and, with `dark_`, for visitors in dark mode.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Colors {
    /// Links and buttons.
    #[schemars(regex(pattern = COLOR_PATTERN))]
    pub accent: Option<String>,
    #[schemars(regex(pattern = COLOR_PATTERN))]
    pub background: Option<String>,
    #[schemars(regex(pattern = COLOR_PATTERN))]
    pub text: Option<String>,
    #[schemars(regex(pattern = COLOR_PATTERN))]
    pub dark_accent: Option<String>,
    #[schemars(regex(pattern = COLOR_PATTERN))]
    pub dark_background: Option<String>,
    #[schemars(regex(pattern = COLOR_PATTERN))]
    pub dark_text: Option<String>,
}

/// What [`is_color`] accepts, for the JSON Schema.
const COLOR_PATTERN: &str = "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$";
/// The shape [`is_link`] accepts: an http(s) URL or a path starting with one
/// `/`, without the characters it refuses (`build` checks the rest).
const LINK_PATTERN: &str =
    r#"^([hH][tT][tT][pP][sS]?://[^\s"'<>`\\{};]*|/([^\s"'<>`\\{};/][^\s"'<>`\\{};]*)?)$"#;
/// [`LINK_PATTERN`] or a `mailto:` address.
const SUPPORT_LINK_PATTERN: &str = r#"^([hH][tT][tT][pP][sS]?://[^\s"'<>`\\{};]*|/([^\s"'<>`\\{};/][^\s"'<>`\\{};]*)?|[mM][aA][iI][lL][tT][oO]:[^\s"'<>`\\{};]*)$"#;

/// `errorsmith.yaml`: the brand and the build choices. Every key is optional.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(title = "errorsmith.yaml")]
pub struct Config {
    pub site: Site,
    pub colors: Colors,
    /// A built-in theme (`errorsmith themes` lists them) or a folder in themes/.
    pub theme: String,
    /// What happens to the developer part of each page.
    pub developer: DeveloperMode,
    /// The language of the top-level pages, such as `en` or `pt-BR`.
    pub default_locale: String,
    /// Build only these codes; empty means every code that has content.
    #[schemars(inner(range(min = 400, max = 599)))]
    pub codes: Vec<u16>,
    /// Build only these locales (the default locale is always built);
    /// absent means every locale that has content.
    pub locales: Option<Vec<String>>,
    /// The URL path the pages are served under by the server configs.
    #[schemars(regex(pattern = r"^(/[A-Za-z0-9_.-]+)+$"))]
    pub url_prefix: String,
    /// Let raw HTML in Markdown through. Only for content you fully trust.
    pub allow_raw_html: bool,
    /// Networks that may see the developer part in `ssi` mode.
    pub trusted_networks: Vec<String>,
    /// Show visitors a short reference ("Reference: 3f2a...") to quote to
    /// support, where the server echoes a request id into the page (nginx
    /// SSI, Varnish). Off by default; needs no developer part.
    pub visitor_reference: bool,
    /// Who and what the maintenance switch lets through.
    pub maintenance: Maintenance,
    /// Which server and edge configs `build` writes under `servers/`;
    /// absent means the five servers (nginx, haproxy, apache, caddy,
    /// lighttpd). Edge targets (cloudflare) are written only when listed.
    pub targets: Option<Vec<crate::servers::Server>>,
    /// Origin statuses the Cloudflare Worker replaces with its page; empty
    /// means every built 5xx code (an API's own 4xx bodies pass through).
    #[schemars(inner(range(min = 400, max = 599)))]
    pub replace_statuses: Vec<u16>,
    /// Several brands built in one run, each into its own folder of the
    /// output: brand name -> the keys it sets over the shared ones (this
    /// file's other keys). See [`crate::brands`].
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub brands: BTreeMap<String, Config>,
    /// Each brand's whole config, resolved when the file is read.
    #[serde(skip)]
    #[schemars(skip)]
    pub resolved_brands: Vec<(String, Config)>,
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
            locales: None,
            url_prefix: "/_errors".into(),
            allow_raw_html: false,
            trusted_networks: Vec::new(),
            visitor_reference: false,
            targets: None,
            replace_statuses: Vec::new(),
            maintenance: Maintenance::default(),
            brands: BTreeMap::new(),
            resolved_brands: Vec::new(),
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
            let config: Config = crate::yaml::parse(text, 1)
                .map_err(|e| anyhow::anyhow!("{origin}:{}: {}", e.line, e.message))?;
            refuse_unplain_codes(text)
                .map_err(|e| anyhow::anyhow!("{origin}:{}: {}", e.line, e.message))?;
            config
        };
        config.origin = Some(path.to_path_buf());
        let mut problems = config.problems();
        if !config.brands.is_empty() {
            match crate::brands::resolve(&config, text) {
                Ok(brands) => config.resolved_brands = brands,
                Err(brand_problems) => problems.extend(brand_problems),
            }
        }
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
                    "`colors.{key}` is `{value}`; use a hex color such as `#1a73e8` or `#fff` (without alpha: pages are drawn on an opaque background)"
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
            if let Err(fix) = Network::parse(network) {
                problems.push(format!("`trusted_networks` lists `{network}`; {fix}"));
            }
        }
        for code in &self.replace_statuses {
            if !is_error_code(*code) {
                problems.push(format!(
                    "`replace_statuses` lists {code}; use codes from 400 to 599"
                ));
            }
        }
        if self.targets.as_ref().is_some_and(Vec::is_empty) {
            problems.push(
                "`targets` is empty; list the servers to write configs for, such as `[nginx, cloudflare]`, or remove the key for the default servers".into(),
            );
        }
        for network in self.maintenance.allow.iter().flatten() {
            if let Err(fix) = Network::parse(network) {
                problems.push(format!("`maintenance.allow` lists `{network}`; {fix}"));
            }
        }
        for path in &self.maintenance.paths {
            if !is_url_prefix(path) {
                problems.push(format!(
                    "`maintenance.paths` lists `{path}`; use a path such as `/healthz` made of letters, digits, `-`, `_`, `.` and `/`, without a trailing `/`"
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

/// `codes:` written as plain digits only (see `yaml::refuse_unplain_numbers`).
fn refuse_unplain_codes(text: &str) -> Result<(), crate::yaml::YamlError> {
    #[derive(Deserialize)]
    struct Numbers {
        #[serde(default)]
        codes: Vec<serde_saphyr::Spanned<u16>>,
    }
    if let Ok(numbers) = serde_saphyr::from_str::<Numbers>(text) {
        let listed: Vec<_> = numbers.codes.iter().map(|n| ("codes", n)).collect();
        crate::yaml::refuse_unplain_numbers(text, 1, &listed)?;
    }
    // A brand's `codes` replace the shared ones, so they are held to the
    // same rule; parsed apart, so an odd brand cannot skip the check above.
    #[derive(Deserialize)]
    struct Brands {
        #[serde(default)]
        brands: BTreeMap<String, Option<Numbers>>,
    }
    let Ok(brands) = serde_saphyr::from_str::<Brands>(text) else {
        return Ok(());
    };
    for (name, numbers) in &brands.brands {
        let key = format!("brands.{name}.codes");
        let listed: Vec<_> = numbers
            .iter()
            .flat_map(|n| &n.codes)
            .map(|n| (key.as_str(), n))
            .collect();
        crate::yaml::refuse_unplain_numbers(text, 1, &listed)?;
    }
    Ok(())
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

mod network;
pub use network::Network;
mod values;
pub use values::{is_color, is_link, is_url_prefix};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_must_be_plain_digits() {
        for (text, written) in [
            ("codes: [404, 0x1F7]", "0x1F7"),
            ("codes: ['503']", "'503'"),
        ] {
            let error = refuse_unplain_codes(text).unwrap_err();
            assert!(
                error.message.contains(&format!("written `{written}`")),
                "{}",
                error.message
            );
        }
        assert!(refuse_unplain_codes("codes: [404, 503]\n").is_ok());
    }

    #[test]
    fn default_config_has_no_problems() {
        assert!(Config::default().problems().is_empty());
    }
}
