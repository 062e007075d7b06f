//! The tmux paste buffers kvtui copies into: one per process, named after
//! its pid, so a later kvtui can find and delete what a killed one left.

use std::process::{Command, Stdio};

use super::clipboard::{delete_tmux_buffer, tmux_argv};

/// The tmux buffer this process copies into: one per process, so two
/// kvtuis never delete each other's copies. The pid in the name lets a later
/// run find and delete the buffer of a kvtui that was killed (SIGKILL runs
/// no clean-up) before its clear.
pub fn tmux_buffer_name() -> String {
    format!("{TMUX_BUFFER_PREFIX}{}", std::process::id())
}

const TMUX_BUFFER_PREFIX: &str = "kvtui-";

/// The pid a kvtui buffer name holds.
fn buffer_pid(name: &str) -> Option<i32> {
    let digits = name.strip_prefix(TMUX_BUFFER_PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether a kvtui still runs as `pid` (a program of another name that got
/// the pid since does not count, where `/proc` tells).
fn kvtui_alive(pid: i32) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: signal 0 only checks that the process exists.
        let exists = unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        if !exists {
            return false;
        }
        // A program of another name holds the pid now: that kvtui is gone.
        let comm = |p: &str| std::fs::read_to_string(format!("/proc/{p}/comm"));
        match (comm(&pid.to_string()), comm("self")) {
            (Ok(theirs), Ok(ours)) => theirs == ours,
            _ => true,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Deletes the buffers of kvtuis that no longer run: what a SIGKILL left.
pub(super) fn delete_stale_tmux_buffers() {
    let listed = Command::new("tmux")
        .args(["list-buffers", "-F", "#{buffer_name}"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    let Ok(listed) = listed else {
        return;
    };
    let mine = std::process::id();
    for name in String::from_utf8_lossy(&listed.stdout).lines() {
        let Some(pid) = buffer_pid(name) else {
            continue;
        };
        if u32::try_from(pid).ok() == Some(mine) || kvtui_alive(pid) {
            continue;
        }
        tracing::info!(buffer = name, "clipboard: deleting a stale tmux buffer");
        delete_tmux_buffer(&tmux_argv(&["delete-buffer", "-b", name]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kvtui_pid_buffers_are_considered() {
        assert_eq!(buffer_pid("kvtui-1234"), Some(1234));
        assert_eq!(
            buffer_pid(&tmux_buffer_name()),
            i32::try_from(std::process::id()).ok()
        );
        for other in [
            "kvtui-",
            "kvtui-12a",
            "buffer0",
            "kvtui-x-1",
            "mine-kvtui-1",
        ] {
            assert_eq!(buffer_pid(other), None, "{other}");
        }
        assert!(kvtui_alive(i32::try_from(std::process::id()).unwrap_or(1)));
    }
}
