//! The publication gate: every file a build writes passes [`Gate::admit`],
//! and [`crate::output`] writes only what it admitted ([`Published`] cannot
//! be made anywhere else). Whatever a theme, a value or a future writer
//! does, these hold for every byte:
//!
//! - the developer part appears only where the mode puts it: nowhere in
//!   `strip` builds, only in the fragments in `ssi` builds, and never in
//!   JSON, text, server configs or the manifest;
//! - no script, event handler, script URL, SSI directive, frame or load
//!   from elsewhere that the theme's own source (or errorsmith's SSI
//!   writer) does not contain;
//! - every HTML page fits the size budget.

mod active;
mod blame;
use blame::blamed_source;
mod cloudflare;
mod css;
pub use active::ssi_directives;
mod developer;
pub use developer::DeveloperRuns;
mod embedded;
mod fold;
mod kind;
use kind::Kind;
mod runs;
mod stamp;
mod tags;

use crate::config::DeveloperMode;
use crate::output::OutputFile;
use anyhow::Result;
use runs::RunIndex;
use stamp::Stamp;
use std::collections::BTreeSet;

/// Largest HTML page a build may publish: a few KB is what error pages
/// must be, so they fit every server's and CDN's limits.
pub const PAGE_BUDGET: usize = 8 * 1024;

/// A file the gate admitted. Only this module can make one.
#[derive(Debug, Clone)]
pub struct Published {
    /// Private, as the rest: bytes changed after the gate judged them
    /// would be written, or passed again by [`Gate::admit_again`], unjudged.
    path: String,
    bytes: Vec<u8>,
    /// The gate that admitted these bytes under this path.
    stamp: Stamp,
    _seal: Seal,
}

impl Published {
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The path and the bytes, no longer admitted.
    pub fn into_parts(self) -> (String, Vec<u8>) {
        (self.path, self.bytes)
    }

    /// The same admitted bytes one folder down (a brand's folder of a
    /// multi-brand build): the gate judged the bytes, which do not change.
    /// No gate judged them under the new path, so [`Gate::admit_again`]
    /// judges them afresh.
    pub fn in_folder(self, folder: &str) -> Published {
        Published {
            path: format!("{folder}{}", self.path),
            stamp: Stamp::NONE,
            ..self
        }
    }
}

/// Private to this module: the reason no other code can build a
/// [`Published`] (`#[non_exhaustive]` binds other crates only).
#[derive(Debug, Clone)]
struct Seal;

/// Where a run of developer text came from, for messages.
#[derive(Debug, Clone)]
pub struct DeveloperRun {
    pub text: String,
    pub origin: String,
}

/// Makes `(where, value)` of every value of the content; see
/// [`GateInput::content_values`].
pub type ContentValues = Box<dyn Fn() -> Vec<(String, String)> + Send + Sync>;

/// Everything the gate compares a build's files against.
pub struct GateInput<'a> {
    pub mode: DeveloperMode,
    /// The theme's files and its ancestors', as written.
    pub theme_sources: Vec<&'a str>,
    /// The theme's name, for messages.
    pub theme: &'a str,
    /// SSI directives errorsmith itself put into pages and fragments.
    pub own_ssi: BTreeSet<String>,
    /// Every run of developer text of the content, with what of the
    /// content's own public text holds them; shared by the brands of one
    /// catalog.
    pub developer: std::sync::Arc<DeveloperRuns>,
    /// The rest of what is public (theme, strings, config values):
    /// developer runs also found here are not evidence of a leak either.
    pub public_text: Vec<&'a str>,
    /// `(where, value)` of every value from config and content, to name the
    /// source of a violation.
    pub values: Vec<(String, String)>,
    /// The same for every value of the content (titles, texts, developer
    /// parts), made only when a message needs them: a copy of all of them
    /// held for the whole build would double the content's memory.
    pub content_values: ContentValues,
    /// HTML page path -> `content/404.md: page 404 (en)`, for messages.
    pub page_sources: std::collections::HashMap<String, String>,
    /// Whether pages show the visitor reference, so Cloudflare's pages
    /// must hold its `::RAY_ID::` token.
    pub visitor_reference: bool,
}

