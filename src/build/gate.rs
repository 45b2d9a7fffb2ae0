//! What the publication gate of a build compares its files against: the
//! theme's source, errorsmith's own SSI, every value and the developer
//! part of the content (see [`crate::publish`]).

use super::Job;
use crate::catalog::Catalog;
use crate::catalog::Entry;
use crate::config::DeveloperMode;
use crate::content::Page;
use crate::project::Project;
use crate::publish::{DeveloperRun, DeveloperRuns, Gate, GateInput};
use crate::render::SsiMarkup;
use crate::servers::nginx::NginxSsi;
use crate::strings::Strings;
use anyhow::Result;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The gate for this build: what the theme's source holds, what errorsmith's
/// SSI writer adds, and what of the content is the developer part.
pub(super) fn publication_gate(
    project: &Project,
    theme: &crate::theme::Theme,
    jobs: &[Job],
    strings: &BTreeMap<&str, Strings>,
    ssi: &NginxSsi,
    shared: &SharedRuns,
) -> Result<Gate> {
    let config = &project.config;
    let theme_sources: Vec<&str> = theme
        .files
        .values()
        .chain(theme.ancestors.iter().flat_map(|(_, files)| files.values()))
        .filter_map(|file| file.text().ok())
        .collect();
    let mut own_ssi = BTreeSet::new();
    if config.developer == DeveloperMode::Ssi {
        let markup = jobs
            .iter()
            .map(|job| ssi.developer_include(&format!("{}/", job.locale), job.page.code()))
            .chain(
                strings
                    .values()
                    .flat_map(|s| ssi.request_fields(s))
                    .map(|field| field.value),
            );
        for text in markup {
            own_ssi.extend(crate::publish::ssi_directives(&text));
        }
    }
    if config.visitor_reference {
        let locales = jobs.iter().map(|job| job.locale).collect::<BTreeSet<_>>();
        let markup = locales
            .into_iter()
            .map(|locale| ssi.reference_include(&format!("{locale}/")))
            .chain(strings.values().map(|s| ssi.reference_fragment(s)));
        for text in markup {
            own_ssi.extend(crate::publish::ssi_directives(&text));
        }
    }
    let strings_text: Vec<String> = strings
        .values()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    let site = &config.site;
    let config_file = config
        .origin
        .as_ref()
        .map_or_else(|| "the defaults".to_string(), |p| p.display().to_string());
    let mut values: Vec<(String, String)> = [
        ("site.name", Some(&site.name)),
        ("site.home_url", Some(&site.home_url)),
        ("site.status_url", site.status_url.as_ref()),
        ("site.support_url", site.support_url.as_ref()),
        ("site.footer", site.footer.as_ref()),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some((format!("`{key}` in {config_file}"), value?.clone())))
    .collect();
    for (locale, words) in strings {
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(words) {
            for (key, value) in map {
                if let serde_json::Value::String(value) = value {
                    values.push((
                        format!("`{key}` in the `{locale}` strings (strings.yaml)"),
                        value,
                    ));
                }
            }
        }
    }
    let site_values: Vec<String> = values.iter().map(|(_, v)| v.clone()).collect();
    let mut public_text: Vec<&str> = theme_sources.clone();
    public_text.extend(site_values.iter().map(String::as_str));
    public_text.extend(strings_text.iter().map(String::as_str));
    let page_sources = jobs
        .iter()
        .flat_map(|job| {
            let source = format!(
                "{}: page {} ({})",
                job.page.origin(),
                job.page.code(),
                job.locale
            );
            let code = job.page.code();
            let mut paths = vec![format!("{}/{code}.html", job.locale)];
            if job.top_level {
                paths.push(format!("{code}.html"));
                paths.push(crate::servers::cloudflare::hosted::rule_path(code));
            }
            paths.into_iter().map(move |path| (path, source.clone()))
        })
        .collect();
    Gate::new(GateInput {
        mode: config.developer,
        theme_sources,
        theme: &theme.name,
        own_ssi,
        developer: shared.for_catalog(&project.catalog)?,
        public_text,
        values,
        content_values: {
            let catalog = project.catalog.clone();
            Box::new(move || content_values(&catalog))
        },
        page_sources,
        visitor_reference: config.visitor_reference,
    })
}

/// The content's part of every gate of a build (its developer runs and what
/// of its public text holds them), made once per catalog: brands sharing a
/// catalog share it, so ten brands fold the content once, not ten times.
/// `serve`'s themes also share the keys of the catalog's pages.
#[derive(Default)]
pub struct SharedRuns {
    runs: PerCatalog<Result<Arc<DeveloperRuns>, String>>,
    page_keys: PerCatalog<super::memo::PageKeys>,
}

impl SharedRuns {
    /// Makes the runs of every catalog of `brands` before they render side
    /// by side, so no brand waits for another's.
    pub fn prepare(&self, brands: &[crate::project::Brand]) {
        for brand in brands {
            // A failure comes back again where the brand's gate is made.
            let _ = self.for_catalog(&brand.project.catalog);
        }
    }

