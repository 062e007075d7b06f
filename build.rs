//! Names the commit the binary is built from, for `kvtui --version`.
//!
//! From a git checkout of kvtui itself: `git rev-parse` of HEAD, and the build
//! runs again when HEAD moves. Anywhere else (a crates tarball, a vendored
//! copy inside another repository, no git installed) the commit is left out,
//! unless `KVTUI_BUILD_COMMIT` names it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=KVTUI_BUILD_COMMIT");
    let commit = std::env::var("KVTUI_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(from_git)
        .unwrap_or_default();
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let version = match commit.trim() {
        "" => version,
        commit => format!("{version} (commit {commit})"),
    };
    println!("cargo:rustc-env=KVTUI_VERSION={version}");
}

/// The short commit of HEAD, when this package is the top of its own git
/// work tree; watches the files that change when HEAD moves.
fn from_git() -> Option<String> {
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let top = git(&here, &["rev-parse", "--show-toplevel"])?;
    if !same_dir(Path::new(&top), &here) {
        return None;
    }
    for file in ["HEAD", "logs/HEAD", "packed-refs"] {
        watch(&here, file);
    }
    if let Some(branch) = git(&here, &["symbolic-ref", "-q", "HEAD"]) {
        watch(&here, &branch);
    }
    git(&here, &["rev-parse", "--short=12", "HEAD"])
}

/// Reruns the build when this git file changes (only if it exists: a
/// missing path would rerun every build).
fn watch(here: &Path, git_file: &str) {
    if let Some(path) = git(here, &["rev-parse", "--git-path", git_file]) {
        let path = here.join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
