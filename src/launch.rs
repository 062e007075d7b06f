//! Starting the TUI: which vaults, opened how, each with its own worker.

use crate::cli::TuiArgs;
use crate::compose::{self, ConnectOptions};
use crate::config::Config;
use crate::runtime::{self, VaultConn};
use crate::vault::connect::process_env;
use crate::vault::credential::CredentialOptions;
use std::path::Path;

use crate::app::Welcome;
use crate::vault::{VaultTarget, WorkerConfig, endpoint, spawn_worker_reconnecting};

/// In the data dir once the first-run line was dismissed.
const WELCOME_MARKER: &str = "welcome-dismissed";

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
    for target in &targets {
        let open = compose::open(target, &opts, &process_env)
            .await
            .map_err(|e| match &e.hint {
                Some(hint) => format!("{e}\n{hint}"),
                None => e.to_string(),
            })?;
        let is_local = !matches!(target, VaultTarget::Azure(_));
        let (requests, events) =
            spawn_worker_reconnecting(open.client, WorkerConfig::default(), open.reconnect);
        conns.push(VaultConn {
            label: open.url,
            is_local,
            requests,
            events,
        });
        services.extend(open.local);
    }
    tracing::info!(vaults = conns.len(), "starting the UI");
    let marker = opts.data_dir.join(WELCOME_MARKER);
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let welcome = welcome_for(
        &targets,
        opts.samples,
        &opts.data_dir,
        marker.exists(),
        home.as_deref(),
    );
    let result = runtime::run_vaults(&config, conns, welcome)
        .await
        .map_err(|e| e.to_string());
    for service in services {
        service.shutdown().await;
    }
    result
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
