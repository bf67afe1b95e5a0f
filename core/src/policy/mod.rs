//! The AWS policy language: parse, validate, match.

pub mod arn;
pub mod ast;
pub mod condition;
pub mod parse;
pub mod pattern;
pub mod principal;
pub mod values;

pub use ast::{Effect, Policy, PolicyKind, Statement, Version};
pub use parse::{parse_policy, Parsed, KEY_POLICY_MAX_BYTES};
