//! `kvtui expiring --within 30d [--vault A ...]`: expired and expiring
//! secrets across vaults, soonest first; exits [`EXPIRING`] when there are any.

use serde::Serialize;
use time::OffsetDateTime;

use super::across_args::{DiffFormat, ExpiringArgs};
use super::conn::Vault;
use super::exit::{EXPIRING, ScriptError};
use super::list::each_page;
use super::output::{Out, rfc3339, short_date};
use crate::across::expiring::{DueRow, due, parse_window, sort};
use crate::flags::TuiArgs;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DueJson<'a> {
    vault: &'a str,
    name: &'a str,
    state: &'static str,
    expires: Option<String>,
    enabled: bool,
    managed: bool,
}

/// `kvtui expiring`.
pub async fn run(args: &ExpiringArgs, top: &TuiArgs) -> Result<(), ScriptError> {
    let within = parse_window(&args.within).map_err(ScriptError::Usage)?;
    let vargs = args.vault.merged(top);
    let targets = Vault::targets(&vargs)?;
    let now = OffsetDateTime::now_utc();
    let mut rows: Vec<DueRow> = Vec::new();
    for target in &targets {
        let vault = Vault::open_target(target, &vargs).await?;
        let mut items = Vec::new();
        let listed = each_page(&vault.api(), |page| {
            items.extend(page);
            Ok(true)
        })
        .await;
        let label = target.to_string();
        vault.close().await;
        listed?;
        rows.extend(due(&label, items, now, within, args.include_disabled));
    }
    sort(&mut rows);
    let mut out = Out::new();
    match args.output {
        DiffFormat::Table => {
            for r in &rows {
                out.line(&format!(
                    "{:<9} {:<16} {:<40} {}",
                    r.due.label(),
                    short_date(r.props.expires),
                    r.props.name.as_str(),
                    r.vault
                ))?;
            }
        }
        DiffFormat::Names => {
            for r in &rows {
                out.line(&r.props.name)?;
            }
        }
        DiffFormat::Json => {
            let items: Vec<DueJson<'_>> = rows
                .iter()
                .map(|r| DueJson {
                    vault: &r.vault,
                    name: &r.props.name,
                    state: r.due.label(),
                    expires: rfc3339(r.props.expires),
                    enabled: r.props.enabled,
                    managed: r.props.managed,
                })
                .collect();
            let text = serde_json::to_string_pretty(&items)
                .map_err(|e| ScriptError::Failed(e.to_string()))?;
            out.line(&text)?;
        }
    }
    out.flush()?;
    let expired = rows
        .iter()
        .filter(|r| r.due == crate::across::expiring::Due::Expired)
        .count();
    eprintln!(
        "{expired} expired, {} expiring within {} across {}",
        rows.len() - expired,
        args.within,
        crate::shown::count(targets.len(), "vault", "vaults")
    );
    if !rows.is_empty() {
        return Err(ScriptError::Reported {
            code: EXPIRING,
            message: format!("{} secrets expired or expiring", rows.len()),
        });
    }
    Ok(())
}