pub struct Gate {
    mode: DeveloperMode,
    theme: String,
    theme_source: String,
    theme_source_lower: String,
    own_ssi: BTreeSet<String>,
    runs: Vec<DeveloperRun>,
    matcher: RunIndex,
    values: Vec<(String, String)>,
    content_values: ContentValues,
    page_sources: std::collections::HashMap<String, String>,
    visitor_reference: bool,
    /// Stylesheets already inspected.
    styles: css::StyleMemo,
    /// Everything the verdicts depend on (see [`stamp`]).
    stamp: Stamp,
}

impl Gate {
    pub fn new(input: GateInput) -> Result<Gate> {
        let theme_source = input.theme_sources.join("\n");
        let (runs, matcher) = input.developer.unpublished(&input.public_text);
        let stamp = stamp::of_gate(&input, &theme_source, &matcher);
        Ok(Gate {
            mode: input.mode,
            theme: input.theme.to_string(),
            theme_source_lower: theme_source.to_ascii_lowercase(),
            theme_source,
            own_ssi: input.own_ssi,
            runs,
            matcher,
            values: input.values,
            content_values: input.content_values,
            page_sources: input.page_sources,
            visitor_reference: input.visitor_reference,
            styles: css::StyleMemo::default(),
            stamp,
        })
    }

    /// A file an earlier gate admitted: passed as it is when that gate's
    /// verdicts are this one's (same stamp), else judged afresh. `serve`
    /// keeps the files of unchanged pages from one rebuild to the next.
    pub fn admit_again(&self, admitted: Published) -> Result<Published, String> {
        if self.passes_as_it_is(&admitted) {
            return Ok(admitted);
        }
        self.admit(OutputFile {
            path: admitted.path,
            bytes: admitted.bytes,
        })
    }

    /// Whether [`Gate::admit_again`] passes `admitted` without judging it.
    pub fn passes_as_it_is(&self, admitted: &Published) -> bool {
        admitted.stamp == self.stamp
    }

    /// The file, if it keeps every promise; otherwise why not.
    pub fn admit(&self, file: OutputFile) -> Result<Published, String> {
        match Kind::of(&file.path, self.mode) {
            Kind::WorkerCode => {
                if file.bytes != crate::servers::cloudflare::WORKER_SOURCE.as_bytes() {
                    return Err(format!(
                        "{}: is not errorsmith's own Worker code; only the Worker errorsmith ships may be written there",
                        file.path
                    ));
                }
            }
            Kind::EdgeBundle => self.admit_bundle(&file)?,
            Kind::EnvoyResources => self.admit_envoy(&file)?,
            Kind::CloudflarePage => self.admit_cloudflare_page(&file)?,
            Kind::CloudflareRules => self.admit_cloudflare_rules(&file)?,
            kind => self.check(kind, &file.path, &file.path, &file.bytes)?,
        }
        Ok(Published {
            path: file.path,
            bytes: file.bytes,
            stamp: self.stamp,
            _seal: Seal,
        })
    }

    /// `file`, when it holds the bytes of a file this gate admitted and is
    /// the same kind of file (the top-level copy of a default-locale page):
    /// the verdict on those bytes stands. Anything else is judged afresh.
    pub fn admit_same(&self, admitted: &Published, file: OutputFile) -> Result<Published, String> {
        let kind = Kind::of(&file.path, self.mode);
        let judged_by_bytes = matches!(
            kind,
            Kind::Page | Kind::Fragment | Kind::Data | Kind::ServerConfig | Kind::Errorfile
        );
        if judged_by_bytes
            && kind == Kind::of(&admitted.path, self.mode)
            && file.bytes == admitted.bytes
        {
            return Ok(Published {
                path: file.path,
                bytes: file.bytes,
                stamp: self.stamp,
                _seal: Seal,
            });
        }
        self.admit(file)
    }

