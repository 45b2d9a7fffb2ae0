//! mod_include for the pages: the developer part for trusted networks and
//! the visitor reference, from the same SSI markup nginx reads.
//!
//! The pages hold nginx's SSI (`<!--# if expr="$errorsmith_developer" -->`,
//! `<!--# include virtual=... -->`, `<!--# echo var=... -->`). mod_include
//! wants no space after `<!--#` (nginx takes both), so mod_substitute
//! removes it first; content cannot hold `<!--#` (the publication gate
//! refuses it), so only errorsmith's own markup changes. Apache then reads
//! it with the legacy expression parser, where `$name` is true when the
//! variable is not empty; the new (ap_expr) parser would refuse `$name`.
//! `errorsmith_developer` is set only for clients in `trusted_networks`
//! (`-R`, the client address), so it fails closed: without mod_include or
//! mod_substitute the `<IfModule>` is skipped, the markup stays an inert comment and the
//! fragments stay unreachable (only error documents may read the pages).

use super::expr_networks;
use crate::config::Network;
use anyhow::Result;

/// What the pages ask mod_include for.
pub(super) struct Includes {
    /// Pages include the developer fragment (`--developer ssi`).
    pub developer: bool,
    /// Pages include `<locale>/reference.html` (`visitor_reference`).
    pub reference: bool,
}

/// Lines for inside the pages' `<Directory>`, or nothing when the pages
/// hold no SSI.
pub(super) fn directory_block(includes: &Includes, trusted: &[Network]) -> Result<String> {
    if !includes.developer && !includes.reference {
        return Ok(String::new());
    }
    let mut out = String::from(
        "    # The developer part and the visitor reference (SSI in the pages).\n\
         \x20   # Without mod_include and mod_substitute they stay inert comments.\n\
         \x20   <IfModule include_module>\n\
         \x20   <IfModule substitute_module>\n\
         \x20       # NOEXEC: no `exec` command, whatever a page held.\n\
         \x20       Options +IncludesNOEXEC\n\
         \x20       # nginx's `<!--# cmd` -> Apache's `<!--#cmd`, then SSI.\n\
         \x20       Substitute \"s/<!--# /<!--#/n\"\n\
         \x20       # Apache's echo has no `default=`; undefined shows nothing.\n\
         \x20       Substitute 's/ default=\"\" -->/ -->/n'\n\
         \x20       AddOutputFilter SUBSTITUTE;INCLUDES .html\n\
         \x20       # nginx's markup tests `$name`, which only the legacy parser reads.\n\
         \x20       SSILegacyExprParser on\n\
         \x20       # nginx's variables Apache lacks (time_iso8601, host,\n\
         \x20       # upstream_status) show nothing, as does a failed command.\n\
         \x20       SSIErrorMsg \"<!-- -->\"\n\
         \x20       SSIUndefinedEcho \"<!-- -->\"\n\
         \x20       # The request id: mod_unique_id's UNIQUE_ID, else a proxy's\n\
         \x20       # X-Request-Id; echoed entity-encoded.\n\
         \x20       SetEnvIf X-Request-Id \"^(.+)$\" errorsmith_request_id=$1\n\
         \x20       SetEnvIf UNIQUE_ID \"^(.+)$\" errorsmith_request_id=$1\n",
    );
    if includes.developer {
        out.push_str(&format!(
            "        # Only these clients (trusted_networks) get the developer part.\n\
             \x20       SetEnvIfExpr \"{}\" errorsmith_developer=1\n",
            expr_networks(trusted, true)?
        ));
    }
    out.push_str("    </IfModule>\n    </IfModule>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_trusted_networks_set_the_developer_variable() {
        let all = Includes {
            developer: true,
            reference: true,
        };
        let trusted = [Network::parse("10.0.0.0/8").unwrap()];
        let text = directory_block(&all, &trusted).unwrap();
        assert!(
            text.contains("SetEnvIfExpr \"-R '10.0.0.0/8'\" errorsmith_developer=1\n"),
            "{text}"
        );
        // Nobody trusted: an expression that is never true.
        let text = directory_block(&all, &[]).unwrap();
        assert!(
            text.contains("SetEnvIfExpr \"false\" errorsmith_developer=1\n"),
            "{text}"
        );
        let reference = Includes {
            developer: false,
            reference: true,
        };
        let text = directory_block(&reference, &trusted).unwrap();
        assert!(!text.contains("errorsmith_developer"), "{text}");
        let none = Includes {
            developer: false,
            reference: false,
        };
        assert_eq!(directory_block(&none, &trusted).unwrap(), "");
    }
}
