//! One handler per Key Vault operation: validate, one store call, the JSON answer.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use super::api::{ApiResult, BACKUP_AAD, Query, Service, check_name, json, parse_json};
use super::backup::{self, BACKUP_AAD_V2, Encoder, Restored};
use super::errors::ApiError;
use super::host::HostInfo;
use super::limits::MAX_PAGE_BYTES;
use super::model::{BackupContents, DeletedInfo, NewVersion, PropsPatch, StoreError};
use super::pending::Stage;
use super::store::value_aad;
use super::wire::{BlobBody, BlobJson, SecretJson, SetBody, UpdateBody, View};
use crate::kv_facts::{
    MAX_BACKUP_VERSIONS, MAX_CONTENT_TYPE_CHARS, MAX_TAG_CHARS, MAX_TAGS, MAX_VALUE_BYTES,
    validate_name,
};

/// Versions read from the store per lock taken while backing up.
const BACKUP_PAGE: usize = 50;

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(500, "InternalServerError", e.to_string())
}

/// One request's view of the service.
pub(super) struct Ctx<'a> {
    pub svc: &'a Service,
    pub host: &'a HostInfo,
    pub q: &'a Query,
}

impl Ctx<'_> {
    fn vault(&self) -> &str {
        &self.host.vault
    }

    fn view<'v>(&'v self, versioned_id: bool, value: Option<&'v str>) -> View<'v> {
        View {
            base: &self.host.base_url,
            retention_days: self.svc.retention_days,
            protected: self.svc.is_purge_protected(self.vault()),
            versioned_id,
            value,
            deleted: None,
        }
    }

    /// How a deleted secret is shown: its own retention and deletion dates.
    fn deleted_view(&self, versioned_id: bool, info: DeletedInfo) -> View<'_> {
        View {
            deleted: Some(info),
            retention_days: info.recoverable_days,
            ..self.view(versioned_id, None)
        }
    }

    /// One page from `rows`, fetched with one row more than the page holds.
    /// The page also stops before `MAX_PAGE_BYTES` of JSON (after at least one
    /// item); a `nextLink` after its last item is due when rows are left.
    fn page<'r, T>(
        &self,
        rows: &'r [T],
        list: &str,
        render: impl Fn(&'r T) -> SecretJson<'r>,
        cursor: impl Fn(&T) -> String,
    ) -> ApiResult {
        let mut out = b"{\"value\":[".to_vec();
        let mut taken = 0;
        for row in rows.iter().take(self.q.max_results) {
            let item = serde_json::to_vec(&render(row)).map_err(internal)?;
            if taken > 0 && out.len() + item.len() > MAX_PAGE_BYTES {
                break;
            }
            if taken > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&item);
            taken += 1;
        }
        let next_link = (taken < rows.len())
            .then(|| taken.checked_sub(1).and_then(|i| rows.get(i)))
            .flatten()
            .map(|last| self.next_link(list, &cursor(last)));
        out.extend_from_slice(b"],\"nextLink\":");
        out.extend_from_slice(&serde_json::to_vec(&next_link).map_err(internal)?);
        out.push(b'}');
        Ok((200, out))
    }

    fn next_link(&self, list: &str, cursor: &str) -> String {
        format!(
            "{}{list}?api-version={}&$skiptoken={}&maxresults={}",
            self.host.base_url,
            self.q.api_version,
            self.svc.seal_cursor(self.vault(), list, cursor),
            self.q.max_results
        )
    }

    fn cursor(&self, list: &str) -> Result<String, ApiError> {
        self.svc
            .open_cursor(self.vault(), list, self.q.skip_token.as_deref())
    }

    /// Refuses `op` on the secret of a certificate (its latest version is
    /// `managed`); a name not found goes on to the operation's own answer.
    fn refuse_if_managed(&self, name: &str, op: &str) -> Result<(), ApiError> {
        if self.svc.with_store(|s| s.is_managed(self.vault(), name)) {
            return Err(ApiError::managed_by_key_vault(op));
        }
        Ok(())
    }

    pub(super) fn set(&self, name: &str, body: &[u8]) -> ApiResult {
        check_name(name)?;
        if self.svc.is_recovering(self.vault(), name) {
            return Err(ApiError::being_recovered(name));
        }
        if self.svc.deletes.is(self.vault(), name, Stage::Purging) {
            return Err(ApiError::being_deleted(name));
        }
        self.refuse_if_managed(name, "set")?;
        let body: SetBody = parse_json(body)?;
        let Some(value) = body.value.as_deref() else {
            return Err(ApiError::bad("The secret value is required."));
        };
        if value.len() > MAX_VALUE_BYTES {
            return Err(ApiError::bad(format!(
                "The secret value is {} bytes; the limit is 25 KiB ({MAX_VALUE_BYTES} bytes).",
                value.len()
            )));
        }
        check_props(body.content_type.as_deref(), body.tags.as_ref())?;
        let attrs = body.attributes.as_ref();
        let new = NewVersion {
            value: Zeroizing::new(value.to_owned()),
            content_type: body.content_type.clone(),
            enabled: attrs.and_then(|a| a.enabled).unwrap_or(true),
            nbf: attrs.and_then(|a| a.nbf).flatten(),
            exp: attrs.and_then(|a| a.exp).flatten(),
            tags: body.tags.clone(),
            managed: false,
        };
        let row = self
            .svc
            .with_store(|s| s.set(self.vault(), name, new, self.svc.now()))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        json(&self.view(true, Some(value)).render(&row))
    }

    pub(super) fn get(&self, name: &str, version: Option<&str>) -> ApiResult {
        check_name(name)?;
        if self.svc.is_recovering(self.vault(), name) {
            return Err(ApiError::being_recovered(name));
        }
        let shown = version.map_or_else(|| name.to_owned(), |v| format!("{name}/{v}"));
        let (row, value) = self
            .svc
            .with_store(|s| s.get(self.vault(), name, version))
            .map_err(|e| ApiError::from_store(e, name, &shown))?;
        if !row.enabled {
            return Err(ApiError::disabled());
        }
        json(&self.view(true, Some(&value)).render(&row))
    }

    pub(super) fn update(&self, name: &str, version: Option<&str>, body: &[u8]) -> ApiResult {
        check_name(name)?;
        self.refuse_if_managed(name, "update")?;
        let body: UpdateBody = parse_json(body)?;
        check_props(body.content_type.as_deref(), body.tags.as_ref())?;
        let attrs = body.attributes.unwrap_or_default();
        let patch = PropsPatch {
            content_type: body.content_type,
            enabled: attrs.enabled,
            nbf: attrs.nbf,
            exp: attrs.exp,
            tags: body.tags,
        };
        let shown = version.map_or_else(|| name.to_owned(), |v| format!("{name}/{v}"));
        let row = self
            .svc
            .with_store(|s| s.update(self.vault(), name, version, patch, self.svc.now()))
            .map_err(|e| ApiError::from_store(e, name, &shown))?;
        json(&self.view(true, None).render(&row))
    }

    pub(super) fn delete(&self, name: &str) -> ApiResult {
        check_name(name)?;
        self.refuse_if_managed(name, "delete")?;
        let (row, info) = self
            .svc
            .with_store(|s| s.delete(self.vault(), name, self.svc.now()))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        self.svc.deletes.begin(self.vault(), name, Stage::Deleting);
        let view = self.deleted_view(true, info);
        json(&view.render(&row))
    }

    pub(super) fn list(&self) -> ApiResult {
        let after = self.cursor("/secrets")?;
        let rows = self
            .svc
            .with_store(|s| s.list(self.vault(), &after, self.q.max_results + 1))
            .map_err(|e| ApiError::from_store(e, "", ""))?;
        let view = self.view(false, None);
        self.page(
            &rows,
            "/secrets",
            |r| view.render(r),
            |r| r.name.to_ascii_lowercase(),
        )
    }

    pub(super) fn list_versions(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let path = format!("/secrets/{name}/versions");
        let before: i64 = self.cursor(&path)?.parse().unwrap_or(i64::MAX);
        let rows = self
            .svc
            .with_store(|s| s.list_versions(self.vault(), name, before, self.q.max_results + 1))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        let view = self.view(true, None);
        self.page(
            &rows,
            &path,
            |(_, r)| view.render(r),
            |(seq, _)| seq.to_string(),
        )
    }

    pub(super) fn list_deleted(&self) -> ApiResult {
        let after = self.cursor("/deletedsecrets")?;
        let rows = self
            .svc
            .with_store(|s| s.list_deleted(self.vault(), &after, self.q.max_results + 1))
            .map_err(|e| ApiError::from_store(e, "", ""))?;
        self.page(
            &rows,
            "/deletedsecrets",
            |(r, info)| self.deleted_view(false, *info).render(r),
            |(r, _)| r.name.to_ascii_lowercase(),
        )
    }

    pub(super) fn get_deleted(&self, name: &str) -> ApiResult {
        check_name(name)?;
        if self.svc.deletes.is(self.vault(), name, Stage::Deleting) {
            return Err(ApiError::from_store(
                StoreError::DeletedNotFound,
                name,
                name,
            ));
        }
        let (row, info) = self
            .svc
            .with_store(|s| s.get_deleted(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        let view = self.deleted_view(true, info);
        json(&view.render(&row))
    }

    pub(super) fn recover(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let row = self
            .svc
            .with_store(|s| s.recover(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        self.svc.begin_recovery(self.vault(), name);
        json(&self.view(true, None).render(&row))
    }

    pub(super) fn purge(&self, name: &str) -> ApiResult {
        check_name(name)?;
        if self.svc.is_purge_protected(self.vault()) {
            // Key Vault checks the deleted secret exists first: 404 stays 404.
            self.svc
                .with_store(|s| s.get_deleted(self.vault(), name))
                .map_err(|e| ApiError::from_store(e, name, name))?;
            return Err(ApiError::purge_protected(name));
        }
        self.svc
            .with_store(|s| s.purge(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        self.svc.deletes.begin(self.vault(), name, Stage::Purging);
        Ok((204, Vec::new()))
    }

    /// Every version, sealed. The store lock is taken per page of versions,
    /// never while values are decrypted and encoded.
    pub(super) fn backup(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let vault = self.vault();
        let (stored_name, count, last_seq) = self
            .svc
            .with_store(|s| s.version_count(vault, name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        if count > MAX_BACKUP_VERSIONS {
            return Err(ApiError::bad(format!(
                "Secret {name} has {count} versions; a backup holds at most {MAX_BACKUP_VERSIONS} (the Key Vault limit)."
            )));
        }
        let name_key = stored_name.to_ascii_lowercase();
        let mut enc = Encoder::new(&stored_name, count);
        let (mut after, mut done) = (0, 0);
        loop {
            let page = self
                .svc
                .with_store(|s| s.backup_page(vault, name, after, last_seq, BACKUP_PAGE))
                .map_err(|e| ApiError::from_store(e, name, name))?;
            let Some((last, _, _)) = page.last() else {
                break;
            };
            after = *last;
            for (_, row, sealed) in &page {
                let plain = self
                    .svc
                    .backup_sealer
                    .open(sealed, &value_aad(vault, &name_key, &row.version))
                    .ok_or_else(|| ApiError::from_store(StoreError::Corrupt, name, name))?;
                let value = std::str::from_utf8(&plain)
                    .map_err(|_| ApiError::from_store(StoreError::Corrupt, name, name))?;
                enc.version(row, value);
                done += 1;
            }
        }
        // Deleted while it was read: as if it had been deleted before.
        if done != count {
            return Err(ApiError::not_found(name));
        }
        let sealed = self
            .svc
            .backup_sealer
            .seal(&enc.finish(), BACKUP_AAD_V2)
            .map_err(|e| ApiError::from_store(e, name, name))?;
        json(&BlobJson {
            value: URL_SAFE_NO_PAD.encode(sealed),
        })
    }

    pub(super) fn restore(&self, body: &[u8]) -> ApiResult {
        let body: BlobBody = parse_json(body)?;
        let invalid = || {
            ApiError::bad(
                "The backup blob is not valid: it is corrupt, was changed, or comes from another local vault.",
            )
        };
        let blob = body.value.as_deref().ok_or_else(invalid)?;
        let sealed = URL_SAFE_NO_PAD
            .decode(blob.trim_end_matches('='))
            .map_err(|_| invalid())?;
        let (name, versions) = self.open_blob(&sealed).ok_or_else(invalid)?;
        if versions.is_empty() || validate_name(&name).is_err() {
            return Err(invalid());
        }
        let row = self
            .svc
            .with_store(|s| s.restore(self.vault(), &name, &versions))
            .map_err(|e| ApiError::from_store(e, &name, &name))?;
        json(&self.view(true, None).render(&row))
    }

    /// A v2 (binary) blob, or a v1 (JSON) one made by earlier versions.
    fn open_blob(&self, sealed: &[u8]) -> Option<(String, Vec<Restored>)> {
        let sealer = &self.svc.backup_sealer;
        if let Some(plain) = sealer.open(sealed, BACKUP_AAD_V2) {
            return backup::decode(&plain);
        }
        let plain = sealer.open(sealed, BACKUP_AAD)?;
        let contents: BackupContents = serde_json::from_slice(&plain).ok()?;
        let versions = contents
            .versions
            .iter()
            .map(|v| Restored {
                row: v.row.clone(),
                value: Zeroizing::new(v.value.clone()),
            })
            .collect();
        Some((contents.name.clone(), versions))
    }
}

fn check_props(
    content_type: Option<&str>,
    tags: Option<&std::collections::BTreeMap<String, String>>,
) -> Result<(), ApiError> {
    if let Some(ct) = content_type
        && ct.chars().count() > MAX_CONTENT_TYPE_CHARS
    {
        {
            return Err(ApiError::bad(format!(
                "The content type is {} characters; the limit is {MAX_CONTENT_TYPE_CHARS}.",
                ct.chars().count()
            )));
        }
    }
    if let Some(tags) = tags
        && tags.len() > MAX_TAGS
    {
        {
            return Err(ApiError::bad(format!(
                "{} tags given; a secret may have at most {MAX_TAGS}.",
                tags.len()
            )));
        }
    }
    if let Some(tags) = tags {
        for (k, v) in tags {
            let (kc, vc) = (k.chars().count(), v.chars().count());
            if kc > MAX_TAG_CHARS || vc > MAX_TAG_CHARS {
                return Err(ApiError::bad(format!(
                    "A tag name of {kc} characters has a value of {vc}; each may have at most {MAX_TAG_CHARS}."
                )));
            }
        }
    }
    Ok(())
}
