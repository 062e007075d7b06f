//! Bounds on what one client may cost the service: time, connections, streams
//! and bytes. Every bound here is listed in the README.

use std::time::Duration;

/// Request bodies of every operation but restore (a set is at most 25 KiB of value).
pub(super) const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Restore bodies: the largest blob a backup of 500 versions can produce
/// (see `backup::MAX_BLOB_BYTES`), with room for the JSON around it.
pub(super) const MAX_RESTORE_BODY_BYTES: usize = super::backup::MAX_BLOB_BYTES * 4 / 3 + 4096;
/// A list page stops growing past this many bytes of JSON (it still holds one item).
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// File descriptors kept free of connections: the store, logs, certificates.
const RESERVED_FDS: usize = 64;

/// Timeouts and caps of the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// From accept to the end of the TLS handshake.
    pub handshake: Duration,
    /// HTTP/1.1 request head, from when the server starts reading it.
    pub headers: Duration,
    /// A whole request body, once its head is in.
    pub body: Duration,
    /// A connection with no request in flight for this long is closed.
    pub idle: Duration,
    /// Open connections; lowered further to fit the process's fd limit.
    pub max_connections: usize,
    /// HTTP/2 streams open at once on one connection.
    pub max_streams: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            handshake: Duration::from_secs(10),
            headers: Duration::from_secs(10),
            body: Duration::from_secs(30),
            idle: Duration::from_secs(60),
            max_connections: 1024,
            max_streams: 32,
        }
    }
}

impl Limits {
    /// The connection cap for this process: `max_connections`, but always
    /// below the fd limit so accept never fails with EMFILE because of us.
    pub fn connection_cap(&self) -> usize {
        let fds = raise_fd_limit();
        self.max_connections
            .min(fds.saturating_sub(RESERVED_FDS))
            .max(1)
    }
}

/// Raises the soft fd limit to the hard one (as Go and systemd services do)
/// and returns the soft limit now in force.
#[cfg(unix)]
fn raise_fd_limit() -> usize {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
    }
    usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
}

#[cfg(not(unix))]
fn raise_fd_limit() -> usize {
    usize::MAX
}
