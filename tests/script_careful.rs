//! The command line as careful as the TUI, through the real binary against a
//! local vault: no environment hijack through `run`/`export`, the TUI's input
//! rules, `secret update`, a recover that waits, tables drawn as the TUI
//! draws, wording for scripts, completions and the man page.

mod script_common;

use script_common::{Vault, join, path_str, start};

async fn set(v: &Vault, name: &str, value: &[u8], extra: &[&str]) {
    let mut args = vec!["secret", "set", name];
    args.extend_from_slice(extra);
    let r = v.kvtui(&args, Some(value)).await;
    assert_eq!(r.code, Some(0), "set {name}: {}", r.stderr);
}

async fn json(v: &Vault, name: &str) -> serde_json::Value {
    let r = v.kvtui(&["secret", "show", name, "-o", "json"], None).await;
    assert_eq!(r.code, Some(0), "show {name}: {}", r.stderr);
    serde_json::from_slice(&r.stdout).expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn run_and_export_refuse_names_that_change_how_programs_run() {
    let v = start().await;
    // A planted `sh` in the directory the `path` secret names.
    let planted = tempfile::TempDir::new().expect("dir");
    let fake = planted.path().join("sh");
    std::fs::write(&fake, "#!/bin/sh\necho planted\n").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let dir = path_str(planted.path());
    set(&v, "path", dir.as_bytes(), &[]).await;
    set(&v, "ld-preload", b"/tmp/evil.so", &[]).await;
    set(&v, "node-options", b"--require /tmp/evil.js", &[]).await;
    set(&v, "db-url", b"postgres://db", &[]).await;

    let r = v
        .kvtui(&["run", "--", "sh", "-c", "echo child ran"], None)
        .await;
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "the child never ran: {}", r.out());
    for said in [
        "PATH (from secret path)",
        "LD_PRELOAD (from secret ld-preload)",
        "NODE_OPTIONS (from secret node-options)",
        "--allow-env PATH",
    ] {
        assert!(r.stderr.contains(said), "{said}: {}", r.stderr);
    }
    assert!(!r.stderr.contains("DB_URL"), "{}", r.stderr);

    // Allowed: PATH reaches the child, but the program was found with
    // kvtui's own PATH, so the planted `sh` never runs.
    let allowed = v
        .kvtui(
            &[
                "run",
                "--only",
                "path",
                "--allow-env",
                "PATH",
                "--",
                "sh",
                "-c",
                "printf %s \"$PATH\"",
            ],
            None,
        )
        .await;
    assert_eq!(allowed.code, Some(0), "{}", allowed.stderr);
    assert_eq!(allowed.out(), dir);

    // A name already set in kvtui's environment is refused unless allowed.
    let env = [("DB_URL", "from-the-parent")];
    let args = [
        "run",
        "--only",
        "db-url",
        "--",
        "sh",
        "-c",
        "printf %s \"$DB_URL\"",
    ];
    let clash = v.kvtui_with(v.dir.path(), &args, None, &env).await;
    assert_eq!(clash.code, Some(2), "{}", clash.stderr);
    assert!(
        clash
            .stderr
            .contains("DB_URL (from secret db-url) is already set"),
        "{}",
        clash.stderr
    );
    let mut opted = args.to_vec();
    opted.splice(3..3, ["--allow-env", "db-url"]);
    let ok = v.kvtui_with(v.dir.path(), &opted, None, &env).await;
    assert_eq!(
        (ok.code, ok.out().as_str()),
        (Some(0), "postgres://db"),
        "{}",
        ok.stderr
    );

    // export --format env: the same denylist; JSON has no environment.
    let e = v
        .kvtui(&["export", "--format", "env", "-o", "-"], None)
        .await;
    assert_eq!(e.code, Some(2), "{}", e.stderr);
    assert!(e.stdout.is_empty());
    assert!(e.stderr.contains("LD_PRELOAD (from secret ld-preload)"));
    let only = v
        .kvtui(
            &["export", "--format", "env", "--only", "db-url", "-o", "-"],
            None,
        )
        .await;
    assert_eq!(
        (only.code, only.out().as_str()),
        (Some(0), "DB_URL='postgres://db'\n")
    );
    let j = v
        .kvtui(&["export", "--format", "json", "-o", "-"], None)
        .await;
    assert_eq!(j.code, Some(0), "{}", j.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_value_holding_a_nul_is_skipped_with_a_warning_naming_it() {
    let v = start().await;
    set(&v, "blob", b"a\0b", &[]).await;
    set(&v, "token", b"t", &[]).await;
    let r = v
        .kvtui(&["export", "--format", "env", "-o", "-"], None)
        .await;
    assert_eq!(
        (r.code, r.out().as_str()),
        (Some(0), "TOKEN='t'\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("warning: skipped blob") && r.stderr.contains("NUL"),
        "{}",
        r.stderr
    );
    let run = v
        .kvtui(&["run", "--", "sh", "-c", "printf %s \"$TOKEN\""], None)
        .await;
    assert_eq!((run.code, run.out().as_str()), (Some(0), "t"));
    assert!(run.stderr.contains("skipped blob"), "{}", run.stderr);
    // Named on purpose: an error, not a silent skip.
    let named = v
        .kvtui(&["run", "--only", "blob", "--", "true"], None)
        .await;
    assert_eq!(named.code, Some(1), "{}", named.stderr);
    assert!(named.stderr.contains("blob"), "{}", named.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn set_takes_the_tui_date_forms_and_refuses_what_the_tui_refuses() {
    let v = start().await;
    set(&v, "span", b"v", &["--expires", "+30d"]).await;
    let exp = json(&v, "span").await["expires"]
        .as_str()
        .map(|s| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))
        .and_then(Result::ok)
        .expect("an expiry");
    let days = (exp - time::OffsetDateTime::now_utc()).whole_days();
    assert!((29..=30).contains(&days), "{days}");

    set(&v, "wall", b"v", &["--expires", "2027-01-31T10:00"]).await;
    assert_eq!(json(&v, "wall").await["expires"], "2027-01-31T10:00:00Z");
    // A time without a zone is in the local zone (here two hours east of UTC).
    let east = v
        .kvtui_with(
            v.dir.path(),
            &["secret", "set", "east", "--not-before", "2027-01-31 10:00"],
            Some(b"v"),
            &[("TZ", "XYZ-2")],
        )
        .await;
    assert_eq!(east.code, Some(0), "{}", east.stderr);
    assert_eq!(json(&v, "east").await["notBefore"], "2027-01-31T08:00:00Z");

    let twice = v
        .kvtui(
            &["secret", "set", "t", "--tag", "a=1", "--tag", "a=2"],
            Some(b"v"),
        )
        .await;
    assert_eq!(twice.code, Some(2), "{}", twice.stderr);
    assert!(twice.stderr.contains("given twice"), "{}", twice.stderr);

    let empty = v.kvtui(&["secret", "set", "e"], Some(b"")).await;
    assert_eq!(empty.code, Some(2), "{}", empty.stderr);
    assert!(empty.stderr.contains("--allow-empty"), "{}", empty.stderr);
    let allowed = v
        .kvtui(&["secret", "set", "e", "--allow-empty"], Some(b""))
        .await;
    assert_eq!(allowed.code, Some(0), "{}", allowed.stderr);
    let names = v.kvtui(&["secret", "list", "-o", "names"], None).await;
    assert_eq!(names.out(), "e\neast\nspan\nwall\n");

    // Reading stops at the limit: /dev/zero and a FIFO fail fast.
    let zero = v
        .kvtui(&["secret", "set", "z", "--file", "/dev/zero"], None)
        .await;
    assert_eq!(zero.code, Some(2), "{}", zero.stderr);
    assert!(zero.stderr.contains("25 KiB"), "{}", zero.stderr);
    let fifo = join(&v.home, "fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let mut writer = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("yes > '{}'", path_str(&fifo)))
        .spawn()
        .expect("writer");
    let f = v
        .kvtui(&["secret", "set", "z", "--file", &path_str(&fifo)], None)
        .await;
    let _ = writer.kill();
    let _ = writer.wait();
    assert_eq!(f.code, Some(2), "{}", f.stderr);
    assert!(f.stderr.contains("25 KiB"), "{}", f.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn import_infers_the_format_and_says_the_real_rules() {
    let v = start().await;
    let env_file = join(&v.home, "app.env");
    std::fs::write(&env_file, "DB_PASSWORD=p\n").expect("write");
    let r = v.kvtui(&["import", &path_str(&env_file)], None).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.out().contains("create"), "{}", r.out());
    let json_file = join(&v.home, "secrets.json");
    std::fs::write(&json_file, r#"{"api-key": "k"}"#).expect("write");
    let j = v
        .kvtui(&["import", &path_str(&json_file), "--apply"], None)
        .await;
    assert_eq!(j.code, Some(0), "{}", j.stderr);
    let other = join(&v.home, "secrets.txt");
    std::fs::write(&other, "A=1\n").expect("write");
    let unknown = v.kvtui(&["import", &path_str(&other)], None).await;
    assert_eq!(unknown.code, Some(2), "{}", unknown.stderr);
    assert!(unknown.stderr.contains("--format"), "{}", unknown.stderr);

    let bad = join(&v.home, "bad.env");
    std::fs::write(&bad, "1BAD=x\n").expect("write");
    let b = v.kvtui(&["import", &path_str(&bad)], None).await;
    assert_eq!(b.code, Some(2), "{}", b.stderr);
    assert!(
        b.stderr.contains("must not start with a digit"),
        "{}",
        b.stderr
    );

    let zero = v
        .kvtui(&["import", "/dev/zero", "--format", "env"], None)
        .await;
    assert_eq!(zero.code, Some(2), "{}", zero.stderr);
    assert!(zero.stderr.contains("32 MiB"), "{}", zero.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn update_sends_only_what_is_given() {
    let v = start().await;
    set(
        &v,
        "db",
        b"v1",
        &[
            "--tag",
            "env=dev",
            "--content-type",
            "text/plain",
            "--expires",
            "2030-01-31",
        ],
    )
    .await;
    let first = json(&v, "db").await["version"]
        .as_str()
        .expect("version")
        .to_owned();
    let up = v
        .kvtui(&["secret", "update", "db", "--disable"], None)
        .await;
    assert_eq!(up.code, Some(0), "{}", up.stderr);
    assert!(up.out().contains("/secrets/db/"), "{}", up.out());
    let list = v.kvtui(&["secret", "list", "-o", "json"], None).await;
    let item: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(item[0]["enabled"], false);
    assert_eq!(item[0]["tags"]["env"], "dev", "tags untouched");
    assert_eq!(item[0]["contentType"], "text/plain");
    assert_eq!(item[0]["expires"], "2030-01-31T00:00:00Z");

    let back = v
        .kvtui(
            &[
                "secret",
                "update",
                "db",
                "--enable",
                "--no-expires",
                "--tag",
                "team=a",
            ],
            None,
        )
        .await;
    assert_eq!(back.code, Some(0), "{}", back.stderr);
    let j = json(&v, "db").await;
    assert!(j["expires"].is_null(), "{j}");
    assert_eq!(j["tags"], serde_json::json!({"team": "a"}));
    assert_eq!(j["contentType"], "text/plain");

    set(&v, "db", b"v2", &[]).await;
    let old = v
        .kvtui(
            &[
                "secret",
                "update",
                "db",
                "--version",
                &first,
                "--clear-tags",
            ],
            None,
        )
        .await;
    assert_eq!(old.code, Some(0), "{}", old.stderr);
    assert!(old.out().contains(&first), "{}", old.out());

    let nothing = v.kvtui(&["secret", "update", "db"], None).await;
    assert_eq!(nothing.code, Some(2), "{}", nothing.stderr);
    let both = v
        .kvtui(&["secret", "update", "db", "--enable", "--disable"], None)
        .await;
    assert_eq!(both.code, Some(2));
    let missing = v
        .kvtui(&["secret", "update", "nope", "--enable"], None)
        .await;
    assert_eq!(missing.code, Some(3), "{}", missing.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn recover_waits_until_the_secret_answers_and_show_and_set_wait_out_409() {
    let v = script_common::start_with(kvtui::local::Faults {
        recover_delay: std::time::Duration::from_millis(1500),
        ..Default::default()
    })
    .await;
    let client = v.vault.client(&v.url()).expect("client");
    set(&v, "one", b"v1", &[]).await;
    set(&v, "two", b"v2", &[]).await;
    for n in ["one", "two"] {
        let d = v.kvtui(&["secret", "delete", n], None).await;
        assert_eq!(d.code, Some(0), "{}", d.stderr);
    }
    let r = v.kvtui(&["secret", "recover", "one"], None).await;
    assert_eq!((r.code, r.out().as_str()), (Some(0), "recovered one\n"));
    // Readable the moment recover returned, without any retry.
    let got = client.get_secret("one", None).await;
    assert!(got.is_ok(), "{got:?}");

    let nw = v
        .kvtui(&["secret", "recover", "two", "--no-wait"], None)
        .await;
    assert_eq!(nw.code, Some(0), "{}", nw.stderr);
    let early = client.get_secret("two", None).await;
    let status = early.err().and_then(|e| e.http_status()).map(u16::from);
    assert_eq!(status, Some(409), "still being recovered");
    let shown = v
        .kvtui(&["secret", "show", "two", "-o", "value"], None)
        .await;
    assert_eq!(
        (shown.code, shown.stdout.as_slice()),
        (Some(0), &b"v2"[..]),
        "{}",
        shown.stderr
    );
    v.kvtui(&["secret", "delete", "two"], None).await;
    v.kvtui(&["secret", "recover", "two", "--no-wait"], None)
        .await;
    set(&v, "two", b"v3", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tables_pad_by_display_width_and_draw_hidden_characters() {
    let v = start().await;
    set(
        &v,
        "a",
        b"v",
        &["--content-type", "text/\u{1b}[2Jweird\u{200b}"],
    )
    .await;
    set(
        &v,
        "a-much-longer-name",
        b"v",
        &["--content-type", "日本語"],
    )
    .await;
    let t = v.kvtui(&["secret", "list"], None).await;
    assert_eq!(t.code, Some(0), "{}", t.stderr);
    let text = t.out();
    assert!(
        !text.contains('\u{1b}'),
        "no raw escape reaches the terminal"
    );
    assert!(text.contains("text/␛[2Jweird<U+200B>"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let col = |l: &str, what: &str| {
        let at = l.find(what).expect(what);
        unicode_width::UnicodeWidthStr::width(&l[..at])
    };
    assert_eq!(col(lines[0], "ON"), 41, "{text}");
    assert_eq!(col(lines[1], "yes"), 41, "{text}");
    assert_eq!(col(lines[2], "yes"), 41, "{text}");
    // Columns after a wide content type line up too.
    assert_eq!(col(lines[2], " 20") + 1, col(lines[0], "UPDATED"), "{text}");

    v.kvtui(&["secret", "delete", "a"], None).await;
    let d = v.kvtui(&["secret", "list", "--deleted"], None).await;
    let dl: Vec<&str> = d
        .stdout
        .split(|b| *b == b'\n')
        .map(|l| std::str::from_utf8(l).unwrap_or(""))
        .collect();
    assert_eq!(col(dl[0], "DELETED"), 41, "{}", d.out());
    assert_eq!(col(dl[1], "20"), 41, "{}", d.out());
}

#[tokio::test(flavor = "multi_thread")]
async fn wording_and_codes_fit_a_command_line() {
    let v = start().await;
    set(&v, "live", b"v", &[]).await;
    set(&v, "gone", b"v", &[]).await;
    v.kvtui(&["secret", "delete", "gone"], None).await;

    let purge = v.kvtui(&["secret", "purge", "live"], None).await;
    assert_eq!(purge.code, Some(3), "{}", purge.stderr);
    assert!(
        purge.stderr.contains("live is not deleted"),
        "{}",
        purge.stderr
    );
    let again = v.kvtui(&["secret", "delete", "gone"], None).await;
    assert_eq!(again.code, Some(5), "{}", again.stderr);
    assert!(
        again.stderr.contains("gone is already deleted"),
        "{}",
        again.stderr
    );
    let show = v.kvtui(&["secret", "show", "gone"], None).await;
    assert_eq!(show.code, Some(5), "{}", show.stderr);
    assert!(
        show.stderr.contains("kvtui secret recover gone"),
        "{}",
        show.stderr
    );
    let missing = v.kvtui(&["secret", "show", "nothing"], None).await;
    assert_eq!(missing.code, Some(3));
    assert!(!missing.stderr.contains("Refresh"), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("kvtui secret list"),
        "{}",
        missing.stderr
    );

    let file = join(&v.home, "live.bak");
    let b = v
        .kvtui(
            &["secret", "backup", "live", "--file", &path_str(&file)],
            None,
        )
        .await;
    assert_eq!(b.code, Some(0), "{}", b.stderr);
    let clash = v
        .kvtui(&["secret", "restore", "--file", &path_str(&file)], None)
        .await;
    assert_eq!(clash.code, Some(1), "{}", clash.stderr);
    assert!(
        clash.stderr.contains("`kvtui secret delete live`"),
        "{}",
        clash.stderr
    );
    v.kvtui(&["secret", "delete", "live"], None).await;
    let deleted = v
        .kvtui(&["secret", "restore", "--file", &path_str(&file)], None)
        .await;
    assert_eq!(deleted.code, Some(5), "{}", deleted.stderr);
    assert!(
        deleted.stderr.contains("kvtui secret recover live") && !deleted.stderr.contains("NAME"),
        "{}",
        deleted.stderr
    );

    let nowhere = join(&v.home, "no-such-dir");
    let r = v.kvtui_with(&nowhere, &["secret", "list"], None, &[]).await;
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--data-dir"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_come_from_the_flags_and_bash_completes_with_them() {
    let home = tempfile::TempDir::new().expect("home");
    let run = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let home = home.path().to_path_buf();
        async move { script_common::run_binary(&args, None, &home, &[]).await }
    };
    let bash = run(&["completions", "bash"]).await;
    assert_eq!(bash.code, Some(0), "{}", bash.stderr);
    let script = join(&home, "kvtui.bash");
    std::fs::write(&script, &bash.stdout).expect("write");
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            ". '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; \
             _kvtui kvtui '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path_str(&script),
            words.join(" "),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(program)
            .output()
            .expect("bash");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let subs = complete("kvtui sec");
    assert_eq!(subs.trim(), "secret", "{subs}");
    let secret = complete("kvtui secret up");
    assert_eq!(secret.trim(), "update", "{secret}");
    let flags = complete("kvtui run --allow");
    assert!(flags.contains("--allow-env"), "{flags}");

    for shell in ["zsh", "fish", "powershell"] {
        let r = run(&["completions", shell]).await;
        assert_eq!(r.code, Some(0), "{shell}: {}", r.stderr);
        assert!(r.out().contains("allow-env"), "{shell}");
    }
    let man = run(&["man"]).await;
    assert_eq!(man.code, Some(0), "{}", man.stderr);
    assert!(
        man.out().starts_with(".ie") || man.out().contains(".TH kvtui"),
        "{}",
        man.out()
    );
    let dir = join(&home, "man");
    let pages = run(&["man", "--dir", &path_str(&dir)]).await;
    assert_eq!(pages.code, Some(0), "{}", pages.stderr);
    let secret_page = std::fs::read_to_string(dir.join("kvtui-secret-update.1")).expect("page");
    assert!(secret_page.contains("no\\-expires"), "{secret_page}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn files_outside_the_data_dir_are_private_and_never_reached_through_links() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::TempDir::new().expect("home");
    let run = |args: Vec<String>| {
        let home = home.path().to_path_buf();
        async move { script_common::run_binary(&args, None, &home, &[]).await }
    };
    let shared = join(&home, "shared");
    std::fs::create_dir(&shared).expect("dir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).expect("chmod");
    let link = join(&home, "link");
    std::os::unix::fs::symlink(&shared, &link).expect("symlink");
    let own = join(&home, "own");
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    for (given, expected) in [
        (&shared, shared.join(format!("kvtui-{uid}"))),
        (&link, link.join(format!("kvtui-{uid}"))),
        (&own, own.clone()),
    ] {
        let r = run(vec![
            "cache".into(),
            "path".into(),
            "--cache-dir".into(),
            path_str(given),
        ])
        .await;
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(r.out().trim_end(), path_str(&expected));
    }

    // A log path that is a symlink is refused; the file it points at is untouched.
    let target = join(&home, "target.txt");
    std::fs::write(&target, "keep").expect("write");
    let log_link = join(&home, "kvtui.log");
    std::os::unix::fs::symlink(&target, &log_link).expect("symlink");
    let args = |log: &std::path::Path| {
        vec![
            "--log-file".to_string(),
            path_str(log),
            "--data-dir".into(),
            path_str(&join(&home, "data")),
            "--vault".into(),
            "https://localhost:1".into(),
        ]
    };
    let r = run(args(&log_link)).await;
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("kvtui.log"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep");
    let fresh = join(&home, "fresh.log");
    let _ = run(args(&fresh)).await;
    let mode = std::fs::metadata(&fresh)
        .expect("log made")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}
