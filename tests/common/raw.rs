//! Raw clients for what the SDK never sends: hand-written HTTP/1.1 heads,
//! HTTP/2 streams, silent TCP connections. Loopback only.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// Every raw exchange gives up after this.
pub const RAW_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn tls_connect(
    addr: SocketAddr,
    ca_pem: &[u8],
    sni: &str,
    alpn: &[&[u8]],
) -> std::io::Result<TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(ca.expect("CA PEM")).expect("CA");
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(sni.to_owned()).expect("server name");
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
}

/// Sends `request` as written over HTTP/1.1 and returns the status line and
/// headers, lower-cased, and the body.
pub async fn h1(
    addr: SocketAddr,
    ca_pem: &[u8],
    sni: &str,
    request: &str,
) -> (u16, String, String) {
    let exchange = async {
        let mut tls = tls_connect(addr, ca_pem, sni, &[b"http/1.1"])
            .await
            .expect("TLS");
        tls.write_all(request.as_bytes()).await.expect("write");
        let mut out = Vec::new();
        let _ = tls.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    };
    let text = tokio::time::timeout(RAW_TIMEOUT, exchange)
        .await
        .expect("an answer in time");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

/// An HTTP/2 connection; the connection task runs until dropped.
pub async fn h2(addr: SocketAddr, ca_pem: &[u8], sni: &str) -> h2::client::SendRequest<Bytes> {
    let tls = tls_connect(addr, ca_pem, sni, &[b"h2"]).await.expect("TLS");
    let (send, conn) = h2::client::handshake(tls).await.expect("h2 handshake");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    send.ready().await.expect("h2 ready")
}

/// True when the peer closes `stream` (EOF or reset) within `within`.
pub async fn closed_within<S: tokio::io::AsyncRead + Unpin>(
    stream: &mut S,
    within: Duration,
) -> bool {
    let mut buf = [0u8; 256];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(within, read).await.is_ok()
}
