//! Across vaults: compare two vaults, copy between them through a plan, and
//! find what expires in any of them. The decisions (pairing names, states,
//! plans) are pure and shared by `kvtui diff`/`copy` and the TUI; the SDK
//! calls go through the scripting call layer ([`crate::script::conn`]).

pub mod apply;
pub mod compare;
pub mod expiring;
pub mod fetch;
pub mod hash;
pub mod job;
pub mod jobs;
pub mod names;
pub mod plan;

#[cfg(test)]
mod tests;
