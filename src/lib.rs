//! errorsmith builds static, self-contained error pages from Markdown
//! content and Tera themes, and the server configuration that serves them.
//!
//! Data flows one way: [`project`] loads config, content ([`catalog`]) and
//! themes ([`theme`]); [`render`] turns them into HTML; [`output`] writes.

pub mod brands;
pub mod build;
pub mod catalog;
pub mod check;
pub mod config;
pub mod content;
pub mod digest;
pub mod formats;
pub mod fsx;
pub mod github;
pub mod init;
pub mod markdown;
pub mod markup;
pub mod minify;
pub mod output;
pub mod palette;
pub mod project;
pub mod publish;
pub mod render;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod servers;
pub mod source;
pub mod strings;
pub mod theme;
mod yaml;

pub use build::{BuildOptions, BuildReport, build};

/// One error listing several problems, one per line, so a user can fix
/// them all in one go.
pub(crate) fn error_list(what: &str, mut problems: Vec<String>) -> anyhow::Error {
    if problems.len() == 1 {
        return anyhow::anyhow!(problems.remove(0));
    }
    let count = problems.len();
    anyhow::anyhow!(
        "{count} problems in the {what}:\n  {}",
        problems.join("\n  ")
    )
}
