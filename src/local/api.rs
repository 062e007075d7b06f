//! Request handling: authenticate, route, validate, then one store call.
//! Plain data in and out, so it is tested without sockets.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::crypto::Sealer;
use super::errors::ApiError;
use super::host::{HostInfo, parse_host};
use super::model::{BackupContents, NewVersion, PropsPatch};
use super::store::Store;
use super::wire::{BlobBody, BlobJson, ListJson, SetBody, UpdateBody, View};
use crate::vault::types::validate_name;

pub const MAX_VALUE_BYTES: usize = 25 * 1024;
pub const MAX_TAGS: usize = 15;
pub const MAX_CONTENT_TYPE: usize = 255;
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
const DEFAULT_PAGE: usize = 25;
const BACKUP_AAD: &[u8] = b"kvtui-backup-v1";

/// A request, reduced to what the service reads.
pub struct ApiRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub host: String,
    pub authorization: Option<String>,
    pub body: Vec<u8>,
}

/// An answer: status, JSON body, and the challenge header on a 401.
pub struct ApiResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub www_authenticate: Option<String>,
}

/// The service: the store and the one token it accepts.
pub struct Service {
    store: Mutex<Store>,
    token: SecretString,
    retention_days: u32,
    backup_sealer: Sealer,
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

type ApiResult = Result<(u16, Vec<u8>), ApiError>;

fn json<T: serde::Serialize>(value: &T) -> ApiResult {
    serde_json::to_vec(value)
        .map(|b| (200, b))
        .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))
}

fn parse_json<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    // serde's message may quote the input (a value), so report only the position.
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad(format!(
            "The request body is not valid JSON for this operation (line {}, column {}).",
            e.line(),
            e.column()
        ))
    })
}

fn check_name(name: &str) -> Result<(), ApiError> {
    validate_name(name).map_err(|e| {
        ApiError::bad(format!(
            "Invalid secret name '{}': {e}.",
            name.escape_debug()
        ))
    })
}

fn valid_api_version(v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (core, preview) = match v.split_once("-preview") {
        Some((core, rest)) => (core, Some(rest)),
        None => (v, None),
    };
    if let Some(rest) = preview {
        if !(rest.is_empty() || rest.strip_prefix('.').is_some_and(digits)) {
            return false;
        }
    }
    let parts: Vec<&str> = core.split(['.', '-']).collect();
    match parts.as_slice() {
        [major, minor] if core.contains('.') => digits(major) && digits(minor),
        [y, m, d] if !core.contains('.') => {
            y.len() == 4 && m.len() == 2 && d.len() == 2 && digits(y) && digits(m) && digits(d)
        }
        _ => false,
    }
}

/// Query parameters the service reads.
struct Query {
    api_version: String,
    max_results: usize,
    skip_token: Option<String>,
}

fn parse_query(query: Option<&str>) -> Result<Query, ApiError> {
    let mut api_version = None;
    let mut max_results = DEFAULT_PAGE;
    let mut skip_token = None;
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "api-version" => api_version = Some(v.into_owned()),
            "maxresults" => {
                max_results = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=25).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad(format!("maxresults must be between 1 and 25, not '{v}'."))
                    })?
            }
            "$skiptoken" => skip_token = Some(v.into_owned()),
            _ => {}
        }
    }
    let api_version = api_version
        .ok_or_else(|| ApiError::bad("The 'api-version' query parameter is required."))?;
    if !valid_api_version(&api_version) {
        return Err(ApiError::bad(format!(
            "The 'api-version' '{api_version}' is not valid."
        )));
    }
    Ok(Query {
        api_version,
        max_results,
        skip_token,
    })
}

fn decode_token(token: Option<&str>) -> Result<String, ApiError> {
    match token {
        None => Ok(String::new()),
        Some(t) => URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| ApiError::bad("The $skiptoken is not valid.")),
    }
}

impl Service {
    pub fn new(
        store: Store,
        token: SecretString,
        retention_days: u32,
        backup_sealer: Sealer,
    ) -> Self {
        Self {
            store: Mutex::new(store),
            token,
            retention_days,
            backup_sealer,
        }
    }

