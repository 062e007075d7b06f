//! One handler per Key Vault operation: validate, one store call, the JSON answer.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use super::api::{
    ApiResult, BACKUP_AAD, MAX_CONTENT_TYPE, MAX_TAGS, MAX_VALUE_BYTES, Query, Service, check_name,
    decode_token, json, now, parse_json,
};
use super::errors::ApiError;
use super::host::HostInfo;
use super::model::{BackupContents, DeletedInfo, NewVersion, PropsPatch};
use super::wire::{BlobBody, BlobJson, ListJson, SecretJson, SetBody, UpdateBody, View};
use crate::vault::types::validate_name;

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

    /// One page from `rows`, fetched with one row more than the page holds:
    /// that extra row says whether a `nextLink` (after the page's last cursor) is due.
    fn page<'r, T>(
        &self,
        rows: &'r [T],
        path: &str,
        render: impl Fn(&'r T) -> SecretJson<'r>,
        cursor: impl Fn(&T) -> String,
    ) -> ApiResult {
        let limit = self.q.max_results;
        let next_link = (rows.len() > limit)
            .then(|| rows.get(limit - 1))
            .flatten()
            .map(|last| self.next_link(path, cursor(last)));
        json(&ListJson {
            value: rows.iter().take(limit).map(render).collect(),
            next_link,
        })
    }

    fn next_link(&self, path: &str, cursor: String) -> String {
        format!(
            "{}{path}?api-version={}&$skiptoken={}&maxresults={}",
            self.host.base_url,
            self.q.api_version,
            URL_SAFE_NO_PAD.encode(cursor),
            self.q.max_results
        )
    }

    pub fn set(&self, name: &str, body: &[u8]) -> ApiResult {
        check_name(name)?;
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
        };
        let row = self
            .svc
            .with_store(|s| s.set(self.vault(), name, new, now()))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        json(&self.view(true, Some(value)).render(&row))
    }

    pub fn get(&self, name: &str, version: Option<&str>) -> ApiResult {
        check_name(name)?;
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

    pub fn update(&self, name: &str, version: Option<&str>, body: &[u8]) -> ApiResult {
        check_name(name)?;
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
            .with_store(|s| s.update(self.vault(), name, version, patch, now()))
            .map_err(|e| ApiError::from_store(e, name, &shown))?;
        json(&self.view(true, None).render(&row))
    }

    pub fn delete(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let (row, info) = self
            .svc
            .with_store(|s| s.delete(self.vault(), name, now()))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        let view = self.deleted_view(true, info);
        json(&view.render(&row))
    }

    pub fn list(&self) -> ApiResult {
        let after = decode_token(self.q.skip_token.as_deref())?;
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

    pub fn list_versions(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let after: i64 = decode_token(self.q.skip_token.as_deref())?
            .parse()
            .unwrap_or(0);
        let rows = self
            .svc
            .with_store(|s| s.list_versions(self.vault(), name, after, self.q.max_results + 1))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        let view = self.view(true, None);
        let path = format!("/secrets/{name}/versions");
        self.page(
            &rows,
            &path,
            |(_, r)| view.render(r),
            |(seq, _)| seq.to_string(),
        )
    }

    pub fn list_deleted(&self) -> ApiResult {
        let after = decode_token(self.q.skip_token.as_deref())?;
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

    pub fn get_deleted(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let (row, info) = self
            .svc
            .with_store(|s| s.get_deleted(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        let view = self.deleted_view(true, info);
        json(&view.render(&row))
    }

    pub fn recover(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let row = self
            .svc
            .with_store(|s| s.recover(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        json(&self.view(true, None).render(&row))
    }

    pub fn purge(&self, name: &str) -> ApiResult {
        check_name(name)?;
        self.svc
            .with_store(|s| s.purge(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        Ok((204, Vec::new()))
    }

    pub fn backup(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let contents = self
            .svc
            .with_store(|s| s.backup(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        let plain = Zeroizing::new(
            serde_json::to_vec(&contents)
                .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?,
        );
        let sealed = self
            .svc
            .backup_sealer
            .seal(&plain, BACKUP_AAD)
            .map_err(|e| ApiError::from_store(e, name, name))?;
        json(&BlobJson {
            value: URL_SAFE_NO_PAD.encode(sealed),
        })
    }

    pub fn restore(&self, body: &[u8]) -> ApiResult {
        let body: BlobBody = parse_json(body)?;
        let invalid = || {
            ApiError::bad(
                "The backup blob is not valid: it is corrupt, was changed, or comes from another local vault.",
            )
        };
        let blob = body.value.ok_or_else(invalid)?;
        let sealed = URL_SAFE_NO_PAD
            .decode(blob.trim_end_matches('='))
            .map_err(|_| invalid())?;
        let plain = self
            .svc
            .backup_sealer
            .open(&sealed, BACKUP_AAD)
            .ok_or_else(invalid)?;
        let contents: BackupContents = serde_json::from_slice(&plain).map_err(|_| invalid())?;
        if contents.versions.is_empty() || validate_name(&contents.name).is_err() {
            return Err(invalid());
        }
        let name = contents.name.clone();
        let row = self
            .svc
            .with_store(|s| s.restore(self.vault(), &contents))
            .map_err(|e| ApiError::from_store(e, &name, &name))?;
        json(&self.view(true, None).render(&row))
    }
}

fn check_props(
    content_type: Option<&str>,
    tags: Option<&std::collections::BTreeMap<String, String>>,
) -> Result<(), ApiError> {
    if let Some(ct) = content_type
        && ct.chars().count() > MAX_CONTENT_TYPE
    {
        {
            return Err(ApiError::bad(format!(
                "The content type is {} characters; the limit is {MAX_CONTENT_TYPE}.",
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
    Ok(())
}
