//! What kind of file a path of a build is, and so what it may carry: the
//! developer part only where the mode puts it, errorsmith's own script only
//! as it wrote it, bundles checked file by file.

use crate::config::DeveloperMode;

/// What kind of file a path of a build is; decides what it may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Page,
    Fragment,
    Data,
    ServerConfig,
    Errorfile,
    /// The Cloudflare Worker's code: errorsmith's own script, so only its
    /// exact bytes are admitted.
    WorkerCode,
    /// The Worker's `data.js`: the pages it sends, again, as a JavaScript literal.
    /// Decoded and each embedded page checked as the kind of file it
    /// stands for (page, data or fragment), see [`super::Gate::admit_bundle`].
    EdgeBundle,
    /// Envoy Gateway's YAML: each ConfigMap's page is checked as HAProxy's
    /// errorfiles are (a page sent as it is), the rest as a server config.
    /// See [`super::Gate::admit_envoy`].
    EnvoyResources,
    /// A page Cloudflare serves itself (`servers/cloudflare/pages/`): a
    /// page that never carries the developer part, whatever the mode, and
    /// only the Cloudflare tokens errorsmith put there.
    CloudflarePage,
    /// The Custom Error Rules: each rule's content is checked as a
    /// [`Kind::CloudflarePage`], the rest as a server config.
    CloudflareRules,
}

impl Kind {
    /// The kind of the file at `path` of a build of `mode`.
    pub(super) fn of(path: &str, mode: DeveloperMode) -> Kind {
        let name = path.rsplit('/').next().unwrap_or(path);
        if path == crate::servers::cloudflare::WORKER {
            Kind::WorkerCode
        } else if path == crate::servers::cloudflare::DATA {
            Kind::EdgeBundle
        } else if path == crate::servers::envoy::FILE {
            Kind::EnvoyResources
        } else if path == crate::servers::cloudflare::rules::FILE {
            Kind::CloudflareRules
        } else if path.starts_with(crate::servers::cloudflare::hosted::DIR)
            && name.ends_with(".html")
        {
            Kind::CloudflarePage
        } else if path.starts_with("servers/haproxy/") && name.ends_with(".http") {
            Kind::Errorfile
        } else if path.starts_with("servers/") {
            Kind::ServerConfig
        } else if mode == DeveloperMode::Ssi
            && path.contains("/developer/")
            && name.ends_with(".html")
        {
            Kind::Fragment
        } else if name.ends_with(".html") {
            Kind::Page
        } else {
            Kind::Data
        }
    }

    /// Whether a file of this kind may hold the developer part in a
    /// build of `mode`.
    pub(super) fn may_carry_developer_text(self, mode: DeveloperMode) -> bool {
        if self == Kind::CloudflarePage {
            return false;
        }
        match mode {
            DeveloperMode::Strip => false,
            DeveloperMode::Hidden => matches!(self, Kind::Page | Kind::Errorfile),
            DeveloperMode::Ssi => self == Kind::Fragment,
        }
    }

    /// For the message when one does anyway.
    pub(super) fn where_developer_text_belongs(self, mode: DeveloperMode) -> &'static str {
        if self == Kind::CloudflarePage {
            return "Cloudflare serves to everyone, so its pages never carry it";
        }
        match mode {
            DeveloperMode::Strip => "--developer strip leaves out of every file",
            DeveloperMode::Hidden => "belongs only in the HTML pages",
            DeveloperMode::Ssi => "--developer ssi keeps in the fragments under developer/",
        }
    }
}
