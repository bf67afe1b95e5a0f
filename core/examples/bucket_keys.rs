//! KMS requests for 10,000 offline-store writes, with and without S3 Bucket Keys (reported in the README).
//!
//! Run: `cargo run --release -p kmslab-core --example bucket_keys`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_core::scenario::Scenario;
use serde_json::{json, Value};

fn main() {
    let seed: Value =
        serde_json::from_str(include_str!("../../tests/scenarios/seed.json")).unwrap();
    let writes: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    for bucket_key in [false, true] {
        let mut s = seed.clone();
        s["buckets"][0]["bucketKeyEnabled"] = json!(bucket_key);
        let mut calls = vec![seed["calls"][0].clone()];
        for i in 0..writes {
            calls.push(json!({"as": "arn:aws:iam::111122223333:user/featurestore-user", "op": "sagemaker:PutRecord", "input": {
                "FeatureGroupName": "orders", "TargetStores": ["OfflineStore"], "Record": [
                    {"FeatureName": "order_id", "ValueAsString": format!("o-{i}")},
                    {"FeatureName": "event_time", "ValueAsString": (1_767_225_700 + i).to_string()},
                    {"FeatureName": "customer", "ValueAsString": "c-42"},
                    {"FeatureName": "amount", "ValueAsString": "19.99"}]}}));
            // one write per second of simulated time: 10,000 writes span 2 h 47 min
            calls.push(json!({"clock": 1}));
        }
        s["calls"] = Value::Array(calls);
        let t = std::time::Instant::now();
        let r = Scenario::from_json(&s.to_string())
            .unwrap()
            .run(None)
            .unwrap();
        let gdk = r
            .kms_requests
            .iter()
            .filter(|k| k.operation == "GenerateDataKey" && k.via_service.as_deref() == Some("s3"))
            .count();
        let total = r.kms_requests.len();
        println!(
            "bucket key {:>3}: {writes} offline writes -> {gdk} GenerateDataKey requests from S3, {total} KMS requests in all; cost {} ({:.1?})",
            if bucket_key { "on" } else { "off" },
            r.cost["total"],
            t.elapsed()
        );
    }
}