    /// The same for the one catalog of `serve`'s themes, with the keys of
    /// its pages their memos recall pages by.
    pub fn prepare_for_memos(&self, catalog: &Arc<Catalog>) {
        rayon::join(
            || drop(self.for_catalog(catalog)),
            || self.page_keys(catalog),
        );
    }

    pub(super) fn page_keys(&self, catalog: &Arc<Catalog>) -> Arc<super::memo::PageKeys> {
        self.page_keys.get(catalog, super::memo::PageKeys::of)
    }

    fn for_catalog(&self, catalog: &Arc<Catalog>) -> Result<Arc<DeveloperRuns>> {
        let made = self
            .runs
            .get(catalog, |catalog| developer_runs(catalog).map(Arc::new));
        made.as_ref().clone().map_err(anyhow::Error::msg)
    }
}

/// One `T` per catalog, made from it once.
struct PerCatalog<T>(Mutex<Vec<(Arc<Catalog>, Arc<T>)>>);

impl<T> Default for PerCatalog<T> {
    fn default() -> Self {
        PerCatalog(Mutex::default())
    }
}

impl<T> PerCatalog<T> {
    fn get(&self, catalog: &Arc<Catalog>, make: impl FnOnce(&Catalog) -> T) -> Arc<T> {
        let made = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        let known = |made: &[(Arc<Catalog>, Arc<T>)]| {
            made.iter()
                .find(|(c, _)| Arc::ptr_eq(c, catalog))
                .map(|(_, value)| value.clone())
        };
        if let Some(value) = known(&made()) {
            return value;
        }
        // Made without the lock held: making it runs on rayon's threads,
        // and a thread waiting there may take up another brand's work,
        // which would wait for this very lock.
        let value = Arc::new(make(catalog));
        let mut made = made();
        if let Some(first) = known(&made) {
            return first;
        }
        made.push((catalog.clone(), value.clone()));
        value
    }
}

/// Pages parsed again at a time, where a catalog does not hold them.
const PAGES_PER_SLICE: usize = 512;

/// Every page of `catalog`, a slice at a time: the pages it does not hold
/// are parsed again (on every core) and go with their slice.
fn each_slice_of_pages(
    catalog: &Catalog,
    mut each: impl FnMut(&[Cow<'_, Page>]),
) -> Result<(), String> {
    let entries: Vec<&Entry> = catalog.pages.values().collect();
    for slice in entries.chunks(PAGES_PER_SLICE) {
        let pages: Vec<Cow<'_, Page>> = slice
            .par_iter()
            .map(|entry| entry.page())
            .collect::<Result<_, _>>()?;
        each(&pages);
    }
    Ok(())
}

fn developer_runs(catalog: &Catalog) -> Result<DeveloperRuns, String> {
    // Each distinct text once, the first place it is found naming it (as
    // `DeveloperRuns::new` keeps the first run of each folded form): many
    // locales of the same text then cost no more than one, in time and in
    // memory. Runs are found by a hash of their text and compared in full.
    let mut runs: Vec<DeveloperRun> = Vec::new();
    let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
    each_slice_of_pages(catalog, |pages| {
        for page in pages {
            for text in page.developer.runs() {
                let same = by_hash.entry(hash_of(text)).or_default();
                if !same.iter().any(|&n| runs[n].text == text) {
                    same.push(runs.len());
                    runs.push(DeveloperRun {
                        text: text.to_string(),
                        origin: page.origin.clone(),
                    });
                }
            }
        }
    })?;
    drop(by_hash);
    // Then the public text, which every run is looked for in: only the
    // runs are needed to judge it, so it goes a slice at a time, each
    // distinct text once (told apart by a 128-bit digest; were two to
    // collide, a run would only be judged unpublished, never published).
    let mut developer = DeveloperRuns::new(runs, &[]);
    let mut seen = HashSet::new();
    each_slice_of_pages(catalog, |pages| {
        let public_text: Vec<&str> = pages
            .iter()
            .flat_map(|page| {
                [
                    page.title.as_str(),
                    page.summary.as_str(),
                    page.visitor_html.as_str(),
                    page.visitor_text.as_str(),
                ]
            })
            .filter(|text| {
                let mut digest = crate::digest::Digest::default();
                digest.add(text.as_bytes());
                seen.insert(digest.value())
            })
            .collect();
        developer.add_public_text(&public_text);
    })?;
    Ok(developer)
}

fn hash_of(text: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(text)
}

/// `(where, value)` of every value of the content, for messages.
fn content_values(catalog: &Catalog) -> Vec<(String, String)> {
    let mut values = Vec::new();
    // For messages only: a page that cannot be parsed again is left out.
    for page in catalog.pages.values().filter_map(|entry| entry.page().ok()) {
        values.push((format!("`title` in {}", page.origin), page.title.clone()));
        values.push((
            format!("`summary` in {}", page.origin),
            page.summary.clone(),
        ));
        values.push((
            format!("`extra` in {}", page.origin),
            serde_json::to_string(&page.extra).unwrap_or_default(),
        ));
        values.push((
            format!("the text of {}", page.origin),
            page.visitor_html.clone(),
        ));
        if let Some(html) = page.developer.html() {
            values.push((
                format!("the developer part of {}", page.origin),
                html.to_string(),
            ));
        }
    }
    values
}
