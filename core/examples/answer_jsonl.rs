//! Answers many questions fast: reads JSON Lines questions (docs/contract.md) on stdin and writes one answer per
//! line on stdout, in order. Used by the conformance test (`tests/conformance/`, `scripts/conformance.sh`).
//!
//! ```sh
//! cargo build --release -p kmslab-core --example answer_jsonl
//! target/release/examples/answer_jsonl [--now-ms EPOCH_MS] < questions.jsonl > answers.jsonl
//! ```
//!
//! Every answer is evaluated at a fixed time (default 2026-01-01T00:00:00Z, the golden corpus's clock) unless
//! the question supplies `aws:CurrentTime`/`aws:EpochTime`, so the output is deterministic. Blank input lines
//! give blank output lines; a line that is not a question gives `{"error": {...}}` (never a crash).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufWriter, Write};

/// 2026-01-01T00:00:00Z, as in `core/tests/golden.rs`.
const DEFAULT_NOW_MS: i64 = 1_767_225_600_000;

fn main() {
    let mut now_ms = DEFAULT_NOW_MS;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--now-ms" => {
                now_ms = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--now-ms needs epoch milliseconds");
            }
            "-h" | "--help" => {
                println!(
                    "usage: answer_jsonl [--now-ms EPOCH_MS] < questions.jsonl > answers.jsonl"
                );
                return;
            }
            other => panic!("unknown argument `{other}` (try --help)"),
        }
    }
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lines() {
        let line = line.expect("stdin is not UTF-8 text");
        if line.trim().is_empty() {
            writeln!(out).expect("write to stdout");
            continue;
        }
        let answer = kmslab_core::evaluate_json_at(&line, now_ms);
        writeln!(out, "{answer}").expect("write to stdout");
    }
    out.flush().expect("flush stdout");
}
