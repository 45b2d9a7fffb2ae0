//! JSON Schemas for the YAML a user writes: `errorsmith.yaml`, `theme.yaml`
//! and the content front matter, generated from the types that read them,
//! so editors flag what `build` would refuse while you type.

use crate::config::Config;
use crate::content::FrontMatter;
use crate::theme::ThemeManifest;
use schemars::{JsonSchema, generate::SchemaSettings};

/// The file name `init` writes the config schema to, next to the config,
/// and that the scaffold's `yaml-language-server` comment points at.
pub const CONFIG_SCHEMA_FILE: &str = "errorsmith.schema.json";

/// Which YAML document a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// `errorsmith.yaml`.
    Config,
    /// A theme's `theme.yaml`.
    Theme,
    /// The YAML block at the top of a content file.
    FrontMatter,
}

/// The schema for `document`, as pretty JSON ending in a newline.
pub fn schema_json(document: Document) -> String {
    let schema = match document {
        Document::Config => generate::<Config>(),
        Document::Theme => generate::<ThemeManifest>(),
        Document::FrontMatter => generate::<FrontMatter>(),
    };
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Draft 2020-12, the draft editors and validators default to.
fn generate<T: JsonSchema>() -> schemars::Schema {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_is_closed_to_unknown_keys() {
        for document in [Document::Config, Document::Theme, Document::FrontMatter] {
            let schema: serde_json::Value = serde_json::from_str(&schema_json(document)).unwrap();
            assert_eq!(schema["additionalProperties"], false, "{document:?}");
        }
    }
}
