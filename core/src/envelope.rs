//! What envelope encryption did for one stored item: which data key sealed (or opened) it, which KMS key wraps
//! that data key under which encryption context, what ended up in storage, and the KMS requests made for it.
//! The services record one [`Envelope`] per record or object they seal or open; a scenario call returns them
//! (`envelopes`), so the playground can show the envelope beside the trace.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use serde_json::Value;

/// How many leading bytes of a ciphertext an [`Envelope`] shows in hex.
pub const SHOWN_BYTES: usize = 48;

/// One sealed or opened item.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// `online` (Feature Store online store) or `offline` (an S3 object, including the offline store).
    pub store: &'static str,
    /// `sealed` (written) or `opened` (read).
    pub action: &'static str,
    /// The storage key: `FEATURE_GROUP_ARN/RECORD_ID` online, `s3://bucket/key` offline.
    pub location: String,
    /// The KMS key that wraps the data key.
    pub kms_key: String,
    /// `customer managed`, `AWS managed`, `AWS owned`, or `unknown` (a key named by alias or id that was not resolved).
    pub key_manager: &'static str,
    /// Which data key: the feature group's (generated at CreateFeatureGroup), an S3 Bucket Key, or a per-object one.
    pub data_key: &'static str,
    /// The encryption context the data key is wrapped under.
    #[cfg_attr(feature = "wasm-policy", tsify(type = "Record<string, string>"))]
    pub encryption_context: Value,
    /// The wrapped data key (KMS ciphertext blob), first [`SHOWN_BYTES`] bytes in hex, and its length.
    pub wrapped_data_key_hex: String,
    pub wrapped_data_key_bytes: usize,
    /// `AES-256-GCM`, with the additional authenticated data named.
    pub algorithm: &'static str,
    /// What storage holds (nonce ‖ ciphertext ‖ tag), first [`SHOWN_BYTES`] bytes in hex, and its length.
    pub stored_hex: String,
    pub stored_bytes: usize,
    /// Indices into the run's `kmsRequests` of the requests made for this item (empty when a cached data key
    /// was reused, e.g. an S3 Bucket Key).
    pub kms_requests: Vec<usize>,
}

/// The first [`SHOWN_BYTES`] bytes of `bytes` in lowercase hex, with `…` when there are more.
pub fn hex_prefix(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(SHOWN_BYTES * 2 + 3);
    for b in bytes.iter().take(SHOWN_BYTES) {
        let _ = write!(out, "{b:02x}");
    }
    if bytes.len() > SHOWN_BYTES {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_prefix_cuts_long_input() {
        assert_eq!(hex_prefix(&[0, 15, 255]), "000fff");
        let long = [0xabu8; 60];
        let h = hex_prefix(&long);
        assert!(h.ends_with('…'));
        assert_eq!(h.chars().filter(|c| *c == 'b').count(), SHOWN_BYTES);
    }
}
