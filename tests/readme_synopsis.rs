//! The README's synopsis of `errorsmith build` names every option
//! `build --help` lists, and no option it does not have.

mod common;

use common::errorsmith;
use std::collections::BTreeSet;

fn long_options(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|word| word.starts_with("--") && word.len() > 2)
        .map(str::to_string)
        .collect()
}

#[test]
fn the_build_synopsis_lists_the_options_build_has() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("```\nerrorsmith build [")
        .expect("the build synopsis");
    let block = &readme[start + 4..];
    let synopsis = &block[..block.find("```").unwrap()];
    let output = errorsmith().args(["build", "--help"]).output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    // Option lines of the help, not the words of their descriptions.
    let listed: BTreeSet<String> = help
        .lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with('-'))
        .flat_map(long_options)
        .collect();
    // `--brand` is refused by build (it builds every brand); `--help` goes
    // without saying.
    let expected: BTreeSet<String> = listed
        .into_iter()
        .filter(|o| o != "--help" && o != "--brand")
        .collect();
    assert_eq!(long_options(synopsis), expected, "{synopsis}");
}
