//! Property test of the developer boundary: random Markdown projects, built
//! with every theme in every developer mode, must put each sentence exactly
//! where the boundary rules say. The generator carries its own model of
//! the rules (`Model`), so the test fails both when developer text leaks
//! and when public text goes missing.

mod common;

use common::errorsmith;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Random documents in all, one page each of one project: most of a debug
/// build's time is fixed cost, so pages are cheap and builds are not.
const DOCUMENTS: usize = 40;
const CODES: [u16; 40] = [
    400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418,
    421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508,
    510, 511,
];
/// Builds run side by side: most of a build's time is waiting.
const WORKERS: usize = 2;
const MODES: [&str; 3] = ["strip", "hidden", "ssi"];
const TEST_THEME: &str = "everything";

/// xorshift64*: small, deterministic, good enough to pick shapes.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn word(&mut self) -> String {
        let consonants = b"bcdfghjklmnprstvz";
        let vowels = b"aeiou";
        let mut word = String::from("zq");
        for _ in 0..2 + self.below(2) {
            word.push(consonants[self.below(consonants.len())] as char);
            word.push(vowels[self.below(vowels.len())] as char);
        }
        word
    }

    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }
}

const MARKERS: [&str; 4] = [
    "{.developer}",
    "{.Developer}",
    "{ .developer }",
    "{class=developer}",
];

/// The boundary rule as the test understands it, applied block by block:
/// a marked heading (anywhere in a top-level block) opens the developer
/// part at the lowest level seen; a top-level unmarked heading of that
/// level or higher closes it; a block is the developer's when the part is
/// open at its start or it holds a marker.
#[derive(Default)]
struct Model {
    open: Option<usize>,
}

impl Model {
    /// Whether the next top-level block goes to the developer, given the
    /// level of its own top-level heading (if it is one, and unmarked) and
    /// the lowest level of the markers it holds.
    fn block(&mut self, unmarked_heading: Option<usize>, marker: Option<usize>) -> bool {
        if let (Some(level), Some(open)) = (unmarked_heading, self.open)
            && level <= open
        {
            self.open = None;
        }
        let developer = self.open.is_some() || marker.is_some();
        if let Some(level) = marker {
            self.open = Some(self.open.map_or(level, |o| o.min(level)));
        }
        developer
    }
}

/// One random page and where the model says each sentence belongs.
struct Document {
    code: u16,
    markdown: String,
    visitor: Vec<String>,
    developer: Vec<String>,
    /// A deliberate look-alike marker: the build must refuse the page.
    lookalike: bool,
}

struct Generator<'a> {
    rng: &'a mut Rng,
    case: usize,
    count: usize,
}

