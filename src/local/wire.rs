//! JSON shapes of the Key Vault REST API, as the official SDKs read and write them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{DeletedInfo, VersionRow};

#[derive(Serialize)]
pub(super) struct Attributes {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    pub created: i64,
    pub updated: i64,
    #[serde(rename = "recoverableDays")]
    pub recoverable_days: u32,
    #[serde(rename = "recoveryLevel")]
    pub recovery_level: &'static str,
}

/// SecretBundle, SecretItem and the deleted variants in one shape: fields that
/// do not apply are `None` and left out.
#[derive(Serialize)]
pub(super) struct SecretJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
    pub id: String,
    #[serde(rename = "contentType", skip_serializing_if = "Option::is_none")]
    pub content_type: Option<&'a str>,
    pub attributes: Attributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<&'a BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub managed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(rename = "recoveryId", skip_serializing_if = "Option::is_none")]
    pub recovery_id: Option<String>,
    #[serde(rename = "deletedDate", skip_serializing_if = "Option::is_none")]
    pub deleted_date: Option<i64>,
    #[serde(rename = "scheduledPurgeDate", skip_serializing_if = "Option::is_none")]
    pub scheduled_purge_date: Option<i64>,
}

/// `Recoverable+Purgeable` at 90 days; shorter retention is "customized";
/// purge protection takes `Purgeable` away.
pub(super) fn recovery_level(days: u32, protected: bool) -> &'static str {
    match (days >= 90, protected) {
        (true, false) => "Recoverable+Purgeable",
        (false, false) => "CustomizedRecoverable+Purgeable",
        (true, true) => "Recoverable",
        (false, true) => "CustomizedRecoverable",
    }
}

/// How a row is shown: with which id, value and deletion state.
pub(super) struct View<'a> {
    pub base: &'a str,
    pub retention_days: u32,
    /// The vault is purge-protected.
    pub protected: bool,
    pub versioned_id: bool,
    pub value: Option<&'a str>,
    pub deleted: Option<DeletedInfo>,
}

impl<'a> View<'a> {
    /// The JSON of `row`; it borrows the view's data, not the view, so a
    /// temporary view per row is fine.
    pub(super) fn render<'r>(&self, row: &'r VersionRow) -> SecretJson<'r>
    where
        'a: 'r,
    {
        let id = if self.versioned_id {
            format!("{}/secrets/{}/{}", self.base, row.name, row.version)
        } else {
            format!("{}/secrets/{}", self.base, row.name)
        };
        SecretJson {
            value: self.value,
            id,
            content_type: row.content_type.as_deref(),
            attributes: Attributes {
                enabled: row.enabled,
                nbf: row.nbf,
                exp: row.exp,
                created: row.created,
                updated: row.updated,
                recoverable_days: self.retention_days,
                recovery_level: recovery_level(self.retention_days, self.protected),
            },
            tags: row.tags.as_ref(),
            managed: row.managed,
            // A certificate's secret names the certificate's key.
            kid: row
                .managed
                .then(|| format!("{}/keys/{}/{}", self.base, row.name, row.version)),
            recovery_id: self
                .deleted
                .map(|_| format!("{}/deletedsecrets/{}", self.base, row.name)),
            deleted_date: self.deleted.map(|d| d.deleted_date),
            scheduled_purge_date: self.deleted.map(|d| d.scheduled_purge_date),
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct AttributesIn {
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "some_option")]
    pub nbf: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some_option")]
    pub exp: Option<Option<i64>>,
}

/// A present field (even `null`) becomes `Some(..)`, so "clear" differs from "keep".
fn some_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
pub(super) struct SetBody {
    pub value: Option<String>,
    #[serde(rename = "contentType")]
    pub content_type: Option<String>,
    pub attributes: Option<AttributesIn>,
    pub tags: Option<BTreeMap<String, String>>,
}

impl Drop for SetBody {
    fn drop(&mut self) {
        if let Some(v) = self.value.as_mut() {
            zeroize::Zeroize::zeroize(v);
        }
    }
}

#[derive(Deserialize)]
pub(super) struct UpdateBody {
    #[serde(rename = "contentType")]
    pub content_type: Option<String>,
    pub attributes: Option<AttributesIn>,
    pub tags: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
pub(super) struct BlobBody {
    pub value: Option<String>,
}

#[derive(Serialize)]
pub(super) struct BlobJson {
    pub value: String,
}

#[derive(Serialize)]
pub(super) struct ErrorJson<'a> {
    pub error: ErrorBody<'a>,
}

#[derive(Serialize)]
pub(super) struct ErrorBody<'a> {
    pub code: &'a str,
    pub message: &'a str,
    #[serde(rename = "innererror", skip_serializing_if = "Option::is_none")]
    pub inner: Option<InnerError<'a>>,
}

#[derive(Serialize)]
pub(super) struct InnerError<'a> {
    pub code: &'a str,
}
