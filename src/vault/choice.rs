//! The two choices of how to reach an Azure vault: which cloud and which
//! credential. They live here, under the command line that offers them as
//! flags, so the vault layer does not depend on the command line.

use clap::ValueEnum;

/// Which Azure cloud: the suffix of bare vault names and the Resource Manager endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Cloud {
    #[default]
    Public,
    China,
    Usgov,
}

/// Which credential signs requests to an Azure vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum AuthMethod {
    #[default]
    Auto,
    Cli,
    Azd,
    Env,
    ManagedIdentity,
    WorkloadIdentity,
}
