//! Which secret names may become environment variables. A secret is data
//! anyone with write access to the vault controls; a variable such as `PATH`,
//! `LD_PRELOAD` or `NODE_OPTIONS` decides what a program loads and runs. So
//! `run` and `export --format env` refuse those names, and `run` also refuses
//! a name the parent environment already sets, unless `--allow-env NAME`
//! opts in for that one name.

use std::collections::BTreeMap;
use std::ffi::OsStr;

use secrecy::SecretString;

use super::exit::ScriptError;

/// Variables that change how programs are found, loaded or started.
const EXACT: &[&str] = &[
    "PATH",
    "HOME",
    "SHELL",
    "IFS",
    "ENV",
    "BASH_ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "PROMPT_COMMAND",
    "CDPATH",
    "GLOBIGNORE",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "CLASSPATH",
    "RUBYOPT",
    "RUBYLIB",
    "PHPRC",
    "PHP_INI_SCAN_DIR",
    "GCONV_PATH",
    "LOCPATH",
    "NLSPATH",
    "HOSTALIASES",
    "TMPDIR",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "BROWSER",
    "LESSOPEN",
    "LESSCLOSE",
    "MANPAGER",
    "SSH_ASKPASS",
    "SUDO_ASKPASS",
];

/// Families: the dynamic loaders and the runtimes' startup hooks and paths.
const PREFIXES: &[&str] = &[
    "LD_",
    "DYLD_",
    "NODE_",
    "DOTNET_",
    "COMPLUS_",
    "CORECLR_",
    "PERL",
    "PYTHON",
    "LUA_",
    "GIT_",
    "BASH_FUNC_",
];

/// Whether setting `var` can change which code a program runs.
pub fn dangerous(var: &str) -> bool {
    let v = var.to_ascii_uppercase();
    EXACT.contains(&v.as_str()) || PREFIXES.iter().any(|p| v.starts_with(p))
}

/// `--allow-env` values as variable names: `db-url` and `DB_URL` both name
/// `DB_URL` (the secret's full name, prefix included, names it too).
fn normalise(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

/// A variable refused: its name, the secret it came from, and why.
pub type Refusal = (String, String, &'static str);

/// The variables of `pairs` on the denylist, or (with `parent`) already set
/// in the parent environment, that `allow` does not name. `origin` maps a
/// variable back to the secret it came from.
pub fn refused(
    pairs: &BTreeMap<String, SecretString>,
    origin: &BTreeMap<String, String>,
    allow: &[String],
    parent: Option<&dyn Fn(&OsStr) -> bool>,
) -> Vec<Refusal> {
    let allowed: Vec<String> = allow.iter().map(|a| normalise(a)).collect();
    let mut refused = Vec::new();
    for var in pairs.keys() {
        let secret = origin.get(var).map_or(var.as_str(), String::as_str);
        if allowed.contains(var) || allow.iter().any(|a| a.eq_ignore_ascii_case(secret)) {
            continue;
        }
        let why = if dangerous(var) {
            "changes how programs are found or run"
        } else if parent.is_some_and(|set| set(OsStr::new(var))) {
            "is already set in this environment"
        } else {
            continue;
        };
        refused.push((var.clone(), secret.to_owned(), why));
    }
    refused
}

/// Refuses (exit 2) what [`refused`] finds, naming each secret and the flag.
pub fn check(
    pairs: &BTreeMap<String, SecretString>,
    origin: &BTreeMap<String, String>,
    allow: &[String],
    parent: Option<&dyn Fn(&OsStr) -> bool>,
) -> Result<(), ScriptError> {
    let refused = refused(pairs, origin, allow, parent);
    if refused.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = refused
        .iter()
        .map(|(var, secret, why)| format!("  {var} (from secret {secret}) {why}"))
        .collect();
    let flags: Vec<String> = refused
        .iter()
        .map(|(var, ..)| format!("--allow-env {var}"))
        .collect();
    Err(ScriptError::Usage(format!(
        "refusing to set {} from the vault:\n{}\nleave {} out with --only or --prefix, or pass {} to set {} anyway",
        if refused.len() == 1 {
            "a variable"
        } else {
            "variables"
        },
        lines.join("\n"),
        if refused.len() == 1 { "it" } else { "them" },
        flags.join(" "),
        if refused.len() == 1 { "it" } else { "them" },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(keys: &[&str]) -> BTreeMap<String, SecretString> {
        keys.iter()
            .map(|k| ((*k).to_owned(), SecretString::from("v")))
            .collect()
    }

    #[test]
    fn loaders_and_runtime_hooks_are_dangerous() {
        for v in [
            "PATH",
            "LD_PRELOAD",
            "DYLD_INSERT_LIBRARIES",
            "NODE_OPTIONS",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "DOTNET_STARTUP_HOOKS",
            "PERL5OPT",
            "PERL5LIB",
            "PYTHONPATH",
            "PYTHONSTARTUP",
            "RUBYOPT",
            "BASH_ENV",
            "ENV",
            "IFS",
            "SHELL",
            "HOME",
            "GIT_SSH_COMMAND",
        ] {
            assert!(dangerous(v), "{v}");
        }
        for v in ["DB_PASSWORD", "API_KEY", "PATHFINDER_TOKEN", "ENVIRONMENT"] {
            assert!(!dangerous(v), "{v}");
        }
    }

    #[test]
    fn refusals_name_the_secret_and_the_flag_and_allow_opts_in() {
        let p = pairs(&["PATH", "DB_URL"]);
        let origin = BTreeMap::from([("PATH".to_owned(), "path".to_owned())]);
        let e = check(&p, &origin, &[], None).err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("PATH (from secret path)"), "{e}");
        assert!(e.contains("--allow-env PATH"), "{e}");
        assert!(!e.contains("DB_URL"), "{e}");
        assert!(check(&p, &origin, &["path".into()], None).is_ok());
        let set = |v: &OsStr| v == "DB_URL";
        assert!(check(&p, &origin, &["PATH".into()], Some(&set)).is_err());
        assert!(check(&p, &origin, &["PATH".into(), "db-url".into()], Some(&set)).is_ok());
        let prefixed = BTreeMap::from([("PATH".to_owned(), "app-path".to_owned())]);
        assert!(check(&pairs(&["PATH"]), &prefixed, &["App-Path".into()], None).is_ok());
    }
}
