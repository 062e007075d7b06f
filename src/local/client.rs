//! A `SecretClient` for a local vault: the official SDK, trusting the local CA
//! and sending the local token. The same client type talks to Azure.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport};
use azure_core::time::OffsetDateTime;
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use secrecy::{ExposeSecret, SecretString};

use super::{CA_FILE, LocalError, TOKEN_FILE};

/// The local vault's one bearer token, handed to the SDK as a credential.
pub struct StaticTokenCredential {
    token: SecretString,
}

impl StaticTokenCredential {
    pub fn new(token: SecretString) -> Self {
        Self { token }
    }
}

impl fmt::Debug for StaticTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticTokenCredential")
    }
}

#[async_trait::async_trait]
impl TokenCredential for StaticTokenCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let expires = OffsetDateTime::now_utc() + Duration::from_secs(24 * 3600);
        Ok(AccessToken::new(
            self.token.expose_secret().to_owned(),
            expires,
        ))
    }
}

/// Where a client of a local vault takes its token: the data dir's, unless
/// `KVTUI_TOKEN` or `--token-file` names another identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    DataDir,
    /// `KVTUI_TOKEN` (its value is read when used, never kept here).
    Env,
    File(PathBuf),
}

static TOKEN_SOURCE: OnceLock<TokenSource> = OnceLock::new();

/// Sets, once per process, where clients of local vaults take their token:
/// `--token-file` first, then `KVTUI_TOKEN`, else the data dir.
pub fn choose_token_source(token_file: Option<&Path>) -> TokenSource {
    let chosen = match token_file {
        Some(f) => TokenSource::File(f.to_path_buf()),
        None if std::env::var_os(TOKEN_ENV).is_some_and(|v| !v.is_empty()) => TokenSource::Env,
        None => TokenSource::DataDir,
    };
    TOKEN_SOURCE.get_or_init(|| chosen).clone()
}

/// The token source chosen for this process (the data dir when none was).
pub fn token_source() -> TokenSource {
    TOKEN_SOURCE.get().cloned().unwrap_or(TokenSource::DataDir)
}

/// The variable that overrides a client's token.
pub const TOKEN_ENV: &str = "KVTUI_TOKEN";

impl TokenSource {
    /// Which credential, in words, for the doctor.
    pub fn describe(&self, data_dir: &Path) -> String {
        match self {
            TokenSource::DataDir => format!(
                "the local vault's token file {}",
                data_dir.join(TOKEN_FILE).display()
            ),
            TokenSource::Env => format!("{TOKEN_ENV} (environment)"),
            TokenSource::File(f) => format!("--token-file {}", f.display()),
        }
    }

    /// The token this source holds.
    pub fn read(&self, data_dir: &Path) -> Result<SecretString, LocalError> {
        match self {
            TokenSource::DataDir => super::token::read(&data_dir.join(TOKEN_FILE)),
            TokenSource::File(f) => super::token::read(f),
            TokenSource::Env => {
                let raw = zeroize::Zeroizing::new(std::env::var(TOKEN_ENV).unwrap_or_default());
                super::token::normalize(&raw)
                    .map_err(|e| LocalError::Token(format!("{TOKEN_ENV}: {e}")))
            }
        }
    }
}

/// Reads `<data_dir>/ca.pem` and the token: `<data_dir>/token`, or the one
/// `KVTUI_TOKEN` / `--token-file` gives (see [`choose_token_source`]).
pub fn read_credentials(data_dir: &Path) -> Result<(Vec<u8>, SecretString), LocalError> {
    let ca_path = data_dir.join(CA_FILE);
    let ca = std::fs::read(&ca_path).map_err(|e| LocalError::io(&ca_path, e))?;
    let token = token_source().read(data_dir)?;
    Ok((ca, token))
}

/// An HTTP client that trusts only `ca_pem` and sends `localhost` and
/// `*.localhost` to 127.0.0.1, then ::1 (glibc does not resolve them
/// everywhere, nor always to both), so a service bound to either is reached.
pub fn local_http_client(url: &url::Url, ca_pem: &[u8]) -> Result<reqwest::Client, LocalError> {
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config(ca_pem)?)
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if let Some(host) = url
        .host_str()
        .filter(|h| *h == "localhost" || h.ends_with(".localhost"))
    {
        let port = url.port_or_known_default().unwrap_or(443);
        let loopback = [
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ];
        builder = builder.resolve_to_addrs(host, &loopback);
    }
    builder
        .build()
        .map_err(|e| LocalError::Client(e.to_string()))
}

/// TLS trusting only `ca_pem`, on *ring*: aws-lc (the default provider) seeds
/// its random generator from CPU jitter, about 25 ms of CPU at the first
/// handshake of every process, which was half of a `secret show`.
fn tls_config(ca_pem: &[u8]) -> Result<rustls::ClientConfig, LocalError> {
    super::tls::ensure_default_provider();
    let bad = |e: &dyn fmt::Display| LocalError::Client(format!("the local CA: {e}"));
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
    }
    if roots.is_empty() {
        return Err(bad(&"no certificate in it"));
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| bad(&e))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Retries for a loopback vault: a refused connection there will not heal in a
/// minute, so say so after a couple of quick tries.
fn local_retry() -> RetryOptions {
    RetryOptions::exponential(ExponentialRetryOptions {
        initial_delay: azure_core::time::Duration::milliseconds(100),
        max_retries: 2,
        max_total_elapsed: azure_core::time::Duration::seconds(2),
        max_delay: azure_core::time::Duration::milliseconds(500),
    })
}

/// Client options for `url` of a local service: the local CA, `*.localhost`
/// pinned to loopback, quick retries (also used for its Resource Manager endpoint).
pub fn local_client_options(url: &url::Url, ca_pem: &[u8]) -> Result<ClientOptions, LocalError> {
    Ok(ClientOptions {
        transport: Some(Transport::new(Arc::new(local_http_client(url, ca_pem)?))),
        retry: local_retry(),
        ..Default::default()
    })
}

/// A `SecretClient` for a vault of a local service. Challenge verification stays
/// on for `{vault}.localhost`; a bare host cannot pass it, so it is off there.
pub fn secret_client(
    vault_url: &str,
    ca_pem: &[u8],
    token: SecretString,
) -> Result<SecretClient, LocalError> {
    let url =
        url::Url::parse(vault_url).map_err(|e| LocalError::Client(format!("{vault_url}: {e}")))?;
    let http = local_http_client(&url, ca_pem)?;
    let named = url.host_str().is_some_and(|h| h.ends_with(".localhost"));
    let options = SecretClientOptions {
        client_options: ClientOptions {
            transport: Some(Transport::new(Arc::new(http))),
            retry: local_retry(),
            ..Default::default()
        },
        verify_challenge_resource: Some(named),
        ..Default::default()
    };
    SecretClient::new(
        vault_url,
        Arc::new(StaticTokenCredential::new(token)),
        Some(options),
    )
    .map_err(|e| LocalError::Client(e.to_string()))
}
