//! The local CA and the server certificate, made on first start and reused after.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Mutex;

use rustls::ServerConfig;
use rustls::crypto::aws_lc_rs;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use super::LocalError;
use super::fsutil::write_file;

pub const CA_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";
const CERT_FILE: &str = "server.pem";
const KEY_FILE: &str = "server-key.pem";

/// PEM of the CA clients must trust, and the rustls config the server uses.
pub struct TlsSetup {
    pub ca_pem: Vec<u8>,
    pub server_config: Arc<ServerConfig>,
}

fn tls_err(what: &str, e: impl std::fmt::Display) -> LocalError {
    LocalError::Tls(format!("{what}: {e}"))
}

/// Loads the CA and server certificate from `dir`, generating them the first time.
/// With `own` (cert, key) the user's certificate is served instead; ca.pem is still written.
pub fn load_or_create(dir: &Path, own: Option<(&Path, &Path)>) -> Result<TlsSetup, LocalError> {
    let ca_path = dir.join(CA_FILE);
    let (cert_pem, key_pem) = match own {
        Some((cert, key)) => {
            let cert_pem = std::fs::read(cert).map_err(|e| LocalError::io(cert, e))?;
            let key_pem = std::fs::read(key).map_err(|e| LocalError::io(key, e))?;
            (cert_pem, key_pem)
        }
        None => {
            let cert_path = dir.join(CERT_FILE);
            let key_path = dir.join(KEY_FILE);
            if !(cert_path.exists() && key_path.exists() && ca_path.exists()) {
                generate(dir)?;
            }
            let cert_pem = std::fs::read(&cert_path).map_err(|e| LocalError::io(&cert_path, e))?;
            let key_pem = std::fs::read(&key_path).map_err(|e| LocalError::io(&key_path, e))?;
            (cert_pem, key_pem)
        }
    };
    let ca_pem = match own {
        // The user's chain: clients trust what signed it; publish the certificate itself.
        Some(_) => {
            write_file(&ca_path, &cert_pem, true).map_err(|e| LocalError::io(&ca_path, e))?;
            cert_pem.clone()
        }
        None => std::fs::read(&ca_path).map_err(|e| LocalError::io(&ca_path, e))?,
    };
    let config = match own {
        Some(_) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
                .collect::<Result<_, _>>()
                .map_err(|e| tls_err("server certificate", e))?;
            let key =
                PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| tls_err("server key", e))?;
            ServerConfig::builder()
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .map_err(|e| tls_err("server certificate", e))?
        }
        None => {
            let resolver = VaultCertResolver::new(dir, &cert_pem, &key_pem)?;
            ServerConfig::builder()
                .with_no_client_auth()
                .with_cert_resolver(Arc::new(resolver))
        }
    };
    let mut config = config;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsSetup {
        ca_pem,
        server_config: Arc::new(config),
    })
}

fn ca_params() -> Result<CertificateParams, LocalError> {
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_err("CA", e))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kvtui local vault CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(ca_params)
}

/// A server certificate for `names`, signed by the local CA.
fn issue(
    names: Vec<String>,
    ips: &[IpAddr],
    issuer: &Issuer<'_, KeyPair>,
) -> Result<(String, KeyPair), LocalError> {
    let mut params = CertificateParams::new(names).map_err(|e| tls_err("server", e))?;
    params
        .subject_alt_names
        .extend(ips.iter().map(|ip| SanType::IpAddress(*ip)));
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let key = KeyPair::generate().map_err(|e| tls_err("server key", e))?;
    let cert = params
        .signed_by(&key, issuer)
        .map_err(|e| tls_err("server", e))?;
    Ok((cert.pem(), key))
}

fn certified_key(cert_pem: &[u8], key_pem: &[u8]) -> Result<Arc<CertifiedKey>, LocalError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| tls_err("server certificate", e))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| tls_err("server key", e))?;
    let signing =
        aws_lc_rs::sign::any_supported_type(&key).map_err(|e| tls_err("server key", e))?;
    Ok(Arc::new(CertifiedKey::new(certs, signing)))
}

/// Serves the stored certificate for localhost and loopback addresses, and
/// issues one per vault host (`{vault}.localhost`) on first use: TLS clients
/// do not accept a `*.localhost` wildcard, so each name gets its own.
struct VaultCertResolver {
    issuer: Issuer<'static, KeyPair>,
    default: Arc<CertifiedKey>,
    by_name: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl std::fmt::Debug for VaultCertResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultCertResolver")
    }
}

impl VaultCertResolver {
    fn new(dir: &Path, cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, LocalError> {
        let ca_key_path = dir.join(CA_KEY_FILE);
        let ca_key_pem =
            std::fs::read_to_string(&ca_key_path).map_err(|e| LocalError::io(&ca_key_path, e))?;
        let ca_key = KeyPair::from_pem(&ca_key_pem).map_err(|e| tls_err("CA key", e))?;
        Ok(Self {
            issuer: Issuer::new(ca_params()?, ca_key),
            default: certified_key(cert_pem, key_pem)?,
            by_name: Mutex::new(HashMap::new()),
        })
    }

    fn for_name(&self, name: &str) -> Option<Arc<CertifiedKey>> {
        let name = name.to_ascii_lowercase();
        let label = name.strip_suffix(".localhost")?;
        if label.is_empty()
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return None;
        }
        let mut cache = self.by_name.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = cache.get(&name) {
            return Some(found.clone());
        }
        let (pem, key) = issue(vec![name.clone()], &[], &self.issuer).ok()?;
        let certified = certified_key(pem.as_bytes(), key.serialize_pem().as_bytes()).ok()?;
        cache.insert(name, certified.clone());
        Some(certified)
    }
}

impl ResolvesServerCert for VaultCertResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        hello
            .server_name()
            .and_then(|name| self.for_name(name))
            .or_else(|| Some(self.default.clone()))
    }
}

fn generate(dir: &Path) -> Result<(), LocalError> {
    let ca_key = KeyPair::generate().map_err(|e| tls_err("CA key", e))?;
    let ca_params = ca_params()?;
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(|e| tls_err("CA", e))?;
    let ca_key_pem = ca_key.serialize_pem();
    let issuer = Issuer::new(ca_params, ca_key);
    let loopback = [
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ];
    let (cert_pem, server_key) = issue(vec!["localhost".to_string()], &loopback, &issuer)?;

    let files: [(PathBuf, String, bool); 4] = [
        (dir.join(CA_KEY_FILE), ca_key_pem, false),
        (dir.join(KEY_FILE), server_key.serialize_pem(), false),
        (dir.join(CERT_FILE), cert_pem, true),
        (dir.join(CA_FILE), ca_cert.pem(), true),
    ];
    for (path, pem, public) in files {
        write_file(&path, pem.as_bytes(), public).map_err(|e| LocalError::io(&path, e))?;
    }
    Ok(())
}
