//! SDK models to domain types, and domain requests to SDK bodies.
//!
//! Name and version come from the id (`.../secrets/{name}/{version}`); deleted
//! items may carry only a `recoveryId` (`.../deletedsecrets/{name}`), so both
//! collections are understood. A missing field never panics: it becomes a
//! default, and a missing id a [`VaultError`].

use std::collections::{BTreeMap, HashMap};

use azure_security_keyvault_secrets::models;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use super::error::{ErrorKind, VaultError};
use super::types::{DeletedSecret, NewSecret, PropsUpdate, Secret, SecretName, SecretProps};

/// `(name, version)` from a secret or deleted-secret id.
pub(crate) fn split_id(id: &str) -> Option<(String, Option<String>)> {
    let url = url::Url::parse(id).ok()?;
    let mut segs = url.path_segments()?.filter(|s| !s.is_empty());
    match segs.next()? {
        "secrets" | "deletedsecrets" => {}
        _ => return None,
    }
    let name = segs.next()?.to_owned();
    let version = segs.next().map(str::to_owned);
    Some((name, version))
}

fn bad_id(id: Option<&str>) -> VaultError {
    VaultError::new(
        ErrorKind::Other,
        format!(
            "the vault returned an item with an unusable id ({})",
            id.unwrap_or("none")
        ),
    )
}

/// Everything the SDK's four models share.
struct Parts<'a> {
    id: Option<&'a String>,
    fallback_id: Option<&'a String>,
    attributes: Option<&'a models::SecretAttributes>,
    content_type: Option<&'a String>,
    tags: Option<&'a HashMap<String, String>>,
    managed: Option<bool>,
}

fn props(p: Parts<'_>) -> Result<SecretProps, VaultError> {
    let id = p.id.or(p.fallback_id);
    let (name, version) = id
        .and_then(|i| split_id(i))
        .ok_or_else(|| bad_id(id.map(String::as_str)))?;
    // The one place a listed name is parsed; a name the service should never
    // send is a bad answer, not a row that fails later.
    let name = SecretName::parse(&name).map_err(|_| bad_id(id.map(String::as_str)))?;
    let a = p.attributes.cloned().unwrap_or_default();
    Ok(SecretProps {
        name,
        id: id.cloned().unwrap_or_default(),
        version,
        // Key Vault treats a missing `enabled` as enabled.
        enabled: a.enabled.unwrap_or(true),
        content_type: p.content_type.cloned(),
        created: a.created,
        updated: a.updated,
        not_before: a.not_before,
        expires: a.expires,
        tags: p
            .tags
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        recovery_level: a
            .recovery_level
            .as_ref()
            .map(|l| super::types::recovery_level(l.as_ref())),
        recoverable_days: a.recoverable_days,
        managed: p.managed.unwrap_or(false),
    })
}

pub fn from_properties(s: &models::SecretProperties) -> Result<SecretProps, VaultError> {
    props(Parts {
        id: s.id.as_ref(),
        fallback_id: None,
        attributes: s.attributes.as_ref(),
        content_type: s.content_type.as_ref(),
        tags: s.tags.as_ref(),
        managed: s.managed,
    })
}

/// Props of a full secret, leaving the value behind (set, update, recover, restore).
pub(crate) fn props_of_secret(s: &models::Secret) -> Result<SecretProps, VaultError> {
    props(Parts {
        id: s.id.as_ref(),
        fallback_id: None,
        attributes: s.attributes.as_ref(),
        content_type: s.content_type.as_ref(),
        tags: s.tags.as_ref(),
        managed: s.managed,
    })
}

/// A secret with its value; the SDK's `String` is moved into a `SecretString`.
pub(crate) fn from_secret(mut s: models::Secret) -> Result<Secret, VaultError> {
    let props = props_of_secret(&s)?;
    let value = SecretString::from(s.value.take().unwrap_or_default());
    Ok(Secret { props, value })
}

pub(crate) fn from_deleted(s: &models::DeletedSecret) -> Result<DeletedSecret, VaultError> {
    Ok(DeletedSecret {
        props: props(Parts {
            id: s.id.as_ref(),
            fallback_id: s.recovery_id.as_ref(),
            attributes: s.attributes.as_ref(),
            content_type: s.content_type.as_ref(),
            tags: s.tags.as_ref(),
            managed: s.managed,
        })?,
        recovery_id: s.recovery_id.clone(),
        deleted_date: s.deleted_date,
        scheduled_purge_date: s.scheduled_purge_date,
    })
}

