//! Carrying out a copy plan. Just before each write the target's current
//! version is read again: when it changed since the plan the name is skipped
//! ("changed since the plan") unless forced, as Key Vault has no
//! compare-and-swap. The source is read again too, and its value goes from
//! one `SecretString` straight into the write.

use std::time::Duration;

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::models::{
    SecretClientUpdateSecretPropertiesOptions, UpdateSecretPropertiesParameters,
};
use futures::StreamExt;

use super::compare::property_diffs;
use super::fetch::{PER_VAULT, current};
use super::hash::ValueHasher;
use super::plan::{Action, Step};
use crate::script::conn::Api;
use crate::script::exit::ScriptError;
use crate::script::list::get;
use crate::script::set::set_secret;
use crate::vault::error::{Op, classify};
use crate::vault::{ErrorKind, NewSecret, PropsUpdate, SecretName, SecretProps, VaultError};

/// How one name of the plan ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created,
    NewVersion,
    UpdatedProps,
    Recovered,
    /// Recovered, then a new version over it.
    RecoveredAndCopied,
    PurgedAndCreated,
    Unchanged,
    /// The target changed between the plan and the write.
    TargetChanged,
    /// The source changed between the plan and the write.
    SourceChanged,
    /// Not attempted: the plan said so.
    NotCopied,
    Failed(VaultError),
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::NewVersion => "new version",
            Outcome::UpdatedProps => "properties",
            Outcome::Recovered => "recovered",
            Outcome::RecoveredAndCopied => "recovered, new version",
            Outcome::PurgedAndCreated => "purged, created",
            Outcome::Unchanged => "unchanged",
            Outcome::TargetChanged | Outcome::SourceChanged => "skipped",
            Outcome::NotCopied => "not copied",
            Outcome::Failed(_) => "failed",
        }
    }

    /// Whether the name holds the source's version now (or already did).
    pub fn copied(&self) -> bool {
        !matches!(
            self,
            Outcome::TargetChanged
                | Outcome::SourceChanged
                | Outcome::NotCopied
                | Outcome::Failed(_)
        )
    }

    pub fn note(&self) -> String {
        match self {
            Outcome::TargetChanged => {
                "(the target changed since the plan; --force copies anyway)".into()
            }
            Outcome::SourceChanged => {
                "(the source changed since the plan; --force copies anyway)".into()
            }
            Outcome::Failed(e) => format!("({})", e.message),
            _ => String::new(),
        }
    }
}

/// Whether `now` is still the version `planned` described.
fn same_version(planned: Option<&SecretProps>, now: Option<&SecretProps>) -> bool {
    match (planned, now) {
        (None, None) => true,
        (Some(p), Some(n)) => {
            p.version
                .as_ref()
                .is_none_or(|v| n.version.as_ref() == Some(v))
                && p.updated == n.updated
                && p.enabled == n.enabled
                && property_diffs(p, n).is_empty()
        }
        _ => false,
    }
}

/// Carries out `steps`, [`PER_VAULT`] names at a time, calling `done` with
/// each outcome as it comes (in completion order).
pub async fn apply(
    source: &Api<'_>,
    target: &Api<'_>,
    steps: &[Step],
    force: bool,
    mut done: impl FnMut(&Step, &Outcome),
) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; steps.len()];
    let mut results = std::pin::pin!(
        // By index: a closure over `&Step` would make the future not `Send`
        // (its lifetime would be higher-ranked), and the TUI spawns it.
        futures::stream::iter(0..steps.len())
            .map(|i| async move { (i, one(source, target, &steps[i], force).await) })
            .buffer_unordered(PER_VAULT)
    );
    while let Some((i, outcome)) = results.next().await {
        done(&steps[i], &outcome);
        outcomes[i] = Some(outcome);
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::NotCopied))
        .collect()
}

async fn one(source: &Api<'_>, target: &Api<'_>, s: &Step, force: bool) -> Outcome {
    match &s.action {
        Action::Unchanged => return Outcome::Unchanged,
        a if !a.writes() => return Outcome::NotCopied,
        _ => {}
    }
    match write(source, target, s, force).await {
        Ok(o) => o,
        Err(e) => Outcome::Failed(e),
    }
}

