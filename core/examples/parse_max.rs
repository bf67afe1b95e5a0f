//! Parses a maximum-size key policy repeatedly (for profiling: `perf record cargo run --release --example parse_max`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

fn main() {
    let mut st = Vec::new();
    let mut i = 0;
    loop {
        st.push(format!(
            r#"{{"Sid":"S{i}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:user/user-{i:05}"}},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{{"StringLike":{{"kms:ViaService":"sagemaker.*.amazonaws.com"}}}}}}"#
        ));
        let p = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            st.join(",")
        );
        if p.len() > 32 * 1024 {
            st.pop();
            break;
        }
        i += 1;
    }
    let p = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        st.join(",")
    );
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let t = std::time::Instant::now();
    for _ in 0..n {
        let parsed = kmslab_core::parse_policy(&p, kmslab_core::PolicyKind::KeyPolicy);
        assert!(parsed.policy.is_some());
    }
    println!("{} bytes: {:?} per parse", p.len(), t.elapsed() / n as u32);
}
