//! The pages of the previous render of a theme, for `serve`: a page whose
//! inputs are those it had then is not rendered again. Its files still
//! pass the new render's gate ([`crate::publish::Gate::admit_again`]),
//! which judges them afresh unless its verdicts are the old gate's.

use super::job::Job;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::digest::Digest;
use crate::output::ManifestPage;
use crate::publish::Published;
use crate::render::SiteView;
use crate::strings::Strings;
use crate::theme::Theme;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// What a page's render left, to be given again.
pub(super) struct Remembered {
    pub(super) pages: Vec<ManifestPage>,
    pub(super) other_files: Vec<String>,
    pub(super) top_level: Option<(String, Vec<u8>)>,
    pub(super) kept: Vec<(String, Vec<u8>)>,
    pub(super) files: Vec<Published>,
}

/// The pages one render made, by the key of what each was made from; the
/// next render of the same theme reads them and makes its own.
#[derive(Default)]
pub struct RenderMemo {
    previous: HashMap<String, Arc<Remembered>>,
    made: Mutex<HashMap<String, Arc<Remembered>>>,
    recalled: AtomicUsize,
}

impl RenderMemo {
    /// A memo for the render after the one `previous` was made by.
    pub fn after(previous: Option<&RenderMemo>) -> RenderMemo {
        RenderMemo {
            previous: previous.map(RenderMemo::made).unwrap_or_default(),
            made: Mutex::default(),
            recalled: AtomicUsize::new(0),
        }
    }

    /// This render's memo without the previous render's: the pages it did
    /// not make again are gone from the output, and need not be held.
    pub fn finished(self) -> RenderMemo {
        RenderMemo {
            previous: HashMap::new(),
            ..self
        }
    }

    fn made(&self) -> HashMap<String, Arc<Remembered>> {
        self.made
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The page the previous render made from `key`; the caller remembers
    /// it for the next render once this render's gate passed it.
    pub(super) fn recall(&self, key: &str) -> Option<Arc<Remembered>> {
        let remembered = self.previous.get(key)?.clone();
        self.recalled.fetch_add(1, Ordering::Relaxed);
        Some(remembered)
    }

    pub(super) fn remember(&self, key: String, remembered: Arc<Remembered>) {
        self.made
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, remembered);
    }

    /// How many pages this render made or recalled, and how many of them
    /// it recalled.
    pub fn counts(&self) -> (usize, usize) {
        let made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        (made.len(), self.recalled.load(Ordering::Relaxed))
    }
}

/// A digest of each page of a catalog, in full (its `Debug`, which names
/// every field): made once per catalog and shared by the themes.
pub(super) struct PageKeys(HashMap<(String, u16), String>);

impl PageKeys {
    pub(super) fn of(catalog: &Catalog) -> PageKeys {
        PageKeys(
            catalog
                .pages
                .par_iter()
                .map(|(at, page)| (at.clone(), of_parts(&[format!("{page:?}").as_bytes()])))
                .collect(),
        )
    }
}

/// The key of what every page of one render reads besides its own inputs:
/// the theme's files and its ancestors', the config, the site's values.
pub(super) fn render_key(theme: &Theme, config: &Config, site: &SiteView) -> String {
    let mut digest = Digest::default();
    digest.add(theme.name.as_bytes());
    let files = std::iter::once(("", &theme.files)).chain(
        theme
            .ancestors
            .iter()
            .map(|(name, files)| (name.as_str(), files)),
    );
    for (name, files) in files {
        digest.add(name.as_bytes());
        for (rel, file) in files {
            digest.add(rel.as_bytes());
            digest.add(&file.bytes);
        }
    }
    digest.add(format!("{config:?}").as_bytes());
    digest.add(format!("{site:?}").as_bytes());
    digest.hex()
}

/// The key of one page of a render: the render's, the job's place, the
/// page's own key and the strings it is rendered with. None when the
/// catalog has no key for the page (then it is rendered).
pub(super) fn job_key(
    render: &str,
    job: &Job,
    pages: &PageKeys,
    strings: &Strings,
) -> Option<String> {
    let page = pages
        .0
        .get(&(job.page.locale().to_string(), job.page.code()))?;
    Some(of_parts(&[
        render.as_bytes(),
        job.locale.as_bytes(),
        page.as_bytes(),
        job.fallback_from.as_deref().unwrap_or("\0").as_bytes(),
        &[u8::from(job.top_level)],
        format!("{strings:?}").as_bytes(),
    ]))
}

