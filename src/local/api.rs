//! Request handling: authenticate, route, validate, then one store call.
//! Plain data in and out, so it is tested without sockets.

use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};

use super::access::Caller;
use super::crypto::Sealer;
use super::errors::ApiError;
use super::handlers::Ctx;
use super::host::{HostInfo, parse_host_in};
use super::store::Store;
use super::token::TokenDigest;
use crate::kv_facts::validate_name;

const DEFAULT_PAGE: usize = 25;
/// Associated data of v1 (JSON) backup blobs; value rows use `vault/name/version`,
/// which always has slashes, so a blob never opens as a value or the other way round.
pub(super) const BACKUP_AAD: &[u8] = b"kvtui-backup-v1";

/// A request, reduced to what the service reads.
pub(super) struct ApiRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub host: String,
    pub authorization: Option<String>,
    pub body: Vec<u8>,
    /// The client's address, for the vault firewall of the access file.
    pub peer: Option<std::net::IpAddr>,
}

/// An answer: status, JSON body, and the challenge header on a 401.
pub(super) struct ApiResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub www_authenticate: Option<String>,
    /// `x-ms-keyvault-network-info` of a firewall refusal.
    pub network_info: Option<String>,
}

/// The service: the store and the one token it accepts.
pub(super) struct Service {
    store: Mutex<Store>,
    token: TokenDigest,
    /// Signs and checks the local managed-identity endpoint's tokens.
    minter: super::identity::Minter,
    pub(super) retention_days: u32,
    pub(super) backup_sealer: Sealer,
    /// Hosts on any domain select a vault (the user's own certificate names them).
    pub(super) any_domain: bool,
    /// What the Resource Manager endpoints report.
    pub(super) arm: super::arm::ArmOptions,
    /// Vaults run with purge protection (lower case).
    pub(super) purge_protected: Vec<String>,
    /// How long a recover keeps running after it answered (a fault; zero is off).
    pub(super) recover_delay: std::time::Duration,
    /// Secrets still "being recovered": `vault/name` (lower case) → since when.
    recovering: Mutex<std::collections::HashMap<String, std::time::Instant>>,
    /// Identities, roles, policies and network rules (`serve --access`); `None` is today's one token.
    pub(super) access: Option<super::access::Access>,
    /// The vault's clock: real time plus the tester's offset.
    pub(super) clock: std::sync::Arc<super::clock::Clock>,
    /// Deletes and purges still "running" (`--delete-delay`).
    pub(super) deletes: super::pending::PendingDeletes,
}

pub(super) type ApiResult = Result<(u16, Vec<u8>), ApiError>;

pub(super) fn json<T: serde::Serialize>(value: &T) -> ApiResult {
    serde_json::to_vec(value)
        .map(|b| (200, b))
        .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))
}

pub(super) fn parse_json<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    // serde's message may quote the input (a value), so report only the position.
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad(format!(
            "The request body is not valid JSON for this operation (line {}, column {}).",
            e.line(),
            e.column()
        ))
    })
}

pub(super) fn check_name(name: &str) -> Result<(), ApiError> {
    validate_name(name).map_err(|e| {
        ApiError::bad(format!(
            "Invalid secret name '{}': {e}.",
            name.escape_debug()
        ))
    })
}

/// Query parameters the service reads.
pub(super) struct Query {
    pub(super) api_version: String,
    pub(super) max_results: usize,
    pub(super) skip_token: Option<String>,
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
    if !super::fidelity::recognized_api_version(&api_version) {
        return Err(ApiError::bad(super::fidelity::unrecognized_message(
            &api_version,
        )));
    }
    Ok(Query {
        api_version,
        max_results,
        skip_token,
    })
}

/// Associated data of a `$skiptoken`: the vault and the list it pages. A `:`
/// never occurs in a vault name, so it cannot open as a value or a blob.
fn cursor_aad(vault: &str, list: &str) -> Vec<u8> {
    format!("skiptoken:{vault}:{}", list.to_ascii_lowercase()).into_bytes()
}

impl Service {
    pub(super) fn new(
        store: Store,
        token: SecretString,
        retention_days: u32,
        backup_sealer: Sealer,
    ) -> Self {
        Self {
            store: Mutex::new(store),
            token: TokenDigest::of(token.expose_secret()),
            minter: super::identity::Minter::new(token.expose_secret()),
            retention_days,
            backup_sealer,
            any_domain: false,
            arm: super::arm::ArmOptions::default(),
            purge_protected: Vec::new(),
            recover_delay: std::time::Duration::ZERO,
            recovering: Mutex::new(std::collections::HashMap::new()),
            access: None,
            clock: std::sync::Arc::new(super::clock::Clock::default()),
            deletes: super::pending::PendingDeletes::default(),
        }
    }

    /// Plays Azure's background delete and purge for `delay` after each.
    pub(super) fn with_delete_delay(mut self, delay: std::time::Duration) -> Self {
        self.deletes = super::pending::PendingDeletes::new(delay);
        self
    }

    /// Runs on `clock` (shifted by `--clock-offset`).
    pub(super) fn with_clock(mut self, clock: std::sync::Arc<super::clock::Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Now, by the vault's clock.
    pub(super) fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Enforces the access file's identities, models and network rules.
    pub(super) fn with_access(mut self, access: Option<super::access::Access>) -> Self {
        self.access = access;
        self
    }

    /// Plays Azure's asynchronous recover for `delay` after each recover.
    pub(super) fn with_recover_delay(mut self, delay: std::time::Duration) -> Self {
        self.recover_delay = delay;
        self
    }

    /// Marks `vault/name` as being recovered, when the fault is on.
    pub(super) fn begin_recovery(&self, vault: &str, name: &str) {
        if self.recover_delay.is_zero() {
            return;
        }
        let key = format!("{vault}/{}", name.to_ascii_lowercase());
        let mut map = self.recovering.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, since| since.elapsed() < self.recover_delay);
        map.insert(key, std::time::Instant::now());
    }

