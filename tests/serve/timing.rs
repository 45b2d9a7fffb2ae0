//! Timing a running preview the way a browser sees it: from a saved edit
//! to the answer of the reload poll that was waiting for it. Shared by
//! `tests/serve_watch.rs` and `benches/serve_reload.rs`.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::preview::{Preview, RELOAD, connect, split_response, write};

/// One edit: from the write to the poll's answer, and the part of it
/// the rebuild took as `serve` reports it ("rebuilt in N ms").
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub total: Duration,
    pub rebuild: Duration,
}

impl Sample {
    /// From the edit until the rebuild started: noticing the change (and
    /// the debounce), plus the poll's answer, which is sub-millisecond.
    pub fn notice(&self) -> Duration {
        self.total.saturating_sub(self.rebuild)
    }
}

/// Edits `content/404.md` `edits` times, each with a new title, and times
/// each edit to the reload poll's answer.
pub fn measure(preview: &Preview, root: &Path, edits: usize) -> Vec<Sample> {
    measure_edits(preview, root, edits, "content/404.md", |i| {
        format!("---\ntitle: Edit {i} of {edits}\n---\nText {i}.\n")
    })
}

/// The same for edits of `file` to the texts `text` makes.
pub fn measure_edits(
    preview: &Preview,
    root: &Path,
    edits: usize,
    file: &str,
    text: impl Fn(usize) -> String,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut generation = current_generation(preview);
    for i in 0..edits {
        let mut poll = connect(preview.port);
        poll.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            poll,
            "GET {RELOAD}?since={generation} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        // Let the poll reach the server and wait there, as a browser's does.
        std::thread::sleep(Duration::from_millis(50));
        let rebuilds_before = rebuilds(&preview.log());
        let started = Instant::now();
        write(root, file, &text(i));
        let mut raw = Vec::new();
        poll.read_to_end(&mut raw).unwrap();
        let total = started.elapsed();
        let (status, _, body) = split_response(&raw);
        assert_eq!(status, 200, "{body}");
        let next: u64 = body.trim().parse().unwrap();
        assert!(next > generation, "{next} after {generation}");
        generation = next;
        let log = preview.log();
        let times = rebuilds(&log);
        assert_eq!(
            times.len(),
            rebuilds_before.len() + 1,
            "not one rebuild per edit:\n{log}"
        );
        samples.push(Sample {
            total,
            rebuild: *times.last().unwrap(),
        });
        // Apart enough that no two edits share a rebuild.
        std::thread::sleep(Duration::from_millis(100));
    }
    samples
}

fn current_generation(preview: &Preview) -> u64 {
    let (status, _, body) = crate::preview::raw_request(
        preview.port,
        &format!("GET {RELOAD}?since=0 HTTP/1.1\r\nHost: localhost\r\nConnection: close"),
    );
    assert_eq!(status, 200, "{body}");
    body.trim().parse().unwrap()
}

/// Every "rebuilt in N ms" of the log, in order, whole or of some themes.
pub fn rebuilds(log: &str) -> Vec<Duration> {
    log.lines()
        .filter_map(|line| Some(line.strip_prefix("rebuilt in ")?.split_once(" ms")?.0))
        .filter_map(|ms| ms.parse().ok())
        .map(Duration::from_millis)
        .collect()
}

/// The median, 90th percentile and maximum of `values`.
pub fn summary(mut values: Vec<Duration>) -> (Duration, Duration, Duration) {
    values.sort();
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9), *values.last().unwrap())
}
