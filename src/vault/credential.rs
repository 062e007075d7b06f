//! Which Azure credential signs requests, using only `azure_identity` 1.x types.
//!
//! `plan` decides, from `--auth` and an injected environment, which sources to try
//! and which to skip (and why); it is pure and unit-tested. `build` turns the plan
//! into credentials and wraps them in [`AutoCredential`], which tries them in
//! order, sticks to the first that works, and when all fail returns one error
//! naming every source tried or skipped, why, and what to do.
//!
//! Managed identity is tried in `auto` only when `IDENTITY_ENDPOINT` or
//! `MSI_ENDPOINT` is set: probing the instance metadata address on a guess makes
//! every start on a laptop wait for a timeout.

use std::fmt;
use std::sync::{Arc, Mutex};

use azure_core::cloud::CloudConfiguration;
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind as SdkKind;
use azure_core::http::ClientOptions;
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzureDeveloperCliCredential,
    AzureDeveloperCliCredentialOptions, ClientAssertionCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, ManagedIdentityCredential, UserAssignedId,
    WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

use super::choice::{AuthMethod, Cloud};

/// What to do when no credential works; shown with every `NotSignedIn` error.
pub(crate) const SIGN_IN_HINT: &str = "Run `az login` (or `azd auth login`), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal; pick one source with --auth.";

/// A place a token can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// `AZURE_TENANT_ID` + `AZURE_CLIENT_ID` + `AZURE_CLIENT_SECRET`.
    EnvServicePrincipal,
    /// `AZURE_FEDERATED_TOKEN_FILE` (AKS workload identity).
    WorkloadIdentity,
    ManagedIdentity,
    AzureCli,
    AzureDeveloperCli,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::EnvServicePrincipal => "environment service principal",
            Source::WorkloadIdentity => "workload identity",
            Source::ManagedIdentity => "managed identity",
            Source::AzureCli => "Azure CLI",
            Source::AzureDeveloperCli => "Azure Developer CLI",
        })
    }
}

/// One step of a plan: a source to try, or one skipped with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Step {
    pub source: Source,
    /// `Some(reason)` when the source is not tried.
    pub skipped: Option<String>,
}

/// The sources `method` tries, in order, given the environment `env`.
pub(crate) fn plan(method: AuthMethod, env: &dyn Fn(&str) -> Option<String>) -> Vec<Step> {
    let set = |k: &str| env(k).is_some_and(|v| !v.trim().is_empty());
    let missing = |keys: &[&str]| -> Option<String> {
        let m: Vec<&str> = keys.iter().copied().filter(|k| !set(k)).collect();
        (!m.is_empty()).then(|| format!("{} not set", m.join(", ")))
    };
    let try_ = |source| Step {
        source,
        skipped: None,
    };
    let sp = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"];
    let wi = [
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
    ];
    match method {
        AuthMethod::Auto => vec![
            Step {
                source: Source::EnvServicePrincipal,
                skipped: missing(&sp),
            },
            Step {
                source: Source::WorkloadIdentity,
                skipped: missing(&wi),
            },
            Step {
                source: Source::ManagedIdentity,
                skipped: (!set("IDENTITY_ENDPOINT") && !set("MSI_ENDPOINT")).then(|| {
                    "IDENTITY_ENDPOINT and MSI_ENDPOINT not set (use --auth managed-identity on a VM)"
                        .to_owned()
                }),
            },
            try_(Source::AzureCli),
            try_(Source::AzureDeveloperCli),
        ],
        AuthMethod::Env => vec![try_(Source::EnvServicePrincipal)],
        AuthMethod::WorkloadIdentity => vec![try_(Source::WorkloadIdentity)],
        AuthMethod::ManagedIdentity => vec![try_(Source::ManagedIdentity)],
        AuthMethod::Cli => vec![try_(Source::AzureCli)],
        AuthMethod::Azd => vec![try_(Source::AzureDeveloperCli)],
    }
}

