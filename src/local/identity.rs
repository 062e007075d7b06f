//! A local managed-identity endpoint, as App Service serves one
//! (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`), so `az login --identity`, MSAL
//! and the SDKs' `ManagedIdentityCredential` sign in to the local vault on
//! loopback. Nothing here ever goes to the instance metadata address.
//!
//! `GET /_kvtui/identity/token?api-version=2019-08-01&resource=R` with
//! `X-IDENTITY-HEADER: <the data dir's token>` answers a JWT the service
//! accepts for a day: HS256, keyed from the token (so a new token voids it),
//! with `tid` and `oid` claims (the Azure CLI reads `tid`). With an access
//! file, `object_id`, `client_id` or `mi_res_id` pick one of its identities.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::access::{Access, Caller};
use super::api::ApiResult;

pub const PATH: &str = "/_kvtui/identity/token";
/// The only version App Service serves the `X-IDENTITY-HEADER` form under.
const API_VERSION: &str = "2019-08-01";
/// Managed-identity tokens live about a day.
const LIFETIME_SECS: i64 = 24 * 3600;
/// Slack for a client clock a little ahead or behind.
const SKEW_SECS: i64 = 300;
const KID: &str = "kvtui-local-identity";

/// True for the token request (answered before bearer authentication).
pub(super) fn is_request(method: &str, path: &str) -> bool {
    method == "GET" && path.trim_end_matches('/') == PATH
}

/// Signs and checks the tokens this endpoint hands out.
pub(super) struct Minter {
    key: zeroize::Zeroizing<[u8; 32]>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
    kid: String,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    aud: String,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    tid: String,
    oid: String,
    sub: String,
    appid: String,
    idtyp: String,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The object id of the owner (the data dir's token) when it names none.
pub(super) fn owner_object_id(access: Option<&Access>) -> String {
    access.map_or_else(
        || crate::kv_access::made_up_object_id("owner"),
        |a| a.owner_object_id.clone(),
    )
}

/// A client id for an identity that has none of its own, stable per object id.
fn client_id_for(oid: &str) -> String {
    crate::kv_access::made_up_object_id(&format!("client of {oid}"))
}

impl Minter {
    /// Keyed from the owner token (a derived key: the token itself never signs).
    pub(super) fn new(owner_token: &str) -> Self {
        let mut h = Sha256::new();
        h.update(b"kvtui local managed identity v1\0");
        h.update(owner_token.as_bytes());
        Self {
            key: zeroize::Zeroizing::new(h.finalize().into()),
        }
    }

    fn mac(&self) -> Option<Hmac<Sha256>> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key[..]).ok()
    }

    fn mint(&self, claims: &Claims) -> Option<String> {
        let header = Header {
            alg: "HS256".into(),
            typ: "JWT".into(),
            kid: KID.into(),
        };
        let head = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).ok()?);
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).ok()?);
        let signed = format!("{head}.{body}");
        let mut mac = self.mac()?;
        mac.update(signed.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        Some(format!("{signed}.{sig}"))
    }

    /// The object id a token this endpoint minted speaks for, while it is valid.
    fn verify(&self, token: &str, now: i64) -> Option<String> {
        let (signed, sig) = token.rsplit_once('.')?;
        let (head, body) = signed.split_once('.')?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        let mut mac = self.mac()?;
        mac.update(signed.as_bytes());
        mac.verify_slice(&sig).ok()?;
        let header: Header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).ok()?).ok()?;
        if header.alg != "HS256" || header.kid != KID {
            return None;
        }
        let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
        (claims.nbf - SKEW_SECS <= now && now < claims.exp).then_some(claims.oid)
    }

    /// Who a bearer header speaks for, when it carries a token minted here.
    pub(super) fn caller(&self, header: Option<&str>, access: Option<&Access>) -> Option<Caller> {
        let (scheme, token) = header?.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().matches('.').count() != 2 {
            return None;
        }
        let oid = self.verify(token.trim(), unix_now())?;
        if oid == owner_object_id(access) {
            return Some(Caller::Owner);
        }
        access?
            .identities
            .iter()
            .position(|i| i.object_id == oid)
            .map(Caller::Identity)
    }
}

/// An App Service style error: `{"statusCode": N, "message": "…"}`.
fn refuse(status: u16, message: &str) -> ApiResult {
    let body = serde_json::json!({ "statusCode": status, "message": message });
    Ok((status, body.to_string().into_bytes()))
}

