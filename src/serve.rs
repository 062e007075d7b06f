//! `kvtui serve`: the local vault standalone, for any Key Vault client.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
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
        access: args.access.clone(),
        lasting: true,
        clock_offset: args.emulator.clock_offset.unwrap_or(0),
        import_state: args.emulator.import_state.clone(),
        delete_delay: Duration::from_millis(args.emulator.delete_delay),
    }
}

/// The URLs a client on this machine reaches the service at, and a note
/// when they need more than the printed CA.
pub struct Reach {
    pub default: String,
    pub named: String,
    pub note: Option<String>,
}

/// Where a client on this machine connects for a service bound to `bind`:
/// `localhost` names 127.0.0.1 and ::1, so it reaches a service on either or
/// on every address; any other address is printed as it is, and the
/// generated certificate does not cover it.
pub fn reach(bind: IpAddr, port: u16, own_cert: bool) -> Reach {
    let via_localhost = bind.is_unspecified()
        || bind == IpAddr::V4(Ipv4Addr::LOCALHOST)
        || bind == IpAddr::V6(Ipv6Addr::LOCALHOST);
    if via_localhost {
        let note = if bind.is_unspecified() {
            Some("other machines: use this host's name or address with a certificate for it (--tls-cert, --tls-key)".to_owned())
        } else if bind.is_ipv6() {
            Some("kvtui tries ::1 for localhost; other clients need localhost to resolve to ::1 (see /etc/hosts)".to_owned())
        } else {
            None
        };
        let pin = if bind == IpAddr::V6(Ipv6Addr::LOCALHOST) {
            "::1"
        } else {
            "127.0.0.1"
        };
        return Reach {
            default: format!("https://localhost:{port}"),
            named: format!(
                "https://demo.localhost:{port}  (any name; pin *.localhost to {pin} if your resolver does not)"
            ),
            note,
        };
    }
    let host = match bind {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let note = (!own_cert).then(|| {
        format!(
            "the generated certificate covers only localhost, 127.0.0.1 and ::1: pass --tls-cert and --tls-key for {host}, or bind 127.0.0.1"
        )
    });
    Reach {
        default: format!("https://{host}:{port}"),
        named: format!("give {host} a host name: *.localhost is loopback"),
        note,
    }
}

/// Runs until Ctrl-C or SIGTERM, then shuts down cleanly.
pub async fn run(args: &ServeArgs) -> Result<(), LocalError> {
    let vault = local::start(options(args)).await?;
    let ca = vault.ca_path();
    let own_cert = args.tls_cert.is_some() && args.tls_key.is_some();
    let reach = reach(args.bind, vault.port(), own_cert);
    let note = reach
        .note
        .map(|n| format!("  note:           {n}\n"))
        .unwrap_or_default();
    let banner = format!(
        "kvtui local vault listening on {addr}\n\
         \n  default vault:  {url}\n  named vaults:   {named}\n{note}  discovery:      {arm}  (Resource Manager: /tenants, /subscriptions, vaults)\n  CA to trust:    {ca}\n  token file:     {token}\n\
         \nFor Python and Node clients:\n  export REQUESTS_CA_BUNDLE={ca}\n  export NODE_EXTRA_CA_CERTS={ca}\n\
         Bare localhost cannot pass the SDKs' challenge check: turn it off for the default vault\n  (Rust verify_challenge_resource: Some(false), Python verify_challenge_resource=False,\n   JS disableChallengeResourceVerification: true).",
        addr = vault.addr(),
        url = reach.default,
        named = reach.named,
        arm = vault.arm_url(),
        ca = ca.display(),
        token = vault.token_path().display(),
    );
    if !args.emulator.seed_from.is_empty() {
        if args.emulator.with_values {
            eprintln!(
                "warning: --with-values copies real secret values into {} (encrypted at rest with its store.key)",
                vault
                    .ca_path()
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            );
        }
        let seed = crate::emulator::SeedOptions {
            with_values: args.emulator.with_values,
            auth: args.emulator.seed_auth.unwrap_or_default(),
            tenant: args.emulator.seed_tenant.clone(),
            cloud: args.emulator.seed_cloud.unwrap_or_default(),
            source_data_dir: args.emulator.seed_data_dir.clone(),
        };
        let fallback = args.data.resolve();
        for spec in &args.emulator.seed_from {
            if let Err(e) = crate::emulator::seed_one(&vault, spec, &seed, &fallback).await {
                vault.shutdown().await;
                return Err(LocalError::Seed(e));
            }
        }
    }
    if args.emulator.print_env {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(crate::emulator::env_lines(&vault).as_bytes());
        let _ = out.flush();
    }
    if let Some(path) = &args.emulator.ready_file {
        crate::emulator::wait_and_write_ready(&vault, path).await?;
    }
    // With --print-env stdout is for the export lines alone.
    let mut out: Box<dyn Write> = if args.emulator.print_env {
        Box::new(std::io::stderr().lock())
    } else {
        Box::new(std::io::stdout().lock())
    };
    let _ = writeln!(out, "{banner}");
    let faults = vault.faults().describe();
    if !faults.is_empty() {
        let _ = writeln!(out, "\nFaults on (authenticated requests only):");
        for line in faults {
            let _ = writeln!(out, "  {line}");
        }
    }
    if args.emulator.clock_offset.is_some_and(|o| o != 0) {
        let _ = writeln!(
            out,
            "\nThe vault's clock runs {} s from real time (GET/POST /_kvtui/clock reads and moves it).",
            args.emulator.clock_offset.unwrap_or(0)
        );
    }
    let _ = writeln!(out, "\nPress Ctrl-C to stop.");
    let _ = out.flush();
    drop(out);
    crate::signals::terminate_signal().await;
    vault.shutdown().await;
    println!("kvtui local vault stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bind_gets_a_url_that_reaches_it() {
        let at = |ip: &str, own| {
            reach(
                ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
                8443,
                own,
            )
        };
        for ip in ["127.0.0.1", "::1", "0.0.0.0", "::"] {
            let r = at(ip, false);
            assert_eq!(r.default, "https://localhost:8443", "{ip}");
            assert!(r.named.starts_with("https://demo.localhost:8443 "), "{ip}");
        }
        assert!(
            at("0.0.0.0", false)
                .note
                .is_some_and(|n| n.contains("--tls-cert"))
        );
        let other = at("127.0.0.2", false);
        assert_eq!(other.default, "https://127.0.0.2:8443");
        assert!(other.note.is_some_and(|n| n.contains("--tls-cert")));
        let v6 = at("fd00::5", true);
        assert_eq!(v6.default, "https://[fd00::5]:8443");
        assert!(v6.note.is_none());
    }
}