/// What `build` needs besides the plan.
#[derive(Debug, Clone, Default)]
pub struct CredentialOptions {
    pub method: AuthMethod,
    /// `--tenant`; overrides `AZURE_TENANT_ID`.
    pub tenant: Option<String>,
    pub cloud: Cloud,
}

/// Builds the credential for `opts`, reading variables through `env`.
/// Never fails: sources that cannot even be constructed are reported by the
/// first `get_token`, together with the others.
pub fn build(opts: &CredentialOptions, env: &dyn Fn(&str) -> Option<String>) -> AutoCredential {
    let mut tried = Vec::new();
    let mut failed = Vec::new();
    for step in plan(opts.method, env) {
        if let Some(reason) = step.skipped {
            failed.push(format!("{}: skipped, {reason}", step.source));
            continue;
        }
        match construct(step.source, opts, env) {
            Ok(c) => tried.push((step.source, c)),
            Err(e) => failed.push(format!("{}: {e}", step.source)),
        }
    }
    AutoCredential {
        sources: tried,
        unusable: failed,
        chosen: Mutex::new(None),
    }
}

fn client_options(cloud: Cloud) -> ClientOptions {
    let cloud = match cloud {
        Cloud::Public => CloudConfiguration::AzurePublic,
        Cloud::China => CloudConfiguration::AzureChina,
        Cloud::Usgov => CloudConfiguration::AzureGovernment,
    };
    ClientOptions {
        cloud: Some(Arc::new(cloud)),
        ..Default::default()
    }
}

fn construct(
    source: Source,
    opts: &CredentialOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> azure_core::Result<Arc<dyn TokenCredential>> {
    let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let tenant = opts.tenant.clone().or_else(|| var("AZURE_TENANT_ID"));
    let need = |k: &str, v: Option<String>| {
        v.ok_or_else(|| {
            azure_core::Error::with_message(SdkKind::Credential, format!("{k} not set"))
        })
    };
    // Name every missing variable at once, not just the first.
    let require = |keys: &[&str]| -> azure_core::Result<()> {
        let missing: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| var(k).is_none() && !(*k == "AZURE_TENANT_ID" && opts.tenant.is_some()))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(azure_core::Error::with_message(
                SdkKind::Credential,
                format!("{} not set", missing.join(", ")),
            ))
        }
    };
    match source {
        Source::EnvServicePrincipal => {
            require(&["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"])?
        }
        Source::WorkloadIdentity => require(&[
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_ID",
            "AZURE_FEDERATED_TOKEN_FILE",
        ])?,
        _ => {}
    }
    Ok(match source {
        Source::EnvServicePrincipal => ClientSecretCredential::new(
            &need("AZURE_TENANT_ID", tenant)?,
            need("AZURE_CLIENT_ID", var("AZURE_CLIENT_ID"))?,
            Secret::from(need("AZURE_CLIENT_SECRET", var("AZURE_CLIENT_SECRET"))?),
            Some(ClientSecretCredentialOptions {
                client_options: client_options(opts.cloud),
            }),
        )?,
        Source::WorkloadIdentity => {
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions {
                    client_options: client_options(opts.cloud),
                },
                client_id: var("AZURE_CLIENT_ID"),
                tenant_id: tenant,
                token_file_path: var("AZURE_FEDERATED_TOKEN_FILE").map(Into::into),
            }))?
        }
        Source::ManagedIdentity => ManagedIdentityCredential::new(Some(
            azure_identity::ManagedIdentityCredentialOptions {
                user_assigned_id: var("AZURE_CLIENT_ID").map(UserAssignedId::ClientId),
                ..Default::default()
            },
        ))?,
        Source::AzureCli => AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: opts.tenant.clone(),
            ..Default::default()
        }))?,
        Source::AzureDeveloperCli => {
            AzureDeveloperCliCredential::new(Some(AzureDeveloperCliCredentialOptions {
                tenant_id: opts.tenant.clone(),
                ..Default::default()
            }))?
        }
    })
}

