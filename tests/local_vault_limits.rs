//! Nothing is spent on a client before it authenticates, and every stage of a
//! connection has a deadline.

mod common;

use std::time::Duration;

use common::raw::{self, RAW_TIMEOUT};
use common::{Running, start_in};
use kvtui::local::Limits;
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;

/// A vault whose deadlines are a second, so tests see them pass.
async fn start_short() -> Running {
    start_in(TempDir::new().expect("temp dir"), |o| {
        o.limits = Limits {
            handshake: Duration::from_secs(1),
            headers: Duration::from_secs(1),
            body: Duration::from_secs(1),
            idle: Duration::from_secs(1),
            ..Limits::default()
        };
    })
    .await
}

fn host(svc: &Running) -> String {
    format!("localhost:{}", svc.vault.port())
}

#[tokio::test]
async fn an_unauthenticated_request_gets_401_even_with_a_body_over_the_limit() {
    let svc = common::start().await;
    let url = format!("{}/secrets/restore?api-version=7.6", svc.vault.url());
    let rsp = svc
        .http()
        .post(url)
        .header("content-type", "application/json")
        .body(vec![b'x'; 1024 * 1024 + 1])
        .send()
        .await
        .expect("response");
    assert_eq!(rsp.status().as_u16(), 401);
    assert!(rsp.headers().contains_key("www-authenticate"));
}

#[tokio::test]
async fn unauthenticated_http2_streams_are_answered_without_reading_their_bodies() {
    let svc = common::start().await;
    let mut send = raw::h2(svc.vault.addr(), svc.vault.ca_pem(), "localhost").await;
    let authority = host(&svc);
    // One answered request: the server's SETTINGS have arrived by then.
    let probe = http::Request::get(format!("https://{authority}/secrets?api-version=7.6"))
        .body(())
        .expect("request");
    let (rsp, _) = send.send_request(probe, true).expect("stream");
    let _ = tokio::time::timeout(RAW_TIMEOUT, rsp)
        .await
        .expect("in time");
    let streams = send.current_max_send_streams();
    assert!(
        (1..=64).contains(&streams),
        "max_concurrent_streams {streams}"
    );
    // Twice the stream limit of half-sent 1 MiB bodies, one batch at a time:
    // each gets its 401 although no body byte was sent.
    let mut answered = 0;
    for _ in 0..2 {
        let mut pending = Vec::new();
        for _ in 0..streams {
            let req =
                http::Request::put(format!("https://{authority}/secrets/big?api-version=7.6"))
                    .header("content-length", "1048576")
                    .body(())
                    .expect("request");
            send = send.ready().await.expect("ready");
            let (rsp, _body_tx) = send.send_request(req, false).expect("stream");
            pending.push((rsp, _body_tx));
        }
        for (rsp, _tx) in pending {
            let rsp = tokio::time::timeout(RAW_TIMEOUT, rsp)
                .await
                .expect("answered before the body")
                .expect("response");
            assert_eq!(rsp.status().as_u16(), 401);
            answered += 1;
        }
    }
    assert_eq!(answered, 2 * streams);
}

#[tokio::test]
async fn head_over_http2_is_answered_without_a_body() {
    let svc = common::start().await;
    let mut send = raw::h2(svc.vault.addr(), svc.vault.ca_pem(), "localhost").await;
    let req = http::Request::head(format!("https://{}/secrets?api-version=7.6", host(&svc)))
        .header("authorization", svc.bearer())
        .body(())
        .expect("request");
    let (rsp, _) = send.send_request(req, true).expect("stream");
    let rsp = tokio::time::timeout(RAW_TIMEOUT, rsp)
        .await
        .expect("in time")
        .expect("no protocol error");
    let mut body = rsp.into_body();
    assert!(body.is_end_stream() || body.data().await.is_none());
}

#[tokio::test]
async fn a_slow_body_is_cut_after_the_body_deadline() {
    let svc = start_short().await;
    let request = format!(
        "PUT /secrets/slow?api-version=7.6 HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"value\":",
        host(&svc),
        svc.bearer()
    );
    // The body never completes; the answer comes once the deadline passes.
    let (status, _, body) =
        raw::h1(svc.vault.addr(), svc.vault.ca_pem(), "localhost", &request).await;
    assert_eq!(status, 408, "{body}");
    let (status, _, _) = raw::h1(
        svc.vault.addr(),
        svc.vault.ca_pem(),
        "localhost",
        &format!(
            "GET /secrets/slow?api-version=7.6 HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
            host(&svc),
            svc.bearer()
        ),
    )
    .await;
    assert_eq!(status, 404, "nothing was stored");
}

#[tokio::test]
async fn silent_and_idle_connections_are_closed_after_their_deadlines() {
    let svc = start_short().await;
    let addr = svc.vault.addr();
    // TCP only, never a hello.
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    // Half a hello.
    let mut half = tokio::net::TcpStream::connect(addr).await.expect("connect");
    half.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])
        .await
        .expect("write");
    // A finished handshake, then nothing.
    let mut quiet = raw::tls_connect(addr, svc.vault.ca_pem(), "localhost", &[b"http/1.1"])
        .await
        .expect("TLS");
    // A request answered on a keep-alive connection, then nothing.
    let mut kept = raw::tls_connect(addr, svc.vault.ca_pem(), "localhost", &[b"http/1.1"])
        .await
        .expect("TLS");
    kept.write_all(
        format!(
            "GET /secrets?api-version=7.6 HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\r\n",
            host(&svc),
            svc.bearer()
        )
        .as_bytes(),
    )
    .await
    .expect("write");
    let within = Duration::from_secs(8);
    assert!(raw::closed_within(&mut tcp, within).await, "silent TCP");
    assert!(raw::closed_within(&mut half, within).await, "half hello");
    assert!(raw::closed_within(&mut quiet, within).await, "quiet TLS");
    assert!(
        raw::closed_within(&mut kept, within).await,
        "idle keep-alive"
    );
}
