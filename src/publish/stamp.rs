//! What a gate's verdicts depend on, as one value: two gates with the same
//! stamp admit exactly the same files, so a file one admitted may pass the
//! other without being judged again ([`super::Gate::admit_again`]).
//!
//! The stamp is keyed with a secret drawn once per process: it never
//! leaves the process, and nobody who writes the content, the config or a
//! theme can aim for another gate's stamp.

use super::GateInput;
use super::runs::RunIndex;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp([u64; 2]);

impl Stamp {
    /// Given to files whose path changed after the gate judged them (see
    /// [`super::Published::in_folder`]): no gate has it, so they are
    /// judged again.
    pub(super) const NONE: Stamp = Stamp([0; 2]);
}

/// Builds a [`Stamp`] from the parts the verdicts depend on, each hashed
/// with its length so that parts cannot run into each other.
pub(super) struct Stamper([std::collections::hash_map::DefaultHasher; 2]);

impl Stamper {
    pub(super) fn new() -> Stamper {
        static KEYS: OnceLock<[RandomState; 2]> = OnceLock::new();
        let keys = KEYS.get_or_init(|| [RandomState::new(), RandomState::new()]);
        Stamper([keys[0].build_hasher(), keys[1].build_hasher()])
    }

    pub(super) fn add(&mut self, part: &[u8]) -> &mut Stamper {
        for hasher in &mut self.0 {
            part.hash(hasher);
        }
        self
    }

    pub(super) fn finish(&self) -> Stamp {
        let stamp = Stamp([self.0[0].finish(), self.0[1].finish()]);
        // NONE stays no gate's.
        if stamp == Stamp::NONE {
            Stamp([1, 0])
        } else {
            stamp
        }
    }
}

/// The stamp of a gate: every input of [`super::Gate::check`] and its kin that can turn a verdict:
/// the mode, the theme's source, errorsmith's own SSI, the developer runs
/// looked for, and whether pages show the visitor reference. The rest of
/// [`GateInput`] (values, page sources, the theme's name) only words the
/// messages of refusals, and refusals are never passed on.
pub(super) fn of_gate(input: &GateInput, theme_source: &str, matcher: &RunIndex) -> Stamp {
    let mut stamper = Stamper::new();
    stamper
        .add(input.mode.as_str().as_bytes())
        .add(&[u8::from(input.visitor_reference)])
        .add(theme_source.as_bytes())
        .add(&input.own_ssi.len().to_le_bytes());
    for directive in &input.own_ssi {
        stamper.add(directive.as_bytes());
    }
    stamper.add(&matcher.patterns().len().to_le_bytes());
    for pattern in matcher.patterns() {
        stamper.add(pattern.as_bytes());
    }
    stamper.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(parts: &[&str]) -> Stamp {
        let mut stamper = Stamper::new();
        for part in parts {
            stamper.add(part.as_bytes());
        }
        stamper.finish()
    }

    #[test]
    fn parts_and_their_bounds_make_the_stamp() {
        assert_eq!(of(&["a", "b"]), of(&["a", "b"]));
        assert_ne!(of(&["ab", "c"]), of(&["a", "bc"]));
        assert_ne!(of(&["a"]), of(&["a", ""]));
    }
}
