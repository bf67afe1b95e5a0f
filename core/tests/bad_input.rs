//! The bad-input catalogue (`tests/bad-input/catalogue.json`): hostile and malformed inputs, each with the
//! error kmslab must answer. Every case must return its error without panicking and within its time; cases
//! with `linear: [n1, n2]` are also run at size n1 and must not grow faster than linearly (with slack for
//! noise). Targets: `question`, `policy`, `keyPolicy`, `scenario`, `call`, `grantLimit`, `shareLink`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use kmslab_core::policy::PolicyKind;
use kmslab_core::scenario::Scenario;
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER: &str = "arn:aws:iam::111122223333:user/u";
/// The time of the request under test, for targets that first build a large state (`grantLimit`): the
/// linearity check compares these, not the set-up.
static LAST_CALL: std::sync::Mutex<Option<Duration>> = std::sync::Mutex::new(None);

/// The slowest any single case may be (debug build, a loaded 2-core machine).
const CASE_LIMIT: Duration = Duration::from_secs(60);

fn catalogue() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-input/catalogue.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

/// A key policy of at least `bytes` bytes (exactly, when the padding fits): the root statement plus a
/// `Sid` padded with spaces.
fn key_policy_of_size(bytes: usize) -> String {
    let make = |pad: usize| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"root{}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":"kms:*","Resource":"*"}}]}}"#,
            " ".repeat(pad)
        )
    };
    let base = make(0).len();
    make(bytes.saturating_sub(base))
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// The base scenario every `call` case runs in: one account, a user allowed `kms:*` and `sagemaker:*`, a key
/// whose policy enables IAM, and a feature group `orders` with an online store under that key.
fn base_scenario(calls: Vec<Value>, description: &str) -> Value {
    let mut all = vec![json!({
        "as": USER, "op": "sagemaker:CreateFeatureGroup",
        "input": {
            "FeatureGroupName": "orders",
            "RecordIdentifierFeatureName": "order_id",
            "EventTimeFeatureName": "event_time",
            "FeatureDefinitions": [
                {"FeatureName": "order_id", "FeatureType": "String"},
                {"FeatureName": "event_time", "FeatureType": "Fractional"},
                {"FeatureName": "note", "FeatureType": "String"}
            ],
            "OnlineStoreConfig": {"EnableOnlineStore": true, "SecurityConfig": {"KmsKeyId": KEY}}
        },
        "expect": {"output": {}}
    })];
    all.extend(calls);
    json!({
        "kmslab": 1,
        "seed": "bad-input",
        "description": description,
        "accounts": [{"id": "111122223333"}],
        "principals": [{"arn": USER, "policies": [{"name": "all", "document": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["kms:*", "sagemaker:*"], "Resource": "*"}]
        }}]}],
        "keys": [{"arn": KEY, "policy": key_policy_of_size(0)}],
        "calls": all
    })
}

/// Expands the catalogue's placeholders: `$KEY`, `{"base64OfBytes": n}`, `{"stringOfBytes": n}`,
/// `{"manyIds": n}`.
fn expand(v: &Value) -> Value {
    match v {
        Value::String(s) if s == "$KEY" => Value::from(KEY),
        Value::Object(o) if o.len() == 1 => {
            let (k, n) = o.iter().next().unwrap();
            let n = n.as_u64().map(|n| n as usize);
            match (k.as_str(), n) {
                ("base64OfBytes", Some(n)) => {
                    Value::from(base64::engine::general_purpose::STANDARD.encode(vec![b'a'; n]))
                }
                ("stringOfBytes", Some(n)) => Value::from("x".repeat(n)),
                ("manyIds", Some(n)) => {
                    Value::Array((0..n).map(|i| Value::from(format!("id-{i}"))).collect())
                }
                _ => Value::Object(o.iter().map(|(k, x)| (k.clone(), expand(x))).collect()),
            }
        }
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), expand(x))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(expand).collect()),
        other => other.clone(),
    }
}

