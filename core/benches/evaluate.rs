//! Criterion benchmarks of the policy engine (results in the README).
//!
//! Run: `cargo bench -p kmslab-core --bench evaluate`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use kmslab_core::evaluation::context::ContextValue;
use kmslab_core::evaluation::{Clock, Options, PolicySet, PolicySource, PolicySources, Request};
use kmslab_core::{parse_policy, Decision, PolicyKind};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const SEED: &str = include_str!("../../tests/fixtures/seed-key-policy.json");

/// A key policy of `n` statements; only the last one allows the benchmark's caller.
fn policy_with(n: usize) -> String {
    let mut st = Vec::with_capacity(n);
    for i in 0..n {
        let user = if i + 1 == n {
            "featurestore-user".to_string()
        } else {
            format!("user-{i:05}")
        };
        st.push(format!(
            r#"{{"Sid":"S{i}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:user/{user}"}},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{{"StringLike":{{"kms:ViaService":"sagemaker.*.amazonaws.com"}}}}}}"#
        ));
    }
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        st.join(",")
    )
}

/// The largest key policy KMS accepts: padded with statements up to just under 32,768 bytes.
fn max_key_policy() -> String {
    let mut n = 1;
    while policy_with(n + 1).len() <= 32 * 1024 {
        n += 1;
    }
    policy_with(n)
}

fn set_for(policy: &str) -> PolicySet {
    let src = PolicySources {
        resource: Some(PolicySource {
            id: "resourcePolicy".into(),
            text: policy.into(),
        }),
        ..PolicySources::default()
    };
    let set = PolicySet::build(&src, true);
    assert!(set.errors.is_empty());
    set
}

fn request() -> Request {
    let mut r = Request {
        principal: "arn:aws:iam::111122223333:user/featurestore-user".into(),
        action: "kms:Decrypt".into(),
        resource: KEY.into(),
        ..Request::default()
    };
    r.set(
        "kms:ViaService",
        ContextValue::One("sagemaker.us-east-1.amazonaws.com".into()),
    );
    r
}

fn benches(c: &mut Criterion) {
    let max = max_key_policy();
    c.bench_function(
        &format!("parse/max key policy ({} bytes)", max.len()),
        |b| b.iter(|| parse_policy(black_box(&max), PolicyKind::KeyPolicy)),
    );
    c.bench_function("parse/seed key policy", |b| {
        b.iter(|| parse_policy(black_box(SEED), PolicyKind::KeyPolicy))
    });

    let req = request();
    let no_trace = Options {
        explain: false,
        now: Clock::At(0),
        warnings: true,
    };
    let trace = Options {
        explain: true,
        now: Clock::At(0),
        warnings: true,
    };
    let seed = set_for(SEED);
    assert_eq!(seed.decide(&req, no_trace).decision, Decision::Allow);
    let mut g = c.benchmark_group("decide");
    g.bench_function("seed key policy/no trace", |b| {
        b.iter(|| seed.decide(black_box(&req), no_trace))
    });
    g.bench_function("seed key policy/trace", |b| {
        b.iter(|| seed.decide(black_box(&req), trace))
    });
    for n in [10usize, 100, 1000] {
        let set = set_for(&policy_with(n));
        assert_eq!(set.decide(&req, no_trace).decision, Decision::Allow);
        g.bench_with_input(BenchmarkId::new("statements/no trace", n), &n, |b, _| {
            b.iter(|| set.decide(black_box(&req), no_trace))
        });
        g.bench_with_input(BenchmarkId::new("statements/trace", n), &n, |b, _| {
            b.iter(|| set.decide(black_box(&req), trace))
        });
    }
    g.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
