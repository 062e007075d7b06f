//! A progress line on stderr for runs that take longer than a second:
//! rewritten in place on a terminal, a line every few seconds otherwise.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// Quiet for this long; most runs end before it.
const QUIET: Duration = Duration::from_secs(1);

/// Runs `fut`, showing `line()` on stderr while it takes longer than [`QUIET`].
pub async fn with_progress<T>(fut: impl Future<Output = T>, line: impl Fn() -> String) -> T {
    let tty = std::io::stderr().is_terminal();
    let every = if tty {
        Duration::from_millis(250)
    } else {
        Duration::from_secs(5)
    };
    let mut fut = std::pin::pin!(fut);
    let mut wait = QUIET;
    let mut shown = false;
    loop {
        tokio::select! {
            out = &mut fut => {
                if shown && tty {
                    eprint!("\r\x1b[K");
                    let _ = std::io::stderr().flush();
                }
                return out;
            }
            () = tokio::time::sleep(wait) => {
                if tty {
                    eprint!("\r\x1b[K{}", line());
                } else {
                    eprintln!("{}", line());
                }
                let _ = std::io::stderr().flush();
                shown = true;
                wait = every;
            }
        }
    }
}