/// The case's input text, with generated inputs scaled to `size` (the generator's own size when `None`).
fn input_text(case: &Value, size: Option<usize>) -> String {
    if let Some(text) = case["text"].as_str() {
        return text.to_owned();
    }
    let g = &case["generate"];
    let param = |name: &str| size.unwrap_or_else(|| g[name].as_u64().unwrap() as usize);
    match g["kind"].as_str().unwrap() {
        "nested" => nested(param("depth")),
        "keyPolicyOfSize" => key_policy_of_size(param("bytes")),
        "paddedQuestion" => {
            let q = json!({"request": {"principal": USER, "action": "kms:Decrypt", "resource": KEY,
                           "context": {"aws:UserAgent": ""}}})
            .to_string();
            let pad = param("bytes").saturating_sub(q.len());
            q.replace(
                r#""aws:UserAgent":"""#,
                &format!(r#""aws:UserAgent":"{}""#, "x".repeat(pad)),
            )
        }
        "scenarioOfSize" => {
            let base = base_scenario(Vec::new(), "").to_string();
            let pad = param("bytes").saturating_sub(base.len());
            base_scenario(Vec::new(), &"d".repeat(pad)).to_string()
        }
        "manyContextKeys" => {
            let context: serde_json::Map<String, Value> = (0..param("keys"))
                .map(|i| (format!("aws:PrincipalTag/t{i}"), Value::from("v")))
                .collect();
            json!({"request": {"principal": USER, "action": "kms:Decrypt", "resource": KEY,
                               "context": context}})
            .to_string()
        }
        "identityPolicyStatements" => {
            let n = param("statements");
            let statements: Vec<Value> = (0..n)
                .map(|i| json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": format!("s3:Get{i}"), "Resource": "*"}))
                .collect();
            json!({"Version": "2012-10-17", "Statement": statements}).to_string()
        }
        other => panic!("unknown generator `{other}`"),
    }
}

fn policy_kind(name: &str) -> PolicyKind {
    match name {
        "identity" => PolicyKind::Identity,
        "keyPolicy" => PolicyKind::KeyPolicy,
        "resource" => PolicyKind::Resource,
        other => panic!("unknown policy kind `{other}`"),
    }
}

/// What a case produced: an error `(code, message)`, a decision, or plain success.
#[derive(Debug)]
enum Outcome {
    Error(String, String),
    /// A decision, with the kinds of the answer's errors.
    Decision(String, Vec<String>),
    Ok,
}

/// The error of the last call of a run (the call under test), or `Ok`.
fn last_call_outcome(doc: &Value) -> Outcome {
    let scenario = match Scenario::from_json(&doc.to_string()) {
        Ok(s) => s,
        Err(e) => return Outcome::Error(e.code().to_owned(), e.to_string()),
    };
    let r = match scenario.run(None) {
        Ok(r) => r,
        Err(e) => return Outcome::Error(e.code().to_owned(), e.to_string()),
    };
    assert!(
        r.calls.first().is_some_and(|c| c.error.is_none()),
        "the base scenario's CreateFeatureGroup failed: {:?}",
        r.calls.first().and_then(|c| c.error.as_ref())
    );
    match r.calls.last().and_then(|c| c.error.clone()) {
        Some(e) => Outcome::Error(e.code, e.message),
        None => Outcome::Ok,
    }
}

fn run_case(case: &Value, size: Option<usize>) -> Outcome {
    let target = case["target"].as_str().unwrap();
    match target {
        "question" => {
            let answer: Value = serde_json::from_str(&kmslab_core::evaluate_json_at(
                &input_text(case, size),
                1_767_225_600_000,
            ))
            .unwrap();
            match (
                answer["error"]["code"].as_str(),
                answer["decision"].as_str(),
            ) {
                (Some(code), _) => Outcome::Error(
                    code.to_owned(),
                    answer["error"]["message"].as_str().unwrap_or("").to_owned(),
                ),
                (None, Some(d)) => Outcome::Decision(
                    d.to_owned(),
                    answer["errors"]
                        .as_array()
                        .map(|e| {
                            e.iter()
                                .filter_map(|x| x["kind"].as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
                _ => panic!("an answer with neither error nor decision: {answer}"),
            }
        }
        "policy" => {
            let kind = policy_kind(case["policyKind"].as_str().unwrap());
            let diags = kmslab_core::contract::validate_policy(&input_text(case, size), kind);
            let errors: Vec<_> = diags
                .iter()
                .filter(|d| d.severity == kmslab_core::diag::Severity::Error)
                .collect();
            match errors
                .iter()
                .find(|d| case["expect"]["kind"].as_str().is_none_or(|k| d.kind == k))
            {
                Some(d) => Outcome::Error(d.code.clone(), d.message.clone()),
                None if errors.is_empty() => Outcome::Ok,
                None => Outcome::Error(errors[0].code.clone(), errors[0].message.clone()),
            }
        }
        "keyPolicy" => {
            let call = json!({"as": USER, "op": "kms:PutKeyPolicy",
                              "input": {"KeyId": KEY, "PolicyName": "default", "Policy": input_text(case, size)}});
            last_call_outcome(&base_scenario(vec![call], ""))
        }
        "scenario" => {
            let text = input_text(case, size);
            match Scenario::from_json(&text).and_then(|s| s.run(None)) {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Error(e.code().to_owned(), e.to_string()),
            }
        }
        "call" => {
            let mut call = expand(&case["call"]);
            call["as"] = Value::from(USER);
            last_call_outcome(&base_scenario(vec![call], ""))
        }
        "grantLimit" => {
            // The key is filled to `n` grants directly (copies of one real grant with their own ids: 50,000
            // CreateGrant requests would take minutes of test time and simulated hours at the 50-per-second
            // request quota); the request under test is the next CreateGrant, through KMS.
            let n = size.unwrap_or_else(|| case["grants"].as_u64().unwrap() as usize);
            let doc = base_scenario(Vec::new(), "");
            let mut w = Scenario::from_json(&doc.to_string())
                .unwrap()
                .build(None)
                .unwrap();
            let create = json!({"KeyId": KEY, "GranteePrincipal": USER, "Operations": ["Decrypt"]});
            let call = w.call_as(USER, None);
            w.kms_request(&call, "CreateGrant", &create).unwrap();
            let template = w.kms.grants.last().unwrap().clone();
            for i in 1..n {
                let mut g = template.clone();
                g.grant.grant_id = Some(format!("{i:064x}"));
                w.kms.grants.push(g);
            }
            w.advance(1000);
            let call = w.call_as(USER, None);
            let started = Instant::now();
            let out = w.kms_request(&call, "CreateGrant", &create);
            *LAST_CALL.lock().unwrap() = Some(started.elapsed());
            match out {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Error(e.code().to_owned(), e.message()),
            }
        }
        "shareLink" => {
            let fragment = match case["generate"]["kind"].as_str() {
                Some("shareLinkBytes") => {
                    let g = &case["generate"];
                    let bytes: Vec<u8> = match (g["hex"].as_str(), g["zeros"].as_u64()) {
                        (Some(hex), _) => (0..hex.len() / 2)
                            .map(|i| u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).unwrap())
                            .collect(),
                        (None, Some(n)) => vec![0; size.unwrap_or(n as usize)],
                        _ => panic!("shareLinkBytes needs hex or zeros"),
                    };
                    let deflated = miniz_oxide::deflate::compress_to_vec(&bytes, 9);
                    format!(
                        "#s=1.{}.{}",
                        kmslab_core::VERSION,
                        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(deflated)
                    )
                }
                _ => input_text(case, size),
            };
            match kmslab_core::share::decode(&fragment) {
                Ok(shared) => panic!("a bad link opened: {} bytes", shared.document.len()),
                Err(e) => Outcome::Error(e.code().to_owned(), e.to_string()),
            }
        }
        other => panic!("unknown target `{other}`"),
    }
}

fn check(case: &Value, outcome: &Outcome) -> Result<(), String> {
    let want = &case["expect"];
    let contains = |m: &str| {
        want["messageContains"]
            .as_str()
            .is_none_or(|w| m.to_lowercase().contains(&w.to_lowercase()))
    };
    match outcome {
        Outcome::Error(code, message) => {
            if want["code"].as_str() == Some(code) && contains(message) {
                Ok(())
            } else {
                Err(format!("got error {code}: {message}"))
            }
        }
        Outcome::Decision(d, kinds)
            if want["decision"].as_str() == Some(d)
                && want["errorKind"]
                    .as_str()
                    .is_none_or(|k| kinds.iter().any(|x| x == k)) =>
        {
            Ok(())
        }
        Outcome::Ok if want["ok"] == true || want["valid"] == true => Ok(()),
        other => Err(format!("got {other:?}")),
    }
}

#[test]
fn every_bad_input_gets_its_error_in_linear_time() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in catalogue() {
        let id = case["id"].as_str().unwrap().to_owned();
        assert!(
            case["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{id}: no source"
        );
        *LAST_CALL.lock().unwrap() = None;
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| run_case(&case, None));
        let took = LAST_CALL
            .lock()
            .unwrap()
            .take()
            .unwrap_or_else(|| started.elapsed());
        ran += 1;
        let outcome = match outcome {
            Ok(o) => o,
            Err(_) => {
                failures.push(format!("{id}: PANICKED"));
                continue;
            }
        };
        if let Err(e) = check(&case, &outcome) {
            failures.push(format!("{id}: {e}"));
        }
        if took > CASE_LIMIT {
            failures.push(format!("{id}: took {took:?}"));
        }
        let mut line = format!("{id}: {outcome:?} in {took:.1?}");
        line.truncate(220);
        if let Some([small, large]) = case["linear"].as_array().map(|a| {
            [
                a[0].as_u64().unwrap() as usize,
                a[1].as_u64().unwrap() as usize,
            ]
        }) {
            // Time the small size; the large one is the case itself (it must be the same size).
            // A machine busy with something else can slow one run down: when the ratio is over the
            // limit, both sizes are timed again (up to 3 more times) and the fastest runs compared.
            let timed = |size: Option<usize>| {
                let t = Instant::now();
                let _ = run_case(&case, size);
                LAST_CALL
                    .lock()
                    .unwrap()
                    .take()
                    .unwrap_or_else(|| t.elapsed())
                    .max(Duration::from_micros(200))
            };
            let size_ratio = large as f64 / small as f64;
            let mut small_took = timed(Some(small));
            let mut took = took.max(Duration::from_micros(200));
            let mut ratio = took.as_secs_f64() / small_took.as_secs_f64();
            for _ in 0..3 {
                if ratio <= size_ratio * 2.5 {
                    break;
                }
                small_took = small_took.min(timed(Some(small)));
                took = took.min(timed(None));
                ratio = took.as_secs_f64() / small_took.as_secs_f64();
            }
            line.push_str(&format!(" · ×{size_ratio:.0} size → ×{ratio:.1} time"));
            if ratio > size_ratio * 2.5 {
                failures.push(format!(
                    "{id}: not linear: ×{size_ratio:.0} size took ×{ratio:.1} time ({small_took:?} → {took:?})"
                ));
            }
        }
        println!("{line}");
    }
    println!("{ran} bad inputs tried");
    assert!(ran >= 40, "only {ran} cases");
    assert!(failures.is_empty(), "{failures:#?}");
}
