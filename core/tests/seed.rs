//! The seed page's example key policy (SM-DG/feature-store-security.md), decided end to end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_core::{evaluate_json_at, Question};
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn seed_policy() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/seed-key-policy.json"
    ))
    .unwrap()
}

fn ask(principal: &str, action: &str, via: bool, identity: Vec<Value>) -> Value {
    let mut ctx = json!({});
    if via {
        ctx["kms:ViaService"] = json!("sagemaker.us-east-1.amazonaws.com");
    }
    let q = json!({
        "request": { "principal": principal, "action": action, "resource": KEY, "context": ctx },
        "resourcePolicy": seed_policy(),
        "identityPolicies": identity,
    });
    serde_json::from_str(&evaluate_json_at(&q.to_string(), 0)).unwrap()
}

#[test]
fn featurestore_user_through_feature_store_is_allowed() {
    let a = ask(
        "arn:aws:iam::111122223333:user/featurestore-user",
        "kms:Decrypt",
        true,
        vec![],
    );
    assert_eq!(a["decision"], "Allow", "{a:#}");
    assert_eq!(a["reason"], "allowedByResourcePolicy");
    assert_eq!(a["determining"][0]["statementIndex"], 0);
    assert_eq!(
        a["determining"][0]["sid"],
        "Allow access through Amazon SageMaker Feature Store for all principals in the account that are authorized to use Amazon SageMaker Feature Store"
    );
    // the validator flags kms:ListAliases as ineffective in a key policy
    assert!(a["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "IneffectiveActionInKeyPolicy"));
}

#[test]
fn featurestore_user_direct_call_is_denied_with_trace() {
    let a = ask(
        "arn:aws:iam::111122223333:user/featurestore-user",
        "kms:Decrypt",
        false,
        vec![],
    );
    assert_eq!(a["decision"], "ImplicitDeny");
    assert_eq!(a["reason"], "notAllowedByKeyPolicy");
    assert!(a["message"]
        .as_str()
        .unwrap()
        .ends_with("because no resource-based policy allows the kms:Decrypt action"));
    assert_eq!(a["missingContextKeys"], json!(["kms:ViaService"]));
    let st = &a["trace"]["policyTypes"][0]["policies"][0]["statements"][0];
    assert_eq!(st["applies"], false);
    assert_eq!(st["reason"], "conditionKeyMissing");
    let cond = st["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["element"] == "Condition")
        .unwrap();
    assert_eq!(cond["operator"], "StringLike");
    assert_eq!(cond["key"], "kms:ViaService");
    assert_eq!(cond["span"]["start"]["line"], 1);
}

#[test]
fn admin_session_can_revoke_but_not_decrypt() {
    let admin = "arn:aws:sts::111122223333:assumed-role/featurestore-admin/alice";
    assert_eq!(
        ask(admin, "kms:RevokeGrant", false, vec![])["decision"],
        "Allow"
    );
    assert_eq!(
        ask(admin, "kms:DescribeKey", false, vec![])["decision"],
        "Allow"
    );
    assert_eq!(
        ask(admin, "kms:Decrypt", false, vec![])["decision"],
        "ImplicitDeny"
    );
}

#[test]
fn iam_allow_is_ineffective_because_the_root_statement_names_another_account() {
    // The seed's root statement names account 123456789, not the key's account 111122223333.
    let iam = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]});
    let a = ask(
        "arn:aws:iam::111122223333:user/bob",
        "kms:Decrypt",
        false,
        vec![iam.clone()],
    );
    assert_eq!(a["decision"], "ImplicitDeny");
    assert_eq!(a["reason"], "notAllowedByKeyPolicy");
    let fixed = seed_policy().replace(
        "arn:aws:iam::123456789:root",
        "arn:aws:iam::111122223333:root",
    );
    let q = json!({
        "request": { "principal": "arn:aws:iam::111122223333:user/bob", "action": "kms:Decrypt", "resource": KEY },
        "resourcePolicy": fixed, "identityPolicies": [iam], "explain": false,
    });
    let a: Value = serde_json::from_str(&evaluate_json_at(&q.to_string(), 0)).unwrap();
    assert_eq!(a["decision"], "Allow", "{a:#}");
    assert_eq!(a["reason"], "allowedByIdentityPolicy");
    assert_eq!(a["determining"].as_array().unwrap().len(), 2);
    assert!(a.get("trace").is_none());
}

#[test]
fn bad_input_gives_typed_errors() {
    for bad in ["", "{", "[]", "{\"request\": 1}", &"[".repeat(100_000)] {
        let a: Value = serde_json::from_str(&evaluate_json_at(bad, 0)).unwrap();
        assert!(a["error"]["code"].is_string(), "{bad:.20}: {a}");
    }
    let q: Question = serde_json::from_value(json!({
        "request": {"principal": "not a principal", "action": "kms:Decrypt", "resource": KEY}
    }))
    .unwrap();
    let a = q.answer(0).unwrap();
    assert_eq!(a.errors[0].kind, "invalidPrincipal");
}
