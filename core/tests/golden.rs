//! Runs the golden corpus in `tests/golden/`: one file per case, each with the AWS source of its expectation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kmslab_core::Question;
use serde_json::Value;

/// 2026-01-01T00:00:00Z: the clock of every case that does not set `aws:CurrentTime`.
const NOW_MS: i64 = 1_767_225_600_000;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn strings(v: Option<&Value>) -> Option<BTreeSet<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect()
    })
}

/// Checks one case; returns the list of mismatches.
fn check(case: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    let source = case.get("source").and_then(Value::as_str).unwrap_or("");
    if source.trim().len() < 10 {
        bad.push("`source` must cite the AWS documentation".into());
    }
    let Some(qv) = case.get("question") else {
        return vec!["no `question`".into()];
    };
    let q: Question = match serde_json::from_value(qv.clone()) {
        Ok(q) => q,
        Err(e) => return vec![format!("question does not parse: {e}")],
    };
    // Cases that depend on time set `aws:CurrentTime` (or `aws:EpochTime`); the engine reads it from the request.
    let now = NOW_MS;
    let answer = match q.answer(now) {
        Ok(a) => a,
        Err(e) => return vec![format!("question rejected: {e}")],
    };
    let got = serde_json::to_value(&answer).unwrap();
    let exp = &case["expect"];
    let want_decision = exp["decision"].as_str().unwrap_or("?");
    if got["decision"] != exp["decision"] {
        bad.push(format!(
            "decision: expected {want_decision}, got {} ({})",
            got["decision"], got["reason"]
        ));
    }
    if let Some(r) = exp.get("reason") {
        if got["reason"] != *r {
            bad.push(format!("reason: expected {r}, got {}", got["reason"]));
        }
    }
    if let Some(d) = exp.get("determining").and_then(Value::as_array) {
        let want: BTreeSet<(String, u64)> = d
            .iter()
            .map(|x| {
                (
                    x["policy"].as_str().unwrap_or("").to_string(),
                    x["statementIndex"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        let have: BTreeSet<(String, u64)> = answer
            .determining
            .iter()
            .map(|x| (x.policy.clone(), x.statement_index as u64))
            .collect();
        if want != have {
            bad.push(format!("determining: expected {want:?}, got {have:?}"));
        }
    }
    if let Some(m) = exp.get("messageContains").and_then(Value::as_str) {
        let msg = answer.message.as_deref().unwrap_or("");
        if !msg.contains(m) {
            bad.push(format!("message: expected to contain {m:?}, got {msg:?}"));
        }
    }
    if let Some(want) = strings(exp.get("missingContextKeys")) {
        let want: BTreeSet<String> = want.into_iter().map(|k| k.to_ascii_lowercase()).collect();
        let have: BTreeSet<String> = answer
            .missing_context_keys
            .iter()
            .map(|k| k.to_ascii_lowercase())
            .collect();
        if want != have {
            bad.push(format!(
                "missingContextKeys: expected {want:?}, got {have:?}"
            ));
        }
    }
    if let Some(want) = strings(exp.get("errorKinds")) {
        let have: BTreeSet<String> = answer.errors.iter().map(|d| d.kind.clone()).collect();
        if want != have {
            bad.push(format!(
                "errorKinds: expected {want:?}, got {have:?} ({:?})",
                answer.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
            ));
        }
    }
    if let Some(want) = strings(exp.get("warningCodes")) {
        let have: BTreeSet<String> = answer.warnings.iter().map(|d| d.code.clone()).collect();
        if want != have {
            bad.push(format!("warningCodes: expected {want:?}, got {have:?}"));
        }
    }
    // Every diagnostic carries a position.
    for d in answer.errors.iter().chain(&answer.warnings) {
        if d.policy != "request" && d.line == 0 {
            bad.push(format!("diagnostic without a position: {}", d.message));
        }
    }
    bad
}

#[test]
fn golden_corpus() {
    let mut paths = Vec::new();
    files(&corpus_dir(), &mut paths);
    paths.sort();
    let mut failures = Vec::new();
    for p in &paths {
        let name = p
            .strip_prefix(corpus_dir())
            .unwrap_or(p)
            .display()
            .to_string();
        let text = std::fs::read_to_string(p).unwrap();
        let case: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: not JSON: {e}"));
                continue;
            }
        };
        for b in check(&case) {
            failures.push(format!("{name}: {b}"));
        }
    }
    println!(
        "golden corpus: {} cases, {} mismatches",
        paths.len(),
        failures.len()
    );
    for f in &failures {
        println!("  {f}");
    }
    assert!(
        paths.len() >= 300,
        "the golden corpus needs at least 300 cases, found {}",
        paths.len()
    );
    assert!(
        failures.is_empty(),
        "{} golden mismatches (see above)",
        failures.len()
    );
}
