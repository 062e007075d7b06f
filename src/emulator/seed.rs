//! `serve --seed-from VAULT[=LOCALNAME]`: reads a vault through the same SDK
//! call layer as the TUI and the CLI (timeouts, 429s waited out) and writes
//! its shape into a local vault of the running service.

use std::io::Write as _;
use std::path::PathBuf;

use azure_security_keyvault_secrets::models::{
    SecretClientGetDeletedSecretOptions, SecretClientGetSecretOptions,
    SecretClientListSecretPropertiesVersionsOptions,
};
use futures::StreamExt as _;
use zeroize::Zeroizing;

use crate::compose::{self, ConnectOptions};
use crate::local::seed::{SeedReport, SeedSecret, SeedVersion};
use crate::local::{LocalVault, is_local_vault_name};
use crate::script::conn::{Api, REQUEST_TIMEOUT};
use crate::vault::VaultTarget;
use crate::vault::connect::process_env;
use crate::vault::credential::CredentialOptions;
use crate::vault::endpoint::parse_vault;
use crate::vault::error::Op;
use crate::vault::types::SecretProps;
use crate::vault::{AuthMethod, Cloud};

/// How to reach the vaults seeded from.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub with_values: bool,
    pub auth: AuthMethod,
    pub tenant: Option<String>,
    pub cloud: Cloud,
    /// The data dir whose CA and token reach a loopback source.
    pub source_data_dir: Option<PathBuf>,
}

/// `VAULT[=LOCALNAME]` → the source and the local vault it goes into.
pub fn parse_spec(spec: &str, cloud: Cloud) -> Result<(VaultTarget, String), String> {
    let (source, local) = match spec.rsplit_once('=') {
        Some((s, l)) if is_local_vault_name(l) => (s, Some(l.to_ascii_lowercase())),
        _ => (spec, None),
    };
    let target = parse_vault(source, cloud).map_err(|e| format!("--seed-from {spec}: {e}"))?;
    let local = match (local, &target) {
        (Some(l), _) => l,
        (None, VaultTarget::Azure(url) | VaultTarget::Local(url)) => {
            let host = url.host_str().unwrap_or_default();
            match host.split_once('.') {
                Some((label, _)) if is_local_vault_name(label) => label.to_ascii_lowercase(),
                _ => crate::local::DEFAULT_VAULT.to_owned(),
            }
        }
        (None, VaultTarget::Embedded) => return Err(format!("--seed-from {spec}: name a vault")),
    };
    Ok((target, local))
}

fn placeholder(name: &str) -> Zeroizing<String> {
    Zeroizing::new(format!("<placeholder for {name}>"))
}

fn secs(d: Option<time::OffsetDateTime>) -> Option<i64> {
    d.map(time::OffsetDateTime::unix_timestamp)
}

fn version_of(p: &SecretProps, value: Zeroizing<String>) -> SeedVersion {
    let created = secs(p.created).unwrap_or(0);
    SeedVersion {
        version: p.version.clone().unwrap_or_default(),
        value,
        content_type: p.content_type.clone(),
        enabled: p.enabled,
        nbf: secs(p.not_before),
        exp: secs(p.expires),
        created,
        updated: secs(p.updated).unwrap_or(created),
        tags: (!p.tags.is_empty()).then(|| p.tags.to_map()),
        managed: p.managed,
    }
}

