//! CloudTrail records: shapes compared with the verbatim events of ../shared/reference/aws-semantics.md §5.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use kmslab_core::trail::{KmsCall, ServiceCall, Trail, TrailFilter};
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER: &str = "arn:aws:iam::111122223333:user/featurestore-user";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/Admin/user01";
const OTHER: &str = "arn:aws:sts::444455556666:assumed-role/analytics/bob";
const GROUP: &str = "arn:aws:sagemaker:us-east-1:111122223333:feature-group/customers";
/// 2018-02-14T16:42:39Z, the time of the DynamoDB example.
const T: i64 = 1_518_626_559_000;

fn decrypt<'a>(caller: &'a str, error: Option<(&'a str, &'a str)>) -> KmsCall<'a> {
    KmsCall {
        now_ms: T,
        region: "us-east-1",
        caller_arn: caller,
        invoked_by: Some("sagemaker.amazonaws.com"),
        event_name: "Decrypt",
        key_arn: Some(KEY),
        request_parameters: json!({
            "CiphertextBlob": "AQIDAHh…",
            "EncryptionContext": {"aws:sagemaker:featuregroup": "customers", "Plaintext": "x"}
        }),
        response_elements: Some(json!({"KeyId": KEY, "Plaintext": "c2VjcmV0"})),
        error,
        source_ip: None,
        user_agent: None,
        additional_event_data: None,
    }
}

