//! Giving freed memory back to the system. glibc keeps what a burst freed
//! (the pages of a listing, the cache file's rows) in its arenas, so after
//! a large list the process stayed tens of MB above what it holds; a trim
//! once the burst is over returns it.

/// Returns the free memory of every malloc arena to the system; a few ms
/// on a large heap, so callers run it off the UI task.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// [`give_back`] on the blocking pool.
pub fn give_back_soon() {
    drop(tokio::task::spawn_blocking(give_back));
}
