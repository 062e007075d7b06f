//! Which certificate a handshake gets. Each `{vault}.localhost` gets its own
//! (TLS clients refuse a `*.localhost` wildcard), issued only for valid vault
//! names, off the async workers. Vaults the store knows (and names a request
//! with the token used) get theirs at once and keep them; made-up names share
//! a bounded rate and a bounded cache, so they cannot starve real vaults.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rcgen::{Issuer, KeyPair};
use rustls::ServerConfig;

use super::tls::{issue, server_config};
use crate::kv_facts::is_vault_name;

/// Certificates kept for vault names; the least recently used goes first.
pub(super) const CERT_CACHE: usize = 1000;
/// New vault certificates issued per second (with a burst of as many).
pub(super) const ISSUE_PER_SEC: f64 = 20.0;

/// Where the server's certificates come from.
pub(super) enum CertSource {
    /// The user's certificate (`--tls-cert`), for every name.
    Fixed(Arc<ServerConfig>),
    /// The local CA: localhost and loopback addresses, plus one per vault name.
    Local(Box<LocalCerts>),
}

pub(super) struct LocalCerts {
    issuer: Arc<Issuer<'static, KeyPair>>,
    default: Arc<ServerConfig>,
    cache: Mutex<Lru<Arc<ServerConfig>>>,
    rate: Mutex<Bucket>,
    /// Host names (`{vault}.localhost`) of vaults that exist.
    known: Mutex<HashSet<String>>,
    /// Their certificates: never evicted, never rate-limited.
    pinned: Mutex<HashMap<String, Arc<ServerConfig>>>,
}

impl CertSource {
    pub(super) fn local(issuer: Issuer<'static, KeyPair>, default: Arc<ServerConfig>) -> Self {
        CertSource::Local(Box::new(LocalCerts {
            issuer: Arc::new(issuer),
            default,
            cache: Mutex::new(Lru::new(CERT_CACHE)),
            rate: Mutex::new(Bucket::new(ISSUE_PER_SEC, Instant::now())),
            known: Mutex::new(HashSet::new()),
            pinned: Mutex::new(HashMap::new()),
        }))
    }

    /// Records that `vault` exists: its certificate skips the rate and stays.
    pub(super) fn know(&self, vault: &str) {
        if let CertSource::Local(local) = self {
            let host = format!("{}.localhost", vault.to_ascii_lowercase());
            if vault_host(&host).is_some() && !lock(&local.known).contains(&host) {
                lock(&local.known).insert(host);
            }
        }
    }

    /// The config for a handshake naming `sni`.
    pub(super) async fn config_for(&self, sni: Option<&str>) -> Arc<ServerConfig> {
        match self {
            CertSource::Fixed(config) => config.clone(),
            CertSource::Local(local) => local.config_for(sni).await,
        }
    }
}

/// `{vault}.localhost` with a valid vault name → the lower-case host name.
pub(super) fn vault_host(sni: &str) -> Option<String> {
    let name = sni.to_ascii_lowercase();
    let label = name.strip_suffix(".localhost")?;
    is_vault_name(label).then_some(name)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl LocalCerts {
    async fn config_for(&self, sni: Option<&str>) -> Arc<ServerConfig> {
        let Some(name) = sni.and_then(vault_host) else {
            return self.default.clone();
        };
        if let Some(found) = lock(&self.pinned).get(&name) {
            return found.clone();
        }
        let known = lock(&self.known).contains(&name);
        if !known && let Some(found) = lock(&self.cache).get(&name) {
            return found;
        }
        if !known && !lock(&self.rate).take(Instant::now()) {
            tracing::debug!("vault certificate rate reached; serving the default certificate");
            return self.default.clone();
        }
        let issuer = self.issuer.clone();
        let key = name.clone();
        let made = tokio::task::spawn_blocking(move || {
            let (pem, key) = issue(vec![key], &[], &issuer)?;
            server_config(pem.as_bytes(), key.serialize_pem().as_bytes())
        })
        .await;
        match made {
            Ok(Ok(config)) if known => {
                lock(&self.pinned).insert(name, config.clone());
                config
            }
            Ok(Ok(config)) => {
                lock(&self.cache).insert(name, config.clone());
                config
            }
            _ => self.default.clone(),
        }
    }
}

/// A small least-recently-used map (eviction scans; fine at a thousand entries).
pub(super) struct Lru<V> {
    cap: usize,
    tick: u64,
    map: HashMap<String, (V, u64)>,
}

impl<V: Clone> Lru<V> {
    pub(super) fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            tick: 0,
            map: HashMap::new(),
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    pub(super) fn get(&mut self, key: &str) -> Option<V> {
        self.tick += 1;
        let tick = self.tick;
        self.map.get_mut(key).map(|(v, used)| {
            *used = tick;
            v.clone()
        })
    }

    pub(super) fn insert(&mut self, key: String, value: V) {
        self.tick += 1;
        if !self.map.contains_key(&key) && self.map.len() >= self.cap {
            let oldest = self
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.map.remove(&oldest);
            }
        }
        self.map.insert(key, (value, self.tick));
    }
}

/// A token bucket: `rate` a second, holding at most `rate`.
pub(super) struct Bucket {
    rate: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub(super) fn new(rate: f64, now: Instant) -> Self {
        Self {
            rate,
            tokens: rate,
            at: now,
        }
    }

    pub(super) fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_valid_vault_names_get_their_own_certificate() {
        assert_eq!(
            vault_host("Demo.localhost").as_deref(),
            Some("demo.localhost")
        );
        for sni in [
            "my_vault.localhost",
            "ab.localhost",
            "a.b.localhost",
            "demo.example",
            "localhost",
        ] {
            assert_eq!(vault_host(sni), None, "{sni}");
        }
    }

    #[test]
    fn the_cache_is_bounded_and_keeps_what_is_used() {
        let mut lru = Lru::new(CERT_CACHE);
        for i in 0..CERT_CACHE * 20 {
            lru.insert(format!("v{i}"), i);
            if i % 100 == 0 {
                assert_eq!(lru.get("v0"), Some(0));
            }
        }
        assert_eq!(lru.len(), CERT_CACHE);
        assert_eq!(lru.get("v0"), Some(0), "recently used");
        assert_eq!(lru.get("v1"), None, "least recently used went first");
    }

    #[test]
    fn issuing_is_limited_to_a_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::new(ISSUE_PER_SEC, t0);
        let burst = (0..1000).filter(|_| b.take(t0)).count();
        assert_eq!(burst, ISSUE_PER_SEC as usize);
        assert!(!b.take(t0 + Duration::from_millis(10)));
        assert!(b.take(t0 + Duration::from_millis(60)));
    }
}