async fn write(
    source: &Api<'_>,
    target: &Api<'_>,
    s: &Step,
    force: bool,
) -> Result<Outcome, VaultError> {
    // Both sides are read again at once: one round trip before the write, not two.
    let (now, secret) = futures::join!(current(target, &s.target_name), get(source, &s.name, None));
    if !force && !same_version(s.target.as_ref(), now?.as_ref()) {
        return Ok(Outcome::TargetChanged);
    }
    let secret = secret?;
    if !force && !same_version(s.source.as_ref(), Some(&secret.props)) {
        return Ok(Outcome::SourceChanged);
    }
    let new = NewSecret {
        name: s.target_name.clone(),
        value: secret.value,
        content_type: secret.props.content_type.clone(),
        tags: secret.props.tags.to_map(),
        enabled: secret.props.enabled,
        not_before: secret.props.not_before,
        expires: secret.props.expires,
    };
    match &s.action {
        Action::UpdateProps => {
            update_props(target, &s.target_name, &secret.props).await?;
            Ok(Outcome::UpdatedProps)
        }
        Action::Recover => {
            recover(target, &s.target_name).await?;
            let recovered = get_patiently(target, &s.target_name).await;
            let hasher = ValueHasher::new();
            let same = match &recovered {
                Ok(r) => {
                    hasher.digest(&r.value) == hasher.digest(&new.value)
                        && r.props.enabled == new.enabled
                        && property_diffs(&r.props, &secret.props).is_empty()
                }
                // A disabled recovered version cannot be compared: copy over it.
                Err(e) if e.kind == ErrorKind::Disabled => false,
                Err(e) => return Err(e.clone()),
            };
            if same {
                return Ok(Outcome::Recovered);
            }
            set_patiently(target, &new).await?;
            Ok(Outcome::RecoveredAndCopied)
        }
        Action::PurgeFirst => {
            target
                .call_patiently(Op::Purge, || {
                    target
                        .client
                        .purge_deleted_secret(s.target_name.as_str(), None)
                })
                .await?;
            set_patiently(target, &new).await?;
            Ok(Outcome::PurgedAndCreated)
        }
        Action::Create => {
            set_patiently(target, &new).await?;
            Ok(Outcome::Created)
        }
        _ => {
            set_patiently(target, &new).await?;
            Ok(Outcome::NewVersion)
        }
    }
}

async fn recover(api: &Api<'_>, name: &SecretName) -> Result<(), VaultError> {
    api.call_patiently(Op::Recover, || {
        api.client.recover_deleted_secret(name.as_str(), None)
    })
    .await
    .map(drop)
}

/// Waits between tries while a recover or purge is still running (both are
/// asynchronous in Azure: 409 for a few seconds).
const SETTLING: [u64; 5] = [1, 2, 4, 8, 16];

fn settling(e: &VaultError) -> bool {
    e.kind == ErrorKind::Conflict || e.kind == ErrorKind::DeletedButRecoverable
}

async fn get_patiently(
    api: &Api<'_>,
    name: &SecretName,
) -> Result<crate::vault::Secret, VaultError> {
    let mut waits = SETTLING.iter();
    loop {
        match get(api, name, None).await {
            Err(e) if e.kind == ErrorKind::Conflict || e.kind == ErrorKind::NotFound => {
                match waits.next() {
                    Some(s) => tokio::time::sleep(Duration::from_secs(*s)).await,
                    None => return Err(e),
                }
            }
            other => return other,
        }
    }
}

async fn set_patiently(api: &Api<'_>, new: &NewSecret) -> Result<(), VaultError> {
    let mut waits = SETTLING.iter();
    loop {
        match set_secret(api, new).await {
            Ok(_) => return Ok(()),
            Err(ScriptError::Vault(e)) if settling(&e) => match waits.next() {
                Some(s) => tokio::time::sleep(Duration::from_secs(*s)).await,
                None => return Err(e),
            },
            Err(ScriptError::Vault(e)) => return Err(e),
            Err(other) => return Err(VaultError::new(ErrorKind::Other, other.to_string())),
        }
    }
}

async fn update_props(
    api: &Api<'_>,
    name: &SecretName,
    from: &SecretProps,
) -> Result<(), VaultError> {
    let update = PropsUpdate {
        enabled: Some(from.enabled),
        content_type: from.content_type.clone(),
        tags: Some(from.tags.to_map()),
        not_before: Some(from.not_before),
        expires: Some(from.expires),
    };
    let json = crate::vault::convert::update_body(&update).to_string();
    let rsp = api
        .call_patiently(Op::Update, || {
            let body: RequestContent<UpdateSecretPropertiesParameters> =
                RequestContent::from(json.clone().into_bytes());
            let opts = SecretClientUpdateSecretPropertiesOptions::default();
            api.client
                .update_secret_properties(name.as_str(), body, Some(opts))
        })
        .await?;
    rsp.into_model()
        .map_err(|e| classify(&e, Op::Update, &api.host))
        .map(drop)
}