pub(crate) fn from_deleted_properties(
    s: &models::DeletedSecretProperties,
) -> Result<DeletedSecret, VaultError> {
    Ok(DeletedSecret {
        props: props(Parts {
            id: s.id.as_ref(),
            fallback_id: s.recovery_id.as_ref(),
            attributes: s.attributes.as_ref(),
            content_type: s.content_type.as_ref(),
            tags: s.tags.as_ref(),
            managed: s.managed,
        })?,
        recovery_id: s.recovery_id.clone(),
        deleted_date: s.deleted_date,
        scheduled_purge_date: s.scheduled_purge_date,
    })
}

fn tags_map(t: &BTreeMap<String, String>) -> HashMap<String, String> {
    t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The body of a set. The value is copied into the SDK's model only here,
/// just before it is serialized.
pub(crate) fn set_parameters(n: &NewSecret) -> models::SetSecretParameters {
    models::SetSecretParameters {
        value: Some(n.value.expose_secret().to_owned()),
        content_type: n.content_type.clone(),
        tags: (!n.tags.is_empty()).then(|| tags_map(&n.tags)),
        secret_attributes: Some(models::SecretAttributes {
            enabled: Some(n.enabled),
            not_before: n.not_before,
            expires: n.expires,
            ..Default::default()
        }),
    }
}

/// The PATCH body of an update, as JSON. Written by hand because the SDK's
/// model omits `None` dates, and clearing a date needs an explicit `null`.
pub(crate) fn update_body(u: &PropsUpdate) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let ts = |d: Option<OffsetDateTime>| d.map_or(Value::Null, |d| json!(d.unix_timestamp()));
    let mut attrs = Map::new();
    if let Some(e) = u.enabled {
        attrs.insert("enabled".into(), json!(e));
    }
    if let Some(nbf) = u.not_before {
        attrs.insert("nbf".into(), ts(nbf));
    }
    if let Some(exp) = u.expires {
        attrs.insert("exp".into(), ts(exp));
    }
    let mut body = Map::new();
    if !attrs.is_empty() {
        body.insert("attributes".into(), Value::Object(attrs));
    }
    if let Some(ct) = &u.content_type {
        body.insert("contentType".into(), json!(ct));
    }
    if let Some(tags) = &u.tags {
        body.insert("tags".into(), json!(tags));
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn ids_give_name_and_version() {
        assert_eq!(
            split_id("https://kv.vault.azure.net/secrets/db-pass/0123abcd"),
            Some(("db-pass".into(), Some("0123abcd".into())))
        );
        assert_eq!(
            split_id("https://demo.localhost:8443/secrets/db-pass"),
            Some(("db-pass".into(), None))
        );
        assert_eq!(
            split_id("https://kv.vault.azure.net/deletedsecrets/old"),
            Some(("old".into(), None))
        );
        assert_eq!(split_id("https://kv.vault.azure.net/keys/k"), None);
        assert_eq!(split_id("not a url"), None);
    }

    #[test]
    fn properties_convert_with_defaults() {
        let mut p = models::SecretProperties::default();
        p.id = Some("https://kv.vault.azure.net/secrets/a/v1".into());
        p.tags = Some(HashMap::from([("env".into(), "dev".into())]));
        let Ok(d) = from_properties(&p) else {
            panic!("a listed secret converts");
        };
        assert_eq!(d.name, "a");
        assert_eq!(d.version.as_deref(), Some("v1"));
        assert!(d.enabled);
        assert_eq!(d.tags.get("env").map(String::as_str), Some("dev"));
        let missing = models::SecretProperties::default();
        assert_eq!(
            from_properties(&missing).map_err(|e| e.kind),
            Err(ErrorKind::Other)
        );
    }

    #[test]
    fn deleted_items_fall_back_to_the_recovery_id() {
        let mut d = models::DeletedSecretProperties::default();
        d.recovery_id = Some("https://kv.vault.azure.net/deletedsecrets/gone".into());
        let got = from_deleted_properties(&d).map(|d| d.props.name.to_string());
        assert_eq!(got, Ok("gone".to_owned()));
    }

    #[test]
    fn update_body_clears_dates_with_null() {
        let u = PropsUpdate {
            enabled: Some(false),
            expires: Some(None),
            not_before: Some(Some(datetime!(2030-01-01 0:00 UTC))),
            ..Default::default()
        };
        let b = update_body(&u);
        assert_eq!(b["attributes"]["enabled"], serde_json::json!(false));
        assert!(b["attributes"]["exp"].is_null());
        assert!(b["attributes"].get("exp").is_some());
        assert_eq!(b["attributes"]["nbf"], serde_json::json!(1893456000));
        assert!(b.get("tags").is_none());
    }

    #[test]
    fn a_secret_value_moves_into_secret_string() {
        let mut s = models::Secret::default();
        s.id = Some("https://kv.vault.azure.net/secrets/a/v1".into());
        s.value = Some("hunter2".into());
        let got = from_secret(s).map(|s| s.value.expose_secret().to_owned());
        assert_eq!(got.ok().as_deref(), Some("hunter2"));
    }
}
