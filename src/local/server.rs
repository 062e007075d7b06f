//! HTTPS on a TCP listener: TLS, HTTP/1.1 or HTTP/2, one store call per request.
//! Nothing is spent on a client before it authenticates: the Host and the
//! token are checked from the head alone, and every stage has a deadline.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, RETRY_AFTER, WWW_AUTHENTICATE,
};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::LazyConfigAcceptor;
use tokio_util::sync::CancellationToken;

use super::api::{ApiRequest, ApiResponse, Service};
use super::certs::CertSource;
use super::conns::{Slot, Tracker};
use super::errors::ApiError;
use super::faults::{FaultState, ReplyBody};
use super::host::{HostError, parse_host_in};
use super::limits::{Limits, MAX_BODY_BYTES, MAX_RESTORE_BODY_BYTES};

/// Request heads larger than this are refused (HTTP/1.1 buffer, HTTP/2 header list).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// What every connection shares.
pub(super) struct Server {
    pub certs: Arc<CertSource>,
    pub service: Arc<Service>,
    pub limits: Limits,
    pub faults: Arc<FaultState>,
}

struct Shared {
    server: Server,
    /// Restore bodies may be tens of MiB: one is read at a time.
    restore_gate: Semaphore,
    /// A backup's blob may be tens of MiB: one is made at a time.
    backup_gate: Semaphore,
    /// HTTP/2 connections a client ended with too many resets.
    reset_log: super::loglimit::LogLimit,
    /// Requests on the blocking pool now (writes, and reads behind them).
    pooled: AtomicUsize,
}

/// One request counted in `Shared::pooled` while it lives (a dropped
/// request future, a closed connection, still uncounts it).
struct Pooled<'a>(&'a AtomicUsize);

impl<'a> Pooled<'a> {
    fn count(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::AcqRel);
        Pooled(n)
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Server {
    /// Accepts connections until `stop` is cancelled, then closes them all.
    pub(super) async fn serve(self, listener: TcpListener, stop: CancellationToken) {
        let tracker = Tracker::new(self.limits.connection_cap());
        tracing::debug!(cap = tracker.cap(), "connection cap");
        let shared = Arc::new(Shared {
            server: self,
            restore_gate: Semaphore::new(1),
            backup_gate: Semaphore::new(1),
            reset_log: super::loglimit::LogLimit::default(),
            pooled: AtomicUsize::new(0),
        });
        let mut backoff = AcceptBackoff::default();
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            let accepted = tokio::select! {
                _ = stop.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let (tcp, peer) = match accepted {
                Ok(pair) => {
                    backoff.succeeded();
                    pair
                }
                Err(e) => {
                    let (pause, log) = backoff.failed(Instant::now());
                    if let Some(suppressed) = log {
                        tracing::warn!(error = %e, suppressed, pause_ms = pause.as_millis() as u64, "accept failed; pausing");
                    }
                    tokio::select! {
                        _ = stop.cancelled() => break,
                        _ = tokio::time::sleep(pause) => continue,
                    }
                }
            };
            let slot = tokio::select! {
                _ = stop.cancelled() => break,
                slot = tracker.admit(&stop) => slot,
            };
            tasks.spawn(connection(shared.clone(), tcp, peer, slot));
            // Reap finished connections so the set stays small.
            while tasks.try_join_next().is_some() {}
        }
        tasks.shutdown().await;
    }
}

/// Accept errors (EMFILE above all) pause the loop, longer each time up to a
/// second, and are logged at most once a second with how many were not.
#[derive(Default)]
pub(super) struct AcceptBackoff {
    pause: Duration,
    last_log: Option<Instant>,
    suppressed: u64,
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_secs(1);

    /// The pause before the next accept, and `Some(suppressed)` when to log.
    pub(super) fn failed(&mut self, now: Instant) -> (Duration, Option<u64>) {
        self.pause = (self.pause * 2).clamp(Self::FIRST, Self::MAX);
        let due = self
            .last_log
            .is_none_or(|last| now.saturating_duration_since(last) >= Duration::from_secs(1));
        if due {
            self.last_log = Some(now);
            let n = std::mem::take(&mut self.suppressed);
            (self.pause, Some(n))
        } else {
            self.suppressed += 1;
            (self.pause, None)
        }
    }

    pub(super) fn succeeded(&mut self) {
        self.pause = Duration::ZERO;
    }
}

/// Requests in flight on a connection, and when the last one ended.
struct Busy {
    inflight: AtomicUsize,
    last: Mutex<Instant>,
}

struct BusyGuard<'a>(&'a Busy);

