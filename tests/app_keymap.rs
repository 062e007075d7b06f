//! The keymap is data: the default parses, every mode has help, overrides
//! replace bindings and clashes become warnings.

use kvtui::app::keymap::{Action, BindingSpec, KeySpec, Keymap, Mode};

#[test]
fn default_keymap_parses_and_covers_every_mode() {
    let km = Keymap::from_toml(kvtui::app::keymap::DEFAULT_KEYMAP).expect("assets/keymap.toml");
    for mode in Mode::ALL {
        assert!(!km.effective(mode).is_empty(), "{mode:?} has no bindings");
        assert!(
            km.help(mode).iter().all(|e| !e.desc.is_empty()),
            "{mode:?} lacks a description"
        );
    }
    let ctrl_c = KeySpec::parse("ctrl-c").unwrap().to_event();
    for mode in Mode::ALL {
        assert_eq!(km.action(mode, &ctrl_c), Some(Action::Quit), "{mode:?}");
    }
    let g = KeySpec::parse("G").unwrap().to_event();
    assert_eq!(km.action(Mode::List, &g), Some(Action::Bottom));
    let f5 = KeySpec::parse("f5").unwrap().to_event();
    assert_eq!(km.action(Mode::Deleted, &f5), Some(Action::Refresh));
}

fn spec(mode: Mode, keys: &[&str], action: &str) -> BindingSpec {
    BindingSpec {
        mode,
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        action: action.into(),
        desc: None,
        hint: None,
        replace: false,
    }
}

#[test]
fn overrides_add_keys_and_warn_on_clashes() {
    let mut km = Keymap::default_keymap();
    let warnings = km.apply_overrides(&[
        spec(Mode::List, &["Z"], "delete"),
        spec(Mode::List, &["j"], "up"),
        spec(Mode::List, &["z"], "explode"),
    ]);
    let ev = |k: &str| KeySpec::parse(k).unwrap().to_event();
    assert_eq!(km.action(Mode::List, &ev("Z")), Some(Action::Delete));
    assert_eq!(
        km.action(Mode::List, &ev("d")),
        Some(Action::Delete),
        "an override adds a key; the default stays"
    );
    assert_eq!(km.action(Mode::List, &ev("j")), Some(Action::Up));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("explode")));
    assert_eq!(
        km.action(Mode::Deleted, &ev("j")),
        Some(Action::Down),
        "the shared binding stays for the other list"
    );
    let effective = km.effective(Mode::List);
    let keys_of = |a: Action| {
        effective
            .iter()
            .find(|e| e.action == a)
            .map(|e| e.keys.clone())
            .unwrap()
    };
    assert!(
        !keys_of(Action::Down).contains(&KeySpec::parse("j").unwrap()),
        "help follows the clash"
    );
    let delete = keys_of(Action::Delete);
    assert!(delete.contains(&KeySpec::parse("d").unwrap()), "{delete:?}");
    assert!(delete.contains(&KeySpec::parse("Z").unwrap()), "{delete:?}");
}

#[test]
fn overrides_unbind_or_replace_defaults_only_when_asked() {
    let ev = |k: &str| KeySpec::parse(k).unwrap().to_event();
    let mut km = Keymap::default_keymap();
    // `q` quits from both lists by default; unbinding it in one list stops
    // the lookup there instead of falling through to the shared binding.
    km.apply_overrides(&[spec(Mode::List, &["q"], "unbind")]);
    assert_eq!(km.action(Mode::List, &ev("q")), None);
    assert_eq!(km.action(Mode::Deleted, &ev("q")), Some(Action::Quit));

    let mut replace = spec(Mode::List, &["D"], "delete");
    replace.replace = true;
    km.apply_overrides(&[replace]);
    assert_eq!(km.action(Mode::List, &ev("D")), Some(Action::Delete));
    assert_eq!(km.action(Mode::List, &ev("d")), None, "replaced");
    let hints = km.hints(Mode::List);
    assert!(
        hints.iter().any(|h| h.text() == "D delete"),
        "the hint shows the new key only: {hints:?}"
    );
}

#[test]
fn help_shows_the_configured_clipboard_delay() {
    let desc = |km: &Keymap| {
        km.help(Mode::List)
            .iter()
            .find(|e| e.action == Action::CopyValue)
            .map(|e| e.desc.clone())
            .unwrap()
    };
    assert!(desc(&Keymap::configured(45)).contains("45 s"));
    assert!(desc(&Keymap::default_keymap()).contains("30 s"));
    assert!(!desc(&Keymap::configured(45)).contains('{'));
}

