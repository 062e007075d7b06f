//! The local vault plays latency, throttling, failures and cut responses on
//! request, only to authenticated requests, and never loses a committed write.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Running, error_parts, set_body, start_in};
use kvtui::local::Faults;
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};

async fn start_with(faults: Faults) -> Running {
    start_in(TempDir::new().expect("temp dir"), |o| o.faults = faults).await
}

/// A raw client for `vault_url`, trusting the local CA.
fn http_for(svc: &Running, vault_url: &str) -> reqwest::Client {
    let url = url::Url::parse(vault_url).expect("url");
    kvtui::local::client::local_http_client(&url, svc.vault.ca_pem()).expect("http client")
}

/// An authenticated GET of the list; status, `Retry-After` and parsed body.
async fn list(svc: &Running, vault_url: &str) -> (u16, Option<String>, Value) {
    let rsp = http_for(svc, vault_url)
        .get(format!("{vault_url}/secrets?api-version=7.6"))
        .header("authorization", svc.bearer())
        .send()
        .await
        .expect("response");
    let status = rsp.status().as_u16();
    let retry_after = rsp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = rsp.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, retry_after, body)
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}

#[tokio::test]
async fn latency_delays_an_authenticated_get_by_at_least_its_amount() {
    let svc = start_with(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    })
    .await;
    let url = svc.vault.url();
    let t0 = Instant::now();
    let (status, _, _) = list(&svc, &url).await;
    assert_eq!(status, 200);
    assert!(
        t0.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t0.elapsed()
    );
}

/// Issue 19: a zero delay used to `sleep(ZERO)`, which still waits for the
/// timer's next tick, about 1 ms on every request. With faults off no request
/// may wait on a timer; the count is the server's own, not a clock's.
#[tokio::test]
async fn with_faults_off_no_request_waits_on_a_timer() {
    let svc = start_with(Faults::default()).await;
    let client = svc.default_client();
    client
        .set_secret("quick", set_body("v"), None)
        .await
        .expect("set");
    for _ in 0..20 {
        client.get_secret("quick", None).await.expect("get");
    }
    let url = svc.vault.url();
    assert_eq!(list(&svc, &url).await.0, 200);
    assert_eq!(svc.vault.delays_played(), 0, "a request waited on a timer");
    // The same count sees a delay that is asked for.
    svc.vault.set_faults(Faults {
        latency: Duration::from_millis(1),
        ..Faults::default()
    });
    client.get_secret("quick", None).await.expect("get");
    assert_eq!(svc.vault.delays_played(), 1);
}

#[tokio::test]
async fn throttle_answers_429_with_retry_after_per_vault() {
    let svc = start_with(Faults {
        throttle: Some(3),
        ..Faults::default()
    })
    .await;
    let url = svc.vault.url();
    for _ in 0..3 {
        assert_eq!(list(&svc, &url).await.0, 200);
    }
    let (status, retry_after, body) = list(&svc, &url).await;
    assert_eq!(status, 429);
    assert_eq!(code(&body), "Throttled");
    assert!(body["error"]["message"].as_str().is_some());
    let secs: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
    assert!((1..=10).contains(&secs), "Retry-After {secs}");
    // Another vault has its own window.
    let other = svc.vault.vault_url("other");
    assert_eq!(list(&svc, &other).await.0, 200);
}

#[tokio::test]
async fn the_sdk_waits_a_throttle_out() {
    let svc = start_with(Faults::default()).await;
    let client = svc.default_client();
    client
        .set_secret("waited", set_body("v"), None)
        .await
        .expect("set");
    svc.vault.set_faults(Faults {
        throttle: Some(2),
        throttle_window: Duration::from_secs(1),
        ..Faults::default()
    });
    let url = svc.vault.url();
    assert_eq!(list(&svc, &url).await.0, 200);
    assert_eq!(list(&svc, &url).await.0, 200);
    let (status, retry_after, _) = list(&svc, &url).await;
    assert_eq!((status, retry_after.as_deref()), (429, Some("1")));
    // The first try is throttled; the retry policy waits Retry-After and gets through.
    let got = tokio::time::timeout(Duration::from_secs(20), client.get_secret("waited", None))
        .await
        .expect("in time")
        .expect("get after the window")
        .into_model()
        .expect("model");
    assert_eq!(got.value.as_deref(), Some("v"));
}

