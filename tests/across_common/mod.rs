//! Several named vaults (`NAME.localhost`) of one local vault service for the
//! across-vault tests: seeding and reading through the official SDK, and the
//! real binary run against them.
#![allow(dead_code)]

use std::collections::HashMap;

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::{
    SecretAttributes, SecretClientGetSecretOptions, SetSecretParameters,
    UpdateSecretPropertiesParameters,
};
use futures::StreamExt;
use kvtui::local::{self, LocalVault, LocalVaultOptions};
use tempfile::TempDir;

#[path = "../script_common/mod.rs"]
mod script_common;
pub use script_common::{Output, run_binary};

pub struct Vaults {
    pub svc: LocalVault,
    pub dir: TempDir,
    pub home: TempDir,
}

/// One service, in memory; `samples` fills `default` and `team-shared`.
pub async fn start(samples: bool) -> Vaults {
    let dir = TempDir::new().expect("temp dir");
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    opts.samples = samples;
    let svc = local::start(opts).await.expect("local vault starts");
    Vaults {
        svc,
        dir,
        home: TempDir::new().expect("temp home"),
    }
}

/// What to seed: a value and its properties.
#[derive(Default, Clone)]
pub struct Seed<'a> {
    pub value: &'a str,
    pub content_type: Option<&'a str>,
    pub tags: &'a [(&'a str, &'a str)],
    pub disabled: bool,
    pub expires: Option<i64>,
}

impl Vaults {
    pub fn url(&self, vault: &str) -> String {
        self.svc.vault_url(vault)
    }

    pub fn client(&self, vault: &str) -> SecretClient {
        self.svc.client(&self.url(vault)).expect("client")
    }

    pub async fn set(&self, vault: &str, name: &str, seed: Seed<'_>) {
        let tags: HashMap<String, String> = seed
            .tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let params = SetSecretParameters {
            value: Some(seed.value.to_owned()),
            content_type: seed.content_type.map(str::to_owned),
            tags: (!tags.is_empty()).then_some(tags),
            secret_attributes: Some(SecretAttributes {
                enabled: Some(!seed.disabled),
                expires: seed
                    .expires
                    .map(|s| time::OffsetDateTime::now_utc() + time::Duration::seconds(s)),
                ..Default::default()
            }),
        };
        self.client(vault)
            .set_secret(name, params.try_into().expect("body"), None)
            .await
            .expect("set");
    }

    pub async fn delete(&self, vault: &str, name: &str) {
        self.client(vault)
            .delete_secret(name, None)
            .await
            .expect("delete");
    }

    /// The latest value, through the SDK.
    pub async fn value(&self, vault: &str, name: &str) -> Option<String> {
        let rsp = self
            .client(vault)
            .get_secret(name, None::<SecretClientGetSecretOptions>)
            .await
            .ok()?;
        rsp.into_model().ok()?.value
    }

    /// The latest version's content type and tags.
    pub async fn props(&self, vault: &str, name: &str) -> (Option<String>, Vec<(String, String)>) {
        let s = self
            .client(vault)
            .get_secret(name, None)
            .await
            .expect("get")
            .into_model()
            .expect("model");
        let mut tags: Vec<(String, String)> = s.tags.unwrap_or_default().into_iter().collect();
        tags.sort();
        (s.content_type, tags)
    }

    pub async fn versions(&self, vault: &str, name: &str) -> usize {
        let client = self.client(vault);
        let mut pages = client
            .list_secret_properties_versions(name, None)
            .expect("pager")
            .into_pages();
        let mut n = 0;
        while let Some(page) = pages.next().await {
            n += page.expect("page").into_model().expect("model").value.len();
        }
        n
    }

    /// Changes a tag without a new version.
    pub async fn retag(&self, vault: &str, name: &str, key: &str, value: &str) {
        let body: UpdateSecretPropertiesParameters = UpdateSecretPropertiesParameters {
            tags: Some(HashMap::from([(key.to_owned(), value.to_owned())])),
            ..Default::default()
        };
        self.client(vault)
            .update_secret_properties(name, body.try_into().expect("body"), None)
            .await
            .expect("update");
    }

    /// `kvtui ARGS --data-dir DIR`, in a clean environment.
    pub async fn kvtui(&self, args: &[&str]) -> Output {
        let mut full: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        full.extend(["--data-dir".into(), self.dir.path().display().to_string()]);
        run_binary(&full, None, self.home.path(), &[]).await
    }
}

/// Every value in `values` is absent from what a run printed.
pub fn assert_no_values(out: &Output, values: &[&str]) {
    for v in values {
        assert!(
            !out.out().contains(v) && !out.stderr.contains(v),
            "a value reached the output: {v}"
        );
    }
}

/// Every file under `dir` (logs, state) is free of `values`.
pub fn assert_no_values_in_files(dir: &std::path::Path, values: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            assert_no_values_in_files(&p, values);
        } else if let Ok(bytes) = std::fs::read(&p) {
            let text = String::from_utf8_lossy(&bytes);
            for v in values {
                assert!(!text.contains(v), "{v} found in {}", p.display());
            }
        }
    }
}
