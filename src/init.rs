//! `errorsmith init [DIR]`: writes a brand project that builds at once: a
//! commented `errorsmith.yaml` with its JSON Schema beside it, a logo, one
//! content override and a theme of the brand's own that extends the
//! default. Never overwrites a file.

use crate::source::{self, SourceFile};
use anyhow::{Result, bail};
use rust_embed::RustEmbed;
use std::path::{Path, PathBuf};

/// The scaffold, embedded under the paths it is written to, with
/// placeholders in place of the brand.
#[derive(RustEmbed)]
#[folder = "scaffold/"]
struct Scaffold;

/// Stands for the theme's folder name in scaffold paths and files.
const THEME_PLACEHOLDER: &str = "__THEME__";
/// Stands for the brand name (as a YAML scalar) in scaffold files.
const NAME_PLACEHOLDER: &str = "__BRAND_NAME__";
/// Used when the directory's name gives nothing usable.
const FALLBACK_THEME: &str = "mybrand";

#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// The project directory; created if missing.
    pub dir: PathBuf,
    /// Brand name; defaults to the directory's name.
    pub name: Option<String>,
}

/// What `init` wrote.
#[derive(Debug, Clone)]
pub struct InitReport {
    pub theme: String,
    /// Written files, relative to the project directory.
    pub files: Vec<String>,
}

pub fn init(options: &InitOptions) -> Result<InitReport> {
    let dir = &options.dir;
    let name = match &options.name {
        Some(name) => name.trim().to_string(),
        None => directory_name(dir),
    };
    if name.chars().any(char::is_control) {
        bail!("the brand name contains control characters; pass a plain --name");
    }
    let theme = theme_name(&name);
    let files = scaffold_files(&name, &theme)?;
    let existing: Vec<String> = files
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|path| is_taken(dir, path))
        .map(|path| path.display().to_string())
        .collect();
    if !existing.is_empty() {
        bail!(
            "not writing anything: these files already exist and errorsmith init never overwrites files:\n  {}\nmove them away, or run init in another directory",
            existing.join("\n  ")
        );
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            crate::fsx::create_dir_all(parent)?;
        }
        crate::fsx::write(&path, text)?;
    }
    Ok(InitReport {
        theme,
        files: files.into_iter().map(|(rel, _)| rel).collect(),
    })
}

/// Relative path -> contents, placeholders filled in.
fn scaffold_files(name: &str, theme: &str) -> Result<Vec<(String, String)>> {
    // A JSON string is a valid YAML double-quoted scalar, so any name is
    // written safely.
    let yaml_name = serde_json::to_string(name)?;
    let mut files = Vec::new();
    for rel in Scaffold::iter() {
        let Some(file) = Scaffold::get(&rel) else {
            continue;
        };
        let text = SourceFile {
            rel_path: rel.to_string(),
            origin: format!("<built-in>/scaffold/{rel}"),
            bytes: file.data.into_owned(),
        }
        .text()
        .map_err(anyhow::Error::msg)?
        .replace(NAME_PLACEHOLDER, &yaml_name)
        .replace(THEME_PLACEHOLDER, theme);
        files.push((rel.replace(THEME_PLACEHOLDER, theme), text));
    }
    // The scaffold config's `yaml-language-server` comment points here, so
    // editors validate it offline against the schema of this very version.
    files.push((
        crate::schema::CONFIG_SCHEMA_FILE.to_string(),
        crate::schema::schema_json(crate::schema::Document::Config),
    ));
    files.sort();
    Ok(files)
}

fn directory_name(dir: &Path) -> String {
    std::path::absolute(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default()
}

/// A folder name for the brand's theme: lowercase letters, digits and `-`,
/// never the name of a built-in theme (it would hide the one it extends).
fn theme_name(brand: &str) -> String {
    let mut slug = String::new();
    for c in brand.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() {
        FALLBACK_THEME
    } else {
        slug
    };
    let builtin = source::builtin_themes()
        .iter()
        .any(|f| f.rel_path.split('/').next() == Some(slug));
    if builtin {
        format!("{slug}-brand")
    } else {
        slug.to_string()
    }
}

/// Whether writing `path` could touch anything that is there: the file
/// itself (a dangling symbolic link counts, as writing would follow it out
/// of the project) or a symbolic link among its folders under `dir`.
fn is_taken(dir: &Path, path: &Path) -> bool {
    if std::fs::symlink_metadata(path).is_ok() {
        return true;
    }
    path.ancestors()
        .skip(1)
        .take_while(|ancestor| ancestor.starts_with(dir) && *ancestor != dir)
        .any(|ancestor| {
            std::fs::symlink_metadata(ancestor).is_ok_and(|m| m.file_type().is_symlink())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn theme_names_are_folder_safe_and_never_builtin() {
        assert_eq!(theme_name("Acme Corp."), "acme-corp");
        assert_eq!(theme_name("  "), FALLBACK_THEME);
        assert_eq!(theme_name("Ünïcode"), "n-code");
        assert_eq!(theme_name("default"), "default-brand");
    }

    /// The scaffold config shows every key a user can set, so it cannot
    /// fall behind when a key is added to `Config`.
    #[test]
    fn scaffold_config_shows_every_key() {
        let files = scaffold_files("Acme", "acme").unwrap();
        let (_, yaml) = files
            .iter()
            .find(|(rel, _)| rel == crate::config::FILE_NAME)
            .unwrap();
        let keys = serde_json::to_value(Config::default()).unwrap();
        for (key, value) in keys.as_object().unwrap() {
            assert!(yaml.contains(&format!("\n{key}:")), "missing `{key}`");
            for sub in value.as_object().into_iter().flat_map(|o| o.keys()) {
                assert!(yaml.contains(&format!("  {sub}:")), "missing `{key}.{sub}`");
            }
        }
    }

    #[test]
    fn names_are_written_as_safe_yaml() {
        let files = scaffold_files("a: \"b\" # c", "a-b-c").unwrap();
        let (_, yaml) = files
            .iter()
            .find(|(rel, _)| rel == "errorsmith.yaml")
            .unwrap();
        let config: Config = crate::yaml::parse(yaml, 1).map_err(|e| e.message).unwrap();
        assert_eq!(config.site.name, "a: \"b\" # c");
        assert_eq!(config.theme, "a-b-c");
    }
}