impl Generator<'_> {
    /// A sentence for the side the model chose: at least six random words
    /// after a unique id, plain letters so no markup can split it.
    fn sentence(&mut self, developer: bool) -> String {
        self.count += 1;
        let n = 6 + self.rng.below(4);
        let prefix = if developer { "Devsecret" } else { "Visitor" };
        format!(
            "{prefix} c{}n{} {}",
            self.case,
            self.count,
            self.rng.words(n)
        )
    }

    fn decorated(&mut self, sentence: &str) -> String {
        let decoration = match self.rng.below(5) {
            0 => format!(" Also *{}* here.", self.rng.word()),
            1 => format!(" Run `{} --now`.", self.rng.word()),
            2 => format!(" See [{}](/help/{}).", self.rng.word(), self.rng.word()),
            3 => format!(" It is **{}**.", self.rng.word()),
            _ => String::new(),
        };
        format!("{sentence}.{decoration}")
    }

    fn heading(&mut self, level: usize, marker: Option<&str>) -> String {
        let text = format!("{} {}", self.rng.word(), self.rng.word());
        let suffix = marker.map(|m| format!(" {m}")).unwrap_or_default();
        if level <= 2 && self.rng.chance(30) {
            let underline = if level == 1 { "=" } else { "-" };
            format!(
                "{text}{suffix}\n{}",
                underline.repeat(3 + self.rng.below(5))
            )
        } else {
            format!("{} {text}{suffix}", "#".repeat(level))
        }
    }

    fn marker(&mut self) -> &'static str {
        MARKERS[self.rng.below(MARKERS.len())]
    }

    fn document(&mut self, code: u16) -> Document {
        let mut model = Model::default();
        let mut blocks = Vec::new();
        let mut visitor = Vec::new();
        let mut developer = Vec::new();
        let mut lookalike = false;
        let mut keep = |developer_side: bool, sentence: String| {
            if developer_side {
                developer.push(sentence);
            } else {
                visitor.push(sentence);
            }
        };
        let mut after_list = false;
        for _ in 0..4 + self.rng.below(6) {
            let level = 1 + self.rng.below(6);
            let kind = self.rng.below(10);
            if after_list && kind == 2 {
                // Two lists with only a blank line between are one list.
                model.block(None, None);
                blocks.push("***".to_string());
            }
            after_list = kind == 2;
            match kind {
                0 | 1 => {
                    let marked = self.rng.chance(45);
                    let marker = marked.then(|| self.marker());
                    let side = if marked {
                        model.block(None, Some(level))
                    } else {
                        model.block(Some(level), None)
                    };
                    blocks.push(self.heading(level, marker));
                    let sentence = self.sentence(side);
                    blocks.push(self.decorated(&sentence));
                    model.block(None, None);
                    keep(side, sentence);
                }
                2 => {
                    // A list, maybe with a marked heading in one item, maybe
                    // nested.
                    let marked = self.rng.chance(35);
                    let side = model.block(None, marked.then_some(level));
                    let bullet = if self.rng.chance(50) { "-" } else { "1." };
                    let pad = " ".repeat(bullet.len() + 1);
                    let mut list = String::new();
                    for item in 0..1 + self.rng.below(3) {
                        let sentence = self.sentence(side);
                        list.push_str(&format!("{bullet} {}\n", self.decorated(&sentence)));
                        keep(side, sentence);
                        if item == 0 && self.rng.chance(30) {
                            let sentence = self.sentence(side);
                            list.push_str(&format!("{pad}- {sentence}\n"));
                            keep(side, sentence);
                        }
                    }
                    if marked {
                        let marker = self.marker();
                        let sentence = self.sentence(side);
                        let heading = format!("{} {} {marker}", "#".repeat(level), self.rng.word());
                        list.push_str(&format!("{bullet} {heading}\n{pad}{sentence}\n"));
                        keep(side, sentence);
                    }
                    blocks.push(list.trim_end().to_string());
                }
                3 => {
                    let marked = self.rng.chance(35);
                    let side = model.block(None, marked.then_some(level));
                    let mut quote = String::new();
                    if marked {
                        let marker = self.marker();
                        quote.push_str(&format!(
                            "> {} {} {marker}\n>\n",
                            "#".repeat(level),
                            self.rng.word()
                        ));
                    }
                    let sentence = self.sentence(side);
                    quote.push_str(&format!("> {}", self.decorated(&sentence)));
                    keep(side, sentence);
                    blocks.push(quote);
                }
                4 => {
                    let side = model.block(None, None);
                    let sentence = self.sentence(side);
                    blocks.push(format!(
                        "| {} | {} |\n|---|---|\n| {sentence} | `{}` |",
                        self.rng.word(),
                        self.rng.word(),
                        self.rng.word()
                    ));
                    keep(side, sentence);
                }
                5 => {
                    // A marker in code is text, never a marker.
                    model.block(None, None);
                    blocks.push(format!("```\n## {} {{.developer}}\n```", self.rng.word()));
                }
                6 if self.rng.chance(12) => {
                    // A marker that is not at the end of a heading line.
                    lookalike = true;
                    model.block(None, None);
                    blocks.push(format!(
                        "{} {{.developer}} {}",
                        self.rng.word(),
                        self.rng.word()
                    ));
                }
                _ => {
                    let side = model.block(None, None);
                    let sentence = self.sentence(side);
                    blocks.push(self.decorated(&sentence));
                    keep(side, sentence);
                }
            }
        }
        let title = format!("Title {}", self.rng.word());
        Document {
            code,
            markdown: format!(
                "---\ntitle: {title}\nsummary: Summary {}\n---\n{}\n",
                self.rng.word(),
                blocks.join("\n\n")
            ),
            visitor,
            developer,
            lookalike,
        }
    }
}

/// `&amp;`, `&#39;`, `&#x27;` ... decoded, whitespace runs made one space.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every string of a JSON document, so escapes such as `\u0020` are read.
fn json_strings(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_strings(v, out)),
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push_str(k);
            out.push('\n');
            json_strings(v, out);
        }),
        _ => {}
    }
}

/// Every file of a build, relative path -> the forms a sentence could take
/// in it (raw, decoded and collapsed, and for JSON its strings).
fn output_texts(out: &Path) -> Vec<(String, Vec<String>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(out).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let raw = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
        let mut forms = vec![normalize(&raw)];
        if rel.ends_with(".json") {
            let value: serde_json::Value = serde_json::from_str(&raw)
                .unwrap_or_else(|e| panic!("{rel} is not JSON ({e}): {raw}"));
            let mut strings = String::new();
            json_strings(&value, &mut strings);
            forms.push(normalize(&strings));
        }
        forms.push(raw);
        files.push((rel, forms));
    }
    files
}

/// Indices of the `patterns` found in any of `forms`.
fn found(matcher: &aho_corasick::AhoCorasick, forms: &[String]) -> BTreeSet<usize> {
    forms
        .iter()
        .flat_map(|form| {
            matcher
                .find_overlapping_iter(form)
                .map(|m| m.pattern().as_usize())
        })
        .collect()
}

