//! Starting the TUI: which vaults, opened how, each with its own worker.

use crate::cli::TuiArgs;
use crate::compose::{self, ConnectOptions};
use crate::config::Config;
use crate::list_cache::ListCache;
use crate::runtime::{self, VaultConn};
use crate::vault::connect::process_env;
use crate::vault::credential::CredentialOptions;
use crate::vault::{VaultTarget, WorkerConfig, endpoint, spawn_worker};

/// Opens every vault named (or the embedded local vault) and runs the UI until quit.
pub async fn run(args: &TuiArgs) -> Result<(), String> {
    let _log_guard = runtime::init_logging(args.log_file.as_deref()).map_err(|e| e.to_string())?;
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
    let cache = cache_setup(&config, args, &targets);
    for target in &targets {
        let open = compose::open(target, &opts, &process_env)
            .await
            .map_err(|e| match &e.hint {
                Some(hint) => format!("{e}\n{hint}"),
                None => e.to_string(),
            })?;
        let is_local = !matches!(target, VaultTarget::Azure(_));
        let (requests, events) = spawn_worker(open.client, WorkerConfig::default());
        conns.push(VaultConn {
            label: open.url,
            is_local,
            requests,
            events,
        });
        services.extend(open.local);
    }
    tracing::info!(vaults = conns.len(), "starting the UI");
    let result = runtime::run_vaults(&config, conns, cache)
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
