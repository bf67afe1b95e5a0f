//! The KMS model. For now: grants as an allow source of the policy engine.

pub mod actions;
pub mod grant;

pub use grant::{Grant, GrantConstraints, GrantMatch};
