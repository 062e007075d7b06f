//! `kvtui export` and `kvtui run` against a local vault: name mapping per
//! format, the latest enabled values only, files 0600 and never overwritten
//! without --force, values only in the child's environment, its exit code.

mod script_common;

use script_common::{Vault, join, path_str, start};

async fn seed(v: &Vault) {
    for (name, value) in [
        ("db-password", "it's\nmulti-line $HOME `x`"),
        ("ConnectionStrings--Default", "Server=db;Password=p"),
        ("app-api-key", "k1"),
    ] {
        let r = v
            .kvtui(&["secret", "set", name], Some(value.as_bytes()))
            .await;
        assert_eq!(r.code, Some(0), "{}", r.stderr);
    }
    // A newer version wins; a disabled secret is left out.
    let r = v
        .kvtui(&["secret", "set", "app-api-key"], Some(b"k2"))
        .await;
    assert_eq!(r.code, Some(0));
    let r = v
        .kvtui(&["secret", "set", "old-token", "--disabled"], Some(b"nope"))
        .await;
    assert_eq!(r.code, Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn env_export_maps_names_and_a_shell_reads_it_back() {
    let v = start().await;
    seed(&v).await;
    let file = join(&v.home, "app.env");
    let f = path_str(&file);
    let r = v
        .kvtui(&["export", "--format", "env", "-o", &f], None)
        .await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing on stdout when writing a file");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(
        text.starts_with("APP_API_KEY='k2'\nCONNECTIONSTRINGS__DEFAULT="),
        "{text}"
    );
    assert!(!text.contains("nope") && !text.contains("OLD_TOKEN"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A shell sourcing the file gets the values byte for byte.
    let sh = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(". '{f}'; printf %s \"$DB_PASSWORD\""))
        .output()
        .expect("sh");
    assert_eq!(sh.stdout, b"it's\nmulti-line $HOME `x`");

    let again = v
        .kvtui(&["export", "--format", "env", "-o", &f], None)
        .await;
    assert_eq!(again.code, Some(1));
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), text);
    let forced = v
        .kvtui(&["export", "--format", "json", "-o", &f, "--force"], None)
        .await;
    assert_eq!(forced.code, Some(0), "{}", forced.stderr);
    assert!(
        std::fs::read_to_string(&file)
            .expect("read")
            .starts_with('{')
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn json_and_dotnet_go_to_stdout_only_when_asked() {
    let v = start().await;
    seed(&v).await;
    let json = v
        .kvtui(&["export", "--format", "json", "-o", "-"], None)
        .await;
    assert_eq!(json.code, Some(0), "{}", json.stderr);
    let j: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(
        j,
        serde_json::json!({
            "ConnectionStrings--Default": "Server=db;Password=p",
            "app-api-key": "k2",
            "db-password": "it's\nmulti-line $HOME `x`",
        })
    );
    let dn = v
        .kvtui(&["export", "--format", "dotnet", "-o", "-"], None)
        .await;
    let d: serde_json::Value = serde_json::from_slice(&dn.stdout).expect("json");
    assert_eq!(d["ConnectionStrings:Default"], "Server=db;Password=p");
    let missing = v.kvtui(&["export", "--format", "json"], None).await;
    assert_eq!(missing.code, Some(2), "-o is required");
}

#[tokio::test(flavor = "multi_thread")]
async fn prefix_and_only_select_and_fail_as_documented() {
    let v = start().await;
    seed(&v).await;
    let p = v
        .kvtui(
            &["export", "--format", "env", "--prefix", "app-", "-o", "-"],
            None,
        )
        .await;
    assert_eq!(p.out(), "API_KEY='k2'\n");
    let only = v
        .kvtui(
            &[
                "export",
                "--format",
                "env",
                "--only",
                "db-password",
                "-o",
                "-",
            ],
            None,
        )
        .await;
    assert!(only.out().starts_with("DB_PASSWORD='it"), "{}", only.out());
    assert_eq!(only.out().lines().count(), 2);
    let missing = v
        .kvtui(
            &["export", "--format", "env", "--only", "nope", "-o", "-"],
            None,
        )
        .await;
    assert_eq!(missing.code, Some(3), "{}", missing.stderr);
    assert!(missing.stdout.is_empty());
    let disabled = v
        .kvtui(
            &[
                "export",
                "--format",
                "env",
                "--only",
                "old-token",
                "-o",
                "-",
            ],
            None,
        )
        .await;
    assert_eq!(disabled.code, Some(4), "{}", disabled.stderr);
    let digit = v.kvtui(&["secret", "set", "1st"], Some(b"x")).await;
    assert_eq!(digit.code, Some(0));
    let bad = v
        .kvtui(&["export", "--format", "env", "-o", "-"], None)
        .await;
    assert_eq!(bad.code, Some(1));
    assert!(
        bad.stderr.contains("environment variable"),
        "{}",
        bad.stderr
    );
    assert!(bad.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn run_passes_values_in_the_environment_and_returns_the_code() {
    let v = start().await;
    seed(&v).await;
    let r = v
        .kvtui(
            &[
                "run",
                "--",
                "sh",
                "-c",
                "printf %s \"$DB_PASSWORD|$APP_API_KEY|$OLD_TOKEN\"; exit 7",
            ],
            None,
        )
        .await;
    assert_eq!(r.code, Some(7), "{}", r.stderr);
    assert_eq!(r.out(), "it's\nmulti-line $HOME `x`|k2|");
    let pre = v
        .kvtui(
            &[
                "run",
                "--prefix",
                "app-",
                "--",
                "sh",
                "-c",
                "printf %s \"$API_KEY|$DB_PASSWORD\"",
            ],
            None,
        )
        .await;
    assert_eq!((pre.code, pre.out().as_str()), (Some(0), "k2|"));
    // The command line the child sees holds no value.
    let args = v
        .kvtui(&["run", "--", "sh", "-c", "cat /proc/$$/cmdline"], None)
        .await;
    assert!(!args.out().contains("k2") && !args.out().contains("multi-line"));
    let sig = v
        .kvtui(&["run", "--", "sh", "-c", "kill -TERM $$"], None)
        .await;
    assert_eq!(sig.code, Some(143), "a signal n exits 128 + n");
    let none = v.kvtui(&["run", "--", "/nonexistent/command"], None).await;
    assert_eq!(none.code, Some(127), "{}", none.stderr);
    let missing = v
        .kvtui(&["run", "--only", "nope", "--", "true"], None)
        .await;
    assert_eq!(missing.code, Some(3), "{}", missing.stderr);
    let no_cmd = v.kvtui(&["run"], None).await;
    assert_eq!(no_cmd.code, Some(2));
}

/// A throttled vault (429 with `Retry-After`) is waited out: the export of
/// more values than the throttle lets through in one window still completes.
#[tokio::test(flavor = "multi_thread")]
async fn export_waits_out_a_throttled_vault() {
    let v = start().await;
    seed(&v).await;
    v.vault.set_faults(kvtui::local::Faults {
        throttle: Some(3),
        throttle_window: std::time::Duration::from_secs(1),
        ..Default::default()
    });
    let r = v
        .kvtui(&["export", "--format", "json", "-o", "-"], None)
        .await;
    v.vault.set_faults(kvtui::local::Faults::default());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = String::from_utf8_lossy(&r.stdout);
    for key in ["db-password", "ConnectionStrings--Default", "app-api-key"] {
        assert!(text.contains(key), "{key} missing from {text}");
    }
}
