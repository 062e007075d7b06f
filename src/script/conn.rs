//! Opening the one vault a script uses, exactly as the TUI resolves it. The
//! calls go through the vault's call layer (`vault::call`): the same
//! timeout, classification, 429 and recovery waits, and retry count as the TUI.

use azure_security_keyvault_secrets::SecretClient;

use super::args::VaultArgs;
use super::exit::ScriptError;
use crate::compose::{self, ConnectOptions};
use crate::config::Config;
use crate::flags::DataArgs;
use crate::local::LocalVault;
use crate::vault::call::host_of;
pub use crate::vault::call::{Api, REQUEST_TIMEOUT};
use crate::vault::connect::process_env;
use crate::vault::credential::CredentialOptions;
use crate::vault::{VaultTarget, endpoint};

/// An open vault: its client, its host for messages, and the in-process
/// service when it is the embedded local vault.
pub struct Vault {
    pub client: SecretClient,
    pub host: String,
    local: Option<LocalVault>,
}

impl Vault {
    /// Resolves and opens the vault the flags, environment or config name;
    /// the embedded local vault (no samples added) when none is named.
    pub async fn open(args: &VaultArgs) -> Result<Vault, ScriptError> {
        crate::local::client::choose_token_source(args.token_file.as_deref());
        let targets = Self::targets(args)?;
        let target = match targets.as_slice() {
            [one] => one,
            _ => {
                return Err(ScriptError::Usage(format!(
                    "a script works on one vault; {} are named ({})",
                    targets.len(),
                    targets
                        .iter()
                        .map(VaultTarget::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        Self::open_target(target, args).await
    }

    /// The vaults the flags, environment or config name.
    pub fn targets(args: &VaultArgs) -> Result<Vec<VaultTarget>, ScriptError> {
        let config =
            Config::load(args.config.as_deref()).map_err(|e| ScriptError::Failed(e.to_string()))?;
        let cloud = args.cloud.unwrap_or_default();
        endpoint::resolve(&args.vaults, cloud, &process_env, &config.vaults)
            .map_err(|e| ScriptError::Usage(e.to_string()))
    }

    /// Opens one resolved vault with the credential and data dir of `args`.
    pub async fn open_target(target: &VaultTarget, args: &VaultArgs) -> Result<Vault, ScriptError> {
        // A running local vault is trusted through its data dir: one that is
        // not there is a mistyped flag, not a refused sign-in.
        if let (VaultTarget::Local(url), Some(dir)) = (target, &args.data_dir)
            && !dir.is_dir()
        {
            return Err(ScriptError::Usage(format!(
                "--data-dir {} does not exist; pass the data dir the local vault at {url} was started with (`kvtui serve --data-dir DIR`)",
                dir.display()
            )));
        }
        let opts = ConnectOptions {
            credential: CredentialOptions {
                method: args.auth.unwrap_or_default(),
                tenant: args.tenant.clone(),
                cloud: args.cloud.unwrap_or_default(),
            },
            data_dir: DataArgs {
                data_dir: args.data_dir.clone(),
            }
            .resolve(),
            samples: false,
            in_memory: false,
        };
        let open = compose::open_for(target, &opts, &process_env, false).await?;
        Ok(Vault::from_client(open.client, open.local))
    }

    /// A vault around a client someone else opened (the TUI, tests).
    pub fn from_client(client: SecretClient, local: Option<LocalVault>) -> Vault {
        Vault {
            host: host_of(&client),
            client,
            local,
        }
    }

    pub fn api(&self) -> Api<'_> {
        Api {
            client: &self.client,
            host: self.host.clone(),
        }
    }

    /// Stops the embedded service, if any, after the last call.
    pub async fn close(self) {
        if let Some(local) = self.local {
            local.shutdown().await;
        }
    }
}
