//! `kvtui import` against a local vault: the plan (create, new version,
//! unchanged, conflict) changes nothing; `--apply` does, keeping tags and
//! content type on new versions; values never printed; what export writes
//! imports back unchanged.

mod script_common;

use script_common::{Vault, join, path_str, start};

async fn set(v: &Vault, args: &[&str], value: &[u8]) {
    let mut full = vec!["secret", "set"];
    full.extend_from_slice(args);
    let r = v.kvtui(&full, Some(value)).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

async fn value(v: &Vault, name: &str) -> (Option<i32>, Vec<u8>) {
    let r = v
        .kvtui(&["secret", "show", name, "-o", "value"], None)
        .await;
    (r.code, r.stdout)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_changes_nothing_and_apply_makes_it_so() {
    let v = start().await;
    set(&v, &["same", "--tag", "team=a"], b"keep-me").await;
    set(
        &v,
        &[
            "changed",
            "--content-type",
            "text/plain",
            "--tag",
            "env=dev",
        ],
        b"old-value",
    )
    .await;
    set(&v, &["gone"], b"x").await;
    set(&v, &["off", "--disabled"], b"hidden").await;
    let d = v.kvtui(&["secret", "delete", "gone"], None).await;
    assert_eq!(d.code, Some(0));

    let file = join(&v.home, "in.env");
    std::fs::write(
        &file,
        "# from the app\nSAME='keep-me'\nCHANGED=\"new\\nvalue\"\nexport NEW_ONE=fresh\nGONE=back-again-42\nOFF=on\n",
    )
    .expect("write");
    let f = path_str(&file);

    let plan = v.kvtui(&["import", &f, "--format", "env"], None).await;
    assert_eq!(plan.code, Some(5), "a conflict exits 5: {}", plan.stderr);
    let lines: Vec<String> = plan
        .out()
        .lines()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        lines,
        [
            "new version changed",
            "conflict gone (deleted",
            "create new-one",
            "new version off",
            "unchanged same",
        ]
    );
    assert!(plan.out().contains("kvtui secret recover gone"));
    assert!(plan.stderr.contains("nothing changed"), "{}", plan.stderr);
    for secret in [
        "keep-me",
        "old-value",
        "fresh",
        "back-again-42",
        "new\nvalue",
        "hidden",
    ] {
        assert!(!plan.out().contains(secret) && !plan.stderr.contains(secret));
    }
    assert_eq!(value(&v, "changed").await.1, b"old-value");
    assert_eq!(value(&v, "new-one").await.0, Some(3));

    let apply = v
        .kvtui(&["import", &f, "--format", "env", "--apply"], None)
        .await;
    assert_eq!(apply.code, Some(5), "{}", apply.stderr);
    assert!(
        apply.out().contains("created      new-one"),
        "{}",
        apply.out()
    );
    assert!(
        apply.out().contains("updated      changed"),
        "{}",
        apply.out()
    );
    assert_eq!(value(&v, "changed").await.1, b"new\nvalue");
    assert_eq!(value(&v, "new-one").await.1, b"fresh");
    assert_eq!(value(&v, "off").await.1, b"on");
    let shown = v
        .kvtui(&["secret", "show", "changed", "-o", "json"], None)
        .await;
    let j: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("json");
    assert_eq!(j["contentType"], "text/plain");
    assert_eq!(j["tags"]["env"], "dev");

    // Recovering the deleted name clears the conflict; now all is unchanged but it.
    v.kvtui(&["secret", "recover", "gone"], None).await;
    let again = v
        .kvtui(&["import", &f, "--format", "env", "--apply"], None)
        .await;
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(value(&v, "gone").await.1, b"back-again-42");
    let last = v.kvtui(&["import", &f, "--format", "env"], None).await;
    assert_eq!(last.code, Some(0));
    assert_eq!(
        last.out()
            .lines()
            .filter(|l| l.starts_with("unchanged"))
            .count(),
        5
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_imports_back_unchanged() {
    let v = start().await;
    set(
        &v,
        &["pem-key"],
        b"-----BEGIN-----\r\n\tit's \"x\" $y\n-----END-----\n",
    )
    .await;
    set(&v, &["plain"], b"p").await;
    for format in ["env", "json"] {
        let file = join(&v.home, &format!("all.{format}"));
        let f = path_str(&file);
        let e = v
            .kvtui(&["export", "--format", format, "-o", &f], None)
            .await;
        assert_eq!(e.code, Some(0), "{}", e.stderr);
        let plan = v.kvtui(&["import", &f, "--format", format], None).await;
        assert_eq!(plan.code, Some(0), "{format}: {}", plan.stderr);
        assert_eq!(
            plan.out(),
            "unchanged    pem-key\nunchanged    plain\n",
            "{format}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_files_are_usage_errors_naming_no_value() {
    let v = start().await;
    for (format, text) in [
        ("env", "A='unterminated\n"),
        ("env", "BAD-KEY=1\n"),
        ("json", "[1, 2]"),
        ("json", "{\"a\": 1}"),
        ("json", "{\"bad_name\": \"s3cr3t\"}"),
    ] {
        let file = join(&v.home, "bad");
        std::fs::write(&file, text).expect("write");
        let r = v
            .kvtui(&["import", &path_str(&file), "--format", format], None)
            .await;
        assert_eq!(r.code, Some(2), "{text}: {}", r.stderr);
        assert!(!r.stderr.contains("s3cr3t"), "{}", r.stderr);
    }
    let missing = v
        .kvtui(
            &[
                "import",
                &path_str(&join(&v.home, "none")),
                "--format",
                "env",
            ],
            None,
        )
        .await;
    assert_eq!(missing.code, Some(1));
}
