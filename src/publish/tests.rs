//! The gate's own promises, file kind by file kind.

use super::*;

pub(super) fn gate(mode: DeveloperMode, theme: &'static str) -> Gate {
    Gate::new(GateInput {
        mode,
        theme_sources: vec![theme],
        theme: "t",
        own_ssi: ["<!--# include virtual=\"/_errors/en/developer/404.html\" -->".to_string()]
            .into(),
        developer: std::sync::Arc::new(DeveloperRuns::new(
            vec![
                DeveloperRun {
                    text: "Check the upstream's error log".into(),
                    origin: "content/404.md".into(),
                },
                DeveloperRun {
                    text: "Retry later".into(),
                    origin: "content/404.md".into(),
                },
                DeveloperRun {
                    text: "Visit the status page now".into(),
                    origin: "content/404.md".into(),
                },
            ],
            &[],
        )),
        public_text: vec!["<p>Visit the status page now.</p>"],
        values: vec![(
            "`site.name` in errorsmith.yaml".into(),
            "x\" onclick=\"steal()".into(),
        )],
        content_values: Box::new(Vec::new),
        page_sources: [(
            "de/404.html".to_string(),
            "content/de/404.md: page 404 (de)".to_string(),
        )]
        .into(),
        visitor_reference: false,
    })
    .unwrap()
}

pub(super) fn file(path: &str, text: &str) -> OutputFile {
    OutputFile {
        path: path.into(),
        bytes: text.as_bytes().to_vec(),
    }
}

#[test]
fn developer_text_is_admitted_only_where_the_mode_puts_it() {
    let leak = "<li>Check the upstream&#x27;s error   log</li>";
    let strip = gate(DeveloperMode::Strip, "");
    for path in [
        "404.html",
        "en/404.json",
        "servers/nginx.conf",
        "en/developer/404.html",
    ] {
        let error = strip.admit(file(path, leak)).unwrap_err();
        assert!(
            error.contains("would publish the developer part of content/404.md"),
            "{error}"
        );
    }
    let ssi = gate(DeveloperMode::Ssi, "");
    assert!(ssi.admit(file("en/developer/404.html", leak)).is_ok());
    assert!(ssi.admit(file("en/404.html", leak)).is_err());
    let hidden = gate(DeveloperMode::Hidden, "");
    assert!(hidden.admit(file("en/404.html", leak)).is_ok());
    assert!(hidden.admit(file("servers/haproxy/404.http", leak)).is_ok());
    assert!(hidden.admit(file("en/404.txt", leak)).is_err());
}

#[test]
fn short_or_public_runs_are_no_evidence() {
    let strip = gate(DeveloperMode::Strip, "");
    assert!(strip.admit(file("404.html", "<p>Retry later</p>")).is_ok());
    assert!(
        strip
            .admit(file("404.html", "<p>Visit the status page now</p>"))
            .is_ok()
    );
}

#[test]
fn active_content_must_be_the_themes_own_and_the_value_is_named() {
    let theme = "<button onclick=\"history.back()\">Back</button>";
    let gate = gate(DeveloperMode::Hidden, theme);
    assert!(
        gate.admit(file(
            "404.html",
            "<button onclick=history.back()>Back</button>"
        ))
        .is_ok()
    );
    let error = gate
        .admit(file("404.html", "<p title=x onclick=steal()>y</p>"))
        .unwrap_err();
    assert_eq!(
        error,
        "404.html: the event handler `onclick=steal()` that the theme `t` does not contain; it comes from `site.name` in errorsmith.yaml; errorsmith pages carry no script and load nothing"
    );
    let own = "<!--# include virtual=\"/_errors/en/developer/404.html\" -->";
    assert!(gate.admit(file("404.html", own)).is_ok());
    let error = gate
        .admit(file("404.html", "<!--# exec cmd=\"id\" -->"))
        .unwrap_err();
    assert!(
        error.contains("the SSI directive `<!--# exec cmd=\"id\" -->`"),
        "{error}"
    );
}

#[test]
fn raw_control_characters_are_refused_in_every_kind_of_file() {
    let gate = gate(DeveloperMode::Hidden, "");
    for path in [
        "404.html",
        "404.txt",
        "404.json",
        "servers/nginx.conf",
        "en/developer/404.html",
    ] {
        for c in ['\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{9b}'] {
            let error = gate.admit(file(path, &format!("a{c}b"))).unwrap_err();
            assert!(
                error.contains(&format!("U+{:04X} at byte 1", c as u32)),
                "{path}: {error}"
            );
        }
        assert!(gate.admit(file(path, "tab\tnewline\r\n")).is_ok(), "{path}");
    }
}

#[test]
fn pages_over_the_budget_are_refused() {
    let gate = gate(DeveloperMode::Hidden, "");
    let big = "x".repeat(PAGE_BUDGET + 1);
    let error = gate.admit(file("de/404.html", &big)).unwrap_err();
    assert_eq!(
        error,
        "content/de/404.md: page 404 (de) is 8193 bytes, over the 8192-byte budget; shorten the text, or move detail to the developer part with --developer strip or ssi"
    );
    assert!(gate.admit(file("de/404.json", &big)).is_ok());
}

