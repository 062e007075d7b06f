//! Snapshots of a data dir (`kvtui state export|import`, `serve
//! --import-state`): every vault, every version with its properties and the
//! deleted secrets with their dates, as versioned JSON. Values are sealed
//! with a key derived from a passphrase (Argon2id, then XChaCha20-Poly1305
//! bound to vault, name and version) unless the file is plain.

use std::collections::BTreeMap;
use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::Rng as _;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::LocalError;

/// What the `format` field says; `version` is bumped on an incompatible change.
pub(super) const STATE_FORMAT: &str = "kvtui-state";
pub const STATE_VERSION: u32 = 1;
/// The passphrase of sealed snapshots.
pub const PASSPHRASE_VAR: &str = "KVTUI_STATE_PASSPHRASE";
/// Sealed with the derived key: opening it proves the passphrase right.
const CHECK: &[u8] = b"kvtui state passphrase check";
/// Argon2id costs (OWASP's first recommendation): 19 MiB, 2 passes.
const KDF_M_KIB: u32 = 19 * 1024;
const KDF_T: u32 = 2;
const KDF_P: u32 = 1;
/// Snapshots larger than this are refused before parsing.
pub const MAX_STATE_BYTES: u64 = 512 * 1024 * 1024;

/// The file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StateFile {
    pub format: String,
    pub version: u32,
    /// When it was exported (seconds since the epoch, the vault's clock).
    pub exported: i64,
    /// Absent in a plain file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    pub vaults: Vec<VaultState>,
}

