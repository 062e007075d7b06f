//! The local CA and the server certificate: made on first start, checked at
//! every start (parsed, signed by the CA, valid for a while yet) and renewed
//! before they end. The CA may only vouch for loopback names.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SanType,
};
use rustls::ServerConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::aws_lc_rs;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use time::OffsetDateTime;

use super::LocalError;
use super::certs::CertSource;
use super::fsutil::secure_existing;
use crate::fsx::write_file;

pub(crate) const CA_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";
const CERT_FILE: &str = "server.pem";
const KEY_FILE: &str = "server-key.pem";
const TLS_LOCK_FILE: &str = "tls.lock";
/// The CA lives five years; server certificates about thirteen months.
const CA_DAYS: i64 = 5 * 365;
const SERVER_DAYS: i64 = 397;
/// Certificates that end within this many days are renewed at start.
const RENEW_DAYS: i64 = 30;

/// PEM of the CA clients must trust, and where the server's certificates come from.
pub(super) struct TlsSetup {
    pub ca_pem: Vec<u8>,
    pub certs: Arc<CertSource>,
}

fn tls_err(what: &str, e: impl std::fmt::Display) -> LocalError {
    LocalError::Tls(format!("{what}: {e}"))
}

fn read(path: &Path) -> Result<Vec<u8>, LocalError> {
    std::fs::read(path).map_err(|e| LocalError::io(path, e))
}

/// Makes aws-lc the process's rustls default, as it was before *ring* was
/// built in for the local client: with both, rustls has no default of its
/// own, and code that builds a config without naming a provider would panic.
pub(crate) fn ensure_default_provider() {
    let _ = aws_lc_rs::default_provider().install_default();
}

/// TLS config serving one certificate chain, offering HTTP/2 and HTTP/1.1.
pub(super) fn server_config(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<ServerConfig>, LocalError> {
    let key = certified_key(cert_pem, key_pem)?;
    // The provider is named: with *ring* also built in (the local client's),
    // rustls has no process default to pick.
    let mut config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("TLS versions", e))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(key)));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Loads the CA and server certificate from `dir`, (re)generating what is
/// missing, corrupt or about to end. With `own` (cert, key) the user's
/// certificate is served instead; ca.pem then holds that certificate.
pub(super) fn load_or_create(
    dir: &Path,
    own: Option<(&Path, &Path)>,
) -> Result<TlsSetup, LocalError> {
    let ca_path = dir.join(CA_FILE);
    if let Some((cert, key)) = own {
        let cert_pem = read(cert)?;
        let config = server_config(&cert_pem, &read(key)?)?;
        write_file(&ca_path, &cert_pem, true).map_err(|e| LocalError::io(&ca_path, e))?;
        return Ok(TlsSetup {
            ca_pem: cert_pem,
            certs: Arc::new(CertSource::Fixed(config)),
        });
    }
    let ca_key_path = dir.join(CA_KEY_FILE);
    let key_path = dir.join(KEY_FILE);
    // Processes starting together make the files one at a time.
    let _setup = SetupLock::take(dir)?;
    let ca_ok = secure_existing(&ca_key_path)? && ca_path.exists() && ca_usable(dir);
    if !ca_ok && !ca_key_path.exists() && !ca_path.exists() {
        first_ca(dir)?;
    } else if !ca_ok {
        tracing::warn!(path = %ca_path.display(), "local CA missing, corrupt, unconstrained or ending soon: making a new one; clients must trust the new ca.pem");
        generate_ca(dir)?;
    }
    let ca_pem = read(&ca_path)?;
    let issuer = load_issuer(dir)?;
    let server_ok = |dir: &Path| {
        std::fs::read(dir.join(CERT_FILE))
            .ok()
            .zip(std::fs::read(dir.join(KEY_FILE)).ok())
            .is_some_and(|(cert, key)| {
                certified_key(&cert, &key).is_ok()
                    && verifies(&ca_pem, &cert, "localhost", RENEW_DAYS)
            })
    };
    if !(secure_existing(&key_path)? && server_ok(dir)) {
        let (cert, key) = issue_default(&issuer)?;
        write_file(&key_path, key.serialize_pem().as_bytes(), false)
            .map_err(|e| LocalError::io(&key_path, e))?;
        let cert_path = dir.join(CERT_FILE);
        write_file(&cert_path, cert.as_bytes(), true).map_err(|e| LocalError::io(&cert_path, e))?;
    }
    let default = server_config(&read(&dir.join(CERT_FILE))?, &read(&key_path)?)?;
    Ok(TlsSetup {
        ca_pem,
        certs: Arc::new(CertSource::local(issuer, default)),
    })
}

