//! The JSON contract (docs/contract.md): a question in, an answer out.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::evaluation::context::ContextValue;
use crate::evaluation::{Answer, Clock, Options, PolicySet, PolicySource, PolicySources, Request};
use crate::kms::Grant;
use crate::policy::arn::is_kms_key_arn;

/// The largest question accepted, in bytes (each policy in it is still limited to 1 MiB).
pub const MAX_QUESTION_BYTES: usize = 16 * 1024 * 1024;

/// A question: a request and the policies that decide it.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Question {
    pub request: RequestInput,
    #[serde(default)]
    pub identity_policies: Vec<PolicyInput>,
    #[serde(default)]
    pub resource_policy: Option<PolicyInput>,
    #[serde(default)]
    pub service_control_policies: Option<Vec<Vec<PolicyInput>>>,
    #[serde(default)]
    pub resource_control_policies: Option<Vec<Vec<PolicyInput>>>,
    #[serde(default)]
    pub permissions_boundary: Option<PolicyInput>,
    #[serde(default)]
    pub session_policy: Option<PolicyInput>,
    #[serde(default)]
    pub grants: Vec<Grant>,
    /// Build the trace tree (default true).
    #[serde(default)]
    pub explain: Option<bool>,
}

/// A request: who does what on which resource, in which context.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestInput {
    pub principal: String,
    pub action: String,
    pub resource: String,
    #[serde(default)]
    pub resource_account: Option<String>,
    /// Condition keys (names case-insensitive) to a string, number, boolean or a list of those.
    #[serde(default)]
    #[cfg_attr(
        feature = "wasm-policy",
        tsify(type = "Record<string, string | number | boolean | (string | number | boolean)[]>")
    )]
    pub context: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
}

/// A policy: JSON text, a JSON object, or `{ "name", "document" }`.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(untagged)]
pub enum PolicyInput {
    Text(String),
    Named {
        name: String,
        #[cfg_attr(
            feature = "wasm-policy",
            tsify(type = "string | Record<string, unknown>")
        )]
        document: serde_json::Value,
    },
    Document(
        #[cfg_attr(feature = "wasm-policy", tsify(type = "Record<string, unknown>"))]
        serde_json::Value,
    ),
}

impl PolicyInput {
    pub fn source(&self, default_id: String) -> PolicySource {
        let (id, text) = match self {
            PolicyInput::Text(t) => (default_id, t.clone()),
            PolicyInput::Named { name, document } => (
                name.clone(),
                match document {
                    serde_json::Value::String(t) => t.clone(),
                    v => pretty(v),
                },
            ),
            PolicyInput::Document(v) => (default_id, pretty(v)),
        };
        PolicySource { id, text }
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Why a question can't be answered at all.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContractError {
    /// The input is not JSON.
    InvalidJson(String),
    /// The JSON is not a question (missing `request`, wrong types, unknown fields).
    InvalidQuestion(String),
    /// A context value can't be used (an object, or null).
    InvalidContextValue(String),
}

impl ContractError {
    /// A stable code for hosts to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            ContractError::InvalidJson(_) => "InvalidJson",
            ContractError::InvalidQuestion(_) => "InvalidQuestion",
            ContractError::InvalidContextValue(_) => "InvalidContextValue",
        }
    }
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractError::InvalidJson(m) => write!(f, "the input is not valid JSON: {m}"),
            ContractError::InvalidQuestion(m) => write!(f, "the input is not a question: {m}"),
            ContractError::InvalidContextValue(k) => write!(
                f,
                "context key `{k}` must be a string, a number, a boolean or an array of those"
            ),
        }
    }
}

impl Question {
    /// Parses a question from JSON text.
    pub fn from_json(text: &str) -> Result<Question, ContractError> {
        // Check well-formedness and depth with our own bounded parser first: serde_json's recursion
        // limit is 128, but hostile nesting should be reported the same way everywhere.
        if let Err(e) = crate::json::parse_limited(text, MAX_QUESTION_BYTES) {
            return Err(ContractError::InvalidJson(e.to_string()));
        }
        serde_json::from_str(text).map_err(|e| ContractError::InvalidQuestion(e.to_string()))
    }