/// How the values of a sealed file were sealed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Encryption {
    /// `argon2id`.
    pub kdf: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Base64.
    pub salt: String,
    /// `xchacha20poly1305`.
    pub cipher: String,
    /// Base64 of nonce || ciphertext of a fixed text: a wrong passphrase is told at once.
    pub check: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VaultState {
    pub name: String,
    pub created: i64,
    pub secrets: Vec<SecretState>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SecretState {
    /// As created (case kept).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<DeletedState>,
    /// Oldest first.
    pub versions: Vec<VersionState>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DeletedState {
    pub deleted_date: i64,
    pub scheduled_purge_date: i64,
    pub recoverable_days: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VersionState {
    pub version: String,
    /// The value in a plain file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Base64 of nonce || ciphertext in a sealed file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    pub created: i64,
    pub updated: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub managed: bool,
}

impl std::fmt::Debug for VersionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VersionState")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl Drop for VersionState {
    fn drop(&mut self) {
        if let Some(v) = self.value.as_mut() {
            zeroize::Zeroize::zeroize(v);
        }
    }
}

/// Why a snapshot could not be read.
fn bad(msg: impl Into<String>) -> LocalError {
    LocalError::State(msg.into())
}

fn value_aad(vault: &str, name: &str, version: &str) -> Vec<u8> {
    format!(
        "kvtui-state/v{STATE_VERSION}/{vault}/{}/{version}",
        name.to_ascii_lowercase()
    )
    .into_bytes()
}

fn derive(
    passphrase: &SecretString,
    salt: &[u8],
    enc: (u32, u32, u32),
) -> Result<XChaCha20Poly1305, LocalError> {
    let params = Params::new(enc.0, enc.1, enc.2, Some(32))
        .map_err(|e| bad(format!("the key derivation's costs: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.expose_secret().as_bytes(), salt, key.as_mut())
        .map_err(|e| bad(format!("the key derivation failed: {e}")))?;
    Ok(XChaCha20Poly1305::new(key.as_ref().into()))
}

fn seal(cipher: &XChaCha20Poly1305, plain: &[u8], aad: &[u8]) -> Result<String, LocalError> {
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let body = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
        .map_err(|_| bad("encryption failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&body);
    Ok(B64.encode(out))
}

fn open(cipher: &XChaCha20Poly1305, sealed: &str, aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let bytes = B64.decode(sealed).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, body) = bytes.split_at(24);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
        .ok()
        .map(Zeroizing::new)
}

/// Seals every value of `file` with `passphrase` (plain when `None`).
pub(super) fn seal_file(
    file: &mut StateFile,
    passphrase: Option<&SecretString>,
) -> Result<(), LocalError> {
    let Some(passphrase) = passphrase else {
        return Ok(());
    };
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let cipher = derive(passphrase, &salt, (KDF_M_KIB, KDF_T, KDF_P))?;
    file.encryption = Some(Encryption {
        kdf: "argon2id".into(),
        memory_kib: KDF_M_KIB,
        iterations: KDF_T,
        parallelism: KDF_P,
        salt: B64.encode(salt),
        cipher: "xchacha20poly1305".into(),
        check: seal(&cipher, CHECK, b"check")?,
    });
    for vault in &mut file.vaults {
        for secret in &mut vault.secrets {
            for v in &mut secret.versions {
                if let Some(value) = v.value.take() {
                    let value = Zeroizing::new(value);
                    let aad = value_aad(&vault.name, &secret.name, &v.version);
                    v.sealed_value = Some(seal(&cipher, value.as_bytes(), &aad)?);
                }
            }
        }
    }
    Ok(())
}

/// Parses a snapshot and opens its values (the passphrase is needed only for a sealed one).
pub(super) fn parse_file(
    bytes: &[u8],
    passphrase: Option<&SecretString>,
) -> Result<StateFile, LocalError> {
    let mut file: StateFile = serde_json::from_slice(bytes).map_err(|e| {
        bad(format!(
            "not a kvtui state file (line {}, column {}: {})",
            e.line(),
            e.column(),
            format!("{:?}", e.classify()).to_ascii_lowercase()
        ))
    })?;
    if file.format != STATE_FORMAT {
        return Err(bad(format!(
            "format is {:?}, not {STATE_FORMAT:?}",
            file.format
        )));
    }
    if file.version != STATE_VERSION {
        return Err(bad(format!(
            "version {} of the state format; this kvtui reads version {STATE_VERSION}",
            file.version
        )));
    }
    let cipher = match &file.encryption {
        None => None,
        Some(enc) => {
            if enc.kdf != "argon2id" || enc.cipher != "xchacha20poly1305" {
                return Err(bad(format!(
                    "unknown encryption {} / {}",
                    enc.kdf, enc.cipher
                )));
            }
            let passphrase = passphrase.ok_or_else(|| {
                bad(format!("the values are encrypted: set {PASSPHRASE_VAR} to the passphrase they were exported with"))
            })?;
            if enc.memory_kib > 1024 * 1024 || enc.iterations > 100 || enc.parallelism > 16 {
                return Err(bad("the key derivation's costs are out of bounds"));
            }
            let salt = B64
                .decode(&enc.salt)
                .map_err(|_| bad("the salt is not base64"))?;
            let cipher = derive(
                passphrase,
                &salt,
                (enc.memory_kib, enc.iterations, enc.parallelism),
            )?;
            if open(&cipher, &enc.check, b"check").is_none_or(|c| c.as_slice() != CHECK) {
                return Err(bad(format!(
                    "{PASSPHRASE_VAR} is not the passphrase this file was exported with"
                )));
            }
            Some(cipher)
        }
    };
    for vault in &mut file.vaults {
        if !super::is_local_vault_name(&vault.name) {
            return Err(LocalError::BadVaultName(vault.name.clone()));
        }
        vault.name = vault.name.to_ascii_lowercase();
        for secret in &mut vault.secrets {
            crate::kv_facts::validate_name(&secret.name)
                .map_err(|e| bad(format!("secret {:?}: {e}", secret.name)))?;
            if secret.versions.is_empty() {
                return Err(bad(format!("secret {:?} has no version", secret.name)));
            }
            for v in &mut secret.versions {
                if v.version.is_empty() || !v.version.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(bad(format!(
                        "secret {:?}: bad version id {:?}",
                        secret.name, v.version
                    )));
                }
                match (&cipher, v.value.is_some(), v.sealed_value.take()) {
                    (_, true, None) => {}
                    (Some(c), false, Some(sealed)) => {
                        let aad = value_aad(&vault.name, &secret.name, &v.version);
                        let plain = open(c, &sealed, &aad).ok_or_else(|| {
                            bad(format!(
                                "the value of {}/{} does not open: the file was changed",
                                secret.name, v.version
                            ))
                        })?;
                        let text = String::from_utf8(plain.to_vec()).map_err(|_| {
                            bad(format!(
                                "the value of {}/{} is not text",
                                secret.name, v.version
                            ))
                        })?;
                        v.value = Some(text);
                    }
                    _ => {
                        return Err(bad(format!(
                            "{}/{} needs exactly one of value (plain file) or sealedValue (encrypted file)",
                            secret.name, v.version
                        )));
                    }
                }
            }
        }
    }
    Ok(file)
}

/// The passphrase from the environment, required unless `plain`.
pub fn passphrase_from_env(plain: bool) -> Result<Option<SecretString>, LocalError> {
    if plain {
        return Ok(None);
    }
    match std::env::var(PASSPHRASE_VAR) {
        Ok(p) if p.len() >= 8 => Ok(Some(SecretString::from(p))),
        Ok(_) => Err(bad(format!(
            "{PASSPHRASE_VAR} must hold at least 8 characters"
        ))),
        Err(_) => Err(bad(format!(
            "set {PASSPHRASE_VAR} to seal the values, or pass --plain for a test fixture"
        ))),
    }
}

/// Reads a snapshot file, refusing one too large to be one.
pub(super) fn read_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, LocalError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| LocalError::io(path, e))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_STATE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LocalError::io(path, e))?;
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(bad(format!(
            "{} is larger than {MAX_STATE_BYTES} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StateFile {
        StateFile {
            format: STATE_FORMAT.into(),
            version: STATE_VERSION,
            exported: 1,
            encryption: None,
            vaults: vec![VaultState {
                name: "app".into(),
                created: 1,
                secrets: vec![SecretState {
                    name: "Db-Pass".into(),
                    deleted: None,
                    versions: vec![VersionState {
                        version: "abc123".into(),
                        value: Some("hunter2".into()),
                        sealed_value: None,
                        content_type: None,
                        enabled: true,
                        nbf: None,
                        exp: None,
                        created: 1,
                        updated: 1,
                        tags: None,
                        managed: false,
                    }],
                }],
            }],
        }
    }

    #[test]
    fn sealed_files_open_with_the_passphrase_only() {
        let pass = SecretString::from("correct horse".to_owned());
        let mut f = sample();
        seal_file(&mut f, Some(&pass)).unwrap();
        let text = serde_json::to_vec(&f).unwrap();
        assert!(!String::from_utf8_lossy(&text).contains("hunter2"));
        let back = parse_file(&text, Some(&pass)).unwrap();
        assert_eq!(
            back.vaults[0].secrets[0].versions[0].value.as_deref(),
            Some("hunter2")
        );
        let wrong = SecretString::from("wrong horse".to_owned());
        let err = parse_file(&text, Some(&wrong)).unwrap_err().to_string();
        assert!(err.contains("not the passphrase"), "{err}");
        assert!(
            parse_file(&text, None)
                .unwrap_err()
                .to_string()
                .contains(PASSPHRASE_VAR)
        );
    }

    #[test]
    fn a_value_moved_to_another_secret_does_not_open() {
        let pass = SecretString::from("correct horse".to_owned());
        let mut f = sample();
        seal_file(&mut f, Some(&pass)).unwrap();
        f.vaults[0].secrets[0].name = "other".into();
        let text = serde_json::to_vec(&f).unwrap();
        let err = parse_file(&text, Some(&pass)).unwrap_err().to_string();
        assert!(err.contains("does not open"), "{err}");
    }

    #[test]
    fn other_formats_and_versions_are_refused() {
        let mut f = sample();
        f.version = 2;
        let err = parse_file(&serde_json::to_vec(&f).unwrap(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("version 2"), "{err}");
        assert!(parse_file(b"{\"x\":1}", None).is_err());
    }
}
