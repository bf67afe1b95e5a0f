//! Share links: a whole scenario document in the URL fragment (see `docs/share-links.md`).
//!
//! The format is kmslab-core's ([`kmslab_core::share`]): `#s=2.<engine version>.<base64url(raw
//! DEFLATE(document) ‖ CRC-32)>` is written; format 1 links (without the checksum) still open. This module
//! only says why a link can't be opened, in the interface's language, and builds the page's links.

use kmslab_core::share::{Damage, ShareError as CoreError};

use crate::i18n::{tr, trf};

pub use kmslab_core::share::{Shared, FORMAT, MAX_DOCUMENT, PREFIX};

/// Why a fragment is not a share link that can be opened; the message is for people (in the
/// interface language of the moment it was made).
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

/// The fragment (without `#`) for a document (kmslab-core's [`kmslab_core::share::encode`]).
pub fn encode(document: &str) -> String {
    kmslab_core::share::encode(document)
}

/// Decodes a fragment (`#s=…` or `s=…`); never panics, whatever the input.
pub fn decode(fragment: &str) -> Result<Shared, ShareError> {
    let fragment = fragment.trim_start_matches('#');
    kmslab_core::share::decode(&format!("#{fragment}")).map_err(|e| ShareError(message(&e)))
}

/// kmslab-core's reason, in the interface's language.
fn message(e: &CoreError) -> String {
    match e {
        CoreError::Invalid(damage) => match damage {
            Damage::NotALink => tr("this is not a kmslab share link (it should start with #s=)."),
            Damage::NoFormat => tr("the share link is incomplete (no format version)."),
            Damage::NoVersionOrDocument => {
                tr("the share link is incomplete (no engine version or no document).")
            }
            Damage::NoDocument => tr("the share link holds no document."),
            Damage::NotBase64 => {
                tr("the share link is damaged: its document is not valid base64url.")
            }
            Damage::NoChecksum | Damage::NotDeflate => tr(
                "the share link is damaged: its document does not decompress (it may \
                 have been cut off when copied).",
            ),
            Damage::NotUtf8 => tr("the share link is damaged: its document is not UTF-8 text."),
            Damage::NotJson => tr("the share link is damaged: its document is not JSON."),
            Damage::ChecksumMismatch => tr(
                "the share link was changed or damaged: its checksum does not match its document.",
            ),
            _ => tr("the share link is damaged."),
        }
        .to_owned(),
        CoreError::UnsupportedFormat(version) => trf(
            "the share link has format version {version}, which this playground (format \
             {format}) can't read — it may have been made by a newer version.",
            &[("version", &format!("{version:?}")), ("format", &FORMAT)],
        ),
        CoreError::TooLarge => trf(
            "the share link's document is larger than {n} MiB.",
            &[("n", &(MAX_DOCUMENT / (1024 * 1024)))],
        ),
        _ => e.to_string(),
    }
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
        assert!(fragment.starts_with(&format!("s=2.{}.", kmslab_core::VERSION)));
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
    fn a_format_1_link_of_another_engine_version_opens() {
        use base64::Engine as _;
        let deflated = miniz_oxide::deflate::compress_to_vec(b"{}", 9);
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(deflated);
        let old = format!("#s=1.0.0.1-beta.{payload}");
        assert_eq!(
            decode(&old).map(|s| s.engine_version),
            Ok("0.0.1-beta".to_owned())
        );
    }

    #[test]
    fn a_changed_link_says_so() {
        let mut fragment = encode(r#"{"kmslab": 1, "name": "x"}"#);
        // Change the version the checksum covers.
        fragment = fragment.replacen(kmslab_core::VERSION, "9.9.9", 1);
        let err = decode(&fragment).err().map(|e| e.0).unwrap_or_default();
        assert!(err.contains("checksum"), "{err}");
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
            "#s=3.0.1.AAAA",
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
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine as _;
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
