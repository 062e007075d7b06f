//! The doctor's report as text: the same lines on the command line and in the TUI panel.

use super::report::{Report, Verdict};

/// The report as lines of text (no colour; the TUI styles them itself).
pub fn render_text(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let w = &r.whoami;
    out.push("Who am I".to_owned());
    let who = match (&w.user, &w.app_id) {
        (Some(u), Some(a)) => format!("{u} (user, app {a})"),
        (Some(u), None) => format!("{u} (user)"),
        (None, Some(a)) => format!("app {a}"),
        (None, None) if w.opaque => {
            "an opaque token: it names nobody (kvtui cannot read who it is)".to_owned()
        }
        (None, None) => "not named in the token".to_owned(),
    };
    out.push(format!("  identity       {who}"));
    out.push(format!(
        "  object id      {}",
        w.object_id.as_deref().unwrap_or("unknown")
    ));
    if let Some(t) = &w.tenant_id {
        out.push(format!("  tenant         {t}"));
    }
    out.push(format!("  credential     {}", w.credential));
    let v = &r.vault;
    out.push(String::new());
    out.push("The vault".to_owned());
    out.push(format!("  name           {} ({})", v.name, v.url));
    if let Some(id) = &v.resource_id {
        out.push(format!("  resource id    {id}"));
    }
    out.push(format!(
        "  model          {}",
        v.model.map_or("unknown", |m| m.describe())
    ));
    out.push(format!(
        "  public access  {}",
        match v.public_network_access {
            Some(true) => "enabled",
            Some(false) => "disabled",
            None => "unknown",
        }
    ));
    let firewall = match v.firewall {
        Some(true) if v.allowed_ips.is_empty() => "on (no address allowed)".to_owned(),
        Some(true) => format!("on, allows {}", v.allowed_ips.join(", ")),
        Some(false) => "off (all networks)".to_owned(),
        None => "unknown".to_owned(),
    };
    out.push(format!("  firewall       {firewall}"));
    out.push(format!(
        "  my address     {}",
        v.my_address
            .as_deref()
            .unwrap_or("not reported (the vault reports it only when its firewall refuses)")
    ));
    out.push(format!("  Resource Mgr   {}", v.resource_manager));
    out.push(String::new());
    out.push("Operations".to_owned());
    for row in &r.operations {
        let verdict = match row.verdict {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "DENIED",
            Verdict::Unknown => "unknown",
        };
        out.push(format!(
            "  {:<8} {:<8} {}",
            row.operation,
            verdict,
            row.source.describe()
        ));
    }
    let denied: Vec<_> = r
        .operations
        .iter()
        .filter(|r| r.verdict == Verdict::Denied)
        .collect();
    if !denied.is_empty() {
        out.push(String::new());
        out.push("To allow what is denied".to_owned());
        for row in denied {
            out.push(format!(
                "  {:<8} needs {}: {}",
                row.operation,
                row.needs,
                row.grant.as_deref().unwrap_or("")
            ));
            if let Some(fix) = &row.fix {
                out.push(format!("           {fix}"));
            }
        }
    }
    out
}
