//! A small JSON reader that keeps source positions and reports duplicate keys.
//!
//! Policies are parsed from the text users paste, so every diagnostic can point at a line and column.
//! Nesting is bounded ([`MAX_DEPTH`]) and the parser never recurses deeper than that, so hostile input gives
//! an error, never a stack overflow.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;
/// Largest document accepted, in bytes.
pub const MAX_LEN: usize = 1024 * 1024;

/// A position in the source text: 1-based line and column (in characters), 0-based byte offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

/// A range of the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// A JSON value with the span it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Json {
    pub value: Value,
    pub span: Span,
}

/// An object member: key (with its own span) and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Json,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Numbers keep their source text; policies compare numbers as decimals later.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

impl Value {
    /// The JSON type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

/// Why a document is not JSON we accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonErrorKind {
    Syntax,
    DuplicateKey,
    TooDeep,
    TooLarge,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub kind: JsonErrorKind,
    pub message: String,
    pub span: Span,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.span.start.line, self.span.start.column
        )
    }
}

/// Parses `text` as one JSON document of at most [`MAX_LEN`] bytes.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    parse_limited(text, MAX_LEN)
}

/// Parses `text` as one JSON document of at most `max_len` bytes.
pub fn parse_limited(text: &str, max_len: usize) -> Result<Json, JsonError> {
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        i: 0,
        line: 1,
        col: 1,
    };
    if text.len() > max_len {
        let at = p.pos();
        return Err(JsonError {
            kind: JsonErrorKind::TooLarge,
            message: alloc::format!(
                "the document is {} bytes; the largest accepted is {} bytes",
                text.len(),
                max_len
            ),
            span: Span { start: at, end: at },
        });
    }
    p.skip_ws();
    let v = p.value()?;
    p.skip_ws();
    if p.i < p.src.len() {
        return Err(p.err(
            JsonErrorKind::Syntax,
            "unexpected text after the JSON value",
        ));
    }
    Ok(v)
}

/// Up to this many keys, an object's duplicate check scans its members instead of keeping a set.
const SMALL_OBJECT: usize = 16;

