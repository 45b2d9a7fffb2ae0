//! Finding runs of developer text in folded text: every run of the content
//! against every file of a build. An Aho-Corasick automaton over thousands
//! of runs cost more to build than all the pages took to render, so this is
//! a Rabin-Karp index instead: each run is filed under a hash of its first
//! [`WINDOW`] bytes, a text is scanned with a rolling hash of the same
//! width, and a hit is confirmed by comparing the whole run.

/// Bytes hashed per position. Every run the gate keeps weighs at least
/// [`super::fold::MIN_RUN`], and a folded run is never shorter in bytes
/// than its weight (a character weighing 2 takes 3 bytes), so every run is
/// at least this long.
const WINDOW: usize = super::fold::MIN_RUN;
const BASE: u64 = 0x100_0000_01B3;

pub struct RunIndex {
    runs: Vec<String>,
    /// One bit per filter slot, set where some run's first window hashes:
    /// most positions of a text are rejected here, in a table small enough
    /// to stay in the cache.
    filter: Vec<u64>,
    filter_shift: u32,
    /// (first window's hash, run number), grouped by slot: slot `s` holds
    /// `entries[starts[s]..starts[s + 1]]`. The whole hash is compared
    /// before any bytes are.
    entries: Vec<(u64, u32)>,
    starts: Vec<u32>,
    shift: u32,
    /// `BASE` to the power `WINDOW - 1`: what the byte leaving the window
    /// contributed.
    top: u64,
}

impl RunIndex {
    /// `runs` are folded text of at least [`WINDOW`] bytes each; shorter
    /// ones can never be found.
    pub fn new(runs: Vec<String>) -> RunIndex {
        let bits = (runs.len() * 2).max(2).next_power_of_two().trailing_zeros();
        let shift = 64 - bits;
        // About 1 bit in 16 set: a text position passes the filter by
        // chance about once in 16.
        let filter_bits = (runs.len() * 16)
            .max(64)
            .next_power_of_two()
            .trailing_zeros();
        let mut filter = vec![0u64; (1usize << filter_bits) / 64];
        let filter_shift = 64 - filter_bits;
        let mut entries: Vec<(usize, u64, u32)> = runs
            .iter()
            .enumerate()
            .filter_map(|(number, run)| {
                let h = hash(run.as_bytes().get(..WINDOW)?);
                Some((slot(h, shift), h, number as u32))
            })
            .collect();
        for &(_, h, _) in &entries {
            let bit = slot(h, filter_shift);
            filter[bit / 64] |= 1 << (bit % 64);
        }
        // Stable, so runs in one slot keep their order.
        entries.sort_by_key(|&(s, _, _)| s);
        let mut starts = vec![0u32; (1usize << bits) + 1];
        for &(s, _, _) in &entries {
            starts[s + 1] += 1;
        }
        for s in 1..starts.len() {
            starts[s] += starts[s - 1];
        }
        RunIndex {
            runs,
            filter,
            filter_shift,
            entries: entries.into_iter().map(|(_, h, n)| (h, n)).collect(),
            starts,
            shift,
            top: (1..WINDOW).fold(1u64, |p, _| p.wrapping_mul(BASE)),
        }
    }

    /// The runs looked for, in their numbering.
    pub fn patterns(&self) -> &[String] {
        &self.runs
    }

    /// The number of the leftmost run `text` holds (the lowest-numbered of
    /// those starting there).
    pub fn first_in(&self, text: &str) -> Option<usize> {
        let mut first = None;
        self.scan(
            text,
            |number| {
                first = Some(first.map_or(number, |f: usize| f.min(number)));
            },
            true,
        );
        first
    }

    /// Calls `found` with the number of every run `text` holds, overlapping
    /// ones included (a run may be reported more than once).
    pub fn each_in(&self, text: &str, found: impl FnMut(usize)) {
        self.scan(text, found, false);
    }

    /// Reports the runs at each position; with `stop_at_first`, stops after
    /// the first position that has one.
    fn scan(&self, text: &str, mut found: impl FnMut(usize), stop_at_first: bool) {
        let bytes = text.as_bytes();
        if bytes.len() < WINDOW || self.runs.is_empty() {
            return;
        }
        let mut h = hash(&bytes[..WINDOW]);
        let mut start = 0;
        loop {
            let bit = slot(h, self.filter_shift);
            if self.filter[bit / 64] & (1 << (bit % 64)) != 0 {
                let s = slot(h, self.shift);
                let mut any = false;
                let entries = &self.entries[self.starts[s] as usize..self.starts[s + 1] as usize];
                for &(run_hash, number) in entries {
                    let run = self.runs[number as usize].as_bytes();
                    if run_hash == h && bytes[start..].starts_with(run) {
                        found(number as usize);
                        any = true;
                    }
                }
                if any && stop_at_first {
                    return;
                }
            }
            let Some(&incoming) = bytes.get(start + WINDOW) else {
                return;
            };
            h = h
                .wrapping_sub(u64::from(bytes[start]).wrapping_mul(self.top))
                .wrapping_mul(BASE)
                .wrapping_add(u64::from(incoming));
            start += 1;
        }
    }
}

