//! kvtui: parse the command line and run the TUI or the local vault service.

use clap::Parser;
use kvtui::cli::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Serve(args)) => {
            kvtui::runtime::init_stderr_logging();
            kvtui::serve::run(args).await.map_err(|e| e.to_string())
        }
        None => kvtui::launch::run(&cli.tui).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kvtui: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
