//! The key reference of `docs/keys.md`, written from the same table the help
//! overlay reads, so the documentation cannot drift from the keys.

use super::keymap::{Keymap, Mode};

/// What `{clipboard_clear}` reads as in the documentation: the setting and
/// its default, where help shows the configured delay.
const CLIPBOARD_CLEAR_DOC: &str = "`clipboard_clear_seconds`, 30 s by default";

/// The key tables of the compiled-in keymap, one section per mode in the
/// order help lists them, as Markdown.
pub fn keys_markdown() -> String {
    let mut km = match Keymap::from_toml(super::keymap::DEFAULT_KEYMAP) {
        Ok(km) => km,
        // The keymap tests fail on a broken asset; the document says so too.
        Err(e) => return format!("assets/keymap.toml does not parse: {e}\n"),
    };
    km.fill("clipboard_clear", CLIPBOARD_CLEAR_DOC);
    markdown(&km)
}

/// The key tables of `km`.
pub fn markdown(km: &Keymap) -> String {
    let mut out = String::new();
    for mode in Mode::ALL {
        let entries = km.help(mode);
        if entries.is_empty() {
            continue;
        }
        out.push_str(&format!("### {}\n\n", mode.title()));
        if let Some(parent) = mode.parent().filter(|p| !km.help(*p).is_empty()) {
            out.push_str(&format!(
                "Keys not bound here act as in [{}](#{}).\n\n",
                parent.title(),
                anchor(parent.title())
            ));
        }
        out.push_str("| keys | what it does | on screen |\n|---|---|---|\n");
        for e in entries {
            let keys = e
                .keys
                .iter()
                .map(|k| code(&k.to_string()))
                .collect::<Vec<_>>()
                .join(" ");
            let hint = e.hint.as_deref().map(cell).unwrap_or_default();
            out.push_str(&format!("| {keys} | {} | {hint} |\n", cell(&e.desc)));
        }
        out.push('\n');
    }
    out
}

/// A key as inline code; a backtick needs a longer fence.
fn code(key: &str) -> String {
    let key = key.replace('|', "\\|");
    if key.contains('`') {
        format!("`` {key} ``")
    } else {
        format!("`{key}`")
    }
}

/// Text for a table cell: a `|` would end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// GitHub's anchor for a heading: lower case, spaces to dashes, most
/// punctuation dropped.
fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_githubs_rule() {
        assert_eq!(anchor("Both lists"), "both-lists");
        assert_eq!(
            anchor("Deleted secret's details"),
            "deleted-secrets-details"
        );
    }

    #[test]
    fn every_mode_with_keys_gets_a_table_with_its_keys() {
        let md = keys_markdown();
        assert!(md.contains("### Both lists\n"), "{md}");
        assert!(md.contains("| `Ctrl-C` | quit, from anywhere |"), "{md}");
        assert!(md.contains("30 s by default"), "{md}");
        assert!(!md.contains("{clipboard_clear}"));
    }
}
