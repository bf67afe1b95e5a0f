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
