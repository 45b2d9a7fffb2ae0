//! The developer part in Varnish: for HTML pages and clients in the
//! `errorsmith_trusted` ACL (`client.ip`), the page's SSI block is
//! replaced by its fragment, read with `std.fileread()`; everyone else
//! gets the block removed. The fragment's echoes become Varnish's
//! transaction id (the request id, digits) or nothing: VCL has no HTML
//! escaping, so no client-supplied value (URL, Host) is echoed.

use super::Plan;

/// The SSI block the page holds in `ssi` builds (nginx's markup), as a
/// VCL long-string regex.
const BLOCK: &str = r#"<!--# if expr="\$errorsmith_developer" -->.*?<!--# endif -->"#;

/// Statements that set `response.body` from `page` (a VCL string
/// expression). The fragment is concatenated, never used as a regsub
/// replacement, so a backslash in it stays literal.
pub(super) fn set_body(
    page: &str,
    plan: &Plan,
    request: &str,
    response: &str,
    locale: &str,
    format: &str,
) -> String {
    let fragment = format!(
        "{dir} + {locale} + \"/developer/\" + {response}.status + \".html\"",
        dir = plan.dir
    );
    let echoed = format!(
        "regsuball(regsub(std.fileread({fragment}), \
         {{\"<!--# echo var=\"errorsmith_request_id\"[^>]*-->\"}}, \"\" + {request}.xid), \
         {{\"<!--#[^>]*-->\"}}, \"\")"
    );
    format!(
        "        if ({format} == \"html\" && client.ip ~ errorsmith_trusted && std.file_exists({fragment})) {{\n            \
         set {response}.body = regsub({page}, {{\"(?s)^(.*?){BLOCK}.*$\"}}, \"\\1\")\n                \
         + {echoed}\n                \
         + regsub({page}, {{\"(?s)^.*?{BLOCK}(.*)$\"}}, \"\\1\");\n        \
         }} else {{\n            \
         set {response}.body = regsub({page}, {{\"(?s){BLOCK}\"}}, \"\");\n        }}\n"
    )
}
