//! Property tests of the evaluation logic and the parser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_core::evaluation::{Clock, Options, PolicySet};
use kmslab_core::{Decision, PolicyKind, Question};
use proptest::prelude::*;
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const PRINCIPALS: &[&str] = &[
    "arn:aws:iam::111122223333:user/featurestore-user",
    "arn:aws:sts::111122223333:assumed-role/featurestore-admin/alice",
    "arn:aws:iam::444455556666:user/dev",
    "arn:aws:iam::111122223333:root",
];
const ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "s3:GetObject",
];
const RESOURCES: &[&str] = &[KEY, "arn:aws:s3:::sagemaker-offline-bucket/data/x.parquet"];

fn statement(principals: bool) -> impl Strategy<Value = Value> {
    let effect = prop_oneof![3 => Just("Allow"), 1 => Just("Deny")];
    let action = prop::sample::select(vec![
        "kms:*",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:Gen*",
        "*",
        "s3:Get*",
        "kms:Describe?ey",
    ]);
    let resource = prop::sample::select(vec![
        "*",
        KEY,
        "arn:aws:kms:*:111122223333:key/*",
        "arn:aws:s3:::sagemaker-*/*",
    ]);
    let principal = prop::sample::select(vec![
        json!("*"),
        json!({"AWS": "111122223333"}),
        json!({"AWS": "arn:aws:iam::111122223333:root"}),
        json!({"AWS": "arn:aws:iam::444455556666:root"}),
        json!({"AWS": "arn:aws:iam::111122223333:user/featurestore-user"}),
        json!({"AWS": "arn:aws:iam::111122223333:role/featurestore-admin"}),
    ]);
    let condition = prop::sample::select(vec![
        json!(null),
        json!({"StringLike": {"kms:ViaService": "sagemaker.*.amazonaws.com"}}),
        json!({"StringEquals": {"kms:CallerAccount": "111122223333"}}),
        json!({"StringNotEquals": {"aws:PrincipalAccount": "444455556666"}}),
        json!({"Bool": {"aws:SecureTransport": "true"}}),
        json!({"StringEqualsIfExists": {"kms:EncryptionContext:fg": "orders"}}),
    ]);
    (effect, action, resource, principal, condition).prop_map(move |(e, a, r, p, c)| {
        let mut s = json!({"Effect": e, "Action": a, "Resource": r});
        if principals {
            s["Principal"] = p;
        }
        if !c.is_null() {
            s["Condition"] = c;
        }
        s
    })
}

fn policy(principals: bool) -> impl Strategy<Value = Value> {
    prop::collection::vec(statement(principals), 1..5)
        .prop_map(|st| json!({"Version": "2012-10-17", "Statement": st}))
}

#[derive(Debug, Clone)]
struct Case {
    principal: &'static str,
    action: &'static str,
    resource: &'static str,
    via: bool,
    identity: Vec<Value>,
    resource_policy: Value,
    boundary: Option<Value>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(PRINCIPALS),
        prop::sample::select(ACTIONS),
        prop::sample::select(RESOURCES),
        any::<bool>(),
        prop::collection::vec(policy(false), 0..3),
        policy(true),
        prop::option::of(policy(false)),
    )
        .prop_map(
            |(principal, action, resource, via, identity, resource_policy, boundary)| Case {
                principal,
                action,
                resource,
                via,
                identity,
                resource_policy,
                boundary,
            },
        )
}

fn decide(c: &Case) -> Decision {
    let mut q = json!({
        "request": {"principal": c.principal, "action": c.action, "resource": c.resource, "context": {}},
        "identityPolicies": c.identity,
        "resourcePolicy": c.resource_policy,
        "explain": false,
    });
    if c.via {
        q["request"]["context"]["kms:ViaService"] = json!("sagemaker.us-east-1.amazonaws.com");
    }
    if let Some(b) = &c.boundary {
        q["permissionsBoundary"] = b.clone();
    }
    let q: Question = serde_json::from_value(q).unwrap();
    let set: PolicySet = q.policy_set();
    assert!(set.errors.is_empty(), "{:?}", set.errors);
    set.decide(
        &q.request().unwrap(),
        Options {
            explain: false,
            now: Clock::At(0),
            warnings: true,
        },
    )
    .decision
}

