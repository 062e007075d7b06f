//! What the README and `docs/` claim, checked against the code: the key
//! tables are the keymap's, the exit codes are the script module's, every
//! documented flag is in the binary's `--help`, and every link lands.
//!
//! After changing `assets/keymap.toml`, rewrite `docs/keys.md` with
//! `KVTUI_UPDATE_DOCS=1 cargo test --test docs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const KEYS_START: &str = "<!-- generated from assets/keymap.toml; rewrite with: KVTUI_UPDATE_DOCS=1 cargo test --test docs -->\n";
const KEYS_END: &str = "<!-- end of generated keys -->\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// README.md and every `docs/*.md`, as (path, text).
fn documents() -> Vec<(String, String)> {
    let mut out = vec![("README.md".to_owned(), read("README.md"))];
    let mut names: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    for n in names {
        let rel = format!("docs/{n}");
        let text = read(&rel);
        out.push((rel, text));
    }
    out
}

#[test]
fn keys_md_is_generated_from_the_keymap() {
    let path = root().join("docs/keys.md");
    let text = read("docs/keys.md");
    let start = text
        .find(KEYS_START)
        .expect("docs/keys.md lost its start marker")
        + KEYS_START.len();
    let end = text
        .find(KEYS_END)
        .expect("docs/keys.md lost its end marker");
    let want = format!("\n{}", kvtui::app::keymap_doc::keys_markdown());
    if text[start..end] == want {
        return;
    }
    if std::env::var_os("KVTUI_UPDATE_DOCS").is_some() {
        let new = format!("{}{want}{}", &text[..start], &text[end..]);
        std::fs::write(&path, new).expect("write docs/keys.md");
        return;
    }
    panic!(
        "docs/keys.md differs from assets/keymap.toml; rewrite it with\n\n    \
         KVTUI_UPDATE_DOCS=1 cargo test --test docs\n\nand commit docs/keys.md"
    );
}

#[test]
fn keys_md_names_every_action_of_the_keymap() {
    // The generated table, whatever it holds, covers every binding's
    // description: an empty generator cannot pass.
    let km = kvtui::app::Keymap::from_toml(kvtui::app::keymap::DEFAULT_KEYMAP).expect("keymap");
    let text = read("docs/keys.md");
    for mode in kvtui::app::Mode::ALL {
        for e in km.help(mode) {
            let first = e.desc.split('{').next().unwrap_or_default();
            assert!(
                text.contains(first),
                "docs/keys.md lacks {:?} ({mode:?})",
                e.desc
            );
        }
    }
}

/// The rows `| code | meaning |` of the table under `## Exit codes`.
fn documented_exit_codes() -> BTreeMap<u8, String> {
    let text = read("docs/scripting.md");
    let section = text
        .split("\n## Exit codes\n")
        .nth(1)
        .expect("docs/scripting.md has an `## Exit codes` section");
    let section = section.split("\n## ").next().unwrap_or_default();
    section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split(" | ").collect();
            let code = cells.first()?.trim().parse::<u8>().ok()?;
            Some((code, cells.get(1).copied().unwrap_or_default().to_owned()))
        })
        .collect()
}

#[test]
fn the_exit_code_table_is_the_codes_scripts_use() {
    use kvtui::script::exit;
    let documented = documented_exit_codes();
    let code = BTreeMap::from([
        (exit::OK, "done"),
        (exit::FAILURE, "anything else"),
        (exit::USAGE, "usage"),
        (exit::NOT_FOUND, "not found"),
        (exit::DENIED, "forbidden"),
        (exit::DELETED, "deleted but recoverable"),
    ]);
    assert_eq!(
        documented.keys().collect::<Vec<_>>(),
        code.keys().collect::<Vec<_>>(),
        "docs/scripting.md's exit codes"
    );
    for (c, word) in code {
        assert!(
            documented[&c].contains(word),
            "code {c}: {:?} lacks {word:?}",
            documented[&c]
        );
    }
    // `kvtui secret --help` names the same codes.
    let help = help_of(&["secret"]);
    let listed: BTreeSet<u8> = help
        .split("exit codes:")
        .nth(1)
        .expect("`kvtui secret --help` lists the exit codes")
        .split(')')
        .next()
        .unwrap_or_default()
        .split(',')
        .filter_map(|part| part.split_whitespace().next()?.parse().ok())
        .collect();
    assert_eq!(listed, documented.keys().copied().collect::<BTreeSet<_>>());
}