impl Busy {
    fn new() -> Self {
        Self {
            inflight: AtomicUsize::new(0),
            last: Mutex::new(Instant::now()),
        }
    }

    fn begin(&self) -> BusyGuard<'_> {
        self.inflight.fetch_add(1, Ordering::SeqCst);
        BusyGuard(self)
    }

    fn last(&self) -> Instant {
        *self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Resolves once no request has been in flight for `idle`.
    async fn idle_for(&self, idle: Duration) {
        loop {
            let quiet = self.last().elapsed();
            if self.inflight.load(Ordering::SeqCst) == 0 && quiet >= idle {
                return;
            }
            tokio::time::sleep(idle.saturating_sub(quiet).max(Duration::from_millis(50))).await;
        }
    }
}

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        *self.0.last.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        self.0.inflight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One connection's state that its requests see.
struct ConnCtx {
    /// The TLS server name, lower case; `None` when the client sent none (addresses).
    sni: Option<String>,
    slot: Slot,
    busy: Busy,
    /// The client's address (the access file's firewall reads it).
    peer: SocketAddr,
}

async fn connection(shared: Arc<Shared>, tcp: TcpStream, peer: SocketAddr, slot: Slot) {
    let _ = tcp.set_nodelay(true);
    let stop = slot.stop.clone();
    let limits = &shared.server.limits;
    let handshake = async {
        let start = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp).await?;
        let sni = start.client_hello().server_name().map(str::to_owned);
        let config = shared.server.certs.config_for(sni.as_deref()).await;
        start.into_stream(config).await
    };
    let tls = tokio::select! {
        _ = stop.cancelled() => return,
        done = tokio::time::timeout(limits.handshake, handshake) => match done {
            Ok(Ok(tls)) => tls,
            Ok(Err(e)) => {
                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!(%peer, "TLS handshake timed out");
                return;
            }
        },
    };
    let ctx = Arc::new(ConnCtx {
        sni: tls.get_ref().1.server_name().map(str::to_ascii_lowercase),
        slot,
        busy: Busy::new(),
        peer,
    });
    let svc = {
        let (shared, ctx) = (shared.clone(), ctx.clone());
        hyper::service::service_fn(move |req| respond(shared.clone(), ctx.clone(), req))
    };
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.headers)
        .max_buf_size(MAX_HEAD_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.max_streams)
        .max_header_list_size(MAX_HEAD_BYTES as u32)
        .max_pending_accept_reset_streams(Some(limits.max_streams as usize * 2));
    let conn = builder.serve_connection(TokioIo::new(tls), svc);
    tokio::pin!(conn);
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = ctx.busy.idle_for(limits.idle) => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(1), conn.as_mut()).await;
        }
        res = conn.as_mut() => if let Err(e) = res {
            tracing::debug!(%peer, error = %e, "connection ended with an error");
            let text = format!("{e:?}");
            if (text.contains("ENHANCE_YOUR_CALM") || text.contains("too_many"))
                && let Some(left_out) = shared.reset_log.due(Instant::now())
            {
                tracing::warn!(%peer, left_out, "HTTP/2 connection closed: too many stream resets");
            }
        },
    }
}

fn error(e: ApiError) -> ApiResponse {
    ApiResponse {
        status: e.status,
        body: e.body(),
        www_authenticate: None,
        network_info: e.network_info,
    }
}

/// An answer and what the faults add to it.
struct Reply {
    api: ApiResponse,
    retry_after: Option<u64>,
    /// Share of the body to send before cutting the response.
    cut: Option<f64>,
}

impl From<ApiResponse> for Reply {
    fn from(api: ApiResponse) -> Self {
        Reply {
            api,
            retry_after: None,
            cut: None,
        }
    }
}

async fn respond(
    shared: Arc<Shared>,
    ctx: Arc<ConnCtx>,
    req: Request<Incoming>,
) -> Result<Response<ReplyBody>, Infallible> {
    let _busy = ctx.busy.begin();
    let _active = ctx.slot.begin();
    let head = req.method() == Method::HEAD;
    let answer = answer(&shared, &ctx, req).await;
    Ok(to_response(answer, head))
}

