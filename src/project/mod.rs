//! Finds and loads everything a build uses: the config, the content and the
//! themes, from the paths given or from the working directory.

use crate::catalog::{Catalog, LoadOptions};
use crate::config::{self, Config, DeveloperMode};
use crate::markdown::MarkdownOptions;
use crate::render::SiteView;
use crate::theme::{Theme, ThemeSources};
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

mod logo;
use logo::logo_data_uri;

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
    /// `--locale`: build only these (and the default locale); overrides
    /// `locales:` in the config.
    pub locales: Option<Vec<String>>,
    /// `--brand`: only this brand of a config with `brands:`.
    pub brand: Option<String>,
}

pub struct Project {
    pub config: Config,
    /// Shared by every brand that reads the content the same way.
    pub catalog: std::sync::Arc<Catalog>,
    pub themes: ThemeSources,
    pub content_dir: Option<PathBuf>,
    pub themes_dir: Option<PathBuf>,
    /// The locales to build, the default locale first.
    pub locales: Vec<String>,
    /// Where the theme's name came from, for messages: `--theme` or the
    /// config's `theme` key.
    theme_source: String,
    /// The site view, logo read, made once: every render of the brand and
    /// the key of its inputs see the same bytes.
    site: std::sync::OnceLock<Result<SiteView, String>>,
}

/// One brand of a build: its name, when the config has `brands:`, and
/// everything it is built from.
pub struct Brand {
    pub name: Option<String>,
    pub project: Project,
}

/// The content of one load, parsed once and shared by every brand that
/// reads it the same way (default locale, raw HTML, stripped or not): ten
/// brands hold one catalog, not ten.
type CatalogCache = std::collections::HashMap<(String, bool, bool), std::sync::Arc<Catalog>>;

impl Project {
    /// The project of a config without `brands:`; with brands, the first
    /// brand's (see [`Project::load_brands`] for all of them).
    pub fn load(options: &ProjectOptions) -> Result<Project> {
        let mut brands = Project::load_brands(options)?;
        Ok(brands.remove(0).project)
    }

    /// Every brand of the project: one, named `None`, for a config without
    /// `brands:`. Content and themes are read once for all of them.
    pub fn load_brands(options: &ProjectOptions) -> Result<Vec<Brand>> {
        let config = match explicit_or_found(
            &options.root,
            &options.config_file,
            ("--config", config::FILE_NAME),
            false,
        )? {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        };
        let content_dir = explicit_or_found(
            &options.root,
            &options.content_dir,
            ("--content", "content"),
            true,
        )?;
        let themes_dir = explicit_or_found(
            &options.root,
            &options.themes_dir,
            ("--themes", "themes"),
            true,
        )?;
        // Read after the first brand's content, as one project always was,
        // so the first error a user sees stays the same.
        let mut themes = None;
        let mut cache = CatalogCache::new();
        let dirs = (content_dir, themes_dir);
        if config.resolved_brands.is_empty() && options.brand.is_none() {
            let project = Project::assemble(options, config, None, &dirs, &mut themes, &mut cache)?;
            return Ok(vec![Brand {
                name: None,
                project,
            }]);
        }
        let file = config.origin.as_ref().map_or_else(
            || config::FILE_NAME.to_string(),
            |p| p.display().to_string(),
        );
        if let Some(wanted) = &options.brand {
            if config.resolved_brands.is_empty() {
                bail!("--brand {wanted}: {file} has no `brands:`; leave --brand out");
            }
            if !config
                .resolved_brands
                .iter()
                .any(|(name, _)| name == wanted)
            {
                let names: Vec<&str> = config
                    .resolved_brands
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect();
                bail!(
                    "--brand {wanted}: {file} has no such brand; its brands: {}",
                    names.join(", ")
                );
            }
        }
        let mut brands = Vec::new();
        for (name, brand) in config.resolved_brands.clone() {
            if options.brand.as_ref().is_some_and(|wanted| wanted != &name) {
                continue;
            }
            let project =
                Project::assemble(options, brand, Some(&name), &dirs, &mut themes, &mut cache)
                    .map_err(|e| anyhow::anyhow!("brand `{name}`: {e:#}"))?;
            brands.push(Brand {
                name: Some(name),
                project,
            });
        }
        Ok(brands)
    }