#[test]
fn scripts_exit_with_the_documented_codes() {
    let data = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kvtui"))
            .args(args)
            .env("HOME", data.path())
            .env("KVTUI_DATA_DIR", data.path().join("data"))
            .env("XDG_CONFIG_HOME", data.path().join("config"))
            .env("XDG_STATE_HOME", data.path().join("state"))
            .env("XDG_CACHE_HOME", data.path().join("cache"))
            .env_remove("KEY_VAULT_NAME")
            .env_remove("AZURE_KEYVAULT_URL")
            .output()
            .expect("run kvtui")
            .status
            .code()
    };
    let documented = documented_exit_codes();
    assert!(documented.contains_key(&3) && documented.contains_key(&2));
    // The embedded local vault in an empty data dir: nothing there.
    assert_eq!(
        run(&["secret", "show", "no-such-secret"]),
        Some(3),
        "not found"
    );
    assert_eq!(
        run(&["secret", "show", "bad_name!"]),
        Some(2),
        "a bad name is usage"
    );
    assert_eq!(
        run(&["secret", "list", "--no-such-flag"]),
        Some(2),
        "a bad flag is usage"
    );
}

/// `kvtui ARGS... --help`.
fn help_of(path: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(path)
        .arg("--help")
        .output()
        .expect("run kvtui --help");
    assert!(out.status.success(), "kvtui {path:?} --help failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every command's flags (`--long` and `-s`), by its path of subcommands,
/// read from `--help` all the way down.
fn command_flags() -> BTreeMap<Vec<String>, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![Vec::<String>::new()];
    while let Some(path) = todo.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let help = help_of(&args);
        let mut flags = BTreeSet::new();
        let mut in_commands = false;
        for line in help.lines() {
            if line.ends_with(':') && !line.starts_with(' ') {
                in_commands = line == "Commands:";
                continue;
            }
            if in_commands {
                let name = line.split_whitespace().next().unwrap_or_default();
                if !name.is_empty() && name != "help" && line.starts_with("  ") {
                    let mut sub = path.clone();
                    sub.push(name.to_owned());
                    todo.push(sub);
                }
                continue;
            }
            flags.extend(flag_tokens(line));
        }
        out.insert(path, flags);
    }
    out
}

/// The `--long` and `-s` flags in a piece of text (`--tag=K=V` is `--tag`).
fn flag_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "[](),|`<>…".contains(c))
        .filter_map(|w| {
            let w = w.split('=').next().unwrap_or_default();
            let long = w.strip_prefix("--").is_some_and(|r| {
                r.len() > 1
                    && r.starts_with(|c: char| c.is_ascii_lowercase())
                    && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
            let short = w.len() == 2 && w.starts_with('-') && w.as_bytes()[1].is_ascii_alphabetic();
            (long || short).then(|| w.to_owned())
        })
        .collect()
}

/// Shell-ish snippets of a document: its code lines and inline code spans,
/// with comments cut and `\|` read as `|`.
fn snippets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || line.starts_with("    ") {
            out.push(line.trim().to_owned());
            continue;
        }
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 1 {
                out.push(span.replace("\\|", "|"));
            }
        }
    }
    out.into_iter()
        .map(|s| match s.find(" #") {
            Some(i) => s[..i].to_owned(),
            None => s,
        })
        .collect()
}

/// Each `kvtui ...` command in a snippet, as (subcommand path, flags), and
/// the flags of a snippet that is only flags (`--port`, `--tls-cert`/`--tls-key`).
fn documented_uses(
    snippet: &str,
    commands: &BTreeMap<Vec<String>, BTreeSet<String>>,
) -> Vec<(Option<Vec<String>>, Vec<String>)> {
    if snippet.starts_with("--") {
        return vec![(None, flag_tokens(snippet))];
    }
    let mut out = Vec::new();
    for part in snippet
        .split([';', '&', '(', ')'])
        .flat_map(|s| s.split(" | "))
    {
        let words: Vec<&str> = part.split_whitespace().collect();
        let Some(start) = words.iter().position(|w| *w == "kvtui") else {
            continue;
        };
        // Only a command line: `kvtui` first, after any VAR=value.
        if !words[..start].iter().all(|w| w.contains('=')) {
            continue;
        }
        let mut path = Vec::new();
        let mut flags = Vec::new();
        for w in &words[start + 1..] {
            if *w == "--" {
                break; // what follows belongs to the command `kvtui run` starts
            }
            if w.starts_with('-') {
                flags.extend(flag_tokens(w));
                continue;
            }
            let mut deeper = path.clone();
            deeper.push((*w).to_owned());
            if commands.contains_key(&deeper) {
                path = deeper;
            }
        }
        out.push((Some(path), flags));
    }
    out
}

