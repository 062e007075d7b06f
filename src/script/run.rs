//! `kvtui run -- CMD ARGS...`: CMD gets the secrets in its environment (named
//! as for `export --format env`), never on any command line, and kvtui exits
//! with CMD's code (128 + n when a signal n ended it).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use secrecy::ExposeSecret;

use super::args::{ExportFormat, RunArgs};
use super::conn::Vault;
use super::envguard;
use super::exit::{FAILURE, ScriptError};
use super::export::{fetch, mapped_from, select, without_nul};

/// Fetches the values, closes the vault, then runs the command.
pub async fn run(vault: Vault, args: &RunArgs) -> Result<ExitCode, ScriptError> {
    let fetched = async {
        let api = vault.api();
        let names = select(&api, &args.select).await?;
        let values = without_nul(fetch(&api, &names).await?, !args.select.only.is_empty())?;
        mapped_from(values, ExportFormat::Env, args.select.prefix.as_deref())
    }
    .await;
    // The embedded service is not needed while the command runs.
    vault.close().await;
    let (env, origins) = fetched?;
    let in_parent = |var: &std::ffi::OsStr| std::env::var_os(var).is_some();
    envguard::check(&env, &origins, &args.select.allow_env, Some(&in_parent))?;
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| ScriptError::Usage("no command given after --".into()))?;
    // Found with kvtui's own PATH, before any secret reaches the environment.
    let Some(resolved) = lookup(program, std::env::var_os("PATH").as_deref()) else {
        let message = format!("cannot run {}: not found on PATH", show(program));
        eprintln!("kvtui: {message}");
        return Err(ScriptError::Reported { code: 127, message });
    };
    let mut cmd = tokio::process::Command::new(&resolved);
    #[cfg(unix)]
    {
        // The child still sees the name it was called by.
        use std::os::unix::process::CommandExt;
        cmd.as_std_mut().arg0(program);
    }
    cmd.args(rest);
    for (k, v) in &env {
        cmd.env(k, v.expose_secret());
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            // As a shell answers: 127 not found, 126 not runnable.
            let code = match e.kind() {
                std::io::ErrorKind::NotFound => 127,
                std::io::ErrorKind::PermissionDenied => 126,
                _ => FAILURE,
            };
            let message = format!("cannot run {}: {e}", show(program));
            eprintln!("kvtui: {message}");
            return Err(ScriptError::Reported { code, message });
        }
    };
    // The values now live in the child; the copies in `cmd` go with it.
    drop(cmd);
    drop(env);
    let status = wait_forwarding_signals(&mut child).await?;
    Ok(ExitCode::from(exit_code(status)))
}

/// Where `program` is: as given when it holds a `/`, else the first
/// executable file of that name in `path`'s directories (as a shell finds it).
pub fn lookup(program: &OsStr, path: Option<&OsStr>) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() != 1 || program.is_empty() {
        return Some(p.to_path_buf());
    }
    std::env::split_paths(path?)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(program))
        .find(|c| executable(c))
}

fn executable(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

fn show(p: &OsString) -> String {
    p.to_string_lossy().into_owned()
}

/// The child's code, or 128 + the signal that ended it.
pub fn exit_code(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code & 0xff).unwrap_or(FAILURE);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return u8::try_from(128 + sig).unwrap_or(FAILURE);
        }
    }
    FAILURE
}

/// Waits for the child. SIGTERM and SIGHUP sent to kvtui are passed on to it;
/// SIGINT and SIGQUIT are not, because the terminal already sent them to the
/// whole foreground group, child included, and kvtui must outlive the child
/// to report its code.
#[cfg(unix)]
async fn wait_forwarding_signals(
    child: &mut tokio::process::Child,
) -> Result<std::process::ExitStatus, ScriptError> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen = |k: SignalKind| {
        signal(k).map_err(|e| ScriptError::Failed(format!("cannot listen for signals: {e}")))
    };
    let mut term = listen(SignalKind::terminate())?;
    let mut hup = listen(SignalKind::hangup())?;
    let mut int = listen(SignalKind::interrupt())?;
    let mut quit = listen(SignalKind::quit())?;
    let pid = child.id().and_then(|p| i32::try_from(p).ok());
    let forward = |sig: i32| {
        if let Some(pid) = pid {
            // SAFETY: kill(2) with a pid we spawned and a valid signal number.
            unsafe {
                libc::kill(pid, sig);
            }
        }
    };
    loop {
        tokio::select! {
            status = child.wait() => {
                return status.map_err(|e| ScriptError::Failed(format!("waiting for the command: {e}")));
            }
            _ = term.recv() => forward(libc::SIGTERM),
            _ = hup.recv() => forward(libc::SIGHUP),
            _ = int.recv() => {}
            _ = quit.recv() => {}
        }
    }
}

#[cfg(not(unix))]
async fn wait_forwarding_signals(
    child: &mut tokio::process::Child,
) -> Result<std::process::ExitStatus, ScriptError> {
    child
        .wait()
        .await
        .map_err(|e| ScriptError::Failed(format!("waiting for the command: {e}")))
}
