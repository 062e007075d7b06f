//! Shared set-up for tests against the local vault: a service on an ephemeral
//! loopback port in a temporary data dir, and clients of it.
#![allow(dead_code)]

pub mod raw;

use std::collections::HashMap;

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::{SecretAttributes, SetSecretParameters};
use kvtui::local::{self, LocalVault, LocalVaultOptions};
use tempfile::TempDir;

pub struct Running {
    pub vault: LocalVault,
    pub dir: TempDir,
}

pub async fn start_in(dir: TempDir, edit: impl FnOnce(&mut LocalVaultOptions)) -> Running {
    let mut opts = LocalVaultOptions::new(dir.path());
    edit(&mut opts);
    let vault = local::start(opts).await.expect("local vault starts");
    Running { vault, dir }
}

pub async fn start() -> Running {
    start_in(TempDir::new().expect("temp dir"), |_| {}).await
}

impl Running {
    /// Client of the `default` vault at bare localhost (challenge verification off).
    pub fn default_client(&self) -> SecretClient {
        self.vault.client(&self.vault.url()).expect("client")
    }

    /// Client of `{name}.localhost` (challenge verification on).
    pub fn named_client(&self, name: &str) -> SecretClient {
        self.vault
            .client(&self.vault.vault_url(name))
            .expect("client")
    }

    /// A raw HTTPS client trusting the local CA, for what the SDK will not send.
    pub fn http(&self) -> reqwest::Client {
        let url = url::Url::parse(&self.vault.url()).expect("url");
        kvtui::local::client::local_http_client(&url, self.vault.ca_pem()).expect("http client")
    }

    pub fn bearer(&self) -> String {
        use secrecy::ExposeSecret;
        format!("Bearer {}", self.vault.token().expose_secret())
    }
}

pub fn set_body(value: &str) -> RequestContent<SetSecretParameters> {
    SetSecretParameters {
        value: Some(value.into()),
        ..Default::default()
    }
    .try_into()
    .expect("body")
}

pub fn set_body_with(
    value: &str,
    content_type: Option<&str>,
    tags: &[(&str, &str)],
    enabled: Option<bool>,
) -> RequestContent<SetSecretParameters> {
    let tags: HashMap<String, String> = tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    SetSecretParameters {
        value: Some(value.into()),
        content_type: content_type.map(Into::into),
        tags: (!tags.is_empty()).then_some(tags),
        secret_attributes: enabled.map(|e| SecretAttributes {
            enabled: Some(e),
            ..Default::default()
        }),
    }
    .try_into()
    .expect("body")
}

/// Status, code and inner code of an SDK error.
pub fn error_parts(err: &azure_core::Error) -> (u16, String, Option<String>) {
    match err.kind() {
        azure_core::error::ErrorKind::HttpResponse {
            status,
            raw_response,
            ..
        } => {
            let body: serde_json::Value = raw_response
                .as_ref()
                .and_then(|r| serde_json::from_slice(r.body().as_ref()).ok())
                .unwrap_or_default();
            let code = body["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let inner = body["error"]["innererror"]["code"]
                .as_str()
                .map(str::to_owned);
            (u16::from(*status), code, inner)
        }
        other => panic!("expected an HTTP error, got {other:?}: {err}"),
    }
}

/// Name and version from an id `https://host/secrets/{name}/{version}`.
pub fn id_parts(id: &str) -> (String, Option<String>) {
    let rest = id.split("/secrets/").nth(1).unwrap_or_default();
    let mut it = rest.split('/');
    let name = it.next().unwrap_or_default().to_owned();
    (name, it.next().map(str::to_owned))
}
