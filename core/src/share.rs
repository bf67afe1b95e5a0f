//! Share links: a whole scenario document in a URL fragment (`docs/share-links.md`).
//!
//! Format 2 (written): `s=2.<engine version>.<base64url(raw DEFLATE(document) ‖ CRC-32)>`, where the CRC-32
//! (IEEE, big-endian) covers the engine version, a zero byte and the document: a link changed or cut anywhere —
//! a flipped bit, a lost character — is refused rather than opened as some other document. Format 1 (read, for
//! old links): the same without the checksum. This is the encoding the playground's
//! **Copy link** writes and its `/embed` page and full page read (`web/src/share.rs`); the npm package
//! exposes it (`shareFragment`, `playgroundLink`, `embedLink`) so that docs sites make links in the same
//! format. The document is not interpreted here: any JSON text is carried as it is.

use alloc::format;
use alloc::string::String;
use core::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// The fragment's prefix (after `#`).
pub const PREFIX: &str = "s=";

/// The link format this engine writes (it also reads format 1).
pub const FORMAT: u32 = 2;

/// Largest document a link may expand to, in bytes: a small link must not inflate to gigabytes.
pub const MAX_DOCUMENT: usize = 8 * 1024 * 1024;

/// The DEFLATE level: 9, as the playground uses, so the same document gives the same link everywhere.
const LEVEL: u8 = 9;

/// A document decoded from a share link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    /// The document's JSON text.
    pub document: String,
    /// The engine version that made the link (informative).
    pub engine_version: String,
}

/// What is wrong with a link that is not a share link, or a damaged one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Damage {
    NotALink,
    NoFormat,
    NoVersionOrDocument,
    NoDocument,
    NotBase64,
    NoChecksum,
    NotDeflate,
    NotUtf8,
    NotJson,
    ChecksumMismatch,
}

impl Damage {
    /// What it means, for people (lowercase; hosts may translate by variant).
    pub fn reason(self) -> &'static str {
        match self {
            Damage::NotALink => "it does not start with `#s=`",
            Damage::NoFormat => "it has no format version",
            Damage::NoVersionOrDocument => "it has no engine version or no document",
            Damage::NoDocument => "it holds no document",
            Damage::NotBase64 => "its document is not valid base64url",
            Damage::NoChecksum => "it was cut off (no checksum)",
            Damage::NotDeflate => "its document does not decompress (it may have been cut off)",
            Damage::NotUtf8 => "its document is not UTF-8 text",
            Damage::NotJson => "its document is not JSON",
            Damage::ChecksumMismatch => "it was changed or damaged (its checksum does not match)",
        }
    }
}

/// Why a fragment can't be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShareError {
    /// Not `s=…`, incomplete, not base64url, not DEFLATE, not UTF-8, not JSON, or changed.
    Invalid(Damage),
    /// A link format this engine does not read (a newer one).
    UnsupportedFormat(String),
    /// The document is larger than [`MAX_DOCUMENT`] once decompressed.
    TooLarge,
}

impl ShareError {
    /// A stable code for hosts to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            ShareError::Invalid(_) => "InvalidShareLink",
            ShareError::UnsupportedFormat(_) => "UnsupportedShareFormat",
            ShareError::TooLarge => "ShareLinkTooLarge",
        }
    }
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::Invalid(why) => write!(f, "the share link can't be opened: {}", why.reason()),
            ShareError::UnsupportedFormat(v) => write!(
                f,
                "the share link has format `{v}`; this engine reads format `{FORMAT}` (it may have been \
                 made by a newer version)"
            ),
            ShareError::TooLarge => write!(
                f,
                "the share link's document is larger than {} MiB",
                MAX_DOCUMENT / (1024 * 1024)
            ),
        }
    }
}

/// The fragment (without `#`) that carries `document`: `s=2.VERSION.PAYLOAD`.
pub fn encode(document: &str) -> String {
    let mut payload = miniz_oxide::deflate::compress_to_vec(document.as_bytes(), LEVEL);
    payload.extend_from_slice(&checksum(crate::VERSION, document).to_be_bytes());
    format!(
        "{PREFIX}{FORMAT}.{}.{}",
        crate::VERSION,
        URL_SAFE_NO_PAD.encode(payload)
    )
}

/// CRC-32 (IEEE 802.3, reflected, as zlib's `crc32`) of the engine version, a zero byte and the document.
fn checksum(version: &str, document: &str) -> u32 {
    let bytes = version
        .bytes()
        .chain(core::iter::once(0))
        .chain(document.bytes());
    !bytes.fold(!0u32, |crc, b| {
        let i = usize::from((crc as u8) ^ b);
        (crc >> 8) ^ CRC_TABLE.get(i).copied().unwrap_or(0)
    })
}

