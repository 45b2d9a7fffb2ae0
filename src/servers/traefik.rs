//! Traefik v3: the `errors` middleware, three ways (file provider, Docker
//! labels, Kubernetes `Middleware`), the service it fetches pages from and
//! a low-priority catch-all router, so unknown hosts get our 404.
//!
//! Traefik cannot serve files itself. The page service is errorsmith's
//! nginx default backend (`nginx-default-backend.conf`): it answers
//! `/<code>` with the page for that code and negotiates locale and format
//! from the `Accept` and `Accept-Language` the middleware forwards. The
//! visitor keeps the original status: Traefik sends the status of the
//! failed response, not the page service's.
//!
//! Every string goes through [`yaml_quote`] or [`label`], so no value can
//! end a YAML scalar or a label and start another key.

use super::{Server, ServerInput};
use crate::output::OutputFile;
use anyhow::{Result, bail};

pub const DYNAMIC: &str = "servers/traefik.yml";
pub const LABELS: &str = "servers/traefik-labels.yml";
pub const KUBERNETES: &str = "servers/traefik-middleware.yaml";
pub const MAINTENANCE: &str = "servers/traefik-maintenance.yml";

/// Where the file provider finds the page service; the nginx default
/// backend listens on this port.
pub const PAGES_URL: &str = "http://127.0.0.1:8080";

const MIDDLEWARE: &str = "errorsmith";
const SERVICE: &str = "errorsmith-pages";
const NOT_FOUND: &str = "errorsmith-not-found";
const ROUTER: &str = "errorsmith-catch-all";
const QUERY: &str = "/{status}";
/// A rule any host matches; priority 1 loses to every rule of a real site.
const CATCH_ALL_RULE: &str = "HostRegexp(`.+`)";

/// The only request headers the page service gets. Before Traefik 2.11.44
/// and 3.6.15 the middleware forwarded every header, Cookie and
/// Authorization included (CVE-2026-41181); older versions ignore this
/// key, so upgrade them.
pub const FORWARDED_HEADERS: [&str; 3] = ["Accept", "Accept-Language", "X-Request-Id"];

pub fn files(input: &ServerInput) -> Result<Vec<OutputFile>> {
    let codes: Vec<String> = super::top_level_pages(input)
        .iter()
        .map(|(code, _)| code.to_string())
        .collect();
    if codes.is_empty() {
        bail!("the build has no top-level pages for Traefik to serve; add content for some codes");
    }
    Ok(vec![
        super::text_file(DYNAMIC, dynamic(&codes)?),
        super::text_file(LABELS, labels(&codes)?),
        super::text_file(KUBERNETES, kubernetes(&codes)?),
        super::text_file(MAINTENANCE, maintenance(input)?),
    ])
}

/// A YAML flow sequence of quoted strings.
fn list(items: &[impl AsRef<str>]) -> Result<String> {
    let quoted: Result<Vec<String>> = items.iter().map(|i| yaml_quote(i.as_ref())).collect();
    Ok(format!("[{}]", quoted?.join(", ")))
}

/// `traefik.yml`, for the file provider's dynamic configuration.
fn dynamic(codes: &[String]) -> Result<String> {
    let q = yaml_quote;
    Ok(format!(
        "# errorsmith error pages for Traefik v3 (file provider, dynamic\n\
         # configuration). Add the middleware to your routers:\n\
         #     middlewares: [{MIDDLEWARE}]\n\
         # The pages come from errorsmith's nginx default backend\n\
         # (nginx-default-backend.conf) at {PAGES_URL}.\n\
         http:\n\
         \x20 middlewares:\n\
         \x20   {MIDDLEWARE}:\n\
         \x20     errors:\n\
         \x20       status: {status}\n\
         \x20       service: {service}\n\
         \x20       query: {query}\n\
         \x20       # Only these reach the page service (CVE-2026-41181).\n\
         \x20       errorRequestHeaders: {headers}\n\
         \x20   {NOT_FOUND}:\n\
         \x20     replacePath:\n\
         \x20       path: \"/404\"\n\
         \x20 services:\n\
         \x20   {SERVICE}:\n\
         \x20     loadBalancer:\n\
         \x20       servers:\n\
         \x20         - url: {url}\n\
         \x20 routers:\n\
         \x20   # Hosts no other router knows get the 404 page, not Traefik's.\n\
         \x20   {ROUTER}:\n\
         \x20     rule: {rule}\n\
         \x20     priority: 1\n\
         \x20     service: {service}\n\
         \x20     middlewares: [{NOT_FOUND}]\n",
        status = list(codes)?,
        service = q(SERVICE)?,
        query = q(QUERY)?,
        headers = list(&FORWARDED_HEADERS)?,
        url = q(PAGES_URL)?,
        rule = q(CATCH_ALL_RULE)?,
    ))
}