    /// Runs `f` on the store; a poisoned lock still holds committed data, so keep going.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    fn authorized(&self, header: Option<&str>) -> bool {
        let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
            return false;
        };
        token
            .as_bytes()
            .ct_eq(self.token.expose_secret().as_bytes())
            .into()
    }

    /// Answers one request. The challenge comes before anything else.
    pub fn handle(&self, req: &ApiRequest) -> ApiResponse {
        let host = parse_host(&req.host);
        if !self.authorized(req.authorization.as_deref()) {
            let err = ApiError::unauthorized();
            return ApiResponse {
                status: 401,
                body: err.body(),
                www_authenticate: Some(host.challenge()),
            };
        }
        match self.route(req, &host) {
            Ok((status, body)) => ApiResponse {
                status,
                body,
                www_authenticate: None,
            },
            Err(e) => ApiResponse {
                status: e.status,
                body: e.body(),
                www_authenticate: None,
            },
        }
    }

    fn route(&self, req: &ApiRequest, host: &HostInfo) -> ApiResult {
        if req.body.len() > MAX_BODY_BYTES {
            return Err(ApiError::new(
                413,
                "RequestTooLarge",
                "The request body is larger than 1 MiB.",
            ));
        }
        let q = parse_query(req.query.as_deref())?;
        let segs: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
        let m = req.method.as_str();
        let ctx = Ctx {
            svc: self,
            host,
            q: &q,
        };
        match (segs.as_slice(), m) {
            (["secrets"], "GET") => ctx.list(),
            (["secrets", "restore"], "POST") => ctx.restore(&req.body),
            (["secrets", name], "PUT") => ctx.set(name, &req.body),
            (["secrets", name], "GET") => ctx.get(name, None),
            (["secrets", name], "PATCH") => ctx.update(name, None, &req.body),
            (["secrets", name], "DELETE") => ctx.delete(name),
            (["secrets", name, "versions"], "GET") => ctx.list_versions(name),
            (["secrets", name, "backup"], "POST") => ctx.backup(name),
            (["secrets", name, version], "GET") => ctx.get(name, Some(version)),
            (["secrets", name, version], "PATCH") => ctx.update(name, Some(version), &req.body),
            (["deletedsecrets"], "GET") => ctx.list_deleted(),
            (["deletedsecrets", name], "GET") => ctx.get_deleted(name),
            (["deletedsecrets", name], "DELETE") => ctx.purge(name),
            (["deletedsecrets", name, "recover"], "POST") => ctx.recover(name),
            (
                ["secrets"]
                | ["secrets", "restore"]
                | ["secrets", _]
                | ["secrets", _, _]
                | ["deletedsecrets"]
                | ["deletedsecrets", _]
                | ["deletedsecrets", _, "recover"],
                _,
            ) => Err(ApiError::new(
                405,
                "MethodNotAllowed",
                format!("The method {m} is not allowed here."),
            )),
            _ => Err(ApiError::new(
                404,
                "NotFound",
                format!("No operation at {}.", req.path),
            )),
        }
    }
}