#[test]
fn bad_keys_are_refused() {
    assert!(KeySpec::parse("f13").is_err());
    assert!(KeySpec::parse("hyper-x").is_err());
    assert_eq!(KeySpec::parse("ctrl-r").unwrap().to_string(), "Ctrl-R");
}

#[test]
fn config_file_parses_vaults_and_overrides() {
    let text = r#"
vaults = ["kv-prod", "https://kv-dev.vault.azure.net"]
clipboard_clear_seconds = 10
[[keymap]]
mode = "list"
keys = ["x"]
action = "delete"
"#;
    let cfg = kvtui::config::Config::parse(text, std::path::Path::new("c.toml")).unwrap();
    assert_eq!(cfg.vaults.len(), 2);
    assert_eq!(cfg.clipboard_clear_seconds, 10);
    assert_eq!(cfg.keymap.len(), 1);
    let err =
        kvtui::config::Config::parse("colour = 1", std::path::Path::new("c.toml")).unwrap_err();
    assert!(err.to_string().contains("c.toml"));
}

#[test]
fn hints_come_from_the_keymap_and_follow_a_rebinding() {
    let mut km = Keymap::default_keymap();
    let line = |km: &Keymap| {
        km.hints(Mode::List)
            .into_iter()
            .map(|h| h.text())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    assert!(line(&km).contains("n new"), "{}", line(&km));
    assert!(line(&km).contains("Enter details"), "{}", line(&km));
    km.apply_overrides(&[spec(Mode::List, &["a"], "new")]);
    assert!(line(&km).contains("n/a new"), "{}", line(&km));
    let confirm = km.hints(Mode::Confirm);
    assert!(
        confirm
            .iter()
            .any(|h| h.action == Action::Confirm && h.text() == "Enter/y confirm"),
        "dialogs inherit their keys: {confirm:?}"
    );
}

#[test]
fn every_keymap_warning_is_listed_not_just_the_last() {
    let text = r#"
[[keymap]]
mode = "list"
keys = ["x"]
action = "no-such-action"
[[keymap]]
mode = "list"
keys = ["hyper-q"]
action = "delete"
"#;
    let cfg = kvtui::config::Config::parse(text, std::path::Path::new("c.toml")).unwrap();
    let model =
        kvtui::runtime::initial_model(&cfg, "https://demo.vault.azure.net".to_owned(), false);
    let errors: Vec<&str> = model.errors.iter().map(|e| e.what.as_str()).collect();
    assert!(
        errors.iter().any(|e| e.contains("no-such-action")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("hyper-q")), "{errors:?}");
    let toast = model.toast.as_ref().expect("a toast");
    assert!(toast.text.contains("2 keymap warnings"), "{}", toast.text);
}

/// `?` lists what works: a key unbound on the screen under it leaves the
/// help there, and stays where it still works.
#[test]
fn help_follows_an_unbind() {
    let mut km = Keymap::default_keymap();
    let q = KeySpec::parse("q").unwrap();
    let quit_keys = |km: &Keymap, context: Mode| {
        km.help_in(Mode::Lists, context)
            .into_iter()
            .find(|e| e.action == Action::Quit)
            .map(|e| e.keys)
            .unwrap_or_default()
    };
    assert!(quit_keys(&km, Mode::List).contains(&q));
    km.apply_overrides(&[spec(Mode::List, &["q"], "unbind")]);
    assert!(
        !quit_keys(&km, Mode::List).contains(&q),
        "gone from the secrets list's help"
    );
    assert!(
        quit_keys(&km, Mode::Deleted).contains(&q),
        "still works in Deleted"
    );
    // Unbinding `?` itself: help no longer names it.
    km.apply_overrides(&[spec(Mode::Lists, &["?"], "unbind")]);
    assert!(
        !km.help_in(Mode::Lists, Mode::List)
            .iter()
            .any(|e| e.keys.contains(&KeySpec::parse("?").unwrap())),
        "? unbound"
    );
}

/// A key bound (or replaced) in a shared mode that a narrower mode binds to
/// something else does nothing there: the override says so.
#[test]
fn a_shadowed_replace_is_warned_about() {
    let mut km = Keymap::default_keymap();
    let mut replace = spec(Mode::Lists, &["n"], "refresh");
    replace.replace = true;
    let warnings = km.apply_overrides(&[replace]);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("n for Refresh in Both lists does nothing in Secrets")),
        "{warnings:?}"
    );
    // A key nobody shadows draws no warning.
    let warnings = km.apply_overrides(&[spec(Mode::Lists, &["ctrl-g"], "refresh")]);
    assert!(warnings.is_empty(), "{warnings:?}");
}
