//! Starting the TUI: which vaults, opened how, each with its own worker; and
//! how the picker opens more vaults and searches for them while running.

use std::path::PathBuf;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc;

use crate::app::picker::vault_cache::VaultCache;
use crate::compose::{self, ConnectOptions};
use crate::config::Config;
use crate::flags::TuiArgs;
use crate::list_cache::ListCache;
use crate::runtime::{self, VaultConn, VaultOpener};
use crate::vault::Cloud;
use crate::vault::connect::process_env;
use crate::vault::credential::CredentialOptions;
use std::path::Path;

use crate::app::Welcome;
use crate::vault::discovery::{Discovery, DiscoveryEvent};
use crate::vault::{VaultTarget, WorkerConfig, endpoint, spawn_worker_reconnecting};

/// In the data dir once the first-run line was dismissed.
const WELCOME_MARKER: &str = "welcome-dismissed";

/// Opens every vault named (or the embedded local vault) and runs the UI until quit.
pub async fn run(args: &TuiArgs) -> Result<(), String> {
    let _log_guard = runtime::init_logging(args.log_file.as_deref()).map_err(|e| e.to_string())?;
    crate::local::client::choose_token_source(args.token_file.as_deref());
    let config = Config::load(args.config.as_deref()).map_err(|e| e.to_string())?;
    let targets = endpoint::resolve(&args.vaults, args.cloud, &process_env, &config.vaults)
        .map_err(|e| e.to_string())?;
    let opts = ConnectOptions {
        credential: CredentialOptions {
            method: args.auth,
            tenant: args.tenant.clone(),
            cloud: args.cloud,
        },
        data_dir: args.data.resolve(),
        samples: !args.no_samples,
        in_memory: false,
    };
    let mut services = Vec::new();
    let mut conns = Vec::new();
    let mut local_port = None;
    let cache = cache_setup(&config, args, &targets);
    for target in &targets {
        let open = open_conn(target, &opts).await?;
        if let VaultTarget::Local(url) = target {
            local_port = local_port.or(url.port_or_known_default());
        }
        if let Some(service) = &open.1 {
            local_port = Some(service.port());
        }
        conns.push(open.0);
        services.extend(open.1);
    }
    let plan = compose::search_plan(args.arm_endpoint.as_deref(), local_port, args.cloud);
    let discovery = compose::discovery_at(&plan.first, &opts, &process_env);
    let azure_discovery = plan
        .azure
        .as_deref()
        .map(|url| compose::discovery_at(url, &opts, &process_env));
    let known = config
        .vaults
        .iter()
        .filter_map(|v| endpoint::parse_vault(v, args.cloud).ok())
        .map(|t| t.to_string())
        .collect();
    let cache_file = args
        .log_file
        .as_deref()
        .and_then(|log| log.parent().map(|d| d.join(CACHE_FILE)))
        .or_else(|| crate::dirs::state_dir().map(|d| d.join(CACHE_FILE)));
    // The first-run line, decided before the options move into the opener.
    let marker = opts.data_dir.join(WELCOME_MARKER);
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let welcome = welcome_for(
        &targets,
        opts.samples,
        &opts.data_dir,
        marker.exists(),
        home.as_deref(),
    );
    let opener = Arc::new(Opener {
        across: Arc::new(crate::across::jobs::Clients::new(opts.clone(), args.cloud)),
        opts,
        cloud: args.cloud,
        discovery,
        azure_discovery,
        cache_file,
        plan,
    });
    tracing::info!(vaults = conns.len(), "starting the UI");
    let result = runtime::run_vaults(&config, conns, opener, known, args.discover, welcome, cache)
        .await
        .map_err(|e| e.to_string());
    for service in services {
        service.shutdown().await;
    }
    result
}

/// The list cache and which vaults (by route) it keeps; `None` when
/// `--no-cache`, `cache = false` or no cache dir turns it off. The embedded
/// vault is in-process on a new port each run: nothing to cache.
pub fn cache_setup(
    config: &Config,
    args: &TuiArgs,
    targets: &[VaultTarget],
) -> Option<(ListCache, Vec<bool>)> {
    if !config.cache || args.no_cache {
        return None;
    }
    let cacheable = targets
        .iter()
        .map(|t| !matches!(t, VaultTarget::Embedded))
        .collect();
    Some((ListCache::new(args.cache_dir()?), cacheable))
}