/// A developer run with backslashes (a Windows path: `C:\new\temp`) folds
/// with `\n` and `\t` read as JSON escapes and dropped; the same text
/// JSON-escaped (`C:\\new\\temp`, as in a `.json` file or any JSON
/// string) folds with the letters kept. The run must be found in both.
#[test]
fn developer_text_with_backslashes_is_found_raw_and_json_escaped() {
    let gate = Gate::new(GateInput {
        mode: DeveloperMode::Strip,
        theme_sources: vec![""],
        ..one_run(r"Look in C:\new\temp\upstream\logs for the failing request")
    })
    .unwrap();
    let raw = r"<p>Look in C:\new\temp\upstream\logs for the failing request</p>";
    assert!(gate.admit(file("500.html", raw)).is_err(), "raw");
    let escaped = serde_json::json!({
        "detail": r"Look in C:\new\temp\upstream\logs for the failing request"
    })
    .to_string();
    assert!(escaped.contains(r"C:\\new"), "{escaped}");
    assert!(
        gate.admit(file("500.json", &escaped)).is_err(),
        "JSON-escaped: {escaped}"
    );
}

/// The byte scan finds what a scan of every char finds, at the same
/// offset.
#[test]
fn stray_controls_are_found_byte_by_byte_as_char_by_char() {
    let pieces = [
        "a", "\t", "\n", "\r", "\u{0}", "\u{1b}", "\u{7f}", "\u{80}", "\u{9f}", "\u{a0}", "\u{c2}",
        "é", "日", "\u{2028}", "\u{feff}",
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..6 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(pieces[(state % pieces.len() as u64) as usize]);
        }
        let by_chars = text
            .char_indices()
            .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
        assert_eq!(first_stray_control(&text), by_chars, "{text:?}");
    }
}

/// The verdict on bytes carries over only to the same bytes in the same
/// kind of file: a page that may carry the developer part (hidden mode)
/// does not let those bytes into a `.json` file or a fragment.
#[test]
fn a_verdict_carries_over_only_to_the_same_bytes_in_the_same_kind_of_file() {
    let gate = gate(DeveloperMode::Hidden, "<html></html>");
    let leaking = "<p>Check the upstream&#39;s error log</p>";
    let page = gate.admit(file("en/404.html", leaking)).unwrap();
    assert!(gate.admit_same(&page, file("404.html", leaking)).is_ok());
    let error = gate
        .admit_same(&page, file("404.json", leaking))
        .unwrap_err();
    assert!(error.contains("developer part"), "{error}");
    let other = "<p>Check the upstream&#39;s error log</p><script>x()</script>";
    let error = gate.admit_same(&page, file("404.html", other)).unwrap_err();
    assert!(error.contains("<script>"), "{error}");
}

/// Each input a verdict depends on changes the stamp, so no file passes
/// [`Gate::admit_again`] unjudged after any of them changed; what only
/// words messages does not.
#[test]
fn the_stamp_changes_with_each_input_a_verdict_depends_on() {
    let base = || GateInput {
        mode: DeveloperMode::Hidden,
        theme_sources: vec!["<p>{{ page.title }}</p>"],
        ..one_run("Check the upstream's error log now")
    };
    let stamp = |input: GateInput| Gate::new(input).unwrap().stamp;
    let first = stamp(base());
    assert_eq!(stamp(base()), first);
    let changed: [(&str, GateInput); 5] = [
        (
            "mode",
            GateInput {
                mode: DeveloperMode::Strip,
                ..base()
            },
        ),
        (
            "visitor_reference",
            GateInput {
                visitor_reference: true,
                ..base()
            },
        ),
        (
            "own_ssi",
            GateInput {
                own_ssi: ["<!--# echo var=\"x\" -->".to_string()].into(),
                ..base()
            },
        ),
        (
            "theme_sources",
            GateInput {
                theme_sources: vec!["<p>{{ page.summary }}</p>"],
                ..base()
            },
        ),
        // The run is now public, so no longer looked for.
        (
            "the runs looked for",
            GateInput {
                public_text: vec!["Check the upstream's error log now."],
                ..base()
            },
        ),
    ];
    for (what, input) in changed {
        assert_ne!(stamp(input), first, "{what}");
    }
    let worded = GateInput {
        theme: "other",
        values: vec![("`site.name`".into(), "Acme".into())],
        ..base()
    };
    assert_eq!(stamp(worded), first, "messages only");
}

/// A gate's input looking for one run of `content/500.md`, and nothing
/// else set.
fn one_run(text: &str) -> GateInput<'static> {
    GateInput {
        mode: DeveloperMode::Strip,
        theme_sources: Vec::new(),
        theme: "t",
        own_ssi: BTreeSet::new(),
        developer: std::sync::Arc::new(DeveloperRuns::new(
            vec![DeveloperRun {
                text: text.into(),
                origin: "content/500.md".into(),
            }],
            &[],
        )),
        public_text: Vec::new(),
        values: Vec::new(),
        content_values: Box::new(Vec::new),
        page_sources: Default::default(),
        visitor_reference: false,
    }
}
