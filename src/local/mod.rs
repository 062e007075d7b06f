//! The local vault: a Key Vault secrets service on loopback (HTTPS, the auth
//! challenge, SQLite) that the official SDKs use unchanged.

mod access;
mod admin;
mod api;
mod arm;
mod arm_meta;
mod backup;
mod certs;
pub mod client;
mod clock;
mod conns;
mod crypto;
mod dirlock;
mod errors;
mod faults;
mod fidelity;
mod fsutil;
mod handlers;
mod host;
mod identity;
mod limits;
mod loglimit;
mod model;
mod pending;
mod samples;
pub mod seed;
mod server;
mod state;
mod state_ops;
mod store;
mod tls;
mod token;
mod wire;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use arm::{
    ArmOptions, DEFAULT_ARM_PAGE, LOCAL_SUBSCRIPTION, LOCAL_TENANT, LocalSubscription, LocalTenant,
    SubscriptionVaults,
};
pub use clock::parse_offset as parse_clock_offset;
pub use dirlock::{Holder, holder as lock_holder};
pub use faults::{Faults, THROTTLE_WINDOW};
pub(crate) use host::DEFAULT_VAULT;
/// Path of the local managed-identity endpoint on any host of the service.
pub use identity::PATH as IDENTITY_PATH;
pub use limits::{Limits, MAX_PAGE_BYTES};
pub use state::{MAX_STATE_BYTES, PASSPHRASE_VAR, STATE_VERSION, passphrase_from_env};
pub use state_ops::{StateSummary, export_state, import_state};
pub(crate) use tls::CA_FILE;
pub(crate) use token::TOKEN_FILE;

/// Why the local vault could not start.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    #[error("local vault store: {0}")]
    Store(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "refusing to listen on {0}: it is not a loopback address (pass --allow-remote to allow it)"
    )]
    NotLoopback(IpAddr),
    #[error("cannot build the client: {0}")]
    Client(String),
    #[error("refusing {path}: {reason}")]
    Unsafe { path: PathBuf, reason: String },
    #[error("refusing the token from {0}")]
    Token(String),
    #[error(
        "{0:?} cannot be a vault: use 3-24 letters, digits and '-', starting with a letter (and not `management`, the Resource Manager host)"
    )]
    BadVaultName(String),
    #[error("{0}")]
    Access(#[from] access::AccessFileError),
    #[error("{0}")]
    Seed(String),
    #[error("state file: {0}")]
    State(String),
    #[error("{}", dirlock::locked_message(dir, holder))]
    Locked {
        dir: PathBuf,
        holder: Option<Holder>,
    },
    #[error(
        "{0}: store.key is missing but vault.db holds values sealed with it; put store.key back (or move vault.db away to start empty)"
    )]
    KeyMissing(PathBuf),
}

impl LocalError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        LocalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl From<model::StoreError> for LocalError {
    fn from(e: model::StoreError) -> Self {
        LocalError::Store(e.to_string())
    }
}

/// How to run the local vault.
#[derive(Debug, Clone)]
pub struct LocalVaultOptions {
    pub data_dir: PathBuf,
    pub in_memory: bool,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub allow_remote: bool,
    pub retention_days: u32,
    pub token: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Fill a newly created `default` vault with sample secrets.
    pub samples: bool,
    /// Timeouts and caps against clients that cost without asking.
    pub limits: Limits,
    /// Latency, throttling, failures and cut responses on request; off by default.
    pub faults: Faults,
    /// Vaults to create empty at start (others exist from their first write).
    pub create_vaults: Vec<String>,
    /// Vaults whose deleted secrets cannot be purged before their date.
    pub purge_protected: Vec<String>,
    /// Tenants, subscriptions and vault URLs the Resource Manager endpoints report.
    pub arm: ArmOptions,
    /// The access file: identities, permission models and network rules (`None`: one token, all rights).
    pub access: Option<PathBuf>,
    /// Stays running (serve, the TUI) rather than for one command: other
    /// instances join a lasting one as clients and wait for a brief one.
    pub lasting: bool,
    /// Seconds the vault's clock runs ahead of (or behind) real time.
    pub clock_offset: i64,
    /// A snapshot to load at start (the store must hold no secret yet).
    pub import_state: Option<PathBuf>,
    /// How long a delete and a purge keep running after they answered (zero: instant).
    pub delete_delay: Duration,
}

