//! Encryption at rest for secret values and sealing of backup blobs.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::Rng as _;
use zeroize::Zeroizing;

use super::LocalError;
use super::model::StoreError;
use crate::fsx::create_exclusive;

pub(super) const KEY_FILE: &str = "store.key";
const NONCE_LEN: usize = 24;

/// One 256-bit key: values are sealed with their vault, name and version as
/// associated data, so a row copied elsewhere does not decrypt.
#[derive(Clone)]
pub(super) struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    /// A key that lives only in memory (`--in-memory`).
    pub(super) fn ephemeral() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(key.as_mut());
        Self::from_key(&key)
    }

    /// Reads `<dir>/store.key` (made 0600 if it was looser); `None` when absent.
    pub(super) fn load(dir: &Path) -> Result<Option<Self>, LocalError> {
        let path = dir.join(KEY_FILE);
        if !super::fsutil::secure_existing(&path)? {
            return Ok(None);
        }
        let bytes = Zeroizing::new(std::fs::read(&path).map_err(|e| LocalError::io(&path, e))?);
        let key: &[u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| LocalError::Store(format!("{} is not a 32-byte key", path.display())))?;
        Ok(Some(Self::from_key(key)))
    }

    /// Makes a new `<dir>/store.key` (0600), or, when another process made
    /// one first, uses that one: a key is never replaced.
    pub(super) fn create(dir: &Path) -> Result<Self, LocalError> {
        let path = dir.join(KEY_FILE);
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(key.as_mut());
        if create_exclusive(&path, key.as_ref()).map_err(|e| LocalError::io(&path, e))? {
            return Ok(Self::from_key(&key));
        }
        Self::load(dir)?.ok_or_else(|| {
            LocalError::io(&path, std::io::Error::from(std::io::ErrorKind::NotFound))
        })
    }

    fn from_key(key: &[u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// `nonce || ciphertext` of `plain`, bound to `aad`.
    pub(super) fn seal(&self, plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
            .map_err(|_| StoreError::Db("encryption failed".into()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what `seal` made; `None` when it was tampered with or sealed for other `aad`.
    pub(super) fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
            .ok()
            .map(Zeroizing::new)
    }
}

/// Lowercase hex of `bytes`: ids and tokens are written this way.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(super::to_hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
    }

    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_aad_and_untampered() {
        let s = Sealer::ephemeral();
        let sealed = s.seal(b"value", b"v/n/1").unwrap();
        assert_eq!(s.open(&sealed, b"v/n/1").unwrap().as_slice(), b"value");
        assert!(s.open(&sealed, b"v/n/2").is_none());
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(s.open(&bad, b"v/n/1").is_none());
    }
}
