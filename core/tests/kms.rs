//! The KMS model end to end: key policies, IAM, grants, key states and real envelope encryption.
//! Expected codes and messages cite BOTO-KMS and KMS-DG (see ../shared/reference/aws-semantics.md §3).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_core::evaluation::PolicySource;
use kmslab_core::iam::{Directory, IamPrincipal};
use kmslab_core::kms::crypto::SeededEntropy;
use kmslab_core::kms::{Call, KeyManager, KeySeed, KeySpec, KeyState, KeyUsage, Kms, KmsError};
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER: &str = "arn:aws:iam::111122223333:user/featurestore-user";
const ADMIN: &str = "arn:aws:sts::111122223333:assumed-role/featurestore-admin/alice";
const ROOT: &str = "arn:aws:iam::111122223333:root";
const ANALYST: &str = "arn:aws:iam::111122223333:user/analyst";

fn seed_policy(corrected: bool) -> String {
    let p = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/seed-key-policy.json"
    ))
    .unwrap();
    if corrected {
        p.replace(
            "arn:aws:iam::123456789:root",
            "arn:aws:iam::111122223333:root",
        )
    } else {
        p
    }
}

fn directory() -> Directory {
    let mut d = Directory::default();
    d.accounts
        .insert("111122223333".into(), "production".into());
    d.accounts.insert("444455556666".into(), "developer".into());
    let allow_all_kms = PolicySource {
        id: "AllowKms".into(),
        text: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#.into(),
    };
    d.principals.push(IamPrincipal {
        arn: USER.into(),
        ..Default::default()
    });
    d.principals.push(IamPrincipal {
        arn: "arn:aws:iam::111122223333:role/featurestore-admin".into(),
        ..Default::default()
    });
    d.principals.push(IamPrincipal {
        arn: ANALYST.into(),
        identity_policies: vec![allow_all_kms],
        ..Default::default()
    });
    d
}

fn kms(corrected: bool) -> Kms {
    let mut k = Kms::new("aws", "us-east-1", Box::new(SeededEntropy::new([7; 32]))).unwrap();
    k.add_key(
        KeySeed {
            arn: KEY.into(),
            description: "feature store".into(),
            spec: KeySpec::SymmetricDefault,
            usage: KeyUsage::EncryptDecrypt,
            state: KeyState::Enabled,
            manager: KeyManager::Customer,
            policy: seed_policy(corrected),
            rotation_enabled: false,
        },
        0,
    )
    .unwrap();
    k
}

fn call(principal: &str, via: Option<&str>, now_ms: i64) -> Call {
    Call {
        principal: principal.into(),
        via_service: via.map(String::from),
        session_policy: None,
        now_ms,
    }
}

