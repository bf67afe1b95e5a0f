//! Wildcard patterns (`*`, `?`) and policy-variable templates (`${aws:username}`, `${*}`, defaults).
//!
//! A [`Template`] is parsed once from policy text. Rendering it for a request substitutes variables; the
//! characters produced by `${*}`, `${?}`, `${$}` and by variable values are literal, never wildcards.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// One element of a compiled wildcard pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Elem {
    Char(char),
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character.
    One,
}

/// A part of a template: literal text (with wildcards when the template allows them) or a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Literal characters; `*`/`?` in here are wildcards when the pattern is matched with wildcards.
    Text(String),
    /// Text produced by `${*}`, `${?}`, `${$}`: never a wildcard.
    Escaped(char),
    /// `${key}` or `${key, 'default'}`; `key` is lower-cased.
    Var {
        key: String,
        default: Option<String>,
    },
}

/// A policy string that may contain policy variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub source: String,
    pub parts: Vec<Part>,
}

/// Resolves condition keys (lower-cased names) to a single value for variable substitution.
pub trait VarSource {
    fn single_value(&self, key_lower: &str) -> Option<Cow<'_, str>>;
}

/// A template rendered for one request.
pub enum Rendered<'a> {
    /// No variables: the template's own elements.
    Static(&'a [Elem]),
    Owned(Vec<Elem>),
    /// A variable had no value and no default: the pattern matches nothing.
    Unresolved,
}

impl Template {
    /// Parses `text`; with `variables` false (policy `Version` 2008-10-17 or none) `${…}` is literal text.
    pub fn parse(text: &str, variables: bool) -> Template {
        let mut parts = Vec::new();
        if !variables || !text.contains("${") {
            parts.push(Part::Text(String::from(text)));
            return Template {
                source: String::from(text),
                parts,
            };
        }
        let mut lit = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            let (before, after) = rest.split_at(at);
            lit.push_str(before);
            let body_and_rest = after.get(2..).unwrap_or("");
            let Some(close) = body_and_rest.find('}') else {
                lit.push_str(after);
                rest = "";
                break;
            };
            let body = body_and_rest.get(..close).unwrap_or("");
            rest = body_and_rest.get(close + 1..).unwrap_or("");
            let special = match body {
                "*" => Some('*'),
                "?" => Some('?'),
                "$" => Some('$'),
                _ => None,
            };
            if !lit.is_empty() {
                parts.push(Part::Text(core::mem::take(&mut lit)));
            }
            if let Some(c) = special {
                parts.push(Part::Escaped(c));
                continue;
            }
            let (key, default) = match body.split_once(',') {
                Some((k, d)) => {
                    let d = d.trim();
                    let d = d
                        .strip_prefix('\'')
                        .and_then(|d| d.strip_suffix('\''))
                        .unwrap_or(d);
                    (k.trim(), Some(String::from(d)))
                }
                None => (body.trim(), None),
            };
            parts.push(Part::Var {
                key: key.to_ascii_lowercase(),
                default,
            });
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Text(lit));
        }
        Template {
            source: String::from(text),
            parts,
        }
    }

    pub fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// The variable keys this template uses.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// The wildcard elements of a template without variables (`wildcards` false: `*`/`?` are literal).
    pub fn static_elems(&self, wildcards: bool, lower: bool) -> Option<Vec<Elem>> {
        if self.has_variables() {
            return None;
        }
        let mut out = Vec::new();
        for p in &self.parts {
            push_part(&mut out, p, None::<&NoVars>, wildcards, lower, &mut |_| {});
        }
        Some(out)
    }

    /// Renders the template for a request. `missing` is told about variable keys with no value.
    pub fn render<V: VarSource>(
        &self,
        vars: &V,
        wildcards: bool,
        lower: bool,
        missing: &mut dyn FnMut(&str),
    ) -> Option<Vec<Elem>> {
        let mut out = Vec::new();
        let mut unresolved = false;
        for p in &self.parts {
            if !push_part(&mut out, p, Some(vars), wildcards, lower, missing) {
                unresolved = true;
            }
        }
        if unresolved {
            None
        } else {
            Some(out)
        }
    }

    /// Renders to plain text (no wildcard meaning), or `None` when a variable is unresolved.
    pub fn render_text<V: VarSource>(
        &self,
        vars: &V,
        missing: &mut dyn FnMut(&str),
    ) -> Option<String> {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => s.push_str(t),
                Part::Escaped(c) => s.push(*c),
                Part::Var { key, default } => match vars.single_value(key) {
                    Some(v) => s.push_str(&v),
                    None => {
                        missing(key);
                        match default {
                            Some(d) => s.push_str(d),
                            None => return None,
                        }
                    }
                },
            }
        }
        Some(s)
    }
}

