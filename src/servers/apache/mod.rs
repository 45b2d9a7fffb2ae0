//! Apache httpd 2.4: `ErrorDocument` for every code, the pages behind an
//! `Alias`, and proxy errors replaced by them. `SetEnvIf` picks the locale
//! and the format from Accept-Language and Accept with nginx's rules, and
//! each `ErrorDocument` names its file with them (expressions in
//! `ErrorDocument` need 2.4.13).

mod include;
mod maintenance;

use super::{Server, ServerInput};
use crate::config::Network;
use crate::output::OutputFile;
use anyhow::{Result, bail};

/// `apache.conf`, to `Include` in a virtual host.
pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    // Apache replaces `${NAME}` anywhere in a line, quotes or not, so `$`
    // cannot be written safely.
    let raw = super::config_path(Server::Apache, &input.pages_dir, &['$'])?;
    let prefix = super::url_prefix(input)?;
    let negotiation = super::negotiation(input)?;
    let pages: Vec<(u16, Option<u32>)> = negotiation
        .codes
        .iter()
        .copied()
        .filter(|(code, _)| knows(*code))
        .collect();

    let mut conf = format!(
        "# errorsmith error pages for Apache httpd 2.4.\n\
         # Include this file in each <VirtualHost>, before any ProxyPass line:\n\
         #     Include {file}\n\
         # Needs mod_alias, mod_authz_core, mod_headers (a2enmod headers),\n\
         # mod_mime, mod_rewrite (a2enmod rewrite) and mod_setenvif;\n\
         # with mod_proxy, errors from backends get these pages too.\n\
         # ErrorDocument names a local path, never a URL: a URL would redirect\n\
         # and lose the status code.\n\
         Alias {prefix}/ {dir_slash}\n\
         <Directory {dir}>\n\
         \x20   Options None\n\
         \x20   AllowOverride None\n\
         \x20   # Only as an error document (REDIRECT_STATUS is the error's code):\n\
         \x20   # a direct request, or an internal redirect a site's own rewrite\n\
         \x20   # or application makes (REDIRECT_STATUS 200), gets the 403 page.\n\
         \x20   Require expr \"%{{ENV:REDIRECT_STATUS}} =~ /^[45][0-9][0-9]$/\"\n\
         \x20   Header always set Cache-Control \"no-store\"\n\
         \x20   Header always set Vary \"Accept, Accept-Language\"\n\
         \x20   Header always set X-Content-Type-Options \"nosniff\"\n\
         \x20   AddType application/problem+json .json\n\
         \x20   AddType text/plain .txt\n\
         \x20   AddCharset utf-8 .html .txt\n",
        file = quote(&format!("{raw}/servers/apache.conf")),
        dir = quote(raw),
        dir_slash = quote(&format!("{raw}/")),
    );
    for (code, seconds) in super::retry_afters(&pages) {
        conf.push_str(&format!(
            "    <FilesMatch \"^{code}\\.\">\n        Header always set Retry-After \"{seconds}\"\n    </FilesMatch>\n"
        ));
    }
    let includes = include::Includes {
        developer: input.manifest.developer == "ssi",
        reference: input.manifest.servers.visitor_reference,
    };
    let trusted =
        super::maintenance::networks(input.trusted_networks(), "trusted network", Server::Apache)?;
    conf.push_str(&include::directory_block(&includes, &trusted)?);
    conf.push_str("</Directory>\n");
    conf.push_str(&negotiate(&negotiation));
    for (code, _) in &pages {
        conf.push_str(&format!(
            "ErrorDocument {code} {prefix}/%{{reqenv:ERRORSMITH_LOCALE}}/{code}.%{{reqenv:ERRORSMITH_FORMAT}}\n"
        ));
    }
    let (allow, paths) = super::maintenance::bypasses(input, Server::Apache)?;
    conf.push_str(&maintenance::block(raw, prefix, &allow, &paths)?);
    conf.push_str(&format!(
        "<IfModule proxy_module>\n\
         \x20   # The pages are served here, not by a backend: this must come first.\n\
         \x20   ProxyPass {prefix}/ !\n\
         \x20   # Errors a backend returns (4xx and 5xx) get these pages too.\n\
         \x20   ProxyErrorOverride On\n\
         </IfModule>\n"
    ));
    Ok(vec![super::text_file("servers/apache.conf", conf)])
}

