//! From JSON text to a typed [`Policy`], with every error and warning at its line and column.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::arn::{ArnPattern, ArnPatternError};
use super::ast::*;
use super::condition::{self, Condition, ConditionValue, Family, Operator, SetOp};
use super::pattern::Template;
use super::principal::{is_account_id, PrincipalError, PrincipalPattern};
use crate::diag::Diagnostic;
use crate::json::{self, Json, JsonErrorKind, Member, Span, Value};

/// The largest key policy KMS accepts (KMS-DG/resource-limits.md).
pub const KEY_POLICY_MAX_BYTES: usize = 32 * 1024;

/// The outcome of parsing: the policy when there were no errors, and every diagnostic.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub policy: Option<Policy>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
    }
}

/// Parses and validates a policy document of the given kind.
pub fn parse_policy(text: &str, kind: PolicyKind) -> Parsed {
    let mut p = P {
        kind,
        diags: Vec::new(),
        variables: false,
    };
    if kind == PolicyKind::KeyPolicy {
        if let Some((at, c)) = text.char_indices().find(|(_, c)| !key_policy_char(*c)) {
            let pos = position_of(text, at);
            p.diags.push(Diagnostic::error(
                "invalidCharacter",
                format!(
                    "the key policy contains the character `{}` (U+{:04X}); key policies may use printable ASCII, the Latin-1 Supplement, tab, line feed and carriage return",
                    c.escape_default(),
                    u32::from(c)
                ),
                Span { start: pos, end: pos },
            ));
            return Parsed {
                policy: None,
                diagnostics: p.diags,
            };
        }
    }
    let doc = match json::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let k = match e.kind {
                JsonErrorKind::Syntax => "jsonSyntax",
                JsonErrorKind::DuplicateKey => "duplicateKey",
                JsonErrorKind::TooDeep => "tooDeep",
                JsonErrorKind::TooLarge => "tooLarge",
            };
            let msg = match e.kind {
                JsonErrorKind::Syntax => format!("Syntax errors in policy: {}", e.message),
                _ => e.message.clone(),
            };
            p.diags.push(Diagnostic::error(k, msg, e.span));
            return Parsed {
                policy: None,
                diagnostics: p.diags,
            };
        }
    };
    let policy = p.document(&doc, text);
    let has_errors = p
        .diags
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error);
    Parsed {
        policy: if has_errors { None } else { policy },
        diagnostics: p.diags,
    }
}

struct P {
    kind: PolicyKind,
    diags: Vec<Diagnostic>,
    variables: bool,
}

impl P {
    fn err(&mut self, kind: &str, msg: String, span: Span) {
        self.diags.push(Diagnostic::error(kind, msg, span));
    }

    fn warn(&mut self, code: &str, msg: String, span: Span) {
        self.diags.push(Diagnostic::warning(code, msg, span));
    }

