//! The KMS model: keys, aliases, grants, real envelope encryption, and the API operations, each authorized
//! through the policy engine.

pub mod actions;
pub mod crypto;
pub mod error;
pub mod grant;
pub mod key;
pub mod service;

pub use error::KmsError;
pub use grant::{Grant, GrantConstraints, GrantMatch};
pub use key::{Key, KeyManager, KeySpec, KeyState, KeyUsage};
pub use service::{Call, KeySeed, Kms};
