//! Which names take part in a comparison, and how a source name is spelled in
//! the target: `--map 'dev-*=prod-*'` for vaults that prefix their names,
//! `--only` and `--prefix` as `export` has them.

use crate::vault::SecretName;

/// One side of a rule: a whole name, or a head and tail around one `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Exact(String),
    Star { head: String, tail: String },
}

impl Pattern {
    /// The part `*` stood for (`""` for an exact match), case-insensitively.
    fn capture<'n>(&self, name: &'n str) -> Option<&'n str> {
        match self {
            Pattern::Exact(n) => name.eq_ignore_ascii_case(n).then_some(""),
            Pattern::Star { head, tail } => {
                let (h, t) = (head.len(), tail.len());
                if name.len() <= h + t {
                    return None;
                }
                let ok = name.get(..h)?.eq_ignore_ascii_case(head)
                    && name.get(name.len() - t..)?.eq_ignore_ascii_case(tail);
                ok.then(|| &name[h..name.len() - t])
            }
        }
    }

    fn fill(&self, middle: &str) -> String {
        match self {
            Pattern::Exact(n) => n.clone(),
            Pattern::Star { head, tail } => format!("{head}{middle}{tail}"),
        }
    }

    fn parse(side: &str) -> Option<Pattern> {
        match side.split_once('*') {
            Some((_, b)) if b.contains('*') => None,
            Some((a, b)) => Some(Pattern::Star {
                head: a.to_owned(),
                tail: b.to_owned(),
            }),
            None => Some(Pattern::Exact(side.to_owned())),
        }
    }
}

/// One `SOURCE=TARGET` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapRule {
    source: Pattern,
    target: Pattern,
}

/// Why a `--map` rule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("--map {0:?}: expected SOURCE=TARGET, such as 'dev-*=prod-*'")]
    Shape(String),
    #[error("--map {0:?}: each side has one '*' or neither has")]
    Stars(String),
    #[error("--map {0:?}: a side holds only letters, digits, '-' and one '*'")]
    Chars(String),
}

impl MapRule {
    pub fn parse(raw: &str) -> Result<Self, MapError> {
        let (s, t) = raw
            .split_once('=')
            .filter(|(s, t)| !s.is_empty() && !t.is_empty() && !t.contains('='))
            .ok_or_else(|| MapError::Shape(raw.to_owned()))?;
        let ok = |side: &str| {
            side.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*')
        };
        if !ok(s) || !ok(t) {
            return Err(MapError::Chars(raw.to_owned()));
        }
        let stars = |p: &str| p.matches('*').count();
        if stars(s) != stars(t) || stars(s) > 1 {
            return Err(MapError::Stars(raw.to_owned()));
        }
        match (Pattern::parse(s), Pattern::parse(t)) {
            (Some(source), Some(target)) => Ok(MapRule { source, target }),
            _ => Err(MapError::Stars(raw.to_owned())),
        }
    }
}

impl std::str::FromStr for MapRule {
    type Err = MapError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The names a run takes, and their spelling on each side.
#[derive(Debug, Clone, Default)]
pub struct NameRules {
    /// Tried in order; the first that matches wins. None: names map to themselves.
    pub map: Vec<MapRule>,
    /// Only these source names (as `export --only`).
    pub only: Vec<SecretName>,
    /// Only source names starting with this (case-insensitive).
    pub prefix: Option<String>,
}

impl NameRules {
    /// The target spelling of a source name, `None` when it takes no part.
    pub fn to_target(&self, source: &str) -> Option<SecretName> {
        if !self.selected(source) {
            return None;
        }
        if self.map.is_empty() {
            return SecretName::parse(source).ok();
        }
        self.map.iter().find_map(|r| {
            let mid = r.source.capture(source)?;
            SecretName::parse(&r.target.fill(mid)).ok()
        })
    }

    /// The source spelling of a target name, `None` when it takes no part.
    pub fn to_source(&self, target: &str) -> Option<SecretName> {
        let source = if self.map.is_empty() {
            SecretName::parse(target).ok()?
        } else {
            self.map.iter().find_map(|r| {
                let mid = r.target.capture(target)?;
                SecretName::parse(&r.source.fill(mid)).ok()
            })?
        };
        // A target name whose source would map elsewhere (an earlier rule) takes no part.
        let back = self.to_target(&source)?;
        back.eq(&target).then_some(source)
    }

    fn selected(&self, source: &str) -> bool {
        let prefixed = self.prefix.as_deref().is_none_or(|p| {
            source
                .get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p))
        });
        prefixed && (self.only.is_empty() || self.only.iter().any(|n| n == source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(map: &[&str]) -> NameRules {
        NameRules {
            map: map.iter().filter_map(|m| MapRule::parse(m).ok()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn maps_turn_one_prefix_into_another_both_ways() {
        let r = rules(&["dev-*=prod-*"]);
        assert_eq!(r.to_target("dev-db").as_deref(), Some("prod-db"));
        assert_eq!(r.to_target("DEV-db").as_deref(), Some("prod-db"));
        assert_eq!(r.to_target("test-db"), None);
        assert_eq!(r.to_target("dev-"), None);
        assert_eq!(r.to_source("prod-db").as_deref(), Some("dev-db"));
        assert_eq!(r.to_source("dev-db"), None);
        let r = rules(&["*-dev=*-prod", "shared=common"]);
        assert_eq!(r.to_target("db-dev").as_deref(), Some("db-prod"));
        assert_eq!(r.to_target("shared").as_deref(), Some("common"));
        assert_eq!(r.to_source("common").as_deref(), Some("shared"));
    }

    #[test]
    fn bad_rules_say_why() {
        assert!(matches!(MapRule::parse("dev-*"), Err(MapError::Shape(_))));
        assert!(matches!(
            MapRule::parse("dev-*=prod"),
            Err(MapError::Stars(_))
        ));
        assert!(matches!(MapRule::parse("*a*=*b*"), Err(MapError::Stars(_))));
        assert!(matches!(
            MapRule::parse("dev_*=p*"),
            Err(MapError::Chars(_))
        ));
    }

    #[test]
    fn only_and_prefix_pick_source_names() {
        let mut r = NameRules {
            prefix: Some("app-".into()),
            ..Default::default()
        };
        assert!(r.to_target("App-x").is_some());
        assert!(r.to_target("web-x").is_none());
        assert_eq!(r.to_source("web-x"), None);
        r.only = SecretName::parse("app-y").into_iter().collect();
        assert!(r.to_target("app-x").is_none());
        assert!(r.to_target("APP-Y").is_some());
    }
}
