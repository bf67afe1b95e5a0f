//! Condition operators and their evaluation, as IAM documents them (IAM-OPS, IAM-MULTI, IAM-COND).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::arn::ArnPattern;
use super::pattern::{glob, Elem, Template, VarSource};
use super::values::{base64_decode, parse_date, parse_ip, parse_number, Cidr};
use crate::json::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The operator family, in its positive form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    BinaryEquals,
    IpAddress,
    Arn,
    Null,
}

/// `ForAllValues:` / `ForAnyValue:` prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
pub enum SetOp {
    ForAllValues,
    ForAnyValue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operator {
    pub family: Family,
    pub negated: bool,
    pub if_exists: bool,
    pub set: Option<SetOp>,
}

impl Operator {
    /// Parses a condition operator name such as `ForAnyValue:StringNotLikeIfExists`.
    pub fn parse(name: &str) -> Option<Operator> {
        let (set, rest) = if let Some(r) = strip_prefix_ci(name, "ForAllValues:") {
            (Some(SetOp::ForAllValues), r)
        } else if let Some(r) = strip_prefix_ci(name, "ForAnyValue:") {
            (Some(SetOp::ForAnyValue), r)
        } else {
            (None, name)
        };
        let (base, if_exists) = match strip_suffix_ci(rest, "IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        use Family::*;
        let (family, negated) = match base.to_ascii_lowercase().as_str() {
            "stringequals" => (StringEquals, false),
            "stringnotequals" => (StringEquals, true),
            "stringequalsignorecase" => (StringEqualsIgnoreCase, false),
            "stringnotequalsignorecase" => (StringEqualsIgnoreCase, true),
            "stringlike" => (StringLike, false),
            "stringnotlike" => (StringLike, true),
            "numericequals" => (Numeric(Cmp::Eq), false),
            "numericnotequals" => (Numeric(Cmp::Eq), true),
            "numericlessthan" => (Numeric(Cmp::Lt), false),
            "numericlessthanequals" => (Numeric(Cmp::Le), false),
            "numericgreaterthan" => (Numeric(Cmp::Gt), false),
            "numericgreaterthanequals" => (Numeric(Cmp::Ge), false),
            "dateequals" => (Date(Cmp::Eq), false),
            "datenotequals" => (Date(Cmp::Eq), true),
            "datelessthan" => (Date(Cmp::Lt), false),
            "datelessthanequals" => (Date(Cmp::Le), false),
            "dategreaterthan" => (Date(Cmp::Gt), false),
            "dategreaterthanequals" => (Date(Cmp::Ge), false),
            "bool" => (Bool, false),
            "binaryequals" => (BinaryEquals, false),
            "ipaddress" => (IpAddress, false),
            "notipaddress" => (IpAddress, true),
            "arnequals" | "arnlike" => (Arn, false),
            "arnnotequals" | "arnnotlike" => (Arn, true),
            "null" if !if_exists => (Null, false),
            _ => return None,
        };
        Some(Operator {
            family,
            negated,
            if_exists,
            set,
        })
    }

    /// Whether policy variables are recognised in this operator's values (IAM-VARS, modelling decision 13).
    pub fn allows_variables(&self) -> bool {
        matches!(
            self.family,
            Family::StringEquals
                | Family::StringEqualsIgnoreCase
                | Family::StringLike
                | Family::Arn
                | Family::Bool
        )
    }
}

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p)
        .then(|| s.get(p.len()..).unwrap_or(""))
}

fn strip_suffix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(p.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(p)
        .then(|| s.get(..cut).unwrap_or(""))
}

/// A compiled condition value.
#[derive(Clone, Debug)]
pub enum Value {
    Str {
        template: Template,
        /// Static wildcard elements (`StringLike`) when the value has no variables.
        elems: Option<Vec<Elem>>,
        /// Lower-cased text for `…IgnoreCase` when the value has no variables.
        lower: Option<String>,
    },
    Number(f64),
    Date(i64),
    Bool(Template),
    Binary(Vec<u8>),
    Cidr(Cidr),
    Arn(ArnPattern),
    Null(bool),
}

