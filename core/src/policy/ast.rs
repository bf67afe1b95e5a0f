//! Typed policies: what the parser produces and the evaluator reads. Evaluation never sees raw JSON.

use alloc::string::String;
use alloc::vec::Vec;

use super::arn::ArnPattern;
use super::condition::Condition;
use super::pattern::Elem;
use super::principal::PrincipalPattern;
use crate::json::Span;

/// Which kind of policy a document is; decides which elements are allowed and which warnings apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub enum PolicyKind {
    /// Identity-based policy attached to a user, group or role.
    Identity,
    /// Resource-based policy (bucket policy, RAM share, …).
    Resource,
    /// A KMS key policy: a resource-based policy with KMS's own rules.
    KeyPolicy,
    /// Organizations service control policy.
    ServiceControl,
    /// Organizations resource control policy.
    ResourceControl,
    /// Permissions boundary.
    PermissionsBoundary,
    /// Session policy.
    Session,
}

impl PolicyKind {
    /// Whether statements of this kind name principals.
    pub fn has_principals(self) -> bool {
        matches!(
            self,
            PolicyKind::Resource | PolicyKind::KeyPolicy | PolicyKind::ResourceControl
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Version {
    #[serde(rename = "2012-10-17")]
    V2012,
    #[serde(rename = "2008-10-17")]
    V2008,
    #[serde(rename = "none")]
    Missing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
pub enum Effect {
    Allow,
    Deny,
}

/// A parsed, validated policy document.
#[derive(Clone, Debug)]
pub struct Policy {
    pub kind: PolicyKind,
    pub version: Version,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// The text positions refer to.
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Statement {
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<PrincipalBlock>,
    pub action: Option<ActionBlock>,
    pub resource: Option<ResourceBlock>,
    pub conditions: Vec<Condition>,
    pub span: Span,
    /// False when a key-policy statement lacks `Resource` or `Action` (accepted by KMS, but ineffective).
    pub effective: bool,
}

#[derive(Clone, Debug)]
pub struct PrincipalBlock {
    pub negated: bool,
    pub entries: Vec<PrincipalEntry>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct PrincipalEntry {
    pub text: String,
    pub pattern: PrincipalPattern,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ActionBlock {
    pub negated: bool,
    pub items: Vec<ActionItem>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ActionItem {
    pub text: String,
    /// Lower-cased wildcard pattern.
    pub elems: Vec<Elem>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ResourceBlock {
    pub negated: bool,
    pub items: Vec<ResourceItem>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ResourceItem {
    pub text: String,
    pub pattern: ArnPattern,
    pub span: Span,
}
