//! Stop signals, handled one way by the TUI and by `kvtui serve`, so both
//! shut down cleanly (terminal restored, service drained) on any of them.

/// Resolves when the process is asked to stop (SIGTERM, SIGHUP, SIGINT).
#[cfg(unix)]
pub async fn terminate_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut hup), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
        signal(SignalKind::interrupt()),
    ) else {
        return ctrl_c().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = hup.recv() => {}
        _ = int.recv() => {}
    }
}

/// Resolves on Ctrl-C, the one stop request other platforms deliver.
#[cfg(not(unix))]
pub async fn terminate_signal() {
    ctrl_c().await
}

/// Resolves on Ctrl-C; never, when it cannot be listened for, so a failed
/// handler never reads as a request to stop.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
