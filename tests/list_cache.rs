//! The list cache on disk and through the real run loop against the local
//! vault: files 0600 in a 0700 dir with a format version, never a value (a
//! sentinel value shown on screen is nowhere in the cache dir), a write made
//! in kvtui reaches the cache, and a warm open shows the cached rows marked
//! "cached · refreshing" before the slow vault answers, then is right about
//! a secret added and one deleted elsewhere once the refresh ends;
//! `kvtui cache clear|path`, `--no-cache` and `cache = false`.

mod app_common;
mod loop_common;

use std::path::Path;
use std::time::Duration;

use app_common::{NOW, props};
use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use crossterm::event::{KeyCode, KeyModifiers};
use futures::channel::mpsc::unbounded;
use kvtui::app::lists::cached::{CachedList, CachedLists};
use kvtui::list_cache::{FORMAT_VERSION, ListCache};
use kvtui::local::{self, Faults, LocalVault, LocalVaultOptions};
use kvtui::runtime::event_loop;
use kvtui::vault::{WorkerConfig, spawn_worker};
use loop_common::{Script, quiet_clipboard, screen, wired};
use tempfile::TempDir;

const SENTINEL: &str = "SENTINEL-7f3a9c-value-never-cached";

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn lists(names: &[&str]) -> CachedLists {
    let mut tagged = props(names[0]);
    tagged.tags.insert("env".into(), "prod".into());
    tagged.content_type = Some("text/plain".into());
    tagged.managed = true;
    let mut rows = vec![tagged];
    rows.extend(names[1..].iter().map(|n| props(n)));
    CachedLists {
        secrets: Some(CachedList {
            saved_at: NOW,
            rows,
        }),
        deleted: Some(CachedList {
            saved_at: NOW,
            rows: vec![app_common::deleted("old")],
        }),
    }
}

#[test]
fn lists_round_trip_in_a_private_versioned_file() {
    let dir = TempDir::new().expect("temp dir");
    let store = ListCache::new(dir.path().join("cache"));
    let url = "https://demo.vault.azure.net";
    assert!(store.load(url).expect("no file is no cache").is_none());
    let saved = lists(&["a", "b", "c"]);
    store.save(url, &saved).expect("saved");
    assert_eq!(store.load(url).expect("read"), Some(saved.clone()));
    assert_eq!(
        store.load("https://DEMO.vault.azure.net/").expect("read"),
        Some(saved),
        "one vault whatever the spelling of its URL"
    );
    assert!(
        store
            .load("https://other.vault.azure.net")
            .expect("read")
            .is_none()
    );
    let file = store.file_for(url);
    #[cfg(unix)]
    {
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(store.dir()), 0o700);
    }
    let text = std::fs::read_to_string(&file).expect("text");
    assert!(text.contains(&format!("\"format\":{FORMAT_VERSION}")));

    // A file of another format version is ignored, a broken one refused.
    std::fs::write(
        &file,
        text.replace(&format!("\"format\":{FORMAT_VERSION}"), "\"format\":999"),
    )
    .expect("rewrite");
    assert!(store.load(url).expect("ignored").is_none());
    std::fs::write(&file, "{ not json").expect("rewrite");
    assert!(store.load(url).is_err());

    store.save(url, &lists(&["a"])).expect("saved");
    store
        .save("https://two.vault.azure.net", &lists(&["b"]))
        .expect("saved");
    assert!(store.clear(url).expect("cleared"));
    assert!(!store.clear(url).expect("nothing left"));
    assert_eq!(store.clear_all().expect("cleared"), 1);
    assert!(
        store
            .load("https://two.vault.azure.net")
            .expect("read")
            .is_none()
    );
}

fn body(value: &str) -> azure_core::http::RequestContent<SetSecretParameters> {
    SetSecretParameters {
        value: Some(value.into()),
        content_type: Some("text/plain".into()),
        ..Default::default()
    }
    .try_into()
    .expect("body")
}

async fn set(client: &SecretClient, name: &str, value: &str) {
    client
        .set_secret(name, body(value), None)
        .await
        .expect("set a secret");
}

/// Runs the loop over `vault` with the cache in `cache_dir` until `drive` ends
/// it; the cache writer has finished when this returns.
async fn run_loop<F: std::future::Future<Output = ()>>(
    vault: &LocalVault,
    cache_dir: &Path,
    drive: impl FnOnce(Script) -> F,
) {
    let client = vault.client(&vault.url()).expect("client");
    let (requests, events) = spawn_worker(client, WorkerConfig::default());
    let (mut model, mut wiring) = wired(&vault.url(), true, requests, events);
    wiring.use_cache(&mut model, ListCache::new(cache_dir), &[true]);
    let (mut terminal, shared) = screen(110, 24);
    let (keys, input) = unbounded();
    let script = Script {
        keys,
        screen: shared,
    };
    let (result, ()) = tokio::join!(
        event_loop(
            &mut terminal,
            input,
            &mut model,
            &mut wiring,
            quiet_clipboard(),
            Duration::from_millis(50)
        ),
        drive(script)
    );
    result.expect("the loop ends cleanly");
    drop(wiring);
}

