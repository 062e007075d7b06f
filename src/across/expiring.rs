//! Expired and expiring secrets across vaults: `kvtui expiring --within 30d`.
//! Pure: which listed secrets are due, and the window's syntax.

use time::{Duration, OffsetDateTime};

use crate::vault::SecretProps;

/// How a secret stands against the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    Expired,
    Expiring,
}

impl Due {
    pub fn label(self) -> &'static str {
        match self {
            Due::Expired => "expired",
            Due::Expiring => "expiring",
        }
    }
}

/// One due secret and the vault it is in.
#[derive(Debug, Clone)]
pub struct DueRow {
    pub vault: String,
    pub props: SecretProps,
    pub due: Due,
}

/// The secrets of `vault` that have expired or expire within `within` of
/// `now`; disabled ones only when asked (a retired secret is no alarm).
pub fn due(
    vault: &str,
    items: Vec<SecretProps>,
    now: OffsetDateTime,
    within: Duration,
    include_disabled: bool,
) -> Vec<DueRow> {
    let horizon = now + within;
    items
        .into_iter()
        .filter(|p| include_disabled || p.enabled)
        .filter_map(|p| {
            let exp = p.expires?;
            let due = if exp <= now {
                Due::Expired
            } else if exp <= horizon {
                Due::Expiring
            } else {
                return None;
            };
            Some(DueRow {
                vault: vault.to_owned(),
                props: p,
                due,
            })
        })
        .collect()
}

/// Soonest first, then by vault and name.
pub fn sort(rows: &mut [DueRow]) {
    rows.sort_by(|a, b| {
        (a.props.expires, &a.vault, &a.props.name).cmp(&(b.props.expires, &b.vault, &b.props.name))
    });
}

/// `30d`, `12h`, `2w`, `90m` or a bare number of days.
pub fn parse_window(s: &str) -> Result<Duration, String> {
    let bad = || format!("--within {s:?}: expected a span such as 30d, 12h, 2w or 90m");
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "d"),
    };
    let n: i64 = num.parse().map_err(|_| bad())?;
    if n > 100 * 366 {
        return Err(bad());
    }
    match unit {
        "m" => Ok(Duration::minutes(n)),
        "h" => Ok(Duration::hours(n)),
        "d" => Ok(Duration::days(n)),
        "w" => Ok(Duration::weeks(n)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::SecretName;

    fn secret(
        name: &str,
        expires_in_days: Option<i64>,
        enabled: bool,
        now: OffsetDateTime,
    ) -> SecretProps {
        let mut p = SecretProps::named(SecretName::parse(name).unwrap());
        p.expires = expires_in_days.map(|d| now + Duration::days(d));
        p.enabled = enabled;
        p
    }

    #[test]
    fn expired_and_expiring_within_the_window() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let items = vec![
            secret("old", Some(-1), true, now),
            secret("soon", Some(10), true, now),
            secret("later", Some(40), true, now),
            secret("never", None, true, now),
            secret("retired", Some(-5), false, now),
        ];
        let rows = due("kv", items.clone(), now, Duration::days(30), false);
        let got: Vec<(&str, Due)> = rows
            .iter()
            .map(|r| (r.props.name.as_str(), r.due))
            .collect();
        assert_eq!(got, [("old", Due::Expired), ("soon", Due::Expiring)]);
        assert_eq!(due("kv", items, now, Duration::days(30), true).len(), 3);
    }

    #[test]
    fn windows_parse() {
        assert_eq!(parse_window("30d"), Ok(Duration::days(30)));
        assert_eq!(parse_window("12h"), Ok(Duration::hours(12)));
        assert_eq!(parse_window("2w"), Ok(Duration::weeks(2)));
        assert_eq!(parse_window("7"), Ok(Duration::days(7)));
        assert!(parse_window("soon").is_err());
        assert!(parse_window("3y").is_err());
    }
}