/// Answers a token request. `owner_ok` says whether `X-IDENTITY-HEADER` held the owner token.
pub(super) fn answer(
    minter: &Minter,
    access: Option<&Access>,
    query: Option<&str>,
    owner_ok: bool,
) -> ApiResult {
    if !owner_ok {
        return refuse(
            401,
            "X-IDENTITY-HEADER is missing or wrong: set IDENTITY_HEADER to the contents of the data dir's token file.",
        );
    }
    let mut version = None;
    let mut resource = None;
    let mut wanted = None;
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "api-version" => version = Some(v.into_owned()),
            "resource" => resource = Some(v.into_owned()),
            "client_id" | "object_id" | "principal_id" | "mi_res_id" => {
                wanted = Some(v.into_owned())
            }
            _ => {}
        }
    }
    if version.as_deref() != Some(API_VERSION) {
        return refuse(
            400,
            &format!("The api-version must be {API_VERSION} for the X-IDENTITY-HEADER protocol."),
        );
    }
    let Some(resource) = resource.filter(|r| !r.trim().is_empty()) else {
        return refuse(400, "The 'resource' query parameter is required.");
    };
    let (oid, client_id, tid) = match wanted {
        None => {
            let oid = owner_object_id(access);
            let tid = access.and_then(|a| a.owner_claims.tid.clone());
            let client = access
                .and_then(|a| a.owner_claims.app_id().map(str::to_owned))
                .unwrap_or_else(|| client_id_for(&oid));
            (oid, client, tid)
        }
        Some(id) => {
            let found = access.and_then(|a| {
                a.identities.iter().find(|i| {
                    i.object_id.eq_ignore_ascii_case(&id)
                        || i.claims
                            .app_id()
                            .is_some_and(|c| c.eq_ignore_ascii_case(&id))
                        || id
                            .rsplit('/')
                            .next()
                            .is_some_and(|n| n.eq_ignore_ascii_case(&i.name))
                })
            });
            let Some(i) = found else {
                return refuse(
                    400,
                    "No identity of the access file has that id: the requested identity has not been assigned to this resource.",
                );
            };
            let client = i
                .claims
                .app_id()
                .map(str::to_owned)
                .unwrap_or_else(|| client_id_for(&i.object_id));
            (i.object_id.clone(), client, i.claims.tid.clone())
        }
    };
    let tid = tid.unwrap_or_else(|| super::LOCAL_TENANT.to_owned());
    let now = unix_now();
    let claims = Claims {
        aud: resource.clone(),
        iss: format!("https://sts.windows.net/{tid}/"),
        iat: now,
        nbf: now,
        exp: now + LIFETIME_SECS,
        tid,
        oid: oid.clone(),
        sub: oid,
        appid: client_id.clone(),
        idtyp: "app".into(),
    };
    let Some(token) = minter.mint(&claims) else {
        return refuse(500, "The token could not be signed.");
    };
    let body = serde_json::json!({
        "access_token": token,
        "expires_on": claims.exp.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": client_id,
    });
    Ok((200, body.to_string().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minted(m: &Minter, query: &str) -> (u16, serde_json::Value) {
        let (status, body) = answer(m, None, Some(query), true).unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[test]
    fn a_minted_token_names_the_owner_until_it_ends_or_the_token_changes() {
        let m = Minter::new("0123456789abcdef-owner");
        let (status, body) = minted(
            &m,
            "api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.localhost%3A8443%2F",
        );
        assert_eq!(status, 200, "{body}");
        let token = body["access_token"].as_str().unwrap();
        let bearer = format!("Bearer {token}");
        assert_eq!(m.caller(Some(&bearer), None), Some(Caller::Owner));
        // The claims the Azure CLI reads.
        let claims = crate::kv_access::TokenClaims::of(token).unwrap();
        assert_eq!(claims.tid.as_deref(), Some(super::super::LOCAL_TENANT));
        assert_eq!(
            claims.aud.as_deref(),
            Some("https://management.localhost:8443/")
        );
        let exp: i64 = body["expires_on"].as_str().unwrap().parse().unwrap();
        assert!(m.verify(token, exp - 1).is_some());
        assert!(m.verify(token, exp).is_none(), "ended");
        // Another owner token (a new data dir, or --token) voids it.
        assert_eq!(
            Minter::new("another-owner-token-0123").caller(Some(&bearer), None),
            None
        );
        // A changed payload breaks the signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&serde_json::json!({"oid": "x", "nbf": 0, "exp": i64::MAX}))
                .unwrap(),
        );
        parts[1] = &forged;
        assert_eq!(
            m.caller(Some(&format!("Bearer {}", parts.join("."))), None),
            None
        );
    }

    #[test]
    fn requests_without_the_header_or_with_bad_parameters_are_refused() {
        let m = Minter::new("0123456789abcdef-owner");
        let (status, _) =
            answer(&m, None, Some("api-version=2019-08-01&resource=r"), false).unwrap();
        assert_eq!(status, 401);
        assert_eq!(minted(&m, "api-version=2018-02-01&resource=r").0, 400);
        assert_eq!(minted(&m, "api-version=2019-08-01").0, 400);
        let (status, body) = minted(&m, "api-version=2019-08-01&resource=r&object_id=nobody");
        assert_eq!(status, 400, "no access file, no user-assigned identity");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("not been assigned")
        );
    }
}