/// One open container on the explicit stack used instead of recursion.
enum Frame {
    Array {
        start: Pos,
        items: Vec<Json>,
    },
    Object {
        start: Pos,
        members: Vec<Member>,
        /// The keys so far once there are [`SMALL_OBJECT`] of them, for the duplicate check (a set, so a huge
        /// object stays linear-logarithmic).
        seen: alloc::collections::BTreeSet<String>,
        key: String,
        key_span: Span,
    },
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    col: u32,
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.col,
            offset: u32::try_from(self.i).unwrap_or(u32::MAX),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        if b == b'\n' {
            self.line += 1;
            self.col = 1;
        } else if b & 0xC0 != 0x80 {
            // count characters, not UTF-8 continuation bytes
            self.col += 1;
        }
        Some(b)
    }

    fn err(&self, kind: JsonErrorKind, msg: &str) -> JsonError {
        let at = self.pos();
        JsonError {
            kind,
            message: String::from(msg),
            span: Span { start: at, end: at },
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn eat(&mut self, b: u8, what: &str) -> Result<(), JsonError> {
        if self.peek() == Some(b) {
            self.bump();
            Ok(())
        } else {
            Err(self.err(JsonErrorKind::Syntax, what))
        }
    }

    /// Parses one value with an explicit stack of open containers.
    fn value(&mut self) -> Result<Json, JsonError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // 1. read a value start (scalar or open a container)
            self.skip_ws();
            let start = self.pos();
            let mut done: Option<Json> = match self.peek() {
                Some(b'{') => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.err(
                            JsonErrorKind::TooDeep,
                            "the document nests deeper than 64 levels",
                        ));
                    }
                    self.bump();
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.bump();
                        Some(Json {
                            value: Value::Object(Vec::new()),
                            span: Span {
                                start,
                                end: self.pos(),
                            },
                        })
                    } else {
                        let (key, key_span) = self.key()?;
                        stack.push(Frame::Object {
                            start,
                            members: Vec::new(),
                            seen: alloc::collections::BTreeSet::new(),
                            key,
                            key_span,
                        });
                        None
                    }
                }
                Some(b'[') => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.err(
                            JsonErrorKind::TooDeep,
                            "the document nests deeper than 64 levels",
                        ));
                    }
                    self.bump();
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.bump();
                        Some(Json {
                            value: Value::Array(Vec::new()),
                            span: Span {
                                start,
                                end: self.pos(),
                            },
                        })
                    } else {
                        stack.push(Frame::Array {
                            start,
                            items: Vec::new(),
                        });
                        None
                    }
                }
                Some(_) => Some(self.scalar()?),
                None => return Err(self.err(JsonErrorKind::Syntax, "unexpected end of input")),
            };
            // 2. hand finished values to their containers, closing containers as they end
            while let Some(v) = done.take() {
                match stack.last_mut() {
                    None => return Ok(v),
                    Some(Frame::Array { items, .. }) => {
                        items.push(v);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.bump();
                            }
                            Some(b']') => {
                                self.bump();
                                if let Some(Frame::Array { start, items }) = stack.pop() {
                                    done = Some(Json {
                                        value: Value::Array(items),
                                        span: Span {
                                            start,
                                            end: self.pos(),
                                        },
                                    });
                                }
                            }
                            _ => {
                                return Err(self
                                    .err(JsonErrorKind::Syntax, "expected `,` or `]` in an array"))
                            }
                        }
                    }
                    Some(Frame::Object {
                        members,
                        seen,
                        key,
                        key_span,
                        ..
                    }) => {
                        let k = core::mem::take(key);
                        // Small objects (nearly all) are scanned; a set takes over past SMALL_OBJECT keys.
                        let duplicate = if members.len() < SMALL_OBJECT {
                            members.iter().any(|m| m.key == k)
                        } else {
                            if seen.is_empty() {
                                seen.extend(members.iter().map(|m| m.key.clone()));
                            }
                            !seen.insert(k.clone())
                        };
                        if duplicate {
                            return Err(JsonError {
                                kind: JsonErrorKind::DuplicateKey,
                                message: alloc::format!("duplicate key `{k}`"),
                                span: *key_span,
                            });
                        }
                        members.push(Member {
                            key: k,
                            key_span: *key_span,
                            value: v,
                        });
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.bump();
                                self.skip_ws();
                                let (nk, ns) = self.key()?;
                                if let Some(Frame::Object { key, key_span, .. }) = stack.last_mut()
                                {
                                    *key = nk;
                                    *key_span = ns;
                                }
                            }
                            Some(b'}') => {
                                self.bump();
                                if let Some(Frame::Object { start, members, .. }) = stack.pop() {
                                    done = Some(Json {
                                        value: Value::Object(members),
                                        span: Span {
                                            start,
                                            end: self.pos(),
                                        },
                                    });
                                }
                            }
                            _ => {
                                return Err(self.err(
                                    JsonErrorKind::Syntax,
                                    "expected `,` or `}` in an object",
                                ))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Reads `"key" :` and returns the key with its span.
    fn key(&mut self) -> Result<(String, Span), JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.err(JsonErrorKind::Syntax, "expected a quoted object key"));
        }
        let start = self.pos();
        let k = self.string()?;
        let span = Span {
            start,
            end: self.pos(),
        };
        self.skip_ws();
        self.eat(b':', "expected `:` after an object key")?;
        Ok((k, span))
    }

    fn scalar(&mut self) -> Result<Json, JsonError> {
        let start = self.pos();
        let value = match self.peek() {
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => {
                self.word("true")?;
                Value::Bool(true)
            }
            Some(b'f') => {
                self.word("false")?;
                Value::Bool(false)
            }
            Some(b'n') => {
                self.word("null")?;
                Value::Null
            }
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            _ => return Err(self.err(JsonErrorKind::Syntax, "expected a JSON value")),
        };
        Ok(Json {
            value,
            span: Span {
                start,
                end: self.pos(),
            },
        })
    }

    fn word(&mut self, w: &str) -> Result<(), JsonError> {
        for b in w.bytes() {
            if self.peek() != Some(b) {
                return Err(self.err(JsonErrorKind::Syntax, "expected a JSON value"));
            }
            self.bump();
        }
        Ok(())
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let from = self.i;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.bump();
            }
            p.i > s
        };
        if !digits(self) {
            return Err(self.err(JsonErrorKind::Syntax, "invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !digits(self) {
                return Err(self.err(JsonErrorKind::Syntax, "invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if !digits(self) {
                return Err(self.err(JsonErrorKind::Syntax, "invalid number"));
            }
        }
        Ok(String::from(self.text.get(from..self.i).unwrap_or("")))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            // Scan a run of plain characters at once (no newlines can occur inside a string).
            let run_start = self.i;
            let rest = self.src.get(run_start..).unwrap_or(&[]);
            let len = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            let run = rest.get(..len).unwrap_or(&[]);
            let chars = run.iter().filter(|&&b| b & 0xC0 != 0x80).count();
            self.col = self
                .col
                .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
            self.i += len;
            out.push_str(self.text.get(run_start..self.i).unwrap_or(""));
            match self.peek() {
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.bump();
                    let c = match self.bump() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => {
                            return Err(
                                self.err(JsonErrorKind::Syntax, "invalid escape in a string")
                            )
                        }
                    };
                    out.push(c);
                }
                Some(_) => {
                    return Err(self.err(
                        JsonErrorKind::Syntax,
                        "control character in a string (escape it)",
                    ))
                }
                None => return Err(self.err(JsonErrorKind::Syntax, "unterminated string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.bump() {
                Some(b) => (b as char).to_digit(16),
                None => None,
            };
            match d {
                Some(d) => v = v * 16 + d,
                None => return Err(self.err(JsonErrorKind::Syntax, "invalid `\\u` escape")),
            }
        }
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if self.bump() != Some(b'\\') || self.bump() != Some(b'u') {
                return Err(self.err(JsonErrorKind::Syntax, "unpaired surrogate in `\\u` escape"));
            }
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.err(JsonErrorKind::Syntax, "unpaired surrogate in `\\u` escape"));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(|| self.err(JsonErrorKind::Syntax, "invalid `\\u` escape"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn positions_and_values() {
        let j = parse("{\n  \"a\": [1, \"x\", true, null]\n}").unwrap();
        let Value::Object(m) = &j.value else { panic!() };
        assert_eq!(m[0].key, "a");
        assert_eq!(m[0].key_span.start.line, 2);
        assert_eq!(m[0].key_span.start.column, 3);
        let Value::Array(items) = &m[0].value.value else {
            panic!()
        };
        assert_eq!(items.len(), 4);
        assert_eq!(items[1].value, Value::String("x".to_string()));
        assert_eq!(items[1].span.start.column, 12);
    }

    #[test]
    fn duplicate_key_is_reported_at_the_second_key() {
        let e = parse("{\"a\":1,\n\"a\":2}").unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::DuplicateKey);
        assert_eq!(e.span.start.line, 2);
    }

    /// The duplicate check scans small objects and keeps a set for large ones: the same errors either way,
    /// for a duplicate of an early key found before and after the set takes over.
    #[test]
    fn duplicate_keys_in_small_and_large_objects() {
        use alloc::format;
        let object = |n: usize, dup_of: usize| {
            let mut members: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
            members.push(format!("\"k{dup_of}\":0"));
            format!("{{{}}}", members.join(","))
        };
        for n in [2, SMALL_OBJECT - 1, SMALL_OBJECT, SMALL_OBJECT + 1, 40] {
            for dup_of in [0, n / 2, n - 1] {
                let e = parse(&object(n, dup_of)).unwrap_err();
                assert_eq!(
                    e.kind,
                    JsonErrorKind::DuplicateKey,
                    "{n} keys, k{dup_of} twice"
                );
                assert_eq!(e.message, format!("duplicate key `k{dup_of}`"));
            }
            let Value::Object(members) = parse(&object(n, n)).unwrap().value else {
                panic!("an object");
            };
            assert_eq!(members.len(), n + 1);
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "[".repeat(100_000);
        assert_eq!(parse(&s).unwrap_err().kind, JsonErrorKind::TooDeep);
        let ok = "[".repeat(64) + &"]".repeat(64);
        assert!(parse(&ok).is_ok());
        let too = "[".repeat(65) + &"]".repeat(65);
        assert_eq!(parse(&too).unwrap_err().kind, JsonErrorKind::TooDeep);
    }

    #[test]
    fn escapes_and_unicode() {
        let j = parse(r#""a\"b\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(j.value, Value::String("a\"bé😀".to_string()));
        assert!(parse(r#""\ud83d""#).is_err());
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "",
            "{",
            "{\"a\" 1}",
            "[1,]",
            "01x",
            "tru",
            "\"abc",
            "{\"a\":1,}",
            "1 2",
            "-",
            "1.",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
