//! Decisions as data: the answer, the determining statements and the trace tree.

use alloc::string::String;
use alloc::vec::Vec;

use super::context::ContextEntry;
use crate::diag::Diagnostic;
use crate::json::Span;
use crate::kms::GrantMatch;
use crate::policy::condition::{ConditionReason, SetOp};
use crate::policy::principal::MatchedVia;
use crate::policy::Effect;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

/// The policy types of a question, in the order AWS evaluates them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub enum PolicyType {
    #[serde(rename = "serviceControlPolicies")]
    ServiceControlPolicy,
    #[serde(rename = "resourceControlPolicies")]
    ResourceControlPolicy,
    ResourcePolicy,
    #[serde(rename = "identityPolicies")]
    IdentityPolicy,
    PermissionsBoundary,
    SessionPolicy,
    Grants,
}

impl PolicyType {
    /// The name AWS's access-denied messages use (IAM-DENYMSG).
    pub fn message_name(self) -> &'static str {
        match self {
            PolicyType::ServiceControlPolicy => "service control policy",
            PolicyType::ResourceControlPolicy => "resource control policy",
            PolicyType::ResourcePolicy | PolicyType::Grants => "resource-based policy",
            PolicyType::IdentityPolicy => "identity-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::SessionPolicy => "session policy",
        }
    }
}

/// Why the decision is what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    AllowedByIdentityPolicy,
    AllowedByResourcePolicy,
    AllowedByGrant,
    AllowedAsRootUser,
    ExplicitDeny,
    NotAllowedByKeyPolicy,
    NoIdentityPolicyAllows,
    NoResourcePolicyAllows,
    /// A KMS operation that can't be used on a key in another account.
    NotCrossAccountOperation,
    ScpDoesNotAllow,
    RcpDoesNotAllow,
    BoundaryDoesNotAllow,
    SessionPolicyDoesNotAllow,
    InvalidPolicy,
    InvalidRequest,
}

/// A statement (or grant) that decided the outcome.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Determining {
    pub policy_type: PolicyType,
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub statement_index: usize,
    pub effect: Effect,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// The answer to a question (docs/contract.md).
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub decision: Decision,
    pub reason: Reason,
    pub determining: Vec<Determining>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Trace>,
    pub missing_context_keys: Vec<String>,
    pub message: Option<String>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// The text of every policy, as the spans refer to it (objects are pretty-printed first).
    pub sources: Vec<PolicySourceText>,
    pub context: Vec<ContextEntry>,
    #[cfg_attr(feature = "wasm-policy", tsify(type = "TraceStep[]"))]
    pub steps: Vec<Step>,
    pub policy_types: Vec<PolicyTypeTrace>,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct PolicySourceText {
    pub policy: String,
    pub text: String,
}

/// One step of the evaluation pipeline.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object),
    tsify(rename = "TraceStep")
)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub step: &'static str,
    /// `allow`, `deny`, `implicitDeny`, `pass` or `notApplicable`.
    pub outcome: &'static str,
    pub detail: String,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTypeTrace {
    pub policy_type: PolicyType,
    pub applicable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub policies: Vec<PolicyTrace>,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTrace {
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    pub statements: Vec<StatementTrace>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<GrantTrace>,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct GrantTrace {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    pub grantee_principal: String,
    pub operations: Vec<String>,
    pub matched: bool,
    pub reason: GrantMatch,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct StatementTrace {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
    pub span: Span,
    pub applies: bool,
    /// `statementApplies` or the reason code of the first element that did not match.
    pub reason: &'static str,
    pub elements: Vec<ElementTrace>,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct ElementTrace {
    pub element: &'static str,
    pub matched: bool,
    pub reason: &'static str,
    pub span: Span,
    /// The entry that matched (Principal, Action, Resource).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<MatchedVia>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_operator: Option<SetOp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_values: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_values: Option<Vec<String>>,
}

impl ElementTrace {
    pub fn new(
        element: &'static str,
        matched: bool,
        reason: &'static str,
        span: Span,
    ) -> ElementTrace {
        ElementTrace {
            element,
            matched,
            reason,
            span,
            value: None,
            via: None,
            operator: None,
            set_operator: None,
            key: None,
            policy_values: None,
            request_values: None,
        }
    }
}

/// The reason code of a condition outcome.
pub fn condition_reason_code(r: ConditionReason) -> &'static str {
    match r {
        ConditionReason::ConditionMatched => "conditionMatched",
        ConditionReason::ConditionNotMatched => "conditionNotMatched",
        ConditionReason::ConditionKeyMissing => "conditionKeyMissing",
        ConditionReason::ConditionMatchedBecauseMissing => "conditionMatchedBecauseMissing",
        ConditionReason::NullCheck => "nullCheck",
    }
}