/// Why a value can't be used with its operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError(pub &'static str);

impl Value {
    pub fn compile(op: &Operator, text: &str, variables: bool) -> Result<Value, ValueError> {
        let vars = variables && op.allows_variables();
        Ok(match op.family {
            Family::StringEquals | Family::StringEqualsIgnoreCase | Family::StringLike => {
                let template = Template::parse(text, vars);
                let elems = if op.family == Family::StringLike {
                    template.static_elems(true, false)
                } else {
                    None
                };
                let lower = (op.family == Family::StringEqualsIgnoreCase
                    && !template.has_variables())
                .then(|| text.to_lowercase());
                Value::Str {
                    template,
                    elems,
                    lower,
                }
            }
            Family::Numeric(_) => Value::Number(parse_number(text).ok_or(ValueError("a number"))?),
            Family::Date(_) => {
                Value::Date(parse_date(text).ok_or(ValueError("an ISO 8601 date or epoch time"))?)
            }
            Family::Bool => {
                let t = Template::parse(text, vars);
                if !t.has_variables()
                    && !text.eq_ignore_ascii_case("true")
                    && !text.eq_ignore_ascii_case("false")
                {
                    return Err(ValueError("`true` or `false`"));
                }
                Value::Bool(t)
            }
            Family::BinaryEquals => {
                Value::Binary(base64_decode(text).ok_or(ValueError("base-64 text"))?)
            }
            Family::IpAddress => {
                Value::Cidr(Cidr::parse(text).ok_or(ValueError("an IP address or CIDR block"))?)
            }
            Family::Arn => Value::Arn(match ArnPattern::parse(text, vars, true) {
                Ok(p) => p,
                // a non-ARN value never matches an ARN, but AWS accepts it
                Err(_) => ArnPattern::Segments {
                    fixed: [Vec::new(), Vec::new(), Vec::new(), Vec::new()],
                    resource: Template::parse("\u{0}never", false),
                    resource_elems: Some(alloc::vec![Elem::Char('\u{0}')]),
                },
            }),
            Family::Null => {
                if text.eq_ignore_ascii_case("true") {
                    Value::Null(true)
                } else if text.eq_ignore_ascii_case("false") {
                    Value::Null(false)
                } else {
                    return Err(ValueError("`true` or `false`"));
                }
            }
        })
    }
}

#[derive(Clone, Debug)]
pub struct ConditionValue {
    pub text: String,
    pub value: Value,
    pub span: Span,
}

/// One (operator, key, values) triple of a `Condition` block.
#[derive(Clone, Debug)]
pub struct Condition {
    pub operator: Operator,
    pub operator_text: String,
    pub key: String,
    pub key_lower: String,
    pub values: Vec<ConditionValue>,
    pub span: Span,
}

/// The request's values for a condition key.
#[derive(Clone, Debug)]
pub enum RequestValues<'a> {
    One(Cow<'a, str>),
    Many(&'a [String]),
    /// A multivalued key derived for this request (e.g. `kms:EncryptionContextKeys`).
    Owned(Vec<String>),
}

impl RequestValues<'_> {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            RequestValues::One(v) => alloc::vec![String::from(v.as_ref())],
            RequestValues::Many(v) => v.to_vec(),
            RequestValues::Owned(v) => v.clone(),
        }
    }
}

/// Looks up request values by lower-cased key.
pub trait ConditionContext: VarSource {
    fn values(&self, key_lower: &str) -> Option<RequestValues<'_>>;
}

/// Why a condition matched or not (reason codes of the trace).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConditionReason {
    ConditionMatched,
    ConditionNotMatched,
    /// The key is absent and the operator is positive: false.
    ConditionKeyMissing,
    /// The key is absent and the operator is `…IfExists`, negated, or `ForAllValues`: true.
    ConditionMatchedBecauseMissing,
    NullCheck,
}