#[tokio::test]
async fn fail_rate_one_refuses_with_the_envelope_and_commits_nothing() {
    let svc = start_with(Faults {
        fail_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let url = svc.vault.url();
    for _ in 0..10 {
        let (status, _, body) = list(&svc, &url).await;
        match status {
            500 => assert_eq!(code(&body), "InternalServerError"),
            503 => assert_eq!(code(&body), "ServiceUnavailable"),
            other => panic!("status {other}"),
        }
    }
    let client = svc.default_client();
    let err = client
        .set_secret("refused", set_body("v"), None)
        .await
        .unwrap_err();
    assert!(matches!(error_parts(&err).0, 500 | 503));
    svc.vault.set_faults(Faults::default());
    let err = client.get_secret("refused", None).await.unwrap_err();
    assert_eq!(error_parts(&err).0, 404, "a refused write commits nothing");
}

#[tokio::test]
async fn fail_rate_zero_fails_nothing_and_a_seed_repeats_its_sequence() {
    let svc = start_with(Faults {
        fail_rate: 0.0,
        seed: Some(3),
        ..Faults::default()
    })
    .await;
    let url = svc.vault.url();
    for _ in 0..20 {
        assert_eq!(list(&svc, &url).await.0, 200);
    }
    let seeded = Faults {
        fail_rate: 0.5,
        seed: Some(42),
        ..Faults::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        svc.vault.set_faults(seeded.clone());
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(list(&svc, &url).await.0);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&200) && runs[0].iter().any(|s| *s >= 500));
}

#[tokio::test]
async fn drop_rate_one_cuts_the_body_after_a_write_commits() {
    let svc = start_with(Faults::default()).await;
    let client = svc.default_client();
    client
        .set_secret("before", set_body("b"), None)
        .await
        .expect("set");
    svc.vault.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    let url = svc.vault.url();
    let cut = match http_for(&svc, &url)
        .get(format!("{url}/secrets/before?api-version=7.6"))
        .header("authorization", svc.bearer())
        .send()
        .await
    {
        Err(_) => true,
        Ok(rsp) => rsp.bytes().await.is_err(),
    };
    assert!(cut, "the body must not arrive whole");
    assert!(client.get_secret("before", None).await.is_err());
    assert!(
        client
            .set_secret("during", set_body("d"), None)
            .await
            .is_err()
    );
    // The service kept running, and the write whose answer was cut committed.
    svc.vault.set_faults(Faults::default());
    for (name, value) in [("before", "b"), ("during", "d")] {
        let got = client
            .get_secret(name, None)
            .await
            .expect("get")
            .into_model()
            .expect("model");
        assert_eq!(got.value.as_deref(), Some(value));
    }
}

#[tokio::test]
async fn faults_never_touch_the_challenge() {
    let svc = start_with(Faults {
        throttle: Some(1),
        fail_rate: 1.0,
        drop_rate: 1.0,
        seed: Some(1),
        ..Faults::default()
    })
    .await;
    let url = svc.vault.url();
    for _ in 0..5 {
        let rsp = svc
            .http()
            .get(format!("{url}/secrets?api-version=7.6"))
            .send()
            .await
            .expect("response");
        assert_eq!(rsp.status().as_u16(), 401);
        assert!(rsp.headers().contains_key("www-authenticate"));
        let body: Value =
            serde_json::from_slice(&rsp.bytes().await.expect("whole body")).expect("json");
        assert_eq!(code(&body), "Unauthorized");
    }
}

#[tokio::test]
async fn serve_prints_the_faults_it_plays() {
    let dir = TempDir::new().expect("temp dir");
    let home = TempDir::new().expect("home");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["serve", "--port", "0", "--no-samples", "--data-dir"])
        .arg(dir.path())
        .args(["--latency", "40", "--throttle", "5", "--fault-seed", "1"])
        .env_clear()
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("kvtui starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    let read = async {
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).await.expect("read") == 0 {
                break;
            }
            printed.push_str(&line);
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("banner in time");
    let _ = child.kill().await;
    assert!(printed.contains("latency 40 ms"), "{printed}");
    assert!(
        printed.contains("more than 5 requests per vault"),
        "{printed}"
    );
    assert!(printed.contains("fault seed 1"), "{printed}");
    assert!(!printed.contains("fail rate"), "{printed}");
}