fn of_parts(parts: &[&[u8]]) -> String {
    let mut digest = Digest::default();
    for part in parts {
        digest.add(part);
    }
    digest.hex()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{SharedRuns, render_project, render_project_sharing};
    use crate::project::{Project, ProjectOptions};
    use std::path::Path;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn load(root: &Path) -> Project {
        let options = ProjectOptions {
            root: root.to_path_buf(),
            ..Default::default()
        };
        Project::load(&options).unwrap()
    }

    fn files(rendered: crate::build::Rendered) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = rendered
            .files
            .into_iter()
            .map(crate::publish::Published::into_parts)
            .collect();
        files.sort();
        files
    }

    /// After each kind of edit, a render that recalls what it can makes the
    /// files a fresh render makes; an edit of one page renders that page only.
    #[test]
    fn recalled_pages_are_the_bytes_a_fresh_render_makes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let logo = |fill: &str| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1" fill="{fill}"/></svg>"#
            )
        };
        write(
            root,
            "errorsmith.yaml",
            "theme: mine\nsite:\n  logo: logo.svg\n",
        );
        write(root, "logo.svg", &logo("#111"));
        write(root, "themes/mine/theme.yaml", "extends: default\n");
        write(root, "themes/mine/partials/brand.html", "<p>Mine</p>\n");
        write(root, "content/404.md", "---\ntitle: One\n---\nGone.\n");
        let out = root.join("dist");
        let mut memo = RenderMemo::after(None);
        render_project_sharing(&load(root), &out, &SharedRuns::default(), Some(&memo)).unwrap();
        let (pages, recalled) = memo.counts();
        assert_eq!(recalled, 0);
        for (what, file, text, renders) in [
            (
                "a page",
                "content/404.md",
                "---\ntitle: Two\n---\nGone again.\n".to_string(),
                Some(1),
            ),
            (
                "the strings",
                "content/strings.yaml",
                "try_again: Noch einmal\n".to_string(),
                None,
            ),
            (
                "a theme file",
                "themes/mine/partials/brand.html",
                "<p>Ours</p>\n".to_string(),
                Some(pages),
            ),
            ("the logo", "logo.svg", logo("#222"), Some(pages)),
            (
                "the config",
                "errorsmith.yaml",
                "theme: mine\nsite:\n  logo: logo.svg\ncolors:\n  accent: \"#225522\"\n"
                    .to_string(),
                Some(pages),
            ),
        ] {
            write(root, file, &text);
            let edited = load(root);
            let next = RenderMemo::after(Some(&memo));
            let again = render_project_sharing(&edited, &out, &SharedRuns::default(), Some(&next));
            assert_eq!(
                files(again.unwrap()),
                files(render_project(&edited, &out).unwrap()),
                "after an edit of {what}"
            );
            let (made, recalled) = next.counts();
            assert_eq!(made, pages, "{what}");
            match renders {
                Some(renders) => assert_eq!(made - recalled, renders, "{what}"),
                // The `en` strings: every page in English, none of the others.
                None => assert!(
                    recalled > 0 && recalled < pages,
                    "{what}: {recalled} of {pages}"
                ),
            }
            memo = next;
        }
    }

    /// Files judged again under a new gate are remembered as it passed
    /// them, so the render after passes them without judging them again.
    #[test]
    fn files_judged_again_are_remembered_as_the_new_gate_passed_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let page = |fix: &str| {
            format!("---\ntitle: Broken\n---\nSorry.\n\n## Fix {{.developer}}\n\n{fix}\n")
        };
        write(
            root,
            "content/500.md",
            &page("Restart the payment worker on host db-7"),
        );
        let out = root.join("dist");
        let render = |memo: &RenderMemo| {
            let sink = crate::output::Collect::default();
            crate::build::render_into(&load(root), &out, &sink, &SharedRuns::default(), Some(memo))
                .unwrap()
                .gate
        };
        let first = RenderMemo::after(None);
        render(&first);
        // Another developer text: the gate looks for other runs.
        write(
            root,
            "content/500.md",
            &page("Flush the queue on host mq-3 and retry"),
        );
        let second = RenderMemo::after(Some(&first));
        let gate = render(&second);
        let (pages, recalled) = second.counts();
        assert!(recalled > 0 && recalled < pages, "{recalled} of {pages}");
        let made = second.made();
        let stale: Vec<&str> = made
            .values()
            .flat_map(|remembered| &remembered.files)
            .filter(|file| !gate.passes_as_it_is(file))
            .map(|file| file.path())
            .collect();
        assert!(
            stale.is_empty(),
            "{} files remembered with the old gate's stamp, such as {:?}",
            stale.len(),
            &stale[..stale.len().min(3)]
        );
    }

    /// A page recalled unchanged can leak after an edit elsewhere: here a
    /// theme shows `extra.note`, which is also 500's developer text and was
    /// public only while 404's text said it too.
    #[test]
    fn a_recalled_page_is_judged_again_when_what_the_gate_looks_for_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let secret = "restart the payment worker on host db-7 before noon";
        write(root, "errorsmith.yaml", "theme: mine\ndeveloper: strip\n");
        write(root, "themes/mine/theme.yaml", "extends: default\n");
        write(
            root,
            "themes/mine/partials/brand.html",
            "<p>{{ page.extra.note | default(value=\"\") }}</p>\n",
        );
        write(
            root,
            "content/500.md",
            &format!(
                "---\ntitle: Broken\nextra:\n  note: {secret}\n---\nSorry.\n\n## Fix {{.developer}}\n\n{secret}\n"
            ),
        );
        write(
            root,
            "content/404.md",
            &format!("---\ntitle: Lost\n---\nWe say {secret}.\n"),
        );
        let out = root.join("dist");
        let first = RenderMemo::after(None);
        render_project_sharing(&load(root), &out, &SharedRuns::default(), Some(&first)).unwrap();

        write(
            root,
            "content/404.md",
            "---\ntitle: Lost\n---\nNothing here.\n",
        );
        let edited = load(root);
        let fresh = render_project(&edited, &out)
            .err()
            .expect("a fresh render refuses it");
        let second = RenderMemo::after(Some(&first));
        let recalled = render_project_sharing(&edited, &out, &SharedRuns::default(), Some(&second))
            .err()
            .expect("the recalled 500 page is refused too");
        assert!(second.counts().1 > 0, "nothing was recalled");
        assert_eq!(format!("{recalled:#}"), format!("{fresh:#}"));
        assert!(
            format!("{fresh:#}").contains("would publish the developer part"),
            "{fresh:#}"
        );
    }
}
