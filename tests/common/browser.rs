//! Headless Chromium for the browser tests: the Debian package, driven by
//! playwright-core from the Node project in tests/browser/.

use super::require_program;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn node_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Chromium's path once node, npm and Chromium are there and the Node
/// packages are installed; None (a loud skip) when something is missing.
pub fn browser(test: &str) -> Option<PathBuf> {
    require_program("node", test)?;
    let npm = require_program("npm", test)?;
    let chromium = require_program("chromium", test)?;
    // Both tests may get here at once; one `npm ci` must finish first.
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let installed = INSTALLED.get_or_init(|| {
        if node_project().join("node_modules").is_dir() {
            return Ok(());
        }
        let output = Command::new(npm)
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(node_project())
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    });
    if let Err(error) = installed {
        panic!("`npm ci` in tests/browser failed:\n{error}");
    }
    Some(chromium)
}

/// Runs `script` (in tests/browser/) with `job_file` and returns the JSON
/// document it prints.
pub fn run_script(script: &str, job_file: &Path) -> serde_json::Value {
    let output = Command::new("node")
        .arg(script)
        .arg(job_file)
        .current_dir(node_project())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}):\n{stdout}"))
}
