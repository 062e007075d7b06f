//! `kvtui serve --bind ADDR`, the real binary: the URLs it prints reach it,
//! through the same HTTP client kvtui uses for a local vault.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `kvtui serve`, stopped when dropped.
struct Served {
    child: Child,
    banner: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(bind: &str, data: &std::path::Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["serve", "--bind", bind, "--allow-remote", "--port", "0"])
        .arg("--data-dir")
        .arg(data)
        .arg("--in-memory")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kvtui serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut banner = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a banner line");
        banner.push_str(&line);
        banner.push('\n');
        if line.contains("Press Ctrl-C") {
            break;
        }
    }
    Served { child, banner }
}

/// The first URL on the banner line labelled `label`.
fn url_after(banner: &str, label: &str) -> Option<String> {
    let line = banner.lines().find(|l| l.trim_start().starts_with(label))?;
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("https://"))?;
    Some(url.to_owned())
}

/// Lists secrets at `url` with kvtui's local client and the served token.
async fn status_at(url: &str, data: &std::path::Path) -> Result<u16, String> {
    let (ca, token) = kvtui::local::client::read_credentials(data).map_err(|e| e.to_string())?;
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    let client =
        kvtui::local::client::local_http_client(&parsed, &ca).map_err(|e| e.to_string())?;
    use secrecy::ExposeSecret;
    let rsp = client
        .get(format!("{url}/secrets?api-version=7.6"))
        .bearer_auth(token.expose_secret())
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(rsp.status().as_u16())
}

#[tokio::test]
async fn each_printed_url_reaches_the_service_whatever_the_bind() {
    for bind in ["127.0.0.1", "::1", "0.0.0.0", "::"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let served = serve(bind, dir.path());
        let banner = &served.banner;
        for label in ["default vault:", "named vaults:"] {
            let url = url_after(banner, label)
                .unwrap_or_else(|| panic!("no {label} URL for {bind}:\n{banner}"));
            assert_eq!(
                status_at(&url, dir.path()).await,
                Ok(200),
                "{bind}: {url} from\n{banner}"
            );
        }
    }
}

#[tokio::test]
async fn a_bind_the_certificate_does_not_cover_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let served = serve("127.0.0.2", dir.path());
    let banner = &served.banner;
    let url = url_after(banner, "default vault:").expect("a URL");
    assert!(url.starts_with("https://127.0.0.2:"), "{banner}");
    assert!(banner.contains("--tls-cert"), "{banner}");
    assert!(!banner.contains("https://localhost"), "{banner}");
}
