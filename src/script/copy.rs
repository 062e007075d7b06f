//! `kvtui copy SOURCE TARGET [NAME...]`: a plan by default, written nothing;
//! `--apply` carries it out, reading the target again before each write.
//! Values never reach argv, logs or output.

use super::across_args::CopyArgs;
use super::exit::{NOT_COPIED, ScriptError, report};
use super::output::Out;
use super::progress::with_progress;
use crate::across::apply::{Outcome, apply};
use crate::across::fetch::{Progress, compare};
use crate::across::plan::{OnDeleted, Pick, Step, plan, summary};
use crate::flags::TuiArgs;

fn pick(args: &CopyArgs) -> Pick {
    Pick {
        names: args.names.clone(),
        all: args.all,
        missing: args.missing,
        changed: args.changed,
    }
}

fn shown(s: &Step) -> String {
    if s.name.as_str() == s.target_name.as_str() {
        s.name.to_string()
    } else {
        format!("{} → {}", s.name, s.target_name)
    }
}

/// `kvtui copy`.
pub async fn run(args: &CopyArgs, top: &TuiArgs) -> Result<(), ScriptError> {
    let pick = pick(args);
    if pick.is_empty() {
        return Err(ScriptError::Usage(
            "name the secrets to copy, or pass --all, --missing or --changed".into(),
        ));
    }
    let on_deleted = match (args.recover, args.purge_first) {
        (true, _) => OnDeleted::Recover,
        (_, true) => OnDeleted::PurgeFirst,
        _ => OnDeleted::Refuse,
    };
    let (source, target) = super::diff::open_pair(&args.pair, top).await?;
    let opts = super::diff::options(&args.pair, true);
    let progress = Progress::default();
    let (s, t) = (source.api(), target.api());
    let compared = with_progress(compare(&s, &t, &opts, &progress), || progress.line()).await;
    let result = match compared {
        Ok(rows) => {
            let steps = plan(&rows, &pick, on_deleted);
            if args.apply {
                carry_out(&s, &t, &steps, args.force).await
            } else {
                show_plan(&steps)
            }
        }
        Err(e) => Err(e),
    };
    source.close().await;
    target.close().await;
    result
}

fn show_plan(steps: &[Step]) -> Result<(), ScriptError> {
    let mut out = Out::new();
    for s in steps {
        let line = format!("{:<22} {:<40} {}", s.action.label(), shown(s), s.note());
        out.line(line.trim_end())?;
    }
    out.flush()?;
    eprintln!(
        "plan: {}; nothing written (run again with --apply)",
        summary(steps)
    );
    let blocked = steps.iter().filter(|s| s.action.blocks()).count();
    if blocked > 0 {
        return Err(ScriptError::Reported {
            code: NOT_COPIED,
            message: format!("{blocked} names cannot be copied as planned"),
        });
    }
    Ok(())
}

async fn carry_out(
    source: &super::conn::Api<'_>,
    target: &super::conn::Api<'_>,
    steps: &[Step],
    force: bool,
) -> Result<(), ScriptError> {
    let mut out = Out::new();
    let mut write_err: Option<ScriptError> = None;
    let outcomes = apply(source, target, steps, force, |s, o| {
        let note = match o {
            Outcome::NotCopied => s.note(),
            _ => o.note(),
        };
        let label = match o {
            Outcome::NotCopied => s.action.label(),
            _ => o.label(),
        };
        if let Outcome::Failed(e) = o {
            report(&ScriptError::Vault(e.clone()), Some(s.target_name.as_str()));
        }
        let line = format!("{label:<22} {:<40} {note}", shown(s));
        let written = out.line(line.trim_end()).and_then(|()| out.flush());
        if let Err(e) = written {
            write_err.get_or_insert(e);
        }
    })
    .await;
    if let Some(e) = write_err {
        return Err(e);
    }
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for (s, o) in steps.iter().zip(&outcomes) {
        let label = match o {
            Outcome::NotCopied => s.action.label(),
            _ => o.label(),
        };
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    let text = if counts.is_empty() {
        "nothing to copy".to_owned()
    } else {
        counts
            .iter()
            .map(|(l, n)| format!("{n} {l}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    eprintln!("copied: {text}");
    let not_copied = steps
        .iter()
        .zip(&outcomes)
        .filter(|(s, o)| !o.copied() && !matches!(s.action, crate::across::plan::Action::Managed))
        .count();
    if not_copied > 0 {
        return Err(ScriptError::Reported {
            code: NOT_COPIED,
            message: format!("{not_copied} names not copied"),
        });
    }
    Ok(())
}
