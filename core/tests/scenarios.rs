//! Runs every scenario in `tests/scenarios/`: each call's `expect` must hold.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use kmslab_core::scenario::Scenario;

#[test]
fn every_scenario_meets_its_expectations() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut failures = Vec::new();
    for p in &names {
        let text = std::fs::read_to_string(p).unwrap();
        let s = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let r = s
            .run(None)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(
            r.expectations.checked > 0,
            "{}: no expectations",
            p.display()
        );
        for c in &r.calls {
            if let Some(x) = &c.expectation {
                if !x.passed {
                    failures.push(format!(
                        "{} call {} ({} {}): {:?}",
                        p.file_name().unwrap().to_string_lossy(),
                        c.index,
                        c.as_,
                        c.op,
                        x.failures
                    ));
                }
            }
        }
        println!(
            "{}: {} calls, {}/{} expectations",
            p.display(),
            r.calls.len(),
            r.expectations.passed,
            r.expectations.checked
        );
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn seeded_runs_are_reproducible_and_bad_documents_are_typed_errors() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/scenarios/seed.json"
    ))
    .unwrap();
    let a = kmslab_core::scenario::run_json(&text);
    let b = kmslab_core::scenario::run_json(&text);
    assert_eq!(a, b, "a seeded scenario must produce identical output");
    for bad in [
        "",
        "{}",
        r#"{"kmslab": 2}"#,
        r#"{"kmslab": 1, "calls": 5}"#,
        r#"{"kmslab": 1, "accounts": [{"id": "12"}]}"#,
    ] {
        let out: serde_json::Value =
            serde_json::from_str(&kmslab_core::scenario::run_json(bad)).unwrap();
        assert!(out["error"]["code"].is_string(), "{bad}: {out}");
    }
}

#[test]
fn the_access_matrix_answers_who_can_do_what() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/scenarios/seed.json"
    ))
    .unwrap();
    let r = Scenario::from_json(&text).unwrap().run(None).unwrap();
    let m = serde_json::to_value(&r.access).unwrap();
    let col = |label: &str| {
        m["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["label"].as_str().unwrap().starts_with(label))
            .unwrap()
    };
    let row = |p: &str| {
        m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["principal"].as_str().unwrap().contains(p))
            .unwrap()
            .clone()
    };
    let user = row("user/featurestore-user");
    let admin = row("assumed-role/featurestore-admin/");
    assert_eq!(user["cells"][col("GetRecord orders")]["decision"], "Allow");
    assert_eq!(
        user["cells"][col("Decrypt (direct)")]["decision"],
        "ImplicitDeny"
    );
    assert_eq!(
        user["cells"][col("Decrypt via Feature Store")]["decision"],
        "Allow"
    );
    assert_eq!(admin["cells"][col("RevokeGrant")]["decision"], "Allow");
    assert_eq!(
        admin["cells"][col("Decrypt (direct)")]["decision"],
        "ImplicitDeny"
    );
    assert_eq!(
        admin["cells"][col("GetRecord orders")]["decision"],
        "ImplicitDeny"
    );
    assert_eq!(
        admin["cells"][col("GetRecord orders")]["decidedBy"],
        "sagemaker:GetRecord"
    );
    // The matrix has no side effects on the run's calls.
    assert_eq!(r.calls.len(), 9);
}

fn scenario_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/scenarios")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// The same seed: everything but the run time is byte-identical.
fn seeded(text: &str) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(text).unwrap();
    doc["seed"] = serde_json::Value::from("runner-test");
    doc.to_string()
}

/// Running in slices (as the playground does to stay responsive) gives exactly the result of one run,
/// for every example, whatever the slice size.
#[test]
fn a_run_in_slices_equals_a_run_at_once() {
    for name in [
        "seed.json",
        "bucket-keys.json",
        "seed-claims.json",
        "throttling.json",
    ] {
        let text = seeded(&scenario_file(name));
        let at_once = Scenario::from_json(&text).unwrap().run(None).unwrap();
        let at_once = serde_json::to_value(&at_once).unwrap();
        for slice in [1, 7, 64] {
            let mut runner = Scenario::from_json(&text).unwrap().start(None).unwrap();
            let total = runner.progress().runs_total;
            let mut last = 0;
            let mut slices = 0;
            loop {
                let p = runner.advance(slice).unwrap();
                assert!(p.runs_done >= last && p.runs_done <= total, "{name}: {p:?}");
                assert!(p.runs_done - last <= u64::from(slice), "{name}: {p:?}");
                last = p.runs_done;
                slices += 1;
                if p.finished {
                    assert_eq!(p.runs_done, total, "{name}");
                    break;
                }
            }
            assert!(slices as u64 >= total / u64::from(slice), "{name}");
            let (sliced, _) = runner.finish().unwrap();
            assert_eq!(
                serde_json::to_value(&sliced).unwrap(),
                at_once,
                "{name} in slices of {slice}"
            );
        }
    }
}

