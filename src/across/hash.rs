//! Values compared without being kept: each is hashed in memory with a key
//! made for this run (HMAC-SHA256), so the digests mean nothing outside it and
//! cannot be matched against a list of likely values.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A value's keyed digest; equal digests under one key mean equal values.
#[derive(Clone, Copy)]
pub struct ValueDigest([u8; 32]);

impl PartialEq for ValueDigest {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for ValueDigest {}

/// Never shows the digest: even keyed, it stays out of logs.
impl std::fmt::Debug for ValueDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ValueDigest([hidden])")
    }
}

/// The run's hashing key, zeroized on drop.
pub struct ValueHasher {
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for ValueHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ValueHasher([hidden])")
    }
}

impl Default for ValueHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl ValueHasher {
    /// A fresh random key from the operating system's generator.
    pub fn new() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::fill(&mut key[..]);
        ValueHasher { key }
    }

    /// The digest of `value`; the value is only borrowed.
    pub fn digest(&self, value: &SecretString) -> ValueDigest {
        self.digest_bytes(value.expose_secret().as_bytes())
    }

    fn digest_bytes(&self, bytes: &[u8]) -> ValueDigest {
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.key[..]) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        };
        mac.update(bytes);
        ValueDigest(mac.finalize().into_bytes().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_match_under_one_key_only() {
        let h = ValueHasher::new();
        let a = h.digest(&SecretString::from("s3cret"));
        assert_eq!(a, h.digest(&SecretString::from("s3cret")));
        assert_ne!(a, h.digest(&SecretString::from("s3cret ")));
        assert_ne!(a, ValueHasher::new().digest(&SecretString::from("s3cret")));
        assert!(!format!("{a:?}{h:?}").contains("s3cret"));
    }
}
