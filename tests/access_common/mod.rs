//! `kvtui serve --access FILE` as a child process, JWT-shaped tokens, and
//! clients acting as each identity through the official Rust SDK.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use azure_security_keyvault_secrets::SecretClient;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;

pub const OWNER: &str = "owner-token-0123456789abcdef";
pub const TENANT: &str = "72f988bf-0000-4000-8000-000000000042";

/// A JWT-shaped token (unsigned) naming `oid`, as Azure's tokens do.
pub fn jwt(oid: &str, upn: Option<&str>, appid: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let upn = upn.map(|u| format!(r#","upn":"{u}""#)).unwrap_or_default();
    let payload = format!(
        r#"{{"aud":"https://vault.azure.net","oid":"{oid}","tid":"{TENANT}","appid":"{appid}","exp":4102444800{upn}}}"#
    );
    format!(
        "{header}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(payload.as_bytes())
    )
}

/// A running `kvtui serve`, stopped when dropped.
pub struct Served {
    child: Child,
    pub port: u16,
    pub data: tempfile::TempDir,
    pub banner: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kvtui"))
}

/// Starts `kvtui serve` with `access` as its access file (owner token [`OWNER`]).
pub fn serve(access: &str) -> Served {
    let data = tempfile::tempdir().expect("temp dir");
    let file = data.path().join("access.toml");
    std::fs::write(&file, access).expect("access file");
    let mut child = Command::new(bin())
        .args(["serve", "--port", "0", "--in-memory", "--no-samples"])
        .arg("--data-dir")
        .arg(data.path())
        .arg("--access")
        .arg(&file)
        .env("KVTUI_TOKEN", OWNER)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kvtui serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut banner = String::new();
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        banner.push_str(&line);
        banner.push('\n');
        if line.contains("Press Ctrl-C") {
            break;
        }
    }
    let port = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("default vault:"))
        .and_then(|u| u.trim().rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            panic!("no port in the banner:\n{banner}\n{err}")
        });
    Served {
        child,
        port,
        data,
        banner,
    }
}

impl Served {
    pub fn url(&self, vault: &str) -> String {
        format!("https://{vault}.localhost:{}", self.port)
    }

    pub fn ca(&self) -> Vec<u8> {
        std::fs::read(self.data.path().join("ca.pem")).expect("ca.pem")
    }

    /// A client of `vault` sending `token`.
    pub fn client(&self, vault: &str, token: &str) -> SecretClient {
        kvtui::local::client::secret_client(
            &self.url(vault),
            &self.ca(),
            SecretString::from(token.to_owned()),
        )
        .expect("client")
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// A raw HTTPS client trusting the CA (`*.localhost` pinned to loopback).
    pub fn http(&self, vault: &str) -> reqwest::Client {
        let url = url::Url::parse(&self.url(vault)).expect("url");
        kvtui::local::client::local_http_client(&url, &self.ca()).expect("http")
    }

    /// Runs the real binary as a client of this service, with `env` added.
    pub fn kvtui(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .arg("--data-dir")
            .arg(self.data.path())
            .env_remove("KVTUI_TOKEN")
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("kvtui runs")
    }
}

/// The status and inner error code of an SDK failure (200 and `None` on success).
pub fn status_of<T>(r: &azure_core::Result<T>) -> (u16, Option<String>) {
    match r {
        Ok(_) => (200, None),
        Err(e) => match e.kind() {
            azure_core::error::ErrorKind::HttpResponse {
                status,
                raw_response,
                ..
            } => {
                let inner = raw_response.as_ref().and_then(|r| {
                    let v: serde_json::Value = serde_json::from_slice(r.body().as_ref()).ok()?;
                    v["error"]["innererror"]["code"].as_str().map(str::to_owned)
                });
                (u16::from(*status), inner)
            }
            _ => (0, Some(e.to_string())),
        },
    }
}
