//! `kvtui secret list` streams: each page is printed and flushed as it
//! arrives. Proven without timing: with long names the output outgrows the
//! pipe, so a streaming lister blocks on stdout before it has asked for the
//! last pages; a secret added after the first line shows up at the end. A
//! lister that fetched everything before printing would have missed it.

mod script_common;

use std::process::Stdio;
use std::time::Duration;

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use futures::StreamExt;
use script_common::start;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

async fn set(client: &SecretClient, name: String) {
    let body = SetSecretParameters {
        value: Some("v".into()),
        ..Default::default()
    }
    .try_into()
    .expect("body");
    client.set_secret(&name, body, None).await.expect("set");
}

/// `count` names of 127 characters: 128 bytes a line.
fn long_name(i: usize) -> String {
    format!("a{i:05}{}", "x".repeat(121))
}

#[tokio::test(flavor = "multi_thread")]
async fn list_names_prints_pages_before_the_last_one_is_fetched() {
    let v = start().await;
    let client = v.vault.client(&v.url()).expect("client");
    // 1,500 lines of 128 bytes: 192 KB, three times a 64 KB pipe.
    let count = 1500;
    futures::stream::iter((0..count).map(long_name))
        .for_each_concurrent(16, |n| set(&client, n))
        .await;

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["secret", "list", "-o", "names", "--data-dir"])
        .arg(v.dir.path())
        .args(["--vault", &v.url()])
        .env_clear()
        .env("HOME", v.home.path())
        .env("XDG_CONFIG_HOME", v.home.path().join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("kvtui starts");
    let mut out = BufReader::with_capacity(256, child.stdout.take().expect("stdout"));
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(60), out.read_line(&mut first))
        .await
        .expect("a first line in time")
        .expect("read");
    assert_eq!(first.trim_end(), long_name(0));

    // Sorted last, added while the lister is blocked on the full pipe.
    set(&client, "zzzz-added-late".into()).await;

    let mut rest = String::new();
    tokio::time::timeout(Duration::from_secs(60), out.read_to_string(&mut rest))
        .await
        .expect("the rest in time")
        .expect("read");
    let status = child.wait().await.expect("exit");
    assert_eq!(status.code(), Some(0));
    let lines: Vec<&str> = rest.lines().collect();
    assert_eq!(lines.len(), count, "all the others, then the late one");
    assert_eq!(lines.last().copied(), Some("zzzz-added-late"));
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_span_pages_in_every_format() {
    let v = start().await;
    let client = v.vault.client(&v.url()).expect("client");
    futures::stream::iter((0..60).map(|i| format!("s{i:03}")))
        .for_each_concurrent(8, |n| set(&client, n))
        .await;
    let names = v.kvtui(&["secret", "list", "-o", "names"], None).await;
    let got: Vec<String> = names.out().lines().map(str::to_owned).collect();
    let want: Vec<String> = (0..60).map(|i| format!("s{i:03}")).collect();
    assert_eq!(got, want);
    let json = v.kvtui(&["secret", "list", "-o", "json"], None).await;
    let arr: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(arr.as_array().map(Vec::len), Some(60));
    let table = v.kvtui(&["secret", "list"], None).await;
    assert_eq!(table.out().lines().count(), 61);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_goes_away_ends_the_list_quietly() {
    let v = start().await;
    let client = v.vault.client(&v.url()).expect("client");
    futures::stream::iter((0..600).map(long_name))
        .for_each_concurrent(16, |n| set(&client, n))
        .await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["secret", "list", "-o", "names", "--data-dir"])
        .arg(v.dir.path())
        .args(["--vault", &v.url()])
        .env_clear()
        .env("HOME", v.home.path())
        .env("XDG_CONFIG_HOME", v.home.path().join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("kvtui starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).await.expect("read");
    drop(out); // like `| head -1`
    let res = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("exits in time")
        .expect("output");
    assert_eq!(res.status.code(), Some(0));
    assert!(
        res.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
}