fn hash(window: &[u8]) -> u64 {
    window.iter().fold(0u64, |h, &b| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(b))
    })
}

fn slot(hash: u64, shift: u32) -> usize {
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(runs: &[&str]) -> RunIndex {
        RunIndex::new(runs.iter().map(|r| r.to_string()).collect())
    }

    #[test]
    fn finds_every_run_wherever_it_starts_and_only_whole_runs() {
        let runs = [
            "checktheupstreamserverlogsnow",
            "checktheupstreamserverlogsfirst",
            "restartthebackendpoolgently",
            "ゲートウェイのログを確認してください",
        ];
        let index = index(&runs);
        for (number, run) in runs.iter().enumerate() {
            for prefix in ["", "x", "abcdefghijklmnopqrstuvwxyz0123456789"] {
                for suffix in ["", "y", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"] {
                    let text = format!("{prefix}{run}{suffix}");
                    assert_eq!(index.first_in(&text), Some(number), "{text}");
                }
            }
        }
        // The first 24 bytes of a run are not the run.
        assert_eq!(index.first_in("checktheupstreamserverlogsno"), None);
        assert_eq!(index.first_in("restartthebackendpoolgentl"), None);
        assert_eq!(index.first_in(""), None);
        // Leftmost wins; at one position the lower number does.
        let text = "restartthebackendpoolgently checktheupstreamserverlogsnow";
        assert_eq!(index.first_in(text), Some(2));
        let mut all = Vec::new();
        index.each_in(
            "checktheupstreamserverlogsnowrestartthebackendpoolgently",
            |n| all.push(n),
        );
        assert_eq!(all, vec![0, 2]);
    }

    #[test]
    fn agrees_with_a_plain_substring_search() {
        // Runs and texts over a tiny alphabet, so hash slots and prefixes
        // collide often: every run found must be a substring, and every
        // substring run must be found.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut word = |len: usize| -> String {
            (0..len)
                .map(|_| ['a', 'b'][(next() % 2) as usize])
                .collect()
        };
        let runs: Vec<String> = (0..200).map(|i| word(24 + i % 9)).collect();
        let index = RunIndex::new(runs.clone());
        for _ in 0..200 {
            let text = word(120);
            let mut found = vec![false; runs.len()];
            index.each_in(&text, |n| found[n] = true);
            for (n, run) in runs.iter().enumerate() {
                assert_eq!(found[n], text.contains(run.as_str()), "{run} in {text}");
            }
            let leftmost = runs
                .iter()
                .enumerate()
                .filter_map(|(n, run)| text.find(run.as_str()).map(|at| (at, n)))
                .min();
            assert_eq!(index.first_in(&text), leftmost.map(|(_, n)| n));
        }
    }
    #[test]
    fn a_run_of_exactly_the_window_is_found_at_the_very_end_and_start() {
        // 24 ASCII bytes; 8 CJK characters (weight 16, 24 bytes); 12 CJK
        // characters (weight 24, 36 bytes); a run whose first 24 bytes
        // are another run's.
        let runs = [
            "abcdefghijklmnopqrstuvwx",
            "日本語日本語日本",
            "ゲートウェイのログを確認して",
            "abcdefghijklmnopqrstuvwxyz",
        ];
        let index = index(&runs);
        for (number, run) in runs.iter().enumerate() {
            let mut alone = Vec::new();
            index.each_in(run, |n| alone.push(n));
            assert!(alone.contains(&number), "alone: {run} {alone:?}");
            let end = format!("zz{run}");
            let mut found = Vec::new();
            index.each_in(&end, |n| found.push(n));
            assert!(found.contains(&number), "at the end: {end} {found:?}");
        }
        // The shorter run wins where both start; the longer is reported too.
        let mut found = Vec::new();
        index.each_in("abcdefghijklmnopqrstuvwxyz", |n| found.push(n));
        assert_eq!(found, vec![0, 3]);
        // One byte short of the window at the end: nothing.
        assert_eq!(index.first_in("abcdefghijklmnopqrstuvw"), None);
    }
}
