//! Which value a refused file's offending text most likely came from, for
//! the message.

/// The place of the value most likely to hold the found text: one that
/// holds every piece of it before one that holds only some (a short piece
/// such as `<script` is in many values), and among those the user's own
/// before errorsmith's built-in text, each in the order given.
pub(super) fn blamed_source<'a>(
    sources: &'a [(String, String)],
    pieces: &[String],
) -> Option<&'a str> {
    let built_in = |place: &str| place.contains(crate::source::BUILTIN_ORIGIN);
    let first = |holds: &dyn Fn(&str) -> bool| {
        sources
            .iter()
            .filter(|(_, value)| holds(value))
            .min_by_key(|(place, _)| built_in(place))
            .map(|(place, _)| place.as_str())
    };
    first(&|value| !pieces.is_empty() && pieces.iter().all(|p| value.contains(p.as_str())))
        .or_else(|| first(&|value| pieces.iter().any(|p| value.contains(p.as_str()))))
}

#[cfg(test)]
#[test]
fn the_value_holding_all_of_the_text_and_the_users_own_is_blamed() {
    let sources: Vec<(String, String)> = [
        ("<built-in>/content/ar/422.md", "a <script> in prose"),
        ("content/404.md", "<a onclick=\"x()\"> and <script"),
        ("`site.name` in errorsmith.yaml", "<script"),
        ("<built-in>/content/500.md", "onclick=\"x()\""),
    ]
    .iter()
    .map(|(p, v)| (p.to_string(), v.to_string()))
    .collect();
    let pieces = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Every piece: the one value with both, not the first with one.
    assert_eq!(
        blamed_source(&sources, &pieces(&["onclick", "x()"])),
        Some("content/404.md")
    );
    // Only some values hold it all: the user's before the built-in.
    assert_eq!(
        blamed_source(&sources, &pieces(&["<script"])),
        Some("content/404.md")
    );
    // No value holds every piece: one that holds some.
    assert_eq!(
        blamed_source(&sources, &pieces(&["<script", "javascript:"])),
        Some("content/404.md")
    );
    assert_eq!(blamed_source(&sources, &pieces(&["nowhere"])), None);
}
