//! HTTPS on a TCP listener: TLS handshake, HTTP/1.1 or HTTP/2, one store call per request.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, WWW_AUTHENTICATE};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use super::api::{ApiRequest, ApiResponse, MAX_BODY_BYTES, Service};
use super::errors::ApiError;

/// Accepts connections until `stop` is cancelled.
pub async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    service: Arc<Service>,
    stop: CancellationToken,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let (tcp, peer) = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let service = service.clone();
        let stop = stop.clone();
        connections.spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(tls) => tls,
                Err(e) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
            };
            let svc = hyper::service::service_fn(move |req| respond(service.clone(), req));
            let builder = auto::Builder::new(TokioExecutor::new());
            let conn = builder.serve_connection(TokioIo::new(tls), svc);
            tokio::select! {
                _ = stop.cancelled() => {}
                res = conn => if let Err(e) = res {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                },
            }
        });
        // Reap finished connections so the set stays small.
        while connections.try_join_next().is_some() {}
    }
    connections.shutdown().await;
}

async fn respond(
    service: Arc<Service>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".to_owned());
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => {
            let e = ApiError::new(
                413,
                "RequestTooLarge",
                "The request body is larger than 1 MiB.",
            );
            return Ok(to_response(ApiResponse {
                status: e.status,
                body: e.body(),
                www_authenticate: None,
            }));
        }
    };
    let api = ApiRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        host,
        authorization: parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned),
        body,
    };
    // SQLite calls block; keep them off the async workers.
    let answer = tokio::task::spawn_blocking(move || service.handle(&api)).await;
    let answer = answer.unwrap_or_else(|_| {
        let e = ApiError::new(500, "InternalServerError", "The request handler failed.");
        ApiResponse {
            status: 500,
            body: e.body(),
            www_authenticate: None,
        }
    });
    Ok(to_response(answer))
}

fn to_response(answer: ApiResponse) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(answer.status);
    if !answer.body.is_empty() {
        builder = builder.header(CONTENT_TYPE, "application/json; charset=utf-8");
    }
    if let Some(challenge) = answer.www_authenticate {
        builder = builder.header(WWW_AUTHENTICATE, challenge);
    }
    builder
        .body(Full::new(Bytes::from(answer.body)))
        .unwrap_or_else(|_| {
            let mut r = Response::new(Full::new(Bytes::new()));
            *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
}
