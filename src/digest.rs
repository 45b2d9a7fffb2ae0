//! A 128-bit digest of several parts, for telling inputs apart (not for
//! security): two SipHash digests seeded differently, each part hashed
//! with its length so `ab`,`c` and `a`,`bc` differ.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

pub struct Digest([DefaultHasher; 2]);

impl Default for Digest {
    fn default() -> Digest {
        let mut hashers: [DefaultHasher; 2] = Default::default();
        0u8.hash(&mut hashers[0]);
        1u8.hash(&mut hashers[1]);
        Digest(hashers)
    }
}

impl Digest {
    pub fn add(&mut self, part: &[u8]) {
        for hasher in &mut self.0 {
            part.hash(hasher);
        }
    }

    /// 32 hex digits.
    pub fn hex(self) -> String {
        format!("{:032x}", self.value())
    }

    pub fn value(self) -> u128 {
        let [a, b] = self.0;
        (u128::from(a.finish()) << 64) | u128::from(b.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(parts: &[&str]) -> String {
        let mut digest = Digest::default();
        for part in parts {
            digest.add(part.as_bytes());
        }
        digest.hex()
    }

    #[test]
    fn parts_are_told_apart_by_their_bounds() {
        assert_ne!(of(&["ab", "c"]), of(&["a", "bc"]));
        assert_ne!(of(&["a"]), of(&["a", ""]));
        assert_eq!(of(&["a", "b"]), of(&["a", "b"]));
        assert_eq!(of(&[]).len(), 32);
    }
}