/// Above every router a site would write (Traefik's default priority is
/// the rule's length), below the ones Traefik keeps for itself.
const MAINTENANCE_PRIORITY: u32 = 1_000_000_000;

/// Request headers the maintenance router removes before the page service
/// sees the request (an empty value removes a header): secrets, and the
/// default backend's own inputs, which would let a visitor pick the page.
const MAINTENANCE_DROPPED: [&str; 5] = [
    "Cookie",
    "Authorization",
    "Proxy-Authorization",
    "X-Code",
    "X-Format",
];

/// `traefik-maintenance.yml`, the maintenance switch: Traefik cannot test
/// a file per request, so the switch is this file itself. Copied into the
/// file provider's watched directory it sends every request but
/// `maintenance.paths` and `maintenance.allow` (Traefik's `ClientIP`, the
/// peer address) to the page service's 503 page; removed, the site is
/// back. Networks are `Display`ed `Network`s and paths validated, so
/// neither holds a backquote that would end a rule's string.
fn maintenance(input: &ServerInput) -> Result<String> {
    let (networks, paths) = super::maintenance::bypasses(input, Server::Traefik)?;
    let mut rule = CATCH_ALL_RULE.to_string();
    if !paths.is_empty() {
        rule.push_str(&format!(
            " && !PathRegexp(`{}`)",
            super::maintenance::path_regex(&paths)
        ));
    }
    if !networks.is_empty() {
        let ips: Vec<String> = networks
            .iter()
            .map(|n| format!("ClientIP(`{n}`)"))
            .collect();
        rule.push_str(&format!(" && !({})", ips.join(" || ")));
    }
    let mut dropped = String::new();
    for header in MAINTENANCE_DROPPED {
        dropped.push_str(&format!("\x20         {header}: \"\"\n"));
    }
    Ok(format!(
        "# errorsmith maintenance switch for Traefik v3 (file provider). Traefik\n\
         # cannot test a flag file per request, so this file is the switch: copy\n\
         # it into the directory of --providers.file.directory (with watch on,\n\
         # next to traefik.yml) to switch on, remove it to switch off. Every\n\
         # request then gets the page service's 503 page, but for\n\
         # maintenance.paths and maintenance.allow (else trusted_networks).\n\
         http:\n\
         \x20 routers:\n\
         \x20   {MAINTENANCE_ROUTER}:\n\
         \x20     rule: {rule}\n\
         \x20     priority: {MAINTENANCE_PRIORITY}\n\
         \x20     service: {service}\n\
         \x20     middlewares: [{MAINTENANCE_HEADERS}, {MAINTENANCE_ROUTER}]\n\
         \x20 middlewares:\n\
         \x20   {MAINTENANCE_HEADERS}:\n\
         \x20     headers:\n\
         \x20       customRequestHeaders:\n\
         {dropped}\
         \x20   {MAINTENANCE_ROUTER}:\n\
         \x20     replacePath:\n\
         \x20       path: \"/503\"\n",
        rule = yaml_quote(&rule)?,
        service = yaml_quote(SERVICE)?,
    ))
}

const MAINTENANCE_ROUTER: &str = "errorsmith-maintenance";
const MAINTENANCE_HEADERS: &str = "errorsmith-maintenance-headers";

/// `traefik-labels.yml`: the same settings as Docker labels, for the
/// container that runs the page service.
fn labels(codes: &[String]) -> Result<String> {
    let m = format!("traefik.http.middlewares.{MIDDLEWARE}.errors");
    let r = format!("traefik.http.routers.{ROUTER}");
    let pairs = [
        (format!("{m}.status"), codes.join(",")),
        (format!("{m}.service"), SERVICE.to_string()),
        (format!("{m}.query"), QUERY.to_string()),
        (
            format!("{m}.errorRequestHeaders"),
            FORWARDED_HEADERS.join(","),
        ),
        (
            format!("traefik.http.middlewares.{NOT_FOUND}.replacePath.path"),
            "/404".to_string(),
        ),
        (
            format!("traefik.http.services.{SERVICE}.loadBalancer.server.port"),
            "8080".to_string(),
        ),
        (format!("{r}.rule"), CATCH_ALL_RULE.to_string()),
        (format!("{r}.priority"), "1".to_string()),
        (format!("{r}.service"), SERVICE.to_string()),
        (format!("{r}.middlewares"), NOT_FOUND.to_string()),
    ];
    let mut out = String::from(
        "# errorsmith error pages for Traefik v3 as Docker labels: put them under\n\
         # `labels:` of the container that serves the pages (errorsmith's nginx\n\
         # default backend on port 8080), and add the middleware to your routers:\n\
         #     traefik.http.routers.<name>.middlewares=errorsmith@docker\n\
         labels:\n",
    );
    for (key, value) in pairs {
        out.push_str(&format!("  - {}\n", label(&key, &value)?));
    }
    Ok(out)
}

