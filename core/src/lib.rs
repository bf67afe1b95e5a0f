//! kmslab-core: a faithful simulator of AWS data-protection security for SageMaker Feature Store —
//! the AWS policy language (parse, validate, evaluate, explain), KMS grants, and (in later modules) the KMS
//! and Feature Store models.
//!
//! `#![no_std]` + `alloc`: the same code runs natively, in the browser and in the npm package.
//!
//! ```
//! let answer = kmslab_core::evaluate_json(r#"{
//!   "request": { "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
//!                "resource": "arn:aws:s3:::bucket/key" },
//!   "identityPolicies": [ { "Version": "2012-10-17",
//!     "Statement": [ { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*" } ] } ]
//! }"#);
//! assert!(answer.contains(r#""decision":"Allow""#));
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod contract;
pub mod cost;
pub mod diag;
pub mod envelope;
pub mod evaluation;
pub mod featurestore;
pub mod iam;
pub mod json;
pub mod kms;
pub mod matrix;
pub mod policy;
pub mod s3;
pub mod scenario;
pub mod share;
pub mod storage;
pub mod trail;
pub mod world;

/// The JavaScript bindings of the npm package `kmslab` (npm/README.md): the policy engine's with the
/// `wasm-policy` feature (the package's `kmslab/policy` entry), all of them with `wasm`.
#[cfg(feature = "wasm-policy")]
mod wasm;

pub use contract::{evaluate_json, evaluate_json_at, validate_policy, ContractError, Question};
pub use diag::{Diagnostic, Severity};
pub use evaluation::{Answer, Clock, Decision, Options, PolicySet, Reason, Request};
pub use policy::{parse_policy, PolicyKind};

/// A bare `no_std` wasm build (no `std`, no `wasm`/`wasm-policy` feature) links as a cdylib only with an allocator and
/// a panic handler of its own (toolchain.md, pitfall 4). With `std` or `wasm`, the standard library's are used.
#[cfg(all(
    target_arch = "wasm32",
    not(feature = "std"),
    not(feature = "wasm-policy"),
    not(test)
))]
mod bare_wasm {
    #[global_allocator]
    static ALLOC: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        core::arch::wasm32::unreachable()
    }
}

/// The engine version; share links and exported scenarios carry it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