fn progress(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Every version of `name`, oldest first, values read when asked.
async fn versions(
    api: &Api<'_>,
    name: &str,
    current: Option<&str>,
    with_values: bool,
) -> Result<Vec<SeedVersion>, String> {
    let opts = SecretClientListSecretPropertiesVersionsOptions {
        maxresults: Some(25),
        ..Default::default()
    };
    let pager = api
        .client
        .list_secret_properties_versions(name, Some(opts))
        .map_err(|e| e.to_string())?;
    let mut pages = std::pin::pin!(pager.into_pages());
    let mut props = Vec::new();
    loop {
        let next = tokio::time::timeout(REQUEST_TIMEOUT, pages.next())
            .await
            .map_err(|_| format!("listing the versions of {name} timed out"))?;
        let Some(page) = next else { break };
        let model = page
            .and_then(|p| p.into_model())
            .map_err(|e| format!("listing the versions of {name}: {e}"))?;
        props.extend(
            model
                .value
                .iter()
                .filter_map(|i| crate::vault::convert::from_properties(i).ok()),
        );
    }
    // Versions made in one second list in no order: the current one goes last,
    // so it stays current here.
    props.sort_by_key(|p| {
        (
            p.version.as_deref() == current,
            p.created,
            p.version.clone(),
        )
    });
    let mut out = Vec::with_capacity(props.len());
    for p in props {
        let value = match (with_values && p.enabled, &p.version) {
            (true, Some(version)) => {
                let opts = SecretClientGetSecretOptions {
                    secret_version: Some(version.clone()),
                    ..Default::default()
                };
                let got = api
                    .call_patiently(Op::Get, || api.client.get_secret(name, Some(opts.clone())))
                    .await
                    .map_err(|e| e.to_string())?
                    .into_model()
                    .map_err(|e| e.to_string())?;
                Zeroizing::new(got.value.clone().unwrap_or_default())
            }
            // A disabled version's value cannot be read: a placeholder stands in.
            _ => placeholder(name),
        };
        out.push(version_of(&p, value));
    }
    Ok(out)
}

/// Copies one source into `local` of the running `vault`.
pub async fn seed_one(
    vault: &LocalVault,
    spec: &str,
    opts: &SeedOptions,
    fallback_dir: &std::path::Path,
) -> Result<SeedReport, String> {
    let (target, local) = parse_spec(spec, opts.cloud)?;
    let connect = ConnectOptions {
        credential: CredentialOptions {
            method: opts.auth,
            tenant: opts.tenant.clone(),
            cloud: opts.cloud,
        },
        data_dir: opts
            .source_data_dir
            .clone()
            .unwrap_or_else(|| fallback_dir.to_path_buf()),
        samples: false,
        in_memory: false,
    };
    let open = compose::open_for(&target, &connect, &process_env, false)
        .await
        .map_err(|e| format!("--seed-from {spec}: {e}"))?;
    let api = Api::new(&open.client);
    progress(&format!("seeding local vault {local} from {target}"));
    let mut live = Vec::new();
    crate::script::list::each_page(&api, |page| {
        live.extend(page);
        Ok(true)
    })
    .await
    .map_err(|e| format!("--seed-from {spec}: {e}"))?;
    let mut deleted = Vec::new();
    crate::script::list::each_deleted_page(&api, |page| {
        deleted.extend(page);
        Ok(true)
    })
    .await
    .map_err(|e| format!("--seed-from {spec}: listing deleted secrets: {e}"))?;
    let total = live.len() + deleted.len();
    let mut secrets = Vec::with_capacity(total);
    for (i, p) in live.iter().enumerate() {
        let name = p.name.as_str();
        // Lists name no version; the latest one's id comes from a get (its
        // value is dropped at once). A disabled latest one cannot be read.
        let current = match p.version.clone() {
            Some(v) => Some(v),
            None => api
                .call_patiently(Op::Get, || api.client.get_secret(name, None))
                .await
                .ok()
                .and_then(|r| r.into_model().ok())
                .and_then(|s| {
                    let id = s.id.clone();
                    drop(Zeroizing::new(s.value.unwrap_or_default()));
                    id.and_then(|id| crate::vault::convert::split_id(&id))
                        .and_then(|(_, v)| v)
                }),
        };
        let versions = versions(&api, name, current.as_deref(), opts.with_values)
            .await
            .map_err(|e| format!("--seed-from {spec}: {e}"))?;
        secrets.push(SeedSecret {
            name: name.to_owned(),
            deleted: None,
            versions,
        });
        if (i + 1) % 25 == 0 {
            progress(&format!("  {}/{total} secrets", i + 1));
        }
    }
    for d in &deleted {
        let name = d.props.name.as_str();
        let value = if opts.with_values && d.props.enabled {
            let got = api
                .call_patiently(Op::Get, || {
                    api.client
                        .get_deleted_secret(name, None::<SecretClientGetDeletedSecretOptions>)
                })
                .await
                .map_err(|e| format!("--seed-from {spec}: {e}"))?
                .into_model()
                .map_err(|e| format!("--seed-from {spec}: {e}"))?;
            Zeroizing::new(got.value.clone().unwrap_or_default())
        } else {
            placeholder(name)
        };
        let deleted_at = secs(d.deleted_date).unwrap_or(0);
        let days = d.props.recoverable_days.unwrap_or(90).clamp(7, 90) as u32;
        secrets.push(SeedSecret {
            name: name.to_owned(),
            deleted: Some((
                deleted_at,
                secs(d.scheduled_purge_date).unwrap_or(deleted_at + i64::from(days) * 86_400),
                days,
            )),
            versions: vec![version_of(&d.props, value)],
        });
    }
    let report = vault
        .seed(&local, secrets)
        .await
        .map_err(|e| format!("--seed-from {spec}: {e}"))?;
    progress(&format!(
        "seeded {local}: {} added, {} updated, {} removed{}",
        report.added,
        report.updated,
        report.removed.len(),
        if report.local_only.is_empty() {
            String::new()
        } else {
            format!("; kept local-only: {}", report.local_only.join(", "))
        }
    ));
    Ok(report)
}
