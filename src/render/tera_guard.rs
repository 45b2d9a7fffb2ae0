//! What templates may make Tera do, and how Tera's errors read: a budget
//! for `range`, and reports that name the theme file and line.

use anyhow::anyhow;
use std::collections::HashMap;

/// Numbers all `range()` calls of one render may make together. Loops over
/// the page's data are bounded by the data; nested ranges are not, and
/// `range(end=100000)` twice would run for hours: no page needs more.
pub(super) const RANGE_BUDGET: i128 = 100_000;

thread_local! {
    pub(super) static RANGE_LEFT: std::cell::Cell<i128> = const { std::cell::Cell::new(RANGE_BUDGET) };
}

/// Tera's `range(start, end, step_by)` within [`RANGE_BUDGET`] per render.
pub(super) fn bounded_range(kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<Vec<i128>> {
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(tera::Error::message("`range` was called with `step_by=0`"));
    }
    let span = if step > 0 {
        end.saturating_sub(start)
    } else {
        start.saturating_sub(end)
    };
    let len = if span <= 0 {
        0
    } else {
        (span.saturating_add(step.abs() - 1)) / step.abs()
    };
    let left = RANGE_LEFT.with(|left| {
        let rest = left.get().saturating_sub(len);
        left.set(rest);
        rest
    });
    if left < 0 {
        return Err(tera::Error::message(format!(
            "`range` would make more than {RANGE_BUDGET} numbers for one page (loops inside loops?); no error page needs that many"
        )));
    }
    Ok((0..len).map(|i| start + i * step).collect())
}

pub(super) fn is_template(name: &str) -> bool {
    [".html", ".css", ".txt", ".json", ".svg"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// `file:line: message` for a Tera error, with the template's real path.
pub(super) fn template_error(
    error: &tera::Error,
    origins: &HashMap<String, String>,
    theme: &str,
) -> anyhow::Error {
    use tera::ErrorKind;
    let origin = |name: &str| {
        origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    };
    let mut message = match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => format!(
            "{}:{}: {}",
            origin(report.filename()),
            report.span().start_line,
            report.message()
        ),
        _ => located_reports(&error.to_string(), &origin)
            .unwrap_or_else(|| format!("theme `{theme}`: {error}")),
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    anyhow!(message)
}

/// Tera reports checks done when templates are added (an unknown filter,
/// test or function) as text: `error: Unknown filter `x`` and then
/// ` --> partials/brand.html:1:33`. Each becomes `path:line: message`
/// with the template's real path, one line each, like every other
/// template error; None when the text holds no such report.
fn located_reports(text: &str, origin: &dyn Fn(&str) -> String) -> Option<String> {
    let mut found = Vec::new();
    let mut message = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(at) = line.rfind("error: ") {
            message = Some(line[at + "error: ".len()..].to_string());
        } else if let Some(place) = line.strip_prefix("--> ") {
            let mut parts = place.rsplitn(3, ':');
            let (_column, number, name) = (parts.next(), parts.next(), parts.next());
            if let (Some(name), Some(number), Some(message)) = (name, number, message.take()) {
                found.push(format!("{}:{number}: {message}", origin(name)));
            }
        }
    }
    (!found.is_empty()).then(|| found.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tera_reports_become_path_and_line() {
        let text = "theme: error: Unknown filter `nope`\n --> partials/brand.html:1:33\n  |\n1 | <p>{{ x | nope }}</p>\n  |           ^^^^\nerror: Unknown test `odd2`\n --> page.html:4:2\n";
        let origin = |name: &str| format!("themes/evil/{name}");
        assert_eq!(
            located_reports(text, &origin).unwrap(),
            "themes/evil/partials/brand.html:1: Unknown filter `nope`\nthemes/evil/page.html:4: Unknown test `odd2`"
        );
        assert_eq!(located_reports("plain message", &origin), None);
    }
}
