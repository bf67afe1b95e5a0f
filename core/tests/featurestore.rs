//! Feature Store on the KMS model: the seed page's sentences, run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_core::evaluation::PolicySource;
use kmslab_core::iam::IamPrincipal;
use kmslab_core::kms::crypto::SeededEntropy;
use kmslab_core::kms::{KeyManager, KeySeed, KeySpec, KeyState, KeyUsage};
use kmslab_core::s3::Bucket;
use kmslab_core::storage::Table;
use kmslab_core::world::World;
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER: &str = "arn:aws:iam::111122223333:user/featurestore-user";
const ADMIN: &str = "arn:aws:sts::111122223333:assumed-role/featurestore-admin/alice";
const ROOT: &str = "arn:aws:iam::111122223333:root";
const ROLE: &str = "arn:aws:iam::111122223333:role/featurestore-offline";
const READER: &str = "arn:aws:iam::111122223333:user/reader";
const DEV: &str = "arn:aws:iam::444455556666:user/dev";

fn policy(id: &str, v: Value) -> PolicySource {
    PolicySource {
        id: id.into(),
        text: v.to_string(),
    }
}

fn seed_policy() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/seed-key-policy.json"
    ))
    .unwrap()
    .replace(
        "arn:aws:iam::123456789:root",
        "arn:aws:iam::111122223333:root",
    )
}

