//! The one bearer token: refused when weak, trimmed the same way wherever it
//! is read or written, and compared as fixed-length digests.

use std::path::Path;

use rand::Rng as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{LocalError, fsutil};

/// File holding the bearer token clients must send.
pub(crate) const TOKEN_FILE: &str = "token";
/// Shorter tokens are refused: they can be guessed.
pub(super) const MIN_TOKEN_CHARS: usize = 16;

/// Why a token was refused (never quoting it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum TokenError {
    #[error("the token is empty or only whitespace")]
    Empty,
    #[error("the token has {0} characters; at least {MIN_TOKEN_CHARS} are required")]
    Short(usize),
    #[error("the token may hold only visible ASCII characters (it is sent in a header)")]
    BadChar,
}

/// The token as used everywhere: surrounding whitespace removed, then checked.
pub(super) fn normalize(raw: &str) -> Result<SecretString, TokenError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(TokenError::Empty);
    }
    if !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(TokenError::BadChar);
    }
    if t.len() < MIN_TOKEN_CHARS {
        return Err(TokenError::Short(t.len()));
    }
    Ok(SecretString::from(t.to_owned()))
}

fn refused(from: &str, e: TokenError) -> LocalError {
    LocalError::Token(format!("{from}: {e}"))
}

/// The token from `--token`/`KVTUI_TOKEN`, else `<dir>/token`, created (0600) the first time.
pub(super) fn load(dir: &Path, given: Option<&str>) -> Result<SecretString, LocalError> {
    let path = dir.join(TOKEN_FILE);
    if let Some(given) = given {
        let token = normalize(given).map_err(|e| refused("--token / KVTUI_TOKEN", e))?;
        crate::fsx::write_file(&path, token.expose_secret().as_bytes(), false)
            .map_err(|e| LocalError::io(&path, e))?;
        return Ok(token);
    }
    if fsutil::secure_existing(&path)? {
        return read(&path);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = zeroize::Zeroizing::new(super::crypto::to_hex(&bytes));
    // Another process may have made one first: then that one is the token.
    if crate::fsx::create_exclusive(&path, token.as_bytes())
        .map_err(|e| LocalError::io(&path, e))?
    {
        return Ok(SecretString::from(token.as_str().to_owned()));
    }
    read(&path)
}

/// Reads and checks a token file.
pub(super) fn read(path: &Path) -> Result<SecretString, LocalError> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| LocalError::io(path, e))?,
    );
    normalize(&text).map_err(|e| refused(&path.display().to_string(), e))
}

/// SHA-256 of a token: fixed length, so comparing digests does not leak the length.
pub(super) struct TokenDigest([u8; 32]);

impl TokenDigest {
    pub(super) fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// True when this is the digest of `token`.
    pub(super) fn same_as(&self, token: &str) -> bool {
        Self::of(token).0.ct_eq(&self.0).into()
    }

    /// True when `header` is `Bearer <token>` (the scheme in any case).
    pub(super) fn accepts(&self, header: Option<&str>) -> bool {
        let Some((scheme, rest)) = header.and_then(|h| h.trim().split_once(' ')) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return false;
        }
        Self::of(rest.trim()).0.ct_eq(&self.0).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_tokens_are_refused_and_good_ones_trimmed() {
        assert_eq!(normalize("").unwrap_err(), TokenError::Empty);
        assert_eq!(normalize(" \t\n ").unwrap_err(), TokenError::Empty);
        assert_eq!(normalize("short-token").unwrap_err(), TokenError::Short(11));
        assert_eq!(
            normalize("0123456789abcdef\u{7}x").unwrap_err(),
            TokenError::BadChar
        );
        let t = normalize("  0123456789abcdef\n").unwrap();
        assert_eq!(t.expose_secret(), "0123456789abcdef");
    }

    #[test]
    fn the_bearer_scheme_is_accepted_in_any_case() {
        let d = TokenDigest::of("0123456789abcdef");
        for h in [
            "Bearer 0123456789abcdef",
            "bearer 0123456789abcdef",
            "BEARER  0123456789abcdef",
        ] {
            assert!(d.accepts(Some(h)), "{h}");
        }
        for h in [
            "Bearer 0123456789abcde",
            "Basic 0123456789abcdef",
            "Bearer",
            "",
        ] {
            assert!(!d.accepts(Some(h)), "{h}");
        }
        assert!(!d.accepts(None));
    }
}
