//! The worker against a misbehaving vault: a loopback TLS stub (it never asks
//! for a token, so none is sent) answering with the errors a real Azure vault gives and
//! the local vault does not (RBAC, firewall, throttling, 5xx) and with bodies
//! the SDK cannot parse. Each must arrive as a classified `Failed`, never a panic.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use azure_core::http::{ClientOptions, RetryOptions, Transport};
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
use kvtui::local::client::{StaticTokenCredential, local_http_client};
use kvtui::vault::{
    ErrorKind, ReqId, SecretName, VaultCmd, VaultError, VaultEventKind, VaultRequest, WorkerConfig,
    WorkerInput, spawn_worker,
};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// `(status, extra header, body)` per request path (query stripped, except `page`).
type Routes = HashMap<String, (u16, &'static str, String)>;

/// A throwaway CA and a `localhost` certificate it signed: `(ca_pem, server config)`.
fn tls() -> (Vec<u8>, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["localhost".to_string()])
        .expect("params")
        .signed_by(&key, &issuer)
        .expect("leaf");
    let certs = vec![CertificateDer::from_pem_slice(leaf.pem().as_bytes()).expect("cert")];
    let key = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).expect("key");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    (ca.pem().into_bytes(), Arc::new(config))
}

/// Serves `routes` over TLS on an ephemeral port: `(port, ca_pem, task)`.
async fn stub(routes: impl FnOnce(u16) -> Routes) -> (u16, Vec<u8>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let routes = Arc::new(routes(port));
    let (ca_pem, config) = tls();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let routes = routes.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut sock) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let target = head.split_whitespace().nth(1).unwrap_or("/");
                let (path, query) = target.split_once('?').unwrap_or((target, ""));
                let key = if query.contains("page=2") {
                    format!("{path}#2")
                } else {
                    path.to_owned()
                };
                let (status, header, body) = routes.get(&key).cloned().unwrap_or((
                    404,
                    "",
                    r#"{"error":{"code":"NotFound","message":"no route"}}"#.into(),
                ));
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{header}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    (port, ca_pem, task)
}

fn client(port: u16, ca_pem: &[u8]) -> SecretClient {
    let url = format!("https://localhost:{port}");
    let parsed = url::Url::parse(&url).expect("url");
    let http = local_http_client(&parsed, ca_pem).expect("http client");
    let options = SecretClientOptions {
        client_options: ClientOptions {
            transport: Some(Transport::new(Arc::new(http))),
            retry: RetryOptions::none(),
            ..Default::default()
        },
        verify_challenge_resource: Some(false),
        ..Default::default()
    };
    let cred = Arc::new(StaticTokenCredential::new(SecretString::from(
        "unused".to_owned(),
    )));
    SecretClient::new(&url, cred, Some(options)).expect("client")
}

