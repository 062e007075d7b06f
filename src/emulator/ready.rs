//! The CI hand-off: a ready file once the vault answers, and `export` lines.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::local::{LocalError, LocalVault};

/// What `--ready-file` holds (version 1).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Ready<'a> {
    version: u32,
    url: &'a str,
    arm_url: &'a str,
    port: u16,
    ca_path: &'a Path,
    token_path: &'a Path,
    health_url: &'a str,
    /// The local managed-identity endpoint (`IDENTITY_ENDPOINT`).
    identity_url: &'a str,
    pid: u32,
}

/// Asks the health path until it answers (through the CA clients use), then
/// writes `path` in one step, so a reader never sees half a file.
pub async fn wait_and_write_ready(vault: &LocalVault, path: &Path) -> Result<(), LocalError> {
    let url = vault.url();
    let health = format!("{url}/_kvtui/health");
    let parsed = url::Url::parse(&url).map_err(|e| LocalError::Client(e.to_string()))?;
    let client = crate::local::client::local_http_client(&parsed, vault.ca_pem())?;
    let mut last = String::new();
    for _ in 0..100 {
        match client.get(&health).send().await {
            Ok(rsp) if rsp.status().is_success() => {
                let ready = Ready {
                    version: 1,
                    url: &url,
                    arm_url: &vault.arm_url(),
                    port: vault.port(),
                    ca_path: &vault.ca_path(),
                    token_path: &vault.token_path(),
                    health_url: &health,
                    identity_url: &format!("{url}{}", crate::local::IDENTITY_PATH),
                    pid: std::process::id(),
                };
                let text = serde_json::to_vec_pretty(&ready)
                    .map_err(|e| LocalError::Client(e.to_string()))?;
                return crate::fsx::write_file(path, &text, false)
                    .map_err(|e| LocalError::io(path, e));
            }
            Ok(rsp) => last = format!("health answered {}", rsp.status()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(LocalError::Client(format!(
        "the vault did not answer its health path: {last}"
    )))
}

/// `export` lines for Python (requests, azure-identity) and Node clients, and
/// the managed-identity pair (`az login --identity`, `ManagedIdentityCredential`);
/// the token itself is read from its file when the lines run, never printed.
pub fn env_lines(vault: &LocalVault) -> String {
    let ca = shell_quote(&vault.ca_path().display().to_string());
    let token = shell_quote(&vault.token_path().display().to_string());
    let url = vault.url();
    format!(
        "export AZURE_KEYVAULT_URL={url}\n\
         export KVTUI_VAULT_URL={url}\n\
         export KVTUI_TOKEN_FILE={token}\n\
         export REQUESTS_CA_BUNDLE={ca}\n\
         export SSL_CERT_FILE={ca}\n\
         export NODE_EXTRA_CA_CERTS={ca}\n\
         export IDENTITY_ENDPOINT={url}{path}\n\
         export IDENTITY_HEADER=\"$(cat {token})\"\n",
        path = crate::local::IDENTITY_PATH,
    )
}

/// `s` in single quotes for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_survive_the_shell() {
        assert_eq!(super::shell_quote("/a b/it's"), r"'/a b/it'\''s'");
    }
}
