//! Which runs of developer text the gate looks for: every run of the
//! content, folded, less those that public text also holds (a run the
//! visitor part also says is no evidence of a leak).
//!
//! The content's part of this is the costly one (every page's text, folded)
//! and brands sharing a catalog share it: [`DeveloperRuns`] is made once per
//! catalog, and each brand's gate adds only its own public text (theme,
//! strings, config values), see [`DeveloperRuns::unpublished`].

use super::DeveloperRun;
use super::fold;
use super::runs::RunIndex;
use rayon::prelude::*;
use std::collections::BTreeSet;

/// The developer runs of one catalog, folded, with those the catalog's own
/// public text holds marked.
pub struct DeveloperRuns {
    candidates: Vec<(String, DeveloperRun)>,
    public: Vec<bool>,
    all: RunIndex,
}

impl DeveloperRuns {
    /// `runs` of the content, against `public_text` of the same content.
    pub fn new(runs: Vec<DeveloperRun>, public_text: &[&str]) -> DeveloperRuns {
        // Folding reads `\n` as a JSON escape, so text holding a backslash
        // folds one way raw and another JSON-escaped (as in a `.json`
        // file): both forms are looked for. Folded on every core, then
        // kept in the content's order, each distinct run once.
        let folded: Vec<Vec<String>> = runs
            .par_iter()
            .map(|run| {
                let escaped = run
                    .text
                    .contains('\\')
                    .then(|| serde_json::to_string(&run.text).unwrap_or_default());
                std::iter::once(fold::fold(&run.text))
                    .chain(escaped.as_deref().map(fold::fold))
                    .filter(|folded| fold::weight(folded) >= fold::MIN_RUN)
                    .collect()
            })
            .collect();
        let mut seen = BTreeSet::new();
        let mut candidates: Vec<(String, DeveloperRun)> = Vec::new();
        for (run, forms) in runs.into_iter().zip(folded) {
            for form in forms {
                if seen.insert(form.clone()) {
                    candidates.push((form, run.clone()));
                }
            }
        }
        let all = RunIndex::new(
            candidates
                .iter()
                .map(|(folded, _)| folded.clone())
                .collect(),
        );
        let mut developer = DeveloperRuns {
            public: vec![false; candidates.len()],
            candidates,
            all,
        };
        let mut public = std::mem::take(&mut developer.public);
        developer.mark_public(public_text, &mut public);
        developer.public = public;
        developer
    }

    /// Marks the runs `public_text` holds as no evidence of a leak, for
    /// content whose public text comes a part at a time.
    pub fn add_public_text(&mut self, public_text: &[&str]) {
        let mut public = std::mem::take(&mut self.public);
        self.mark_public(public_text, &mut public);
        self.public = public;
    }

    /// The runs neither the content's public text nor `more_public_text`
    /// holds, in the order of the content, with an index to find them.
    pub(super) fn unpublished(&self, more_public_text: &[&str]) -> (Vec<DeveloperRun>, RunIndex) {
        let mut public = self.public.clone();
        self.mark_public(more_public_text, &mut public);
        let (patterns, runs): (Vec<String>, Vec<DeveloperRun>) = self
            .candidates
            .iter()
            .zip(public)
            .filter(|(_, public)| !public)
            .map(|(candidate, _)| candidate.clone())
            .unzip();
        (runs, RunIndex::new(patterns))
    }

    fn mark_public(&self, texts: &[&str], public: &mut [bool]) {
        let found: Vec<Vec<usize>> = texts
            .par_iter()
            .map(|text| {
                let mut found = Vec::new();
                self.all
                    .each_in(&fold::fold(text), |number| found.push(number));
                // Public text JSON-escaped, so a run's escaped form that
                // public text also holds is no evidence either.
                if text.contains('\\') {
                    let escaped = serde_json::to_string(text).unwrap_or_default();
                    self.all
                        .each_in(&fold::fold(&escaped), |number| found.push(number));
                }
                found
            })
            .collect();
        for number in found.into_iter().flatten() {
            public[number] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> DeveloperRun {
        DeveloperRun {
            text: text.into(),
            origin: "content/500.md".into(),
        }
    }

    /// Splitting public text between the catalog and the brand must leave
    /// out exactly what one list of all of it would.
    #[test]
    fn public_text_of_the_catalog_and_of_the_brand_both_leave_runs_out() {
        let runs = vec![
            run("Check the upstream's error log for this request"),
            run("Restart the application server and retry"),
            run("The visitor also reads this sentence here"),
            run("Short"),
        ];
        let developer =
            DeveloperRuns::new(runs, &["<p>The visitor also reads this sentence here.</p>"]);
        let (left, index) = developer.unpublished(&["Restart the application server and retry"]);
        let texts: Vec<&str> = left.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["Check the upstream's error log for this request"]);
        assert_eq!(
            index.first_in(&fold::fold(
                "x CHECK the upstream&#39;s error log for this request"
            )),
            Some(0)
        );
        let (all_left, _) = developer.unpublished(&[]);
        assert_eq!(
            all_left.len(),
            2,
            "the brand's text is not kept for the next brand"
        );
    }
}
