//! The emulator's own endpoints, under `/_kvtui/` (no Key Vault or Resource
//! Manager path starts with `_`), on any host of the service:
//! - `GET /_kvtui/health` answers without a token, for CI readiness probes;
//! - `GET /_kvtui/clock` reads the vault's clock, `POST /_kvtui/clock` moves
//!   it (`{"offset": "+90d"}` sets the offset, `{"advance": "+91d"}` adds to
//!   it) and runs the retention purge at once; both need the token.

use serde::Deserialize;

use super::api::{ApiResult, Service, json, parse_json};
use super::clock::parse_offset;
use super::errors::ApiError;

pub(super) const PREFIX: &str = "/_kvtui/";
const HEALTH: &str = "/_kvtui/health";
const CLOCK: &str = "/_kvtui/clock";

/// True for the path that answers without a token.
pub(super) fn is_health(method: &str, path: &str) -> bool {
    (method == "GET" || method == "HEAD") && path.trim_end_matches('/') == HEALTH
}

/// The health answer: up, and the clock it keeps.
pub(super) fn health(svc: &Service) -> ApiResult {
    json(&serde_json::json!({ "status": "ok", "now": svc.clock.now() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    offset: Option<serde_json::Value>,
    advance: Option<serde_json::Value>,
}

/// Seconds from a JSON number or a span string.
fn seconds(v: &serde_json::Value) -> Result<i64, ApiError> {
    match v {
        serde_json::Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| ApiError::bad("The clock offset must be whole seconds.")),
        serde_json::Value::String(s) => parse_offset(s).map_err(ApiError::bad),
        _ => Err(ApiError::bad(
            "Give the clock offset as seconds or a span like \"+90d\".",
        )),
    }
}

fn clock_json(svc: &Service) -> ApiResult {
    let now = svc.clock.now();
    let iso = time::OffsetDateTime::from_unix_timestamp(now)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    json(&serde_json::json!({
        "now": now,
        "nowIso": iso,
        "offsetSeconds": svc.clock.offset(),
    }))
}

/// An authenticated request under [`PREFIX`].
pub(super) fn handle(svc: &Service, method: &str, path: &str, body: &[u8]) -> ApiResult {
    match (path.trim_end_matches('/'), method) {
        (HEALTH, "GET" | "HEAD") => health(svc),
        (CLOCK, "GET") => clock_json(svc),
        (CLOCK, "POST" | "PUT") => {
            let body: ClockBody = parse_json(body)?;
            let offset = match (&body.offset, &body.advance) {
                (Some(o), None) => seconds(o)?,
                (None, Some(a)) => svc.clock.offset().saturating_add(seconds(a)?),
                _ => {
                    return Err(ApiError::bad(
                        "Give exactly one of \"offset\" (set) or \"advance\" (add), like {\"advance\": \"+91d\"}.",
                    ));
                }
            };
            svc.clock.set_offset(offset);
            let now = svc.clock.now();
            let purged = svc
                .with_store(|s| s.purge_expired(now))
                .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?;
            tracing::info!(offset, purged, "the vault's clock moved");
            clock_json(svc)
        }
        (HEALTH | CLOCK, m) => Err(ApiError::new(
            405,
            "MethodNotAllowed",
            format!("The method {m} is not allowed here."),
        )),
        (p, _) => Err(ApiError::new(
            404,
            "NotFound",
            format!("No kvtui endpoint at {p}."),
        )),
    }
}