/// `kvtui cache clear|path`: forgets the cached lists of the vaults named
/// (or of all), or prints where they are.
pub fn cache_command(args: &crate::cli::CacheArgs, top: &TuiArgs) -> Result<(), String> {
    use crate::cli::CacheAction;
    let dir = args
        .cache_dir
        .clone()
        .or_else(|| top.cache_dir())
        .ok_or("no cache dir: there is no home directory; pass --cache-dir")?;
    let store = ListCache::new(dir);
    let named = match &args.action {
        CacheAction::Path => {
            println!("{}", store.dir().display());
            return Ok(());
        }
        CacheAction::Clear { vaults } if vaults.is_empty() => &top.vaults,
        CacheAction::Clear { vaults } => vaults,
    };
    if named.is_empty() {
        let n = store.clear_all().map_err(|e| e.to_string())?;
        println!("cleared the cached lists of {n} vault(s)");
        return Ok(());
    }
    let targets =
        endpoint::resolve(named, top.cloud, &process_env, &[]).map_err(|e| e.to_string())?;
    for target in targets {
        let url = match &target {
            VaultTarget::Azure(url) | VaultTarget::Local(url) => url.to_string(),
            VaultTarget::Embedded => continue,
        };
        let url = url.trim_end_matches('/');
        let gone = store.clear(url).map_err(|e| e.to_string())?;
        let what = if gone {
            "cleared"
        } else {
            "nothing cached for"
        };
        println!("{what} {url}");
    }
    Ok(())
}

/// Opens `target` and starts its worker; the embedded service comes back too.
async fn open_conn(
    target: &VaultTarget,
    opts: &ConnectOptions,
) -> Result<(VaultConn, Option<crate::local::LocalVault>), String> {
    let open = compose::open(target, opts, &process_env)
        .await
        .map_err(|e| match &e.hint {
            Some(hint) => format!("{e}\n{hint}"),
            None => e.to_string(),
        })?;
    let is_local = !matches!(target, VaultTarget::Azure(_));
    let (requests, events) =
        spawn_worker_reconnecting(open.client, WorkerConfig::default(), open.reconnect);
    let conn = VaultConn {
        label: open.url,
        is_local,
        requests,
        events,
    };
    Ok((conn, open.local))
}

/// The picker's memory, in the state dir (beside the log file).
const CACHE_FILE: &str = "vaults.json";

/// What the picker uses to open a vault by URL and to search for vaults.
struct Opener {
    opts: ConnectOptions,
    /// Clients of the vaults compared (`c`), opened once each.
    across: Arc<crate::across::jobs::Clients>,
    cloud: Cloud,
    /// The first group's search (built once: its credential keeps its token).
    discovery: Result<Discovery, String>,
    /// Azure's beside it, when searched.
    azure_discovery: Option<Result<Discovery, String>>,
    cache_file: Option<PathBuf>,
    /// The endpoints searched.
    plan: compose::SearchPlan,
}

impl Opener {
    /// The discovery of a group (`azure`: Azure's beside the local one) for
    /// `tenant` (its own credential), or the default one.
    fn discovery_in(&self, tenant: Option<String>, azure: bool) -> Result<Discovery, String> {
        let (url, default) = match (&self.plan.azure, azure) {
            (Some(url), true) => (url, self.azure_discovery.as_ref()),
            (None, true) => return Err("no Azure search beside this one".to_owned()),
            (_, false) => (&self.plan.first, Some(&self.discovery)),
        };
        if tenant.is_none()
            && let Some(default) = default
        {
            return default.clone();
        }
        let mut opts = self.opts.clone();
        if tenant.is_some() {
            opts.credential.tenant = tenant;
        }
        compose::discovery_at(url, &opts, &process_env)
    }
}

