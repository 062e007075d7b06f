//! Which vault a request is for, from its Host, and the challenge it gets.
//! Only well-formed hosts select a vault; anything else is refused, never
//! mapped to `default`, and nothing from the Host reaches a header unchecked.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::kv_facts::is_vault_name;

/// What the Host header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HostInfo {
    /// Vault name: the first label, or `default` for `localhost` or a loopback address.
    pub vault: String,
    /// The host name without the port, lower case (compared with the TLS name).
    pub name: String,
    /// `https://host[:port]`, as the client addressed us: the base of ids and links.
    pub base_url: String,
    /// `https://{domain}[:port]`: the resource the challenge names.
    pub resource: String,
    /// The port the client addressed, when it named one.
    pub port: Option<u16>,
}

/// The tenant named in challenges; the local vault has none, so this is fixed.
const TENANT: &str = "00000000-0000-0000-0000-000000000000";

pub(crate) const DEFAULT_VAULT: &str = "default";

/// Why a Host was refused (the text is ours; the Host itself is not echoed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum HostError {
    #[error("the Host header is missing")]
    Missing,
    #[error("the Host header is given more than once, or differs from the request target")]
    Repeated,
    #[error("the Host port is not a port number")]
    BadPort,
    #[error(
        "the Host names no vault: use localhost, a loopback address, or VAULT.localhost where VAULT is a Key Vault name (3-24 letters, digits and '-', starting with a letter)"
    )]
    BadName,
}

/// Parses `name[:port]`, `[v6][:port]` or `v4[:port]` for the local CA's
/// names: `localhost`, a loopback address or `{vault}.localhost`.
#[cfg(test)]
pub(super) fn parse_host(raw: &str) -> Result<HostInfo, HostError> {
    parse_host_in(raw, false)
}

/// As `parse_host`; with `any_domain` (the user's own certificate) a vault
/// label may sit on any DNS name: `{vault}.{domain}`.
pub(super) fn parse_host_in(raw: &str, any_domain: bool) -> Result<HostInfo, HostError> {
    let host = raw.to_ascii_lowercase();
    let (name, port) = split_port(&host)?;
    let port_suffix = port.map(|p| format!(":{p}")).unwrap_or_default();
    let loopback = if let Some(inner) = name.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(HostError::BadName)?;
        let ip: Ipv6Addr = inner.parse().map_err(|_| HostError::BadName)?;
        if !ip.is_loopback() {
            return Err(HostError::BadName);
        }
        Some(format!("[{ip}]"))
    } else if let Ok(ip) = name.parse::<Ipv4Addr>() {
        if !ip.is_loopback() {
            return Err(HostError::BadName);
        }
        Some(ip.to_string())
    } else if name == "localhost" {
        Some(name.to_owned())
    } else {
        None
    };
    if let Some(bare) = loopback {
        return Ok(HostInfo {
            vault: DEFAULT_VAULT.to_owned(),
            base_url: format!("https://{bare}{port_suffix}"),
            resource: format!("https://{bare}{port_suffix}"),
            name: bare,
            port,
        });
    }
    let (label, domain) = name.split_once('.').ok_or(HostError::BadName)?;
    let domain_ok = if any_domain {
        valid_domain(domain)
    } else {
        domain == "localhost"
    };
    if !is_vault_name(label) || !domain_ok {
        return Err(HostError::BadName);
    }
    Ok(HostInfo {
        vault: label.to_owned(),
        base_url: format!("https://{name}{port_suffix}"),
        resource: format!("https://{domain}{port_suffix}"),
        name: name.to_owned(),
        port,
    })
}

/// A DNS name: dot-separated labels of letters, digits and inner hyphens.
fn valid_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.split('.').all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `name:port`, `[v6]:port`, `name` → (name, port); the port is 1..=65535 in digits.
fn split_port(host: &str) -> Result<(&str, Option<u16>), HostError> {
    let (name, port) = if host.starts_with('[') {
        match host.find(']') {
            Some(i) if i + 1 == host.len() => (host, None),
            Some(i) => match host[i + 1..].strip_prefix(':') {
                Some(p) => (&host[..=i], Some(p)),
                None => return Err(HostError::BadName),
            },
            None => return Err(HostError::BadName),
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => {
            let ok = !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
            let n: u16 = p
                .parse()
                .ok()
                .filter(|n| ok && *n > 0)
                .ok_or(HostError::BadPort)?;
            Some(n)
        }
    };
    Ok((name, port))
}

/// The first label that makes a Host Azure Resource Manager, never a vault.
pub(crate) const MANAGEMENT_LABEL: &str = "management";

impl HostInfo {
    /// Whether the request is for the Resource Manager subset (discovery).
    pub(super) fn is_management(&self) -> bool {
        self.vault == MANAGEMENT_LABEL
    }

    /// The `WWW-Authenticate` value: no `,` or `=` inside values (Python splits
    /// on them); `resource` is built only from validated parts.
    pub(super) fn challenge(&self) -> String {
        format!(
            "Bearer authorization=\"https://login.microsoftonline.com/{TENANT}\", resource=\"{}\"",
            self.resource
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_label_names_the_vault() {
        let h = parse_host("Demo.localhost:8443").unwrap();
        assert_eq!(h.vault, "demo");
        assert_eq!(h.name, "demo.localhost");
        assert_eq!(h.base_url, "https://demo.localhost:8443");
        assert_eq!(h.resource, "https://localhost:8443");
        assert_eq!(parse_host("kv1.vault.azure.net"), Err(HostError::BadName));
        let h = parse_host_in("kv1.vault.azure.net", true).unwrap();
        assert_eq!(
            (h.vault.as_str(), h.resource.as_str()),
            ("kv1", "https://vault.azure.net")
        );
    }

    #[test]
    fn bare_hosts_and_loopback_addresses_are_the_default_vault() {
        for host in [
            "localhost:8443",
            "127.0.0.1:9000",
            "[::1]:8443",
            "localhost",
        ] {
            assert_eq!(parse_host(host).unwrap().vault, DEFAULT_VAULT, "{host}");
        }
        let h = parse_host("127.0.0.1:9000").unwrap();
        assert_eq!(h.resource, "https://127.0.0.1:9000");
        assert_eq!(
            parse_host("[::1]:8443").unwrap().base_url,
            "https://[::1]:8443"
        );
    }

    #[test]
    fn other_hosts_are_refused_not_sent_to_default() {
        for host in [
            "my_vault.localhost",
            "ab.localhost",
            "1abc.localhost",
            "a--b.localhost",
            "example",
            "",
            "10.0.0.1",
            "[2001:db8::1]:443",
            "demo.localhost\", resource=\"https://evil",
            "demo.local host",
            "demo..localhost",
            "demo.localhost.",
        ] {
            assert!(parse_host(host).is_err(), "{host:?}");
        }
        for host in [
            "localhost:0",
            "localhost:65536",
            "localhost:",
            "localhost:+80",
            "localhost:8443:1",
        ] {
            assert_eq!(parse_host(host), Err(HostError::BadPort), "{host:?}");
        }
    }
}
