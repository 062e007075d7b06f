//! `kvtui diff SOURCE TARGET`: one line per name with its state and what
//! differs, a summary on stderr, and an exit code a drift check can branch on
//! ([`DIFFERENT`] when anything differs, never a failure's code).

use serde::Serialize;

use super::across_args::{DiffArgs, DiffFormat, PairArgs};
use super::args::VaultArgs;
use super::conn::Vault;
use super::exit::{DIFFERENT, ScriptError};
use super::output::{Out, SecretJson};
use super::progress::with_progress;
use crate::across::compare::{CompareOptions, Row, summary};
use crate::across::fetch::{Progress, compare};
use crate::across::names::NameRules;
use crate::flags::TuiArgs;

/// Both vaults of a pair, opened with the shared credential flags.
pub async fn open_pair(pair: &PairArgs, top: &TuiArgs) -> Result<(Vault, Vault), ScriptError> {
    if !pair.vault.vaults.is_empty() {
        return Err(ScriptError::Usage(
            "give the two vaults as SOURCE and TARGET, not with --vault".into(),
        ));
    }
    let base = pair.vault.merged(top);
    let side = |name: &str| VaultArgs {
        vaults: vec![name.to_owned()],
        ..base.clone()
    };
    let open = |args: VaultArgs| async move {
        let targets = Vault::targets(&args)?;
        match targets.as_slice() {
            [one] => Vault::open_target(one, &args).await,
            _ => Err(ScriptError::Usage(format!(
                "{:?} names no single vault",
                args.vaults.join(" ")
            ))),
        }
    };
    let source = open(side(&pair.source)).await?;
    let target = match open(side(&pair.target)).await {
        Ok(t) => t,
        Err(e) => {
            source.close().await;
            return Err(e);
        }
    };
    if source.client.endpoint() == target.client.endpoint() && pair.map.is_empty() {
        source.close().await;
        target.close().await;
        return Err(ScriptError::Usage(
            "SOURCE and TARGET are the same vault (a --map can compare two sets of its names)"
                .into(),
        ));
    }
    Ok((source, target))
}

/// The comparison the pair flags ask for.
pub fn options(pair: &PairArgs, values: bool) -> CompareOptions {
    CompareOptions {
        rules: NameRules {
            map: pair.map.clone(),
            only: pair.only.clone(),
            prefix: pair.prefix.clone(),
        },
        include_managed: pair.include_managed,
        values,
    }
}

/// `kvtui diff`.
pub async fn run(args: &DiffArgs, top: &TuiArgs) -> Result<(), ScriptError> {
    let (source, target) = open_pair(&args.pair, top).await?;
    let opts = options(&args.pair, !args.metadata_only);
    let progress = Progress::default();
    let result = with_progress(
        compare(&source.api(), &target.api(), &opts, &progress),
        || progress.line(),
    )
    .await;
    let (s_host, t_host) = (source.host.clone(), target.host.clone());
    source.close().await;
    target.close().await;
    let rows = result?;
    print(&rows, args.output)?;
    let differ = rows.iter().filter(|r| r.is_difference()).count();
    let values = if args.metadata_only {
        " (properties only)"
    } else {
        ""
    };
    eprintln!(
        "diff {s_host} → {t_host}{values}: {}",
        if rows.is_empty() {
            "no secrets to compare".into()
        } else {
            summary(&rows)
        }
    );
    if differ > 0 {
        return Err(ScriptError::Reported {
            code: DIFFERENT,
            message: format!("{differ} names differ"),
        });
    }
    Ok(())
}

/// The note after a row: what differs, or why it was not compared.
pub fn note(r: &Row) -> String {
    r.note()
}

/// `name` or `name → target-name` when a map renamed it.
pub fn shown_name(r: &Row) -> String {
    r.shown_name()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RowJson<'a> {
    name: &'a str,
    target_name: &'a str,
    state: &'static str,
    differences: Vec<&'static str>,
    note: String,
    source: Option<SecretJson<'a>>,
    target: Option<SecretJson<'a>>,
}

fn print(rows: &[Row], format: DiffFormat) -> Result<(), ScriptError> {
    let mut out = Out::new();
    match format {
        DiffFormat::Table => {
            for r in rows {
                let line = format!("{:<18} {:<40} {}", r.state.label(), shown_name(r), note(r));
                out.line(line.trim_end())?;
            }
        }
        DiffFormat::Names => {
            for r in rows.iter().filter(|r| r.is_difference()) {
                out.line(&r.name)?;
            }
        }
        DiffFormat::Json => {
            let items: Vec<RowJson<'_>> = rows
                .iter()
                .map(|r| RowJson {
                    name: &r.name,
                    target_name: &r.target_name,
                    state: r.state.key(),
                    differences: r.diffs.iter().map(|f| f.key()).collect(),
                    note: note(r),
                    source: r.source.as_ref().map(SecretJson::of),
                    target: r
                        .target
                        .as_ref()
                        .or(r.deleted.as_ref().map(|d| &d.props))
                        .map(SecretJson::of),
                })
                .collect();
            let text = serde_json::to_string_pretty(&items)
                .map_err(|e| ScriptError::Failed(e.to_string()))?;
            out.line(&text)?;
        }
    }
    out.flush()
}
