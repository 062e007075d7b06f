//! kvtui: a terminal browser for Azure Key Vault secrets, with a local Key Vault
//! service built in so it runs (and is tested) without Azure.

pub mod app;
pub mod cli;
pub mod compose;
pub mod config;
pub mod dirs;
pub mod fsx;
pub mod kv_facts;
pub mod launch;
pub mod local;
pub mod runtime;
pub mod serve;
pub mod signals;
pub mod tui;
pub mod ui;
pub mod vault;