/// The CRC-32 lookup table (polynomial 0xEDB88320), built at compile time.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: `n < 256` is the table's length, and an index out of range would fail the build"
)]
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// `base_url` (any fragment it has dropped) with the share fragment of `document`: the full playground's
/// "Open in playground" link.
pub fn link(base_url: &str, document: &str) -> String {
    format!("{}#{}", without_fragment(base_url), encode(document))
}

/// The `/embed` page's link for `document`: `base_url` with `embed` added to its query, then the share
/// fragment (`https://HOST/PATH/?embed#s=2.…`), for an `<iframe src>`.
pub fn embed_link(base_url: &str, document: &str) -> String {
    let base = without_fragment(base_url);
    let sep = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    format!("{base}{sep}embed#{}", encode(document))
}

fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

/// Decodes a share link: a whole URL (`https://…#s=…`), a fragment (`#s=…`, `#embed&s=…`) or `s=…`.
/// Never panics, whatever the input.
pub fn decode(link: &str) -> Result<Shared, ShareError> {
    let fragment = match link.split_once('#') {
        Some((_, f)) => f,
        None => link,
    };
    let fragment = fragment.strip_prefix("embed&").unwrap_or(fragment);
    let rest = fragment
        .strip_prefix(PREFIX)
        .ok_or(ShareError::Invalid(Damage::NotALink))?;
    let (format, rest) = rest
        .split_once('.')
        .ok_or(ShareError::Invalid(Damage::NoFormat))?;
    let checked = match format {
        "1" => false,
        "2" => true,
        other => return Err(ShareError::UnsupportedFormat(String::from(other))),
    };
    // `VERSION.PAYLOAD`; the version may contain dots, base64url never does.
    let (version, payload) = rest
        .rsplit_once('.')
        .ok_or(ShareError::Invalid(Damage::NoVersionOrDocument))?;
    let payload: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    let payload = payload.trim_end_matches('=');
    if payload.is_empty() {
        return Err(ShareError::Invalid(Damage::NoDocument));
    }
    let mut bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| ShareError::Invalid(Damage::NotBase64))?;
    let expected = if checked {
        let at = bytes
            .len()
            .checked_sub(4)
            .ok_or(ShareError::Invalid(Damage::NoChecksum))?;
        let crc = bytes
            .get(at..)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or(ShareError::Invalid(Damage::NoChecksum))?;
        bytes.truncate(at);
        Some(crc)
    } else {
        None
    };
    let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_DOCUMENT)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLarge,
            _ => ShareError::Invalid(Damage::NotDeflate),
        })?;
    let document = String::from_utf8(inflated).map_err(|_| ShareError::Invalid(Damage::NotUtf8))?;
    if expected.is_some_and(|crc| crc != checksum(version, &document)) {
        return Err(ShareError::Invalid(Damage::ChecksumMismatch));
    }
    // Any JSON text opens (as links always did): a document that is JSON but not a scenario — duplicate keys,
    // nesting deeper than the engine reads — opens and shows the engine's own error.
    // (JSON as either reader takes it: kmslab's accepts some escapes serde_json refuses, and the reverse.)
    if serde_json::from_str::<serde::de::IgnoredAny>(&document).is_err()
        && crate::json::parse_limited(&document, MAX_DOCUMENT).is_err()
    {
        return Err(ShareError::Invalid(Damage::NotJson));
    }
    Ok(Shared {
        document,
        engine_version: String::from(version),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn round_trip() {
        let doc = r#"{"kmslab":1,"name":"ü — \"quoted\"","calls":[]}"#;
        let fragment = encode(doc);
        assert!(fragment.starts_with(&format!("s=2.{}.", crate::VERSION)));
        assert!(fragment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=._-".contains(&b)));
        for link in [
            fragment.clone(),
            format!("#{fragment}"),
            format!("#embed&{fragment}"),
            link("https://example.com/kmslab/#policy-lab", doc),
            embed_link("https://example.com/kmslab/", doc),
        ] {
            assert_eq!(
                decode(&link),
                Ok(Shared {
                    document: String::from(doc),
                    engine_version: String::from(crate::VERSION)
                }),
                "{link}"
            );
        }
    }

    #[test]
    fn links_are_built_on_the_base_url() {
        let f = encode("{}");
        assert_eq!(link("https://h/p/#old", "{}"), format!("https://h/p/#{f}"));
        assert_eq!(
            embed_link("https://h/p/", "{}"),
            format!("https://h/p/?embed#{f}")
        );
        assert_eq!(
            embed_link("https://h/p/?lang=zh-TW#x", "{}"),
            format!("https://h/p/?lang=zh-TW&embed#{f}")
        );
    }

    /// The link docs/share-links.md makes with Python's zlib opens: format 1 is fixed.
    #[test]
    fn a_format_1_link_made_elsewhere_opens() {
        assert_eq!(
            decode("#s=1.0.1.0.q1bKzi3OSUxSslIw1FFQykvMTQUylZIT0w6vVKoFAA"),
            Ok(Shared {
                document: String::from("{\"kmslab\": 1, \"name\": \"café\"}"),
                engine_version: String::from("0.1.0")
            })
        );
    }

    /// The checksum is zlib's CRC-32 ("123456789" → 0xCBF43926, the standard check value).
    #[test]
    fn the_checksum_is_crc32() {
        assert_eq!(
            !"123456789".bytes().fold(!0u32, |crc, b| {
                (crc >> 8) ^ CRC_TABLE[usize::from((crc as u8) ^ b)]
            }),
            0xCBF4_3926
        );
        assert_ne!(checksum("0.1.0", "{}"), checksum("0.1.1", "{}"));
    }

    /// Every single-bit flip and every truncation of a format-2 link is refused with `InvalidShareLink` (or,
    /// for a flip in the format digit, `UnsupportedShareFormat`) — never opened as another document.
    #[test]
    fn every_bit_flip_and_truncation_of_a_link_is_refused() {
        let doc = r#"{"kmslab": 1, "name": "tamper", "calls": [{"as": "arn:aws:iam::111122223333:user/u", "op": "kms:Decrypt"}]}"#;
        let link = format!("#{}", encode(doc));
        let bytes = link.as_bytes();
        let mut cases = 0;
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut t = bytes.to_vec();
                t[i] ^= 1 << bit;
                // A flip that makes the text invalid UTF-8 can't even be a URL fragment.
                let Ok(text) = core::str::from_utf8(&t) else {
                    continue;
                };
                cases += 1;
                match decode(text) {
                    Ok(shared) => panic!(
                        "flipping bit {bit} of byte {i} opened {:?}",
                        shared.document
                    ),
                    Err(ShareError::Invalid(_) | ShareError::UnsupportedFormat(_)) => {}
                    Err(other) => panic!("byte {i} bit {bit}: {other:?}"),
                }
            }
        }
        for len in 0..bytes.len() {
            let cut = link.get(..len).unwrap_or("");
            assert!(
                matches!(decode(cut), Err(ShareError::Invalid(_))),
                "truncated to {len}"
            );
            cases += 1;
        }
        // A character appended to the payload.
        for extra in ["A", "_", "0"] {
            assert!(
                matches!(
                    decode(&format!("{link}{extra}")),
                    Err(ShareError::Invalid(_))
                ),
                "appended {extra}"
            );
            cases += 1;
        }
        // 1,107 for this link: 966 flips that leave text (the 138 high-bit flips don't), 138 cuts, 3 appends.
        assert!(cases > 1000, "{cases}");
    }

    /// A format-2 link made with Python's zlib (docs/share-links.md) opens: the checksum is zlib's CRC-32.
    #[test]
    fn a_format_2_link_made_elsewhere_opens() {
        assert_eq!(
            decode("#s=2.0.1.0.q1bKzi3OSUxSslIw1FFQykvMTQUylZIT0w6vVKoFAP3Dt4o"),
            Ok(Shared {
                document: String::from("{\"kmslab\": 1, \"name\": \"café\"}"),
                engine_version: String::from("0.1.0")
            })
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
            "#s=1.0.1.AAAA",
            "#s=1.0.1.bm90IGRlZmxhdGU",
            "#policy-lab",
            "#s=1.0.1.ÿÿ",
        ] {
            assert!(
                matches!(decode(bad), Err(ShareError::Invalid(_))),
                "{bad:?}"
            );
        }
        for newer in ["#s=3.0.1.AAAA", "#s=x.y.z"] {
            assert_eq!(
                decode(newer).map_err(|e| e.code()),
                Err("UnsupportedShareFormat")
            );
        }
        let not_json = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"hello", 6));
        assert!(decode(&format!("#s=1.0.1.{not_json}")).is_err());
        let big = vec![b' '; MAX_DOCUMENT + 1];
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&big, 9));
        assert_eq!(
            decode(&format!("#s=1.0.1.{bomb}")),
            Err(ShareError::TooLarge)
        );
    }
}