fn err_body(code: &str, inner: Option<&str>, message: &str) -> String {
    let inner = inner.map_or(String::new(), |c| {
        format!(r#","innererror":{{"code":"{c}"}}"#)
    });
    let message = message.replace('\n', "\\n").replace('\r', "\\r");
    format!(r#"{{"error":{{"code":"{code}","message":"{message}"{inner}}}}}"#)
}

fn routes(port: u16) -> Routes {
    let base = format!("https://localhost:{port}");
    let mut r = Routes::new();
    r.insert("/secrets".into(), (200, "", r#"{"value": 5}"#.into()));
    r.insert(
        "/secrets/garbled/".into(),
        (200, "", "not json at all".into()),
    );
    r.insert(
        "/secrets/rbac/".into(),
        (
            403,
            "",
            err_body(
                "Forbidden",
                Some("ForbiddenByRbac"),
                "Caller is not authorized to perform action on resource.",
            ),
        ),
    );
    r.insert(
        "/secrets/fw/".into(),
        (
            403,
            "",
            err_body(
                "Forbidden",
                Some("ForbiddenByFirewall"),
                "Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.9",
            ),
        ),
    );
    r.insert(
        "/secrets/fwip/".into(),
        (
            403,
            "x-ms-keyvault-network-info: conn_type=Ipv4;addr=198.51.100.4;act_addr_fam=InterNetwork;\r\n",
            err_body(
                "Forbidden",
                Some("ForbiddenByFirewall"),
                "Client address is not authorized and caller is not a trusted service.",
            ),
        ),
    );
    r.insert(
        "/secrets/busy/".into(),
        (
            429,
            "retry-after: 0\r\n",
            err_body("Throttled", None, "Rate limit exceeded"),
        ),
    );
    r.insert(
        "/secrets/broken/".into(),
        (503, "", "<html>down</html>".into()),
    );
    r.insert("/secrets/noid".into(), (200, "", "{}".into()));
    r.insert(
        "/deletedsecrets".into(),
        (
            200,
            "",
            format!(
                r#"{{"value":[{{"id":"{base}/secrets/a","recoveryId":"{base}/deletedsecrets/a"}}],"nextLink":"{base}/deletedsecrets?page=2"}}"#
            ),
        ),
    );
    r.insert(
        "/deletedsecrets#2".into(),
        (500, "", err_body("InternalError", None, "boom")),
    );
    r
}

async fn fail(cmd: VaultCmd) -> (Vec<VaultEventKind>, VaultError) {
    let (port, ca_pem, server) = stub(routes).await;
    let (tx, mut rx) = spawn_worker(client(port, &ca_pem), WorkerConfig::default());
    tx.send(WorkerInput::Run(VaultRequest { id: ReqId(1), cmd }))
        .await
        .expect("worker alive");
    let mut before = Vec::new();
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("an event in time")
            .expect("worker alive");
        match ev.kind {
            VaultEventKind::Failed(e) => {
                server.abort();
                return (before, e);
            }
            VaultEventKind::SecretsPage(_)
            | VaultEventKind::DeletedPage(_)
            | VaultEventKind::Retrying { .. } => before.push(ev.kind),
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

fn get(name: &str) -> VaultCmd {
    VaultCmd::Get {
        name: SecretName::parse(name).expect("name"),
        version: None,
    }
}

#[tokio::test]
async fn rbac_denial_names_the_permission_and_role() {
    let (_, e) = fail(get("rbac")).await;
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(e.status, Some(403));
    assert_eq!(e.code.as_deref(), Some("ForbiddenByRbac"));
    assert!(e.message.contains("secrets/get"), "{}", e.message);
    assert!(
        e.hint
            .as_deref()
            .unwrap_or("")
            .contains("Key Vault Secrets User")
    );
}

#[tokio::test]
async fn firewall_denial_is_its_own_kind() {
    let (_, e) = fail(get("fw")).await;
    assert_eq!(e.kind, ErrorKind::Firewall);
    assert!(
        e.message.contains("Client address is not authorized"),
        "{}",
        e.message
    );
    assert!(!e.message.contains('\n'), "one line: {:?}", e.message);
}

#[tokio::test]
async fn a_firewall_denial_names_the_callers_address_from_the_network_info_header() {
    let (_, e) = fail(get("fwip")).await;
    assert_eq!(e.kind, ErrorKind::Firewall);
    assert!(e.message.contains("198.51.100.4"), "{}", e.message);
    assert!(
        e.hint.as_deref().unwrap_or("").contains("Add 198.51.100.4"),
        "{:?}",
        e.hint
    );
}

#[tokio::test]
async fn throttling_and_server_errors_are_classified() {
    let (retries, busy) = fail(get("busy")).await;
    assert_eq!(busy.kind, ErrorKind::Throttled);
    assert_eq!(busy.status, Some(429));
    assert_eq!(busy.retry_after, Some(Duration::ZERO), "Retry-After read");
    let notes: Vec<String> = retries
        .iter()
        .filter_map(|k| match k {
            VaultEventKind::Retrying { note } => Some(note.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes, ["throttled, retrying now"; 3],
        "three announced retries after the SDK's, then the failure"
    );
    let (_, down) = fail(get("broken")).await;
    assert_eq!(down.kind, ErrorKind::Server);
    assert_eq!(down.status, Some(503));
    assert_eq!(down.code, None);
}

#[tokio::test]
async fn unparseable_answers_fail_without_panicking() {
    let (_, list) = fail(VaultCmd::ListSecrets).await;
    assert_eq!(list.kind, ErrorKind::Other, "{list:?}");
    let (_, garbled) = fail(get("garbled")).await;
    assert_eq!(garbled.kind, ErrorKind::Other, "{garbled:?}");
    let (_, no_id) = fail(VaultCmd::Delete {
        name: SecretName::parse("noid").expect("name"),
    })
    .await;
    assert_eq!(no_id.kind, ErrorKind::Other, "{no_id:?}");
}

#[tokio::test]
async fn a_list_failing_on_page_two_keeps_page_one() {
    let (pages, e) = fail(VaultCmd::ListDeleted).await;
    assert_eq!(pages.len(), 1);
    assert!(
        matches!(&pages[0], VaultEventKind::DeletedPage(p) if p.len() == 1 && p[0].props.name == "a")
    );
    assert_eq!(e.kind, ErrorKind::Server);
    assert_eq!(e.status, Some(500));
}
