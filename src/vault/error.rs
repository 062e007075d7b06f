//! Failures classified for people: what went wrong, status, Key Vault code, what to do.
//!
//! `classify` turns whatever the SDK returned into a [`VaultError`]. It reads the
//! status and the service's JSON error body (inner code preferred), names the
//! permission an operation needs when the vault says 403, and walks the source
//! chain of transport errors to tell DNS, connect, TLS and timeouts apart. It
//! never copies a request body, so a secret value cannot end up in a message.

use std::time::Duration;

use azure_core::error::ErrorKind as SdkKind;

/// What sort of failure; the UI picks its reaction from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No credential could produce a token.
    NotSignedIn,
    /// 401 from the vault.
    Unauthorized,
    /// 403: missing permission or policy.
    Forbidden,
    /// 403 with `SecretDisabled`.
    Disabled,
    /// 403: the vault firewall refused this client address.
    Firewall,
    NotFound,
    /// 409: the name is deleted but recoverable; recover or purge it first.
    DeletedButRecoverable,
    Conflict,
    BadRequest,
    Throttled,
    Server,
    /// DNS, connect or TLS failure.
    Network,
    Timeout,
    /// A name or input refused before sending.
    InvalidInput,
    /// The file to write exists; the UI asks before replacing it.
    FileExists,
    /// A response that could not be understood, a file that could not be read.
    Other,
}

/// A failure with a message a person can act on. Never holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VaultError {
    pub kind: ErrorKind,
    /// HTTP status, when the vault answered.
    pub status: Option<u16>,
    /// Key Vault error code (inner code when there is one), e.g. `SecretDisabled`.
    pub code: Option<String>,
    /// What failed, in words.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// How long the vault asked to wait (429 `Retry-After`), when it said.
    pub retry_after: Option<Duration>,
}

impl VaultError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            code: None,
            message: message.into(),
            hint: None,
            retry_after: None,
        }
    }

    /// The secret a vault refusal names ("Secret NAME is currently in a
    /// deleted…", "Secret NAME already exists"): a restore only learns the
    /// name of what it restores from this.
    pub fn secret_name(&self) -> Option<String> {
        let mut rest = self.message.as_str();
        while let Some(at) = rest.find("Secret ") {
            rest = &rest[at + "Secret ".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let after = rest[name.len()..].chars().next();
            if !name.is_empty() && matches!(after, Some(' ') | None) {
                return Some(name);
            }
        }
        None
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A request that got no answer in time.
    pub fn timeout(op: Op, host: &str, after: Duration) -> Self {
        Self::new(
            ErrorKind::Timeout,
            format!(
                "{} timed out: {host} did not answer within {} s",
                op.describe(),
                after.as_secs()
            ),
        )
        .with_hint("Check the network or VPN, then retry.")
    }
}

/// The operation that failed, so a 403 can name the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    List,
    ListVersions,
    Get,
    Set,
    Update,
    Delete,
    ListDeleted,
    GetDeleted,
    Recover,
    Purge,
    Backup,
    Restore,
}

impl Op {
    /// The access-policy permission Key Vault checks for this operation.
    pub fn permission(self) -> &'static str {
        match self {
            Op::List | Op::ListVersions | Op::ListDeleted => "secrets/list",
            Op::Get | Op::GetDeleted => "secrets/get",
            Op::Set | Op::Update => "secrets/set",
            Op::Delete => "secrets/delete",
            Op::Recover => "secrets/recover",
            Op::Purge => "secrets/purge",
            Op::Backup => "secrets/backup",
            Op::Restore => "secrets/restore",
        }
    }

    /// The smallest built-in RBAC role that allows this operation.
    pub fn rbac_role(self) -> &'static str {
        match self {
            Op::List | Op::ListVersions | Op::Get => "Key Vault Secrets User",
            _ => "Key Vault Secrets Officer",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Op::List => "Listing secrets",
            Op::ListVersions => "Listing versions",
            Op::Get => "Reading the secret",
            Op::Set => "Saving the secret",
            Op::Update => "Updating properties",
            Op::Delete => "Deleting the secret",
            Op::ListDeleted => "Listing deleted secrets",
            Op::GetDeleted => "Reading the deleted secret",
            Op::Recover => "Recovering the secret",
            Op::Purge => "Purging the secret",
            Op::Backup => "Backing up the secret",
            Op::Restore => "Restoring the backup",
        }
    }
}

/// The service's error body: `{"error":{"code","message","innererror":{"code"}}}`.
#[derive(Debug, Default, serde::Deserialize)]
struct Body {
    error: Option<Detail>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct Detail {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "innererror")]
    inner: Option<Box<Detail>>,
}

