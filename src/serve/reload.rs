//! Live reload: the current site with a generation number that goes up on
//! every rebuild, and a long poll the browser waits on. Only the preview's
//! HTTP responses carry the script; built pages never do.

use super::site::Site;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// The long-poll endpoint. Its path cannot clash with a theme's pages,
/// which live under `/<theme>/`.
pub const ENDPOINT: &str = "/__errorsmith/reload";

/// How long a poll waits before answering "nothing new"; well under the
/// idle timeouts of browsers and proxies.
const POLL_WAIT: Duration = Duration::from_secs(25);

/// Polls that may wait at once, each holding a worker thread; one per
/// open preview tab, so 32 is many tabs. Beyond, a poll is told to retry.
pub const MAX_POLLS: usize = 32;

/// The site as last rebuilt, shared by the watcher and the HTTP handlers.
pub struct Live {
    current: Mutex<(u64, Arc<Site>)>,
    changed: Condvar,
    polls: AtomicUsize,
}

impl Live {
    pub fn new(site: Site) -> Live {
        Live {
            current: Mutex::new((1, Arc::new(site))),
            changed: Condvar::new(),
            polls: AtomicUsize::new(0),
        }
    }

    /// The generation and the site to answer one request from.
    pub fn get(&self) -> (u64, Arc<Site>) {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        (current.0, Arc::clone(&current.1))
    }

    pub fn replace(&self, site: Site) {
        let previous = {
            let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            let next = (current.0 + 1, Arc::new(site));
            let previous = std::mem::replace(&mut *current, next);
            self.changed.notify_all();
            previous
        };
        // Freeing every page of the previous site takes milliseconds; the
        // waiting polls answer first.
        drop(previous);
    }

    /// Waits until the generation is no longer `since` or the poll times
    /// out, and returns the generation then; None at once when
    /// [`MAX_POLLS`] polls are already waiting.
    pub fn wait_for_change(&self, since: u64) -> Option<u64> {
        let _slot = PollSlot::take(&self.polls)?;
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let (current, _) = self
            .changed
            .wait_timeout_while(current, POLL_WAIT, |(generation, _)| *generation == since)
            .unwrap_or_else(PoisonError::into_inner);
        Some(current.0)
    }
}

/// One of the [`MAX_POLLS`] places, given back when dropped, so a poll
/// that panics or whose client vanished frees its place too.
struct PollSlot<'a>(&'a AtomicUsize);

impl PollSlot<'_> {
    fn take(polls: &AtomicUsize) -> Option<PollSlot<'_>> {
        polls
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_POLLS).then_some(n + 1)
            })
            .ok()
            .map(|_| PollSlot(polls))
    }
}

impl Drop for PollSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The script added to every HTML response of the preview. It reloads
/// when the generation differs from the one the page was served at, which
/// includes a restarted server. While the server is down or answers
/// anything but 200 (a 503 when too many polls wait) it retries after a
/// second: reloading on such an answer would reload in a loop.
pub fn script(generation: u64) -> String {
    format!(
        "<script>(function(){{var g={generation};function poll(){{\
fetch(\"{ENDPOINT}?since=\"+g,{{cache:\"no-store\"}})\
.then(function(r){{if(!r.ok){{throw r.status}}return r.text()}})\
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
        assert_eq!(waiter.join().unwrap(), Some(generation + 1));
        assert_eq!(live.wait_for_change(0), Some(generation + 1));
    }

    #[test]
    fn polls_beyond_the_cap_are_refused_at_once_and_places_come_back() {
        let live = Arc::new(Live::new(Site::Broken("first".into())));
        let (generation, _) = live.get();
        let waiters: Vec<_> = (0..MAX_POLLS)
            .map(|_| {
                let live = Arc::clone(&live);
                std::thread::spawn(move || live.wait_for_change(generation))
            })
            .collect();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while live.polls.load(Ordering::Acquire) < MAX_POLLS {
            assert!(
                std::time::Instant::now() < deadline,
                "the polls never waited"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(live.wait_for_change(generation), None);
        live.replace(Site::Broken("second".into()));
        for waiter in waiters {
            assert_eq!(waiter.join().unwrap(), Some(generation + 1));
        }
        assert_eq!(live.wait_for_change(generation), Some(generation + 1));
    }

    #[test]
    fn the_script_retries_instead_of_reloading_on_an_error_answer() {
        let script = script(7);
        let on_answer = script.find("if(!r.ok){throw r.status}").unwrap();
        let retry = script.find("function(){setTimeout(poll,1000)}").unwrap();
        assert!(on_answer < retry, "{script}");
    }

    #[test]
    fn since_reads_the_query() {
        assert_eq!(since("since=7"), 7);
        assert_eq!(since("x=1&since=12"), 12);
        assert_eq!(since("since=x"), 0);
        assert_eq!(since(""), 0);
    }
}