impl Condition {
    /// Evaluates this condition. `missing` hears of keys (and variable keys) the request lacks.
    pub fn evaluate<C: ConditionContext>(
        &self,
        ctx: &C,
        missing: &mut dyn FnMut(&str),
    ) -> (bool, ConditionReason) {
        let op = &self.operator;
        let got = ctx.values(&self.key_lower);
        if op.family == Family::Null {
            let present = got.as_ref().is_some_and(|v| match v {
                RequestValues::One(_) => true,
                RequestValues::Many(m) => !m.is_empty(),
                RequestValues::Owned(m) => !m.is_empty(),
            });
            if !present {
                missing(&self.key);
            }
            let m = self
                .values
                .iter()
                .any(|v| matches!(v.value, Value::Null(want_absent) if want_absent != present));
            return (m, ConditionReason::NullCheck);
        }
        let empty: &[String] = &[];
        let (one, many): (Option<&str>, &[String]) = match &got {
            Some(RequestValues::One(v)) => (Some(v.as_ref()), empty),
            Some(RequestValues::Many(m)) => (None, m),
            Some(RequestValues::Owned(m)) => (None, m.as_slice()),
            None => (None, empty),
        };
        let is_empty = one.is_none() && many.is_empty() || one == Some("") && op.set.is_some();
        if got.is_none() || is_empty {
            if got.is_none() {
                missing(&self.key);
            }
            let r = match op.set {
                Some(SetOp::ForAllValues) => true,
                Some(SetOp::ForAnyValue) => false,
                None if op.if_exists => true,
                None => op.negated,
            };
            let reason = if got.is_none() || op.set.is_some() {
                if r {
                    ConditionReason::ConditionMatchedBecauseMissing
                } else {
                    ConditionReason::ConditionKeyMissing
                }
            } else if r {
                ConditionReason::ConditionMatched
            } else {
                ConditionReason::ConditionNotMatched
            };
            return (r, reason);
        }
        let per_value = |v: &str, missing: &mut dyn FnMut(&str)| -> bool {
            let any = self
                .values
                .iter()
                .any(|pv| value_matches(op.family, &pv.value, v, ctx, missing));
            any != op.negated
        };
        let r = match (op.set, one) {
            (None, Some(v)) => per_value(v, missing),
            (None, None) => {
                // a multivalued request key without a set operator: any value matching the positive form
                let any = many.iter().any(|v| {
                    self.values
                        .iter()
                        .any(|pv| value_matches(op.family, &pv.value, v, ctx, missing))
                });
                any != op.negated
            }
            (Some(SetOp::ForAllValues), Some(v)) => per_value(v, missing),
            (Some(SetOp::ForAnyValue), Some(v)) => per_value(v, missing),
            (Some(SetOp::ForAllValues), None) => many.iter().all(|v| per_value(v, missing)),
            (Some(SetOp::ForAnyValue), None) => many.iter().any(|v| per_value(v, missing)),
        };
        (
            r,
            if r {
                ConditionReason::ConditionMatched
            } else {
                ConditionReason::ConditionNotMatched
            },
        )
    }
}

