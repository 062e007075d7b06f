//! `kvtui serve`: the local vault standalone, for any Key Vault client.

use std::io::Write;
use std::time::Duration;

use crate::cli::ServeArgs;
use crate::local::{self, ArmOptions, Faults, Limits, LocalError, LocalVaultOptions};

/// Options of the service from the command line.
pub fn options(args: &ServeArgs) -> LocalVaultOptions {
    LocalVaultOptions {
        data_dir: args.data.resolve(),
        in_memory: args.in_memory,
        bind: args.bind,
        port: args.port,
        allow_remote: args.allow_remote,
        retention_days: args.retention_days,
        token: args.token.clone(),
        tls_cert: args.tls_cert.clone(),
        tls_key: args.tls_key.clone(),
        samples: !args.no_samples,
        limits: Limits {
            handshake: Duration::from_secs(args.handshake_timeout),
            headers: Duration::from_secs(args.request_timeout),
            body: Duration::from_secs(args.request_timeout * 3),
            idle: Duration::from_secs(args.idle_timeout),
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            ..Limits::default()
        },
        faults: Faults {
            latency: Duration::from_millis(args.latency),
            jitter: Duration::from_millis(args.jitter),
            throttle: args.throttle,
            fail_rate: args.fail_rate,
            drop_rate: args.drop_rate,
            seed: args.fault_seed,
            recover_delay: Duration::from_millis(args.recover_delay),
            ..Faults::default()
        },
        create_vaults: args.create_vaults.clone(),
        purge_protected: args.purge_protected.clone(),
        arm: ArmOptions {
            vault_suffix: args.vault_suffix.trim_matches('.').to_ascii_lowercase(),
            ..ArmOptions::default()
        },
    }
}

/// Runs until Ctrl-C or SIGTERM, then shuts down cleanly.
pub async fn run(args: &ServeArgs) -> Result<(), LocalError> {
    let vault = local::start(options(args)).await?;
    let ca = vault.ca_path();
    let banner = format!(
        "kvtui local vault listening on {addr}\n\
         \n  default vault:  {url}\n  named vaults:   {named}  (any name; pin *.localhost to 127.0.0.1 if your resolver does not)\n  discovery:      {arm}  (Resource Manager: /tenants, /subscriptions, vaults)\n  CA to trust:    {ca}\n  token file:     {token}\n\
         \nFor Python and Node clients:\n  export REQUESTS_CA_BUNDLE={ca}\n  export NODE_EXTRA_CA_CERTS={ca}\n\
         Bare localhost cannot pass the SDKs' challenge check: turn it off for the default vault\n  (Rust verify_challenge_resource: Some(false), Python verify_challenge_resource=False,\n   JS disableChallengeResourceVerification: true).",
        addr = vault.addr(),
        url = vault.url(),
        named = vault.vault_url("demo"),
        arm = vault.arm_url(),
        ca = ca.display(),
        token = vault.token_path().display(),
    );
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{banner}");
    let faults = vault.faults().describe();
    if !faults.is_empty() {
        let _ = writeln!(out, "\nFaults on (authenticated requests only):");
        for line in faults {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(out, "\nPress Ctrl-C to stop.");
    let _ = out.flush();
    drop(out);
    crate::signals::terminate_signal().await;
    vault.shutdown().await;
    println!("kvtui local vault stopped");
    Ok(())
}
