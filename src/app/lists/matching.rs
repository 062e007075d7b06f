//! The filter: which rows match, how well (an exact, prefix or substring
//! name match before a tag or content type, before a fuzzy name match), fast
//! enough for 100,000 rows per keystroke, and which characters to highlight.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A compiled filter. A plain ASCII filter (one fuzzy atom) matches exactly
/// when it is a case-insensitive subsequence, far cheaper than scoring;
/// anything else goes through nucleo.
pub struct Filter {
    pattern: Pattern,
    plain: Option<Vec<u8>>,
}

impl Filter {
    pub fn new(text: &str) -> Self {
        Self {
            pattern: Pattern::parse(text, CaseMatching::Ignore, Normalization::Smart),
            plain: is_plain(text).then(|| text.to_ascii_lowercase().into_bytes()),
        }
    }

    /// A scorer for one thread.
    pub fn scorer(&self) -> FilterScorer<'_> {
        FilterScorer {
            filter: self,
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
        }
    }

    /// A matcher for one thread.
    pub fn matcher(&self) -> FilterMatcher<'_> {
        FilterMatcher {
            filter: self,
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
        }
    }
}

/// Scores rows against a filter, for ranking by match quality.
pub struct FilterScorer<'a> {
    filter: &'a Filter,
    matcher: Matcher,
    buf: Vec<char>,
}

impl FilterScorer<'_> {
    /// How well `hay` matches; 0 when it does not.
    pub fn score(&mut self, hay: &str) -> u32 {
        self.filter
            .pattern
            .score(Utf32Str::new(hay, &mut self.buf), &mut self.matcher)
            .unwrap_or(0)
    }
}

pub struct FilterMatcher<'a> {
    filter: &'a Filter,
    matcher: Matcher,
    buf: Vec<char>,
}

/// How a row matched; lower ranks first. A fuzzy match counts only when no
/// row matches literally (`/web-000` must not bring `web-001000`).
pub mod tier {
    pub const EXACT: u8 = 0;
    pub const PREFIX: u8 = 1;
    pub const SUBSTRING: u8 = 2;
    /// A tag word (`key=value`) or the content type.
    pub const FIELD: u8 = 3;
    pub const FUZZY: u8 = 4;
    pub const NONE: u8 = u8::MAX;
}

/// Separates the content type and the `key=value` tag words of a row's
/// extra text, so a match never runs across two of them.
pub const FIELD_SEP: char = '\u{1f}';

/// `needle` (lowercase ASCII) in `hay`, ignoring ASCII case.
fn contains_ci(hay: &str, needle: &[u8]) -> bool {
    needle.is_empty()
        || hay
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

impl FilterMatcher<'_> {
    /// How the row named `name`, with its content type and tag words in
    /// `extra` (split by [`FIELD_SEP`]), matches; [`tier::NONE`] when not.
    pub fn tier(&mut self, name: &str, extra: Option<&str>) -> u8 {
        let fields = || extra.into_iter().flat_map(|e| e.split(FIELD_SEP));
        let filter = self.filter;
        let Some(needle) = filter.plain.as_deref() else {
            // Pattern syntax ('exact, ^prefix, !not, words): nucleo decides,
            // on the name and on each field alone.
            if self.pattern_matches(name) {
                return tier::SUBSTRING;
            }
            let mut fields = fields();
            return if fields.any(|f| self.pattern_matches(f)) {
                tier::FIELD
            } else {
                tier::NONE
            };
        };
        let bytes = name.as_bytes();
        if bytes.eq_ignore_ascii_case(needle) {
            tier::EXACT
        } else if bytes.len() >= needle.len() && bytes[..needle.len()].eq_ignore_ascii_case(needle)
        {
            tier::PREFIX
        } else if contains_ci(name, needle) {
            tier::SUBSTRING
        } else if fields().any(|f| contains_ci(f, needle)) {
            tier::FIELD
        } else if is_subsequence(needle, bytes) {
            tier::FUZZY
        } else {
            tier::NONE
        }
    }

    fn pattern_matches(&mut self, hay: &str) -> bool {
        self.filter
            .pattern
            .score(Utf32Str::new(hay, &mut self.buf), &mut self.matcher)
            .is_some()
    }

    pub fn matches(&mut self, hay: &str) -> bool {
        match &self.filter.plain {
            Some(needle) if hay.is_ascii() => is_subsequence(needle, hay.as_bytes()),
            _ => self
                .filter
                .pattern
                .score(Utf32Str::new(hay, &mut self.buf), &mut self.matcher)
                .is_some(),
        }
    }
}

