//! Which pages a build renders: every code of the config (or of the
//! content) in every locale, falling back to the default locale's page.

use super::Job;
use crate::project::Project;
use anyhow::{Result, bail};

/// Every page to render, the default locale's first (they also land at the
/// top level), and the `locale/code` of those built from another locale's
/// content.
pub(super) fn plan_jobs(project: &Project) -> Result<(Vec<Job<'_>>, Vec<String>)> {
    let default_locale = project.config.default_locale.as_str();
    let codes = codes_to_build(project)?;
    let mut jobs = Vec::new();
    let mut fallbacks = Vec::new();
    for locale in &project.locales {
        let locale = locale.as_str();
        for &code in &codes {
            let (page, fallback_from) = match project.catalog.page(locale, code) {
                Some(page) => (page, None),
                None => {
                    let Some(page) = project
                        .catalog
                        .page(default_locale, code)
                        .or_else(|| project.catalog.page(crate::catalog::BUILTIN_LOCALE, code))
                    else {
                        continue;
                    };
                    fallbacks.push(format!("{locale}/{code}"));
                    (page, Some(page.locale().to_string()))
                }
            };
            jobs.push(Job {
                locale,
                page,
                fallback_from,
                top_level: locale == default_locale,
            });
        }
    }
    Ok((jobs, fallbacks))
}

fn codes_to_build(project: &Project) -> Result<Vec<u16>> {
    let config = &project.config;
    let available = project.catalog.codes(&config.default_locale);
    let available = if available.is_empty() {
        project.catalog.codes(crate::catalog::BUILTIN_LOCALE)
    } else {
        available
    };
    if config.codes.is_empty() {
        return Ok(available);
    }
    let mut codes = config.codes.clone();
    codes.sort_unstable();
    codes.dedup();
    for code in &codes {
        if project
            .catalog
            .page(&config.default_locale, *code)
            .is_none()
            && project
                .catalog
                .page(crate::catalog::BUILTIN_LOCALE, *code)
                .is_none()
        {
            let origin = config
                .origin
                .as_ref()
                .map(|p| format!("{}: ", p.display()))
                .unwrap_or_default();
            bail!(
                "{origin}`codes` lists {code}, but there is no content for it; add content/{code}.md or remove it from `codes`"
            );
        }
    }
    Ok(codes)
}
