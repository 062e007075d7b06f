//! The state of an open details view: the secret, its versions, and its
//! value only while the view is open.

use secrecy::SecretString;

use crate::vault::{DeletedSecret, ReqId, SecretProps};

/// The details view of one secret (or one version, or a deleted secret).
#[derive(Debug, Clone)]
pub struct Details {
    pub props: SecretProps,
    /// Present when this is a deleted secret.
    pub deleted: Option<DeletedSecret>,
    /// Fetched when the user asks to see it; dropped (zeroized) on close.
    pub value: Option<SecretString>,
    /// The value's JSON re-indented, made once when the value arrives (see
    /// `set_value`); a secret like the value.
    pub pretty: Option<SecretString>,
    /// Shows the value as stored even when `pretty` exists.
    pub raw: bool,
    /// The properties as the CLI's `-o json` prints them (`o`).
    pub raw_props: bool,
    pub shown: bool,
    pub value_req: Option<ReqId>,
    /// The versions of the secret, newest first.
    pub versions: Vec<SecretProps>,
    pub versions_req: Option<ReqId>,
    /// Why the versions could not be listed, shown instead of an empty list.
    pub versions_error: Option<String>,
    pub version_sel: usize,
    /// Where the versions list continues: it loads a batch at a time, the
    /// next one as the selection nears the end.
    pub versions_next: Option<String>,
    /// Versions marked (`Space`) to compare, by id; at most two.
    pub marked_versions: Vec<String>,
    /// Two versions compared, over the details; its values go with it.
    pub compare: Option<Box<crate::app::details::compare::Compare>>,
    /// Lines the value is scrolled by.
    pub scroll: u16,
    /// Lines the properties are scrolled by (`J`/`K`) on a small screen.
    pub props_scroll: usize,
    /// Property lines the last frame could not show.
    pub props_overflow: usize,
    /// Value lines the last frame could not show.
    pub value_overflow: usize,
    /// The details this version view was opened from.
    pub parent: Option<Box<Details>>,
}

impl Details {
    pub fn new(props: SecretProps) -> Self {
        Self {
            props,
            deleted: None,
            value: None,
            pretty: None,
            raw: false,
            raw_props: false,
            shown: false,
            value_req: None,
            versions: Vec::new(),
            versions_req: None,
            versions_error: None,
            version_sel: 0,
            versions_next: None,
            marked_versions: Vec::new(),
            compare: None,
            scroll: 0,
            props_scroll: 0,
            props_overflow: 0,
            value_overflow: 0,
            parent: None,
        }
    }

    /// Keeps a fetched value and lays out its JSON once, not every frame.
    pub fn set_value(&mut self, value: SecretString) {
        use secrecy::ExposeSecret;
        self.pretty = crate::app::details::json_indent::reindent_json(value.expose_secret());
        self.value = Some(value);
    }

    /// Drops the value and its layout (both zeroized).
    pub fn clear_value(&mut self) {
        self.value = None;
        self.pretty = None;
    }

    /// Whether this shows one version opened from the versions list.
    pub fn is_version(&self) -> bool {
        self.parent.is_some()
    }

    /// The secret and version this shows, for messages ("db-password
    /// version 9f2c1a7e").
    pub fn subject(&self) -> String {
        match &self.props.version {
            Some(v) if self.is_version() => {
                format!("{} version {}", self.props.name, &v[..v.len().min(8)])
            }
            _ => self.props.name.to_string(),
        }
    }
}
