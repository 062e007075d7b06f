//! Backup blobs: a compact binary encoding of every version, sealed. Sizes are
//! bounded by the service's limits, so restore accepts every blob backup makes.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::model::VersionRow;
use crate::kv_facts::{
    MAX_BACKUP_VERSIONS, MAX_CONTENT_TYPE_CHARS, MAX_TAG_CHARS, MAX_TAGS, MAX_VALUE_BYTES,
};

const MAGIC: &[u8; 4] = b"KVB2";
/// Associated data of v2 blobs (v1 blobs were JSON under `kvtui-backup-v1`).
pub(super) const BACKUP_AAD_V2: &[u8] = b"kvtui-backup-v2";
/// Largest encoding of one version: value, tags and content type at their
/// limits (4 bytes a character), the version id, numbers and length prefixes.
const MAX_VERSION_BYTES: usize = MAX_VALUE_BYTES
    + MAX_TAGS * 2 * (MAX_TAG_CHARS * 4 + 4)
    + (MAX_CONTENT_TYPE_CHARS * 4 + 5)
    + (64 + 4)
    + 2
    + 3 * 9
    + 2 * 8
    + 8;
/// Largest sealed blob (before base64): every version at its largest, the name, nonce and tag.
pub(super) const MAX_BLOB_BYTES: usize = MAX_BACKUP_VERSIONS * MAX_VERSION_BYTES + 1024;

/// Builds the plain text of a blob version by version.
pub(super) struct Encoder {
    buf: Zeroizing<Vec<u8>>,
}

impl Encoder {
    pub(super) fn new(name: &str, count: usize) -> Self {
        let mut e = Self {
            buf: Zeroizing::new(Vec::new()),
        };
        e.buf.extend_from_slice(MAGIC);
        e.u32(count);
        e.str(name);
        e
    }

    fn u32(&mut self, n: usize) {
        self.buf
            .extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u32(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.buf.push(1);
                self.str(s);
            }
            None => self.buf.push(0),
        }
    }

    fn i64(&mut self, n: i64) {
        self.buf.extend_from_slice(&n.to_le_bytes());
    }

    fn opt_i64(&mut self, n: Option<i64>) {
        match n {
            Some(n) => {
                self.buf.push(1);
                self.i64(n);
            }
            None => self.buf.push(0),
        }
    }

    pub(super) fn version(&mut self, row: &VersionRow, value: &str) {
        self.str(&row.version);
        self.opt_str(row.content_type.as_deref());
        self.buf.push(u8::from(row.enabled));
        self.buf.push(u8::from(row.managed));
        self.opt_i64(row.nbf);
        self.opt_i64(row.exp);
        self.i64(row.created);
        self.i64(row.updated);
        match &row.tags {
            Some(tags) => {
                self.buf.push(1);
                self.u32(tags.len());
                for (k, v) in tags {
                    self.str(k);
                    self.str(v);
                }
            }
            None => self.buf.push(0),
        }
        self.str(value);
    }

    pub(super) fn finish(self) -> Zeroizing<Vec<u8>> {
        self.buf
    }
}

/// One decoded version; the value is wiped when dropped.
pub(super) struct Restored {
    pub row: VersionRow,
    pub value: Zeroizing<String>,
}

/// Reads what `Encoder` wrote; `None` when it is not such a blob.
pub(super) fn decode(plain: &[u8]) -> Option<(String, Vec<Restored>)> {
    let mut r = Reader(plain);
    if r.take(4)? != MAGIC {
        return None;
    }
    let count = r.u32()?;
    if count == 0 || count > MAX_BACKUP_VERSIONS {
        return None;
    }
    let name = r.string()?;
    let mut versions = Vec::with_capacity(count);
    for _ in 0..count {
        let version = r.string()?;
        let content_type = r.opt(|r| r.string())?;
        let enabled = r.byte()? == 1;
        let managed = r.byte()? == 1;
        let nbf = r.opt(|r| r.i64())?;
        let exp = r.opt(|r| r.i64())?;
        let created = r.i64()?;
        let updated = r.i64()?;
        let tags = r.opt(|r| {
            let n = r.u32()?;
            if n > MAX_TAGS {
                return None;
            }
            let mut tags = BTreeMap::new();
            for _ in 0..n {
                let k = r.string()?;
                tags.insert(k, r.string()?);
            }
            Some(tags)
        })?;
        let value = Zeroizing::new(r.string()?);
        let row = VersionRow {
            name: name.clone(),
            version,
            content_type,
            enabled,
            nbf,
            exp,
            created,
            updated,
            tags,
            managed,
        };
        versions.push(Restored { row, value });
    }
    r.0.is_empty().then_some((name, versions))
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u32(&mut self) -> Option<usize> {
        let b: [u8; 4] = self.take(4)?.try_into().ok()?;
        usize::try_from(u32::from_le_bytes(b)).ok()
    }

    fn i64(&mut self) -> Option<i64> {
        let b: [u8; 8] = self.take(8)?.try_into().ok()?;
        Some(i64::from_le_bytes(b))
    }

    fn string(&mut self) -> Option<String> {
        let n = self.u32()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }

    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.byte()? {
            0 => Some(None),
            1 => f(self).map(Some),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_at_every_limit_fits_the_bound_and_round_trips() {
        let big = "\u{10000}".repeat(MAX_TAG_CHARS);
        let tags: BTreeMap<String, String> = (0..MAX_TAGS)
            .map(|i| (format!("{i:02}{}", &big[..big.len() - 8]), big.clone()))
            .collect();
        let row = VersionRow {
            name: "n".repeat(127),
            version: "a".repeat(32),
            content_type: Some("\u{10000}".repeat(MAX_CONTENT_TYPE_CHARS)),
            enabled: true,
            nbf: Some(1),
            exp: Some(2),
            created: 3,
            updated: 4,
            tags: Some(tags),
            managed: false,
        };
        let value = "v".repeat(MAX_VALUE_BYTES);
        let mut e = Encoder::new(&row.name, 2);
        e.version(&row, &value);
        let one = e.buf.len();
        e.version(&row, &value);
        let plain = e.finish();
        assert!(plain.len() - one <= MAX_VERSION_BYTES);
        let (name, versions) = decode(&plain).unwrap();
        assert_eq!(name, row.name);
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[1].row, row);
        assert_eq!(versions[1].value.as_str(), value);
        assert!(decode(&plain[..plain.len() - 1]).is_none());
    }
}