fn put_record(now_ms: i64) -> ServiceCall<'static> {
    ServiceCall {
        now_ms,
        region: "us-east-1",
        caller_arn: USER,
        event_name: "PutRecord",
        resource_arn: Some(GROUP),
        request_parameters: json!({
            "FeatureGroupName": "customers",
            "Record": [{"FeatureName": "ssn", "ValueAsString": "078-05-1120"}]
        }),
        ..ServiceCall::default()
    }
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn decrypt_by_sagemaker_on_a_users_behalf() {
    let mut t = Trail::new(false);
    let ids = t.record_kms(&decrypt(SESSION, None));
    assert_eq!(ids.len(), 1);
    let e = t.events()[0].to_value();
    assert_eq!(e["eventID"], ids[0].as_str());
    assert_eq!(e["eventSource"], "kms.amazonaws.com");
    assert_eq!(e["eventName"], "Decrypt");
    assert_eq!(e["awsRegion"], "us-east-1");
    assert_eq!(e["eventTime"], "2018-02-14T16:42:39Z");
    assert_eq!(e["sourceIPAddress"], "sagemaker.amazonaws.com");
    assert_eq!(e["userAgent"], "sagemaker.amazonaws.com");
    assert_eq!(e["eventType"], "AwsApiCall");
    assert_eq!(e["readOnly"], true);
    assert_eq!(e["managementEvent"], true);
    assert_eq!(e["eventCategory"], "Management");
    assert_eq!(e["recipientAccountId"], "111122223333");
    assert_eq!(e["responseElements"], Value::Null);
    assert!(e.get("sharedEventID").is_none());
    assert!(e.get("errorCode").is_none());
    assert!(
        e.get("tlsDetails").is_none(),
        "a service's call has no TLS details"
    );

    let id = &e["userIdentity"];
    assert_eq!(id["type"], "AssumedRole");
    assert_eq!(id["arn"], SESSION);
    assert_eq!(id["accountId"], "111122223333");
    assert_eq!(id["invokedBy"], "sagemaker.amazonaws.com");
    let pid = id["principalId"].as_str().unwrap();
    assert!(pid.starts_with("AROA") && pid.ends_with(":user01"), "{pid}");
    assert!(id["accessKeyId"].as_str().unwrap().starts_with("ASIA"));
    let issuer = &id["sessionContext"]["sessionIssuer"];
    assert_eq!(issuer["type"], "Role");
    assert_eq!(issuer["arn"], "arn:aws:iam::111122223333:role/Admin");
    assert_eq!(issuer["accountId"], "111122223333");
    assert_eq!(issuer["userName"], "Admin");
    assert_eq!(
        issuer["principalId"].as_str().unwrap(),
        pid.split(':').next().unwrap()
    );
    assert_eq!(
        id["sessionContext"]["attributes"]["mfaAuthenticated"],
        "false"
    );

    assert_eq!(
        e["resources"],
        json!([{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": KEY}])
    );
    // Decrypt always logs the algorithm; the ciphertext and the context's own keys are handled below.
    assert_eq!(
        e["requestParameters"]["encryptionAlgorithm"],
        "SYMMETRIC_DEFAULT"
    );
    assert_eq!(
        e["requestParameters"]["encryptionContext"]["aws:sagemaker:featuregroup"],
        "customers"
    );
}

#[test]
fn iam_user_root_and_service_identities() {
    let mut t = Trail::new(false);
    let direct = KmsCall {
        now_ms: T,
        region: "us-east-1",
        caller_arn: USER,
        event_name: "DescribeKey",
        key_arn: Some(KEY),
        request_parameters: json!({"KeyId": KEY}),
        ..KmsCall::default()
    };
    t.record_kms(&direct);
    t.record_kms(&KmsCall {
        caller_arn: "111122223333",
        ..direct.clone()
    });
    t.record_kms(&KmsCall {
        caller_arn: "dynamodb.amazonaws.com",
        event_name: "GenerateDataKey",
        ..direct.clone()
    });
    let v = t.to_json();
    let user = &v["Records"][0];
    assert_eq!(user["userIdentity"]["type"], "IAMUser");
    assert_eq!(user["userIdentity"]["userName"], "featurestore-user");
    assert!(user["userIdentity"]["principalId"]
        .as_str()
        .unwrap()
        .starts_with("AIDA"));
    assert!(user["userIdentity"]["accessKeyId"]
        .as_str()
        .unwrap()
        .starts_with("AKIA"));
    assert!(user["userIdentity"].get("invokedBy").is_none());
    assert_eq!(user["sourceIPAddress"], "192.0.2.0");
    assert_eq!(user["requestParameters"], json!({"keyId": KEY}));
    assert_eq!(
        user["tlsDetails"]["clientProvidedHostHeader"],
        "kms.us-east-1.amazonaws.com"
    );
    let root = &v["Records"][1];
    assert_eq!(root["userIdentity"]["type"], "Root");
    assert_eq!(
        root["userIdentity"]["arn"],
        "arn:aws:iam::111122223333:root"
    );
    assert_eq!(root["userIdentity"]["principalId"], "111122223333");
    // DDB-DG: `"userIdentity": {"type": "AWSService", "invokedBy": "dynamodb.amazonaws.com"}` + sharedEventID.
    let svc = &v["Records"][2];
    assert_eq!(
        svc["userIdentity"],
        json!({"type": "AWSService", "invokedBy": "dynamodb.amazonaws.com"})
    );
    assert_eq!(svc["sourceIPAddress"], "dynamodb.amazonaws.com");
    assert_eq!(svc["recipientAccountId"], "111122223333");
    assert!(svc["sharedEventID"].is_string());
}

#[test]
fn denied_decrypt_logs_access_denied() {
    let mut t = Trail::new(false);
    let msg = "User: arn:aws:sts::111122223333:assumed-role/Admin/user01 is not authorized to perform: \
               kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab \
               because no resource-based policy allows the kms:Decrypt action";
    t.record_kms(&decrypt(SESSION, Some(("AccessDeniedException", msg))));
    let e = t.events()[0].to_value();
    // §5.2: the API's AccessDeniedException is written `"errorCode": "AccessDenied"`.
    assert_eq!(e["errorCode"], "AccessDenied");
    assert_eq!(e["errorMessage"], msg);
    assert_eq!(e["responseElements"], Value::Null);
    assert_eq!(e["userIdentity"]["invokedBy"], "sagemaker.amazonaws.com");
    assert_eq!(e["sourceIPAddress"], "sagemaker.amazonaws.com");

    // Other codes are written as returned (§5.4).
    t.record_kms(&decrypt(
        SESSION,
        Some((
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.",
        )),
    ));
    assert_eq!(
        t.events()[1].error_code.as_deref(),
        Some("IncorrectKeyException")
    );
}

#[test]
fn cross_account_use_writes_two_events_sharing_an_id() {
    let mut t = Trail::new(false);
    let ids = t.record_kms(&decrypt(OTHER, None));
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    let v = t.to_json();
    let (mine, theirs) = (&v["Records"][0], &v["Records"][1]);
    assert_eq!(mine["recipientAccountId"], "444455556666");
    assert_eq!(theirs["recipientAccountId"], "111122223333");
    assert!(mine["sharedEventID"].is_string());
    assert_eq!(mine["sharedEventID"], theirs["sharedEventID"]);
    assert_eq!(mine["requestID"], theirs["requestID"]);
    assert_eq!(mine["eventID"], ids[0].as_str());
    assert_eq!(theirs["eventID"], ids[1].as_str());
    assert_eq!(mine["userIdentity"]["type"], "AssumedRole");
    assert_eq!(mine["userIdentity"]["arn"], OTHER);
    // The key owner sees another account's principal.
    assert_eq!(theirs["userIdentity"]["type"], "AWSAccount");
    assert_eq!(theirs["userIdentity"]["accountId"], "444455556666");
    assert_eq!(
        theirs["userIdentity"]["principalId"],
        mine["userIdentity"]["principalId"]
    );
    for e in [mine, theirs] {
        assert_eq!(e["resources"][0]["accountId"], "111122223333");
        assert_eq!(e["resources"][0]["ARN"], KEY);
    }
    assert_eq!(
        t.to_json_for("111122223333")["Records"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn data_events_only_when_on() {
    let mut t = Trail::new(false);
    assert!(t.record_featurestore_data(&put_record(T)).is_empty());
    let s3 = ServiceCall {
        now_ms: T,
        region: "us-east-1",
        caller_arn: SESSION,
        invoked_by: Some("sagemaker.amazonaws.com"),
        event_name: "PutObject",
        resource_arn: Some("arn:aws:s3:::offline-store/customers/data.parquet"),
        request_parameters: json!({"bucketName": "offline-store", "key": "customers/data.parquet",
                                   "Host": "offline-store.s3.us-east-1.amazonaws.com"}),
        response_elements: Some(json!({"x-amz-server-side-encryption": "aws:kms"})),
        ..ServiceCall::default()
    };
    assert!(t.record_s3_data(&s3).is_empty());
    assert!(t.is_empty());

    t.set_data_events(true);
    assert_eq!(t.record_featurestore_data(&put_record(T)).len(), 1);
    let e = t.events()[0].to_value();
    // SM-DG/feature-store-logging-using-cloudtrail.md: the documented PutRecord event.
    assert_eq!(e["eventSource"], "sagemaker.amazonaws.com");
    assert_eq!(e["eventName"], "PutRecord");
    assert_eq!(e["eventCategory"], "Data");
    assert_eq!(e["managementEvent"], false);
    assert_eq!(e["readOnly"], false);
    assert_eq!(e["responseElements"], Value::Null);
    assert_eq!(
        e["requestParameters"],
        json!({"featureGroupName": "customers"})
    );
    assert_eq!(
        e["resources"],
        json!([{"accountId": "111122223333", "type": "AWS::SageMaker::FeatureGroup", "ARN": GROUP}])
    );
    assert_eq!(e["userIdentity"]["type"], "IAMUser");
    assert_eq!(
        e["tlsDetails"]["clientProvidedHostHeader"],
        "featurestore-runtime.sagemaker.us-east-1.amazonaws.com"
    );

    assert_eq!(t.record_s3_data(&s3).len(), 1);
    let o = t.events()[1].to_value();
    assert_eq!(o["eventSource"], "s3.amazonaws.com");
    assert_eq!(o["eventCategory"], "Data");
    assert_eq!(
        o["requestParameters"]["Host"],
        "offline-store.s3.us-east-1.amazonaws.com"
    );
    assert_eq!(
        o["responseElements"]["x-amz-server-side-encryption"],
        "aws:kms"
    );
    assert_eq!(o["userIdentity"]["invokedBy"], "sagemaker.amazonaws.com");
    assert_eq!(
        o["resources"],
        json!([
            {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::offline-store/customers/data.parquet"},
            {"accountId": "111122223333", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::offline-store"}
        ])
    );
    let rid = o["requestID"].as_str().unwrap();
    assert!(rid.len() == 16 && rid.bytes().all(|b| b.is_ascii_hexdigit()));

    // Control-plane calls are management events whatever the data-event setting.
    t.set_data_events(false);
    let ids = t.record_sagemaker(&ServiceCall {
        event_name: "DescribeFeatureGroup",
        request_parameters: json!({"FeatureGroupName": "customers"}),
        response_elements: Some(json!({"FeatureGroupArn": GROUP})),
        ..put_record(T)
    });
    assert_eq!(ids.len(), 1);
    let d = t.events()[2].to_value();
    assert_eq!(d["eventCategory"], "Management");
    assert_eq!(d["managementEvent"], true);
    assert_eq!(d["readOnly"], true);
    assert_eq!(d["responseElements"], Value::Null);
}

/// Collects every key and every string of a JSON value.
fn words(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                words(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| words(x, out)),
        Value::String(s) => out.push(s.clone()),
        _ => {}
    }
}

#[test]
fn secrets_never_reach_the_log() {
    let mut t = Trail::new(true);
    t.record_kms(&decrypt(SESSION, None));
    t.record_kms(&KmsCall {
        now_ms: T,
        region: "us-east-1",
        caller_arn: USER,
        event_name: "GenerateDataKey",
        key_arn: Some(KEY),
        request_parameters: json!({"KeyId": KEY, "KeySpec": "AES_256", "GrantTokens": ["SECRET-GRANT-TOKEN"]}),
        response_elements: Some(json!({"CiphertextBlob": "SECRET-BLOB", "Plaintext": "SECRET-KEY"})),
        ..KmsCall::default()
    });
    t.record_kms(&KmsCall {
        now_ms: T,
        region: "us-east-1",
        caller_arn: USER,
        event_name: "CreateGrant",
        key_arn: Some(KEY),
        request_parameters: json!({
            "KeyId": KEY,
            "GranteePrincipal": "dynamodb.us-east-1.amazonaws.com",
            "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextSubset": {"aws:dynamodb:tableName": "Books"}},
            "nested": [{"deeper": {"PLAINTEXT": "SECRET-NESTED", "grantToken": "SECRET-GRANT-TOKEN"}}]
        }),
        response_elements: Some(json!({"GrantId": "abc123", "GrantToken": "SECRET-GRANT-TOKEN"})),
        ..KmsCall::default()
    });
    t.record_kms(&KmsCall {
        now_ms: T,
        region: "us-east-1",
        caller_arn: USER,
        event_name: "RetireGrant",
        key_arn: Some(KEY),
        request_parameters: json!({"GrantToken": "SECRET-GRANT-TOKEN"}),
        ..KmsCall::default()
    });
    t.record_featurestore_data(&ServiceCall {
        event_name: "GetRecord",
        request_parameters: json!({"FeatureGroupName": "customers", "RecordIdentifierValueAsString": "42"}),
        response_elements: Some(json!({"Record": [{"FeatureName": "ssn", "ValueAsString": "SECRET-SSN"}]})),
        ..put_record(T)
    });
    t.record_featurestore_data(&put_record(T));

    let text = serde_json::to_string(&t.to_json()).unwrap();
    let mut all = Vec::new();
    words(&t.to_json(), &mut all);
    for w in &all {
        let l = w.to_ascii_lowercase();
        assert!(!l.contains("plaintext"), "{w} in {text}");
        assert!(!l.contains("ciphertextblob"), "{w} in {text}");
        assert!(!l.contains("granttoken"), "{w} in {text}");
        assert!(!w.contains("SECRET"), "{w} in {text}");
        assert!(
            !w.contains("078-05-1120") && !w.contains("c2VjcmV0"),
            "{w} in {text}"
        );
    }
    // What is not secret stays: the grant id, the context (its keys as given), the parameters.
    let grant = &t.events()[2];
    assert_eq!(grant.response_elements, json!({"grantId": "abc123"}));
    assert!(!grant.read_only);
    assert_eq!(
        grant.request_parameters["constraints"]["encryptionContextSubset"]
            ["aws:dynamodb:tableName"],
        "Books"
    );
    assert_eq!(grant.request_parameters["operations"], json!(["Decrypt"]));
    assert_eq!(t.events()[1].request_parameters["keySpec"], "AES_256");
    assert_eq!(t.events()[1].response_elements, Value::Null);
    assert_eq!(t.events()[3].request_parameters, json!({}));
}

#[test]
fn read_only_flags() {
    let mut t = Trail::new(false);
    let ops = [
        ("Decrypt", true),
        ("Encrypt", true),
        ("GenerateDataKey", true),
        ("GenerateDataKeyWithoutPlaintext", true),
        ("DescribeKey", true),
        ("ListGrants", true),
        ("ListAliases", true),
        ("GetKeyPolicy", true),
        ("CreateGrant", false),
        ("RetireGrant", false),
        ("RevokeGrant", false),
        ("CreateKey", false),
        ("PutKeyPolicy", false),
        ("EnableKey", false),
        ("DisableKey", false),
        ("ScheduleKeyDeletion", false),
        ("CancelKeyDeletion", false),
        ("CreateAlias", false),
    ];
    for (op, _) in ops {
        t.record_kms(&KmsCall {
            now_ms: T,
            region: "us-east-1",
            caller_arn: USER,
            event_name: op,
            key_arn: Some(KEY),
            ..KmsCall::default()
        });
    }
    for (e, (op, ro)) in t.events().iter().zip(ops) {
        assert_eq!(e.read_only, ro, "{op}");
    }
}

#[test]
fn filter_selects_events() {
    let mut t = Trail::new(true);
    t.record_kms(&decrypt(SESSION, None));
    t.record_kms(&KmsCall {
        now_ms: T + 60_000,
        ..decrypt(SESSION, Some(("AccessDeniedException", "denied")))
    });
    t.record_kms(&KmsCall {
        now_ms: T + 120_000,
        ..decrypt(OTHER, None)
    });
    t.record_featurestore_data(&put_record(T + 180_000));

    let n = |f: TrailFilter<'_>| t.filter(&f).len();
    assert_eq!(n(TrailFilter::default()), 5);
    assert_eq!(
        n(TrailFilter {
            event_source: Some("kms.amazonaws.com"),
            ..TrailFilter::default()
        }),
        4
    );
    assert_eq!(
        n(TrailFilter {
            event_name: Some("PutRecord"),
            ..TrailFilter::default()
        }),
        1
    );
    assert_eq!(
        n(TrailFilter {
            has_error: Some(true),
            ..TrailFilter::default()
        }),
        1
    );
    assert_eq!(
        n(TrailFilter {
            error_code: Some("AccessDenied"),
            ..TrailFilter::default()
        }),
        1
    );
    assert_eq!(
        n(TrailFilter {
            has_error: Some(false),
            ..TrailFilter::default()
        }),
        4
    );
    // Both copies of the cross-account event name bob: his own, and the owner's (via the caller ARN).
    assert_eq!(
        n(TrailFilter {
            principal: Some("analytics/bob"),
            ..TrailFilter::default()
        }),
        2
    );
    assert_eq!(
        n(TrailFilter {
            principal: Some("role/Admin"),
            ..TrailFilter::default()
        }),
        2
    );
    assert_eq!(
        n(TrailFilter {
            resource_arn: Some(KEY),
            ..TrailFilter::default()
        }),
        4
    );
    assert_eq!(
        n(TrailFilter {
            recipient_account: Some("444455556666"),
            ..TrailFilter::default()
        }),
        1
    );
    assert_eq!(
        n(TrailFilter {
            event_category: Some("Data"),
            ..TrailFilter::default()
        }),
        1
    );
    assert_eq!(
        n(TrailFilter {
            from_ms: Some(T + 60_000),
            to_ms: Some(T + 120_000),
            ..TrailFilter::default()
        }),
        3
    );
}

#[test]
fn ids_are_deterministic_and_unique() {
    let run = || {
        let mut t = Trail::new(true);
        t.record_kms(&decrypt(SESSION, None));
        t.record_kms(&decrypt(OTHER, None));
        t.record_featurestore_data(&put_record(T));
        t.to_json()
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let mut ids = BTreeSet::new();
    for r in a["Records"].as_array().unwrap() {
        let id = r["eventID"].as_str().unwrap();
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
        assert!(ids.insert(id.to_string()));
    }
    assert_eq!(ids.len(), 4);
}

#[test]
fn record_shape_has_every_field_of_the_examples() {
    let mut t = Trail::new(false);
    t.record_kms(&decrypt(SESSION, None));
    t.record_kms(&decrypt(OTHER, Some(("AccessDeniedException", "denied"))));
    let v = t.to_json();
    assert_eq!(keys(&v), set(&["Records"]));
    let ok = &v["Records"][0];
    // The DynamoDB example (§5.3), plus managementEvent/eventCategory (§5.1).
    assert_eq!(
        keys(ok),
        set(&[
            "eventVersion",
            "userIdentity",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "requestParameters",
            "responseElements",
            "requestID",
            "eventID",
            "readOnly",
            "resources",
            "eventType",
            "managementEvent",
            "recipientAccountId",
            "eventCategory",
        ])
    );
    assert_eq!(ok["eventVersion"], "1.11");
    assert_eq!(
        keys(&ok["userIdentity"]),
        set(&[
            "type",
            "principalId",
            "arn",
            "accountId",
            "accessKeyId",
            "sessionContext",
            "invokedBy"
        ])
    );
    assert_eq!(
        keys(&ok["userIdentity"]["sessionContext"]),
        set(&["attributes", "sessionIssuer"])
    );
    assert_eq!(
        keys(&ok["userIdentity"]["sessionContext"]["attributes"]),
        set(&["mfaAuthenticated", "creationDate"])
    );
    assert_eq!(
        keys(&ok["userIdentity"]["sessionContext"]["sessionIssuer"]),
        set(&["type", "principalId", "arn", "accountId", "userName"])
    );
    assert_eq!(
        keys(&ok["resources"][0]),
        set(&["ARN", "accountId", "type"])
    );
    // The denied cross-account one adds errorCode/errorMessage (§5.2) and sharedEventID (§5.1).
    let denied = &v["Records"][1];
    let mut want = keys(ok);
    want.extend(set(&["errorCode", "errorMessage", "sharedEventID"]));
    assert_eq!(keys(denied), want);

    // additionalEventData and tlsDetails when present.
    t.record_kms(&KmsCall {
        invoked_by: None,
        additional_event_data: Some(json!({"keyMaterialId": "abc"})),
        ..decrypt(USER, None)
    });
    let e = t.events()[3].to_value();
    assert_eq!(e["additionalEventData"], json!({"keyMaterialId": "abc"}));
    assert_eq!(
        keys(&e["tlsDetails"]),
        set(&["tlsVersion", "cipherSuite", "clientProvidedHostHeader"])
    );
    // Serialized in CloudTrail's field order.
    let text = serde_json::to_string(&t.events()[0]).unwrap();
    assert!(text.starts_with(r#"{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole""#));
}

/// Collects the secrets a run handled: grant tokens, plaintexts and ciphertext blobs in call outputs and
/// inputs, and the feature values of records written (except record identifiers and event times, which AWS
/// logs as request parameters).
fn secrets_of(run: &Value, doc: &Value) -> Vec<String> {
    fn collect(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let secret = ["GrantToken", "GrantTokens", "Plaintext", "CiphertextBlob"]
                        .contains(&k.as_str());
                    if secret {
                        let mut found = Vec::new();
                        words(x, &mut found);
                        out.extend(found);
                    }
                    collect(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for call in run["calls"].as_array().into_iter().flatten() {
        collect(&call["output"], &mut out);
    }
    for step in doc["calls"].as_array().into_iter().flatten() {
        collect(&step["input"], &mut out);
        if step["op"] == "sagemaker:PutRecord" {
            let group = step["input"]["FeatureGroupName"].as_str().unwrap_or("");
            let create = doc["calls"].as_array().into_iter().flatten().find(|c| {
                c["op"] == "sagemaker:CreateFeatureGroup"
                    && c["input"]["FeatureGroupName"].as_str() == Some(group)
            });
            let skip: Vec<&str> = ["RecordIdentifierFeatureName", "EventTimeFeatureName"]
                .iter()
                .filter_map(|k| create.and_then(|c| c["input"][k].as_str()))
                .collect();
            for f in step["input"]["Record"].as_array().into_iter().flatten() {
                if !skip.contains(&f["FeatureName"].as_str().unwrap_or("")) {
                    if let Some(v) = f["ValueAsString"].as_str() {
                        out.push(v.to_owned());
                    }
                }
            }
        }
    }
    // Record identifiers that calls name are request parameters (AWS logs them).
    let mut identifiers = Vec::new();
    for step in doc["calls"].as_array().into_iter().flatten() {
        let input = &step["input"];
        words(&input["RecordIdentifierValueAsString"], &mut identifiers);
        for id in input["Identifiers"].as_array().into_iter().flatten() {
            words(&id["RecordIdentifiersValueAsString"], &mut identifiers);
        }
    }
    // Short strings (`1`, `true`) would match by accident; references (`${…}`) are not values.
    out.retain(|s| s.len() >= 6 && !s.contains("${") && !identifiers.contains(s));
    out.sort();
    out.dedup();
    out
}

/// Across every scenario of `tests/scenarios/`, nothing secret a call handled — grant tokens, plaintexts,
/// ciphertext blobs, feature values — appears anywhere in the run's CloudTrail (modelling decision T3; AWS: "the
/// grant token is not logged in CloudTrail", plaintext and ciphertext are not logged).
#[test]
fn no_scenario_leaks_a_secret_into_cloudtrail() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let run = serde_json::to_value(
            kmslab_core::scenario::Scenario::from_json(&text)
                .unwrap()
                .run(None)
                .unwrap(),
        )
        .unwrap();
        let trail = serde_json::to_string(&run["cloudTrail"]).unwrap();
        for secret in secrets_of(&run, &doc) {
            checked += 1;
            assert!(
                !trail.contains(&secret),
                "{}: `{secret}` is in the CloudTrail",
                entry.path().display()
            );
        }
    }
    println!("{checked} secrets checked against the CloudTrail of every scenario");
    assert!(checked > 50, "only {checked} secrets found");
}