#[test]
fn every_documented_flag_is_in_the_help() {
    let commands = command_flags();
    assert!(
        commands.len() > 8,
        "subcommands found: {:?}",
        commands.keys()
    );
    let every: BTreeSet<&String> = commands.values().flatten().collect();
    let mut missing = Vec::new();
    let mut checked = 0;
    for (doc, text) in documents() {
        for snippet in snippets(&text) {
            for (path, flags) in documented_uses(&snippet, &commands) {
                for flag in flags {
                    checked += 1;
                    let known = match &path {
                        // A flag given on the way down counts (`kvtui --vault kv secret list`).
                        Some(path) => (0..=path.len())
                            .any(|n| commands.get(&path[..n]).is_some_and(|f| f.contains(&flag))),
                        None => every.contains(&flag),
                    };
                    if !known {
                        missing.push(format!("{doc}: {flag} in `{snippet}`"));
                    }
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} flags found in the docs");
    assert!(
        missing.is_empty(),
        "documented flags missing from --help:\n{}",
        missing.join("\n")
    );
}

/// GitHub's anchor of a heading.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut fenced = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

#[test]
fn every_link_between_the_docs_lands() {
    let docs = documents();
    let by_path: BTreeMap<&str, &str> =
        docs.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let mut broken = Vec::new();
    let mut links = 0;
    for (doc, text) in &docs {
        for target in text.split("](").skip(1).filter_map(|s| s.split(')').next()) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            links += 1;
            let (file, frag) = target.split_once('#').unwrap_or((target, ""));
            let dir = Path::new(doc).parent().unwrap_or(Path::new(""));
            let resolved = if file.is_empty() {
                doc.clone()
            } else {
                normalize(&dir.join(file))
            };
            if !root().join(&resolved).exists() {
                broken.push(format!("{doc}: {target} (no file {resolved})"));
                continue;
            }
            if !frag.is_empty() {
                let ok = by_path
                    .get(resolved.as_str())
                    .is_some_and(|t| anchors(t).contains(frag));
                if !ok {
                    broken.push(format!(
                        "{doc}: {target} (no heading #{frag} in {resolved})"
                    ));
                }
            }
        }
    }
    assert!(links > 20, "only {links} links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// `docs/../README.md` as `README.md`.
fn normalize(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

#[test]
fn the_readme_keeps_the_two_set_up_commands() {
    let readme = read("README.md");
    assert!(
        readme.contains("\n    cargo run --release\n"),
        "cargo run --release"
    );
    assert!(readme.contains("\n    cargo test\n"), "cargo test");
    assert!(
        readme.contains("cargo install --locked --path ."),
        "the install line"
    );
    assert!(
        readme.lines().count() < 300,
        "the README stays under 300 lines"
    );
}

#[test]
fn version_names_the_package_version_and_the_commit() {
    let out = Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .arg("--version")
        .output()
        .expect("run kvtui --version");
    assert!(out.status.success());
    let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let version = env!("CARGO_PKG_VERSION");
    // Built from a git checkout (as tests are): the commit is HEAD's.
    let head = Command::new("git")
        .arg("-C")
        .arg(root())
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    match head {
        Some(commit) => assert_eq!(line, format!("kvtui {version} (commit {commit})")),
        None => assert_eq!(line, format!("kvtui {version}")),
    }
}

/// build.rs, compiled on its own and run as cargo runs it, in `dir`.
fn run_build_script(dir: &Path, env: &[(&str, &str)]) -> String {
    let exe = dir.join("build-script");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let status = Command::new(rustc)
        .args(["--edition", "2024", "-o"])
        .arg(&exe)
        .arg(root().join("build.rs"))
        .status()
        .expect("rustc");
    assert!(status.success(), "build.rs compiles");
    let out = Command::new(&exe)
        .current_dir(dir)
        .env("CARGO_MANIFEST_DIR", dir)
        .env("CARGO_PKG_VERSION", "9.8.7")
        .env_remove("KVTUI_BUILD_COMMIT")
        .envs(env.iter().copied())
        .output()
        .expect("run build.rs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix("cargo:rustc-env=KVTUI_VERSION="))
        .unwrap_or_else(|| panic!("no KVTUI_VERSION in {text}"))
        .to_owned()
}

#[test]
fn without_its_own_git_checkout_the_version_leaves_the_commit_out() {
    // A crates tarball unpacked inside someone else's repository: its commit
    // is not kvtui's.
    let tmp = tempfile::tempdir().expect("tempdir");
    let pkg = tmp.path().join("vendor/kvtui");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    let git_init = Command::new("git")
        .arg("init")
        .arg("-q")
        .arg(tmp.path())
        .status();
    assert!(git_init.is_ok_and(|s| s.success()), "git init");
    assert_eq!(run_build_script(&pkg, &[]), "9.8.7");
    assert_eq!(
        run_build_script(&pkg, &[("KVTUI_BUILD_COMMIT", "0123abcd")]),
        "9.8.7 (commit 0123abcd)",
        "a packager may name the commit"
    );
}
