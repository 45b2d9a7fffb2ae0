//! Themes: Tera templates and CSS. Built-in themes live in the binary; a
//! user's `themes/NAME/` overrides them file by file, and a theme may
//! `extends:` another one and replace only what it changes.

use crate::source::{self, SourceFile};
use anyhow::{Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

pub const MANIFEST: &str = "theme.yaml";
/// The template every theme must end up with.
pub const PAGE_TEMPLATE: &str = "page.html";

/// `theme.yaml`: what `errorsmith themes` shows, and the theme this one builds on.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(title = "theme.yaml")]
pub(crate) struct ThemeManifest {
    /// One line shown by `errorsmith themes`.
    description: String,
    /// The theme whose files this one inherits (built-in or in themes/).
    extends: Option<String>,
}

/// A theme with its parents resolved: the files it renders with, by
/// relative name, and each ancestor's own files for explicit
/// `{% extends "default/page.html" %}`.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    pub description: String,
    /// Relative name -> file, after overrides and inheritance.
    pub files: BTreeMap<String, SourceFile>,
    /// Ancestors, nearest first, each with its own resolved files.
    pub ancestors: Vec<(String, BTreeMap<String, SourceFile>)>,
}

/// Where theme files come from.
pub struct ThemeSources {
    /// theme name -> relative file name -> file; user files already laid
    /// over built-in ones.
    themes: BTreeMap<String, BTreeMap<String, SourceFile>>,
}

impl ThemeSources {
    pub fn load(user_dir: Option<&Path>) -> Result<ThemeSources> {
        let mut themes: BTreeMap<String, BTreeMap<String, SourceFile>> = BTreeMap::new();
        let mut add = |files: Vec<SourceFile>| {
            for file in files {
                if let Some((theme, rel)) = file.rel_path.split_once('/') {
                    let rel = rel.to_string();
                    themes
                        .entry(theme.to_string())
                        .or_default()
                        .insert(rel, file);
                }
            }
        };
        add(source::builtin_themes());
        if let Some(dir) = user_dir {
            add(source::read_dir(dir)?);
        }
        Ok(ThemeSources { themes })
    }

    pub fn names(&self) -> Vec<&str> {
        self.themes.keys().map(String::as_str).collect()
    }

    /// Name and one-line description of every theme.
    pub fn list(&self) -> Result<Vec<(String, String)>> {
        self.names()
            .into_iter()
            .map(|name| Ok((name.to_string(), self.manifest(name)?.description)))
            .collect()
    }

    fn manifest(&self, name: &str) -> Result<ThemeManifest> {
        let Some(file) = self.themes.get(name).and_then(|f| f.get(MANIFEST)) else {
            return Ok(ThemeManifest::default());
        };
        let text = file.text().map_err(anyhow::Error::msg)?;
        crate::yaml::parse(text, 1)
            .map_err(|e| anyhow::anyhow!("{}:{}: {}", file.origin, e.line, e.message))
    }

    pub fn resolve(&self, name: &str) -> Result<Theme> {
        let mut chain: Vec<String> = Vec::new();
        let mut current = name.to_string();
        loop {
            if !self.themes.contains_key(&current) {
                let available = self.names().join(", ");
                let Some(child) = chain.last() else {
                    bail!("theme `{current}` does not exist; available themes: {available}");
                };
                // Point at the `extends:` line that names the missing theme.
                let manifest = match self.themes[child].get(MANIFEST) {
                    Some(file) => format!("{}:{}", file.origin, extends_line(file)),
                    None => format!("themes/{child}/{MANIFEST}"),
                };
                bail!(
                    "{manifest}: `extends: {current}`: theme `{current}` does not exist; extend one of: {available}"
                );
            }
            if chain.contains(&current) {
                bail!(
                    "themes extend each other in a circle: {} -> {current}; remove one `extends:`",
                    chain.join(" -> ")
                );
            }
            chain.push(current.clone());
            match self.manifest(&current)?.extends {
                Some(parent) => current = parent,
                None => break,
            }
        }

        // Resolve from the root down so each level overrides its parent.
        let mut resolved: Vec<(String, BTreeMap<String, SourceFile>)> = Vec::new();
        for level in chain.iter().rev() {
            let mut files = resolved.last().map(|(_, f)| f.clone()).unwrap_or_default();
            files.extend(self.themes[level].clone());
            files.remove(MANIFEST);
            resolved.push((level.clone(), files));
        }
        let (_, files) = resolved.pop().expect("chain has the theme itself");
        if !files.contains_key(PAGE_TEMPLATE) {
            bail!(
                "theme `{name}` has no `{PAGE_TEMPLATE}` and extends no theme that has one; add `{PAGE_TEMPLATE}` or `extends: default` to its {MANIFEST}"
            );
        }
        resolved.reverse();
        Ok(Theme {
            name: name.to_string(),
            description: self.manifest(name)?.description,
            files,
            ancestors: resolved,
        })
    }
}

/// The line of `extends:` in a theme.yaml, for messages; 1 if not found.
fn extends_line(file: &SourceFile) -> usize {
    file.text()
        .ok()
        .and_then(|text| {
            text.lines()
                .position(|line| line.trim_start().starts_with("extends:"))
        })
        .map_or(1, |index| index + 1)
}