struct NoVars;
impl VarSource for NoVars {
    fn single_value(&self, _: &str) -> Option<Cow<'_, str>> {
        None
    }
}

fn push_text(out: &mut Vec<Elem>, text: &str, wildcards: bool, lower: bool) {
    for c in text.chars() {
        let e = match c {
            '*' if wildcards => Elem::Star,
            '?' if wildcards => Elem::One,
            c if lower => Elem::Char(c.to_ascii_lowercase()),
            c => Elem::Char(c),
        };
        out.push(e);
    }
}

fn push_part<V: VarSource>(
    out: &mut Vec<Elem>,
    p: &Part,
    vars: Option<&V>,
    wildcards: bool,
    lower: bool,
    missing: &mut dyn FnMut(&str),
) -> bool {
    match p {
        Part::Text(t) => push_text(out, t, wildcards, lower),
        Part::Escaped(c) => out.push(Elem::Char(*c)),
        Part::Var { key, default } => {
            let v = vars.and_then(|v| v.single_value(key));
            match v {
                Some(v) => push_text(out, &v, false, lower),
                None => {
                    missing(key);
                    match default {
                        Some(d) => push_text(out, d, false, lower),
                        None => return false,
                    }
                }
            }
        }
    }
    true
}

/// Matches `text` against a wildcard pattern: `*` any run, `?` one character.
pub fn glob(p: &[Elem], text: &str) -> bool {
    // A pattern that ends in a literal character matches only text that ends in it: most of a statement's
    // actions and ARN segments are told apart here, without walking the pattern.
    if let (Some(Elem::Char(last)), Some(end)) = (p.last(), text.chars().next_back()) {
        if *last != end {
            return false;
        }
    }
    let mut pi = 0usize;
    let mut si = 0usize;
    let mut star: Option<(usize, usize)> = None;
    let bytes = text.as_bytes();
    loop {
        // ASCII (nearly every ARN, action and condition value) without decoding UTF-8.
        let c = match bytes.get(si) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            Some(_) => text.get(si..).and_then(|s| s.chars().next()),
            None => None,
        };
        match c {
            Some(c) => {
                match p.get(pi) {
                    Some(Elem::Star) => {
                        pi += 1;
                        star = Some((pi, si));
                        continue;
                    }
                    Some(Elem::One) => {
                        pi += 1;
                        si += c.len_utf8();
                        continue;
                    }
                    Some(Elem::Char(pc)) if *pc == c => {
                        pi += 1;
                        si += c.len_utf8();
                        continue;
                    }
                    _ => {}
                }
                match star {
                    Some((sp, ss)) => {
                        let skipped = text
                            .get(ss..)
                            .and_then(|s| s.chars().next())
                            .map_or(1, char::len_utf8);
                        pi = sp;
                        si = ss + skipped;
                        star = Some((sp, si));
                    }
                    None => return false,
                }
            }
            None => {
                while let Some(Elem::Star) = p.get(pi) {
                    pi += 1;
                }
                return pi == p.len();
            }
        }
    }
}

