//! Share links: a whole scenario document in the URL fragment (see `docs/share-links.md`).
//!
//! `#s=1.<engine version>.<base64url(deflate(json))>`: `1` is the link format's version, the engine
//! version is kmslab-core's when the link was made (informative: a link made by another version still
//! opens), and the payload is the document's JSON text, compressed with raw DEFLATE (RFC 1951) and
//! encoded as base64url without padding (RFC 4648 §5). Nothing here interprets the document: a
//! decoded document is handed to kmslab-core like any other.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// The fragment's prefix (after `#`).
pub const PREFIX: &str = "s=";

/// The link format this build writes. Readers accept every format listed in `decode`.
pub const FORMAT: u32 = 1;

/// Largest document a link may expand to (bytes): guards against a tiny link that inflates to
/// gigabytes.
pub const MAX_DOCUMENT: usize = 8 * 1024 * 1024;

/// A scenario document decoded from a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    /// The document's JSON text.
    pub document: String,
    /// The kmslab-core version that made the link.
    pub engine_version: String,
}

/// Why a fragment is not a share link that can be opened; the message is for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareError(pub String);

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a URL fragment (`#s=…` or `s=…`) claims to be a share link.
pub fn is_share_fragment(fragment: &str) -> bool {
    fragment.trim_start_matches('#').starts_with(PREFIX)
}

/// The fragment (without `#`) for a document: `s=1.VERSION.PAYLOAD`.
pub fn encode(document: &str) -> String {
    let compressed = miniz_oxide::deflate::compress_to_vec(document.as_bytes(), 9);
    format!(
        "{PREFIX}{FORMAT}.{}.{}",
        kmslab_core::VERSION,
        URL_SAFE_NO_PAD.encode(compressed)
    )
}

/// Decodes a fragment (`#s=…` or `s=…`); never panics, whatever the input.
pub fn decode(fragment: &str) -> Result<Shared, ShareError> {
    let fragment = fragment.trim_start_matches('#');
    let Some(rest) = fragment.strip_prefix(PREFIX) else {
        return Err(ShareError(
            "this is not a kmslab share link (it should start with #s=).".to_owned(),
        ));
    };
    let Some((format, rest)) = rest.split_once('.') else {
        return Err(ShareError(
            "the share link is incomplete (no format version).".to_owned(),
        ));
    };
    match format {
        "1" => decode_v1(rest),
        other => Err(ShareError(format!(
            "the share link has format version {other:?}, which this playground (format {FORMAT}) \
             can't read — it may have been made by a newer version."
        ))),
    }
}

/// Format 1: `VERSION.PAYLOAD` (the engine version may itself contain dots; base64url never does).
fn decode_v1(rest: &str) -> Result<Shared, ShareError> {
    let Some((version, payload)) = rest.rsplit_once('.') else {
        return Err(ShareError(
            "the share link is incomplete (no engine version or no document).".to_owned(),
        ));
    };
    if payload.is_empty() {
        return Err(ShareError("the share link holds no document.".to_owned()));
    }
    // Links pasted from chats sometimes get percent-encoded or wrapped; base64url needs neither.
    let payload: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| {
            ShareError("the share link is damaged: its document is not valid base64url.".to_owned())
        })?;
    let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_DOCUMENT)
        .map_err(|e| {
            ShareError(match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => format!(
                    "the share link's document is larger than {} MiB.",
                    MAX_DOCUMENT / (1024 * 1024)
                ),
                _ => "the share link is damaged: its document does not decompress (it may \
                      have been cut off when copied)."
                    .to_owned(),
            })
        })?;
    let document = String::from_utf8(inflated).map_err(|_| {
        ShareError("the share link is damaged: its document is not UTF-8 text.".to_owned())
    })?;
    if serde_json::from_str::<Box<serde_json::value::RawValue>>(&document).is_err() {
        return Err(ShareError(
            "the share link is damaged: its document is not JSON.".to_owned(),
        ));
    }
    Ok(Shared {
        document,
        engine_version: version.to_owned(),
    })
}

/// The page's URL with `fragment` (without `#`) in place of the current one.
pub fn link_for(fragment: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default();
    format!("{base}#{fragment}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let doc = r#"{"kmslab":1,"name":"ü — \"quoted\"","calls":[]}"#;
        let fragment = encode(doc);
        assert!(fragment.starts_with(&format!("s=1.{}.", kmslab_core::VERSION)));
        assert!(fragment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=._-".contains(&b)));
        let shared = decode(&format!("#{fragment}"));
        assert_eq!(
            shared,
            Ok(Shared {
                document: doc.to_owned(),
                engine_version: kmslab_core::VERSION.to_owned()
            })
        );
    }

    /// A link made outside Rust (Python's zlib, raw DEFLATE, as docs/share-links.md shows) opens:
    /// format 1 is a fixed, documented format and old links must keep opening.
    #[test]
    fn a_format_1_link_made_elsewhere_opens() {
        let shared = decode("#s=1.0.1.0.q1bKzi3OSUxSslIw1FFQykvMTQUylZIT0w6vVKoFAA");
        assert_eq!(
            shared,
            Ok(Shared {
                document: "{\"kmslab\": 1, \"name\": \"café\"}".to_owned(),
                engine_version: "0.1.0".to_owned()
            })
        );
    }

    #[test]
    fn a_link_of_another_engine_version_opens() {
        let fragment = encode("{}");
        let payload = fragment.rsplit('.').next().unwrap_or_default();
        let old = format!("#s=1.0.0.1-beta.{payload}");
        assert_eq!(
            decode(&old).map(|s| s.engine_version),
            Ok("0.0.1-beta".to_owned())
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            "",
            "#",
            "#s=",
            "#s=1",
            "#s=1.",
            "#s=1..",
            "#s=1.0.1.",
            "#s=1.0.1.!!!!",
            "#s=2.0.1.AAAA",
            "#s=1.0.1.AAAA",
            "#s=1.0.1.bm90IGRlZmxhdGU",
            "#policy-lab",
            "#s=x.y.z",
            "#s=1.0.1.ÿÿ",
        ] {
            let result = decode(bad);
            assert!(result.is_err(), "{bad:?} decoded: {result:?}");
            assert!(result.err().is_some_and(|e| !e.0.is_empty()));
        }
        // Valid deflate of something that is not JSON.
        let not_json = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"hello", 6));
        assert!(decode(&format!("#s=1.0.1.{not_json}")).is_err());
        // A bomb: 9 MiB of spaces.
        let big = vec![b' '; 9 * 1024 * 1024];
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&big, 9));
        let err = decode(&format!("#s=1.0.1.{bomb}")).err();
        assert!(err.is_some_and(|e| e.0.contains("larger than")));
    }

    #[test]
    fn fragments_are_told_apart() {
        assert!(is_share_fragment("#s=1.0.1.AAAA"));
        assert!(is_share_fragment("s="));
        assert!(!is_share_fragment("#policy-lab"));
        assert!(!is_share_fragment("#scenario"));
        assert!(!is_share_fragment(""));
    }
}
