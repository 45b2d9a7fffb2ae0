//! Rebuilding when an input changes: file events where the system gives
//! them, polling where it does not (or with `--poll`), and in both cases
//! no rebuild for a change no page can show (an editor's swap file, a
//! save of the same bytes).

mod events;
mod inputs;
mod poll;
mod scope;

use super::reload::Live;
use super::site::Site;
use crate::project::{self, ProjectOptions};
use events::Events;
use inputs::Contents;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where [`roots`] puts the themes folder.
const THEMES: usize = 2;

/// Renders the preview again: everything, or only the themes given.
pub trait Rebuild: Fn(Option<&BTreeSet<String>>) -> Site {}
impl<F: Fn(Option<&BTreeSet<String>>) -> Site> Rebuild for F {}

/// How often the inputs are checked for changes when polling.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Watching the inputs, from before the first build, so that no edit
/// made while it runs is missed.
pub struct Watch<'a> {
    options: &'a ProjectOptions,
    events: Option<Events>,
    /// The inputs as the last rebuild may have read them.
    contents: Contents,
    /// Where polling starts from.
    fingerprint: poll::Fingerprint,
}

impl<'a> Watch<'a> {
    /// Starts watching; `poll` polls even where file events work.
    pub fn start(options: &'a ProjectOptions, poll: bool) -> Watch<'a> {
        let roots = roots(options, None);
        let events = if poll {
            None
        } else {
            Events::start(&roots)
                .map_err(|why| fall_back(&format!("file events are unavailable: {why}")))
                .ok()
        };
        Watch {
            options,
            events,
            contents: Contents::scan(&roots),
            fingerprint: poll::fingerprint(&roots),
        }
    }

    /// Rebuilds into `live` whenever the inputs change; never returns.
    pub fn forever(mut self, live: &Live, rebuild: impl Rebuild) -> ! {
        if let Some(events) = self.events.take() {
            let why = self.by_events(events, live, &rebuild);
            fall_back(&format!("file events stopped: {why}"));
            // Whatever happened since the last event may be lost.
            self.contents = Contents::scan(&self.roots(live));
            self.fingerprint = poll::fingerprint(&self.roots(live));
            live.replace(rebuild(None));
        }
        self.by_polling(live, &rebuild)
    }

    /// Rebuilds on file events until the watcher fails, and says why.
    fn by_events(&mut self, mut events: Events, live: &Live, rebuild: impl Rebuild) -> String {
        // The first build may name a logo.
        if let Err(why) = events.sync(&self.roots(live), false) {
            return why;
        }
        loop {
            let batch = match events.next_batch() {
                Ok(batch) => batch,
                Err(why) => return why,
            };
            let roots = self.roots(live);
            let structural = batch
                .paths
                .iter()
                .any(|path| events.is_structural(path, &roots));
            if structural || batch.rescan {
                if let Err(why) = events.sync(&roots, true) {
                    return why;
                }
                self.contents = Contents::scan(&roots);
                live.replace(rebuild(None));
            } else if let Some(inputs) = self.changed_inputs(&batch.paths, &roots, live) {
                live.replace(rebuild(self.scope(&inputs, &roots, live).as_ref()));
            } else {
                continue;
            }
            // The rebuild may name another logo.
            if let Err(why) = events.sync(&self.roots(live), false) {
                return why;
            }
        }
    }

    fn by_polling(&mut self, live: &Live, rebuild: impl Rebuild) -> ! {
        loop {
            std::thread::sleep(POLL_INTERVAL);
            let roots = self.roots(live);
            let now = poll::fingerprint(&roots);
            let paths = self.fingerprint.changed_paths(&now);
            self.fingerprint = now;
            if let Some(inputs) = self.changed_inputs(&paths, &roots, live) {
                live.replace(rebuild(self.scope(&inputs, &roots, live).as_ref()));
            }
        }
    }

    /// The inputs among `paths`, if a change to them can change a page:
    /// one now holds other bytes, or appeared or went away. While the
    /// preview shows an error, any change under the roots retries, so
    /// nothing this skips can keep an error on screen.
    fn changed_inputs(
        &mut self,
        paths: &[PathBuf],
        roots: &[PathBuf],
        live: &Live,
    ) -> Option<Vec<PathBuf>> {
        let healthy = live.get().1.errors().is_empty();
        let inputs: Vec<PathBuf> = paths
            .iter()
            .filter(|path| roots.iter().any(|root| path.starts_with(root)))
            .filter(|path| !healthy || !inputs::is_editor_temp(path))
            .cloned()
            .collect();
        // Recorded even when unhealthy, so the next comparison is fresh.
        let differs = self.contents.changed(&inputs);
        (differs || (!healthy && !inputs.is_empty())).then_some(inputs)
    }

    /// The themes to render again for a change to `inputs`; None for all.
    fn scope(
        &self,
        inputs: &[PathBuf],
        roots: &[PathBuf],
        live: &Live,
    ) -> Option<BTreeSet<String>> {
        let site = live.get().1;
        let Site::Ready(preview) = &*site else {
            return None;
        };
        let others: Vec<&PathBuf> = (roots.iter().enumerate())
            .filter(|(i, _)| *i != THEMES)
            .map(|(_, root)| root)
            .collect();
        scope::themes_to_render(inputs, &roots[THEMES], &others, preview)
    }

    fn roots(&self, live: &Live) -> Vec<PathBuf> {
        roots(self.options, Some(&live.get().1))
    }
}

/// Says once on the terminal that changes are polled for from now on.
fn fall_back(why: &str) {
    eprintln!(
        "warning: {why}; checking for changes {} times a second instead",
        1000 / POLL_INTERVAL.as_millis()
    );
}

/// The config file and the content and themes folders, given or default,
/// whether they exist yet or not, and the logo once a build named it;
/// with symbolic links resolved, as file events name them (FSEvents
/// reports `/private/var/...` for a project under `/var/...`).
fn roots(options: &ProjectOptions, site: Option<&Site>) -> Vec<PathBuf> {
    let pick = |given: &Option<PathBuf>, default: &str| {
        project::under(&options.root, given.as_deref().unwrap_or(default.as_ref()))
    };
    let mut paths = vec![
        pick(&options.config_file, crate::config::FILE_NAME),
        pick(&options.content_dir, "content"),
        pick(&options.themes_dir, "themes"),
    ];
    if let Some(Site::Ready(preview)) = site {
        paths.extend(preview.extra_inputs.iter().cloned());
    }
    paths.into_iter().map(|path| resolved(&path)).collect()
}

/// `path` absolute, its longest existing part with links resolved.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for existing in absolute.ancestors() {
        if let Ok(real) = existing.canonicalize() {
            let rest = absolute.strip_prefix(existing).unwrap_or(Path::new(""));
            return if rest.as_os_str().is_empty() {
                real
            } else {
                real.join(rest)
            };
        }
    }
    absolute
}

#[cfg(test)]
mod tests {
    use super::resolved;

    #[cfg(unix)]
    #[test]
    fn resolved_follows_links_in_the_part_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        std::fs::create_dir(real.join("project")).unwrap();
        std::os::unix::fs::symlink(real.join("project"), real.join("link")).unwrap();
        assert_eq!(resolved(&real.join("link")), real.join("project"));
        assert_eq!(
            resolved(&real.join("link/content/404.md")),
            real.join("project/content/404.md")
        );
    }
}
