//! Several brands in one `errorsmith.yaml`: a `brands:` mapping names each
//! brand and the keys it sets. Every other key of the file is shared: a
//! brand starts from them and replaces what it sets (`site`, `colors` and
//! `maintenance` key by key, anything else as a whole). Without `brands:`
//! the file is one brand, as it always was.

use crate::config::Config;
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::BTreeMap;

/// Keys whose mapping a brand merges into the shared one key by key.
const MERGED: [&str; 3] = ["site", "colors", "maintenance"];

/// Which keys each brand wrote, from a second parse of the file.
#[derive(Deserialize, Default)]
struct Written {
    #[serde(default)]
    brands: BTreeMap<String, BTreeMap<String, Keys>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Keys {
    Mapping(BTreeMap<String, IgnoredAny>),
    Other(IgnoredAny),
}

/// A brand name becomes a folder of the output and a part of URLs and
/// server configs, so it is a plain lower-case name.
pub fn is_brand_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.len() <= 64
}

/// Each brand's whole config, in name order; `text` is the file `config`
/// was parsed from. Problems name the brand and the key.
pub fn resolve(config: &Config, text: &str) -> Result<Vec<(String, Config)>, Vec<String>> {
    let written: Written = crate::yaml::parse(text, 1).unwrap_or_default();
    let mut shared = config.clone();
    shared.brands.clear();
    let shared_value = serde_json::to_value(&shared).expect("config serializes");
    let mut problems = Vec::new();
    let mut brands = Vec::new();
    for (name, brand) in &config.brands {
        if !is_brand_name(name) {
            problems.push(format!(
                "`brands` has `{name}`; a brand name becomes a folder and a URL part, so use lower-case letters, digits, `-` and `_` (up to 64), such as `acme`"
            ));
            continue;
        }
        if !brand.brands.is_empty() {
            problems.push(format!(
                "`brands.{name}.brands`: a brand cannot hold brands; list every brand under the top-level `brands`"
            ));
            continue;
        }
        let own = serde_json::to_value(brand).expect("config serializes");
        let mut merged = shared_value.clone();
        let keys = written.brands.get(name);
        for (key, kind) in keys.into_iter().flatten() {
            let (Some(target), Some(value)) = (merged.get_mut(key), own.get(key)) else {
                continue;
            };
            match kind {
                Keys::Mapping(subkeys) if MERGED.contains(&key.as_str()) => {
                    for sub in subkeys.keys() {
                        if let (Some(map), Some(v)) = (target.as_object_mut(), value.get(sub)) {
                            map.insert(sub.clone(), v.clone());
                        }
                    }
                }
                _ => *target = value.clone(),
            }
        }
        match serde_json::from_value::<Config>(merged) {
            Ok(mut resolved) => {
                resolved.origin = config.origin.clone();
                for problem in resolved.problems() {
                    problems.push(format!("brand `{name}`: {problem}"));
                }
                brands.push((name.clone(), resolved));
            }
            Err(e) => problems.push(format!("brand `{name}`: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(brands)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brands(text: &str) -> Vec<(String, Config)> {
        let config: Config = crate::yaml::parse(text, 1).unwrap();
        resolve(&config, text).unwrap()
    }

    #[test]
    fn a_brand_replaces_what_it_sets_and_keeps_the_rest() {
        let text = "site:\n  name: Shared\n  support_url: https://help.example\ncolors:\n  accent: \"#112233\"\ntheme: terminal\nbrands:\n  acme:\n    site:\n      name: Acme\n    colors:\n      background: \"#ffffff\"\n  globex:\n    theme: default\n    codes: [404, 502]\n";
        let all = brands(text);
        let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["acme", "globex"]);
        let acme = &all[0].1;
        assert_eq!(acme.site.name, "Acme");
        assert_eq!(
            acme.site.support_url.as_deref(),
            Some("https://help.example")
        );
        assert_eq!(acme.colors.accent.as_deref(), Some("#112233"));
        assert_eq!(acme.colors.background.as_deref(), Some("#ffffff"));
        assert_eq!(acme.theme, "terminal");
        assert!(acme.brands.is_empty());
        let globex = &all[1].1;
        assert_eq!(globex.site.name, "Shared");
        assert_eq!(globex.theme, "default");
        assert_eq!(globex.codes, [404, 502]);
    }

    #[test]
    fn bad_names_nested_brands_and_bad_values_name_the_brand() {
        let text = "brands:\n  Acme Corp: {}\n  ok:\n    brands:\n      inner: {}\n  red:\n    colors:\n      accent: blue\n";
        let config: Config = crate::yaml::parse(text, 1).unwrap();
        let problems = resolve(&config, text).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].contains("`brands` has `Acme Corp`"),
            "{problems:?}"
        );
        assert!(problems[1].contains("`brands.ok.brands`"), "{problems:?}");
        assert!(
            problems[2].starts_with("brand `red`: `colors.accent`"),
            "{problems:?}"
        );
    }
}