fn code(r: &Result<Value, KmsError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn feature_store_user_encrypts_and_decrypts_only_through_sagemaker() {
    let d = directory();
    let mut k = kms(false);
    let via = call(USER, Some("sagemaker"), 0);
    let ec = json!({"aws:featurestore:fg": "orders"});
    let out = k
        .call(
            &d,
            &via,
            "Encrypt",
            &json!({"KeyId": KEY, "Plaintext": "aGVsbG8=", "EncryptionContext": ec}),
        )
        .unwrap();
    assert_eq!(out["KeyId"], KEY);
    let blob = out["CiphertextBlob"].as_str().unwrap().to_string();
    // Decrypt needs no KeyId: the blob names its key.
    let plain = k
        .call(
            &d,
            &via,
            "Decrypt",
            &json!({"CiphertextBlob": blob, "EncryptionContext": ec}),
        )
        .unwrap();
    assert_eq!(plain["Plaintext"], "aGVsbG8=");
    assert_eq!(plain["KeyId"], KEY);
    // Direct call by the same user: the key policy's kms:ViaService condition does not hold.
    let direct = k.call(
        &d,
        &call(USER, None, 0),
        "Decrypt",
        &json!({"CiphertextBlob": blob, "EncryptionContext": ec}),
    );
    let err = direct.unwrap_err();
    assert_eq!(err.code(), "AccessDeniedException");
    assert_eq!(
        err.message(),
        format!("User: {USER} is not authorized to perform: kms:Decrypt on resource: {KEY} because no resource-based policy allows the kms:Decrypt action")
    );
    assert_eq!(
        err.answer().unwrap().missing_context_keys,
        vec!["kms:ViaService".to_string()]
    );
    // Wrong encryption context: InvalidCiphertextException with AWS's empty message.
    let wrong = k.call(
        &d,
        &via,
        "Decrypt",
        &json!({"CiphertextBlob": blob, "EncryptionContext": {"aws:featurestore:fg": "Orders"}}),
    );
    let e = wrong.unwrap_err();
    assert_eq!(e.code(), "InvalidCiphertextException");
    assert_eq!(e.message(), "");
    // The authorization that was made is recorded with its trace.
    assert_eq!(k.authorizations.len(), 1);
    assert_eq!(k.authorizations[0].action, "kms:Decrypt");
    assert!(k.authorizations[0].answer.trace.is_some());
}

#[test]
fn iam_policies_count_only_when_the_key_policy_delegates_to_the_account() {
    let d = directory();
    // The seed's root statement names `123456789`: the analyst's IAM policy has no effect.
    let mut k = kms(false);
    let r = k.call(
        &d,
        &call(ANALYST, None, 0),
        "DescribeKey",
        &json!({"KeyId": KEY}),
    );
    assert_eq!(code(&r), "AccessDeniedException");
    // Corrected root statement: IAM policies now work.
    let mut k = kms(true);
    let r = k
        .call(
            &d,
            &call(ANALYST, None, 0),
            "DescribeKey",
            &json!({"KeyId": KEY}),
        )
        .unwrap();
    assert_eq!(r["KeyMetadata"]["KeyState"], "Enabled");
    assert_eq!(r["KeyMetadata"]["KeyManager"], "CUSTOMER");
    assert_eq!(
        r["KeyMetadata"]["EncryptionAlgorithms"],
        json!(["SYMMETRIC_DEFAULT"])
    );
}

#[test]
fn key_states_give_aws_errors() {
    let d = directory();
    let mut k = kms(true);
    let root = call(ROOT, None, 0);
    let enc = json!({"KeyId": KEY, "Plaintext": "aGk="});
    let blob = k.call(&d, &root, "Encrypt", &enc).unwrap()["CiphertextBlob"].clone();
    k.call(&d, &root, "DisableKey", &json!({"KeyId": KEY}))
        .unwrap();
    let e = k.call(&d, &root, "Encrypt", &enc).unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        ("DisabledException", format!("{KEY} is disabled."))
    );
    // DescribeKey works in any state (KMS-DG/key-state.md).
    assert_eq!(
        k.call(&d, &root, "DescribeKey", &json!({"KeyId": KEY}))
            .unwrap()["KeyMetadata"]["Enabled"],
        false
    );
    k.call(&d, &root, "EnableKey", &json!({"KeyId": KEY}))
        .unwrap();
    let s = k
        .call(
            &d,
            &root,
            "ScheduleKeyDeletion",
            &json!({"KeyId": KEY, "PendingWindowInDays": 7}),
        )
        .unwrap();
    assert_eq!(s["KeyState"], "PendingDeletion");
    assert_eq!(s["DeletionDate"], json!(7.0 * 86400.0));
    let e = k
        .call(&d, &root, "Decrypt", &json!({"CiphertextBlob": blob}))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (
            "KMSInvalidStateException",
            format!("{KEY} is pending deletion.")
        )
    );
    let e = k
        .call(&d, &root, "ScheduleKeyDeletion", &json!({"KeyId": KEY}))
        .unwrap_err();
    assert_eq!(e.code(), "KMSInvalidStateException");
    k.call(&d, &root, "CancelKeyDeletion", &json!({"KeyId": KEY}))
        .unwrap();
    assert_eq!(
        k.key_by_arn(KEY).unwrap().state,
        KeyState::Disabled,
        "CancelKeyDeletion leaves the key disabled"
    );
    let e = k
        .call(&d, &root, "CancelKeyDeletion", &json!({"KeyId": KEY}))
        .unwrap_err();
    assert_eq!(e.message(), format!("{KEY} is not pending deletion."));
    let e = k
        .call(
            &d,
            &root,
            "ScheduleKeyDeletion",
            &json!({"KeyId": KEY, "PendingWindowInDays": 3}),
        )
        .unwrap_err();
    assert_eq!(e.code(), "ValidationException");
}

