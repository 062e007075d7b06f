//! Azure Key Vault's rules and limits, written once: the local service enforces
//! them, the worker checks names against them and the forms warn before sending.
//! A leaf module: it depends on nothing else in the crate.

/// Longest secret name Key Vault accepts, in characters.
pub const MAX_NAME_LEN: usize = 127;
/// Largest secret value, in bytes (25 KiB).
pub const MAX_VALUE_BYTES: usize = 25 * 1024;
/// Longest content type, in characters.
pub const MAX_CONTENT_TYPE_CHARS: usize = 255;
/// Tags per secret.
pub const MAX_TAGS: usize = 15;
/// Characters in a tag key and in a tag value (Azure documents 512 for keys).
pub const MAX_TAG_CHARS: usize = 512;
/// Key Vault refuses to back up a secret with more versions than this.
pub const MAX_BACKUP_VERSIONS: usize = 500;

/// Why a secret name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("a secret name cannot be empty")]
    Empty,
    #[error("a secret name is at most {MAX_NAME_LEN} characters (this one has {0})")]
    TooLong(usize),
    #[error("a secret name may contain only letters, digits and '-' (found {0:?})")]
    BadChar(char),
}

/// Checks a secret name against `^[0-9a-zA-Z-]{1,127}$` without allocating.
pub fn validate_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    let len = name.chars().count();
    if len > MAX_NAME_LEN {
        return Err(NameError::TooLong(len));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        Some(c) => Err(NameError::BadChar(c)),
        None => Ok(()),
    }
}

/// Vault names: 3-24 of `[a-zA-Z0-9-]`, starting with a letter, ending with a
/// letter or digit, no `--`.
pub fn is_vault_name(s: &str) -> bool {
    let b = s.as_bytes();
    (3..=24).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && !s.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule() {
        assert_eq!(validate_name(""), Err(NameError::Empty));
        assert_eq!(validate_name("a_b"), Err(NameError::BadChar('_')));
        assert!(validate_name(&"a".repeat(MAX_NAME_LEN)).is_ok());
        assert_eq!(
            validate_name(&"a".repeat(MAX_NAME_LEN + 1)),
            Err(NameError::TooLong(MAX_NAME_LEN + 1))
        );
        assert!(is_vault_name("kv-demo1"));
        for bad in ["kv", "1kv", "kv-", "k--v", "k_v", &"k".repeat(25)] {
            assert!(!is_vault_name(bad), "{bad}");
        }
    }
}
