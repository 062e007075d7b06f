//! `kvtui doctor`: why can't I read this? Who the token names, how the vault
//! decides, a matrix of what the caller may do, and the exact fixes.
//! Exit 0 when the caller can list and get, 4 otherwise.

use std::process::ExitCode;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use clap::{Args, ValueEnum};
use secrecy::{ExposeSecret, SecretString};

use crate::compose::{self, ConnectOptions};
use crate::config::Config;
use crate::flags::{DataArgs, TuiArgs};
use crate::local::client::{choose_token_source, token_source};
use crate::script::args::VaultArgs;
use crate::script::exit::{self, ScriptError, finish};
use crate::vault::access::{self, Report};
use crate::vault::connect::process_env;
use crate::vault::credential::{self, CredentialOptions};
use crate::vault::discovery::{self, Discovery};
use crate::vault::{VaultTarget, endpoint};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DoctorFormat {
    #[default]
    Text,
    Json,
}

/// `kvtui doctor`
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// Text for people, JSON for scripts.
    #[arg(short = 'o', long, value_enum, default_value_t = DoctorFormat::Text)]
    pub output: DoctorFormat,
}

/// Runs the doctor and prints its report.
pub async fn run(args: &DoctorArgs, top: &TuiArgs) -> ExitCode {
    let vault = args.vault.merged(top);
    match examine(&vault).await {
        Ok(report) => {
            let text = match args.output {
                DoctorFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default(),
                DoctorFormat::Text => access::render_text(&report).join("\n"),
            };
            println!("{text}");
            ExitCode::from(if report.can_read() {
                exit::OK
            } else {
                exit::DENIED
            })
        }
        Err(e) => finish(Err(e)),
    }
}

/// Opens the vault as scripts do and examines it.
pub async fn examine(args: &VaultArgs) -> Result<Report, ScriptError> {
    choose_token_source(args.token_file.as_deref());
    let config =
        Config::load(args.config.as_deref()).map_err(|e| ScriptError::Failed(e.to_string()))?;
    let cloud = args.cloud.unwrap_or_default();
    let targets = endpoint::resolve(&args.vaults, cloud, &process_env, &config.vaults)
        .map_err(|e| ScriptError::Usage(e.to_string()))?;
    let [target] = targets.as_slice() else {
        return Err(ScriptError::Usage(format!(
            "the doctor examines one vault; {} are named",
            targets.len()
        )));
    };
    let opts = ConnectOptions {
        credential: CredentialOptions {
            method: args.auth.unwrap_or_default(),
            tenant: args.tenant.clone(),
            cloud,
        },
        data_dir: DataArgs {
            data_dir: args.data_dir.clone(),
        }
        .resolve(),
        samples: false,
        in_memory: false,
    };
    examine_target(target, &opts).await
}

/// Examines `url` (as the TUI's panel does), with the options it was opened with.
pub async fn examine_url(
    url: &str,
    cloud: crate::vault::Cloud,
    opts: &ConnectOptions,
) -> Result<Report, String> {
    let target = endpoint::parse_vault(url, cloud).map_err(|e| e.to_string())?;
    // The embedded vault is a loopback vault of the data dir to a second client.
    let target = match target {
        VaultTarget::Embedded => {
            VaultTarget::Local(url::Url::parse(url).map_err(|e| format!("{url}: {e}"))?)
        }
        t => t,
    };
    examine_target(&target, opts)
        .await
        .map_err(|e| e.to_string())
}

/// Opens `target` and examines it.
pub async fn examine_target(
    target: &VaultTarget,
    opts: &ConnectOptions,
) -> Result<Report, ScriptError> {
    let opts = opts.clone();
    let open = compose::open(target, &opts, &process_env).await?;
    let url = open.url.clone();
    let parsed = url::Url::parse(&url).map_err(|e| ScriptError::Failed(format!("{url}: {e}")))?;
    let name = vault_name(&parsed);
    let (who, arm) = match target {
        VaultTarget::Azure(_) => azure_identity(&opts, &parsed).await,
        VaultTarget::Local(_) | VaultTarget::Embedded => {
            let token = match &open.local {
                Some(service) => Ok(SecretString::from(
                    service.token().expose_secret().to_owned(),
                )),
                None => token_source().read(&opts.data_dir),
            };
            let credential = match &open.local {
                Some(_) => "the embedded local vault's token".to_owned(),
                None => token_source().describe(&opts.data_dir),
            };
            let token = token.map_err(|e| ScriptError::Failed(e.to_string()))?;
            let who = access::whoami(token.expose_secret(), &credential);
            let arm_url = format!(
                "https://management.localhost:{}",
                parsed.port_or_known_default().unwrap_or(443)
            );
            let ca = match &open.local {
                Some(service) => Ok(service.ca_pem().to_vec()),
                None => crate::local::client::read_credentials(&opts.data_dir).map(|(ca, _)| ca),
            };
            let arm = ca
                .map_err(|e| e.to_string())
                .and_then(|ca| compose::local_discovery(&arm_url, &ca, token));
            (who, arm.ok())
        }
    };
    let facts = access::gather(&open.client, &name, &url, who, arm.as_ref()).await;
    if let Some(local) = open.local {
        local.shutdown().await;
    }
    Ok(access::diagnose(&facts))
}

/// The vault's name: the first label of its host, `default` for a bare loopback host.
fn vault_name(url: &url::Url) -> String {
    match url.host_str() {
        Some(h) if h.contains('.') && h.parse::<std::net::IpAddr>().is_err() => {
            h.split('.').next().unwrap_or(h).to_owned()
        }
        _ => crate::local::DEFAULT_VAULT.to_owned(),
    }
}

/// The Azure token's claims and Resource Manager with the same credential chain.
async fn azure_identity(
    opts: &ConnectOptions,
    url: &url::Url,
) -> (access::report::WhoAmI, Option<Discovery>) {
    let credential = Arc::new(credential::build(&opts.credential, &process_env));
    let domain = url
        .host_str()
        .and_then(|h| h.split_once('.').map(|(_, d)| d.to_owned()))
        .unwrap_or_else(|| "vault.azure.net".to_owned());
    let scope = format!("https://{domain}/.default");
    let how =
        format!("Azure credential (--auth {:?})", opts.credential.method).to_ascii_lowercase();
    let who = match credential.get_token(&[scope.as_str()], None).await {
        Ok(t) => access::whoami(t.token.secret(), &how),
        Err(e) => access::report::WhoAmI {
            credential: format!("{how}: no token ({e})"),
            ..Default::default()
        },
    };
    let options = azure_core::http::ClientOptions {
        retry: crate::vault::connect::azure_retry(),
        ..Default::default()
    };
    let arm = Discovery::new(
        discovery::arm_endpoint(opts.credential.cloud),
        credential,
        options,
        opts.credential.tenant.clone(),
    )
    .ok();
    (who, arm)
}
