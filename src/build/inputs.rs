//! What a build's output is made from, as one digest: when it equals the
//! one recorded with the previous output, and that output still holds
//! exactly the recorded bytes, the build has nothing to do.
//!
//! The digest is of what the build loaded, never of the disk read again
//! (a file saved between the two reads would be recorded under bytes the
//! output was not made from): the user's content files as the catalog
//! read them, every theme file, every brand's resolved config and site
//! view (which holds the logo's bytes, read once for the build), the
//! options, the output's own path (server configs name it) and the running
//! binary (built-in content, themes and the code itself).

use crate::digest::Digest;
use crate::project::{Brand, ProjectOptions};
use std::path::Path;

/// The key (32 hex digits) of a build of `brands` into `out_dir`
/// (absolute); `None` when
/// a brand's site view does not load, so that build is never skipped.
pub fn key(options: &ProjectOptions, out_dir: &Path, brands: &[Brand]) -> Option<String> {
    let mut digest = Digest::default();
    digest.add(b"errorsmith input key 2");
    digest.add(env!("CARGO_PKG_VERSION").as_bytes());
    digest.add(binary_identity()?.as_bytes());
    digest.add(out_dir.as_os_str().as_encoded_bytes());
    digest.add(format!("{options:?}").as_bytes());
    for brand in brands {
        let project = &brand.project;
        digest.add(format!("{:?}", brand.name).as_bytes());
        digest.add(format!("{:?}", project.config).as_bytes());
        digest.add(format!("{:?}", project.locales).as_bytes());
        digest.add(format!("{:?}", (&project.content_dir, &project.themes_dir)).as_bytes());
        digest.add(format!("{:?}", project.site_view().ok()?).as_bytes());
        digest.add(project.catalog.user_digest.as_bytes());
        for (theme, rel, bytes) in project.themes.files() {
            digest.add(theme.as_bytes());
            digest.add(rel.as_bytes());
            digest.add(bytes);
        }
    }
    Some(digest.hex())
}

/// The running binary, by where it is and what the file system says of it:
/// installing or building another binary changes its size, time or inode.
fn binary_identity() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
    };
    #[cfg(not(unix))]
    let inode = ();
    Some(format!(
        "{} {} {} {inode:?}",
        exe.display(),
        meta.len(),
        modified.as_nanos()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Project;

    /// The key is of what the build loaded: files saved after the load do
    /// not change it (the output is made from what was loaded), and a load
    /// after the save gives another key.
    #[test]
    fn the_key_is_of_what_was_loaded_not_of_the_disk_after() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("content")).unwrap();
        std::fs::create_dir_all(p.join("themes/mine")).unwrap();
        let page = |title: &str| format!("---\ntitle: {title}\nsummary: Gone.\n---\nBody.\n");
        let logo = |fill: &str| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1" fill="{fill}"/></svg>"#
            )
        };
        std::fs::write(p.join("content/404.md"), page("One")).unwrap();
        std::fs::write(p.join("themes/mine/theme.yaml"), "extends: default\n").unwrap();
        std::fs::write(p.join("logo.svg"), logo("#111")).unwrap();
        std::fs::write(p.join("errorsmith.yaml"), "site:\n  logo: logo.svg\n").unwrap();
        let options = ProjectOptions {
            root: p.to_path_buf(),
            ..Default::default()
        };
        let out = p.join("dist");
        let loaded = Project::load_brands(&options).unwrap();
        let first = key(&options, &out, &loaded).unwrap();

        std::fs::write(p.join("content/404.md"), page("Two")).unwrap();
        std::fs::write(p.join("themes/mine/theme.yaml"), "extends: terminal\n").unwrap();
        std::fs::write(p.join("logo.svg"), logo("#222")).unwrap();
        assert_eq!(key(&options, &out, &loaded).unwrap(), first);

        let reloaded = Project::load_brands(&options).unwrap();
        let second = key(&options, &out, &reloaded).unwrap();
        assert_ne!(second, first);
        // Each of the three changes alone changes the key.
        for (file, old) in [
            ("content/404.md", page("One")),
            ("themes/mine/theme.yaml", "extends: default\n".to_string()),
            ("logo.svg", logo("#111")),
        ] {
            let now = std::fs::read(p.join(file)).unwrap();
            std::fs::write(p.join(file), old).unwrap();
            let key_with_old = key(&options, &out, &Project::load_brands(&options).unwrap());
            assert_ne!(key_with_old.as_ref(), Some(&second), "{file}");
            std::fs::write(p.join(file), now).unwrap();
        }
        // And the same load twice gives the same key.
        assert_eq!(key(&options, &out, &reloaded).unwrap(), second);
        assert_eq!(
            key(&options, &out, &Project::load_brands(&options).unwrap()).unwrap(),
            second
        );
    }
}
