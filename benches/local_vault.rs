//! Local vault speed through the official SDK over HTTPS with keep-alive:
//! GET and PUT of a secret, listing 10,000 secrets page by page, and start-up
//! on an existing data dir. Prints figures; run with `cargo bench --bench local_vault`.

use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::models::SetSecretParameters;
use futures::TryStreamExt;
use kvtui::local::{self, LocalVaultOptions};

fn body(value: &str) -> azure_core::http::RequestContent<SetSecretParameters> {
    SetSecretParameters {
        value: Some(value.into()),
        ..Default::default()
    }
    .try_into()
    .expect("body")
}

fn per_second(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    let vault = local::start(opts).await.expect("start");
    let client = vault.client(&vault.url()).expect("client");

    client
        .set_secret("bench-get", body("value"), None)
        .await
        .expect("set");
    for _ in 0..200 {
        client
            .get_secret("bench-get", None)
            .await
            .expect("warm-up get");
    }
    let gets = 5_000;
    let t = Instant::now();
    for _ in 0..gets {
        client.get_secret("bench-get", None).await.expect("get");
    }
    let took = t.elapsed();
    println!(
        "GET  one client, sequential: {:>8.0} req/s ({gets} in {took:.2?})",
        per_second(gets, took)
    );

    let puts = 10_000;
    let t = Instant::now();
    for i in 0..puts {
        client
            .set_secret(&format!("s{i:05}"), body("value"), None)
            .await
            .expect("put");
    }
    let took = t.elapsed();
    println!(
        "PUT  one client, sequential: {:>8.0} req/s ({puts} in {took:.2?}, in-memory store)",
        per_second(puts, took)
    );

    let t = Instant::now();
    let mut pages = client
        .list_secret_properties(None)
        .expect("list")
        .into_pages();
    let (mut count, mut page_count) = (0, 0);
    while let Some(page) = pages.try_next().await.expect("page") {
        count += page.into_model().expect("model").value.len();
        page_count += 1;
    }
    let took = t.elapsed();
    println!("LIST {count} secrets in {page_count} pages of 25: {took:.2?}");
    vault.shutdown().await;

    // Start-up on an existing data dir (CA, keys and database already there).
    let disk = tempfile::TempDir::new().expect("temp dir");
    let first = local::start(LocalVaultOptions::new(disk.path()))
        .await
        .expect("first start");
    let c = first.client(&first.url()).expect("client");
    for i in 0..1_000 {
        c.set_secret(&format!("d{i:04}"), body("value"), None)
            .await
            .expect("put");
    }
    first.shutdown().await;
    let mut times = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let v = local::start(LocalVaultOptions::new(disk.path()))
            .await
            .expect("start");
        times.push(t.elapsed());
        v.shutdown().await;
    }
    times.sort();
    println!(
        "START existing data dir (1,000 secrets): median {:.2?}, max {:.2?}",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
