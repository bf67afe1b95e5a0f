//! The bodies of kmslab's fuzz targets. Each takes libFuzzer's bytes and returns `Err(violation)` when an
//! invariant breaks; a panic anywhere below is a crash. The fuzz targets (`fuzz_targets/*.rs`) turn a violation
//! into a panic; `tests/replay.rs` runs every committed corpus file and crash reproducer through the same
//! functions in a normal `cargo test`, so a fixed crash stays fixed.

use std::cell::RefCell;

use base64::Engine as _;
use kmslab_core::policy::{parse_policy, PolicyKind};
use kmslab_core::scenario::Scenario;
use serde_json::{json, Value};

/// Every kind of policy document.
const KINDS: [PolicyKind; 7] = [
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::KeyPolicy,
    PolicyKind::ServiceControl,
    PolicyKind::ResourceControl,
    PolicyKind::PermissionsBoundary,
    PolicyKind::Session,
];

/// The policy parser and validator, on arbitrary text, as every kind of policy: never panics; every diagnostic
/// points inside the text; a policy with errors is not handed to the evaluator.
pub fn policy_parser(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    for kind in KINDS {
        let parsed = parse_policy(&text, kind);
        for d in &parsed.diagnostics {
            let end = u64::from(d.offset) + u64::from(d.length);
            if end > text.len() as u64 {
                return Err(format!(
                    "{kind:?}: diagnostic `{}` spans {}..{end} past the text's {} bytes",
                    d.kind,
                    d.offset,
                    text.len()
                ));
            }
            if d.code.is_empty() || d.message.is_empty() {
                return Err(format!(
                    "{kind:?}: a diagnostic without code or message: {d:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Reads choices out of the fuzzer's bytes (0 once they run out).
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<'t>(&mut self, table: &[&'t str]) -> &'t str {
        let i = usize::from(self.byte()) % table.len().max(1);
        table.get(i).copied().unwrap_or("")
    }
}

const PRINCIPALS: [&str; 8] = [
    "arn:aws:iam::111122223333:user/featurestore-user",
    "arn:aws:iam::111122223333:role/featurestore-admin",
    "arn:aws:sts::111122223333:assumed-role/featurestore-admin/s",
    "arn:aws:iam::444455556666:user/dev",
    "arn:aws:iam::111122223333:root",
    "111122223333",
    "sagemaker.amazonaws.com",
    "*",
];
const ACTIONS: [&str; 8] = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:*",
    "kms:Describe*",
    "sagemaker:GetRecord",
    "sagemaker:*",
    "*",
];
const RESOURCES: [&str; 5] = [
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:us-east-1:444455556666:key/*",
    "arn:aws:sagemaker:us-east-1:111122223333:feature-group/orders",
    "arn:aws:kms:*:111122223333:key/*",
    "*",
];
const OPERATORS: [&str; 12] = [
    "StringEquals",
    "StringLike",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "ArnLike",
    "NumericLessThan",
    "DateGreaterThan",
    "Bool",
    "Null",
    "IpAddress",
    "ForAnyValue:StringLike",
    "StringEqualsIfExists",
];
const KEYS: [&str; 8] = [
    "kms:ViaService",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "kms:EncryptionContext:purpose",
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:SecureTransport",
    "kms:CallerAccount",
];
const VALUES: [&str; 10] = [
    "sagemaker.*.amazonaws.com",
    "111122223333",
    "arn:aws:iam::111122223333:*",
    "demo",
    "10.0.0.0/8",
    "2026-01-01T00:00:00Z",
    "true",
    "5",
    "",
    "*",
];

/// One policy statement chosen by the bytes.
fn statement(c: &mut Choices<'_>, with_principal: bool) -> Value {
    let mut s = json!({
        "Effect": if c.byte() % 3 == 0 { "Deny" } else { "Allow" },
        if c.byte() % 5 == 0 { "NotAction" } else { "Action" }: c.pick(&ACTIONS),
        if c.byte() % 7 == 0 { "NotResource" } else { "Resource" }: c.pick(&RESOURCES),
    });
    if with_principal {
        s["Principal"] = json!({ "AWS": c.pick(&PRINCIPALS) });
    }
    if c.byte() % 2 == 0 {
        let (op, key, value) = (c.pick(&OPERATORS), c.pick(&KEYS), c.pick(&VALUES));
        s["Condition"] = json!({ op: { key: value } });
    }
    s
}

fn policy(c: &mut Choices<'_>, with_principal: bool) -> String {
    let n = 1 + usize::from(c.byte() % 3);
    let statements: Vec<Value> = (0..n).map(|_| statement(c, with_principal)).collect();
    json!({ "Version": "2012-10-17", "Statement": statements }).to_string()
}

/// A question built from the bytes (structured input): identity policies, maybe a key policy, a boundary and an
/// SCP level, a request with context. Invariants: the answer is a decision or an error; the same question gives
/// the same answer; the trace does not change the decision; an unconditional explicit Deny of everything in an
/// identity policy makes any request an `ExplicitDeny` (unless the question is refused for an invalid policy or
/// request).
pub fn evaluator(data: &[u8]) -> Result<(), String> {
    let mut c = Choices(data);
    let mut q = json!({
        "request": {
            "principal": c.pick(&PRINCIPALS[..5]),
            "action": c.pick(&ACTIONS[..3]),
            "resource": c.pick(&RESOURCES[..1]),
            "context": {},
        },
        "identityPolicies": [policy(&mut c, false)],
    });
    for _ in 0..(c.byte() % 3) {
        let (key, value) = (c.pick(&KEYS), c.pick(&VALUES));
        q["request"]["context"][key] = Value::from(value);
    }
    if c.byte() % 2 == 0 {
        q["resourcePolicy"] = Value::from(policy(&mut c, true));
    }
    if c.byte() % 4 == 0 {
        q["permissionsBoundary"] = Value::from(policy(&mut c, false));
    }
    if c.byte() % 4 == 0 {
        q["serviceControlPolicies"] = json!([[policy(&mut c, false)]]);
    }
    let ask = |q: &Value| -> Result<Value, String> {
        let text = kmslab_core::evaluate_json_at(&q.to_string(), 1_767_225_600_000);
        serde_json::from_str(&text).map_err(|e| format!("the answer is not JSON: {e}"))
    };
    let first = ask(&q)?;
    let decision = first["decision"].as_str().map(str::to_owned);
    match (&decision, first.get("error")) {
        (Some(d), _) if ["Allow", "ExplicitDeny", "ImplicitDeny"].contains(&d.as_str()) => {}
        (None, Some(_)) => return Ok(()),
        _ => return Err(format!("neither a decision nor an error: {first}")),
    }
    if ask(&q)? != first {
        return Err(String::from("the same question got two different answers"));
    }
    let mut quiet = q.clone();
    quiet["explain"] = Value::from(false);
    if ask(&quiet)?["decision"].as_str() != decision.as_deref() {
        return Err(String::from("explain:false changed the decision"));
    }
    // A question with an invalid policy or request is refused as a whole (`invalidPolicy`, `invalidRequest`).
    let refused = first["errors"].as_array().is_some_and(|e| !e.is_empty());
    if !refused {
        let mut denied = q;
        if let Some(list) = denied["identityPolicies"].as_array_mut() {
            list.push(Value::from(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
                    .to_string(),
            ));
        }
        let d = ask(&denied)?;
        if d["decision"] != "ExplicitDeny" {
            return Err(format!(
                "a Deny * on * did not deny: {} ({}) for {denied}",
                d["decision"], d["reason"]
            ));
        }
    }
    Ok(())
}

/// The scenario loader on arbitrary text: never panics; a document that loads and runs at most 64 calls runs
/// (with fixed entropy) and its result serializes.
pub fn scenario_loader(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let Ok(scenario) = Scenario::from_json(&text) else {
        return Ok(());
    };
    let runs: u64 = scenario
        .calls
        .iter()
        .map(|s| match s {
            kmslab_core::scenario::Step::Call(c) => u64::from(c.repeat.unwrap_or(1).max(1)),
            kmslab_core::scenario::Step::Clock { .. } => 0,
        })
        .sum();
    if runs > 64 {
        return Ok(());
    }
    let entropy = Box::new(kmslab_core::kms::crypto::SeededEntropy::new([7; 32]));
    if let Ok(result) = scenario.run(Some(entropy)) {
        serde_json::to_string(&result)
            .map_err(|e| format!("the run result does not serialize: {e}"))?;
    }
    Ok(())
}

/// The share-link decoder on arbitrary text: never panics; and any UTF-8 text up to 64 KiB survives an
/// encode/decode round trip unchanged.
pub fn share_link(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let _ = kmslab_core::share::decode(&text);
    // Links carry scenario documents, which are JSON as kmslab reads it (no duplicate keys): any other
    // document is refused on the way in.
    if let Ok(document) = std::str::from_utf8(data) {
        if document.len() <= 64 * 1024 && kmslab_core::json::parse(document).is_ok() {
            let fragment = kmslab_core::share::encode(document);
            match kmslab_core::share::decode(&format!("#{fragment}")) {
                Ok(shared) if shared.document == document => {}
                Ok(_) => return Err(String::from("a round trip changed the document")),
                Err(e) => return Err(format!("a link we made does not open: {e}")),
            }
        }
    }
    Ok(())
}

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER: &str = "arn:aws:iam::111122223333:user/u";

thread_local! {
    /// A region with one key the user may use, and one real ciphertext of it, with the number of inputs it has
    /// served (rebuilt every [`REGION_RUNS`] inputs, as its CloudTrail and request log grow with every call).
    static REGION: RefCell<Option<(kmslab_core::world::World, Vec<u8>, u32)>> = const { RefCell::new(None) };
}

const REGION_RUNS: u32 = 256;

fn region() -> Result<(kmslab_core::world::World, Vec<u8>), String> {
    let doc = json!({
        "kmslab": 1, "seed": "fuzz",
        "accounts": [{"id": "111122223333"}],
        "principals": [{"arn": USER, "policies": [{"name": "kms", "document":
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}],
        "keys": [{"arn": KEY}],
    });
    let mut w = Scenario::from_json(&doc.to_string())
        .and_then(|s| s.build(None))
        .map_err(|e| e.to_string())?;
    let call = w.call_as(USER, None);
    let out = w
        .kms_request(
            &call,
            "Encrypt",
            &json!({"KeyId": KEY, "Plaintext": "c2VjcmV0", "EncryptionContext": {"purpose": "fuzz"}}),
        )
        .map_err(|e| e.message())?;
    let blob = out["CiphertextBlob"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .ok_or("no ciphertext")?;
    Ok((w, blob))
}

/// The ciphertext decoders: KMS Decrypt of arbitrary bytes, and of a real ciphertext with the bytes XORed in,
/// never succeeds (that would be a forgery) unless the blob is unchanged; a sealed record of arbitrary bytes
/// never opens.
pub fn ciphertext(data: &[u8]) -> Result<(), String> {
    REGION.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot
            .as_ref()
            .is_none_or(|(_, _, runs)| *runs >= REGION_RUNS)
        {
            let (w, blob) = region()?;
            *slot = Some((w, blob, 0));
        }
        let Some((w, blob, runs)) = slot.as_mut() else {
            return Err(String::from("no region"));
        };
        *runs += 1;
        w.take_authorizations();
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let call = w.call_as(USER, None);
        let decrypt = |w: &mut kmslab_core::world::World, bytes: &[u8]| {
            w.kms_request(
                &call,
                "Decrypt",
                &json!({"CiphertextBlob": b64(bytes), "EncryptionContext": {"purpose": "fuzz"}}),
            )
        };
        if data != blob.as_slice() && decrypt(w, data).is_ok() {
            return Err(String::from("arbitrary bytes decrypted"));
        }
        let mut tampered = blob.clone();
        for (i, b) in data.iter().enumerate() {
            if let Some(t) = tampered.get_mut(i % blob.len().max(1)) {
                *t ^= b;
            }
        }
        if data.len() > blob.len() {
            tampered.extend_from_slice(data.get(blob.len()..).unwrap_or(&[]));
        }
        if tampered != *blob {
            if let Ok(out) = decrypt(w, &tampered) {
                return Err(format!("a tampered ciphertext decrypted: {out}"));
            }
        }
        if kmslab_core::kms::crypto::open_record(&[9; 32], b"aad", data).is_ok() {
            return Err(String::from("arbitrary bytes opened as a sealed record"));
        }
        Ok(())
    })
}
