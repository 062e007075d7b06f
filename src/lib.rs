//! kvtui: a terminal browser for Azure Key Vault secrets, with a local Key Vault
//! service built in so it runs (and is tested) without Azure.

pub mod across;
pub mod app;
#[warn(unreachable_pub)]
pub mod binding;
pub mod cli;
pub mod completions;
#[warn(unreachable_pub)]
pub mod compose;
pub mod config;
#[warn(unreachable_pub)]
pub mod dates;
#[warn(unreachable_pub)]
pub mod dirs;
pub mod doctor;
#[warn(unreachable_pub)]
pub mod emulator;
pub mod flags;
#[warn(unreachable_pub)]
pub mod fsx;
#[warn(unreachable_pub)]
pub mod kv_access;
#[warn(unreachable_pub)]
pub mod kv_facts;
pub mod launch;
#[warn(unreachable_pub)]
pub mod list_cache;
#[warn(unreachable_pub)]
pub mod local;
pub mod runtime;
pub mod script;
pub mod serve;
#[warn(unreachable_pub)]
pub mod shown;
#[warn(unreachable_pub)]
pub mod signals;
pub mod tui;
pub mod ui;
#[warn(unreachable_pub)]
pub mod vault;

#[cfg(test)]
mod layering;
