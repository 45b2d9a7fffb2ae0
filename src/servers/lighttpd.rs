//! lighttpd configuration for a build.

use super::ServerInput;
use crate::output::OutputFile;
use anyhow::Result;

pub fn files(_input: &ServerInput) -> Result<Vec<OutputFile>> {
    Ok(Vec::new())
}
