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
        // Handlers cannot be installed: Ctrl-C still stops it.
        let _ = tokio::signal::ctrl_c().await;
        return;
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
    let _ = tokio::signal::ctrl_c().await;
}
