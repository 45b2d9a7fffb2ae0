//! Live reload: the current site with a generation number that goes up on
//! every rebuild, and a long poll the browser waits on. Only the preview's
//! HTTP responses carry the script; built pages never do.

use super::site::Site;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// The long-poll endpoint. Its path cannot clash with a theme's pages,
/// which live under `/<theme>/`.
pub const ENDPOINT: &str = "/__errorsmith/reload";

/// How long a poll waits before answering "nothing new"; well under the
/// idle timeouts of browsers and proxies.
const POLL_WAIT: Duration = Duration::from_secs(25);

/// The site as last rebuilt, shared by the watcher and the HTTP handlers.
pub struct Live {
    current: Mutex<(u64, Arc<Site>)>,
    changed: Condvar,
}

impl Live {
    pub fn new(site: Site) -> Live {
        Live {
            current: Mutex::new((1, Arc::new(site))),
            changed: Condvar::new(),
        }
    }

    /// The generation and the site to answer one request from.
    pub fn get(&self) -> (u64, Arc<Site>) {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        (current.0, Arc::clone(&current.1))
    }

    pub fn replace(&self, site: Site) {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        *current = (current.0 + 1, Arc::new(site));
        self.changed.notify_all();
    }

    /// Waits until the generation is no longer `since` or the poll times
    /// out, and returns the generation then.
    pub fn wait_for_change(&self, since: u64) -> u64 {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let (current, _) = self
            .changed
            .wait_timeout_while(current, POLL_WAIT, |(generation, _)| *generation == since)
            .unwrap_or_else(PoisonError::into_inner);
        current.0
    }
}

/// The script added to every HTML response of the preview. It reloads
/// when the generation differs from the one the page was served at, which
/// includes a restarted server; while the server is down it retries.
pub fn script(generation: u64) -> String {
    format!(
        "<script>(function(){{var g={generation};function poll(){{\
fetch(\"{ENDPOINT}?since=\"+g,{{cache:\"no-store\"}}).then(function(r){{return r.text()}})\
.then(function(t){{if(Number(t)!==g){{location.reload()}}else{{poll()}}}},\
function(){{setTimeout(poll,1000)}})}}poll()}})();</script>"
    )
}

/// The `since` of `since=N` in a query string; 0 (never current) when
/// missing, so a bare request answers at once.
pub fn since(query: &str) -> u64 {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("since="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poll_returns_once_the_site_is_replaced() {
        let live = Arc::new(Live::new(Site::Broken("first".into())));
        let (generation, _) = live.get();
        let waiter = {
            let live = Arc::clone(&live);
            std::thread::spawn(move || live.wait_for_change(generation))
        };
        std::thread::sleep(Duration::from_millis(50));
        live.replace(Site::Broken("second".into()));
        assert_eq!(waiter.join().unwrap(), generation + 1);
        assert_eq!(live.wait_for_change(0), generation + 1);
    }

    #[test]
    fn since_reads_the_query() {
        assert_eq!(since("since=7"), 7);
        assert_eq!(since("x=1&since=12"), 12);
        assert_eq!(since("since=x"), 0);
        assert_eq!(since(""), 0);
    }
}