impl LocalVaultOptions {
    /// Loopback, an ephemeral port, 90 days' retention, no samples.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            in_memory: false,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            allow_remote: false,
            retention_days: 90,
            token: None,
            tls_cert: None,
            tls_key: None,
            samples: false,
            limits: Limits::default(),
            faults: Faults::default(),
            create_vaults: Vec::new(),
            purge_protected: Vec::new(),
            arm: ArmOptions::default(),
            access: None,
            lasting: true,
            clock_offset: 0,
            import_state: None,
            delete_delay: Duration::ZERO,
        }
    }
}

/// A name a local vault may have: a Key Vault name other than `management`.
pub fn is_local_vault_name(name: &str) -> bool {
    crate::kv_facts::is_vault_name(name) && !name.eq_ignore_ascii_case(host::MANAGEMENT_LABEL)
}

/// A running local vault; dropping it does not stop it, `shutdown` does.
pub struct LocalVault {
    addr: SocketAddr,
    data_dir: PathBuf,
    ca_pem: Vec<u8>,
    token: SecretString,
    stop: CancellationToken,
    task: JoinHandle<()>,
    faults: Arc<faults::FaultState>,
    service: Arc<api::Service>,
}

/// Starts the service on its own tasks and returns once it is listening.
pub async fn start(opts: LocalVaultOptions) -> Result<LocalVault, LocalError> {
    if !opts.bind.is_loopback() && !opts.allow_remote {
        return Err(LocalError::NotLoopback(opts.bind));
    }
    tls::ensure_default_provider();
    let dir = opts.data_dir.clone();
    fsutil::check_data_dir(&dir)?;
    // On disk the lock is held for the service's life; in memory only while
    // the shared CA and token files are made (or until a holder has made them).
    let mut lock = if opts.in_memory {
        setup_lock(&dir).await?
    } else {
        Some(dirlock::DirLock::acquire(&dir, opts.lasting)?)
    };
    let own = opts.tls_cert.as_deref().zip(opts.tls_key.as_deref());
    let tls = tls::load_or_create(&dir, own)?;
    let token = token::load(&dir, opts.token.as_deref())?;
    // One key seals values, backups and skip tokens; their associated data keeps them apart.
    let (sealer, store_dir) = if opts.in_memory {
        (crypto::Sealer::ephemeral(), None)
    } else {
        (load_sealer(&dir)?, Some(dir.as_path()))
    };
    let backup_sealer = sealer.clone();
    let mut store = store::Store::open(store_dir, sealer, opts.retention_days)?;
    if let Some(path) = &opts.import_state {
        let passphrase = state::passphrase_from_env(false).ok().flatten();
        let done = state_ops::load_into(&mut store, path, passphrase.as_ref(), false)?;
        tracing::info!(
            vaults = done.vaults,
            secrets = done.secrets,
            versions = done.versions,
            "state imported"
        );
    }
    let clock = Arc::new(clock::Clock::with_offset(opts.clock_offset));
    let now = clock.now();
    store.purge_expired(now)?;
    if let Some(bad) = opts
        .create_vaults
        .iter()
        .chain(&opts.purge_protected)
        .find(|n| !is_local_vault_name(n))
    {
        return Err(LocalError::BadVaultName(bad.clone()));
    }
    if store.ensure_vault(DEFAULT_VAULT, now)? && opts.samples {
        samples::add_samples(&mut store, now)?;
    }
    for name in &opts.create_vaults {
        store.ensure_vault(&name.to_ascii_lowercase(), now)?;
    }
    let access = match &opts.access {
        Some(path) => Some(access::load(path, &token)?),
        None => None,
    };
    // Vaults the access file names exist from the start, so they can be listed and read.
    for name in access.iter().flat_map(|a| a.vaults.keys()) {
        store.ensure_vault(name, now)?;
    }
    for name in store.vault_names()? {
        tls.certs.know(&name);
    }
    let service = Arc::new(
        api::Service::new(store, token.clone(), opts.retention_days, backup_sealer)
            .with_any_domain(own.is_some())
            .with_arm(opts.arm.clone(), &opts.purge_protected)
            .with_recover_delay(opts.faults.recover_delay)
            .with_access(access)
            .with_clock(clock)
            .with_delete_delay(opts.delete_delay),
    );

    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| LocalError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| LocalError::Bind { addr, source })?;
    if opts.in_memory {
        lock = None;
    }
    if let Some(lock) = lock.as_mut() {
        lock.set_port(addr.port())
            .map_err(|e| LocalError::io(&dir.join(dirlock::LOCK_FILE), e))?;
    }
    let stop = CancellationToken::new();
    let fault_state = Arc::new(faults::FaultState::new(opts.faults.clone()));
    let server = server::Server {
        faults: fault_state.clone(),
        certs: tls.certs,
        service: service.clone(),
        limits: opts.limits.clone(),
    };
    let handle = service.clone();
    let task = tokio::spawn({
        let stop = stop.clone();
        async move {
            tokio::spawn(purge_sweep(service, stop.clone()));
            server.serve(listener, stop).await;
            // The data dir is free once nothing serves from it.
            drop(lock);
        }
    });
    tracing::info!(%addr, "local vault listening");
    Ok(LocalVault {
        addr,
        data_dir: dir,
        ca_pem: tls.ca_pem,
        token,
        stop,
        task,
        faults: fault_state,
        service: handle,
    })
}