/// A repeated call keeps the details of its first runs and its last, and counts every outcome.
#[test]
fn a_long_repeat_keeps_counts_not_every_trace() {
    let text = r#"{"kmslab": 1, "seed": "repeat",
      "accounts": [{"id": "111122223333"}],
      "principals": [{"arn": "arn:aws:iam::111122223333:user/u", "policies": [{"name": "p", "document":
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}}]}],
      "keys": [{"arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}],
      "calls": [{"as": "arn:aws:iam::111122223333:user/u", "op": "kms:Encrypt", "repeat": 100,
        "input": {"KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                  "Plaintext": "aGk="}}]}"#;
    let r = Scenario::from_json(text).unwrap().run(None).unwrap();
    let call = &r.calls[0];
    assert_eq!(call.runs, 100);
    assert_eq!(call.runs_not_detailed, 100 - 11);
    assert_eq!(call.authorizations.len(), 11);
    assert_eq!(call.outcomes.get("ok"), Some(&100));
    assert_eq!(call.kms_requests, 100);
    assert_eq!(r.kms_requests.len(), 100);
}

/// Every record Feature Store seals or opens reports its envelope: the data key's wrapping key and encryption
/// context, the stored ciphertext (never the plaintext), and the KMS request that unwrapped the data key.
#[test]
fn data_plane_calls_report_their_envelopes() {
    let r = Scenario::from_json(&seeded(&scenario_file("seed.json")))
        .unwrap()
        .run(None)
        .unwrap();
    let put = r
        .calls
        .iter()
        .find(|c| c.op == "sagemaker:PutRecord" && c.error.is_none())
        .unwrap();
    let v = serde_json::to_value(put).unwrap();
    let envelopes = v["envelopes"].as_array().unwrap();
    let online = envelopes
        .iter()
        .find(|e| e["store"] == "online" && e["action"] == "sealed")
        .unwrap();
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assert_eq!(online["kmsKey"], key);
    assert_eq!(online["keyManager"], "customer managed");
    assert!(
        online["encryptionContext"]["aws:sagemaker:feature-group-arn"]
            .as_str()
            .unwrap()
            .contains(":feature-group/")
    );
    assert!(online["storedBytes"].as_u64().unwrap() > 16);
    let hex = online["storedHex"].as_str().unwrap();
    assert!(
        hex.chars().all(|c| c.is_ascii_hexdigit() || c == '…'),
        "{hex}"
    );
    let request = online["kmsRequests"][0].as_u64().unwrap() as usize;
    let request = serde_json::to_value(&r.kms_requests[request]).unwrap();
    assert_eq!(request["operation"], "Decrypt");
    assert_eq!(request["caller"], put.as_);
    assert_eq!(request["viaService"], "sagemaker");
    // The offline store's object, written by the offline role through S3.
    let offline = envelopes.iter().find(|e| e["store"] == "offline").unwrap();
    assert!(offline["location"].as_str().unwrap().starts_with("s3://"));
    assert!(offline["encryptionContext"]["aws:s3:arn"].is_string());
    // A KMS call makes none.
    assert!(r
        .calls
        .iter()
        .filter(|c| c.op.starts_with("kms:"))
        .all(|c| c.envelopes.is_empty()));
}

/// Stopping a batch part-way gives the result of the document with the runs done so far: the same records,
/// byte for byte, as running that shorter document (what the playground stores when a batch is cancelled).
#[test]
fn a_stopped_run_equals_the_shorter_document() {
    let mut doc: serde_json::Value =
        serde_json::from_str(&seeded(&scenario_file("seed.json"))).unwrap();
    let put = doc["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["op"] == "sagemaker:PutRecord")
        .unwrap()
        .clone();
    // The batch goes right after the seed's first GetRecord (before the admin revokes Feature Store's grant).
    let calls = doc["calls"].as_array_mut().unwrap();
    let get = calls
        .iter()
        .position(|c| c["op"] == "sagemaker:GetRecord")
        .unwrap();
    calls.truncate(get + 1);
    let mut batch = put.clone();
    batch.as_object_mut().unwrap().remove("expect");
    batch["repeat"] = serde_json::Value::from(50);
    batch["input"]["Record"][0]["ValueAsString"] = serde_json::Value::from("batch-${i}");
    doc["calls"].as_array_mut().unwrap().push(batch.clone());
    let text = doc.to_string();
    let mut runner = Scenario::from_json(&text).unwrap().start(None).unwrap();
    let before = runner.progress().runs_total - 50;
    while runner.progress().runs_done < before + 17 {
        runner.advance(1).unwrap();
    }
    runner.stop();
    assert!(runner.progress().finished);
    let (stopped, mut world) = runner.finish().unwrap();
    assert_eq!(stopped.calls.last().unwrap().runs, 17);

    batch["repeat"] = serde_json::Value::from(17);
    let calls = doc["calls"].as_array_mut().unwrap();
    calls.pop();
    calls.push(batch);
    let (shorter, mut world2) = Scenario::from_json(&doc.to_string())
        .unwrap()
        .run_with_world(None)
        .unwrap();
    let (stopped, shorter) = (
        serde_json::to_value(&stopped).unwrap(),
        serde_json::to_value(&shorter).unwrap(),
    );
    for (k, v) in stopped.as_object().unwrap() {
        assert_eq!(Some(v), shorter.get(k), "{k}");
    }
    assert_eq!(
        stopped["calls"].as_array().unwrap().last().unwrap()["outcomes"]["ok"],
        17
    );
    let a = world.storage.drain_changes();
    let b = world2.storage.drain_changes();
    assert_eq!(a, b);
    assert!(a.iter().any(|m| m.key.ends_with("batch-16")));
    assert!(!a.iter().any(|m| m.key.ends_with("batch-17")));
}
