//! How much of the preview an edit can change. Theme files are read only
//! by the themes that extend theme by theme down to them, so an edit in
//! `themes/brand/` re-renders `brand` and the themes built on it, not
//! every built-in theme. Anything else (the config, content, the logo, a
//! theme's `theme.yaml`, a theme added or removed) re-renders everything.

use crate::serve::site::Preview;
use crate::theme::MANIFEST;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The themes to render again after `inputs` changed, or None for all.
/// `others` are the watched paths besides `themes_dir`, which may lie
/// inside it (a logo kept in a theme folder is read by every theme).
pub fn themes_to_render(
    inputs: &[PathBuf],
    themes_dir: &Path,
    others: &[&PathBuf],
    preview: &Preview,
) -> Option<BTreeSet<String>> {
    let mut themes = BTreeSet::new();
    for path in inputs {
        if others.iter().any(|other| path.starts_with(other)) {
            return None;
        }
        let mut parts = path.strip_prefix(themes_dir).ok()?.components();
        let theme = parts.next()?.as_os_str().to_str()?;
        let file = parts.as_path();
        if file.as_os_str().is_empty() || file == Path::new(MANIFEST) {
            return None;
        }
        themes.extend(preview.affected_by(theme)?);
    }
    (!themes.is_empty()).then_some(themes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::site::ThemePreview;
    use std::sync::Arc;

    fn theme(name: &str, lineage: Option<&[&str]>) -> Arc<ThemePreview> {
        Arc::new(ThemePreview {
            name: name.into(),
            description: String::new(),
            files: Ok(Default::default()),
            pages: Vec::new(),
            lineage: lineage.map(|l| l.iter().map(|n| n.to_string()).collect()),
            memo: Default::default(),
        })
    }

    #[test]
    fn a_theme_file_renders_its_theme_and_those_built_on_it_only() {
        let preview = Preview {
            themes: vec![
                theme("default", Some(&["default"])),
                theme("brand", Some(&["brand", "default"])),
                theme("night", Some(&["night", "brand", "default"])),
                theme("terminal", Some(&["terminal"])),
                theme("broken", None),
            ],
            extra_inputs: Vec::new(),
        };
        let themes = PathBuf::from("/p/themes");
        let config = PathBuf::from("/p/errorsmith.yaml");
        let logo = PathBuf::from("/p/themes/brand/logo.svg");
        let others = [&config, &logo];
        let scope = |paths: &[&str]| {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            themes_to_render(&paths, &themes, &others, &preview)
                .map(|set| set.into_iter().collect::<Vec<_>>().join(" "))
        };
        assert_eq!(
            scope(&["/p/themes/brand/partials/brand.html"]).as_deref(),
            Some("brand broken night")
        );
        assert_eq!(
            scope(&["/p/themes/terminal/style.css", "/p/themes/night/page.html"]).as_deref(),
            Some("broken night terminal")
        );
        for everything in [
            &["/p/themes/brand/theme.yaml"][..],
            &["/p/themes/brand"],
            &["/p/themes/new/page.html"],
            &["/p/themes"],
            &["/p/themes/brand/logo.svg"],
            &["/p/themes/brand/page.html", "/p/errorsmith.yaml"],
            &["/p/content/404.md"],
            &[],
        ] {
            assert_eq!(scope(everything), None, "{everything:?}");
        }
    }
}