#[test]
fn the_admin_can_revoke_and_list_but_not_use_the_key() {
    let d = directory();
    let mut k = kms(false);
    let admin = call(ADMIN, None, 0);
    assert_eq!(
        code(&k.call(&d, &admin, "ListGrants", &json!({"KeyId": KEY}))),
        "ok"
    );
    assert_eq!(
        code(&k.call(&d, &admin, "GetKeyPolicy", &json!({"KeyId": KEY}))),
        "ok"
    );
    assert_eq!(
        code(&k.call(
            &d,
            &admin,
            "Encrypt",
            &json!({"KeyId": KEY, "Plaintext": "aGk="})
        )),
        "AccessDeniedException"
    );
    assert_eq!(
        code(&k.call(&d, &admin, "DisableKey", &json!({"KeyId": KEY}))),
        "AccessDeniedException"
    );
}

#[test]
fn grants_allow_after_propagation_or_with_a_token_and_stop_after_revocation() {
    let d = directory();
    let mut k = kms(true);
    let root = call(ROOT, None, 0);
    let ec = json!({"fg": "orders"});
    let blob = k
        .call(
            &d,
            &root,
            "Encrypt",
            &json!({"KeyId": KEY, "Plaintext": "aGk=", "EncryptionContext": ec}),
        )
        .unwrap()["CiphertextBlob"]
        .clone();
    // A principal with no IAM policy and no key-policy statement.
    let grantee = "arn:aws:iam::111122223333:role/featurestore-admin";
    let g = k
        .call(
            &d,
            &root,
            "CreateGrant",
            &json!({
                "KeyId": KEY, "GranteePrincipal": grantee, "Operations": ["Decrypt"],
                "Constraints": {"EncryptionContextSubset": {"FG": "orders"}}
            }),
        )
        .unwrap();
    let token = g["GrantToken"].as_str().unwrap().to_string();
    let id = g["GrantId"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 64);
    let dec = json!({"CiphertextBlob": blob, "EncryptionContext": ec});
    let session = "arn:aws:sts::111122223333:assumed-role/featurestore-admin/bob";
    // Not yet consistent: denied; with the token: allowed at once (KMS-DG/grants.md, eventual consistency).
    assert_eq!(
        code(&k.call(&d, &call(session, None, 1_000), "Decrypt", &dec)),
        "AccessDeniedException"
    );
    let mut with_token = dec.clone();
    with_token["GrantTokens"] = json!([token]);
    assert_eq!(
        code(&k.call(&d, &call(session, None, 1_000), "Decrypt", &with_token)),
        "ok"
    );
    // After the propagation delay the grant works without the token.
    let later = 120_000;
    assert_eq!(
        code(&k.call(&d, &call(session, None, later), "Decrypt", &dec)),
        "ok"
    );
    // The constraint: keys case-insensitive ("FG" ~ "fg"), values case-sensitive.
    let other = k
        .call(
            &d,
            &root,
            "Encrypt",
            &json!({"KeyId": KEY, "Plaintext": "aGk=", "EncryptionContext": {"fg": "Orders"}}),
        )
        .unwrap()["CiphertextBlob"]
        .clone();
    let r = k.call(
        &d,
        &call(session, None, later),
        "Decrypt",
        &json!({"CiphertextBlob": other, "EncryptionContext": {"fg": "Orders"}}),
    );
    assert_eq!(code(&r), "AccessDeniedException");
    // ListGrants shows it, in AWS's shape.
    let list = k
        .call(
            &d,
            &call(ADMIN, None, later),
            "ListGrants",
            &json!({"KeyId": KEY}),
        )
        .unwrap();
    assert_eq!(list["Grants"][0]["GrantId"], id);
    assert_eq!(list["Grants"][0]["Operations"], json!(["Decrypt"]));
    // The admin revokes it; it keeps working for the propagation delay, then stops.
    k.call(
        &d,
        &call(ADMIN, None, later),
        "RevokeGrant",
        &json!({"KeyId": KEY, "GrantId": id}),
    )
    .unwrap();
    assert_eq!(
        code(&k.call(&d, &call(session, None, later + 1_000), "Decrypt", &dec)),
        "ok"
    );
    assert_eq!(
        code(&k.call(&d, &call(session, None, later + 120_000), "Decrypt", &dec)),
        "AccessDeniedException"
    );
    assert_eq!(
        k.call(
            &d,
            &call(ADMIN, None, later),
            "ListGrants",
            &json!({"KeyId": KEY})
        )
        .unwrap()["Grants"],
        json!([])
    );
    // A tampered grant token is rejected.
    let mut bad = token.into_bytes();
    bad[10] ^= 1;
    let mut tampered = dec.clone();
    tampered["GrantTokens"] = json!([String::from_utf8(bad).unwrap()]);
    assert_eq!(
        code(&k.call(&d, &call(session, None, later), "Decrypt", &tampered)),
        "InvalidGrantTokenException"
    );
}

