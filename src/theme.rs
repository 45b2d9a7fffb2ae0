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
#[derive(Clone)]
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

    /// Every theme file by theme, relative name and bytes as read.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str, &[u8])> {
        self.themes.iter().flat_map(|(theme, files)| {
            files
                .iter()
                .map(move |(rel, file)| (theme.as_str(), rel.as_str(), file.bytes.as_slice()))
        })
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
                    let closest = closest(&current, &self.names())
                        .map(|name| format!("did you mean `{name}`? "))
                        .unwrap_or_default();
                    bail!(
                        "theme `{current}` does not exist; {closest}available themes: {available}"
                    );
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
                let files: Vec<String> = chain
                    .iter()
                    .skip_while(|theme| **theme != current)
                    .map(|theme| match self.themes[theme].get(MANIFEST) {
                        Some(file) => format!("{}:{}", file.origin, extends_line(file)),
                        None => format!("themes/{theme}/{MANIFEST}"),
                    })
                    .collect();
                bail!(
                    "{}: themes extend each other in a circle: {} -> {current}; remove one of these `extends:` lines",
                    files.join(", "),
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
        refuse_missing_includes(&files, &resolved)?;
        Ok(Theme {
            name: name.to_string(),
            description: self.manifest(name)?.description,
            files,
            ancestors: resolved,
        })
    }
}

/// Every `{% include "NAME" %}` must name a file of the theme (or
/// `ancestor/NAME` of one of its ancestors); Tera's own message names
/// neither the file nor the fix.
fn refuse_missing_includes(
    files: &BTreeMap<String, SourceFile>,
    ancestors: &[(String, BTreeMap<String, SourceFile>)],
) -> Result<()> {
    let exists = |name: &str| {
        files.contains_key(name)
            || name.split_once('/').is_some_and(|(theme, rest)| {
                ancestors
                    .iter()
                    .any(|(a, own)| a == theme && own.contains_key(rest))
            })
    };
    for file in files.values() {
        let Ok(text) = file.text() else { continue };
        for (line, name) in includes(text) {
            if !exists(&name) {
                bail!(
                    "{}:{line}: includes `{name}`, which the theme does not have; add `{name}` to the theme or remove the include",
                    file.origin
                );
            }
        }
    }
    Ok(())
}

/// (line, name) of each `{% include "name" %}` without `ignore missing`.
fn includes(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("{%") {
        let tag_start = offset + start;
        let after = &rest[start + 2..];
        let end = after.find("%}").unwrap_or(after.len());
        let tag = after[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if let Some(args) = tag.strip_prefix("include")
            && args.starts_with(char::is_whitespace)
            && !args.contains("ignore missing")
        {
            let args = args.trim();
            let quote = args.chars().next().unwrap_or(' ');
            if matches!(quote, '"' | '\'' | '`')
                && let Some(close) = args[1..].find(quote)
            {
                let line = text[..tag_start].matches('\n').count() + 1;
                found.push((line, args[1..1 + close].to_string()));
            }
        }
        let consumed = start + 2 + end.min(after.len());
        offset += consumed;
        rest = &rest[consumed..];
    }
    found
}

/// The name among `names` nearest to a typo of it (at most two edits).
pub(crate) fn closest<'a>(typo: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|name| (edit_distance(typo, name), *name))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, name)| name)
}

/// Levenshtein distance, counting a swap of two neighbours as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_theme_allows_two_edits_and_swaps() {
        let names = ["default", "illustrated", "minimal", "terminal"];
        assert_eq!(closest("defualt", &names), Some("default"));
        assert_eq!(closest("minmal", &names), Some("minimal"));
        assert_eq!(closest("fancy", &names), None);
    }

    #[test]
    fn includes_are_found_with_their_lines() {
        let text = "a\n{% include \"x.html\" %}\n{%- include 'y' -%}{% include \"z\" ignore missing %}{% if include %}";
        assert_eq!(
            includes(text),
            [(2, "x.html".to_string()), (3, "y".to_string())]
        );
    }
}