    fn document(&mut self, doc: &Json, text: &str) -> Option<Policy> {
        let Value::Object(members) = &doc.value else {
            self.err(
                "invalidType",
                format!(
                    "a policy must be a JSON object, not {}",
                    doc.value.type_name()
                ),
                doc.span,
            );
            return None;
        };
        let mut version = Version::Missing;
        let mut id = None;
        let mut statement = None;
        for m in members {
            match m.key.as_str() {
                "Version" => match &m.value.value {
                    Value::String(v) if v == "2012-10-17" => version = Version::V2012,
                    Value::String(v) if v == "2008-10-17" => version = Version::V2008,
                    other => {
                        let shown = match other {
                            Value::String(s) => s.clone(),
                            v => String::from(v.type_name()),
                        };
                        self.err(
                            "invalidVersion",
                            format!("invalid `Version` `{shown}`: expected `2012-10-17` or `2008-10-17`"),
                            m.value.span,
                        );
                    }
                },
                "Id" if self.identity_like() => self.err(
                    "idNotAllowed",
                    format!(
                        "`Id` must not be included in {} (IAM-GRAMMAR)",
                        kind_name(self.kind)
                    ),
                    m.key_span,
                ),
                "Id" => match &m.value.value {
                    Value::String(s) => id = Some(s.clone()),
                    v => self.err(
                        "invalidType",
                        format!("`Id` must be a string, not {}", v.type_name()),
                        m.value.span,
                    ),
                },
                "Statement" => statement = Some(&m.value),
                other => self.err(
                    "unknownElement",
                    format!(
                        "unknown policy element `{other}`; expected `Version`, `Id` or `Statement`"
                    ),
                    m.key_span,
                ),
            }
        }
        if self.kind == PolicyKind::KeyPolicy && version == Version::Missing {
            self.err(
                "missingElement",
                String::from(
                    "a key policy must have a `Version` (use `\"Version\": \"2012-10-17\"`)",
                ),
                doc.span,
            );
        } else if version == Version::Missing {
            self.warn(
                "MissingVersion",
                String::from("the policy has no `Version`; add `\"Version\": \"2012-10-17\"` (without it, policy variables are literal text)"),
                doc.span,
            );
        }
        self.variables = version == Version::V2012;
        if !self.variables && text.contains("${") {
            self.warn(
                "VariablesNotSupportedInVersion",
                String::from("policy variables such as `${aws:username}` are literal text unless `Version` is `2012-10-17`"),
                doc.span,
            );
        }
        if self.kind == PolicyKind::KeyPolicy && text.len() > KEY_POLICY_MAX_BYTES {
            self.warn(
                "KeyPolicySizeExceeded",
                format!(
                    "the key policy is {} bytes; KMS accepts at most {} bytes (CreateKey and PutKeyPolicy fail with LimitExceededException)",
                    text.len(),
                    KEY_POLICY_MAX_BYTES
                ),
                doc.span,
            );
        }
        let Some(st) = statement else {
            self.err(
                "missingElement",
                String::from("the policy has no `Statement`"),
                doc.span,
            );
            return None;
        };
        let list: Vec<&Json> = match &st.value {
            Value::Object(_) => alloc::vec![st],
            Value::Array(items) => items.iter().collect(),
            v => {
                self.err(
                    "invalidType",
                    format!(
                        "`Statement` must be an object or an array of objects, not {}",
                        v.type_name()
                    ),
                    st.span,
                );
                return None;
            }
        };
        if list.is_empty() {
            self.err(
                "missingElement",
                String::from("`Statement` is empty; a policy needs at least one statement"),
                st.span,
            );
        }
        let mut statements = Vec::with_capacity(list.len());
        for (i, s) in list.into_iter().enumerate() {
            if let Some(st) = self.statement(i, s) {
                statements.push(st);
            }
        }
        self.check_sids(&statements);
        Some(Policy {
            kind: self.kind,
            version,
            id,
            statements,
            text: String::from(text),
        })
    }

    fn check_sids(&mut self, statements: &[Statement]) {
        let mut seen = alloc::collections::BTreeSet::new();
        for s in statements {
            let Some(sid) = &s.sid else { continue };
            if !seen.insert(sid.as_str()) {
                let msg = format!(
                    "Statement IDs (SID) in a single policy must be unique: `{sid}` is used twice"
                );
                if self.iam_managed() {
                    self.err("duplicateSid", msg, s.span);
                } else {
                    self.warn("DuplicateSid", msg, s.span);
                }
            }
        }
    }

    /// Identity-based policies: attached to an identity (also boundaries and session policies).
    fn identity_like(&self) -> bool {
        matches!(
            self.kind,
            PolicyKind::Identity | PolicyKind::PermissionsBoundary | PolicyKind::Session
        )
    }

    /// Policies stored by IAM or Organizations, which use IAM's stricter grammar.
    fn iam_managed(&self) -> bool {
        matches!(
            self.kind,
            PolicyKind::Identity
                | PolicyKind::PermissionsBoundary
                | PolicyKind::Session
                | PolicyKind::ServiceControl
                | PolicyKind::ResourceControl
        )
    }