#[test]
fn grant_names_make_create_grant_idempotent_and_child_grants_are_narrower() {
    let d = directory();
    let mut k = kms(true);
    let root = call(ROOT, None, 0);
    let req = json!({"KeyId": KEY, "GranteePrincipal": ANALYST, "Operations": ["Decrypt", "CreateGrant"], "Name": "fs-orders"});
    let a = k.call(&d, &root, "CreateGrant", &req).unwrap();
    let b = k.call(&d, &root, "CreateGrant", &req).unwrap();
    assert_eq!(a["GrantId"], b["GrantId"]);
    assert_ne!(
        a["GrantToken"], b["GrantToken"],
        "every CreateGrant returns a new token"
    );
    // A principal allowed CreateGrant only by a grant may create narrower grants only.
    let mut d2 = directory();
    d2.principals.retain(|p| p.arn != ANALYST);
    d2.principals.push(IamPrincipal {
        arn: ANALYST.into(),
        ..Default::default()
    });
    let an = call(ANALYST, None, 120_000);
    let narrower = json!({"KeyId": KEY, "GranteePrincipal": USER, "Operations": ["Decrypt"]});
    assert_eq!(code(&k.call(&d2, &an, "CreateGrant", &narrower)), "ok");
    let wider =
        json!({"KeyId": KEY, "GranteePrincipal": USER, "Operations": ["Decrypt", "Encrypt"]});
    assert_eq!(
        code(&k.call(&d2, &an, "CreateGrant", &wider)),
        "AccessDeniedException"
    );
    let bad_op = json!({"KeyId": KEY, "GranteePrincipal": USER, "Operations": ["Sign"]});
    assert_eq!(
        code(&k.call(&d, &root, "CreateGrant", &bad_op)),
        "ValidationException"
    );
}

#[test]
fn retiring_principals_retire_and_the_seed_user_cannot_via_key_policy_alone() {
    let d = directory();
    let mut k = kms(true);
    let root = call(ROOT, None, 0);
    let g = k
        .call(&d, &root, "CreateGrant", &json!({"KeyId": KEY, "GranteePrincipal": ANALYST, "RetiringPrincipal": USER, "Operations": ["Decrypt"]}))
        .unwrap();
    let id = g["GrantId"].as_str().unwrap();
    // The retiring principal retires it by KeyId + GrantId.
    assert_eq!(
        code(&k.call(
            &d,
            &call(USER, None, 0),
            "RetireGrant",
            &json!({"KeyId": KEY, "GrantId": id})
        )),
        "ok"
    );
    assert_eq!(
        code(&k.call(
            &d,
            &call(USER, None, 0),
            "RetireGrant",
            &json!({"KeyId": KEY, "GrantId": id})
        )),
        "NotFoundException"
    );
}