    fn assemble(
        options: &ProjectOptions,
        mut config: Config,
        brand: Option<&str>,
        (content_dir, themes_dir): &(Option<PathBuf>, Option<PathBuf>),
        themes: &mut Option<ThemeSources>,
        cache: &mut CatalogCache,
    ) -> Result<Project> {
        let key = |key: &str| match brand {
            Some(name) => format!("`brands.{name}.{key}` (or the shared `{key}`)"),
            None => format!("`{key}`"),
        };
        let theme_source = match (&options.theme, &config.origin) {
            (Some(_), _) => "--theme".to_string(),
            (None, Some(origin)) => format!("{}: {}", origin.display(), key("theme")),
            (None, None) => "`theme`".to_string(),
        };
        if let Some(theme) = &options.theme {
            config.theme = theme.clone();
        }
        if let Some(mode) = options.developer {
            config.developer = mode;
        }
        let strip = config.developer == DeveloperMode::Strip;
        let key = (config.default_locale.clone(), config.allow_raw_html, strip);
        let catalog = match cache.get(&key) {
            Some(catalog) => catalog.clone(),
            None => {
                let unstripped = (key.0.clone(), key.1, false);
                let mut catalog = match cache.get(&unstripped) {
                    Some(catalog) => Catalog::clone(catalog),
                    None => Catalog::load(&LoadOptions {
                        user_dir: content_dir.as_deref(),
                        default_locale: &config.default_locale,
                        markdown: MarkdownOptions {
                            allow_raw_html: config.allow_raw_html,
                        },
                    })?,
                };
                if strip {
                    catalog.strip_developer_parts();
                }
                let catalog = std::sync::Arc::new(catalog);
                cache.insert(key, catalog.clone());
                catalog
            }
        };
        let locales = chosen_locales(&config, &catalog, options.locales.as_deref())?;
        if themes.is_none() {
            *themes = Some(ThemeSources::load(themes_dir.as_deref())?);
        }
        Ok(Project {
            config,
            catalog,
            themes: themes.clone().expect("loaded above"),
            content_dir: content_dir.clone(),
            themes_dir: themes_dir.clone(),
            locales,
            theme_source,
            site: std::sync::OnceLock::new(),
        })
    }

    /// The same project built with the theme `name`, as `--theme name`
    /// would load it: the content is shared, not read again.
    pub fn with_theme(&self, name: &str) -> Project {
        Project {
            config: Config {
                theme: name.to_string(),
                ..self.config.clone()
            },
            catalog: self.catalog.clone(),
            themes: self.themes.clone(),
            content_dir: self.content_dir.clone(),
            themes_dir: self.themes_dir.clone(),
            locales: self.locales.clone(),
            theme_source: "--theme".to_string(),
            site: self.site.clone(),
        }
    }

    /// The user's default-locale pages whose built locales still carry
    /// the built-in text for the same code.
    pub fn stock_beside_overrides(&self) -> Vec<crate::catalog::StockBesideOverride> {
        self.catalog.stock_beside_overrides(
            &self.config.default_locale,
            &self.locales,
            &self.config.codes,
        )
    }

    pub fn theme(&self) -> Result<Theme> {
        let name = &self.config.theme;
        let names = self.themes.names();
        if !names.contains(&name.as_str()) {
            let closest = crate::theme::closest(name, &names)
                .map(|near| format!("did you mean `{near}`? "))
                .unwrap_or_default();
            bail!(
                "{} is `{name}`, which is no theme; {closest}available themes: {}",
                self.theme_source,
                names.join(", ")
            );
        }
        self.themes.resolve(name)
    }

    /// The brand as templates see it, with the logo read and inlined; read
    /// once, so the logo cannot differ between two renders of one build.
    pub fn site_view(&self) -> Result<SiteView> {
        self.site
            .get_or_init(|| self.read_site_view().map_err(|e| format!("{e:#}")))
            .clone()
            .map_err(anyhow::Error::msg)
    }