/// `ERRORSMITH_LOCALE` and `ERRORSMITH_FORMAT`, set before any handler
/// runs. SetEnvIf applies in order, so the q-value buckets go from worst
/// to best and the best non-empty one is left; the match keeps the
/// client's case, so it is mapped to the built tag last.
fn negotiate(negotiation: &super::Negotiation) -> String {
    let tags = negotiation.locales.join("|");
    let mut out = format!(
        "# Locale from Accept-Language, format from Accept, as nginx picks them.\n\
         SetEnvIf Request_URI \"^\" ERRORSMITH_LOCALE={} ERRORSMITH_FORMAT=html\n",
        negotiation.default_locale
    );
    for (_, q) in super::nginx::Q_BUCKETS.iter().rev() {
        out.push_str(&format!(
            "SetEnvIfNoCase Accept-Language \"(?:^|,)\\s*({tags})(?:-[a-z0-9]+)*{q}\\s*(?:,|$)\" ERRORSMITH_LOCALE=$1\n"
        ));
    }
    for tag in &negotiation.locales {
        out.push_str(&format!(
            "SetEnvIfNoCase ERRORSMITH_LOCALE \"^{tag}$\" ERRORSMITH_LOCALE={tag}\n"
        ));
    }
    out.push_str(
        "SetEnvIfNoCase Accept \"^\\s*text/plain\\s*(?:;[^,]*)?$\" ERRORSMITH_FORMAT=txt\n\
         SetEnvIfNoCase Accept \"^(?:(?!text/html).)*application/(?:problem\\+)?json\" ERRORSMITH_FORMAT=json\n",
    );
    out
}

/// Codes Apache 2.4 has a status line for; `ErrorDocument` with any other
/// (418 and 425 among them) is a config error: "Unsupported HTTP response
/// code".
fn knows(code: u16) -> bool {
    matches!(
        code,
        400..=417 | 421..=424 | 426 | 428 | 429 | 431 | 451 | 500..=508 | 510 | 511
    )
}

/// An ap_expr that is true when the client is in one of `networks`
/// (`-R '10.0.0.0/8' || ...`), or with `inside` false, in none of them.
/// A network is written as its `Display` form, which is only hex digits,
/// `.`, `:` and `/`; anything else would end the quoted string, so it is
/// refused rather than written.
fn expr_networks(networks: &[Network], inside: bool) -> Result<String> {
    if networks.is_empty() {
        return Ok(if inside { "false" } else { "true" }.into());
    }
    let mut tests = Vec::new();
    let halves = |network: Network| -> Vec<Network> {
        // APR refuses a `/0` subnet: everyone is the two halves.
        if network.prefix != 0 {
            return vec![network];
        }
        let upper: std::net::IpAddr = match network.address {
            std::net::IpAddr::V4(_) => std::net::Ipv4Addr::new(128, 0, 0, 0).into(),
            std::net::IpAddr::V6(_) => std::net::Ipv6Addr::new(0x8000, 0, 0, 0, 0, 0, 0, 0).into(),
        };
        vec![
            Network {
                prefix: 1,
                ..network
            },
            Network {
                address: upper,
                prefix: 1,
            },
        ]
    };
    for network in networks.iter().flat_map(|n| halves(apr_form(*n))) {
        let text = network.to_string();
        if !text
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '/'))
        {
            bail!(
                "network `{text}` cannot go into an Apache expression; use an address or CIDR network such as `10.0.0.0/8`"
            );
        }
        tests.push(if inside {
            format!("-R '{text}'")
        } else {
            format!("!-R '{text}'")
        });
    }
    Ok(tests.join(if inside { " || " } else { " && " }))
}

/// APR refuses IPv4-mapped IPv6 subnets (`::ffff:1.2.3.4`,
/// `::ffff:0:0/96`) and matches mapped clients against IPv4 ones instead,
/// so a network inside `::ffff:0:0/96` is written as that IPv4 network.
fn apr_form(network: Network) -> Network {
    match network.address {
        std::net::IpAddr::V6(v6) if network.prefix >= 96 => match v6.to_ipv4_mapped() {
            Some(v4) => Network {
                address: v4.into(),
                prefix: network.prefix - 96,
            },
            None => network,
        },
        _ => network,
    }
}

/// A double-quoted Apache argument: inside quotes Apache reads `\\` as `\`
/// and `\"` as `"`, and nothing else is special.
fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', r"\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_mapped_networks_are_written_as_ipv4_for_apr() {
        let parse = |text| Network::parse(text).unwrap();
        let networks = [
            parse("::ffff:1.2.3.4"),
            parse("::ffff:0:0/96"),
            parse("::1"),
        ];
        assert_eq!(
            expr_networks(&networks, true).unwrap(),
            "-R '1.2.3.4' || -R '0.0.0.0/1' || -R '128.0.0.0/1' || -R '::1'"
        );
    }

    #[test]
    fn quoting_escapes_quotes_and_backslashes() {
        assert_eq!(quote("/srv/my errors"), "\"/srv/my errors\"");
        assert_eq!(quote(r#"/a"b\"#), r#""/a\"b\\""#);
        assert_eq!(quote("/a;b#c>d'e"), "\"/a;b#c>d'e\"");
    }
}