/// `traefik-middleware.yaml`: the middleware as a Kubernetes resource,
/// for a Service `errorsmith-pages` on port 8080 in the same namespace.
fn kubernetes(codes: &[String]) -> Result<String> {
    Ok(format!(
        "# errorsmith error pages for Traefik v3 on Kubernetes (traefik.io CRDs).\n\
         # Expects a Service {SERVICE} (port 8080) running errorsmith's nginx\n\
         # default backend; reference the middleware from your IngressRoutes.\n\
         apiVersion: traefik.io/v1alpha1\n\
         kind: Middleware\n\
         metadata:\n\
         \x20 name: {MIDDLEWARE}\n\
         spec:\n\
         \x20 errors:\n\
         \x20   status: {status}\n\
         \x20   query: {query}\n\
         \x20   service:\n\
         \x20     name: {service}\n\
         \x20     port: 8080\n\
         \x20   # Only these reach the page service (CVE-2026-41181).\n\
         \x20   errorRequestHeaders: {headers}\n",
        status = list(codes)?,
        query = yaml_quote(QUERY)?,
        service = yaml_quote(SERVICE)?,
        headers = list(&FORWARDED_HEADERS)?,
    ))
}

/// A YAML double-quoted scalar. Backslash and quote are escaped; control
/// characters are refused, since a value that needs one is not a value
/// Traefik reads.
pub(crate) fn yaml_quote(value: &str) -> Result<String> {
    if let Some(bad) = value.chars().find(|c| c.is_control()) {
        bail!(
            "`{}` contains {bad:?}, which cannot go into a {} file; remove it",
            value.escape_debug(),
            Server::Traefik.name()
        );
    }
    Ok(format!(
        "\"{}\"",
        value.replace('\\', r"\\").replace('"', "\\\"")
    ))
}

/// One Docker label `key=value`, as a quoted YAML list item. The key is a
/// dotted name; a `=` in it would move the split.
pub(crate) fn label(key: &str, value: &str) -> Result<String> {
    let plain_key = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !plain_key || key.is_empty() {
        bail!(
            "Traefik label `{}` is not a dotted name of letters, digits, `.`, `-` and `_`",
            key.escape_debug()
        );
    }
    yaml_quote(&format!("{key}={value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_quote_escapes_quotes_and_backslashes() {
        assert_eq!(yaml_quote("/a\"b\\c").unwrap(), r#""/a\"b\\c""#);
        assert_eq!(yaml_quote("x: y # z}; {").unwrap(), "\"x: y # z}; {\"");
    }

    #[test]
    fn yaml_quote_refuses_newlines_that_would_start_a_key() {
        let error = yaml_quote("/x\"\n  rule: Host(`evil`)").unwrap_err();
        assert!(error.to_string().contains("'\\n'"), "{error}");
        assert!(yaml_quote("tab\there").is_err());
    }

    #[test]
    fn labels_refuse_keys_that_are_not_dotted_names() {
        assert!(label("traefik.http.a=b", "c").is_err());
        assert!(label("traefik http", "c").is_err());
        assert!(label("", "c").is_err());
        assert_eq!(label("a.b", "x=\"y\"").unwrap(), r#""a.b=x=\"y\"""#);
        assert!(label("a.b", "x\ny").is_err());
    }

    #[test]
    fn every_file_forwards_only_the_allow_list() {
        let codes = vec!["404".to_string(), "502".to_string()];
        let headers = "[\"Accept\", \"Accept-Language\", \"X-Request-Id\"]";
        assert!(dynamic(&codes).unwrap().contains(headers));
        assert!(kubernetes(&codes).unwrap().contains(headers));
        assert!(labels(&codes).unwrap().contains(
            "\"traefik.http.middlewares.errorsmith.errors.errorRequestHeaders=Accept,Accept-Language,X-Request-Id\""
        ));
    }
}
