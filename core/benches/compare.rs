//! Criterion benchmarks of the questions `tests/bench/run.mjs` asks the npm package (wasm in Node),
//! `@cloud-copilot/iam-simulate` and `@cedar-policy/cedar-wasm`: the same policy sets and requests
//! (`tests/bench/questions.json`), decided natively along the same code paths as the package's
//! `PolicySet.decide` and `evaluate`, for the wasm-vs-native ratio (results in the README).
//!
//! Run: `cargo bench -p kmslab-core --bench compare -- --noplot` (or `bash scripts/bench.sh`, which reads
//! the medians from `target/criterion/compare/`). Each iteration decides every question once, in file
//! order; per decision is the iteration's time divided by the number of questions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use kmslab_core::contract::{PolicySetInput, RequestInput, MAX_QUESTION_BYTES};
use kmslab_core::evaluation::{Clock, Options, ParseCache, PolicySet, Request};
use kmslab_core::policy::arn::is_kms_key_arn;
use kmslab_core::{evaluate_json_at, Decision};
use serde_json::Value;

const QUESTIONS: &str = include_str!("../../tests/bench/questions.json");

/// A policy set as the package's `PolicySet` holds it: the resource policy read as a key policy and as a
/// plain resource policy, chosen per request by its resource.
struct Set {
    as_key_policy: PolicySet,
    as_resource_policy: PolicySet,
}

impl Set {
    fn new(policies: &Value) -> Set {
        let input = PolicySetInput::from_json(&policies.to_string()).unwrap();
        let src = input.policy_sources();
        let mut cache = ParseCache::default();
        let as_key_policy = PolicySet::build_cached(&src, true, &mut cache);
        let as_resource_policy = PolicySet::build_cached(&src, false, &mut cache);
        assert!(as_key_policy.errors.is_empty() && as_resource_policy.errors.is_empty());
        Set {
            as_key_policy,
            as_resource_policy,
        }
    }

    fn for_resource(&self, resource: &str) -> &PolicySet {
        if is_kms_key_arn(resource) {
            &self.as_key_policy
        } else {
            &self.as_resource_policy
        }
    }
}

struct Question {
    set: usize,
    /// The request's JSON text, as `decide` receives it.
    request_text: String,
    request: Request,
    /// The whole question's JSON text (policies + request), with `explain` true and false.
    question_trace: String,
    question_no_trace: String,
    expect: Decision,
}

fn decision(name: &str) -> Decision {
    match name {
        "Allow" => Decision::Allow,
        "ExplicitDeny" => Decision::ExplicitDeny,
        "ImplicitDeny" => Decision::ImplicitDeny,
        other => panic!("unknown decision {other}"),
    }
}

fn load() -> (Vec<Set>, Vec<Question>) {
    let doc: Value = serde_json::from_str(QUESTIONS).unwrap();
    let set_values = doc["sets"].as_array().unwrap();
    let sets = set_values
        .iter()
        .map(|s| Set::new(&s["policies"]))
        .collect();
    let questions = doc["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let set = set_values.iter().position(|s| s["id"] == q["set"]).unwrap();
            let request_text = q["request"].to_string();
            let input: RequestInput = serde_json::from_str(&request_text).unwrap();
            let question = |explain: bool| {
                let mut whole = set_values[set]["policies"].clone();
                whole["request"] = q["request"].clone();
                whole["explain"] = Value::Bool(explain);
                whole.to_string()
            };
            Question {
                set,
                request: input.to_request().unwrap(),
                request_text,
                question_trace: question(true),
                question_no_trace: question(false),
                expect: decision(q["expect"].as_str().unwrap()),
            }
        })
        .collect();
    (sets, questions)
}

/// What the package's `PolicySet.decide` does inside the wasm (`core/src/wasm/`) with a request given as JSON
/// text: check the text with the contract's limits, read it, decide. The package then builds the answer as a
/// JavaScript object (`core/src/wasm/answer.rs`); natively the answer is written as JSON text.
fn decide_json(set: &Set, request_text: &str, opts: Options) -> String {
    kmslab_core::json::parse_limited(request_text, MAX_QUESTION_BYTES).unwrap();
    let input: RequestInput = serde_json::from_str(request_text).unwrap();
    let set = set.for_resource(&input.resource);
    let req = input.into_request().unwrap();
    let answer = set.decide(&req, opts);
    serde_json::to_string(&answer).unwrap()
}

fn benches(c: &mut Criterion) {
    let (sets, questions) = load();
    let no_trace = Options {
        explain: false,
        now: Clock::At(0),
        warnings: false,
    };
    let trace = Options {
        explain: true,
        now: Clock::At(0),
        warnings: false,
    };
    // The engines must agree before anything is timed (run.mjs checks the same for the other engines).
    for q in &questions {
        let set = &sets[q.set];
        let answer = set
            .for_resource(&q.request.resource)
            .decide(&q.request, trace);
        assert_eq!(answer.decision, q.expect, "{}", q.request_text);
        let text = decide_json(set, &q.request_text, no_trace);
        assert!(text.contains(&format!("\"decision\":\"{:?}\"", q.expect)));
        let text = evaluate_json_at(&q.question_trace, 0);
        assert!(text.contains(&format!("\"decision\":\"{:?}\"", q.expect)));
    }

    let mut g = c.benchmark_group("compare");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("decide, parsed request, no trace", |b| {
        b.iter(|| {
            for q in &questions {
                let set = sets[q.set].for_resource(&q.request.resource);
                black_box(set.decide(black_box(&q.request), no_trace));
            }
        })
    });
    g.bench_function("decide, parsed request, trace", |b| {
        b.iter(|| {
            for q in &questions {
                let set = sets[q.set].for_resource(&q.request.resource);
                black_box(set.decide(black_box(&q.request), trace));
            }
        })
    });
    g.bench_function("decide, JSON in and out, no trace", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(decide_json(
                    &sets[q.set],
                    black_box(&q.request_text),
                    no_trace,
                ));
            }
        })
    });
    g.bench_function("decide, JSON in and out, trace", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(decide_json(&sets[q.set], black_box(&q.request_text), trace));
            }
        })
    });
    g.bench_function("evaluate, JSON in and out, no trace", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(evaluate_json_at(black_box(&q.question_no_trace), 0));
            }
        })
    });
    g.bench_function("evaluate, JSON in and out, trace", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(evaluate_json_at(black_box(&q.question_trace), 0));
            }
        })
    });
    g.finish();
}

criterion_group!(compare, benches);
criterion_main!(compare);