/// The Host: one `Host` header or the request target's authority, not both differing.
fn request_host(parts: &Parts) -> Result<String, HostError> {
    let mut headers = parts.headers.get_all(HOST).iter();
    let first = headers.next();
    if headers.next().is_some() {
        return Err(HostError::Repeated);
    }
    let header = first
        .map(|h| h.to_str().map_err(|_| HostError::BadName))
        .transpose()?;
    match (header, parts.uri.authority().map(|a| a.as_str())) {
        (Some(h), Some(a)) if !h.eq_ignore_ascii_case(a) => Err(HostError::Repeated),
        (Some(h), _) | (None, Some(h)) => Ok(h.to_owned()),
        (None, None) => Err(HostError::Missing),
    }
}

async fn answer(shared: &Shared, ctx: &ConnCtx, req: Request<Incoming>) -> Reply {
    let (parts, body) = req.into_parts();
    let any_domain = shared.server.service.any_domain;
    let host = match request_host(&parts)
        .and_then(|raw| parse_host_in(&raw, any_domain).map(|h| (raw, h)))
    {
        Ok(found) => found,
        Err(e) => return error(ApiError::bad(format!("Bad Host: {e}."))).into(),
    };
    let (raw_host, info) = host;
    if ctx.sni.as_ref().is_some_and(|sni| *sni != info.name) {
        return error(ApiError::new(
            421,
            "MisdirectedRequest",
            "The Host names another server than the TLS connection was made for.",
        ))
        .into();
    }
    let authorization = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let service = shared.server.service.clone();
    // `az cloud register` reads the cloud's endpoints without a token.
    if info.is_management() && super::arm_meta::is_metadata(parts.method.as_str(), parts.uri.path())
    {
        return match super::arm_meta::metadata(&info, parts.uri.query(), &service.arm.vault_suffix) {
            Ok((status, body)) => ApiResponse {
                status,
                body,
                www_authenticate: None,
                network_info: None,
            },
            Err(e) => error(e),
        }
        .into();
    }
    // Readiness probes ask before they have a token.
    if super::admin::is_health(parts.method.as_str(), parts.uri.path()) {
        return match super::admin::health(&service) {
            Ok((status, body)) => ApiResponse {
                status,
                body,
                www_authenticate: None,
                network_info: None,
            },
            Err(e) => error(e),
        }
        .into();
    }
    // The managed-identity endpoint has its own secret header instead of a token.
    if super::identity::is_request(parts.method.as_str(), parts.uri.path()) {
        let secret = parts
            .headers
            .get("x-identity-header")
            .and_then(|h| h.to_str().ok());
        return match service.identity_token(parts.uri.query(), secret) {
            Ok((status, body)) => ApiResponse {
                status,
                body,
                www_authenticate: None,
                network_info: None,
            },
            Err(e) => error(e),
        }
        .into();
    }
    // Authenticate from the head alone: an unauthenticated body is never read.
    if !service.authorized(authorization.as_deref()) {
        // Resource Manager sends no challenge: its 401 is final.
        if info.is_management() {
            return error(super::arm::unauthorized(authorization.as_deref())).into();
        }
        return ApiResponse {
            status: 401,
            body: ApiError::unauthorized(authorization.as_deref()).body(),
            www_authenticate: Some(info.challenge()),
            network_info: None,
        }
        .into();
    }
    ctx.slot.trusted.store(true, Ordering::Relaxed);
    if !info.is_management() {
        shared.server.certs.know(&info.vault);
    }
    let restore = parts.method == Method::POST
        && parts
            .uri
            .path()
            .split('/')
            .filter(|s| !s.is_empty())
            .eq(["secrets", "restore"]);
    let limit = if restore {
        MAX_RESTORE_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    };
    let body = match read_body(shared, body, &parts, limit, restore).await {
        Ok(body) => body,
        Err(e) => return error(e).into(),
    };
    // Faults come after the body is read (the connection stays usable) and
    // before the handler: a refused request commits nothing.
    let faults = &shared.server.faults;
    let plan = faults.plan();
    let refused = match faults.admit(&info.name, Instant::now()) {
        Err(secs) => Some((ApiError::throttled(secs), Some(secs))),
        Ok(()) => plan.fail.map(|status| (ApiError::injected(status), None)),
    };
    if let Some((e, retry_after)) = refused {
        faults.pause(plan.delay).await;
        return Reply {
            api: error(e),
            retry_after,
            cut: None,
        };
    }
    let api = ApiRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        host: raw_host,
        authorization,
        body,
        peer: Some(ctx.peer.ip()),
    };
    let backup = api.method == "POST" && {
        let segs: Vec<&str> = api.path.split('/').filter(|s| !s.is_empty()).collect();
        matches!(segs.as_slice(), ["secrets", _, "backup"])
    };
    let _gate = match backup {
        true => shared.backup_gate.acquire().await.ok(),
        false => None,
    };
    let answer = if api.method == "GET" && shared.pooled.load(Ordering::Acquire) == 0 {
        // With no write running, a read holds the store for microseconds:
        // answering here saves the two thread hand-offs of the blocking pool
        // (most of a GET's cost); at worst it waits for another read.
        std::panic::catch_unwind(AssertUnwindSafe(|| service.handle(&api))).map_err(drop)
    } else {
        // Writes commit to disk (an fsync): keep them, and reads behind them,
        // off the async workers.
        let _pooled = Pooled::count(&shared.pooled);
        tokio::task::spawn_blocking(move || service.handle(&api))
            .await
            .map_err(drop)
    };
    let api = answer.unwrap_or_else(|()| {
        error(ApiError::new(
            500,
            "InternalServerError",
            "The request handler failed.",
        ))
    });
    // The latency and a cut come after the handler: a write has committed by
    // then, as when a real network loses the answer to a write.
    faults.pause(plan.delay).await;
    Reply {
        api,
        retry_after: None,
        cut: plan.cut,
    }
}

