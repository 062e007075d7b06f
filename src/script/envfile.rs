//! Reading `KEY=value` files for `kvtui import --format env`: what
//! `export --format env` writes reads back exactly, and the usual dotenv
//! forms too (`export KEY=...`, comments, `"..."` with `\n` escapes, bare
//! words). Errors name the line, never a value.

use secrecy::SecretString;

use super::exit::ScriptError;

/// The entries of an env file, in file order.
pub fn parse(text: &str) -> Result<Vec<(String, SecretString)>, ScriptError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
        line: 1,
    };
    let mut out: Vec<(String, SecretString)> = Vec::new();
    loop {
        p.skip_blank_and_comments();
        if p.eof() {
            return Ok(out);
        }
        let line = p.line;
        let mut key = p.word();
        if key == "export" && matches!(p.peek(), Some(b' ' | b'\t')) {
            p.skip_spaces();
            key = p.word();
        }
        if key.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(p.err(
                line,
                &format!("{key}: a variable name must not start with a digit"),
            ));
        }
        if !is_key(&key) {
            return Err(p.err(
                line,
                "expected KEY=value (KEY: letters, digits and _, not starting with a digit)",
            ));
        }
        if p.peek() != Some(b'=') {
            return Err(p.err(line, &format!("expected '=' after {key}")));
        }
        p.i += 1;
        let value = p.value(line)?;
        if out.iter().any(|(k, _)| *k == key) {
            return Err(p.err(line, &format!("{key} is set twice")));
        }
        out.push((key, SecretString::from(value)));
    }
}

fn is_key(k: &str) -> bool {
    let b = k.as_bytes();
    !b.is_empty()
        && !b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
}

impl Parser<'_> {
    fn eof(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn err(&self, line: usize, what: &str) -> ScriptError {
        ScriptError::Usage(format!("line {line}: {what}"))
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn skip_blank_and_comments(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => {
                    self.bump();
                }
                Some(b'#') => {
                    while !matches!(self.peek(), None | Some(b'\n')) {
                        self.i += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn word(&mut self) -> String {
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    /// Quoted and bare pieces up to an unquoted line end, as a shell joins them.
    fn value(&mut self, line: usize) -> Result<String, ScriptError> {
        let mut v: Vec<u8> = Vec::with_capacity(self.s.len() - self.i);
        loop {
            match self.peek() {
                None | Some(b'\n') => break,
                Some(b'\r') if self.s.get(self.i + 1) == Some(&b'\n') => break,
                Some(b' ' | b'\t') => {
                    self.skip_spaces();
                    match self.peek() {
                        None | Some(b'\n' | b'#' | b'\r') => {
                            while !matches!(self.peek(), None | Some(b'\n')) {
                                self.i += 1;
                            }
                            break;
                        }
                        _ => return Err(self.err(line, "unquoted space in the value; quote it")),
                    }
                }
                Some(b'\'') => {
                    self.bump();
                    loop {
                        match self.bump() {
                            None => return Err(self.err(line, "unterminated '")),
                            Some(b'\'') => break,
                            Some(c) => v.push(c),
                        }
                    }
                }
                Some(b'"') => {
                    self.bump();
                    loop {
                        match self.bump() {
                            None => return Err(self.err(line, "unterminated \"")),
                            Some(b'"') => break,
                            Some(b'\\') => match self.bump() {
                                Some(b'n') => v.push(b'\n'),
                                Some(b'r') => v.push(b'\r'),
                                Some(b't') => v.push(b'\t'),
                                Some(c @ (b'"' | b'\\' | b'$' | b'`')) => v.push(c),
                                Some(c) => v.extend_from_slice(&[b'\\', c]),
                                None => return Err(self.err(line, "unterminated \"")),
                            },
                            Some(c) => v.push(c),
                        }
                    }
                }
                Some(b'\\') => {
                    self.bump();
                    if let Some(c) = self.bump() {
                        v.push(c);
                    }
                }
                Some(c) => {
                    self.i += 1;
                    v.push(c);
                }
            }
        }
        String::from_utf8(v).map_err(|_| self.err(line, "the value is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.expose_secret().to_owned()))
            .collect()
    }

    #[test]
    fn what_export_writes_reads_back() {
        let got = pairs("A='it'\\''s\nmulti'\nB=''\n");
        assert_eq!(
            got,
            [
                ("A".into(), "it's\nmulti".into()),
                ("B".into(), String::new())
            ]
        );
    }

    #[test]
    fn dotenv_forms_are_understood() {
        let text =
            "# comment\nexport TOKEN=abc123 # trailing\n\nQ=\"a\\nb \\\"c\\\"\"\r\nBARE=x\\ y\n";
        assert_eq!(
            pairs(text),
            [
                ("TOKEN".into(), "abc123".into()),
                ("Q".into(), "a\nb \"c\"".into()),
                ("BARE".into(), "x y".into()),
            ]
        );
    }

    #[test]
    fn mistakes_name_the_line_not_the_value() {
        for (text, line) in [
            ("A=1\nnot a pair\n", "line 2"),
            ("A='open\n", "line 1"),
            ("A=1\nA=2\n", "line 2"),
            ("A=two words\n", "line 1"),
        ] {
            let e = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.starts_with(line), "{text:?}: {e}");
        }
    }
}