/// The CA signs a certificate for `localhost` that stays valid a while, and
/// its name constraints refuse any other name.
fn ca_usable(dir: &Path) -> bool {
    let (Ok(ca_pem), Ok(issuer)) = (std::fs::read(dir.join(CA_FILE)), load_issuer(dir)) else {
        return false;
    };
    let signs = |name: &str| {
        issue(vec![name.to_owned()], &[], &issuer)
            .is_ok_and(|(pem, _)| verifies(&ca_pem, pem.as_bytes(), name, RENEW_DAYS))
    };
    signs("localhost") && !signs("name-constraint-check.example")
}

fn load_issuer(dir: &Path) -> Result<Issuer<'static, KeyPair>, LocalError> {
    let path = dir.join(CA_KEY_FILE);
    let pem = zeroize::Zeroizing::new(
        std::fs::read_to_string(&path).map_err(|e| LocalError::io(&path, e))?,
    );
    let key = KeyPair::from_pem(&pem).map_err(|e| tls_err("CA key", e))?;
    Ok(Issuer::new(ca_params()?, key))
}

/// True when `chain_pem` is a chain for `name` that `ca_pem` accepts now and in `days` days.
fn verifies(ca_pem: &[u8], chain_pem: &[u8], name: &str, days: i64) -> bool {
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(ca_pem) {
        let Ok(ca) = ca else { return false };
        if roots.add(ca).is_err() {
            return false;
        }
    }
    let Ok(verifier) = WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::new(aws_lc_rs::default_provider()),
    )
    .build() else {
        return false;
    };
    let Ok(chain) = CertificateDer::pem_slice_iter(chain_pem).collect::<Result<Vec<_>, _>>() else {
        return false;
    };
    let (Some((leaf, rest)), Ok(server)) = (chain.split_first(), ServerName::try_from(name)) else {
        return false;
    };
    let now = UnixTime::now().as_secs();
    [now, now + days.unsigned_abs() * 86_400].iter().all(|t| {
        verifier
            .verify_server_cert(
                leaf,
                rest,
                &server,
                &[],
                UnixTime::since_unix_epoch(std::time::Duration::from_secs(*t)),
            )
            .is_ok()
    })
}

fn validity(params: &mut CertificateParams, days: i64) {
    let now = OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
}

fn ca_params() -> Result<CertificateParams, LocalError> {
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_err("CA", e))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kvtui local vault CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    // `localhost` also permits every `*.localhost` name.
    ca_params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([127, 0, 0, 1], [255; 4])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(Ipv6Addr::LOCALHOST.octets(), [255; 16])),
        ],
        excluded_subtrees: vec![],
    });
    Ok(ca_params)
}

/// A server certificate for `names`, signed by the local CA.
pub(super) fn issue(
    names: Vec<String>,
    ips: &[IpAddr],
    issuer: &Issuer<'_, KeyPair>,
) -> Result<(String, KeyPair), LocalError> {
    let mut params = CertificateParams::new(names).map_err(|e| tls_err("server", e))?;
    validity(&mut params, SERVER_DAYS);
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

fn issue_default(issuer: &Issuer<'_, KeyPair>) -> Result<(String, KeyPair), LocalError> {
    let loopback = [
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ];
    issue(vec!["localhost".to_string()], &loopback, issuer)
}

/// A certificate and its key, refused when either does not parse or they do not match.
pub(super) fn certified_key(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<CertifiedKey>, LocalError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| tls_err("server certificate", e))?;
    if certs.is_empty() {
        return Err(tls_err("server certificate", "no certificate in the PEM"));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| tls_err("server key", e))?;
    let signing =
        aws_lc_rs::sign::any_supported_type(&key).map_err(|e| tls_err("server key", e))?;
    let certified = CertifiedKey::new(certs, signing);
    certified
        .keys_match()
        .map_err(|e| tls_err("server certificate", e))?;
    Ok(Arc::new(certified))
}

/// An exclusive `flock` on `<dir>/tls.lock` while the CA and server files
/// are checked and made: an `--in-memory` service may start beside one that
/// holds the data dir, and two makers would mix their pairs.
/// The lock is released when the file closes.
struct SetupLock {
    _file: std::fs::File,
}

impl SetupLock {
    fn take(dir: &Path) -> Result<Self, LocalError> {
        let path = dir.join(TLS_LOCK_FILE);
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file =
            crate::fsx::open_nofollow(&path, &mut opts).map_err(|e| LocalError::io(&path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: the descriptor is open for the life of `file`; blocking flock has no other preconditions.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                return Err(LocalError::io(&path, std::io::Error::last_os_error()));
            }
        }
        Ok(Self { _file: file })
    }
}