    /// The question's policies, parsed and validated once.
    pub fn policy_set(&self) -> PolicySet {
        PolicySet::build(
            &self.policy_sources(),
            is_kms_key_arn(&self.request.resource),
        )
    }

    /// The question's policies with their ids (`identityPolicies[0]`, `resourcePolicy`, … or a given name).
    pub fn policy_sources(&self) -> PolicySources {
        sources(
            &self.identity_policies,
            self.resource_policy.as_ref(),
            self.service_control_policies.as_deref(),
            self.resource_control_policies.as_deref(),
            self.permissions_boundary.as_ref(),
            self.session_policy.as_ref(),
            &self.grants,
        )
    }

    /// The request, with its context converted.
    pub fn request(&self) -> Result<Request, ContractError> {
        self.request.to_request()
    }

    /// Answers the question.
    pub fn answer(&self, now_ms: i64) -> Result<Answer, ContractError> {
        let req = self.request()?;
        let opts = Options {
            explain: self.explain.unwrap_or(true),
            now: Clock::At(now_ms),
            warnings: true,
        };
        Ok(self.policy_set().decide(&req, opts))
    }
}

fn sources(
    identity: &[PolicyInput],
    resource: Option<&PolicyInput>,
    service_control: Option<&[Vec<PolicyInput>]>,
    resource_control: Option<&[Vec<PolicyInput>]>,
    permissions_boundary: Option<&PolicyInput>,
    session: Option<&PolicyInput>,
    grants: &[Grant],
) -> PolicySources {
    PolicySources {
        identity: identity
            .iter()
            .enumerate()
            .map(|(i, p)| p.source(format!("identityPolicies[{i}]")))
            .collect(),
        resource: resource.map(|p| p.source(String::from("resourcePolicy"))),
        service_control: service_control.map(|levels| levels_of(levels, "serviceControlPolicies")),
        resource_control: resource_control
            .map(|levels| levels_of(levels, "resourceControlPolicies")),
        permissions_boundary: permissions_boundary
            .map(|p| p.source(String::from("permissionsBoundary"))),
        session: session.map(|p| p.source(String::from("sessionPolicy"))),
        grants: grants
            .iter()
            .enumerate()
            .map(|(i, g)| (format!("grants[{i}]"), g.clone()))
            .collect(),
    }
}

/// The policies of a question without its request — what a [`PolicySet`] is built from once, to decide many
/// requests (the npm package's `new PolicySet(input)`). Policy ids are those of [`Question`].
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicySetInput {
    #[serde(default)]
    pub identity_policies: Vec<PolicyInput>,
    #[serde(default)]
    pub resource_policy: Option<PolicyInput>,
    #[serde(default)]
    pub service_control_policies: Option<Vec<Vec<PolicyInput>>>,
    #[serde(default)]
    pub resource_control_policies: Option<Vec<Vec<PolicyInput>>>,
    #[serde(default)]
    pub permissions_boundary: Option<PolicyInput>,
    #[serde(default)]
    pub session_policy: Option<PolicyInput>,
    #[serde(default)]
    pub grants: Vec<Grant>,
    /// Read the resource policy as a KMS key policy (`true`) or a plain resource policy (`false`) for every
    /// request. Left out: decided per request from its resource, exactly as for a question (a KMS key ARN
    /// means a key policy).
    #[serde(default)]
    pub key_policy: Option<bool>,
    /// Build the trace tree (default true); `false` is several times faster for bulk decisions.
    #[serde(default)]
    pub explain: Option<bool>,
}

