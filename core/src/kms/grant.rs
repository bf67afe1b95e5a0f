//! KMS grants as an authorization source (KMS-DG/grants.md): allow-only, one key, one grantee, a list of
//! operations, optional encryption-context constraints.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::evaluation::context::RequestContext;
use crate::policy::principal::{Caller, MatchedVia, PrincipalPattern};

/// A grant, in the shape `ListGrants` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "PascalCase")]
pub struct Grant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    pub grantee_principal: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_account: Option<String>,
    pub operations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
}

/// The operations a grant may allow (KMS-DG/grants.md, BOTO-KMS `GrantOperation`).
pub const GRANT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "VerifyMac",
    "CreateGrant",
    "DescribeKey",
    "GetPublicKey",
    "RetireGrant",
    "DeriveSharedSecret",
];

/// The outcome of checking one grant against a request, with the reason code of the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub enum GrantMatch {
    GrantMatched,
    GrantKeyNotMatched,
    GranteeNotMatched,
    GrantOperationNotMatched,
    GrantConstraintNotMet,
}

impl Grant {
    /// Checks this grant for `action` on `resource` by `caller`; on a match, how the grantee matched.
    pub fn check(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        ctx: &RequestContext<'_>,
    ) -> (GrantMatch, Option<MatchedVia>) {
        if let Some(k) = &self.key_id {
            let same = k == resource || resource.rsplit('/').next().is_some_and(|id| id == k);
            if !same {
                return (GrantMatch::GrantKeyNotMatched, None);
            }
        }
        let op = action.split_once(':').map_or("", |(svc, op)| {
            if svc.eq_ignore_ascii_case("kms") {
                op
            } else {
                ""
            }
        });
        // "A grant can be retired by an optional retiring principal specified in the grant." (KMS-DG/grants.md)
        if op.eq_ignore_ascii_case("RetireGrant") {
            if let Some(via) = self
                .retiring_principal
                .as_deref()
                .and_then(|r| principal_match(caller, r))
            {
                return (GrantMatch::GrantMatched, Some(via));
            }
        }
        let Some(via) = principal_match(caller, &self.grantee_principal) else {
            return (GrantMatch::GranteeNotMatched, None);
        };
        if op.is_empty() || !self.operations.iter().any(|o| o.eq_ignore_ascii_case(op)) {
            return (GrantMatch::GrantOperationNotMatched, None);
        }
        let exempt =
            op.eq_ignore_ascii_case("DescribeKey") || op.eq_ignore_ascii_case("RetireGrant");
        if !exempt {
            if let Some(c) = &self.constraints {
                if !c.satisfied_by(ctx) {
                    return (GrantMatch::GrantConstraintNotMet, None);
                }
            }
        }
        (GrantMatch::GrantMatched, Some(via))
    }
}

/// How a grant's grantee or retiring principal (an ARN, an account id or a service) names the caller.
fn principal_match(caller: &Caller, principal: &str) -> Option<MatchedVia> {
    match PrincipalPattern::aws(principal).or_else(|_| PrincipalPattern::service(principal)) {
        Ok(PrincipalPattern::Any) | Err(_) => None,
        Ok(p) => caller.matched_by(&p),
    }
}

impl GrantConstraints {
    /// Keys compare case-insensitively, values case-sensitively (BOTO-KMS GrantConstraints).
    pub fn satisfied_by(&self, ctx: &RequestContext<'_>) -> bool {
        let lookup = |k: &str| -> Option<&str> {
            ctx.encryption_context()
                .find(|(ck, _)| ck.eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
        };
        if let Some(eq) = &self.encryption_context_equals {
            if ctx.encryption_context().count() != eq.len() {
                return false;
            }
            if !eq.iter().all(|(k, v)| lookup(k) == Some(v.as_str())) {
                return false;
            }
        }
        if let Some(sub) = &self.encryption_context_subset {
            if !sub.iter().all(|(k, v)| lookup(k) == Some(v.as_str())) {
                return false;
            }
        }
        true
    }
}
