//! A tiny deterministic generator (splitmix64) so the demo is the same for a given seed
//! and login on every machine and every version of the `rand` crate.

use sha2::{Digest, Sha256};

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, login: &str) -> Self {
        let h = Sha256::digest(login.as_bytes());
        let mut salt = [0u8; 8];
        salt.copy_from_slice(&h[..8]);
        Rng(seed ^ u64::from_le_bytes(salt))
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// A UUID-shaped identifier (lower-case hex, 8-4-4-4-12).
    pub fn uuid(&mut self) -> String {
        let h = format!("{:016x}{:016x}", self.next(), self.next());
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers() {
        let (mut a, mut b) = (Rng::new(1, "x"), Rng::new(1, "x"));
        assert_eq!(a.next(), b.next());
        assert_ne!(Rng::new(1, "y").next(), Rng::new(1, "x").next());
        let u = a.uuid();
        assert_eq!(u.len(), 36);
        assert!((3..=5).contains(&a.range(3, 5)));
    }
}