fn every_file_under(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("cache dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(every_file_under(&path));
        } else {
            out.push(std::fs::read(&path).expect("a cache file"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_open_shows_the_cache_then_the_vault_and_never_a_value() {
    let dir = TempDir::new().expect("temp dir");
    let cache_dir = dir.path().join("cache");
    let mut opts = LocalVaultOptions::new(dir.path().join("data"));
    opts.in_memory = true;
    opts.samples = false;
    let vault = local::start(opts).await.expect("local vault");
    let client = vault.client(&vault.url()).expect("client");
    for name in ["alpha", "beta", "gamma"] {
        set(&client, name, SENTINEL).await;
    }

    // Cold: list, show a value on screen, delete a secret here, quit.
    run_loop(&vault, &cache_dir, |s| async move {
        s.until("the list", |t| t.contains("gamma")).await;
        s.key(KeyCode::Enter, KeyModifiers::NONE);
        s.until("the details", |t| t.contains("Versions")).await;
        s.keys("s");
        s.until("the value shown", |t| t.contains(SENTINEL)).await;
        s.key(KeyCode::Esc, KeyModifiers::NONE);
        s.until("the list again", |t| !t.contains("Versions")).await;
        s.keys("j");
        s.keys("d");
        s.until("the confirmation", |t| {
            t.contains("beta") && t.contains("Delete")
        })
        .await;
        s.keys("y");
        s.until("beta deleted", |t| {
            !t.contains("beta") && t.contains("gamma")
        })
        .await;
        s.keys("q");
    })
    .await;

    let store = ListCache::new(&cache_dir);
    let cached = store.load(&vault.url()).expect("read").expect("a cache");
    let names = |l: &CachedLists| -> Vec<String> {
        let mut v: Vec<String> = l
            .secrets
            .iter()
            .flat_map(|s| &s.rows)
            .map(|p| p.name.to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&cached),
        ["alpha", "gamma"],
        "the delete made here is cached"
    );
    let deleted: Vec<String> = cached
        .deleted
        .iter()
        .flat_map(|d| &d.rows)
        .map(|d| d.props.name.to_string())
        .collect();
    assert_eq!(deleted, ["beta"]);
    assert_eq!(
        cached
            .secrets
            .as_ref()
            .and_then(|s| s.rows[0].content_type.clone()),
        Some("text/plain".to_owned())
    );
    let files = every_file_under(&cache_dir);
    assert!(!files.is_empty());
    for bytes in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(SENTINEL), "a value reached the cache");
        assert!(
            !text.contains("SENTINEL"),
            "part of a value reached the cache"
        );
    }
    #[cfg(unix)]
    {
        assert_eq!(mode(&store.file_for(&vault.url())), 0o600);
        assert_eq!(mode(&cache_dir), 0o700);
    }

    // Elsewhere, before the next open: one secret added, one deleted.
    set(&client, "epsilon", "new").await;
    client.delete_secret("alpha", None).await.expect("delete");
    vault.set_faults(Faults {
        latency: Duration::from_millis(600),
        ..Faults::default()
    });

    // Warm: the cached rows first, marked, then the vault's.
    run_loop(&vault, &cache_dir, |s| async move {
        s.until("the cached rows", |t| {
            t.contains("cached · refreshing") && t.contains("alpha") && t.contains("gamma")
        })
        .await;
        assert!(
            !s.screen.screen().contains("epsilon"),
            "the cache showed before the slow vault answered"
        );
        s.until("the refreshed rows", |t| {
            t.contains("epsilon")
                && t.contains("gamma")
                && !t.contains("alpha")
                && !t.contains("cached")
        })
        .await;
        s.keys("q");
    })
    .await;
    let cached = store.load(&vault.url()).expect("read").expect("a cache");
    assert_eq!(names(&cached), ["epsilon", "gamma"]);
    vault.shutdown().await;
}

#[test]
fn the_cache_command_clears_one_vault_or_all() {
    let dir = TempDir::new().expect("temp dir");
    let store = ListCache::new(dir.path().join("cache"));
    let one = "https://one.vault.azure.net";
    let two = "https://two.vault.azure.net";
    store.save(one, &lists(&["a"])).expect("saved");
    store.save(two, &lists(&["b"])).expect("saved");
    let kvtui = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kvtui"))
            .args(args)
            .env("KVTUI_CACHE_DIR", store.dir())
            .env_remove("KEY_VAULT_NAME")
            .env_remove("AZURE_KEYVAULT_URL")
            .output()
            .expect("kvtui runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        kvtui(&["cache", "path"]).trim(),
        store.dir().display().to_string()
    );
    let said = kvtui(&["cache", "clear", "--vault", "one"]);
    assert!(
        said.contains("cleared https://one.vault.azure.net"),
        "{said}"
    );
    assert!(store.load(one).expect("read").is_none());
    assert!(store.load(two).expect("read").is_some());
    let said = kvtui(&["cache", "clear"]);
    assert!(said.contains("1 vault"), "{said}");
    assert!(store.load(two).expect("read").is_none());
}

#[test]
fn the_flag_and_the_config_switch_turn_the_cache_off() {
    use clap::Parser as _;
    use kvtui::cli::Cli;
    use kvtui::config::Config;
    use kvtui::launch::cache_setup;
    use kvtui::vault::VaultTarget;
    let targets = [
        VaultTarget::Local(url::Url::parse("https://localhost:8443").expect("url")),
        VaultTarget::Embedded,
    ];
    let cli = |args: &[&str]| Cli::try_parse_from(args).expect("arguments");
    let on = Config::parse("", Path::new("c.toml")).expect("config");
    assert!(on.cache, "on by default");
    let off = Config::parse("cache = false", Path::new("c.toml")).expect("config");
    let args = cli(&["kvtui", "--cache-dir", "/tmp/kvtui-cache-test"]).tui;
    let Some((store, cacheable)) = cache_setup(&on, &args, &targets) else {
        panic!("the cache is on by default");
    };
    assert_eq!(store.dir(), Path::new("/tmp/kvtui-cache-test"));
    assert_eq!(cacheable, [true, false], "the embedded vault is not cached");
    assert!(cache_setup(&off, &args, &targets).is_none());
    let no_cache = cli(&["kvtui", "--no-cache", "--cache-dir", "/tmp/x"]).tui;
    assert!(cache_setup(&on, &no_cache, &targets).is_none());
}
