//! The module DAG, enforced: every `crate::` reference under `src/` must go
//! to a module in a lower layer or the same one, and the references must form
//! no cycle. Adding a module means placing it in [`LAYERS`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lowest first. A module may use modules of its own layer or below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "kv_facts",
            "kv_access",
            "fsx",
            "dirs",
            "dates",
            "shown",
            "signals",
            "binding",
        ],
    ),
    ("services", &["local", "vault", "config", "list_cache"]),
    ("connection", &["compose", "flags"]),
    (
        "features",
        &[
            "app", "ui", "tui", "runtime", "across", "script", "doctor", "emulator",
        ],
    ),
    ("entry", &["cli", "launch", "serve", "completions"]),
];

/// Edges still to remove (issue 18, one call layer): the SDK calls the
/// scripts and `across` share live in `script` instead of `vault`. Each must
/// still exist, so the list only shrinks.
const KNOWN: &[(&str, &str)] = &[("vault", "script"), ("across", "script")];

/// The top-level modules each `crate::…` reference (also inside
/// `use crate::{a, b::c}`) names, comments left out.
fn references(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: after `{` and after each `,` at depth 0.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        start = false;
                        out.insert(ident(&group[i..]));
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, files);
        } else if p.extension().is_some_and(|x| x == "rs") {
            files.push(p);
        }
    }
}

/// `from -> to` edges between top-level modules, with a file naming each.
fn edges(src: &Path) -> BTreeMap<(String, String), String> {
    let mut files = Vec::new();
    walk(src, &mut files);
    let mut edges = BTreeMap::new();
    for f in files {
        let Ok(rel) = f.strip_prefix(src) else {
            continue;
        };
        let first = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .unwrap_or_default();
        if matches!(first.as_str(), "lib" | "main" | "layering") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for to in references(&text) {
            if to != first {
                edges
                    .entry((first.clone(), to))
                    .or_insert_with(|| rel.display().to_string());
            }
        }
    }
    edges
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// A cycle among `edges`, as a path, if there is one.
fn cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeSet<(String, String)>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let from = path.iter().position(|p| p == n).unwrap_or(0);
                let mut c = path[from..].to_vec();
                c.push(n.to_owned());
                return Some(c);
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(n.to_owned(), 1);
        path.push(n.to_owned());
        for (_, to) in edges.iter().filter(|(f, _)| f == n) {
            if let Some(c) = visit(to, edges, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(n.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    for n in nodes {
        if let Some(c) = visit(n, edges, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[test]
fn references_are_read_from_paths_and_groups() {
    let text = "use crate::vault::{A, B};\nuse crate::{app::{x, y}, fsx};\n// crate::ui\nlet a = crate::dirs::data_dir();";
    let got: Vec<String> = references(text).into_iter().collect();
    assert_eq!(got, ["app", "dirs", "fsx", "vault"]);
}

#[test]
fn a_cycle_is_found() {
    let e = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    let edges: BTreeSet<_> = [e("a", "b"), e("b", "c"), e("c", "a")].into();
    assert!(cycle(&edges).is_some());
    let dag: BTreeSet<_> = [e("a", "b"), e("b", "c"), e("a", "c")].into();
    assert_eq!(cycle(&dag), None);
}

#[test]
fn modules_form_a_dag_along_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = edges(&src);
    let mut problems = Vec::new();
    for ((from, to), file) in &found {
        if KNOWN.contains(&(from.as_str(), to.as_str())) {
            continue;
        }
        match (layer_of(from), layer_of(to)) {
            (Some(a), Some(b)) if b > a => problems.push(format!(
                "{from} ({}) uses {to} ({}), a higher layer, in {file}",
                LAYERS[a].0, LAYERS[b].0
            )),
            (None, _) => problems.push(format!("{from} is in no layer of src/layering.rs")),
            (_, None) => problems.push(format!("{to} is in no layer of src/layering.rs")),
            _ => {}
        }
    }
    for (from, to) in KNOWN {
        if !found.contains_key(&((*from).to_owned(), (*to).to_owned())) {
            problems.push(format!("{from} -> {to} is gone: take it off KNOWN"));
        }
    }
    let kept: BTreeSet<(String, String)> = found
        .keys()
        .filter(|(f, t)| !KNOWN.contains(&(f.as_str(), t.as_str())))
        .cloned()
        .collect();
    if let Some(c) = cycle(&kept) {
        problems.push(format!("a cycle: {}", c.join(" -> ")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