#[test]
fn create_key_checks_the_policy_like_kms() {
    let d = directory();
    let mut k = kms(true);
    let an = call(ANALYST, None, 0);
    // The seed page's policy verbatim: its root statement names `123456789`.
    let e = k
        .call(&d, &an, "CreateKey", &json!({"Policy": seed_policy(false)}))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (
            "MalformedPolicyDocumentException",
            "Policy contains a statement with one or more invalid principals.".to_string()
        )
    );
    // A policy that would lock the caller out.
    let lockout = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/featurestore-user"},"Action":"kms:Decrypt","Resource":"*"}]}"#;
    let e = k
        .call(&d, &an, "CreateKey", &json!({"Policy": lockout}))
        .unwrap_err();
    assert_eq!(
        e.message(),
        "The new key policy will not allow you to update the key policy in the future."
    );
    let ok = k
        .call(
            &d,
            &an,
            "CreateKey",
            &json!({"Policy": lockout, "BypassPolicyLockoutSafetyCheck": true}),
        )
        .unwrap();
    assert_eq!(ok["KeyMetadata"]["KeyState"], "Enabled");
    // Default policy, asymmetric key: GenerateDataKey is InvalidKeyUsageException.
    let rsa = k
        .call(
            &d,
            &an,
            "CreateKey",
            &json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
        )
        .unwrap();
    let rsa_arn = rsa["KeyMetadata"]["Arn"].as_str().unwrap();
    let e = k
        .call(
            &d,
            &an,
            "GenerateDataKey",
            &json!({"KeyId": rsa_arn, "KeySpec": "AES_256"}),
        )
        .unwrap_err();
    assert_eq!(e.code(), "InvalidKeyUsageException");
    let e = k
        .call(
            &d,
            &an,
            "GenerateDataKey",
            &json!({"KeyId": rsa_arn, "KeySpec": "AES_256", "NumberOfBytes": 32}),
        )
        .unwrap_err();
    assert_eq!(
        e.message(),
        "Please specify either number of bytes or key spec."
    );
    // Oversized policy: LimitExceededException.
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{ROOT}"}},"Action":"kms:*","Resource":"*","Sid":"{}"}}]}}"#,
        "x".repeat(33_000)
    );
    assert_eq!(
        code(&k.call(&d, &an, "CreateKey", &json!({"Policy": big}))),
        "LimitExceededException"
    );
    // No IAM permission for CreateKey: the user has none.
    assert_eq!(
        code(&k.call(&d, &call(USER, None, 0), "CreateKey", &json!({}))),
        "AccessDeniedException"
    );
}

