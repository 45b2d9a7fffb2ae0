//! Finds and loads everything a build uses: the config, the content and the
//! themes, from the paths given or from the working directory.

use crate::catalog::{Catalog, LoadOptions};
use crate::config::{self, Config, DeveloperMode};
use crate::markdown::MarkdownOptions;
use crate::render::SiteView;
use crate::theme::{Theme, ThemeSources};
use anyhow::{Context, Result, bail};
use base64::Engine as _;
use std::path::{Path, PathBuf};

/// Where to look and what to override; `None` means "the usual place".
#[derive(Debug, Clone, Default)]
pub struct ProjectOptions {
    /// Folder to look in for `errorsmith.yaml`, `content/` and `themes/`.
    pub root: PathBuf,
    pub config_file: Option<PathBuf>,
    pub content_dir: Option<PathBuf>,
    pub themes_dir: Option<PathBuf>,
    pub theme: Option<String>,
    pub developer: Option<DeveloperMode>,
}

pub struct Project {
    pub config: Config,
    pub catalog: Catalog,
    pub themes: ThemeSources,
    pub content_dir: Option<PathBuf>,
    pub themes_dir: Option<PathBuf>,
}

impl Project {
    pub fn load(options: &ProjectOptions) -> Result<Project> {
        let mut config = match explicit_or_found(
            &options.root,
            &options.config_file,
            config::FILE_NAME,
            false,
        )? {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        };
        if let Some(theme) = &options.theme {
            config.theme = theme.clone();
        }
        if let Some(mode) = options.developer {
            config.developer = mode;
        }
        let content_dir = explicit_or_found(&options.root, &options.content_dir, "content", true)?;
        let themes_dir = explicit_or_found(&options.root, &options.themes_dir, "themes", true)?;
        let mut catalog = Catalog::load(&LoadOptions {
            user_dir: content_dir.as_deref(),
            default_locale: &config.default_locale,
            markdown: MarkdownOptions {
                allow_raw_html: config.allow_raw_html,
            },
        })?;
        if config.developer == DeveloperMode::Strip {
            catalog.strip_developer_parts();
        }
        let themes = ThemeSources::load(themes_dir.as_deref())?;
        Ok(Project {
            config,
            catalog,
            themes,
            content_dir,
            themes_dir,
        })
    }

    pub fn theme(&self) -> Result<Theme> {
        self.themes.resolve(&self.config.theme)
    }

    /// The brand as templates see it, with the logo read and inlined.
    pub fn site_view(&self) -> Result<SiteView> {
        let site = &self.config.site;
        let logo = match &site.logo {
            Some(path) => Some(logo_data_uri(&self.config.base_dir().join(path))?),
            None => None,
        };
        Ok(SiteView {
            name: site.name.clone(),
            home_url: site.home_url.clone(),
            status_url: site.status_url.clone(),
            support_url: site.support_url.clone(),
            footer: site.footer.clone(),
            logo,
        })
    }
}

/// An explicit path must exist; otherwise `root/default_name` is used if
/// it exists.
fn explicit_or_found(
    root: &Path,
    explicit: &Option<PathBuf>,
    default_name: &str,
    dir: bool,
) -> Result<Option<PathBuf>> {
    if let Some(path) = explicit {
        let path = under(root, path);
        let ok = if dir { path.is_dir() } else { path.is_file() };
        if !ok {
            let kind = if dir { "directory" } else { "file" };
            bail!("`{}` is not a {kind}; check the path", path.display());
        }
        return Ok(Some(path));
    }
    let path = under(root, Path::new(default_name));
    let found = if dir { path.is_dir() } else { path.is_file() };
    Ok(found.then_some(path))
}

/// `root/path`, without a leading `./` in messages when root is the
/// working directory.
pub fn under(root: &Path, path: &Path) -> PathBuf {
    if root.as_os_str().is_empty() || root == Path::new(".") {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}

/// The logo as a data URI for an `<img>`: self-contained, and an SVG shown
/// as an image cannot run script.
fn logo_data_uri(path: &Path) -> Result<String> {
    let bytes = crate::fsx::read(path).context("site.logo")?;
    let is_svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let mime = if is_svg { "image/svg+xml" } else { "image/png" };
    if !is_svg && !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        bail!(
            "`{}` is not a PNG file; use a PNG or SVG logo",
            path.display()
        );
    }
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Ok(format!("data:{mime};base64,{data}"))
}