/// Indices in `0..len` for which `is_match` holds, split over the cores when
/// there are many; `wanted` limits the check to some indices.
pub fn matching_indices<F>(
    len: usize,
    wanted: Option<&[bool]>,
    filter: &Filter,
    is_match: F,
) -> Vec<bool>
where
    F: Fn(&mut FilterMatcher<'_>, usize) -> bool + Sync,
{
    matching_map(len, wanted, filter, false, is_match)
}

/// `f` over `0..len` (`unwanted` where `wanted` says no), split over the
/// cores when there are many.
pub fn matching_map<T, F>(
    len: usize,
    wanted: Option<&[bool]>,
    filter: &Filter,
    unwanted: T,
    f: F,
) -> Vec<T>
where
    T: Clone + Send,
    F: Fn(&mut FilterMatcher<'_>, usize) -> T + Sync,
{
    let is_match = f;
    let mut out = vec![unwanted; len];
    let threads = if len < 20_000 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    let chunk = len.div_ceil(threads).max(1);
    let run = |start: usize, part: &mut [T]| {
        let mut m = filter.matcher();
        for (k, slot) in part.iter_mut().enumerate() {
            let i = start + k;
            if wanted.is_none_or(|w| w[i]) {
                *slot = is_match(&mut m, i);
            }
        }
    };
    if threads == 1 {
        run(0, &mut out);
    } else {
        std::thread::scope(|scope| {
            for (n, part) in out.chunks_mut(chunk).enumerate() {
                let run = &run;
                scope.spawn(move || run(n * chunk, part));
            }
        });
    }
    out
}

/// Positions in `text` the filter matched, for highlighting.
pub fn match_positions(filter: &str, text: &str) -> Vec<u32> {
    if filter.is_empty() {
        return Vec::new();
    }
    let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut idx = Vec::new();
    pattern.indices(Utf32Str::new(text, &mut buf), &mut matcher, &mut idx);
    idx.sort_unstable();
    idx.dedup();
    idx
}

/// Why each of `rows` matched when its name did not: the content type or
/// the first tag the filter matches (`tag team=data`), for the list to show.
/// The filter is compiled once for all of them.
pub fn match_reasons<'a>(
    filter: &str,
    rows: impl IntoIterator<Item = &'a crate::vault::SecretProps>,
) -> Vec<Option<String>> {
    let rows = rows.into_iter();
    if filter.is_empty() {
        return rows.map(|_| None).collect();
    }
    let f = Filter::new(filter);
    let mut m = f.matcher();
    rows.map(|props| reason(&mut m, props)).collect()
}

fn reason(m: &mut FilterMatcher<'_>, props: &crate::vault::SecretProps) -> Option<String> {
    if m.tier(&props.name, None) != tier::NONE {
        return None;
    }
    if let Some(ct) = props
        .content_type
        .as_deref()
        .filter(|ct| m.tier("", Some(ct)) == tier::FIELD)
    {
        return Some(format!("content type {ct}"));
    }
    for (k, v) in &props.tags {
        let tag = format!("{k}={v}");
        if m.tier("", Some(&tag)) == tier::FIELD {
            return Some(format!("tag {tag}"));
        }
    }
    None
}

/// A filter without pattern syntax or spaces: one fuzzy atom of ASCII.
pub fn is_plain(filter: &str) -> bool {
    filter.is_ascii() && !filter.contains(['!', '^', '$', '\'', ' ', '\\'])
}

/// Whether `needle` (lowercase) appears in order in `hay`, ignoring case.
fn is_subsequence(needle: &[u8], hay: &[u8]) -> bool {
    let mut rest = needle.iter().peekable();
    for b in hay {
        if rest.peek().is_some_and(|&&n| n == b.to_ascii_lowercase()) {
            rest.next();
        }
    }
    rest.peek().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path must agree with nucleo on plain ASCII filters.
    #[test]
    fn subsequence_agrees_with_nucleo() {
        let hays = [
            "db-password",
            "API-KEY",
            "app-config",
            "text/plain env=prod",
            "a",
            "",
            "service-042-secret-000042",
            "tls-cert-password",
            "Mixed-Case-Name",
        ];
        let needles = [
            "db", "pas", "apik", "ak", "cfg", "env=p", "42", "s-4", "x", "mcn", "ACN", "-",
        ];
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        for n in needles {
            let pattern = Pattern::parse(n, CaseMatching::Ignore, Normalization::Smart);
            for h in hays {
                let fast = is_subsequence(n.to_ascii_lowercase().as_bytes(), h.as_bytes());
                let slow = pattern
                    .score(Utf32Str::new(h, &mut buf), &mut matcher)
                    .is_some();
                assert_eq!(fast, slow, "needle {n:?} in {h:?}");
            }
        }
    }

    #[test]
    fn matching_indices_split_over_threads_agree() {
        let names: Vec<String> = (0..50_000).map(|i| format!("name-{i}")).collect();
        let filter = Filter::new("e-49");
        let all = matching_indices(names.len(), None, &filter, |m, i| m.matches(&names[i]));
        let count = all.iter().filter(|b| **b).count();
        let expected = names.iter().filter(|n| filter.matcher().matches(n)).count();
        assert_eq!(count, expected);
        assert!(all[49] && !all[48]);
    }
}