/// The data dir's first CA, made without replacing one another process made
/// first: the key is linked into place only where none is (create-exclusive);
/// the process that lost waits for the winner's `ca.pem` and uses that.
fn first_ca(dir: &Path) -> Result<(), LocalError> {
    let ca_key = KeyPair::generate().map_err(|e| tls_err("CA key", e))?;
    let mut params = ca_params()?;
    validity(&mut params, CA_DAYS);
    let ca_cert = params.self_signed(&ca_key).map_err(|e| tls_err("CA", e))?;
    let key_path = dir.join(CA_KEY_FILE);
    let key_pem = zeroize::Zeroizing::new(ca_key.serialize_pem());
    if crate::fsx::create_exclusive(&key_path, key_pem.as_bytes())
        .map_err(|e| LocalError::io(&key_path, e))?
    {
        let path = dir.join(CA_FILE);
        write_file(&path, ca_cert.pem().as_bytes(), true).map_err(|e| LocalError::io(&path, e))?;
        let _ = std::fs::remove_file(dir.join(CERT_FILE));
        return Ok(());
    }
    if ca_usable(dir) {
        return Ok(());
    }
    Err(tls_err(
        "local CA",
        format!(
            "another process made {CA_KEY_FILE} but no usable {CA_FILE} followed; remove both and start again"
        ),
    ))
}

/// A new CA; the server certificate it signed before is replaced too.
fn generate_ca(dir: &Path) -> Result<(), LocalError> {
    let ca_key = KeyPair::generate().map_err(|e| tls_err("CA key", e))?;
    let mut params = ca_params()?;
    validity(&mut params, CA_DAYS);
    let ca_cert = params.self_signed(&ca_key).map_err(|e| tls_err("CA", e))?;
    let files = [
        (dir.join(CA_KEY_FILE), ca_key.serialize_pem(), false),
        (dir.join(CA_FILE), ca_cert.pem(), true),
    ];
    for (path, pem, public) in files {
        write_file(&path, pem.as_bytes(), public).map_err(|e| LocalError::io(&path, e))?;
    }
    let _ = std::fs::remove_file(dir.join(CERT_FILE));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupt_server_pem_is_replaced_at_start() {
        let dir = tempfile::tempdir().unwrap();
        load_or_create(dir.path(), None).unwrap();
        let ca_before = std::fs::read(dir.path().join(CA_FILE)).unwrap();
        std::fs::write(dir.path().join(CERT_FILE), b"not a certificate").unwrap();
        let setup = load_or_create(dir.path(), None).unwrap();
        assert_eq!(setup.ca_pem, ca_before, "the CA is kept");
        let cert = std::fs::read(dir.path().join(CERT_FILE)).unwrap();
        assert!(verifies(&setup.ca_pem, &cert, "localhost", RENEW_DAYS));
    }

    #[test]
    fn concurrent_first_starts_agree_on_one_ca() {
        let dir = tempfile::tempdir().unwrap();
        let starts: Vec<_> = (0..8)
            .map(|_| {
                let dir = dir.path().to_path_buf();
                std::thread::spawn(move || load_or_create(&dir, None).map(|s| s.ca_pem))
            })
            .collect();
        let on_disk = |name| std::fs::read(dir.path().join(name)).unwrap();
        let ca_pems: Vec<Vec<u8>> = starts
            .into_iter()
            .map(|t| t.join().unwrap().expect("each start succeeds"))
            .collect();
        let ca = on_disk(CA_FILE);
        for pem in &ca_pems {
            assert_eq!(pem, &ca, "every start trusts the CA that stayed on disk");
        }
        assert!(verifies(&ca, &on_disk(CERT_FILE), "localhost", RENEW_DAYS));
        assert!(certified_key(&on_disk(CERT_FILE), &on_disk(KEY_FILE)).is_ok());
    }

    #[test]
    fn the_ca_vouches_only_for_loopback_names_and_ends() {
        let dir = tempfile::tempdir().unwrap();
        let setup = load_or_create(dir.path(), None).unwrap();
        let issuer = load_issuer(dir.path()).unwrap();
        for (name, ok) in [
            ("localhost", true),
            ("demo.localhost", true),
            ("example.com", false),
            ("localhost.example.com", false),
        ] {
            let (pem, _) = issue(vec![name.into()], &[], &issuer).unwrap();
            assert_eq!(
                verifies(&setup.ca_pem, pem.as_bytes(), name, 0),
                ok,
                "{name}"
            );
        }
        // Valid for the years ahead, but not for ever.
        let cert = std::fs::read(dir.path().join(CERT_FILE)).unwrap();
        assert!(verifies(&setup.ca_pem, &cert, "localhost", 300));
        assert!(!verifies(&setup.ca_pem, &cert, "localhost", 6 * 365));
    }
}