impl VaultOpener for Opener {
    fn open(&self, url: String) -> BoxFuture<'static, Result<VaultConn, String>> {
        let opts = self.opts.clone();
        let cloud = self.cloud;
        async move {
            let target = endpoint::parse_vault(&url, cloud).map_err(|e| e.to_string())?;
            if target == VaultTarget::Embedded {
                return Err("the embedded vault is already open".to_owned());
            }
            // A vault opened by URL never starts a service, so nothing else comes back.
            open_conn(&target, &opts).await.map(|(conn, _)| conn)
        }
        .boxed()
    }

    fn load_cache(&self) -> VaultCache {
        let Some(path) = &self.cache_file else {
            return VaultCache::default();
        };
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "ignoring the vault cache");
                VaultCache::default()
            }),
            Err(_) => VaultCache::default(),
        }
    }

    fn save_cache(&self, cache: VaultCache) {
        let Some(path) = self.cache_file.clone() else {
            return;
        };
        tokio::task::spawn_blocking(move || {
            let written = serde_json::to_vec_pretty(&cache)
                .map_err(std::io::Error::other)
                .and_then(|bytes| {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    crate::fsx::write_private(&path, &bytes)
                });
            if let Err(e) = written {
                tracing::warn!(path = %path.display(), error = %e, "cannot save the vault cache");
            }
        });
    }

    fn across(
        &self,
        job: crate::app::across::AcrossJob,
        tx: mpsc::UnboundedSender<crate::app::across::AcrossEvent>,
    ) -> BoxFuture<'static, ()> {
        self.across.clone().run_job(job, tx).boxed()
    }

    fn doctor(&self, url: String) -> BoxFuture<'static, Result<Vec<String>, String>> {
        let opts = self.opts.clone();
        let cloud = self.cloud;
        async move {
            crate::doctor::examine_url(&url, cloud, &opts)
                .await
                .map(|r| crate::vault::access::render_text(&r))
        }
        .boxed()
    }

    fn discovery_source(&self) -> Option<(String, bool)> {
        let discovery = self.discovery.as_ref().ok()?;
        let local = url::Url::parse(discovery.endpoint()).is_ok_and(|u| endpoint::is_loopback(&u));
        Some((discovery.endpoint().to_owned(), local))
    }

    fn azure_source(&self) -> Option<String> {
        self.plan.azure.clone()
    }

    fn discover(
        &self,
        tenant: Option<String>,
        azure: bool,
        tx: mpsc::UnboundedSender<DiscoveryEvent>,
    ) -> BoxFuture<'static, ()> {
        match self.discovery_in(tenant, azure) {
            Ok(discovery) => async move { discovery.run(tx).await }.boxed(),
            Err(reason) => {
                let _ = tx.send(DiscoveryEvent::Failed(reason));
                let _ = tx.send(DiscoveryEvent::Done);
                async {}.boxed()
            }
        }
    }
}

/// The first-run line: only when the embedded sample vault is all that is
/// open (never with `--vault`) and it was not dismissed before.
fn welcome_for(
    targets: &[VaultTarget],
    samples: bool,
    data_dir: &Path,
    dismissed: bool,
    home: Option<&Path>,
) -> Option<Welcome> {
    let embedded_only = matches!(targets, [VaultTarget::Embedded]);
    if !embedded_only || !samples || dismissed {
        return None;
    }
    let shown = match home.and_then(|h| data_dir.strip_prefix(h).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
        Some(rest) => format!("~/{}", rest.display()),
        None => data_dir.display().to_string(),
    };
    Some(Welcome {
        data_dir: shown,
        marker: data_dir.join(WELCOME_MARKER),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_run_line_is_for_the_sample_vault_only_until_dismissed() {
        let dir = Path::new("/home/ann/.local/share/kvtui");
        let home = Some(Path::new("/home/ann"));
        let shown = welcome_for(&[VaultTarget::Embedded], true, dir, false, home);
        assert_eq!(
            shown,
            Some(Welcome {
                data_dir: "~/.local/share/kvtui".to_owned(),
                marker: dir.join(WELCOME_MARKER),
            })
        );
        assert_eq!(
            welcome_for(&[VaultTarget::Embedded], true, dir, true, home),
            None
        );
        assert_eq!(
            welcome_for(&[VaultTarget::Embedded], false, dir, false, home),
            None
        );
        let azure = VaultTarget::Azure(
            url::Url::parse("https://kv.vault.azure.net").unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(welcome_for(&[azure], true, dir, false, home), None);
        let other = welcome_for(
            &[VaultTarget::Embedded],
            true,
            Path::new("/srv/kv"),
            false,
            home,
        );
        assert_eq!(other.map(|w| w.data_dir).as_deref(), Some("/srv/kv"));
    }
}