fn themes() -> Vec<String> {
    let empty = tempfile::tempdir().unwrap();
    let mut names = common::theme_names(empty.path());
    assert!(names.len() >= 4, "{names:?}");
    names.push(TEST_THEME.to_string());
    names
}

fn themes_dir() -> PathBuf {
    common::fixture("property/themes")
}

/// The user's pages are English only, so the build is too: other locales
/// would only add built-in pages that hold none of the generated sentences.
fn write_project(dir: &Path, documents: &[&Document]) {
    let content = dir.join("content");
    let _ = std::fs::remove_dir_all(&content);
    std::fs::create_dir_all(&content).unwrap();
    for doc in documents {
        std::fs::write(content.join(format!("{}.md", doc.code)), &doc.markdown).unwrap();
    }
    let codes: Vec<String> = documents.iter().map(|d| d.code.to_string()).collect();
    std::fs::write(
        dir.join("errorsmith.yaml"),
        format!(
            "codes: [{}]\nlocales: [en]\nsite:\n  name: Acme Property\n  footer: Footer words\n  status_url: https://status.example.com/\n  support_url: mailto:help@example.com\n",
            codes.join(", ")
        ),
    )
    .unwrap();
}

fn build(dir: &Path, out: &Path, theme: &str, mode: &str) -> std::process::Output {
    errorsmith()
        .current_dir(dir)
        .arg("build")
        .arg("--themes")
        .arg(themes_dir())
        .args(["--theme", theme, "--developer", mode, "--out"])
        .arg(out)
        .output()
        .unwrap()
}

/// The documents a first build refuses, by the file its error names.
fn refused(stderr: &str, documents: &[&Document]) -> Vec<u16> {
    documents
        .iter()
        .filter(|d| stderr.contains(&format!("content/{}.md", d.code)))
        .map(|d| d.code)
        .collect()
}

fn check_build(out: &Path, mode: &str, theme: &str, documents: &[&Document]) {
    let files = output_texts(out);
    assert!(
        files.iter().any(|(p, _)| p.starts_with("servers/")),
        "no server configs in {out:?}"
    );
    // Every sentence with the document it belongs to, one matcher per kind:
    // one pass over each file.
    let developer: Vec<(&String, &Document)> = documents
        .iter()
        .flat_map(|d| d.developer.iter().map(move |s| (s, *d)))
        .collect();
    let developer_matcher =
        aho_corasick::AhoCorasick::new(developer.iter().map(|(s, _)| s.as_str())).unwrap();
    let visitor_matcher = aho_corasick::AhoCorasick::new(
        documents
            .iter()
            .flat_map(|d| d.visitor.iter().map(String::as_str)),
    )
    .unwrap();
    let context = |doc: &Document| {
        format!(
            "theme {theme}, --developer {mode}, page {}:\n{}",
            doc.code, doc.markdown
        )
    };
    let mut found_in = BTreeMap::new();
    for (path, forms) in &files {
        let leaked = found(&developer_matcher, forms);
        let allowed = match mode {
            "strip" => false,
            "ssi" => path.contains("/developer/"),
            // Hidden pages carry it, and so do HAProxy's errorfiles, which
            // are those pages with an HTTP head; data, text, configs and
            // the manifest never.
            _ => {
                (path.ends_with(".html") && !path.starts_with("servers/"))
                    || (path.starts_with("servers/haproxy/") && path.ends_with(".http"))
            }
        };
        if let (false, Some(&first)) = (allowed, leaked.iter().next()) {
            let (sentence, doc) = developer[first];
            panic!(
                "{path} holds developer sentence {sentence:?}; {}",
                context(doc)
            );
        }
        found_in.insert(path.as_str(), (leaked, found(&visitor_matcher, forms)));
    }
    let page = |path: &str| {
        found_in
            .get(path)
            .unwrap_or_else(|| panic!("{theme}/{mode}: no {path}"))
    };
    let mut visitor_index = 0;
    let mut developer_index = 0;
    for doc in documents {
        let home = match mode {
            "strip" => None,
            "ssi" => Some(format!("en/developer/{}.html", doc.code)),
            _ => Some(format!("en/{}.html", doc.code)),
        };
        for (i, sentence) in doc.developer.iter().enumerate() {
            if let Some(home) = &home {
                assert!(
                    page(home).0.contains(&(developer_index + i)),
                    "{home} lacks developer sentence {sentence:?}; {}",
                    context(doc)
                );
            }
        }
        for path in [
            format!("{}.html", doc.code),
            format!("en/{}.html", doc.code),
        ] {
            for (i, sentence) in doc.visitor.iter().enumerate() {
                assert!(
                    page(&path).1.contains(&(visitor_index + i)),
                    "{path} lacks visitor sentence {sentence:?}; {}",
                    context(doc)
                );
            }
        }
        visitor_index += doc.visitor.len();
        developer_index += doc.developer.len();
    }
    if theme == TEST_THEME {
        // The test theme shows the visitor HTML in a block of its own: the
        // model's developer sentences are never in it, in any mode.
        for doc in documents {
            let path = format!("en/{}.html", doc.code);
            let html = std::fs::read_to_string(out.join(&path)).unwrap();
            let visitor_html = html
                .split_once("<div class=\"visitor\">")
                .and_then(|(_, rest)| rest.split_once("<div class=\"legacy\">"))
                .map(|(visitor, _)| normalize(visitor))
                .unwrap_or_else(|| panic!("{path}: no visitor block: {html}"));
            let leaked = found(&developer_matcher, &[visitor_html]);
            if let Some(&first) = leaked.iter().next() {
                let (sentence, doc) = developer[first];
                panic!("{path}: visitor HTML holds {sentence:?}; {}", context(doc));
            }
        }
    }
}

