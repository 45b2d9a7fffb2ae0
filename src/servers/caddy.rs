//! Caddy 2: a `handle_errors` block that serves `/{status}.html` from the
//! pages directory with the original status.

use super::quote_escaping_quotes as quote;
use super::{Server, ServerInput};
use crate::output::OutputFile;
use anyhow::Result;

/// `caddy.caddyfile`, to `import` in a site block.
pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    // Caddy expands `{$ENV}` before parsing and `{placeholders}` in `root`
    // at run time, and a backslash before the closing quote would escape it.
    let raw = super::config_path(Server::Caddy, &input.pages_dir, &['{', '}', '\\'])?;
    let dir = quote(raw);
    let mut retry = String::new();
    for (code, seconds) in super::retry_afters(&super::top_level_pages(input)) {
        retry.push_str(&format!(
            "\t\t@errorsmith_retry_{code} expression {{err.status_code}} == {code}\n\
             \t\theader @errorsmith_retry_{code} Retry-After \"{seconds}\"\n"
        ));
    }
    let conf = format!(
        "# errorsmith error pages for Caddy 2. Import this file in a site block:\n\
         #     example.com {{\n\
         #         import {file}\n\
         #         reverse_proxy localhost:8080\n\
         #     }}\n\
         # It covers errors Caddy makes itself (404 from file_server, 502 when a\n\
         # backend is down, 504 on a timeout); file_server keeps the error status.\n\
         handle_errors {{\n\
         \t@errorsmith_page file {{\n\
         \t\troot {dir}\n\
         \t\ttry_files /{{err.status_code}}.html\n\
         \t}}\n\
         \thandle @errorsmith_page {{\n\
         \t\troot * {dir}\n\
         \t\trewrite * /{{err.status_code}}.html\n\
         \t\theader Cache-Control \"no-store\"\n\
         {retry}\
         \t\tfile_server\n\
         \t}}\n\
         }}\n",
        file = quote(&format!("{raw}/servers/caddy.caddyfile")),
    );
    Ok(vec![super::text_file("servers/caddy.caddyfile", conf)])
}