fn value_matches<C: ConditionContext>(
    family: Family,
    pv: &Value,
    v: &str,
    ctx: &C,
    missing: &mut dyn FnMut(&str),
) -> bool {
    match (family, pv) {
        (Family::StringEquals, Value::Str { template, .. }) => {
            if let [super::pattern::Part::Text(t)] = template.parts.as_slice() {
                return t == v;
            }
            template.render_text(ctx, missing).is_some_and(|t| t == v)
        }
        (
            Family::StringEqualsIgnoreCase,
            Value::Str {
                template, lower, ..
            },
        ) => match lower {
            Some(l) => eq_ignore_case(l, v),
            None => template
                .render_text(ctx, missing)
                .is_some_and(|t| eq_ignore_case(&t.to_lowercase(), v)),
        },
        (
            Family::StringLike,
            Value::Str {
                template, elems, ..
            },
        ) => match elems {
            Some(e) => glob(e, v),
            None => template
                .render(ctx, true, false, missing)
                .is_some_and(|e| glob(&e, v)),
        },
        (Family::Numeric(c), Value::Number(p)) => {
            parse_number(v).is_some_and(|x| cmp_f64(x, *p, c))
        }
        (Family::Date(c), Value::Date(p)) => parse_date(v).is_some_and(|x| cmp_i64(x, *p, c)),
        (Family::Bool, Value::Bool(t)) => t
            .render_text(ctx, missing)
            .is_some_and(|t| t.eq_ignore_ascii_case(v)),
        (Family::BinaryEquals, Value::Binary(b)) => match base64_decode(v) {
            Some(x) => x == *b,
            None => v.as_bytes() == b.as_slice(),
        },
        (Family::IpAddress, Value::Cidr(c)) => parse_ip(v).is_some_and(|ip| c.contains(ip)),
        (Family::Arn, Value::Arn(p)) => p.matches(v, ctx, missing),
        _ => false,
    }
}

fn eq_ignore_case(lower: &str, v: &str) -> bool {
    if v.is_ascii() && lower.is_ascii() {
        lower.eq_ignore_ascii_case(v)
    } else {
        lower == v.to_lowercase()
    }
}

fn cmp_f64(x: f64, p: f64, c: Cmp) -> bool {
    match c {
        Cmp::Eq => x == p,
        Cmp::Lt => x < p,
        Cmp::Le => x <= p,
        Cmp::Gt => x > p,
        Cmp::Ge => x >= p,
    }
}

fn cmp_i64(x: i64, p: i64, c: Cmp) -> bool {
    match c {
        Cmp::Eq => x == p,
        Cmp::Lt => x < p,
        Cmp::Le => x <= p,
        Cmp::Gt => x > p,
        Cmp::Ge => x >= p,
    }
}

/// Condition keys AWS documents as multivalued (used by the validator).
pub fn is_known_multivalued(key_lower: &str) -> bool {
    matches!(
        key_lower,
        "aws:tagkeys"
            | "aws:calledvia"
            | "aws:principalorgpaths"
            | "aws:resourceorgpaths"
            | "aws:principalservicenameslist"
            | "kms:encryptioncontextkeys"
            | "kms:grantoperations"
            | "kms:resourcealiases"
    )
}

/// Condition keys AWS documents as single-valued (used by the validator).
pub fn is_known_single_valued(key_lower: &str) -> bool {
    key_lower.starts_with("kms:encryptioncontext:")
        || key_lower.starts_with("aws:principaltag/")
        || key_lower.starts_with("aws:resourcetag/")
        || key_lower.starts_with("aws:requesttag/")
        || matches!(
            key_lower,
            "aws:principalarn"
                | "aws:principalaccount"
                | "aws:principaltype"
                | "aws:principalorgid"
                | "aws:principalisawsservice"
                | "aws:principalservicename"
                | "aws:username"
                | "aws:userid"
                | "aws:sourceip"
                | "aws:sourcevpc"
                | "aws:sourcevpce"
                | "aws:sourcearn"
                | "aws:sourceaccount"
                | "aws:currenttime"
                | "aws:epochtime"
                | "aws:securetransport"
                | "aws:viaawsservice"
                | "aws:requestedregion"
                | "aws:resourceaccount"
                | "aws:multifactorauthpresent"
                | "aws:calledviafirst"
                | "aws:calledvialast"
                | "kms:viaservice"
                | "kms:calleraccount"
                | "kms:encryptionalgorithm"
                | "kms:grantisforawsresource"
                | "kms:granteeprincipal"
                | "kms:retiringprincipal"
                | "kms:grantconstrainttype"
                | "kms:keyspec"
                | "kms:keyusage"
                | "kms:keyorigin"
                | "kms:requestalias"
                | "kms:schedulekeydeletionpendingwindowindays"
        )
}
