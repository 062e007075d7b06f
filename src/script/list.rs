//! `kvtui secret list` and `show`. Lists print and flush each page as it
//! arrives, so `list -o names | head` answers before the last page does.

use azure_security_keyvault_secrets::models::{
    SecretClientGetSecretOptions, SecretClientListDeletedSecretPropertiesOptions,
    SecretClientListSecretPropertiesOptions,
};
use futures::StreamExt;
use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use super::args::{ListFormat, ShowFormat};
use super::conn::{Api, REQUEST_TIMEOUT};
use super::exit::ScriptError;
use super::output::{Out, SecretJson, clean, pad, short_date};
use crate::vault::convert;
use crate::vault::error::{ErrorKind, Op, VaultError, classify};
use crate::vault::{DeletedSecret, SecretName, SecretProps};

/// Display columns of the NAME column; a longer name pushes its row on.
const NAME_COLUMNS: usize = 40;
/// Display columns of the CONTENT-TYPE column; longer types are cut.
const TYPE_COLUMNS: usize = 24;

/// Key Vault's largest page.
pub const PAGE_SIZE: i32 = 25;

/// Every live secret's properties, page by page, through `page`.
pub async fn each_page(
    v: &Api<'_>,
    mut page: impl FnMut(Vec<SecretProps>) -> Result<bool, ScriptError>,
) -> Result<(), ScriptError> {
    let opts = SecretClientListSecretPropertiesOptions {
        maxresults: Some(PAGE_SIZE),
        ..Default::default()
    };
    let pager = v
        .client
        .list_secret_properties(Some(opts))
        .map_err(|e| classify(&e, Op::List, &v.host))?;
    let mut pages = std::pin::pin!(pager.into_pages());
    while let Some(rsp) = next(v, Op::List, pages.next()).await? {
        let model = rsp
            .into_model()
            .map_err(|e| classify(&e, Op::List, &v.host))?;
        let items = model
            .value
            .iter()
            .filter_map(|i| convert::from_properties(i).ok())
            .collect();
        if !page(items)? {
            break;
        }
    }
    Ok(())
}

/// Every deleted secret, page by page, through `page`.
pub async fn each_deleted_page(
    v: &Api<'_>,
    mut page: impl FnMut(Vec<DeletedSecret>) -> Result<bool, ScriptError>,
) -> Result<(), ScriptError> {
    let opts = SecretClientListDeletedSecretPropertiesOptions {
        maxresults: Some(PAGE_SIZE),
        ..Default::default()
    };
    let pager = v
        .client
        .list_deleted_secret_properties(Some(opts))
        .map_err(|e| classify(&e, Op::ListDeleted, &v.host))?;
    let mut pages = std::pin::pin!(pager.into_pages());
    while let Some(rsp) = next(v, Op::ListDeleted, pages.next()).await? {
        let model = rsp
            .into_model()
            .map_err(|e| classify(&e, Op::ListDeleted, &v.host))?;
        let items = model
            .value
            .iter()
            .filter_map(|i| convert::from_deleted_properties(i).ok())
            .collect();
        if !page(items)? {
            break;
        }
    }
    Ok(())
}

async fn next<T>(
    v: &Api<'_>,
    op: Op,
    fut: impl Future<Output = Option<azure_core::Result<T>>>,
) -> Result<Option<T>, VaultError> {
    match tokio::time::timeout(REQUEST_TIMEOUT, fut).await {
        Err(_) => Err(VaultError::timeout(op, &v.host, REQUEST_TIMEOUT)),
        Ok(None) => Ok(None),
        Ok(Some(Err(e))) => Err(classify(&e, op, &v.host)),
        Ok(Some(Ok(p))) => Ok(Some(p)),
    }
}

