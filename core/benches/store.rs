//! Criterion benchmarks of envelope encryption and the Feature Store data plane (results in the README).
//!
//! Run: `cargo bench -p kmslab-core --bench store`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kmslab_core::kms::crypto::{open_record, seal_record, SeededEntropy};
use kmslab_core::scenario::Scenario;
use serde_json::{json, Value};

fn seed_scenario() -> Value {
    serde_json::from_str(include_str!("../../tests/scenarios/seed.json")).unwrap()
}

/// The seed scenario's set-up with its calls replaced.
fn scenario_with(calls: Vec<Value>) -> Scenario {
    let mut s = seed_scenario();
    s["calls"] = Value::Array(calls);
    Scenario::from_json(&s.to_string()).unwrap()
}

fn create_call() -> Value {
    seed_scenario()["calls"][0].clone()
}

fn put(i: u64) -> Value {
    json!({"as": "arn:aws:iam::111122223333:user/featurestore-user", "op": "sagemaker:PutRecord", "input": {
        "FeatureGroupName": "orders", "Record": [
            {"FeatureName": "order_id", "ValueAsString": format!("o-{i}")},
            {"FeatureName": "event_time", "ValueAsString": (1_767_225_700 + i).to_string()},
            {"FeatureName": "customer", "ValueAsString": "c-42"},
            {"FeatureName": "amount", "ValueAsString": "19.99"}]}})
}

fn benches(c: &mut Criterion) {
    let key = [7u8; 32];
    let mut g = c.benchmark_group("envelope seal+open");
    for size in [256usize, 1024, 64 * 1024] {
        let data = vec![0x42u8; size];
        g.throughput(Throughput::Bytes(size as u64));
        let mut e = SeededEntropy::new([1; 32]);
        g.bench_with_input(BenchmarkId::from_parameter(size), &data, |b, d| {
            b.iter(|| {
                let sealed = seal_record(&key, b"fg\0id", black_box(d), &mut e).unwrap();
                open_record(&key, b"fg\0id", &sealed).unwrap()
            })
        });
    }
    g.finish();

    // One PutRecord + GetRecord round trip through IAM, the key policy, KMS and the in-memory store.
    let s = scenario_with(vec![create_call()]);
    let mut w = s.build(None).unwrap();
    let call = create_call();
    w.feature_store_call(
        call["as"].as_str().unwrap(),
        call["op"].as_str().unwrap(),
        &call["input"],
    )
    .unwrap();
    let user = "arn:aws:iam::111122223333:user/featurestore-user";
    let get = json!({"FeatureGroupName": "orders", "RecordIdentifierValueAsString": "o-1"});
    let mut i = 0u64;
    c.bench_function("feature store/PutRecord+GetRecord round trip", |b| {
        b.iter(|| {
            i += 1;
            // one round trip per simulated millisecond: well under KMS's request quota
            w.advance(1);
            let p = put(i);
            w.feature_store_call(user, "sagemaker:PutRecord", &p["input"])
                .unwrap();
            let mut g = get.clone();
            g["RecordIdentifierValueAsString"] = json!(format!("o-{i}"));
            black_box(
                w.feature_store_call(user, "sagemaker:GetRecord", &g)
                    .unwrap(),
            );
            w.take_authorizations();
        })
    });

    let mut calls = vec![create_call()];
    calls.extend((0..10_000).map(put));
    let big = scenario_with(calls);
    let mut g = c.benchmark_group("scenario");
    g.sample_size(10);
    g.bench_function(
        "10,000 PutRecord calls (seed set-up, online + offline stores)",
        |b| b.iter(|| black_box(big.run(None).unwrap().calls.len())),
    );
    g.finish();
}

criterion_group!(store, benches);
criterion_main!(store);