/// One request's view of the service.
struct Ctx<'a> {
    svc: &'a Service,
    host: &'a HostInfo,
    q: &'a Query,
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

    fn next_link(&self, path: &str, cursor: String) -> String {
        format!(
            "{}{path}?api-version={}&$skiptoken={}&maxresults={}",
            self.host.base_url,
            self.q.api_version,
            URL_SAFE_NO_PAD.encode(cursor),
            self.q.max_results
        )
    }

    fn set(&self, name: &str, body: &[u8]) -> ApiResult {
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

    fn get(&self, name: &str, version: Option<&str>) -> ApiResult {
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

    fn update(&self, name: &str, version: Option<&str>, body: &[u8]) -> ApiResult {
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

    fn delete(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let (row, info) = self
            .svc
            .with_store(|s| s.delete(self.vault(), name, now()))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        let view = View {
            deleted: Some(info),
            retention_days: info.recoverable_days,
            ..self.view(true, None)
        };
        json(&view.render(&row))
    }

    fn list(&self) -> ApiResult {
        let after = decode_token(self.q.skip_token.as_deref())?;
        let limit = self.q.max_results;
        let rows = self
            .svc
            .with_store(|s| s.list(self.vault(), &after, limit + 1))
            .map_err(|e| ApiError::from_store(e, "", ""))?;
        let more = rows.len() > limit;
        let view = self.view(false, None);
        let page: Vec<_> = rows.iter().take(limit).map(|r| view.render(r)).collect();
        let next_link = more
            .then(|| rows.get(limit - 1))
            .flatten()
            .map(|r| self.next_link("/secrets", r.name.to_ascii_lowercase()));
        json(&ListJson {
            value: page,
            next_link,
        })
    }

    fn list_versions(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let after: i64 = decode_token(self.q.skip_token.as_deref())?
            .parse()
            .unwrap_or(0);
        let limit = self.q.max_results;
        let rows = self
            .svc
            .with_store(|s| s.list_versions(self.vault(), name, after, limit + 1))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        let more = rows.len() > limit;
        let view = self.view(true, None);
        let page: Vec<_> = rows
            .iter()
            .take(limit)
            .map(|(_, r)| view.render(r))
            .collect();
        let next_link = more
            .then(|| rows.get(limit - 1))
            .flatten()
            .map(|(seq, _)| self.next_link(&format!("/secrets/{name}/versions"), seq.to_string()));
        json(&ListJson {
            value: page,
            next_link,
        })
    }

    fn list_deleted(&self) -> ApiResult {
        let after = decode_token(self.q.skip_token.as_deref())?;
        let limit = self.q.max_results;
        let rows = self
            .svc
            .with_store(|s| s.list_deleted(self.vault(), &after, limit + 1))
            .map_err(|e| ApiError::from_store(e, "", ""))?;
        let more = rows.len() > limit;
        let views: Vec<View<'_>> = rows
            .iter()
            .take(limit)
            .map(|(_, info)| View {
                deleted: Some(*info),
                retention_days: info.recoverable_days,
                ..self.view(false, None)
            })
            .collect();
        let page: Vec<_> = views
            .iter()
            .zip(&rows)
            .map(|(v, (r, _))| v.render(r))
            .collect();
        let next_link = more
            .then(|| rows.get(limit - 1))
            .flatten()
            .map(|(r, _)| self.next_link("/deletedsecrets", r.name.to_ascii_lowercase()));
        json(&ListJson {
            value: page,
            next_link,
        })
    }

    fn get_deleted(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let (row, info) = self
            .svc
            .with_store(|s| s.get_deleted(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        let view = View {
            deleted: Some(info),
            retention_days: info.recoverable_days,
            ..self.view(true, None)
        };
        json(&view.render(&row))
    }

    fn recover(&self, name: &str) -> ApiResult {
        check_name(name)?;
        let row = self
            .svc
            .with_store(|s| s.recover(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        json(&self.view(true, None).render(&row))
    }

    fn purge(&self, name: &str) -> ApiResult {
        check_name(name)?;
        self.svc
            .with_store(|s| s.purge(self.vault(), name))
            .map_err(|e| ApiError::from_store(e, name, name))?;
        Ok((204, Vec::new()))
    }

    fn backup(&self, name: &str) -> ApiResult {
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

    fn restore(&self, body: &[u8]) -> ApiResult {
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
    if let Some(ct) = content_type {
        if ct.chars().count() > MAX_CONTENT_TYPE {
            return Err(ApiError::bad(format!(
                "The content type is {} characters; the limit is {MAX_CONTENT_TYPE}.",
                ct.chars().count()
            )));
        }
    }
    if let Some(tags) = tags {
        if tags.len() > MAX_TAGS {
            return Err(ApiError::bad(format!(
                "{} tags given; a secret may have at most {MAX_TAGS}.",
                tags.len()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::valid_api_version;

    #[test]
    fn api_versions_of_every_sdk_are_accepted() {
        for v in [
            "7.6",
            "7.4",
            "2025-07-01",
            "2026-03-01-preview",
            "7.6-preview.1",
        ] {
            assert!(valid_api_version(v), "{v}");
        }
        for v in ["", "latest", "7", "2025-7-1", "7.x", "2025-07-01-beta"] {
            assert!(!valid_api_version(v), "{v}");
        }
    }
}
