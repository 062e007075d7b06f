//! The terminal: raw mode and the alternate screen on start, restored on quit,
//! on panic (the hook restores before the message prints) and on signals.

use std::io::{self, Write};

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;

/// Puts the terminal in TUI mode. `ratatui::try_init` also installs a panic
/// hook that restores the terminal before the panic message prints.
pub fn enter() -> io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    // ratatui's hook leaves raw mode and the alternate screen; ours first
    // turns off the mouse and paste modes it does not know about.
    let restore_terminal = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
        restore_terminal(info);
    }));
    if let Err(e) = execute!(io::stdout(), EnableBracketedPaste, EnableMouseCapture) {
        restore();
        return Err(e);
    }
    Ok(terminal)
}

/// Gives the terminal back; safe to call more than once.
pub fn restore() {
    let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
}

/// Takes the terminal back after another program had it (the editor of
/// `Ctrl-E`): raw mode, the alternate screen and bracketed paste again.
pub fn resume() -> io::Result<()> {
    ratatui::crossterm::terminal::enable_raw_mode()?;
    execute!(
        io::stdout(),
        ratatui::crossterm::terminal::EnterAlternateScreen,
        EnableBracketedPaste
    )
}

/// Mouse reporting on (clicks reach kvtui) or off (the terminal selects text).
pub fn set_mouse_capture(on: bool) {
    let result = if on {
        execute!(io::stdout(), EnableMouseCapture)
    } else {
        execute!(io::stdout(), DisableMouseCapture)
    };
    if let Err(e) = result {
        tracing::warn!("could not switch mouse capture: {e}");
    }
}

/// Puts text on the clipboard with OSC 52, which works over SSH and in most
/// terminals; the text never reaches a log.
pub fn osc52_copy(text: &str) -> io::Result<()> {
    use base64::Engine;
    let encoded = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text));
    let mut out = io::stdout();
    write!(out, "\x1b]52;c;{}\x07", encoded.as_str())?;
    out.flush()
}

/// The run loop's stop signal; one helper serves the TUI and `serve`.
pub use crate::signals::terminate_signal;