    /// Whether `vault/name` is still being recovered.
    pub(super) fn is_recovering(&self, vault: &str, name: &str) -> bool {
        if self.recover_delay.is_zero() {
            return false;
        }
        let key = format!("{vault}/{}", name.to_ascii_lowercase());
        let map = self.recovering.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&key)
            .is_some_and(|since| since.elapsed() < self.recover_delay)
    }

    /// Sets what discovery reports and which vaults are purge-protected.
    pub(super) fn with_arm(mut self, arm: super::arm::ArmOptions, protected: &[String]) -> Self {
        self.arm = arm;
        self.purge_protected = protected.iter().map(|n| n.to_ascii_lowercase()).collect();
        self
    }

    /// Whether `vault` runs with purge protection.
    pub(super) fn is_purge_protected(&self, vault: &str) -> bool {
        self.purge_protected
            .iter()
            .any(|v| v.eq_ignore_ascii_case(vault))
    }

    /// Lets `{vault}.{any domain}` select a vault, for a user's own certificate.
    pub(super) fn with_any_domain(mut self, any: bool) -> Self {
        self.any_domain = any;
        self
    }

    /// Runs `f` on the store; a poisoned lock still holds committed data, so keep going.
    pub(super) fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// True when `header` carries the service's token (or an identity's, with an access file).
    pub(super) fn authorized(&self, header: Option<&str>) -> bool {
        self.caller(header).is_some()
    }

    /// Who `header` names: the owner, an identity of the access file, or nobody.
    pub(super) fn caller(&self, header: Option<&str>) -> Option<Caller> {
        if self.token.accepts(header) {
            return Some(Caller::Owner);
        }
        self.access
            .as_ref()
            .and_then(|a| a.identify(header))
            .map(Caller::Identity)
            .or_else(|| self.minter.caller(header, self.access.as_ref()))
    }

    /// The local managed-identity endpoint: `identity_header` must be the owner token.
    pub(super) fn identity_token(
        &self,
        query: Option<&str>,
        identity_header: Option<&str>,
    ) -> ApiResult {
        let owner_ok = identity_header.is_some_and(|h| self.token.same_as(h.trim()));
        super::identity::answer(&self.minter, self.access.as_ref(), query, owner_ok)
    }

    /// An opaque, authenticated `$skiptoken` for `cursor` in `list` of `vault`.
    pub(super) fn seal_cursor(&self, vault: &str, list: &str, cursor: &str) -> String {
        self.backup_sealer
            .seal(cursor.as_bytes(), &cursor_aad(vault, list))
            .map(|sealed| URL_SAFE_NO_PAD.encode(sealed))
            .unwrap_or_default()
    }

    /// The cursor of a `$skiptoken` made by `seal_cursor` for the same list; 400 otherwise.
    pub(super) fn open_cursor(
        &self,
        vault: &str,
        list: &str,
        token: Option<&str>,
    ) -> Result<String, ApiError> {
        let Some(token) = token else {
            return Ok(String::new());
        };
        URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|sealed| self.backup_sealer.open(&sealed, &cursor_aad(vault, list)))
            .and_then(|plain| String::from_utf8(plain.to_vec()).ok())
            .ok_or_else(|| ApiError::bad("The $skiptoken is not valid for this list."))
    }

    /// Answers one request. The Host, then the challenge, come before anything else.
    pub(super) fn handle(&self, req: &ApiRequest) -> ApiResponse {
        let host = match parse_host_in(&req.host, self.any_domain) {
            Ok(host) => host,
            Err(e) => {
                let err = ApiError::bad(format!("Bad Host: {e}."));
                return ApiResponse {
                    status: err.status,
                    body: err.body(),
                    www_authenticate: None,
                    network_info: None,
                };
            }
        };
        let Some(caller) = self.caller(req.authorization.as_deref()) else {
            if host.is_management() {
                let err = super::arm::unauthorized(req.authorization.as_deref());
                return ApiResponse {
                    status: 401,
                    body: err.body(),
                    www_authenticate: None,
                    network_info: None,
                };
            }
            let err = ApiError::unauthorized(req.authorization.as_deref());
            return ApiResponse {
                status: 401,
                body: err.body(),
                www_authenticate: Some(host.challenge()),
                network_info: None,
            };
        };
        let routed = if host.is_management() {
            self.route_arm(req, &host, caller)
        } else {
            self.route(req, &host, caller)
        };
        match routed {
            Ok((status, body)) => ApiResponse {
                status,
                body,
                www_authenticate: None,
                network_info: None,
            },
            Err(e) => ApiResponse {
                status: e.status,
                body: e.body(),
                www_authenticate: None,
                network_info: e.network_info,
            },
        }
    }

    fn route(&self, req: &ApiRequest, host: &HostInfo, caller: Caller) -> ApiResult {
        if req.path.starts_with(super::admin::PREFIX) {
            // With an access file, moving the clock is the owner's alone.
            if self.access.is_some() && caller != Caller::Owner {
                return Err(ApiError::new(
                    403,
                    "Forbidden",
                    "The local vault's own endpoints (/_kvtui/) take the owner's token.",
                ));
            }
            return super::admin::handle(self, &req.method, &req.path, &req.body);
        }
        let q = parse_query(req.query.as_deref())?;
        let segs: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
        let m = req.method.as_str();
        if let Some(access) = &self.access {
            self.authorize(access, caller, host, &segs, m, req.peer)?;
        }
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
