//! Which vault(s) to open, from flags, environment and config.
//!
//! Pure: the environment comes in as a closure so tests never touch the process
//! environment. Order: `--vault` flags; else `KEY_VAULT_NAME` (the Azure
//! quickstart's variable); else `AZURE_KEYVAULT_URL`; else the config file's
//! vault list; else the embedded local vault.

use std::fmt;
use std::net::IpAddr;

use url::Url;

use super::choice::Cloud;

/// Where a vault lives, which decides how to trust and authenticate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultTarget {
    /// A vault reached with an Azure credential and the platform's trusted CAs.
    Azure(Url),
    /// A loopback URL: a local vault already running (`kvtui serve`); CA and
    /// token come from the data dir.
    Local(Url),
    /// No vault named anywhere: start the local service in-process.
    Embedded,
}

impl fmt::Display for VaultTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaultTarget::Azure(u) | VaultTarget::Local(u) => {
                f.write_str(u.as_str().trim_end_matches('/'))
            }
            VaultTarget::Embedded => f.write_str("local vault"),
        }
    }
}

/// Why a `--vault` value (or variable, or config entry) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error(
        "{0:?} is not a vault name (3-24 letters, digits and '-', starting with a letter) or an https URL"
    )]
    BadName(String),
    #[error("{0:?} is not a usable vault URL: {1}")]
    BadUrl(String, String),
}

/// The DNS suffix of vaults in `cloud`.
pub(crate) fn vault_suffix(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Public => "vault.azure.net",
        Cloud::China => "vault.azure.cn",
        Cloud::Usgov => "vault.usgovcloudapi.net",
    }
}

/// True for `localhost`, `*.localhost`, `127.0.0.0/8` and `::1`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

pub(crate) use crate::kv_facts::is_vault_name;

