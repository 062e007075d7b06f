//! Which vault a request is for, from its Host header, and the challenge it gets.

use std::net::IpAddr;

/// What the Host header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    /// Vault name: the first label, or `default` for a bare host or address.
    pub vault: String,
    /// `https://host[:port]`, as the client addressed us: the base of ids and links.
    pub base_url: String,
    /// `https://{domain}[:port]`: the resource the challenge names.
    pub resource: String,
}

/// The tenant named in challenges; the local vault has none, so this is fixed.
const TENANT: &str = "00000000-0000-0000-0000-000000000000";

pub const DEFAULT_VAULT: &str = "default";

pub fn parse_host(host: &str) -> HostInfo {
    let host = host.trim().to_ascii_lowercase();
    let (name, port) = split_port(&host);
    let port_suffix = port.map(|p| format!(":{p}")).unwrap_or_default();
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    let is_ip = bare.parse::<IpAddr>().is_ok();
    let labelled = (!is_ip).then(|| name.split_once('.')).flatten();
    let (vault, domain) = match labelled {
        Some((label, domain)) if valid_label(label) && !domain.is_empty() => {
            (label.to_owned(), domain)
        }
        _ => (DEFAULT_VAULT.to_owned(), name),
    };
    HostInfo {
        vault,
        base_url: format!("https://{host}"),
        resource: format!("https://{domain}{port_suffix}"),
    }
}

fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `name:port`, `[v6]:port`, `name` → (name, port).
fn split_port(host: &str) -> (&str, Option<&str>) {
    if host.starts_with('[') {
        return match host.find("]:") {
            Some(i) => (&host[..=i], Some(&host[i + 2..])),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, Some(port)),
        _ => (host, None),
    }
}

impl HostInfo {
    /// The `WWW-Authenticate` value: no `,` or `=` inside values (Python splits on them).
    pub fn challenge(&self) -> String {
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
        let h = parse_host("Demo.localhost:8443");
        assert_eq!(h.vault, "demo");
        assert_eq!(h.base_url, "https://demo.localhost:8443");
        assert_eq!(h.resource, "https://localhost:8443");
        let h = parse_host("kv1.vault.azure.net");
        assert_eq!(
            (h.vault.as_str(), h.resource.as_str()),
            ("kv1", "https://vault.azure.net")
        );
    }

    #[test]
    fn bare_hosts_and_addresses_are_the_default_vault() {
        for host in [
            "localhost:8443",
            "127.0.0.1:9000",
            "[::1]:8443",
            "localhost",
        ] {
            assert_eq!(parse_host(host).vault, DEFAULT_VAULT, "{host}");
        }
        assert_eq!(
            parse_host("127.0.0.1:9000").resource,
            "https://127.0.0.1:9000"
        );
        assert_eq!(parse_host("[::1]:8443").base_url, "https://[::1]:8443");
    }
}
