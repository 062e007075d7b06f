//! kvtui: parse the command line and run the TUI, the local vault service or a script command.

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
        Some(Command::Secret(args)) => return kvtui::script::secret(args, &cli.tui).await,
        Some(Command::Export(args)) => return kvtui::script::export(args, &cli.tui).await,
        Some(Command::Import(args)) => return kvtui::script::import(args, &cli.tui).await,
        Some(Command::Run(args)) => return kvtui::script::run(args, &cli.tui).await,
        Some(Command::Doctor(args)) => return kvtui::doctor::run(args, &cli.tui).await,
        Some(Command::Diff(args)) => return kvtui::script::diff(args, &cli.tui).await,
        Some(Command::Copy(args)) => return kvtui::script::copy(args, &cli.tui).await,
        Some(Command::Expiring(args)) => return kvtui::script::expiring(args, &cli.tui).await,
        Some(Command::Cache(args)) => kvtui::launch::cache_command(args, &cli.tui),
        Some(Command::State(args)) => kvtui::emulator::state_command(args),
        Some(Command::Completions { shell }) => kvtui::completions::completions(*shell),
        Some(Command::Man { dir }) => kvtui::completions::man(dir.as_deref()),
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