/// One `--vault` value: a name becomes `https://NAME.<cloud suffix>`, a URL is
/// used as given (https only: the SDK never sends a token over http).
pub fn parse_vault(arg: &str, cloud: Cloud) -> Result<VaultTarget, EndpointError> {
    let arg = arg.trim();
    if !arg.contains("://") {
        if !is_vault_name(arg) {
            return Err(EndpointError::BadName(arg.to_owned()));
        }
        let raw = format!(
            "https://{}.{}",
            arg.to_ascii_lowercase(),
            vault_suffix(cloud)
        );
        let url =
            Url::parse(&raw).map_err(|e| EndpointError::BadUrl(arg.to_owned(), e.to_string()))?;
        return Ok(VaultTarget::Azure(url));
    }
    let url = Url::parse(arg).map_err(|e| EndpointError::BadUrl(arg.to_owned(), e.to_string()))?;
    if url.scheme() != "https" {
        return Err(EndpointError::BadUrl(
            arg.to_owned(),
            "only https is supported (a bearer token is never sent over http)".into(),
        ));
    }
    if url.host().is_none() {
        return Err(EndpointError::BadUrl(arg.to_owned(), "no host".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(EndpointError::BadUrl(
            arg.to_owned(),
            "a vault URL has no query or fragment".into(),
        ));
    }
    Ok(if is_loopback(&url) {
        VaultTarget::Local(url)
    } else {
        VaultTarget::Azure(url)
    })
}

/// Every vault to open, first one first; never empty.
///
/// `flags` are the `--vault` values, `env` reads a variable, `config_vaults`
/// is the config file's list.
pub(crate) fn resolve(
    flags: &[String],
    cloud: Cloud,
    env: &dyn Fn(&str) -> Option<String>,
    config_vaults: &[String],
) -> Result<Vec<VaultTarget>, EndpointError> {
    let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let chosen: Vec<String> = if !flags.is_empty() {
        flags.to_vec()
    } else if let Some(name) = var("KEY_VAULT_NAME") {
        vec![name]
    } else if let Some(url) = var("AZURE_KEYVAULT_URL") {
        vec![url]
    } else {
        config_vaults.to_vec()
    };
    let mut out: Vec<VaultTarget> = Vec::new();
    for arg in &chosen {
        let t = parse_vault(arg, cloud)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.is_empty() {
        out.push(VaultTarget::Embedded);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| m.get(k).cloned()
    }

    fn urls(t: &[VaultTarget]) -> Vec<String> {
        t.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn names_get_the_cloud_suffix() {
        let none = env_of(&[]);
        let r = resolve(&["kv-demo".into()], Cloud::Public, &none, &[]);
        assert_eq!(
            r.map(|t| urls(&t)),
            Ok(vec!["https://kv-demo.vault.azure.net".into()])
        );
        let cn = resolve(&["kv-demo".into()], Cloud::China, &none, &[]);
        assert_eq!(
            cn.map(|t| urls(&t)),
            Ok(vec!["https://kv-demo.vault.azure.cn".into()])
        );
        let gov = parse_vault("kvgov", Cloud::Usgov).map(|t| t.to_string());
        assert_eq!(gov, Ok("https://kvgov.vault.usgovcloudapi.net".into()));
    }

    #[test]
    fn urls_are_used_as_given_and_several_are_allowed() {
        let flags = vec![
            "https://kv1.vault.azure.net/".to_string(),
            "kv2".to_string(),
            "kv2".to_string(),
        ];
        let r = resolve(&flags, Cloud::Public, &env_of(&[]), &[]).unwrap_or_default();
        assert_eq!(
            urls(&r),
            vec!["https://kv1.vault.azure.net", "https://kv2.vault.azure.net"]
        );
        assert!(matches!(r[0], VaultTarget::Azure(_)));
    }

    #[test]
    fn flags_then_env_then_config_then_embedded() {
        let env = env_of(&[
            ("KEY_VAULT_NAME", "fromname"),
            ("AZURE_KEYVAULT_URL", "https://fromurl.vault.azure.net"),
        ]);
        let cfg = vec!["fromconfig".to_string()];
        let flag = resolve(&["fromflag".into()], Cloud::Public, &env, &cfg).unwrap_or_default();
        assert_eq!(urls(&flag), vec!["https://fromflag.vault.azure.net"]);
        let name = resolve(&[], Cloud::Public, &env, &cfg).unwrap_or_default();
        assert_eq!(urls(&name), vec!["https://fromname.vault.azure.net"]);
        let url_only = env_of(&[("AZURE_KEYVAULT_URL", "https://fromurl.vault.azure.net")]);
        let u = resolve(&[], Cloud::Public, &url_only, &cfg).unwrap_or_default();
        assert_eq!(urls(&u), vec!["https://fromurl.vault.azure.net"]);
        let empty_var = env_of(&[("KEY_VAULT_NAME", "  ")]);
        let c = resolve(&[], Cloud::Public, &empty_var, &cfg).unwrap_or_default();
        assert_eq!(urls(&c), vec!["https://fromconfig.vault.azure.net"]);
        let e = resolve(&[], Cloud::Public, &env_of(&[]), &[]);
        assert_eq!(e, Ok(vec![VaultTarget::Embedded]));
    }

    #[test]
    fn loopback_urls_are_local_vaults() {
        for u in [
            "https://localhost:8443",
            "https://demo.localhost:8443",
            "https://127.0.0.1:8443",
            "https://[::1]:8443",
        ] {
            assert!(
                matches!(parse_vault(u, Cloud::Public), Ok(VaultTarget::Local(_))),
                "{u}"
            );
        }
        assert!(matches!(
            parse_vault("https://localhost.example.com", Cloud::Public),
            Ok(VaultTarget::Azure(_))
        ));
    }

    #[test]
    fn bad_values_are_refused() {
        for bad in ["ab", "1abc", "a_b", "kv-", "a--b", &"a".repeat(25)] {
            assert!(
                matches!(
                    parse_vault(bad, Cloud::Public),
                    Err(EndpointError::BadName(_))
                ),
                "{bad}"
            );
        }
        for bad in [
            "http://kv.vault.azure.net",
            "https://kv.vault.azure.net/?x=1",
            "https://",
        ] {
            assert!(parse_vault(bad, Cloud::Public).is_err(), "{bad}");
        }
    }
}