fn statements_mut(p: &mut Value) -> &mut Vec<Value> {
    p["Statement"].as_array_mut().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn an_applicable_deny_always_wins(c in case(), where_ in 0usize..3) {
        let mut c2 = c.clone();
        let deny = json!({"Effect": "Deny", "Action": "*", "Resource": "*"});
        match where_ {
            0 => { let mut d = deny.clone(); d["Principal"] = json!("*"); statements_mut(&mut c2.resource_policy).push(d); }
            1 => c2.identity.push(json!({"Version": "2012-10-17", "Statement": [deny]})),
            _ => { let b = c2.boundary.get_or_insert_with(|| json!({"Version": "2012-10-17", "Statement": []})); statements_mut(b).push(deny); }
        }
        // identity and boundary denies don't bind a root caller of another account's resource … they still
        // apply: every applicable Deny is explicit.
        prop_assert_eq!(decide(&c2), Decision::ExplicitDeny);
    }

    #[test]
    fn statement_order_does_not_matter(c in case(), seed in any::<u64>()) {
        let mut c2 = c.clone();
        let rotate = |p: &mut Value| { let s = statements_mut(p); let n = s.len(); if n > 1 { s.rotate_left((seed as usize) % n); s.reverse(); } };
        rotate(&mut c2.resource_policy);
        for p in &mut c2.identity { rotate(p); }
        c2.identity.reverse();
        if let Some(b) = &mut c2.boundary { rotate(b); }
        prop_assert_eq!(decide(&c), decide(&c2));
    }

    #[test]
    fn adding_an_allow_never_turns_allow_into_deny(c in case(), extra in statement(false), extra_res in statement(true)) {
        // only meaningful when the original request is allowed; the implication keeps every case
        let before = decide(&c);
        let mut allow = extra.clone();
        allow["Effect"] = json!("Allow");
        let mut c2 = c.clone();
        c2.identity.push(json!({"Version": "2012-10-17", "Statement": [allow]}));
        prop_assert!(before != Decision::Allow || decide(&c2) == Decision::Allow);
        let mut allow_res = extra_res.clone();
        allow_res["Effect"] = json!("Allow");
        let mut c3 = c.clone();
        statements_mut(&mut c3.resource_policy).push(allow_res);
        prop_assert!(before != Decision::Allow || decide(&c3) == Decision::Allow);
    }

    #[test]
    fn the_parser_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        for kind in [PolicyKind::Identity, PolicyKind::KeyPolicy, PolicyKind::ServiceControl] {
            let _ = kmslab_core::parse_policy(&text, kind);
        }
        let out = kmslab_core::evaluate_json_at(&text, 0);
        prop_assert!(serde_json::from_str::<Value>(&out).is_ok());
    }

    #[test]
    fn the_parser_never_panics_on_policy_shaped_noise(
        parts in prop::collection::vec(prop::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"Version\"", "\"2012-10-17\"", "\"Statement\"", "\"Effect\"", "\"Allow\"",
            "\"Action\"", "\"kms:*\"", "\"Resource\"", "\"*\"", "\"Condition\"", "\"StringLike\"", "\"Principal\"",
            "\"AWS\"", "1", "true", "null", "\"${aws:username}\"", "\"ForAllValues:StringEquals\"", "\"arn:aws:s3:::b/*\"",
        ]), 0..80)
    ) {
        let text: String = parts.concat();
        let _ = kmslab_core::parse_policy(&text, PolicyKind::KeyPolicy);
        let _ = kmslab_core::parse_policy(&text, PolicyKind::Identity);
    }
}
