//! Checks of `errorsmith.yaml` values that load fine but would hurt:
//! contrast below WCAG AA, and settings that expose more than they seem to.

use super::{MIN_CONTRAST, Report, Severity, line_of_key, line_of_value};
use crate::config::Network;
use crate::palette::{Palette, Scheme, contrast_ratio};
use crate::project::Project;

pub(super) fn check_contrast(report: &mut Report, project: &Project, config_file: &str) {
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
pub(super) fn check_exposure(report: &mut Report, project: &Project, config_file: &str) {
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