/// Tries each source in order; after one works, only that one is asked again.
pub struct AutoCredential {
    sources: Vec<(Source, Arc<dyn TokenCredential>)>,
    /// Sources skipped or not constructible, with the reason, for the final error.
    unusable: Vec<String>,
    chosen: Mutex<Option<usize>>,
}

impl fmt::Debug for AutoCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.sources.iter().map(|(s, _)| s.to_string()).collect();
        f.debug_struct("AutoCredential")
            .field("sources", &names)
            .finish_non_exhaustive()
    }
}

impl AutoCredential {
    /// The sources that will be tried, in order (the tests check the plan).
    #[cfg(test)]
    fn sources(&self) -> Vec<Source> {
        self.sources.iter().map(|(s, _)| *s).collect()
    }

    fn chosen(&self) -> Option<usize> {
        self.chosen.lock().map(|g| *g).unwrap_or(None)
    }

    fn choose(&self, i: usize) {
        if let Ok(mut g) = self.chosen.lock() {
            *g = Some(i);
        }
    }
}

#[async_trait::async_trait]
impl TokenCredential for AutoCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        if let Some(i) = self.chosen()
            && let Some((_, c)) = self.sources.get(i)
        {
            return c.get_token(scopes, options).await;
        }
        let mut why = self.unusable.clone();
        for (i, (source, cred)) in self.sources.iter().enumerate() {
            match cred.get_token(scopes, options.clone()).await {
                Ok(token) => {
                    self.choose(i);
                    tracing::info!(%source, "signed in");
                    return Ok(token);
                }
                Err(e) => why.push(format!("{source}: {}", first_line(&e.to_string()))),
            }
        }
        Err(azure_core::Error::with_message(
            SdkKind::Credential,
            format!("no credential worked. Tried: {}.", why.join("; ")),
        ))
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| m.get(k).cloned()
    }

    fn tried(steps: &[Step]) -> Vec<Source> {
        steps
            .iter()
            .filter(|s| s.skipped.is_none())
            .map(|s| s.source)
            .collect()
    }

    #[test]
    fn auto_without_variables_tries_only_the_clis() {
        let steps = plan(AuthMethod::Auto, &env_of(&[]));
        assert_eq!(
            tried(&steps),
            vec![Source::AzureCli, Source::AzureDeveloperCli]
        );
        let order: Vec<Source> = steps.iter().map(|s| s.source).collect();
        assert_eq!(
            order,
            vec![
                Source::EnvServicePrincipal,
                Source::WorkloadIdentity,
                Source::ManagedIdentity,
                Source::AzureCli,
                Source::AzureDeveloperCli
            ]
        );
        let sp = &steps[0].skipped;
        assert!(sp.as_deref().unwrap_or("").contains("AZURE_CLIENT_SECRET"));
    }

    #[test]
    fn auto_with_service_principal_tries_it_first() {
        let env = env_of(&[
            ("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
            ("AZURE_CLIENT_ID", "id"),
            ("AZURE_CLIENT_SECRET", "s"),
        ]);
        let steps = plan(AuthMethod::Auto, &env);
        assert_eq!(
            tried(&steps),
            vec![
                Source::EnvServicePrincipal,
                Source::AzureCli,
                Source::AzureDeveloperCli
            ]
        );
    }

    #[test]
    fn managed_identity_only_with_its_endpoint_or_forced() {
        let without = plan(AuthMethod::Auto, &env_of(&[]));
        assert!(!tried(&without).contains(&Source::ManagedIdentity));
        let with = plan(
            AuthMethod::Auto,
            &env_of(&[("IDENTITY_ENDPOINT", "http://localhost:42356/msi/token")]),
        );
        assert_eq!(tried(&with)[0], Source::ManagedIdentity);
        let msi = plan(AuthMethod::Auto, &env_of(&[("MSI_ENDPOINT", "http://x")]));
        assert!(tried(&msi).contains(&Source::ManagedIdentity));
        let forced = plan(AuthMethod::ManagedIdentity, &env_of(&[]));
        assert_eq!(tried(&forced), vec![Source::ManagedIdentity]);
    }

    #[test]
    fn workload_identity_needs_the_token_file() {
        let env = env_of(&[
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/token"),
        ]);
        assert_eq!(
            tried(&plan(AuthMethod::Auto, &env))[0],
            Source::WorkloadIdentity
        );
        assert_eq!(tried(&plan(AuthMethod::Cli, &env)), vec![Source::AzureCli]);
        assert_eq!(
            tried(&plan(AuthMethod::Azd, &env)),
            vec![Source::AzureDeveloperCli]
        );
    }

    /// A source that fails with `why`, or hands out a token; counts its calls.
    #[derive(Debug)]
    struct Fake {
        why: Option<&'static str>,
        calls: std::sync::atomic::AtomicUsize,
    }

    #[async_trait::async_trait]
    impl TokenCredential for Fake {
        async fn get_token(
            &self,
            _: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            match self.why {
                Some(why) => Err(azure_core::Error::with_message(SdkKind::Credential, why)),
                None => Ok(AccessToken::new(
                    "tok",
                    azure_core::time::OffsetDateTime::now_utc(),
                )),
            }
        }
    }

    fn fake(why: Option<&'static str>) -> Arc<Fake> {
        Arc::new(Fake {
            why,
            calls: Default::default(),
        })
    }

    fn chain(sources: Vec<(Source, Arc<Fake>)>) -> AutoCredential {
        AutoCredential {
            sources: sources
                .into_iter()
                .map(|(s, c)| (s, c as Arc<dyn TokenCredential>))
                .collect(),
            unusable: vec!["managed identity: skipped, IDENTITY_ENDPOINT not set".into()],
            chosen: Mutex::new(None),
        }
    }

    #[tokio::test]
    async fn the_chain_falls_through_and_sticks_to_what_worked() {
        use std::sync::atomic::Ordering::SeqCst;
        let cli = fake(Some(
            "Please run 'az login' to set up account.\nmore detail",
        ));
        let azd = fake(None);
        let c = chain(vec![
            (Source::AzureCli, cli.clone()),
            (Source::AzureDeveloperCli, azd.clone()),
        ]);
        let scope = ["https://vault.azure.net/.default"];
        assert!(c.get_token(&scope, None).await.is_ok());
        assert!(c.get_token(&scope, None).await.is_ok());
        assert_eq!(
            cli.calls.load(SeqCst),
            1,
            "a failed source is not asked again"
        );
        assert_eq!(azd.calls.load(SeqCst), 2);
    }

    #[tokio::test]
    async fn when_all_fail_the_error_names_each_source_and_why() {
        let c = chain(vec![
            (Source::AzureCli, fake(Some("az: command not found"))),
            (Source::AzureDeveloperCli, fake(Some("azd: not logged in"))),
        ]);
        let Err(err) = c
            .get_token(&["https://vault.azure.net/.default"], None)
            .await
        else {
            panic!("all sources fail, so must the chain");
        };
        assert_eq!(err.kind(), &SdkKind::Credential);
        let text = err.to_string();
        for part in [
            "managed identity: skipped, IDENTITY_ENDPOINT not set",
            "Azure CLI: az: command not found",
            "Azure Developer CLI: azd: not logged in",
        ] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
    }

    #[tokio::test]
    async fn forced_env_without_variables_explains_what_is_missing() {
        let cred = build(
            &CredentialOptions {
                method: AuthMethod::Env,
                ..Default::default()
            },
            &env_of(&[]),
        );
        assert!(cred.sources().is_empty());
        let err = cred
            .get_token(&["https://vault.azure.net/.default"], None)
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("environment service principal"), "{err}");
        assert!(
            err.contains("AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET not set"),
            "{err}"
        );
    }
}