    fn read_site_view(&self) -> Result<SiteView> {
        let site = &self.config.site;
        let logo = match &site.logo {
            Some(path) => Some(
                logo_data_uri(&self.config.base_dir().join(path), self.config.base_dir())
                    .map_err(|e| self.in_config_file(e))?,
            ),
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

impl Project {
    /// `errorsmith.yaml: <message>`, so a logo error names the file that
    /// set it.
    fn in_config_file(&self, error: anyhow::Error) -> anyhow::Error {
        match &self.config.origin {
            Some(origin) => anyhow::anyhow!("{}: {error:#}", origin.display()),
            None => error,
        }
    }
}

/// The default locale (which must have content) and then the locales of
/// `--locale`, else of `locales:`, else every locale with content.
fn chosen_locales(
    config: &Config,
    catalog: &Catalog,
    option: Option<&[String]>,
) -> Result<Vec<String>> {
    let file = config.origin.as_ref().map_or_else(
        || config::FILE_NAME.to_string(),
        |p| p.display().to_string(),
    );
    let available = catalog.locales();
    let listed = available.join(", ");
    let default = config.default_locale.as_str();
    if !available.contains(&default) {
        let base = default.split('-').next().unwrap_or(default);
        let fix = if available.contains(&base) {
            format!("use `{base}`, whose pages serve `{default}` visitors too")
        } else {
            format!("use one of: {listed}")
        };
        bail!(
            "{file}: `default_locale` is `{default}`, but there is no content for it; {fix}, or add your pages as content/NNN.md"
        );
    }
    let (wanted, source): (Vec<String>, String) = match (option, &config.locales) {
        (Some(tags), _) if !tags.is_empty() => (tags.to_vec(), "--locale".to_string()),
        (_, Some(tags)) => (tags.clone(), format!("{file}: `locales`")),
        _ => {
            return Ok(std::iter::once(default)
                .chain(available.iter().copied().filter(|l| *l != default))
                .map(str::to_string)
                .collect());
        }
    };
    let mut chosen = vec![default.to_string()];
    for tag in wanted {
        if !available.contains(&tag.as_str()) {
            bail!(
                "{source} lists `{tag}`, which has no content; available locales: {listed} (the default locale `{default}` is always built and need not be listed)"
            );
        }
        if !chosen.contains(&tag) {
            chosen.push(tag);
        }
    }
    Ok(chosen)
}

/// An explicit path (given with `option`) must exist; otherwise
/// `root/default_name` is used if it exists.
fn explicit_or_found(
    root: &Path,
    explicit: &Option<PathBuf>,
    (option, default_name): (&str, &str),
    dir: bool,
) -> Result<Option<PathBuf>> {
    if let Some(path) = explicit {
        let path = under(root, path);
        let ok = if dir { path.is_dir() } else { path.is_file() };
        if !ok {
            let kind = if dir { "directory" } else { "file" };
            bail!(
                "{option} {}: not a {kind}; pass an existing {kind}, or leave {option} out to use ./{default_name}",
                path.display()
            );
        }
        return Ok(Some(path));
    }
    let path = under(root, Path::new(default_name));
    // Found means "something is there", not "a usable file is there": a
    // dangling link, a folder named like the config or a pipe is the
    // user's input gone wrong, and building without it would publish the
    // defaults (the developer part in hidden mode) as if all were well.
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let usable = if dir { path.is_dir() } else { path.is_file() };
    if !usable {
        let kind = if dir { "directory" } else { "regular file" };
        let what = match std::fs::metadata(&path) {
            Err(_) => "a symbolic link to nothing".to_string(),
            Ok(meta) if meta.is_dir() => "a directory".to_string(),
            Ok(meta) if meta.is_file() => "a file".to_string(),
            Ok(_) => "not a regular file (a device, socket or pipe)".to_string(),
        };
        bail!(
            "`{}` is {what}, not a {kind}; fix or remove it (or pass {option})",
            path.display()
        );
    }
    Ok(Some(path))
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