#[test]
fn random_documents_put_every_sentence_where_the_boundary_rules_say() {
    let themes = themes();
    let mut rng = Rng::new(0x5eed);
    let documents: Vec<Document> = (0..DOCUMENTS)
        .map(|case| {
            let mut generator = Generator {
                rng: &mut rng,
                case,
                count: 0,
            };
            generator.document(CODES[case % CODES.len()])
        })
        .collect();
    let sentences: BTreeSet<&String> = documents
        .iter()
        .flat_map(|d| d.visitor.iter().chain(&d.developer))
        .collect();
    let developer_count: usize = documents.iter().map(|d| d.developer.len()).sum();
    assert!(
        developer_count > 40 && sentences.len() > developer_count + 40,
        "the generator makes too few of one kind: {developer_count} developer of {}",
        sentences.len()
    );

    let mut refused_count = 0;
    let mut unexpected = Vec::new();
    let mut builds = 0;
    for (project, group) in documents.chunks(CODES.len()).enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let mut accepted: Vec<&Document> = group.iter().collect();
        // The first build finds the pages errorsmith refuses; the rest
        // build what it accepts.
        loop {
            write_project(dir.path(), &accepted);
            let out = dir.path().join("probe");
            let output = build(dir.path(), &out, "default", "strip");
            builds += 1;
            if output.status.success() {
                break;
            }
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(
                stderr.starts_with("error: ") && !stderr.contains("panicked"),
                "project {project}: unclear failure: {stderr}"
            );
            let codes = refused(&stderr, &accepted);
            assert!(
                !codes.is_empty(),
                "project {project}: no page named: {stderr}"
            );
            for doc in accepted.iter().filter(|d| codes.contains(&d.code)) {
                refused_count += 1;
                if !doc.lookalike {
                    unexpected.push(format!("{stderr}\n{}", doc.markdown));
                }
            }
            accepted.retain(|d| !codes.contains(&d.code));
        }
        for doc in &accepted {
            assert!(
                !doc.lookalike,
                "a look-alike marker was published:\n{}",
                doc.markdown
            );
        }
        check_build(&dir.path().join("probe"), "strip", "default", &accepted);
        let jobs: Vec<(&String, &str)> = themes
            .iter()
            .flat_map(|theme| MODES.map(|mode| (theme, mode)))
            .filter(|&(theme, mode)| (theme.as_str(), mode) != ("default", "strip"))
            .collect();
        let queue = std::sync::Mutex::new(jobs);
        std::thread::scope(|scope| {
            for _ in 0..WORKERS {
                scope.spawn(|| {
                    loop {
                        let job = queue.lock().unwrap().pop();
                        let Some((theme, mode)) = job else { break };
                        let out = dir.path().join(format!("out-{theme}-{mode}"));
                        let output = build(dir.path(), &out, theme, mode);
                        assert!(
                            output.status.success(),
                            "project {project}, theme {theme}, {mode}: {}",
                            String::from_utf8_lossy(&output.stderr)
                        );
                        check_build(&out, mode, theme, &accepted);
                        std::fs::remove_dir_all(&out).unwrap();
                    }
                });
            }
        });
        builds += themes.len() * MODES.len() - 1;
    }
    eprintln!(
        "{DOCUMENTS} documents, {} sentences ({developer_count} developer), {refused_count} refused, {builds} builds",
        sentences.len()
    );
    assert!(
        refused_count * 4 < DOCUMENTS,
        "{refused_count} of {DOCUMENTS} documents were refused"
    );
    assert!(
        unexpected.len() * 10 < DOCUMENTS,
        "pages without a look-alike marker refused:\n{}",
        unexpected.join("\n---\n")
    );
}