    /// The promises for one file of `kind`; `source` is the page it
    /// comes from, for the budget message.
    fn check(&self, kind: Kind, path: &str, source: &str, bytes: &[u8]) -> Result<(), String> {
        // Valid UTF-8, as every file errorsmith makes is, is checked much
        // faster than the lossy decoding only invalid bytes need.
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        if let Some((at, c)) = first_stray_control(&text) {
            let source = self
                .value_sources()
                .find(|(_, value)| value.contains(c))
                .map(|(place, _)| format!("; it comes from {place}"))
                .unwrap_or_default();
            return Err(format!(
                "{path}: the control character U+{:04X} at byte {at}{source}; a terminal or a browser would act on it, so remove it",
                c as u32
            ));
        }
        if matches!(kind, Kind::Page | Kind::CloudflarePage) && bytes.len() > PAGE_BUDGET {
            let source = self
                .page_sources
                .get(source)
                .cloned()
                .unwrap_or_else(|| format!("{path}: page"));
            return Err(format!(
                "{source} is {} bytes, over the {PAGE_BUDGET}-byte budget; shorten the text, or move detail to the developer part with --developer strip or ssi",
                bytes.len()
            ));
        }
        if !kind.may_carry_developer_text(self.mode)
            && let Some(run) = self.developer_run_in(&text)
        {
            return Err(format!(
                "{path}: would publish the developer part of {} (\"{}\"), which {}; the theme `{}` puts it there: render the developer part only through `developer.html` in the developer slot",
                run.origin,
                excerpt(&run.text),
                kind.where_developer_text_belongs(self.mode),
                self.theme
            ));
        }
        if matches!(
            kind,
            Kind::Page | Kind::Fragment | Kind::Errorfile | Kind::CloudflarePage
        ) {
            for found in active::find_with(&text, &self.styles) {
                if !self.is_the_themes_own(&found) {
                    return Err(format!(
                        "{path}: {} that the theme `{}` does not contain{}; errorsmith pages carry no script and load nothing",
                        found.what,
                        self.theme,
                        self.source_of(&found)
                    ));
                }
            }
        }
        Ok(())
    }

    fn developer_run_in(&self, text: &str) -> Option<&DeveloperRun> {
        let found = self.matcher.first_in(&fold::fold(text))?;
        self.runs.get(found)
    }

    fn is_the_themes_own(&self, found: &active::Active) -> bool {
        found.evidence.iter().all(|piece| {
            self.own_ssi.contains(piece)
                || self.theme_source.contains(piece.as_str())
                || self
                    .theme_source_lower
                    .contains(&piece.to_ascii_lowercase())
        })
    }

    /// Every value with where it is set: the config's and the strings',
    /// then the content's. For messages only.
    fn value_sources(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.values.iter().cloned().chain((self.content_values)())
    }

    /// `; it comes from `site.name` in errorsmith.yaml` when a value holds
    /// the offending text.
    fn source_of(&self, found: &active::Active) -> String {
        let pieces: Vec<String> = found
            .evidence
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| p.to_ascii_lowercase())
            .collect();
        let sources: Vec<(String, String)> = self
            .value_sources()
            .map(|(place, value)| (place, value.to_ascii_lowercase()))
            .collect();
        blamed_source(&sources, &pieces)
            .map(|place| format!("; it comes from {place}"))
            .unwrap_or_default()
    }
}

/// The first control character no output file may hold raw, and its byte
/// offset: C0 but tab, newline and carriage return, DEL and C1. In a text
/// version `curl` would hand them to a terminal (escape sequences), in a
/// page they are invalid HTML.
///
/// Found byte by byte: C0 and DEL are single bytes that never occur inside
/// another character, and C1 (U+0080 to U+009F) is 0xC2 then 0x80 to 0x9F.
fn first_stray_control(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let stray = |i: usize| match bytes[i] {
        b'\t' | b'\n' | b'\r' => false,
        b => b < 0x20 || b == 0x7F || (b == 0xC2 && matches!(bytes.get(i + 1), Some(0x80..=0x9F))),
    };
    // A block with no byte below 0x20, no DEL and no 0xC2 holds none; the
    // test over a whole block compiles to vector instructions.
    const BLOCK: usize = 32;
    let mut from = 0;
    while from < bytes.len() {
        let to = (from + BLOCK).min(bytes.len());
        let maybe = bytes[from..to].iter().fold(false, |any, &b| {
            any | (b < 0x20) | (b == 0x7F) | (b == 0xC2)
        });
        if maybe && let Some(at) = (from..to).find(|&i| stray(i)) {
            return Some((at, text[at..].chars().next()?));
        }
        from = to;
    }
    None
}

/// The start of `text` on one line, for a message that quotes it.
pub(super) fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests;