fn world(key_policy: &str, bucket_key: bool) -> World {
    let mut w = World::new(
        "aws",
        "us-east-1",
        1_767_225_600_000,
        Box::new(SeededEntropy::new([1; 32])),
    )
    .unwrap();
    w.iam
        .accounts
        .insert("111122223333".into(), "production".into());
    w.iam
        .accounts
        .insert("444455556666".into(), "developer".into());
    let fs = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sagemaker:*FeatureGroup*", "sagemaker:PutRecord", "sagemaker:GetRecord", "sagemaker:DeleteRecord", "sagemaker:BatchGetRecord"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["kms:ListAliases", "kms:RevokeGrant", "kms:RetireGrant"], "Resource": "*"}
    ]});
    w.iam.principals.push(IamPrincipal {
        arn: USER.into(),
        identity_policies: vec![policy("FeatureStoreUser", fs)],
        ..Default::default()
    });
    w.iam.principals.push(IamPrincipal {
        arn: "arn:aws:iam::111122223333:role/featurestore-admin".into(),
        ..Default::default()
    });
    let read = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:GetRecord", "Resource": "*"}]});
    w.iam.principals.push(IamPrincipal {
        arn: READER.into(),
        identity_policies: vec![policy("Reader", read)],
        ..Default::default()
    });
    let offline = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::sagemaker-offline-bucket/*"},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"}
    ]});
    w.iam.principals.push(IamPrincipal {
        arn: ROLE.into(),
        identity_policies: vec![policy("OfflineStore", offline)],
        ..Default::default()
    });
    let dev = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sagemaker:GetRecord", "kms:Decrypt"], "Resource": "*"}]});
    w.iam.principals.push(IamPrincipal {
        arn: DEV.into(),
        identity_policies: vec![policy("Dev", dev)],
        ..Default::default()
    });
    w.kms
        .add_key(
            KeySeed {
                arn: KEY.into(),
                description: "feature store".into(),
                spec: KeySpec::SymmetricDefault,
                usage: KeyUsage::EncryptDecrypt,
                state: KeyState::Enabled,
                manager: KeyManager::Customer,
                policy: key_policy.into(),
                rotation_enabled: false,
            },
            0,
        )
        .unwrap();
    w.s3.buckets.push(Bucket {
        name: "sagemaker-offline-bucket".into(),
        account: "111122223333".into(),
        policy: None,
        kms_key_arn: Some(KEY.into()),
        bucket_key_enabled: bucket_key,
    });
    w
}

fn create_input(online_key: Option<&str>, offline: bool) -> Value {
    let mut v = json!({
        "FeatureGroupName": "orders",
        "RecordIdentifierFeatureName": "order_id",
        "EventTimeFeatureName": "event_time",
        "FeatureDefinitions": [
            {"FeatureName": "order_id", "FeatureType": "String"},
            {"FeatureName": "event_time", "FeatureType": "Fractional"},
            {"FeatureName": "card_number", "FeatureType": "String"},
            {"FeatureName": "amount", "FeatureType": "Fractional"}
        ],
        "OnlineStoreConfig": {"EnableOnlineStore": true},
    });
    if let Some(k) = online_key {
        v["OnlineStoreConfig"]["SecurityConfig"] = json!({"KmsKeyId": k});
    }
    if offline {
        v["OfflineStoreConfig"] = json!({"S3StorageConfig": {"S3Uri": "s3://sagemaker-offline-bucket/fs", "KmsKeyId": KEY}});
        v["RoleArn"] = json!(ROLE);
    }
    v
}

fn put(id: &str, t: f64) -> Value {
    json!({"FeatureGroupName": "orders", "Record": [
        {"FeatureName": "order_id", "ValueAsString": id},
        {"FeatureName": "event_time", "ValueAsString": t.to_string()},
        {"FeatureName": "card_number", "ValueAsString": "4111-SECRET-1111"},
        {"FeatureName": "amount", "ValueAsString": "12.5"}
    ]})
}

#[test]
fn seed_scenario_online_store_with_a_customer_managed_key() {
    let mut w = world(&seed_policy(), false);
    let out = w
        .feature_store_call(USER, "CreateFeatureGroup", &create_input(Some(KEY), false))
        .unwrap();
    assert_eq!(
        out["FeatureGroupArn"],
        "arn:aws:sagemaker:us-east-1:111122223333:feature-group/orders"
    );
    // "Each grant is specific to an online store": Feature Store's grant is visible in ListGrants.
    let c = w.call_as(ADMIN, None);
    let grants = w
        .kms_request(&c, "ListGrants", &json!({"KeyId": KEY}))
        .unwrap();
    assert_eq!(grants["Grants"].as_array().unwrap().len(), 1);
    assert_eq!(
        grants["Grants"][0]["GranteePrincipal"],
        "sagemaker.us-east-1.amazonaws.com"
    );
    let gid = grants["Grants"][0]["GrantId"].as_str().unwrap().to_string();
    w.advance(120_000);
    w.feature_store_call(USER, "PutRecord", &put("o-1", 1_767_225_700.0))
        .unwrap();
    let got = w
        .feature_store_call(
            USER,
            "GetRecord",
            &json!({"FeatureGroupName": "orders", "RecordIdentifierValueAsString": "o-1"}),
        )
        .unwrap();
    assert_eq!(got["Record"][2]["ValueAsString"], "4111-SECRET-1111");
    // The online store holds ciphertext only.
    let stored: Vec<u8> = w
        .storage
        .scan(Table::OnlineStore, "")
        .into_iter()
        .flat_map(|(_, v)| v.to_vec())
        .collect();
    assert!(!stored.is_empty());
    assert!(
        !stored.windows(6).any(|x| x == b"SECRET"),
        "plaintext reached storage"
    );
    // Each data-plane call decrypted the data key through KMS on the caller's behalf.
    let decrypts: Vec<_> = w
        .kms_requests
        .iter()
        .filter(|r| r.operation == "Decrypt")
        .collect();
    assert_eq!(decrypts.len(), 2);
    assert!(decrypts
        .iter()
        .all(|r| r.caller == USER && r.via_service.as_deref() == Some("sagemaker")));
    // A caller with sagemaker:GetRecord but no kms:Decrypt on the key is refused.
    let e = w
        .feature_store_call(
            READER,
            "GetRecord",
            &json!({"FeatureGroupName": "orders", "RecordIdentifierValueAsString": "o-1"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "AccessForbidden");
    assert!(e.message.contains("kms:Decrypt"), "{}", e.message);
    // Revoking the grant breaks the store (after propagation) until it is repaired.
    let c = w.call_as(ADMIN, None);
    w.kms_request(&c, "RevokeGrant", &json!({"KeyId": KEY, "GrantId": gid}))
        .unwrap();
    w.advance(120_000);
    let e = w
        .feature_store_call(USER, "PutRecord", &put("o-2", 1_767_225_800.0))
        .unwrap_err();
    assert_eq!(e.code, "AccessForbidden");
    assert!(e.message.contains("revoked or retired"), "{}", e.message);
    let c = w.call_as(ROOT, None);
    w.kms_request(&c, "CreateGrant", &json!({
        "KeyId": KEY, "GranteePrincipal": "sagemaker.us-east-1.amazonaws.com",
        "Operations": ["Decrypt", "Encrypt", "GenerateDataKey", "ReEncryptFrom", "ReEncryptTo", "DescribeKey", "RetireGrant"],
        "Constraints": {"EncryptionContextSubset": {"aws:sagemaker:feature-group-arn": "arn:aws:sagemaker:us-east-1:111122223333:feature-group/orders"}}
    })).unwrap();
    w.advance(120_000);
    w.feature_store_call(USER, "PutRecord", &put("o-2", 1_767_225_800.0))
        .unwrap();
}

#[test]
fn event_time_and_deletes() {
    let mut w = world(&seed_policy(), false);
    w.feature_store_call(USER, "CreateFeatureGroup", &create_input(None, false))
        .unwrap();
    w.feature_store_call(USER, "PutRecord", &put("o-1", 200.0))
        .unwrap();
    // An older event time is historic: the online record keeps the newer one.
    let mut old = put("o-1", 100.0);
    old["Record"][3]["ValueAsString"] = json!("99");
    w.feature_store_call(USER, "PutRecord", &old).unwrap();
    let get = json!({"FeatureGroupName": "orders", "RecordIdentifierValueAsString": "o-1", "FeatureNames": ["amount"]});
    assert_eq!(
        w.feature_store_call(USER, "GetRecord", &get).unwrap(),
        json!({"Record": [{"FeatureName": "amount", "ValueAsString": "12.5"}]})
    );
    // HardDelete with an older EventTime is a ValidationError; SoftDelete hides the record.
    let e = w.feature_store_call(USER, "DeleteRecord", &json!({"FeatureGroupName": "orders", "RecordIdentifierValueAsString": "o-1", "EventTime": "150", "DeletionMode": "HardDelete"})).unwrap_err();
    assert_eq!(e.code, "ValidationError");
    w.feature_store_call(USER, "DeleteRecord", &json!({"FeatureGroupName": "orders", "RecordIdentifierValueAsString": "o-1", "EventTime": "300"})).unwrap();
    assert_eq!(
        w.feature_store_call(USER, "GetRecord", &get).unwrap(),
        json!({})
    );
    // Unknown features and bad types are ValidationError.
    let mut bad = put("o-3", 1.0);
    bad["Record"][3]["ValueAsString"] = json!("lots");
    assert_eq!(
        w.feature_store_call(USER, "PutRecord", &bad)
            .unwrap_err()
            .code,
        "ValidationError"
    );
    // BatchGetRecord reports per record.
    let b = w
        .feature_store_call(
            USER,
            "BatchGetRecord",
            &json!({"Identifiers": [
                {"FeatureGroupName": "orders", "RecordIdentifiersValueAsString": ["o-1", "o-9"]},
                {"FeatureGroupName": "missing", "RecordIdentifiersValueAsString": ["x"]}
            ]}),
        )
        .unwrap();
    assert_eq!(b["Records"], json!([]));
    assert_eq!(b["Errors"][0]["ErrorCode"], "ResourceNotFound");
    // AWS owned key: no KMS request shows up in the customer's trail or request log.
    assert!(w.kms_requests.is_empty());
}

#[test]
fn create_feature_group_validations() {
    let mut w = world(&seed_policy(), false);
    let key_id = create_input(Some("1234abcd-12ab-34cd-56ef-1234567890ab"), false);
    let e = w
        .feature_store_call(USER, "CreateFeatureGroup", &key_id)
        .unwrap_err();
    assert!(e.message.contains("must be a KMS key ARN"), "{}", e.message);
    let mut no_store = create_input(None, false);
    no_store
        .as_object_mut()
        .unwrap()
        .remove("OnlineStoreConfig");
    let e = w
        .feature_store_call(USER, "CreateFeatureGroup", &no_store)
        .unwrap_err();
    assert_eq!(e.message, "You must include at least one of OnlineStoreConfig and OfflineStoreConfig to create a FeatureGroup.");
    let mut reserved = create_input(None, false);
    reserved["FeatureDefinitions"][2]["FeatureName"] = json!("is_deleted");
    assert_eq!(
        w.feature_store_call(USER, "CreateFeatureGroup", &reserved)
            .unwrap_err()
            .code,
        "ValidationException"
    );
    // Asymmetric keys are rejected.
    let rsa = "arn:aws:kms:us-east-1:111122223333:key/rsa-key";
    w.kms
        .add_key(
            KeySeed {
                arn: rsa.into(),
                description: String::new(),
                spec: KeySpec::Rsa2048,
                usage: KeyUsage::EncryptDecrypt,
                state: KeyState::Enabled,
                manager: KeyManager::Customer,
                policy: seed_policy(),
                rotation_enabled: false,
            },
            0,
        )
        .unwrap();
    let e = w
        .feature_store_call(USER, "CreateFeatureGroup", &create_input(Some(rsa), false))
        .unwrap_err();
    assert!(e.message.contains("only symmetric"), "{}", e.message);
    // The verbatim seed policy (root statement for `123456789`) does not delegate to IAM, and its
    // kms:RetireGrant and kms:ListAliases entries have no effect in a key policy: CreateFeatureGroup names the
    // first of the eleven permissions the user lacks.
    let verbatim = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/seed-key-policy.json"
    ))
    .unwrap();
    let mut w2 = world(&verbatim, false);
    let e = w2
        .feature_store_call(USER, "CreateFeatureGroup", &create_input(Some(KEY), false))
        .unwrap_err();
    assert!(
        e.message.contains("missing kms:RevokeGrant"),
        "{}",
        e.message
    );
}

#[test]
fn a_via_service_key_shared_by_both_stores_fails_create_feature_group() {
    // The role is in the key policy too, under the same kms:ViaService condition: S3 (not SageMaker) calls
    // KMS for the offline store, so the condition fails (the seed page's note).
    let p = seed_policy().replace(
        r#""Principal": {"AWS": "arn:aws:iam::111122223333:user/featurestore-user"}"#,
        r#""Principal": {"AWS": ["arn:aws:iam::111122223333:user/featurestore-user", "arn:aws:iam::111122223333:role/featurestore-offline"]}"#,
    );
    // No delegation to IAM (so the role's IAM allow has no effect), and the user gets kms:RevokeGrant through
    // Feature Store too.
    let p = p.replace(
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::999999999999:root",
    );
    let p = p.replace(
        r#""kms:ListGrants" ]"#,
        r#""kms:ListGrants", "kms:RevokeGrant" ]"#,
    );
    assert!(p.contains("featurestore-offline"));
    let mut w = world(&p, false);
    let e = w
        .feature_store_call(USER, "CreateFeatureGroup", &create_input(Some(KEY), true))
        .unwrap_err();
    assert_eq!(e.code, "ValidationException");
    assert!(e.message.contains("kms:GenerateDataKey"), "{}", e.message);
    assert!(e.answer.unwrap().missing_context_keys.is_empty());
}

#[test]
fn bucket_keys_cut_kms_requests_for_the_offline_store() {
    let count = |bucket_key: bool| {
        let mut w = world(&seed_policy(), bucket_key);
        w.feature_store_call(USER, "CreateFeatureGroup", &create_input(None, true))
            .unwrap();
        for i in 0..50 {
            w.feature_store_call(
                USER,
                "PutRecord",
                &put(&format!("o-{i}"), 1000.0 + f64::from(i)),
            )
            .unwrap();
            w.advance(1_000);
        }
        let g = w.feature_store.groups[0].offline.as_ref().unwrap();
        assert_eq!(g.status, "Active");
        assert_eq!(g.objects, 50);
        w.kms_requests
            .iter()
            .filter(|r| r.operation == "GenerateDataKey" && r.via_service.as_deref() == Some("s3"))
            .count()
    };
    assert_eq!(count(false), 50);
    assert_eq!(count(true), 1);
}

#[test]
fn cross_account_reads_need_the_share_iam_and_the_key_policy() {
    let with_dev = seed_policy().replace(
        r#"{"Sid": "Enable IAM User Permissions""#,
        r#"{"Sid": "Developer account", "Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "kms:Decrypt", "Resource": "*"}, {"Sid": "Enable IAM User Permissions""#,
    );
    let mut w = world(&with_dev, false);
    let arn = w
        .feature_store_call(USER, "CreateFeatureGroup", &create_input(Some(KEY), false))
        .unwrap()["FeatureGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    w.advance(120_000);
    w.feature_store_call(USER, "PutRecord", &put("o-1", 1.0))
        .unwrap();
    let get = json!({"FeatureGroupName": arn, "RecordIdentifierValueAsString": "o-1"});
    // No share: "no resource-based policy allows sagemaker:GetRecord".
    let e = w.feature_store_call(DEV, "GetRecord", &get).unwrap_err();
    assert!(
        e.message
            .contains("because no resource-based policy allows the sagemaker:GetRecord action"),
        "{}",
        e.message
    );
    w.feature_store
        .shares
        .push(kmslab_core::featurestore::Share {
            feature_group_arn: arn.clone(),
            principals: vec!["444455556666".into()],
            permission: kmslab_core::featurestore::SharePermission::ReadOnly,
        });
    assert_eq!(
        w.feature_store_call(DEV, "GetRecord", &get).unwrap()["Record"][0]["ValueAsString"],
        "o-1"
    );
    // ReadOnly does not allow writes.
    let mut p = put("o-2", 2.0);
    p["FeatureGroupName"] = json!(arn);
    assert_eq!(
        w.feature_store_call(DEV, "PutRecord", &p).unwrap_err().code,
        "AccessDeniedException"
    );
}

#[test]
fn a_new_store_works_at_once_and_offline_objects_use_the_store_key() {
    let mut w = world(&seed_policy(), false);
    // The bucket's default key is another key; the offline store names KEY.
    let other = "arn:aws:kms:us-east-1:111122223333:key/other-default-key";
    w.kms
        .add_key(
            KeySeed {
                arn: other.into(),
                description: String::new(),
                spec: KeySpec::SymmetricDefault,
                usage: KeyUsage::EncryptDecrypt,
                state: KeyState::Enabled,
                manager: KeyManager::Customer,
                policy: seed_policy(),
                rotation_enabled: false,
            },
            0,
        )
        .unwrap();
    w.s3.buckets[0].kms_key_arn = Some(other.into());
    w.feature_store_call(USER, "CreateFeatureGroup", &create_input(Some(KEY), true))
        .unwrap();
    // Feature Store holds its grant's token: no propagation wait for its own grant (K1).
    w.feature_store_call(USER, "PutRecord", &put("o-1", 1.0))
        .unwrap();
    let s3_keys: Vec<_> = w
        .kms_requests
        .iter()
        .filter(|r| r.via_service.as_deref() == Some("s3") && r.operation == "GenerateDataKey")
        .map(|r| r.key_arn.clone().unwrap())
        .collect();
    assert_eq!(
        s3_keys,
        vec![KEY.to_string()],
        "the offline store's KmsKeyId encrypts its objects"
    );
    assert_eq!(
        w.feature_store.groups[0].offline.as_ref().unwrap().status,
        "Active"
    );
}

#[test]
fn every_byte_change_of_a_stored_record_fails_to_decrypt() {
    let mut w = world(&seed_policy(), false);
    w.feature_store_call(USER, "CreateFeatureGroup", &create_input(Some(KEY), false))
        .unwrap();
    w.feature_store_call(USER, "PutRecord", &put("o-1", 1.0))
        .unwrap();
    let get = json!({"FeatureGroupName": "orders", "RecordIdentifierValueAsString": "o-1"});
    let key = w
        .storage
        .scan(Table::OnlineStore, "")
        .first()
        .map(|(k, _)| k.to_string())
        .unwrap();
    let original = w.storage.get(Table::OnlineStore, &key).unwrap().to_vec();
    let mut cases = 0;
    for i in 0..original.len() {
        for bit in 0..8 {
            let mut t = original.clone();
            t[i] ^= 1 << bit;
            w.storage.put(Table::OnlineStore, &key, t);
            let r = w.feature_store_call(USER, "GetRecord", &get);
            let e = r.expect_err("a modified record must never decrypt");
            assert_eq!(e.code, "InternalFailure", "byte {i} bit {bit}");
            cases += 1;
        }
    }
    for len in 0..original.len() {
        w.storage
            .put(Table::OnlineStore, &key, original[..len].to_vec());
        assert_eq!(
            w.feature_store_call(USER, "GetRecord", &get)
                .unwrap_err()
                .code,
            "InternalFailure",
            "truncated to {len}"
        );
        cases += 1;
    }
    println!("stored Feature Store record: {cases} bit flips and truncations rejected");
    w.storage.put(Table::OnlineStore, &key, original);
    assert_eq!(
        w.feature_store_call(USER, "GetRecord", &get).unwrap()["Record"][0]["ValueAsString"],
        "o-1"
    );
    assert!(cases > 100);
}

#[test]
fn record_ttl_expires_with_the_simulated_clock() {
    let mut w = world(&seed_policy(), false);
    let mut create = create_input(None, false);
    create["OnlineStoreConfig"]["TtlDuration"] = json!({"Unit": "Hours", "Value": 1});
    w.feature_store_call(USER, "CreateFeatureGroup", &create)
        .unwrap();
    // EventTime = the simulated clock (2026-01-01T00:00:00Z)
    w.feature_store_call(USER, "PutRecord", &put("o-1", 1_767_225_600.0))
        .unwrap();
    let mut short = put("o-2", 1_767_225_600.0);
    short["TtlDuration"] = json!({"Unit": "Minutes", "Value": 1});
    w.feature_store_call(USER, "PutRecord", &short).unwrap();
    let get = |id: &str| json!({"FeatureGroupName": "orders", "RecordIdentifierValueAsString": id, "ExpirationTimeResponse": "Enabled"});
    assert_eq!(
        w.feature_store_call(USER, "GetRecord", &get("o-1"))
            .unwrap()["ExpiresAt"],
        "2026-01-01T01:00:00Z"
    );
    assert_eq!(
        w.feature_store_call(USER, "GetRecord", &get("o-2"))
            .unwrap()["ExpiresAt"],
        "2026-01-01T00:01:00Z"
    );
    w.advance(2 * 60_000);
    assert_eq!(
        w.feature_store_call(USER, "GetRecord", &get("o-2"))
            .unwrap(),
        json!({}),
        "record-level TTL supersedes the group's"
    );
    assert!(w
        .feature_store_call(USER, "GetRecord", &get("o-1"))
        .unwrap()
        .get("Record")
        .is_some());
    w.advance(3_600_000);
    assert_eq!(
        w.feature_store_call(USER, "GetRecord", &get("o-1"))
            .unwrap(),
        json!({})
    );
    let mut bad = put("o-3", 1.0);
    bad["TtlDuration"] = json!({"Unit": "Fortnights", "Value": 1});
    assert_eq!(
        w.feature_store_call(USER, "PutRecord", &bad)
            .unwrap_err()
            .code,
        "ValidationError"
    );
}