/// `secret list`.
pub async fn list(
    v: &Api<'_>,
    deleted: bool,
    include_managed: bool,
    format: ListFormat,
) -> Result<(), ScriptError> {
    let mut out = Out::new();
    let mut first = true;
    match format {
        ListFormat::Table if deleted => out.line(&format!(
            "{} {:<16} PURGE",
            pad("NAME", NAME_COLUMNS),
            "DELETED"
        ))?,
        ListFormat::Table => out.line(&format!(
            "{} {:<3} {} {:<16} {:<16} TAGS",
            pad("NAME", NAME_COLUMNS),
            "ON",
            pad("CONTENT-TYPE", TYPE_COLUMNS),
            "UPDATED",
            "EXPIRES"
        ))?,
        ListFormat::Json => out.write(b"[")?,
        ListFormat::Names => {}
    }
    let keep = |p: &SecretProps| include_managed || !p.managed;
    if deleted {
        each_deleted_page(v, |items| {
            for d in items.iter().filter(|d| keep(&d.props)) {
                match format {
                    ListFormat::Names => out.line(&d.props.name)?,
                    ListFormat::Table => out.line(&format!(
                        "{} {:<16} {}",
                        pad(&d.props.name, NAME_COLUMNS),
                        short_date(d.deleted_date),
                        short_date(d.scheduled_purge_date)
                    ))?,
                    ListFormat::Json => {
                        json_item(&mut out, &SecretJson::of_deleted(d), &mut first)?
                    }
                }
            }
            out.flush()?;
            Ok(!out.closed())
        })
        .await?;
    } else {
        each_page(v, |items| {
            for p in items.iter().filter(|p| keep(p)) {
                match format {
                    ListFormat::Names => out.line(&p.name)?,
                    ListFormat::Table => out.line(&table_row(p))?,
                    ListFormat::Json => json_item(&mut out, &SecretJson::of(p), &mut first)?,
                }
            }
            out.flush()?;
            Ok(!out.closed())
        })
        .await?;
    }
    if format == ListFormat::Json {
        out.write(if first { b"]\n" } else { b"\n]\n" })?;
    }
    out.flush()
}

fn table_row(p: &SecretProps) -> String {
    let ct = crate::shown::fit(
        &clean(p.content_type.as_deref().unwrap_or("")),
        TYPE_COLUMNS,
    );
    format!(
        "{} {:<3} {} {:<16} {:<16} {}",
        pad(&p.name, NAME_COLUMNS),
        if p.enabled { "yes" } else { "no" },
        ct,
        short_date(p.updated),
        short_date(p.expires),
        p.tags.len()
    )
}

fn json_item(out: &mut Out, item: &SecretJson<'_>, first: &mut bool) -> Result<(), ScriptError> {
    let text = serde_json::to_string(item).map_err(|e| ScriptError::Failed(e.to_string()))?;
    out.write(if *first { b"\n" } else { b",\n" })?;
    *first = false;
    out.write(text.as_bytes())
}

/// Reads one secret with its value.
pub async fn get(
    v: &Api<'_>,
    name: &SecretName,
    version: Option<&str>,
) -> Result<crate::vault::Secret, VaultError> {
    if let Some(ver) = version
        && !(ver.len() <= 64 && !ver.is_empty() && ver.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(VaultError::new(
            ErrorKind::InvalidInput,
            format!("{ver:?} is not a secret version id (letters and digits only)"),
        ));
    }
    let rsp = v
        .call_patiently(Op::Get, || {
            let opts = SecretClientGetSecretOptions {
                secret_version: version.map(str::to_owned),
                ..Default::default()
            };
            v.client.get_secret(name.as_str(), Some(opts))
        })
        .await?;
    let model = rsp
        .into_model()
        .map_err(|e| classify(&e, Op::Get, &v.host))?;
    convert::from_secret(model)
}

/// `secret show`.
pub async fn show(
    v: &Api<'_>,
    name: &SecretName,
    version: Option<&str>,
    format: ShowFormat,
) -> Result<(), ScriptError> {
    let secret = get(v, name, version).await?;
    let mut out = Out::new();
    match format {
        ShowFormat::Value => out.write(secret.value.expose_secret().as_bytes())?,
        ShowFormat::Json => {
            let mut j = SecretJson::of(&secret.props);
            j.value = Some(secret.value.expose_secret());
            let text = Zeroizing::new(
                serde_json::to_string_pretty(&j).map_err(|e| ScriptError::Failed(e.to_string()))?,
            );
            out.write(text.as_bytes())?;
            out.write(b"\n")?;
        }
        ShowFormat::Text => out.write(props_text(&secret.props).as_bytes())?,
    }
    out.flush()
}

/// Properties as aligned `key: value` lines; never the value.
pub fn props_text(p: &SecretProps) -> String {
    let tags = p
        .tags
        .iter()
        .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut lines = vec![
        ("name", p.name.to_string()),
        ("id", p.id.clone()),
        ("version", p.version.clone().unwrap_or_default()),
        ("enabled", p.enabled.to_string()),
        (
            "content type",
            clean(p.content_type.as_deref().unwrap_or("")),
        ),
        ("created", short_date(p.created)),
        ("updated", short_date(p.updated)),
        ("not before", short_date(p.not_before)),
        ("expires", short_date(p.expires)),
        ("tags", tags),
    ];
    if p.managed {
        lines.push(("managed", "true (certificate-backed)".into()));
    }
    lines
        .into_iter()
        .map(|(k, v)| format!("{:<13} {v}\n", format!("{k}:")))
        .collect()
}