/// The body, at most `limit` bytes, within the body deadline.
async fn read_body(
    shared: &Shared,
    body: Incoming,
    parts: &Parts,
    limit: usize,
    restore: bool,
) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            413,
            "RequestTooLarge",
            format!("The request body is larger than {limit} bytes."),
        )
    };
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let _gate = match restore {
        true => shared.restore_gate.acquire().await.ok(),
        false => None,
    };
    let deadline = shared.server.limits.body;
    match tokio::time::timeout(deadline, Limited::new(body, limit).collect()).await {
        Err(_) => Err(ApiError::new(
            408,
            "RequestTimeout",
            format!(
                "The request body did not arrive within {} s.",
                deadline.as_secs_f32()
            ),
        )),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(_)) => Err(ApiError::bad("The request body could not be read.")),
        Ok(Ok(collected)) => Ok(collected.to_bytes().to_vec()),
    }
}

/// The HTTP answer; a HEAD gets the status and headers, never a body.
fn to_response(reply: Reply, head: bool) -> Response<ReplyBody> {
    let answer = reply.api;
    let mut builder = Response::builder()
        .status(answer.status)
        .header("x-ms-request-id", super::fidelity::request_id())
        .header(
            "x-ms-keyvault-service-version",
            super::fidelity::SERVICE_VERSION,
        )
        .header("x-ms-keyvault-region", super::fidelity::REGION)
        .header(hyper::header::CACHE_CONTROL, "no-cache");
    if let Some(secs) = reply.retry_after {
        builder = builder.header(RETRY_AFTER, secs);
    }
    if !answer.body.is_empty() {
        builder = builder.header(CONTENT_TYPE, "application/json; charset=utf-8");
    }
    if let Some(challenge) = answer.www_authenticate {
        builder = builder.header(WWW_AUTHENTICATE, challenge);
    }
    if let Some(info) = answer.network_info {
        builder = builder.header("x-ms-keyvault-network-info", info);
    }
    let body = match (head, reply.cut) {
        (true, _) => ReplyBody::whole(Bytes::new()),
        (false, Some(share)) => ReplyBody::cut(Bytes::from(answer.body), share),
        (false, None) => ReplyBody::whole(Bytes::from(answer.body)),
    };
    builder.body(body).unwrap_or_else(|_| {
        let mut r = Response::new(ReplyBody::whole(Bytes::new()));
        *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_errors_pause_longer_and_log_once_a_second() {
        let mut b = AcceptBackoff::default();
        let t0 = Instant::now();
        let mut logged = 0;
        let mut pauses = Vec::new();
        for i in 0..10_000u32 {
            // 10,000 failures within half a second: one line.
            let (pause, log) = b.failed(t0 + Duration::from_micros(u64::from(i) * 50));
            logged += usize::from(log.is_some());
            pauses.push(pause);
        }
        assert_eq!(logged, 1);
        assert_eq!(pauses[0], Duration::from_millis(10));
        assert!(pauses.windows(2).all(|w| w[1] >= w[0]));
        assert_eq!(*pauses.last().unwrap(), Duration::from_secs(1));
        let (_, log) = b.failed(t0 + Duration::from_secs(2));
        assert_eq!(
            log,
            Some(9_999),
            "the next line says how many were not logged"
        );
        b.succeeded();
        assert_eq!(
            b.failed(t0 + Duration::from_secs(2)).0,
            Duration::from_millis(10)
        );
    }
}
