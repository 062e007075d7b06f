//! What makes the local vault an emulator for test suites: a shifted clock,
//! a ready file and `export` lines for CI, and (see `state`) snapshots.

mod args;
mod ready;
mod seed;
mod state_cmd;

pub use args::{EmulatorArgs, StateAction, StateArgs};
pub use ready::{env_lines, wait_and_write_ready};
pub use seed::{SeedOptions, parse_spec, seed_one};
pub use state_cmd::state_command;