impl PolicySetInput {
    /// Parses the policies from JSON text (the same limits and errors as [`Question::from_json`]).
    pub fn from_json(text: &str) -> Result<PolicySetInput, ContractError> {
        if let Err(e) = crate::json::parse_limited(text, MAX_QUESTION_BYTES) {
            return Err(ContractError::InvalidJson(e.to_string()));
        }
        serde_json::from_str(text).map_err(|e| ContractError::InvalidQuestion(e.to_string()))
    }

    /// The policies with their ids.
    pub fn policy_sources(&self) -> PolicySources {
        sources(
            &self.identity_policies,
            self.resource_policy.as_ref(),
            self.service_control_policies.as_deref(),
            self.resource_control_policies.as_deref(),
            self.permissions_boundary.as_ref(),
            self.session_policy.as_ref(),
            &self.grants,
        )
    }
}

fn levels_of(levels: &[Vec<PolicyInput>], name: &str) -> Vec<Vec<PolicySource>> {
    levels
        .iter()
        .enumerate()
        .map(|(l, ps)| {
            ps.iter()
                .enumerate()
                .map(|(i, p)| p.source(format!("{name}[{l}][{i}]")))
                .collect()
        })
        .collect()
}

impl RequestInput {
    pub fn to_request(&self) -> Result<Request, ContractError> {
        self.clone().into_request()
    }

    /// [`RequestInput::to_request`], moving the strings instead of copying them (a decision's hot path).
    pub fn into_request(self) -> Result<Request, ContractError> {
        let mut entries = Vec::with_capacity(self.context.len());
        for (k, v) in self.context {
            let v = context_value(&k, v)?;
            entries.push((k, v));
        }
        let mut req = Request {
            principal: self.principal,
            action: self.action,
            resource: self.resource,
            resource_account: self.resource_account,
            context: Vec::new(),
        };
        req.set_all(entries);
        Ok(req)
    }
}

fn scalar(v: serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn context_value(k: &str, v: serde_json::Value) -> Result<ContextValue, ContractError> {
    match v {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|i| scalar(i).ok_or_else(|| ContractError::InvalidContextValue(String::from(k))))
            .collect::<Result<Vec<_>, _>>()
            .map(ContextValue::Many),
        other => scalar(other)
            .map(ContextValue::One)
            .ok_or_else(|| ContractError::InvalidContextValue(String::from(k))),
    }
}

/// The time used when the question does not give `aws:CurrentTime`/`aws:EpochTime`: the system clock
/// natively, 0 on wasm32 (where hosts call [`evaluate_json_at`] with their own clock).
pub fn now_ms() -> i64 {
    // wasm32-unknown-unknown has no system clock (`SystemTime::now` traps there): hosts pass the time.
    #[cfg(all(feature = "std", not(target_arch = "wasm32")))]
    {
        extern crate std;
        if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            return i64::try_from(d.as_millis()).unwrap_or(0);
        }
    }
    0
}

/// Answers a question given as JSON text; returns the answer as JSON text, or
/// `{"error": {"code", "message"}}`. Never panics.
pub fn evaluate_json(question: &str) -> String {
    evaluate_json_at(question, now_ms())
}

/// [`evaluate_json`] at a given time (epoch milliseconds).
pub fn evaluate_json_at(question: &str, now_ms: i64) -> String {
    let r = Question::from_json(question).and_then(|q| q.answer(now_ms));
    match r {
        Ok(a) => serde_json::to_string(&a)
            .unwrap_or_else(|e| error_json("InternalError", &e.to_string())),
        Err(e) => error_json(e.code(), &e.to_string()),
    }
}

fn error_json(code: &str, message: &str) -> String {
    serde_json::json!({ "error": { "code": code, "message": message } }).to_string()
}

/// Validates a policy document of a given kind; returns its diagnostics (errors and warnings).
pub fn validate_policy(
    text: &str,
    kind: crate::policy::PolicyKind,
) -> Vec<crate::diag::Diagnostic> {
    crate::policy::parse_policy(text, kind).diagnostics
}