#[test]
fn data_keys_and_reencrypt() {
    let d = directory();
    let mut k = kms(true);
    let root = call(ROOT, None, 0);
    let dk = k
        .call(
            &d,
            &root,
            "GenerateDataKey",
            &json!({"KeyId": KEY, "KeySpec": "AES_256", "EncryptionContext": {"a": "b"}}),
        )
        .unwrap();
    let plain = dk["Plaintext"].as_str().unwrap().to_string();
    assert_eq!(
        kmslab_core::policy::values::base64_decode(&plain)
            .unwrap()
            .len(),
        32
    );
    let back = k
        .call(
            &d,
            &root,
            "Decrypt",
            &json!({"CiphertextBlob": dk["CiphertextBlob"], "EncryptionContext": {"a": "b"}}),
        )
        .unwrap();
    assert_eq!(back["Plaintext"], plain);
    let no_plain = k
        .call(
            &d,
            &root,
            "GenerateDataKeyWithoutPlaintext",
            &json!({"KeyId": KEY, "NumberOfBytes": 64}),
        )
        .unwrap();
    assert!(no_plain.get("Plaintext").is_none());
    let other = k.call(&d, &root, "CreateKey", &json!({})).unwrap()["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    let re = k
        .call(&d, &root, "ReEncrypt", &json!({"CiphertextBlob": dk["CiphertextBlob"], "SourceEncryptionContext": {"a": "b"}, "DestinationKeyId": other}))
        .unwrap();
    assert_eq!(re["SourceKeyId"], KEY);
    assert_eq!(re["KeyId"], other);
    assert_eq!(
        k.call(
            &d,
            &root,
            "Decrypt",
            &json!({"CiphertextBlob": re["CiphertextBlob"]})
        )
        .unwrap()["Plaintext"],
        plain
    );
    // Naming the wrong key in Decrypt is IncorrectKeyException.
    let e = k
        .call(
            &d,
            &root,
            "Decrypt",
            &json!({"CiphertextBlob": re["CiphertextBlob"], "KeyId": KEY}),
        )
        .unwrap_err();
    assert_eq!(e.code(), "IncorrectKeyException");
    // A flipped bit anywhere in the blob is InvalidCiphertextException, never wrong plaintext.
    let raw =
        kmslab_core::policy::values::base64_decode(dk["CiphertextBlob"].as_str().unwrap()).unwrap();
    for i in 0..raw.len() {
        let mut t = raw.clone();
        t[i] ^= 0x01;
        let r = k.call(&d, &root, "Decrypt", &json!({"CiphertextBlob": kmslab_core::policy::values::base64_encode(&t), "EncryptionContext": {"a": "b"}}));
        assert_eq!(code(&r), "InvalidCiphertextException", "byte {i}");
    }
}

#[test]
fn aliases_and_list_aliases_is_iam_only() {
    let d = directory();
    let mut k = kms(true);
    let an = call(ANALYST, None, 0);
    k.call(
        &d,
        &an,
        "CreateAlias",
        &json!({"AliasName": "alias/orders", "TargetKeyId": KEY}),
    )
    .unwrap();
    let l = k.call(&d, &an, "ListAliases", &json!({})).unwrap();
    assert_eq!(l["Aliases"][0]["AliasName"], "alias/orders");
    assert_eq!(
        l["Aliases"][0]["TargetKeyId"],
        "1234abcd-12ab-34cd-56ef-1234567890ab"
    );
    assert_eq!(
        k.call(&d, &an, "DescribeKey", &json!({"KeyId": "alias/orders"}))
            .unwrap()["KeyMetadata"]["Arn"],
        KEY
    );
    // The seed user's key-policy statement lists kms:ListAliases, but that has no effect: IAM only.
    assert_eq!(
        code(&k.call(
            &d,
            &call(USER, Some("sagemaker"), 0),
            "ListAliases",
            &json!({})
        )),
        "AccessDeniedException"
    );
    assert_eq!(
        code(&k.call(
            &d,
            &an,
            "CreateAlias",
            &json!({"AliasName": "alias/aws/x", "TargetKeyId": KEY})
        )),
        "ValidationException"
    );
    assert_eq!(
        code(&k.call(&d, &an, "DescribeKey", &json!({"KeyId": "alias/missing"}))),
        "NotFoundException"
    );
}

#[test]
fn every_bit_flip_and_truncation_of_a_grant_token_is_rejected() {
    use kmslab_core::policy::values::{base64_decode, base64_encode};
    let d = directory();
    let mut k = kms(true);
    let root = call(ROOT, None, 0);
    let g = k
        .call(
            &d,
            &root,
            "CreateGrant",
            &json!({"KeyId": KEY, "GranteePrincipal": ANALYST, "Operations": ["DescribeKey"]}),
        )
        .unwrap();
    let token = base64_decode(g["GrantToken"].as_str().unwrap()).unwrap();
    let try_token = |k: &mut Kms, t: &[u8]| {
        code(&k.call(
            &d,
            &root,
            "DescribeKey",
            &json!({"KeyId": KEY, "GrantTokens": [base64_encode(t)]}),
        ))
    };
    assert_eq!(try_token(&mut k, &token), "ok");
    let mut cases = 0;
    for i in 0..token.len() {
        for bit in 0..8 {
            let mut t = token.clone();
            t[i] ^= 1 << bit;
            assert_eq!(
                try_token(&mut k, &t),
                "InvalidGrantTokenException",
                "byte {i} bit {bit}"
            );
            cases += 1;
        }
    }
    for len in 0..token.len() {
        assert_eq!(
            try_token(&mut k, &token[..len]),
            "InvalidGrantTokenException",
            "truncated to {len}"
        );
        cases += 1;
    }
    assert!(cases > 400);
    println!("grant token: {cases} bit flips and truncations rejected");
}
