//! Details real clients notice: which api-versions Key Vault recognizes, and
//! the headers every answer of Key Vault carries.

/// The api-version SDKs are told to use when theirs is not recognized.
pub(super) const LATEST_API_VERSION: &str = "2025-07-01";
/// What `x-ms-keyvault-service-version` says.
pub(super) const SERVICE_VERSION: &str = "1.9.2719.1";
/// What `x-ms-keyvault-region` says: no Azure region.
pub(super) const REGION: &str = "local";

/// Key Vault's data-plane versions: 2015-06-01 and 2016-10-01, 7.0 to 7.6
/// (each also as `-preview` or `-preview.N`), and the dated versions of 2025
/// and 2026 (with or without `-preview`). Anything else is refused with 400
/// BadParameter, as Key Vault does.
pub(super) fn recognized_api_version(v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (core, preview) = match v.split_once("-preview") {
        Some((core, rest)) => (core, Some(rest)),
        None => (v, None),
    };
    if let Some(rest) = preview
        && !(rest.is_empty() || rest.strip_prefix('.').is_some_and(digits))
    {
        return false;
    }
    if let Some(minor) = core.strip_prefix("7.") {
        return minor.len() == 1 && (b'0'..=b'6').contains(&minor.as_bytes()[0]);
    }
    let parts: Vec<&str> = core.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>())
            else {
                return false;
            };
            let dated = (1..=12).contains(&m) && (1..=31).contains(&d);
            dated && (core == "2015-06-01" || core == "2016-10-01" || (2025..=2026).contains(&y))
        }
        _ => false,
    }
}

/// Key Vault's answer to an api-version it does not know.
pub(super) fn unrecognized_message(v: &str) -> String {
    format!(
        "The specified version ({v}) is not recognized. Consider using the latest supported version ({LATEST_API_VERSION})."
    )
}

/// A request id as Key Vault gives one (a random UUID).
pub(super) fn request_id() -> String {
    use rand::Rng as _;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = super::crypto::to_hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_versions_pass_and_others_do_not() {
        for v in [
            "7.6",
            "7.0",
            "7.4",
            "2016-10-01",
            "2025-07-01",
            "2026-04-01",
            "2026-03-01-preview",
            "7.6-preview.1",
            "7.5-preview",
        ] {
            assert!(recognized_api_version(v), "{v}");
        }
        for v in [
            "",
            "latest",
            "7",
            "7.7",
            "7.10",
            "2099-01-01",
            "2025-7-1",
            "2025-13-01",
            "7.x",
            "2025-07-01-beta",
            "2017-01-01",
        ] {
            assert!(!recognized_api_version(v), "{v}");
        }
    }

    #[test]
    fn request_ids_look_like_uuids() {
        let id = request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert_ne!(id, request_id());
    }
}