impl Detail {
    /// The most specific code: the innermost one there is.
    fn deepest_code(&self) -> Option<&str> {
        self.inner
            .as_deref()
            .and_then(Detail::deepest_code)
            .or(self.code.as_deref())
    }
}

/// Longest service message kept, so a strange body cannot flood the UI.
const MAX_MESSAGE: usize = 400;

/// One line, at most `MAX_MESSAGE` characters: service messages carry `\r\n`.
fn clip(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.char_indices().nth(MAX_MESSAGE) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// Classifies an SDK error from `op` against the vault at `host`.
pub(crate) fn classify(err: &azure_core::Error, op: Op, host: &str) -> VaultError {
    match err.kind() {
        SdkKind::HttpResponse {
            status,
            error_code,
            raw_response,
        } => {
            let body: Body = raw_response
                .as_ref()
                .and_then(|r| serde_json::from_slice(r.body().as_ref()).ok())
                .unwrap_or_default();
            let detail = body.error.unwrap_or_default();
            // Without a body the SDK fills in the status as the "code"; that is no code.
            let error_code = error_code
                .clone()
                .filter(|c| !c.bytes().all(|b| b.is_ascii_digit()));
            let code = detail
                .deepest_code()
                .map(str::to_owned)
                .or_else(|| error_code.clone());
            let outer = detail.code.clone().or_else(|| error_code.clone());
            let service_msg = detail.message.as_deref().map(clip);
            let caller = raw_response.as_ref().and_then(|r| {
                r.headers()
                    .get_optional_str(&azure_core::http::headers::HeaderName::from_static(
                        super::forbidden::NETWORK_INFO_HEADER,
                    ))
                    .and_then(super::forbidden::caller_address)
            });
            let said = service_msg
                .clone()
                .unwrap_or_else(|| format!("HTTP {status}"));
            let mut error = from_status(
                u16::from(*status),
                outer.as_deref(),
                code,
                service_msg,
                op,
                host,
            );
            error.retry_after = raw_response.as_ref().and_then(|r| retry_after(r.headers()));
            if let Some(addr) = caller.filter(|_| error.kind == ErrorKind::Firewall) {
                let code = error.code.clone();
                let (_, message, hint) = super::forbidden::classify_403(
                    &|c| code.as_deref() == Some(c),
                    &said,
                    op,
                    host,
                    Some(&addr),
                );
                error.message = message;
                error.hint = hint;
            }
            error
        }
        SdkKind::Credential => VaultError::new(
            ErrorKind::NotSignedIn,
            format!("Not signed in to Azure: {}", clip(&chain_text(err))),
        )
        .with_hint(crate::vault::credential::SIGN_IN_HINT),
        SdkKind::Connection | SdkKind::Io => network(err, op, host),
        SdkKind::DataConversion => VaultError::new(
            ErrorKind::Other,
            format!(
                "{} failed: the answer from {host} could not be understood ({})",
                op.describe(),
                clip(&chain_text(err))
            ),
        ),
        _ => {
            let text = chain_text(err);
            if text.contains("challenge resource") {
                VaultError::new(
                    ErrorKind::Unauthorized,
                    format!("{host} asked for a token for another domain: {}", clip(&text)),
                )
                .with_hint("Check the vault URL; a real vault ends in .vault.azure.net (or the sovereign-cloud suffix).")
            } else {
                VaultError::new(
                    ErrorKind::Other,
                    format!("{} failed: {}", op.describe(), clip(&text)),
                )
            }
        }
    }
}

/// The wait a 429 asks for: `retry-after-ms`, `x-ms-retry-after-ms`, or
/// `Retry-After` in seconds.
fn retry_after(headers: &azure_core::http::headers::Headers) -> Option<Duration> {
    use azure_core::http::headers::HeaderName;
    let get = |name: &'static str| headers.get_optional_str(&HeaderName::from_static(name));
    let ms = get("retry-after-ms")
        .or_else(|| get("x-ms-retry-after-ms"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis);
    ms.or_else(|| {
        get("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
    })
}

/// Classifies a vault answer by status and code.
fn from_status(
    status: u16,
    outer: Option<&str>,
    code: Option<String>,
    service_msg: Option<String>,
    op: Op,
    host: &str,
) -> VaultError {
    let said = service_msg
        .clone()
        .unwrap_or_else(|| format!("HTTP {status}"));
    let code_is = |c: &str| code.as_deref() == Some(c) || outer == Some(c);
    let (kind, message, hint): (ErrorKind, String, Option<String>) = match status {
        401 if is_loopback(host) => (
            ErrorKind::Unauthorized,
            format!("{host} refused the token (401): {said}"),
            Some(
                "Check the local vault's token file (`token` in its data dir; `kvtui serve` prints where)."
                    .into(),
            ),
        ),
        401 => (
            ErrorKind::Unauthorized,
            format!("{host} refused the credentials (401): {said}"),
            Some("Sign in again (`az login`) or check --tenant.".into()),
        ),
        403 => super::forbidden::classify_403(&code_is, &said, op, host, None),
        404 => (
            ErrorKind::NotFound,
            format!("Not found (404): {said}"),
            Some("Refresh the list; it may have been deleted or purged.".into()),
        ),
        409 if code_is("ObjectIsBeingRecovered") => (
            ErrorKind::Conflict,
            format!("The secret is still being recovered (409 ObjectIsBeingRecovered): {said}"),
            Some("Recovery takes a few seconds in Azure; kvtui retries by itself, or retry in a moment.".into()),
        ),
        409 if code_is("ObjectIsDeletedButRecoverable") => (
            ErrorKind::DeletedButRecoverable,
            format!("The name is deleted but recoverable (409): {said}"),
            Some("Recover it, or purge it, from the deleted secrets view; then retry.".into()),
        ),
        409 if op == Op::Restore => (
            ErrorKind::Conflict,
            format!("The name is in use (409): {said}"),
            Some("A backup restores only onto a free name: delete and purge the secret first, or restore into another vault.".into()),
        ),
        409 => (
            ErrorKind::Conflict,
            format!("Conflict (409): {said}"),
            Some("Refresh and retry; another change may have happened meanwhile.".into()),
        ),
        400 => (
            ErrorKind::BadRequest,
            format!("The vault refused the request (400): {said}"),
            None,
        ),
        429 => (
            ErrorKind::Throttled,
            format!("The vault is throttling requests (429), even after retries: {said}"),
            Some("Wait a little and retry.".into()),
        ),
        500..=599 => (
            ErrorKind::Server,
            format!("{host} had a server error ({status}): {said}"),
            Some("Retry later; check the Azure status page if it persists.".into()),
        ),
        _ => (
            ErrorKind::Other,
            format!("{} failed with HTTP {status}: {said}", op.describe()),
            None,
        ),
    };
    VaultError {
        kind,
        status: Some(status),
        code,
        message,
        hint,
        retry_after: None,
    }
}

/// Whether `host` is this machine: a local vault, whose token and CA live in
/// its data dir.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host.ends_with(".localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// DNS, connect, TLS or a broken connection, with the host named.
fn network(err: &azure_core::Error, op: Op, host: &str) -> VaultError {
    let text = chain_text(err);
    let lower = text.to_ascii_lowercase();
    let (what, hint) = if lower.contains("dns error") || lower.contains("failed to lookup") {
        (
            format!("cannot resolve {host}"),
            "Check the vault name (and --cloud), DNS and VPN.",
        )
    } else if lower.contains("close_notify")
        || lower.contains("connection closed")
        || lower.contains("unexpected eof")
        || lower.contains("connection reset")
    {
        // Checked before TLS: a cut answer names TLS's close_notify.
        (
            format!("the connection to {host} was cut before the answer ended"),
            "A change may have been made all the same: refresh to check before trying again.",
        )
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        (
            format!("TLS with {host} failed (the certificate is not trusted)"),
            "For a local vault, the CA in the data dir must match the running service; behind a proxy, trust its CA.",
        )
    } else if lower.contains("refused") {
        (
            format!("{host} refused the connection"),
            "Is the vault running? For a local vault start `kvtui serve` or check the port.",
        )
    } else if lower.contains("timed out") {
        return VaultError::new(
            ErrorKind::Timeout,
            format!("{} timed out talking to {host}", op.describe()),
        )
        .with_hint("Check the network or VPN, then retry.");
    } else {
        (
            format!("the connection to {host} failed"),
            "Check the network, proxy and VPN, then retry.",
        )
    };
    VaultError::new(
        ErrorKind::Network,
        format!("{} failed: {what} ({})", op.describe(), clip(&text)),
    )
    .with_hint(hint)
}

/// The error and its sources joined, so the root cause (refused, dns, certificate) shows.
fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// The message with its status, code and hint, for a form's error line and
/// the history. A status or code the message already names is not repeated.
pub fn describe(error: &VaultError) -> String {
    let mut s = error.message.clone();
    let status = error
        .status
        .map(|st| st.to_string())
        .filter(|st| !s.contains(st.as_str()));
    let code = error.code.clone().filter(|c| !s.contains(c.as_str()));
    match (status, code) {
        (Some(st), Some(code)) => s.push_str(&format!(" ({st} {code})")),
        (Some(st), None) => s.push_str(&format!(" ({st})")),
        (None, Some(code)) => s.push_str(&format!(" ({code})")),
        (None, None) => {}
    }
    if let Some(hint) = &error.hint {
        s.push_str(". ");
        s.push_str(hint);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_but_recoverable_is_its_own_kind() {
        let e = from_status(
            409,
            Some("Conflict"),
            Some("ObjectIsDeletedButRecoverable".into()),
            Some("Secret x is currently in a deleted but recoverable state".into()),
            Op::Set,
            "kv.vault.azure.net",
        );
        assert_eq!(e.kind, ErrorKind::DeletedButRecoverable);
        assert_eq!(e.status, Some(409));
        assert_eq!(e.code.as_deref(), Some("ObjectIsDeletedButRecoverable"));
        let plain = from_status(
            409,
            Some("Conflict"),
            Some("Conflict".into()),
            None,
            Op::Restore,
            "h",
        );
        assert_eq!(plain.kind, ErrorKind::Conflict);
    }

    #[test]
    fn a_refusal_names_its_secret() {
        let deleted = from_status(
            409,
            Some("Conflict"),
            Some("ObjectIsDeletedButRecoverable".into()),
            Some("Secret db-pass is currently in a deleted but recoverable state, and its name cannot be reused".into()),
            Op::Restore,
            "h",
        );
        assert_eq!(deleted.secret_name().as_deref(), Some("db-pass"));
        let live = from_status(
            409,
            Some("Conflict"),
            None,
            Some("Secret api-key already exists; restore needs a name that is not in use.".into()),
            Op::Restore,
            "h",
        );
        assert_eq!(live.secret_name().as_deref(), Some("api-key"));
        assert!(live.message.contains("in use"), "{}", live.message);
        assert!(live.hint.as_deref().unwrap_or("").contains("purge"));
        let none = VaultError::new(ErrorKind::Conflict, "Secret: none here");
        assert_eq!(none.secret_name(), None);
    }

    #[test]
    fn described_failures_name_their_status_and_code_once() {
        let cases = [
            (400, Some("BadParameter"), "bad"),
            (401, Some("Unauthorized"), "AKV10032: Invalid issuer."),
            (403, Some("ForbiddenByRbac"), "Caller is not authorized"),
            (403, Some("SecretDisabled"), "Operation get is not allowed"),
            (
                404,
                Some("SecretNotFound"),
                "A secret with (name/id) x was not found",
            ),
            (409, Some("Conflict"), "Secret x already exists"),
            (
                409,
                Some("ObjectIsDeletedButRecoverable"),
                "Secret x is currently deleted",
            ),
            (429, Some("Throttled"), "Too many requests"),
            (503, Some("ServiceUnavailable"), "down"),
            (418, None, "teapot"),
        ];
        for op in [Op::Set, Op::Restore, Op::Get] {
            for (status, code, said) in cases {
                let e = from_status(
                    status,
                    code,
                    code.map(str::to_owned),
                    Some(said.into()),
                    op,
                    "kv.vault.azure.net",
                );
                let text = describe(&e);
                assert_eq!(text.matches(&status.to_string()).count(), 1, "{text}");
                if let Some(code) = code {
                    assert!(text.matches(code).count() <= 1, "{text}");
                }
            }
        }
    }

    #[test]
    fn a_refused_token_points_a_local_vault_at_its_token_file() {
        let said = Some("The bearer token is not valid: it is not this vault's token.".into());
        for host in ["localhost", "demo.localhost", "127.0.0.1", "[::1]"] {
            let e = from_status(
                401,
                Some("Unauthorized"),
                None,
                said.clone(),
                Op::List,
                host,
            );
            assert!(
                e.message.contains("refused the token (401)"),
                "{}",
                e.message
            );
            assert!(
                e.message.contains("not this vault's token"),
                "{}",
                e.message
            );
            let hint = e.hint.unwrap_or_default();
            assert!(
                hint.starts_with("Check the local vault's token file"),
                "{hint}"
            );
            assert!(!hint.contains("az login"), "{hint}");
        }
        let azure = from_status(401, None, None, None, Op::List, "kv.vault.azure.net");
        assert!(azure.hint.unwrap_or_default().contains("az login"));
    }

    #[test]
    fn forbidden_names_permission_and_role() {
        let e = from_status(
            403,
            Some("Forbidden"),
            Some("ForbiddenByRbac".into()),
            Some("Caller is not authorized to perform action on resource.".into()),
            Op::Get,
            "kv.vault.azure.net",
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(e.message.contains("secrets/get"), "{}", e.message);
        assert!(
            e.hint
                .as_deref()
                .unwrap_or("")
                .contains("Key Vault Secrets User")
        );
        let set = from_status(403, Some("Forbidden"), None, None, Op::Purge, "h");
        assert!(set.message.contains("secrets/purge"));
        assert!(
            set.hint
                .as_deref()
                .unwrap_or("")
                .contains("Key Vault Secrets Officer")
        );
    }

    #[test]
    fn firewall_and_disabled_are_distinct() {
        let fw = from_status(
            403,
            Some("Forbidden"),
            Some("ForbiddenByFirewall".into()),
            Some("Client address is not authorized and caller is not a trusted service.".into()),
            Op::List,
            "kv.vault.azure.net",
        );
        assert_eq!(fw.kind, ErrorKind::Firewall);
        let by_text = from_status(
            403,
            None,
            None,
            Some("Client address is not authorized and caller is not a trusted service.".into()),
            Op::List,
            "h",
        );
        assert_eq!(by_text.kind, ErrorKind::Firewall);
        let dis = from_status(
            403,
            Some("Forbidden"),
            Some("SecretDisabled".into()),
            Some("Operation get is not allowed on a disabled secret.".into()),
            Op::Get,
            "h",
        );
        assert_eq!(dis.kind, ErrorKind::Disabled);
    }

    #[test]
    fn statuses_map_to_kinds() {
        for (status, kind) in [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::Unauthorized),
            (404, ErrorKind::NotFound),
            (429, ErrorKind::Throttled),
            (503, ErrorKind::Server),
            (418, ErrorKind::Other),
        ] {
            assert_eq!(
                from_status(status, None, None, None, Op::Get, "h").kind,
                kind
            );
        }
    }

    #[test]
    fn inner_code_is_preferred() {
        let body: Body = serde_json::from_str(
            r#"{"error":{"code":"Conflict","message":"m","innererror":{"code":"ObjectIsDeletedButRecoverable"}}}"#,
        )
        .unwrap_or_default();
        let detail = body.error.unwrap_or_default();
        assert_eq!(detail.deepest_code(), Some("ObjectIsDeletedButRecoverable"));
    }

    #[test]
    fn credential_failure_is_not_signed_in() {
        let err = azure_core::Error::with_message(
            SdkKind::Credential,
            "AzureCliCredential: az not found",
        );
        let e = classify(&err, Op::List, "kv.vault.azure.net");
        assert_eq!(e.kind, ErrorKind::NotSignedIn);
        assert!(e.hint.as_deref().unwrap_or("").contains("az login"));
    }

    #[test]
    fn transport_failures_name_the_host_and_cause() {
        let io = |msg: &str| {
            azure_core::Error::with_error(
                SdkKind::Connection,
                std::io::Error::other(msg.to_owned()),
                "failed to execute `reqwest` request",
            )
        };
        let host = "kv-demo.vault.azure.net";
        let dns = classify(
            &io("dns error: failed to lookup address information"),
            Op::List,
            host,
        );
        assert_eq!(dns.kind, ErrorKind::Network);
        assert!(
            dns.message
                .contains("cannot resolve kv-demo.vault.azure.net"),
            "{}",
            dns.message
        );
        let tls = classify(
            &io("invalid peer certificate: UnknownIssuer"),
            Op::Get,
            host,
        );
        assert!(tls.message.contains("TLS"), "{}", tls.message);
        let cut = classify(
            &io("connection error: peer closed connection without sending TLS close_notify"),
            Op::Set,
            host,
        );
        assert!(cut.message.contains("was cut"), "{}", cut.message);
        assert!(!cut.message.contains("not trusted"), "{}", cut.message);
        let refused = classify(&io("Connection refused (os error 111)"), Op::Get, host);
        assert!(
            refused.message.contains("refused the connection"),
            "{}",
            refused.message
        );
        let slow = classify(&io("operation timed out"), Op::Get, host);
        assert_eq!(slow.kind, ErrorKind::Timeout);
    }

    #[test]
    fn long_messages_are_clipped() {
        let long = "x".repeat(5000);
        assert!(clip(&long).chars().count() <= MAX_MESSAGE + 1);
        assert_eq!(clip(" a\r\nb  c\n"), "a b c");
    }
}
