//! The files that carry pages inside another language (the Worker's
//! `data.js`, Envoy Gateway's JSON documents): there escaping hides markup
//! from a text search, so the gate decodes them and checks each page as
//! the kind of file it stands for.

use super::{Gate, Kind};
use crate::output::OutputFile;

impl Gate {
    /// `data.js` holds the Worker's pages as JSON inside JavaScript, where escaping
    /// hides markup from a plain text search: the literal is decoded and
    /// each page checked as what it stands for. The public parts (`html`,
    /// `json`, `txt`) follow the rules of pages and data, the `developer`
    /// part those of SSI fragments (the Worker sends it to trusted clients
    /// only), and the rest those of server configs.
    pub(super) fn admit_bundle(&self, file: &OutputFile) -> Result<(), String> {
        use crate::servers::cloudflare::{DATA_PREFIX, DATA_SUFFIX};
        let unreadable = || {
            format!(
                "{}: is not the data errorsmith writes for its Worker; rebuild with `errorsmith build`",
                file.path
            )
        };
        let text = std::str::from_utf8(&file.bytes).map_err(|_| unreadable())?;
        let literal = text
            .strip_prefix(DATA_PREFIX)
            .and_then(|t| t.strip_suffix(DATA_SUFFIX))
            .ok_or_else(unreadable)?;
        let mut data: serde_json::Value =
            serde_json::from_str(literal).map_err(|_| unreadable())?;
        let pages = data
            .get_mut("pages")
            .map(serde_json::Value::take)
            .ok_or_else(unreadable)?;
        self.check(
            Kind::ServerConfig,
            &file.path,
            &file.path,
            data.to_string().as_bytes(),
        )?;
        let locales = pages.as_object().ok_or_else(unreadable)?;
        for (locale, codes) in locales {
            for (code, page) in codes.as_object().ok_or_else(unreadable)? {
                let kinds = [
                    ("html", Kind::Page, format!("{locale}/{code}.html")),
                    ("json", Kind::Data, format!("{locale}/{code}.json")),
                    ("txt", Kind::Data, format!("{locale}/{code}.txt")),
                    (
                        "developer",
                        Kind::Fragment,
                        format!("{locale}/developer/{code}.html"),
                    ),
                ];
                for (field, kind, source) in kinds {
                    let text = joined(page.get(field).unwrap_or(&serde_json::Value::Null));
                    let path = format!("{} ({source})", file.path);
                    self.check(kind, &path, &source, text.as_bytes())?;
                }
            }
        }
        Ok(())
    }

    /// Each document of the Envoy Gateway file is JSON, whose escapes could
    /// hide markup from a text search: decoded, each ConfigMap's page is
    /// checked as a page sent as it is, and the rest as a server config.
    pub(super) fn admit_envoy(&self, file: &OutputFile) -> Result<(), String> {
        use crate::servers::envoy::{BODY_KEY, DOCUMENT_START};
        let unreadable = || {
            format!(
                "{}: is not the file errorsmith writes for Envoy Gateway; rebuild with `errorsmith build`",
                file.path
            )
        };
        let text = std::str::from_utf8(&file.bytes).map_err(|_| unreadable())?;
        let separator = format!("\n{DOCUMENT_START}");
        let mut documents = text.split(&separator);
        let comments = documents.next().unwrap_or_default();
        self.check(
            Kind::ServerConfig,
            &file.path,
            &file.path,
            comments.as_bytes(),
        )?;
        for document in documents {
            let mut value: serde_json::Value =
                serde_json::from_str(document).map_err(|_| unreadable())?;
            let name = value["metadata"]["name"]
                .as_str()
                .unwrap_or("?")
                .to_string();
            if let Some(page) = value
                .get_mut("data")
                .and_then(|d| d.get_mut(BODY_KEY))
                .map(serde_json::Value::take)
            {
                let path = format!("{} (ConfigMap {name})", file.path);
                self.check(Kind::Errorfile, &path, &path, joined(&page).as_bytes())?;
            }
            self.check(
                Kind::ServerConfig,
                &file.path,
                &file.path,
                value.to_string().as_bytes(),
            )?;
        }
        Ok(())
    }
}

/// Every string in `value` (a page's text parts), in order.
fn joined(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(items) => items.iter().map(joined).collect(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{file, gate};
    use crate::config::DeveloperMode;
    use crate::output::OutputFile;

    fn bundle(page: serde_json::Value) -> OutputFile {
        use crate::servers::cloudflare::{DATA, DATA_PREFIX, DATA_SUFFIX};
        let data = serde_json::json!({"trusted": [], "pages": {"en": {"404": page}}});
        file(
            DATA,
            &format!(
                "{DATA_PREFIX}{}{DATA_SUFFIX}",
                crate::servers::js::literal(&data)
            ),
        )
    }

    #[test]
    fn the_worker_bundle_is_checked_page_by_page_after_decoding() {
        let leak = "<li>Check the upstream's error log</li>";
        let ssi = gate(DeveloperMode::Ssi, "");
        let page = |html: &str, developer: &str| {
            serde_json::json!({"html": [html, {"slot": "developer"}], "json": "{}", "txt": "",
                "developer": [developer]})
        };
        assert!(ssi.admit(bundle(page("<p>hi</p>", leak))).is_ok());
        let error = ssi.admit(bundle(page(leak, ""))).unwrap_err();
        assert!(
            error.starts_with("servers/cloudflare/data.js (en/404.html): would publish the developer part of content/404.md"),
            "{error}"
        );
        let strip = gate(DeveloperMode::Strip, "");
        assert!(strip.admit(bundle(page("<p>hi</p>", leak))).is_err());
        // `<` is written as \u003c in the bundle; the gate still sees the script.
        let error = ssi
            .admit(bundle(page("<script>steal()</script>", "")))
            .unwrap_err();
        assert!(
            error.contains("(en/404.html): a <script> element"),
            "{error}"
        );
        let error = ssi
            .admit(file(crate::servers::cloudflare::DATA, "export default 1;"))
            .unwrap_err();
        assert!(
            error.contains("is not the data errorsmith writes"),
            "{error}"
        );
    }

    #[test]
    fn only_errorsmiths_own_worker_code_is_admitted() {
        use crate::servers::cloudflare::{WORKER, WORKER_SOURCE};
        let gate = gate(DeveloperMode::Strip, "");
        assert!(gate.admit(file(WORKER, WORKER_SOURCE)).is_ok());
        let changed = format!("{WORKER_SOURCE}\nfetch('https://evil.example');");
        assert!(gate.admit(file(WORKER, &changed)).is_err());
    }

    #[test]
    fn envoy_pages_are_checked_after_decoding_like_errorfiles() {
        use crate::servers::envoy::FILE;
        let leak = "<li>Check the upstream's error log</li>";
        let envoy = |page: &str| {
            let map = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "errorsmith-502"}, "data": {"response.body": page}});
            file(FILE, &format!("# comment\n---\n{map}\n"))
        };
        // Hidden builds ship the developer part in the page, as HAProxy does.
        assert!(gate(DeveloperMode::Hidden, "").admit(envoy(leak)).is_ok());
        let error = gate(DeveloperMode::Strip, "")
            .admit(envoy(leak))
            .unwrap_err();
        assert!(
            error.starts_with(
                "servers/envoy-gateway.yaml (ConfigMap errorsmith-502): would publish"
            ),
            "{error}"
        );
        let error = gate(DeveloperMode::Hidden, "")
            .admit(envoy("<script>steal()</script>"))
            .unwrap_err();
        assert!(error.contains("a <script> element"), "{error}");
    }
}
