//! The maintenance switch's bypasses, shared by every server that has the
//! switch: who sees the real site and which paths always reach it, checked
//! again here because they are written unquoted into server configs.

use super::{Server, ServerInput};
use crate::config::Network;
use anyhow::Result;

/// The flag file, next to the build folder (`/srv/errors.maintenance`), so
/// a rebuild during maintenance does not switch maintenance off.
pub(crate) fn flag(pages_dir: &str) -> String {
    format!("{}.maintenance", pages_dir.trim_end_matches('/'))
}

/// The maintenance bypasses, validated: networks that see the real site
/// and paths that always reach it.
pub(crate) fn bypasses(input: &ServerInput, server: Server) -> Result<(Vec<Network>, Vec<String>)> {
    let settings = &input.manifest.servers;
    let networks = networks(&settings.maintenance_allow, "maintenance network", server)?;
    for path in &settings.maintenance_paths {
        if !crate::config::is_url_prefix(path) {
            anyhow::bail!(
                "maintenance path `{path}` cannot go into a {} config; use a path such as `/healthz` (letters, digits, -, _, ., /)",
                server.name()
            );
        }
    }
    Ok((networks, settings.maintenance_paths.clone()))
}

/// A regex alternation of `paths`, each matching itself and what is
/// below it; validated paths hold only `.` that needs escaping.
pub(crate) fn path_regex(paths: &[String]) -> String {
    let alternatives: Vec<String> = paths.iter().map(|p| p.replace('.', "\\.")).collect();
    format!("^(?:{})(?:/|\\?|$)", alternatives.join("|"))
}

/// `values` parsed as networks, or an error naming the value (`what`, such
/// as "trusted network") and the server whose config it cannot go into.
pub(crate) fn networks(values: &[String], what: &str, server: Server) -> Result<Vec<Network>> {
    let mut networks = Vec::new();
    for value in values {
        match Network::parse(value) {
            Ok(parsed) => networks.push(parsed),
            Err(fix) => anyhow::bail!(
                "{what} `{value}` cannot go into a {} config; {fix}",
                server.name()
            ),
        }
    }
    Ok(networks)
}

/// A path with a `.` or `..` segment, or an encoded dot, slash or
/// backslash: for servers that match the raw path (HAProxy, Varnish), such
/// a path never takes a maintenance bypass, since the backend may resolve
/// `/healthz/../admin` to a page that is not a health check.
pub const DOTTED_PATH: &str = r"(^|/)(\.|%2e){1,2}(/|\?|$)|%2f|%5c";