/// Exact comparison of rendered elements with text (no wildcards expected in `p`).
pub fn literal_eq(p: &[Elem], text: &str) -> bool {
    let mut chars = text.chars();
    for e in p {
        match (e, chars.next()) {
            (Elem::Char(a), Some(b)) if *a == b => {}
            _ => return false,
        }
    }
    chars.next().is_none()
}

/// The rendered elements as text (wildcards shown as `*`/`?`).
pub fn elems_to_string(p: &[Elem]) -> String {
    p.iter()
        .map(|e| match e {
            Elem::Char(c) => *c,
            Elem::Star => '*',
            Elem::One => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    struct Map(BTreeMap<String, String>);
    impl VarSource for Map {
        fn single_value(&self, k: &str) -> Option<Cow<'_, str>> {
            self.0.get(k).map(|v| Cow::Borrowed(v.as_str()))
        }
    }

    fn g(p: &str, t: &str) -> bool {
        glob(
            &Template::parse(p, false).static_elems(true, false).unwrap(),
            t,
        )
    }

    /// The definition of `*` and `?`, as plainly as it can be written: what `glob` must agree with.
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
        }
    }

    /// Every pattern of up to 5 elements over `a`, `é`, `*`, `?` against every text of up to 4 characters over
    /// `a`, `é`, `b` (a non-ASCII character included: `glob` reads ASCII without decoding).
    #[test]
    fn glob_agrees_with_the_definition_on_every_short_pattern() {
        fn all(alphabet: &[char], max: usize) -> Vec<String> {
            let mut out = alloc::vec![String::new()];
            let mut last = out.clone();
            for _ in 0..max {
                last = last
                    .iter()
                    .flat_map(|s| alphabet.iter().map(move |c| alloc::format!("{s}{c}")))
                    .collect();
                out.extend(last.iter().cloned());
            }
            out
        }
        let patterns = all(&['a', 'é', '*', '?'], 5);
        let texts = all(&['a', 'é', 'b'], 4);
        for p in &patterns {
            let pc: Vec<char> = p.chars().collect();
            for t in &texts {
                let tc: Vec<char> = t.chars().collect();
                assert_eq!(g(p, t), reference(&pc, &tc), "pattern `{p}`, text `{t}`");
            }
        }
    }

    #[test]
    fn globbing() {
        assert!(g("*", ""));
        assert!(g("a*c", "abbbc"));
        assert!(g("a?c", "abc"));
        assert!(!g("a?c", "ac"));
        assert!(g("*AccessKey*", "ListAccessKeys"));
        assert!(!g("*AccessKey*", "ListAccessKyes"));
        assert!(g("a*b*c", "aXbYbZc"));
        assert!(g("é?", "éü"));
        assert!(!g("abc", "abcd"));
    }

    #[test]
    fn variables_and_specials() {
        let t = Template::parse("home/${aws:username}/${*}", true);
        let mut m = BTreeMap::new();
        m.insert("aws:username".into(), "bob*".into());
        let vars = Map(m);
        let e = t.render(&vars, true, false, &mut |_| {}).unwrap();
        // the `*` from the variable value and from ${*} are literal
        assert!(glob(&e, "home/bob*/*"));
        assert!(!glob(&e, "home/bobX/anything"));
        let d = Template::parse("${aws:PrincipalTag/team, 'company-wide'}", true);
        let mut missing = Vec::new();
        let s = d.render_text(&Map(BTreeMap::new()), &mut |k| {
            missing.push(String::from(k))
        });
        assert_eq!(s.as_deref(), Some("company-wide"));
        assert_eq!(missing, ["aws:principaltag/team"]);
        let no = Template::parse("${aws:username}", false);
        assert_eq!(
            no.render_text(&Map(BTreeMap::new()), &mut |_| {})
                .as_deref(),
            Some("${aws:username}")
        );
        assert!(Template::parse("${aws:username}", true)
            .render_text(&Map(BTreeMap::new()), &mut |_| {})
            .is_none());
    }
}