/// For an in-memory service: the lock while it makes the shared files, or
/// `None` once a holder that made them listens.
async fn setup_lock(dir: &Path) -> Result<Option<dirlock::DirLock>, LocalError> {
    let t0 = std::time::Instant::now();
    loop {
        match dirlock::DirLock::acquire(dir, false) {
            Ok(lock) => return Ok(Some(lock)),
            Err(LocalError::Locked {
                holder: Some(Holder { port: Some(_), .. }),
                ..
            }) => return Ok(None),
            Err(LocalError::Locked { .. }) if t0.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// `store.key`, made only when no database holds values sealed with an earlier one.
fn load_sealer(dir: &Path) -> Result<crypto::Sealer, LocalError> {
    if let Some(sealer) = crypto::Sealer::load(dir)? {
        return Ok(sealer);
    }
    if store::Store::holds_values(dir)? {
        return Err(LocalError::KeyMissing(dir.join(crypto::KEY_FILE)));
    }
    crypto::Sealer::create(dir)
}

/// Purges deleted secrets whose scheduled date passed, once a minute.
async fn purge_sweep(service: Arc<api::Service>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {
                let svc = service.clone();
                let purged = tokio::task::spawn_blocking(move || svc.with_store(|s| s.purge_expired(svc.now()))).await;
                if let Ok(Err(e)) = purged {
                    tracing::warn!(error = %e, "purging expired deleted secrets failed");
                }
            }
        }
    }
}

impl LocalVault {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// URL of the `default` vault.
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.port())
    }

    /// The Resource Manager endpoint of this service (discovery).
    pub fn arm_url(&self) -> String {
        format!("https://management.localhost:{}", self.port())
    }

    /// URL of a named vault: `https://{vault}.localhost:{port}`.
    pub fn vault_url(&self, vault: &str) -> String {
        format!("https://{vault}.localhost:{}", self.port())
    }

    pub fn ca_pem(&self) -> &[u8] {
        &self.ca_pem
    }

    pub fn ca_path(&self) -> PathBuf {
        self.data_dir.join(CA_FILE)
    }

    pub fn token_path(&self) -> PathBuf {
        self.data_dir.join(TOKEN_FILE)
    }

    pub fn token(&self) -> &SecretString {
        &self.token
    }

    /// A `SecretClient` for `vault_url` of this service.
    pub fn client(
        &self,
        vault_url: &str,
    ) -> Result<azure_security_keyvault_secrets::SecretClient, LocalError> {
        client::secret_client(
            vault_url,
            &self.ca_pem,
            SecretString::from(self.token.expose_secret().to_owned()),
        )
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.faults.get()
    }

    /// Replaces the faults while running (a test turns them off to check what
    /// was committed); the random sequence and the throttle windows restart.
    pub fn set_faults(&self, faults: Faults) {
        self.faults.set(faults);
    }

    /// How many times a request waited on a timer for a fault's delay; with
    /// no latency on, none ever does (tests hold the request path to that).
    pub fn delays_played(&self) -> u64 {
        self.faults.pauses()
    }

    /// Stops accepting, ends open connections, and waits for the tasks.
    pub async fn shutdown(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}
