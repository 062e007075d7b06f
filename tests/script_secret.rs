//! `kvtui secret ...` as a script runs it: the real binary against a local
//! vault started here, checking stdout, stderr and every exit code.

mod script_common;

use script_common::{join, path_str, start, wrong_token_dir};

#[tokio::test(flavor = "multi_thread")]
async fn set_show_and_list_round_trip_a_value_exactly() {
    let v = start().await;
    let value = "line one\r\n\ttab 'quote' \"dq\" $HOME\n";
    let set = v
        .kvtui(
            &[
                "secret",
                "set",
                "db-password",
                "--content-type",
                "text/plain",
                "--tag",
                "env=dev",
                "--tag",
                "a=b=c",
                "--expires",
                "2030-01-31",
            ],
            Some(value.as_bytes()),
        )
        .await;
    assert_eq!(set.code, Some(0), "{}", set.stderr);
    assert!(set.out().contains("/secrets/db-password/"), "{}", set.out());

    let raw = v
        .kvtui(&["secret", "show", "db-password", "-o", "value"], None)
        .await;
    assert_eq!(raw.code, Some(0), "{}", raw.stderr);
    assert_eq!(raw.stdout, value.as_bytes());

    let text = v.kvtui(&["secret", "show", "db-password"], None).await;
    assert_eq!(text.code, Some(0));
    assert!(
        !text.out().contains("line one"),
        "text output shows no value"
    );
    assert!(
        text.out().contains("tags:         a=b=c, env=dev"),
        "{}",
        text.out()
    );

    let json = v
        .kvtui(&["secret", "show", "db-password", "-o", "json"], None)
        .await;
    let j: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(j["value"], value);
    assert_eq!(j["name"], "db-password");
    assert_eq!(j["contentType"], "text/plain");
    assert_eq!(j["expires"], "2030-01-31T00:00:00Z");
    assert_eq!(j["tags"]["a"], "b=c");
    assert_eq!(j["enabled"], true);
    let version = j["version"].as_str().expect("version").to_owned();

    let old = v
        .kvtui(
            &[
                "secret",
                "show",
                "db-password",
                "--version",
                &version,
                "-o",
                "value",
            ],
            None,
        )
        .await;
    assert_eq!(old.stdout, value.as_bytes());

    let file = join(&v.home, "value.txt");
    std::fs::write(&file, "from a file").expect("write");
    let f = v
        .kvtui(
            &[
                "secret",
                "set",
                "api-key",
                "--file",
                &path_str(&file),
                "--disabled",
            ],
            None,
        )
        .await;
    assert_eq!(f.code, Some(0), "{}", f.stderr);

    let names = v.kvtui(&["secret", "list", "-o", "names"], None).await;
    assert_eq!(names.out(), "api-key\ndb-password\n");
    let table = v.kvtui(&["secret", "list"], None).await;
    let lines: Vec<&str> = table
        .stdout
        .split(|b| *b == b'\n')
        .map(|l| std::str::from_utf8(l).unwrap_or(""))
        .collect();
    assert!(lines[0].starts_with("NAME"), "{}", table.out());
    assert!(
        lines[1].starts_with("api-key") && lines[1].contains(" no "),
        "{}",
        table.out()
    );
    assert!(!table.out().contains("from a file"));
    let list = v.kvtui(&["secret", "list", "-o", "json"], None).await;
    let arr: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json list");
    assert_eq!(arr.as_array().map(Vec::len), Some(2));
    assert_eq!(arr[0]["enabled"], false);
    assert!(arr[0].get("value").is_none());

    // A disabled secret's value is forbidden: 4.
    let disabled = v
        .kvtui(&["secret", "show", "api-key", "-o", "value"], None)
        .await;
    assert_eq!(disabled.code, Some(4), "{}", disabled.stderr);
    assert!(
        disabled.stderr.contains("SecretDisabled"),
        "{}",
        disabled.stderr
    );
    assert!(disabled.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_vault_lists_nothing_and_json_is_an_empty_array() {
    let v = start().await;
    let names = v.kvtui(&["secret", "list", "-o", "names"], None).await;
    assert_eq!((names.code, names.out().as_str()), (Some(0), ""));
    let json = v.kvtui(&["secret", "list", "-o", "json"], None).await;
    let arr: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(arr, serde_json::json!([]));
    let deleted = v
        .kvtui(&["secret", "list", "--deleted", "-o", "json"], None)
        .await;
    assert_eq!(deleted.code, Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn not_found_is_3_with_the_tui_hint() {
    let v = start().await;
    let r = v.kvtui(&["secret", "show", "missing"], None).await;
    assert_eq!(r.code, Some(3));
    assert!(r.stderr.contains("Not found (404)"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: "), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let d = v.kvtui(&["secret", "delete", "missing"], None).await;
    assert_eq!(d.code, Some(3));
    let p = v.kvtui(&["secret", "purge", "missing"], None).await;
    assert_eq!(p.code, Some(3));
    let b = v
        .kvtui(
            &[
                "secret",
                "backup",
                "missing",
                "--file",
                &path_str(&join(&v.home, "b")),
            ],
            None,
        )
        .await;
    assert_eq!(b.code, Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_token_is_4() {
    let v = start().await;
    let wrong = wrong_token_dir(&v);
    let r = v
        .kvtui_with(wrong.path(), &["secret", "list", "-o", "names"], None, &[])
        .await;
    assert_eq!(r.code, Some(4), "{}", r.stderr);
    assert!(r.stderr.contains("401"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: "), "{}", r.stderr);
    let empty = tempfile::TempDir::new().expect("dir");
    let none = v
        .kvtui_with(empty.path(), &["secret", "show", "x"], None, &[])
        .await;
    assert_eq!(none.code, Some(4), "no CA or token: {}", none.stderr);
    assert!(
        none.stderr.contains("kvtui serve --data-dir"),
        "{}",
        none.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_name_is_5_naming_recover_and_purge_then_recover_purge_work() {
    let v = start().await;
    for n in ["one", "two"] {
        let s = v.kvtui(&["secret", "set", n], Some(b"v1")).await;
        assert_eq!(s.code, Some(0), "{}", s.stderr);
    }
    let d = v.kvtui(&["secret", "delete", "one", "two"], None).await;
    assert_eq!(
        (d.code, d.out().as_str()),
        (Some(0), "deleted one\ndeleted two\n")
    );

    let again = v.kvtui(&["secret", "set", "one"], Some(b"v2")).await;
    assert_eq!(again.code, Some(5), "{}", again.stderr);
    assert!(
        again.stderr.contains("kvtui secret recover one"),
        "{}",
        again.stderr
    );
    assert!(
        again.stderr.contains("kvtui secret purge one"),
        "{}",
        again.stderr
    );

    let listed = v
        .kvtui(&["secret", "list", "--deleted", "-o", "json"], None)
        .await;
    let arr: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(arr[0]["name"], "one");
    assert!(arr[0]["deletedDate"].is_string() && arr[0]["scheduledPurgeDate"].is_string());
    assert!(
        arr[0]["recoveryId"]
            .as_str()
            .unwrap_or("")
            .contains("/deletedsecrets/one")
    );

    let r = v.kvtui(&["secret", "recover", "one"], None).await;
    assert_eq!((r.code, r.out().as_str()), (Some(0), "recovered one\n"));
    let shown = v
        .kvtui(&["secret", "show", "one", "-o", "value"], None)
        .await;
    assert_eq!(shown.stdout, b"v1");

    // Several names: each is tried, the first failure's code is the exit code.
    let p = v.kvtui(&["secret", "purge", "one", "two"], None).await;
    assert_eq!(p.code, Some(3), "{}", p.stderr);
    assert_eq!(p.out(), "purged two\n");
    let names = v
        .kvtui(&["secret", "list", "--deleted", "-o", "names"], None)
        .await;
    assert_eq!(names.out(), "");
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_is_private_and_never_overwritten_and_restore_brings_it_back() {
    let v = start().await;
    let s = v.kvtui(&["secret", "set", "cert-pass"], Some(b"pw")).await;
    assert_eq!(s.code, Some(0));
    let file = join(&v.home, "cert-pass.bak");
    let f = path_str(&file);
    let b = v
        .kvtui(&["secret", "backup", "cert-pass", "--file", &f], None)
        .await;
    assert_eq!(b.code, Some(0), "{}", b.stderr);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("backup")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = std::fs::read(&file).expect("read");
    let again = v
        .kvtui(&["secret", "backup", "cert-pass", "--file", &f], None)
        .await;
    assert_eq!(again.code, Some(1));
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(std::fs::read(&file).expect("read"), before);
    let forced = v
        .kvtui(
            &["secret", "backup", "cert-pass", "--file", &f, "--force"],
            None,
        )
        .await;
    assert_eq!(forced.code, Some(0));

    // Restoring onto an existing name is a conflict (1); onto a deleted one, 5.
    let clash = v.kvtui(&["secret", "restore", "--file", &f], None).await;
    assert_eq!(clash.code, Some(1), "{}", clash.stderr);
    v.kvtui(&["secret", "delete", "cert-pass"], None).await;
    let deleted = v.kvtui(&["secret", "restore", "--file", &f], None).await;
    assert_eq!(deleted.code, Some(5), "{}", deleted.stderr);
    v.kvtui(&["secret", "purge", "cert-pass"], None).await;
    let r = v.kvtui(&["secret", "restore", "--file", &f], None).await;
    assert_eq!(
        (r.code, r.out().as_str()),
        (Some(0), "restored cert-pass\n")
    );
    let shown = v
        .kvtui(&["secret", "show", "cert-pass", "-o", "value"], None)
        .await;
    assert_eq!(shown.stdout, b"pw");
    let missing = v
        .kvtui(
            &[
                "secret",
                "restore",
                "--file",
                &path_str(&join(&v.home, "none")),
            ],
            None,
        )
        .await;
    assert_eq!(missing.code, Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_are_2_and_values_never_come_from_argv() {
    let v = start().await;
    for args in [
        &["secret", "set", "bad_name"][..],
        &["secret", "set", "x", "--value", "hunter2"],
        &["secret", "set", "x", "--tag", "novalue"],
        &["secret", "set", "x", "--expires", "soon"],
        &["secret", "show", "x", "--version", "../etc"],
        &["secret", "frobnicate"],
        &["secret", "delete"],
    ] {
        let r = v.kvtui(args, Some(b"v")).await;
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty());
    }
    let big = vec![b'a'; 25 * 1024 + 1];
    let r = v.kvtui(&["secret", "set", "big"], Some(&big)).await;
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("25 KiB"), "{}", r.stderr);
}
