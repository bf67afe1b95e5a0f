//! Times a 10,000-PutRecord batch (one `repeat` step) natively: `cargo run --release -p kmslab-core --example batch_profile`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use kmslab_core::scenario::Scenario;

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/scenarios/shared-key-viaservice.json"
    );
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let put = doc["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["op"] == "sagemaker:PutRecord")
        .unwrap()
        .clone();
    let mut batch = put;
    batch.as_object_mut().unwrap().remove("expect");
    batch["repeat"] = serde_json::json!(10_000);
    batch["input"]["Record"][0]["ValueAsString"] = serde_json::json!("batch-${i}");
    doc["calls"].as_array_mut().unwrap().push(batch);
    let text = doc.to_string();
    let t = std::time::Instant::now();
    let r = Scenario::from_json(&text).unwrap().run(None).unwrap();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "10,000 PutRecords: {ms:.0} ms ({:.1} µs each), outcomes {:?}",
        ms / 10.0,
        r.calls.last().unwrap().outcomes
    );
}
