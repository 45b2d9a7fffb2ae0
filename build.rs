//! Built-in content, themes and the init scaffold are embedded in the
//! binary; a file added to them must trigger a rebuild, which rust-embed
//! alone does not ask cargo for.

fn main() {
    for dir in ["content", "themes", "scaffold"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