    fn statement(&mut self, index: usize, s: &Json) -> Option<Statement> {
        let Value::Object(members) = &s.value else {
            self.err(
                "invalidType",
                format!(
                    "statement {index} must be an object, not {}",
                    s.value.type_name()
                ),
                s.span,
            );
            return None;
        };
        let errors_before = self.error_count();
        let mut sid = None;
        let mut effect = None;
        let mut principal: Option<PrincipalBlock> = None;
        let mut action: Option<ActionBlock> = None;
        let mut resource: Option<ResourceBlock> = None;
        let mut conditions = Vec::new();
        for m in members {
            match m.key.as_str() {
                "Sid" => match &m.value.value {
                    Value::String(v) => {
                        if self.iam_managed() && !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
                            self.err(
                                "invalidSid",
                                format!("Statement IDs (SID) must be alpha-numeric: `{v}`"),
                                m.value.span,
                            );
                        }
                        sid = Some(v.clone());
                    }
                    v => self.err("invalidType", format!("`Sid` must be a string, not {}", v.type_name()), m.value.span),
                },
                "Effect" => match &m.value.value {
                    Value::String(v) if v == "Allow" => effect = Some(Effect::Allow),
                    Value::String(v) if v == "Deny" => effect = Some(Effect::Deny),
                    Value::String(v) => self.err(
                        "invalidEffect",
                        format!("invalid `Effect` `{v}`: expected `Allow` or `Deny` (case-sensitive)"),
                        m.value.span,
                    ),
                    v => self.err("invalidEffect", format!("`Effect` must be a string, not {}", v.type_name()), m.value.span),
                },
                "Principal" | "NotPrincipal" => {
                    if principal.is_some() {
                        self.err(
                            "conflictingElements",
                            String::from("a statement can't have both `Principal` and `NotPrincipal`"),
                            m.key_span,
                        );
                    } else if !self.kind.has_principals() {
                        self.err(
                            "principalNotAllowed",
                            format!("Policy document should not specify a principal: `{}` is not allowed in {}", m.key, kind_name(self.kind)),
                            m.key_span,
                        );
                    } else {
                        principal = self.principal(m);
                    }
                }
                "Action" | "NotAction" => {
                    if action.is_some() {
                        self.err(
                            "conflictingElements",
                            String::from("a statement can't have both `Action` and `NotAction`"),
                            m.key_span,
                        );
                    } else {
                        action = self.action(m);
                    }
                }
                "Resource" | "NotResource" => {
                    if resource.is_some() {
                        self.err(
                            "conflictingElements",
                            String::from("a statement can't have both `Resource` and `NotResource`"),
                            m.key_span,
                        );
                    } else {
                        resource = self.resource(m);
                    }
                }
                "Condition" => conditions = self.conditions(&m.value),
                other => self.err(
                    "unknownElement",
                    format!("unknown statement element `{other}`; expected `Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`, `NotAction`, `Resource`, `NotResource` or `Condition`"),
                    m.key_span,
                ),
            }
        }
        let has = |k: &str| members.iter().any(|m| m.key == k);
        if effect.is_none() && !has("Effect") {
            self.err(
                "missingElement",
                format!("statement {index} has no `Effect`"),
                s.span,
            );
        }
        if self.kind.has_principals() && !has("Principal") && !has("NotPrincipal") {
            self.err(
                "missingElement",
                format!("Missing required field Principal in statement {index}"),
                s.span,
            );
        }
        let mut effective = true;
        if !has("Action") && !has("NotAction") {
            if self.kind == PolicyKind::KeyPolicy {
                effective = false;
                self.warn(
                    "MissingActionInKeyPolicy",
                    format!("statement {index} has no `Action`: KMS accepts the key policy but the statement has no effect"),
                    s.span,
                );
            } else {
                self.err(
                    "missingElement",
                    String::from("Policy statement must contain actions."),
                    s.span,
                );
            }
        }
        if !has("Resource") && !has("NotResource") {
            if self.kind == PolicyKind::KeyPolicy {
                effective = false;
                self.warn(
                    "MissingResourceInKeyPolicy",
                    format!("statement {index} has no `Resource`: KMS accepts the key policy but the statement has no effect; use `\"Resource\": \"*\"` (this KMS key)"),
                    s.span,
                );
            } else {
                self.err(
                    "missingElement",
                    String::from("Policy statement must contain resources."),
                    s.span,
                );
            }
        }
        if self.kind == PolicyKind::KeyPolicy {
            self.key_policy_action_warnings(action.as_ref());
        }
        if self.error_count() > errors_before {
            return None;
        }
        Some(Statement {
            index,
            sid,
            effect: effect.unwrap_or(Effect::Deny),
            principal,
            action,
            resource,
            conditions,
            span: s.span,
            effective,
        })
    }

    fn error_count(&self) -> usize {
        self.diags
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .count()
    }

    fn key_policy_action_warnings(&mut self, action: Option<&ActionBlock>) {
        let Some(a) = action else { return };
        if a.negated {
            return;
        }
        for item in &a.items {
            let lower = item.text.to_ascii_lowercase();
            let why = match lower.as_str() {
                "kms:listaliases" | "kms:listkeys" | "kms:createkey" | "kms:generaterandom"
                | "kms:createcustomkeystore" | "kms:describecustomkeystores" => {
                    "is valid only in IAM policies; in a key policy it has no effect"
                }
                "kms:retiregrant" => "is not effective in a key policy: who may retire a grant is decided by the grant",
                _ => continue,
            };
            self.warn(
                "IneffectiveActionInKeyPolicy",
                format!("`{}` {why}", item.text),
                item.span,
            );
        }
    }

    /// Strings of a string-or-array element.
    fn strings<'a>(&mut self, element: &str, v: &'a Json) -> Vec<(&'a str, Span)> {
        let mut out = Vec::new();
        match &v.value {
            Value::String(s) => out.push((s.as_str(), v.span)),
            Value::Array(items) => {
                for it in items {
                    match &it.value {
                        Value::String(s) => out.push((s.as_str(), it.span)),
                        other => self.err(
                            "invalidType",
                            format!(
                                "`{element}` entries must be strings, not {}",
                                other.type_name()
                            ),
                            it.span,
                        ),
                    }
                }
            }
            other => self.err(
                "invalidType",
                format!(
                    "`{element}` must be a string or an array of strings, not {}",
                    other.type_name()
                ),
                v.span,
            ),
        }
        out
    }

    fn principal(&mut self, m: &Member) -> Option<PrincipalBlock> {
        let negated = m.key == "NotPrincipal";
        let mut entries = Vec::new();
        match &m.value.value {
            Value::String(s) if s == "*" => entries.push(PrincipalEntry {
                text: String::from("*"),
                pattern: PrincipalPattern::Any,
                span: m.value.span,
            }),
            Value::Object(map) => {
                for e in map {
                    let key = e.key.as_str();
                    if !matches!(key, "AWS" | "Service" | "Federated" | "CanonicalUser") {
                        self.err(
                            "invalidPrincipal",
                            format!("unknown principal type `{key}`; expected `AWS`, `Service`, `Federated` or `CanonicalUser`"),
                            e.key_span,
                        );
                        continue;
                    }
                    for (s, span) in self.strings(&m.key, &e.value) {
                        let r = match key {
                            "AWS" => PrincipalPattern::aws(s),
                            "Service" => PrincipalPattern::service(s),
                            "Federated" => Ok(PrincipalPattern::Federated(String::from(s))),
                            _ => Ok(PrincipalPattern::CanonicalUser(String::from(s))),
                        };
                        if let Ok(PrincipalPattern::Account(a)) = &r {
                            if !is_account_id(a) {
                                let kms = if self.kind == PolicyKind::KeyPolicy {
                                    "; KMS rejects this key policy (MalformedPolicyDocumentException: Policy contains a statement with one or more invalid principals)"
                                } else {
                                    ""
                                };
                                self.warn(
                                    "InvalidAccountId",
                                    format!("`{s}` does not name a valid AWS account: an account id has 12 digits, so this principal matches no one{kms}"),
                                    span,
                                );
                            }
                        }
                        match r {
                            Ok(pattern) => entries.push(PrincipalEntry {
                                text: String::from(s),
                                pattern,
                                span,
                            }),
                            Err(e) => {
                                let why = match e {
                                    PrincipalError::PartialWildcard => "you cannot use a wildcard to match part of a principal name or ARN",
                                    PrincipalError::Group => "IAM groups can't be principals",
                                    PrincipalError::Malformed => "it is not an account id, an IAM user, role or session ARN, or `*`",
                                };
                                self.err(
                                    "invalidPrincipal",
                                    format!("Invalid principal in policy: `{s}`: {why}"),
                                    span,
                                );
                            }
                        }
                    }
                }
            }
            v => {
                let shown = match v {
                    Value::String(s) => format!("`{s}`"),
                    other => String::from(other.type_name()),
                };
                self.err(
                    "invalidPrincipal",
                    format!(
                        "`{}` must be `\"*\"` or an object such as `{{\"AWS\": ...}}`, not {shown}",
                        m.key
                    ),
                    m.value.span,
                );
                return None;
            }
        }
        Some(PrincipalBlock {
            negated,
            entries,
            span: m.value.span,
        })
    }

    fn action(&mut self, m: &Member) -> Option<ActionBlock> {
        let negated = m.key == "NotAction";
        let mut items = Vec::new();
        let list = self.strings(&m.key, &m.value);
        if list.is_empty() && matches!(m.value.value, Value::Array(_)) {
            self.err(
                "invalidAction",
                format!("`{}` is empty", m.key),
                m.value.span,
            );
        }
        for (s, span) in list {
            let valid = s == "*"
                || s.split_once(':').is_some_and(|(svc, act)| {
                    !svc.is_empty()
                        && !act.is_empty()
                        && svc.bytes().all(|b| {
                            b.is_ascii_alphanumeric() || b == b'-' || b == b'*' || b == b'?'
                        })
                        && !act.contains(':')
                });
            if !valid {
                self.err(
                    "invalidAction",
                    format!("invalid action `{s}`: write `service:Action` (for example `kms:Decrypt`) or `*`"),
                    span,
                );
                continue;
            }
            items.push(ActionItem {
                text: String::from(s),
                elems: Template::parse(s, false)
                    .static_elems(true, true)
                    .unwrap_or_default(),
                span,
            });
        }
        Some(ActionBlock {
            negated,
            items,
            span: m.value.span,
        })
    }

    fn resource(&mut self, m: &Member) -> Option<ResourceBlock> {
        let negated = m.key == "NotResource";
        let mut items = Vec::new();
        let list = self.strings(&m.key, &m.value);
        if list.is_empty() && matches!(m.value.value, Value::Array(_)) {
            self.err(
                "invalidResource",
                format!("`{}` is empty", m.key),
                m.value.span,
            );
        }
        for (s, span) in list {
            match ArnPattern::parse(s, self.variables, false) {
                Ok(pattern) => items.push(ResourceItem {
                    text: String::from(s),
                    pattern,
                    span,
                }),
                Err(ArnPatternError::WildcardInService) => self.err(
                    "invalidResource",
                    format!("Resource vendor must be fully qualified and cannot contain regexes: `{s}` (no wildcard in the service segment)"),
                    span,
                ),
                Err(ArnPatternError::NotAnArn) => self.err(
                    "invalidResource",
                    format!("Resource `{s}` must be in ARN format or \"*\""),
                    span,
                ),
            }
        }
        Some(ResourceBlock {
            negated,
            items,
            span: m.value.span,
        })
    }

    fn conditions(&mut self, v: &Json) -> Vec<Condition> {
        let mut out = Vec::new();
        let Value::Object(ops) = &v.value else {
            self.err(
                "invalidType",
                format!("`Condition` must be an object, not {}", v.value.type_name()),
                v.span,
            );
            return out;
        };
        for op in ops {
            let Some(operator) = Operator::parse(&op.key) else {
                self.err(
                    "invalidConditionOperator",
                    format!(
                        "Invalid Condition type: `{}` is not a condition operator",
                        op.key
                    ),
                    op.key_span,
                );
                continue;
            };
            let Value::Object(keys) = &op.value.value else {
                self.err(
                    "invalidType",
                    format!(
                        "the `{}` block must be an object of condition keys, not {}",
                        op.key,
                        op.value.value.type_name()
                    ),
                    op.value.span,
                );
                continue;
            };
            for k in keys {
                let key_lower = k.key.to_ascii_lowercase();
                let mut values = Vec::new();
                let raw: Vec<&Json> = match &k.value.value {
                    Value::Array(items) => items.iter().collect(),
                    _ => alloc::vec![&k.value],
                };
                if raw.is_empty() {
                    self.err(
                        "invalidConditionValue",
                        format!("condition key `{}` has no values", k.key),
                        k.value.span,
                    );
                }
                for r in raw {
                    let text = match &r.value {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.clone(),
                        Value::Bool(b) => b.to_string(),
                        other => {
                            self.err(
                                "invalidType",
                                format!(
                                    "condition values must be strings, numbers or booleans, not {}",
                                    other.type_name()
                                ),
                                r.span,
                            );
                            continue;
                        }
                    };
                    match condition::Value::compile(&operator, &text, self.variables) {
                        Ok(value) => values.push(ConditionValue {
                            text,
                            value,
                            span: r.span,
                        }),
                        Err(e) => self.err(
                            "invalidConditionValue",
                            format!("`{text}` is not valid for `{}`: expected {}", op.key, e.0),
                            r.span,
                        ),
                    }
                }
                self.condition_warnings(&operator, &op.key, &k.key, &key_lower, k.key_span);
                out.push(Condition {
                    operator,
                    operator_text: op.key.clone(),
                    key: k.key.clone(),
                    key_lower,
                    values,
                    span: k.key_span,
                });
            }
        }
        out
    }

    fn condition_warnings(
        &mut self,
        op: &Operator,
        op_text: &str,
        key: &str,
        key_lower: &str,
        span: Span,
    ) {
        if op.family == Family::Null {
            return;
        }
        match op.set {
            Some(SetOp::ForAllValues) if condition::is_known_single_valued(key_lower) => {
                let msg = if key_lower.starts_with("kms:encryptioncontext:") {
                    String::from("Using the ForAllValues set operator with a single-valued condition key matches requests without the specified encryption context or with an unspecified encryption context. To fix, remove ForAllValues.")
                } else {
                    format!("Using the ForAllValues set operator with the single-valued condition key `{key}` matches requests without the key. To fix, remove ForAllValues.")
                };
                self.warn("OverlyPermissiveCondition", msg, span);
            }
            Some(SetOp::ForAnyValue) if condition::is_known_single_valued(key_lower) => self.warn(
                "SetOperatorOnSingleValuedKey",
                format!("`{op_text}` uses a set operator with the single-valued condition key `{key}`; use `{}` without `ForAnyValue:`", op_text.get("ForAnyValue:".len()..).unwrap_or(op_text)),
                span,
            ),
            _ => {}
        }
    }
}

/// Characters a key policy may contain (KMS-DG/key-policy-overview.md).
fn key_policy_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{A0}'..='\u{FF}')
}

/// The line/column of a byte offset.
fn position_of(text: &str, at: usize) -> json::Pos {
    let before = text.get(..at).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    json::Pos {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(col).unwrap_or(u32::MAX),
        offset: u32::try_from(at).unwrap_or(u32::MAX),
    }
}

/// A readable name of a policy kind, for messages.
pub fn kind_name(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "an identity-based policy",
        PolicyKind::Resource => "a resource-based policy",
        PolicyKind::KeyPolicy => "a key policy",
        PolicyKind::ServiceControl => "a service control policy",
        PolicyKind::ResourceControl => "a resource control policy",
        PolicyKind::PermissionsBoundary => "a permissions boundary",
        PolicyKind::Session => "a session policy",
    }
}
