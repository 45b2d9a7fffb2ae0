//! lighttpd: `server.errorfile-prefix`, which lighttpd completes with
//! `<status>.html`, and interception of errors from proxied backends.

use super::quote_escaping_quotes as quote;
use super::{Server, ServerInput};
use crate::output::OutputFile;
use anyhow::Result;

/// `lighttpd.conf`, to `include` from the main configuration.
pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    // lighttpd strings know one escape, `\"`, so a backslash before the
    // closing quote would swallow it.
    let raw = super::config_path(Server::Lighttpd, &input.pages_dir, &['\\'])?;
    let conf = format!(
        "# errorsmith error pages for lighttpd 1.4.46 or later. Include this file\n\
         # from lighttpd.conf:\n\
         #     include {file}\n\
         # lighttpd serves <prefix><status>.html with the original status. Its\n\
         # Content-Type comes from mimetype.assign (\".html\" => \"text/html\").\n\
         server.errorfile-prefix = {prefix}\n\
         # Errors a backend returns through mod_proxy get these pages too.\n\
         server.error-intercept = \"enable\"\n",
        file = quote(&format!("{raw}/servers/lighttpd.conf")),
        prefix = quote(&format!("{raw}/")),
    );
    Ok(vec![super::text_file("servers/lighttpd.conf", conf)])
}
