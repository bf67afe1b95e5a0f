//! The cryptography of the KMS model: symmetric KMS keys (AES-256-GCM), the encryption context as
//! additional authenticated data, data keys, and envelope encryption of records with a data key.
//!
//! This is a simulator: the formats below are kmslab's own, not AWS's (AWS does not publish its
//! ciphertext format). What is faithful is the behaviour: a ciphertext blob names the KMS key that
//! sealed it, so `Decrypt` needs no `KeyId` (BOTO-KMS Decrypt); the encryption context must match
//! exactly — case-sensitive, only the order of pairs may vary (KMS-DG/concepts.md); and a wrong
//! context, a wrong key or a modified blob all fail the same way, which the service reports as
//! `InvalidCiphertextException` (aws-semantics.md §3.2–3.3).
//!
//! # The ciphertext blob (`seal` / `open`)
//!
//! ```text
//! offset        size  field
//! 0             4     magic, b"KMSL"
//! 4             1     format version, 1
//! 5             2     n = length of the key ARN in bytes, u16 big-endian, 1..=MAX_KEY_ARN_BYTES
//! 7             n     the key ARN, UTF-8
//! 7+n           4     key-material version, u32 big-endian
//! 11+n          12    nonce (random, 96 bits)
//! 23+n          m+16  AES-256-GCM ciphertext of the m plaintext bytes, then the 16-byte tag
//! ```
//!
//! The additional authenticated data is
//! `b"kmslab/kms/v1" || header || canonical(encryption context)`, where `header` is every byte from
//! the magic through the nonce, and the canonical encryption context is its pairs in order of key
//! bytes (the order of a `BTreeMap<String, String>`), each written as the key's length (u32
//! big-endian), the key's bytes, the value's length (u32 big-endian) and the value's bytes. An empty
//! context contributes nothing. So a wrong encryption context, a flipped bit anywhere (header, nonce,
//! body or tag), a truncation or an extension all fail to open.
//!
//! # The sealed record (`seal_record` / `open_record`)
//!
//! Envelope encryption with a plaintext data key, as a service such as Feature Store does locally:
//!
//! ```text
//! offset  size  field
//! 0       4     magic, b"KMSR"
//! 4       1     format version, 1
//! 5       12    nonce (random, 96 bits)
//! 17      m+16  AES-256-GCM ciphertext of the m plaintext bytes, then the 16-byte tag
//! ```
//!
//! The additional authenticated data is `b"kmslab/record/v1" || header || aad`, where `header` is
//! the 17 bytes from the magic through the nonce and `aad` is whatever the caller binds the record to.
//!
//! # Secrets
//!
//! Key material and data keys live in [`zeroize::Zeroizing`] buffers and are wiped on drop; their
//! `Debug` output never shows a byte of them. Decrypted plaintext is returned in a `Zeroizing` buffer.
//! Authentication failures carry no detail (no oracle): every one reads the same.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use aes_gcm::aes::cipher::BlockEncrypt;
use aes_gcm::aes::Aes256;
use aes_gcm::{AeadInPlace, Aes256Gcm, KeyInit};
use zeroize::{Zeroize, Zeroizing};

/// The largest plaintext [`seal`] accepts, like KMS `Encrypt` with `SYMMETRIC_DEFAULT` (BOTO-KMS).
pub const MAX_PLAINTEXT_BYTES: usize = 4096;
/// The largest ciphertext blob [`open`] and [`read_header`] accept, like KMS `CiphertextBlob` (BOTO-KMS).
pub const MAX_CIPHERTEXT_BLOB_BYTES: usize = 6144;
/// The longest key ARN a blob may name. Real KMS key ARNs are well under 128 bytes.
pub const MAX_KEY_ARN_BYTES: usize = 1024;
/// The fewest bytes [`generate_data_key`] returns (`NumberOfBytes`, BOTO-KMS GenerateDataKey).
pub const MIN_DATA_KEY_BYTES: usize = 1;
/// The most bytes [`generate_data_key`] returns (`NumberOfBytes`, BOTO-KMS GenerateDataKey).
pub const MAX_DATA_KEY_BYTES: usize = 1024;
/// The largest record [`seal_record`] accepts: Feature Store's record limit is 350 KB; this leaves headroom.
pub const MAX_RECORD_PLAINTEXT_BYTES: usize = 400 * 1024;
/// The most caller-supplied associated data [`seal_record`] and [`open_record`] accept.
pub const MAX_RECORD_AAD_BYTES: usize = 16 * 1024;
/// The length of a KMS key's material and of the data key [`seal_record`] takes (AES-256).
pub const KEY_BYTES: usize = 32;
/// The length of an AES-GCM nonce.
pub const NONCE_BYTES: usize = 12;
/// The length of an AES-GCM tag.
pub const TAG_BYTES: usize = 16;

/// The magic that starts a ciphertext blob.
pub const BLOB_MAGIC: [u8; 4] = *b"KMSL";
/// The ciphertext blob format this module writes and reads.
pub const BLOB_FORMAT_VERSION: u8 = 1;
/// The magic that starts a sealed record.
pub const RECORD_MAGIC: [u8; 4] = *b"KMSR";
/// The sealed-record format this module writes and reads.
pub const RECORD_FORMAT_VERSION: u8 = 1;

/// Domain separation for ciphertext blobs, the first bytes of their AAD.
const BLOB_AAD_PREFIX: &[u8] = b"kmslab/kms/v1";
/// Domain separation for sealed records, the first bytes of their AAD.
const RECORD_AAD_PREFIX: &[u8] = b"kmslab/record/v1";
/// Blob header bytes other than the ARN: magic, version, ARN length, material version, nonce.
const BLOB_FIXED_HEADER_BYTES: usize = 4 + 1 + 2 + 4 + NONCE_BYTES;
/// Record header bytes: magic, version, nonce.
const RECORD_HEADER_BYTES: usize = 4 + 1 + NONCE_BYTES;
/// The largest sealed record [`open_record`] accepts.
const MAX_SEALED_RECORD_BYTES: usize = RECORD_HEADER_BYTES + MAX_RECORD_PLAINTEXT_BYTES + TAG_BYTES;

// Every blob `seal` may produce fits the blob limit, so `seal` never makes a blob `open` refuses.
const _: () = assert!(
    BLOB_FIXED_HEADER_BYTES + MAX_KEY_ARN_BYTES + MAX_PLAINTEXT_BYTES + TAG_BYTES
        <= MAX_CIPHERTEXT_BLOB_BYTES
);
const _: () = assert!(MAX_KEY_ARN_BYTES <= u16::MAX as usize);

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a cryptographic operation failed. None of the messages contains key material or plaintext.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CryptoError {
    /// The input is not a ciphertext blob or sealed record of this module: too short, wrong magic,
    /// unknown format version, or an unreadable key ARN. Nothing was decrypted.
    Malformed {
        /// What was being read: `"ciphertext blob"` or `"sealed record"`.
        what: &'static str,
        /// What is wrong with it.
        reason: MalformedReason,
    },
    /// The ciphertext did not authenticate: wrong key, wrong encryption context or associated data,
    /// or modified bytes. Deliberately opaque: every failure reads the same.
    AuthenticationFailed,
    /// A key of the wrong length.
    WrongKeyLength {
        /// The length required, in bytes.
        expected: usize,
        /// The length given, in bytes.
        actual: usize,
    },
    /// The entropy source could not supply random bytes.
    Entropy(EntropyError),
    /// An input is longer than its limit.
    TooLarge {
        /// Which input: `"plaintext"`, `"ciphertext blob"`, `"key ARN"`, ….
        what: &'static str,
        /// Its length, in bytes.
        len: usize,
        /// The limit, in bytes.
        max: usize,
    },
    /// An input that must not be empty is empty (the plaintext of `seal`, a key ARN, a data key length).
    Empty {
        /// Which input.
        what: &'static str,
    },
}

/// What is wrong with a malformed ciphertext blob or sealed record.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MalformedReason {
    /// It ends before its header and tag do.
    Truncated,
    /// It doesn't start with the magic bytes.
    BadMagic,
    /// It is of a format version this module doesn't read.
    UnsupportedVersion(u8),
    /// The key ARN it names is empty.
    EmptyKeyArn,
    /// The key ARN it names is not UTF-8.
    KeyArnNotUtf8,
}

/// An entropy source failed. Hosts supplying their own entropy construct it with a short reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntropyError {
    reason: &'static str,
}

impl EntropyError {
    /// An entropy failure; `reason` is a short lowercase phrase, e.g. `"the host has no random source"`.
    pub const fn new(reason: &'static str) -> Self {
        EntropyError { reason }
    }

    /// The reason given.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for EntropyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

impl fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MalformedReason::Truncated => f.write_str("it is truncated"),
            MalformedReason::BadMagic => {
                f.write_str("it does not start with the expected magic bytes")
            }
            MalformedReason::UnsupportedVersion(v) => {
                write!(f, "format version `{v}` is not supported")
            }
            MalformedReason::EmptyKeyArn => f.write_str("the key ARN in it is empty"),
            MalformedReason::KeyArnNotUtf8 => f.write_str("the key ARN in it is not valid UTF-8"),
        }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CryptoError::Malformed { what, reason } => write!(f, "the {what} is malformed: {reason}"),
            CryptoError::AuthenticationFailed => f.write_str(
                "the ciphertext, or the additional authenticated data such as the encryption context, \
                 is corrupted, missing or otherwise invalid",
            ),
            CryptoError::WrongKeyLength { expected, actual } => {
                write!(f, "the key must be {expected} bytes long, not {actual}")
            }
            CryptoError::Entropy(e) => write!(f, "the entropy source failed: {e}"),
            CryptoError::TooLarge { what, len, max } => {
                write!(f, "the {what} is {len} bytes long; the limit is {max}")
            }
            CryptoError::Empty { what } => write!(f, "the {what} must not be empty"),
        }
    }
}

impl core::error::Error for CryptoError {}

impl From<EntropyError> for CryptoError {
    fn from(e: EntropyError) -> Self {
        CryptoError::Entropy(e)
    }
}

// ---------------------------------------------------------------------------------------------
// Entropy
// ---------------------------------------------------------------------------------------------

/// Where random bytes come from: the operating system natively and in the browser ([`OsEntropy`]),
/// the host otherwise (implement this trait), or a seed for reproducible scenarios ([`SeededEntropy`]).
pub trait Entropy {
    /// Fills `buf` entirely with random bytes, or fails.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError>;
}

/// The operating system's random numbers (`getrandom`); `crypto.getRandomValues` in the browser.
/// Only with the `std` or `wasm` feature.
#[cfg(any(feature = "std", feature = "wasm"))]
#[derive(Clone, Copy, Debug, Default)]
pub struct OsEntropy;

#[cfg(any(feature = "std", feature = "wasm"))]
impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        getrandom::fill(buf).map_err(|_| {
            CryptoError::Entropy(EntropyError::new(
                "the operating system's random number generator failed",
            ))
        })
    }
}

/// Deterministic entropy for reproducible scenarios and tests: AES-256 in counter mode, keyed with a
/// 32-byte seed, encrypting the block counter 0, 1, 2, … (128-bit big-endian).
///
/// **Not for real secrets**: anyone who knows the seed knows every key it produced. The same seed
/// always yields the same bytes, whatever the sizes of the `fill` calls; different seeds, different bytes.
pub struct SeededEntropy {
    cipher: Aes256,
    counter: u128,
    block: [u8; 16],
    /// How many bytes of `block` have been handed out (16: none left).
    used: usize,
}

impl SeededEntropy {
    /// Entropy from `seed`.
    pub fn new(seed: [u8; 32]) -> Self {
        let seed = Zeroizing::new(seed);
        let cipher = Aes256::new((&*seed).into());
        SeededEntropy {
            cipher,
            counter: 0,
            block: [0; 16],
            used: 16,
        }
    }

    fn next_block(&mut self) {
        let mut block = self.counter.to_be_bytes().into();
        self.cipher.encrypt_block(&mut block);
        self.block = block.into();
        self.counter = self.counter.wrapping_add(1);
        self.used = 0;
    }
}

impl Entropy for SeededEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        for out in buf.iter_mut() {
            if self.used >= self.block.len() {
                self.next_block();
            }
            if let Some(b) = self.block.get(self.used) {
                *out = *b;
            }
            self.used += 1;
        }
        Ok(())
    }
}

impl Drop for SeededEntropy {
    fn drop(&mut self) {
        // The AES key schedule zeroizes itself (the `zeroize` feature of aes-gcm reaches `aes`).
        self.block.zeroize();
        self.counter.zeroize();
    }
}

impl fmt::Debug for SeededEntropy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SeededEntropy(..)")
    }
}

// ---------------------------------------------------------------------------------------------
// Key material and data keys
// ---------------------------------------------------------------------------------------------

/// 256-bit key material of a symmetric KMS key. Wiped on drop; `Debug` prints `KeyMaterial(..)`.
#[derive(Clone)]
pub struct KeyMaterial(Zeroizing<[u8; KEY_BYTES]>);

impl KeyMaterial {
    /// Fresh key material from `entropy`.
    pub fn generate(entropy: &mut dyn Entropy) -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        entropy.fill(&mut *bytes)?;
        Ok(KeyMaterial(bytes))
    }

    /// Key material from its bytes (loading a saved scenario). The caller's copy is not wiped.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        KeyMaterial(Zeroizing::new(bytes))
    }

    /// Key material from a slice of exactly [`KEY_BYTES`] bytes.
    pub fn try_from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let mut material = Zeroizing::new([0u8; KEY_BYTES]);
        if bytes.len() != KEY_BYTES {
            return Err(CryptoError::WrongKeyLength {
                expected: KEY_BYTES,
                actual: bytes.len(),
            });
        }
        material.copy_from_slice(bytes);
        Ok(KeyMaterial(material))
    }

    /// The raw bytes, for persisting a scenario only. Never log or display them.
    pub fn expose(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new((&*self.0).into())
    }
}

/// Constant-time comparison: equal material, whatever the position of a difference, takes the same time.
impl PartialEq for KeyMaterial {
    fn eq(&self, other: &Self) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl Eq for KeyMaterial {}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyMaterial(..)")
    }
}

/// A data key (`GenerateDataKey`): its plaintext, wiped on drop. `Debug` shows only its length.
#[derive(Clone)]
pub struct DataKey {
    /// The plaintext key bytes. Use them, then drop the `DataKey`.
    pub plaintext: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey")
            .field("len", &self.plaintext.len())
            .finish_non_exhaustive()
    }
}

/// A data key of `len` random bytes, [`MIN_DATA_KEY_BYTES`]`..=`[`MAX_DATA_KEY_BYTES`]
/// (32 for `KeySpec` `AES_256`, 16 for `AES_128`).
pub fn generate_data_key(len: usize, entropy: &mut dyn Entropy) -> Result<DataKey, CryptoError> {
    if len < MIN_DATA_KEY_BYTES {
        return Err(CryptoError::Empty { what: "data key" });
    }
    if len > MAX_DATA_KEY_BYTES {
        return Err(CryptoError::TooLarge {
            what: "data key",
            len,
            max: MAX_DATA_KEY_BYTES,
        });
    }
    let mut plaintext = Zeroizing::new(vec![0u8; len]);
    entropy.fill(&mut plaintext)?;
    Ok(DataKey { plaintext })
}

// ---------------------------------------------------------------------------------------------
// Ciphertext blobs
// ---------------------------------------------------------------------------------------------

/// The encryption context: string pairs, order-insensitive (a `BTreeMap`), case-sensitive.
pub type EncryptionContext = BTreeMap<String, String>;

/// What a ciphertext blob says about itself: the KMS key that sealed it and the version of that key's
/// material. Read without any key; not authenticated until [`open`] succeeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobHeader {
    /// The ARN of the KMS key.
    pub key_arn: String,
    /// The version of the key's material (0 for the original; rotation adds versions).
    pub material_version: u32,
}

/// A parsed blob: its header, the header's bytes, the nonce, and ciphertext + tag.
struct ParsedBlob<'a> {
    header: BlobHeader,
    header_bytes: &'a [u8],
    nonce: [u8; NONCE_BYTES],
    body: &'a [u8],
}

const BLOB: &str = "ciphertext blob";
const RECORD: &str = "sealed record";

fn malformed(what: &'static str, reason: MalformedReason) -> CryptoError {
    CryptoError::Malformed { what, reason }
}

/// A little reader over a byte slice that fails with `Truncated` instead of panicking.
struct Reader<'a> {
    what: &'static str,
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CryptoError> {
        let (head, rest) = self
            .rest
            .split_at_checked(n)
            .ok_or(malformed(self.what, MalformedReason::Truncated))?;
        self.rest = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CryptoError> {
        let bytes = self.take(N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| malformed(self.what, MalformedReason::Truncated))
    }

    /// Checks the magic and version.
    fn preamble(&mut self, magic: [u8; 4], version: u8) -> Result<(), CryptoError> {
        if self.array::<4>()? != magic {
            return Err(malformed(self.what, MalformedReason::BadMagic));
        }
        let [v] = self.array::<1>()?;
        if v != version {
            return Err(malformed(self.what, MalformedReason::UnsupportedVersion(v)));
        }
        Ok(())
    }
}

fn parse_blob(blob: &[u8]) -> Result<ParsedBlob<'_>, CryptoError> {
    if blob.len() > MAX_CIPHERTEXT_BLOB_BYTES {
        return Err(CryptoError::TooLarge {
            what: BLOB,
            len: blob.len(),
            max: MAX_CIPHERTEXT_BLOB_BYTES,
        });
    }
    let mut r = Reader {
        what: BLOB,
        rest: blob,
    };
    r.preamble(BLOB_MAGIC, BLOB_FORMAT_VERSION)?;
    let arn_len = usize::from(u16::from_be_bytes(r.array::<2>()?));
    let arn = r.take(arn_len)?;
    let material_version = u32::from_be_bytes(r.array::<4>()?);
    let nonce = r.array::<NONCE_BYTES>()?;
    let body = r.rest;
    if body.len() < TAG_BYTES {
        return Err(malformed(BLOB, MalformedReason::Truncated));
    }
    if arn.is_empty() {
        return Err(malformed(BLOB, MalformedReason::EmptyKeyArn));
    }
    let key_arn = core::str::from_utf8(arn)
        .map_err(|_| malformed(BLOB, MalformedReason::KeyArnNotUtf8))?
        .into();
    let header_bytes = blob
        .get(..blob.len() - body.len())
        .ok_or(malformed(BLOB, MalformedReason::Truncated))?;
    Ok(ParsedBlob {
        header: BlobHeader {
            key_arn,
            material_version,
        },
        header_bytes,
        nonce,
        body,
    })
}

/// Reads the header of a ciphertext blob: which KMS key and material version sealed it. Fails if the
/// blob is too large or structurally not a blob (including one too short to hold a tag); succeeding
/// says nothing about its authenticity.
pub fn read_header(blob: &[u8]) -> Result<BlobHeader, CryptoError> {
    parse_blob(blob).map(|p| p.header)
}

/// The canonical bytes of an encryption context, as bound into a blob's AAD: pairs in order of key
/// bytes, each as key length (u32 big-endian), key, value length (u32 big-endian), value.
pub fn canonical_encryption_context(ec: &EncryptionContext) -> Result<Vec<u8>, CryptoError> {
    let mut out = Vec::new();
    for (k, v) in ec {
        for s in [k, v] {
            let len = u32::try_from(s.len()).map_err(|_| CryptoError::TooLarge {
                what: "encryption context entry",
                len: s.len(),
                max: u32::MAX as usize,
            })?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
    Ok(out)
}

fn aad(prefix: &[u8], header: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(prefix.len() + header.len() + tail.len());
    aad.extend_from_slice(prefix);
    aad.extend_from_slice(header);
    aad.extend_from_slice(tail);
    aad
}

/// Encrypts `header || ciphertext || tag` from `header` and `plaintext`. The plaintext is copied only
/// into a buffer allocated once at its final size and wiped if anything fails. The callers have
/// checked `plaintext.len() <= max_plaintext`, far below AES-GCM's own limit, so the error is unreachable.
fn encrypt_after_header(
    cipher: &Aes256Gcm,
    header: Vec<u8>,
    nonce: &[u8; NONCE_BYTES],
    aad: &[u8],
    plaintext: &[u8],
    max_plaintext: usize,
) -> Result<Vec<u8>, CryptoError> {
    let too_large = || CryptoError::TooLarge {
        what: "plaintext",
        len: plaintext.len(),
        max: max_plaintext,
    };
    let header_len = header.len();
    let mut out = Zeroizing::new(header);
    out.reserve_exact(plaintext.len() + TAG_BYTES);
    out.extend_from_slice(plaintext);
    let body = out.get_mut(header_len..).ok_or_else(too_large)?;
    let tag = cipher
        .encrypt_in_place_detached(nonce.into(), aad, body)
        .map_err(|_| too_large())?;
    out.extend_from_slice(&tag);
    Ok(core::mem::take(&mut *out))
}

/// Decrypts `body` (ciphertext || tag) into a fresh buffer that is wiped on drop.
fn decrypt_body(
    cipher: &Aes256Gcm,
    nonce: &[u8; NONCE_BYTES],
    aad: &[u8],
    body: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let (ciphertext, tag) = body
        .split_at_checked(body.len().saturating_sub(TAG_BYTES))
        .ok_or(CryptoError::AuthenticationFailed)?;
    let tag: [u8; TAG_BYTES] = tag
        .try_into()
        .map_err(|_| CryptoError::AuthenticationFailed)?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place_detached(nonce.into(), aad, &mut buf, (&tag).into())
        .map_err(|_| CryptoError::AuthenticationFailed)?;
    Ok(buf)
}

/// Seals `plaintext` (1..=[`MAX_PLAINTEXT_BYTES`] bytes) under `key` — version `material_version` of
/// the KMS key `key_arn` — bound to the encryption context `ec`. A fresh random nonce each time, so
/// sealing the same plaintext twice gives different blobs.
pub fn seal(
    key: &KeyMaterial,
    key_arn: &str,
    material_version: u32,
    ec: &EncryptionContext,
    plaintext: &[u8],
    entropy: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    if plaintext.is_empty() {
        return Err(CryptoError::Empty { what: "plaintext" });
    }
    if plaintext.len() > MAX_PLAINTEXT_BYTES {
        return Err(CryptoError::TooLarge {
            what: "plaintext",
            len: plaintext.len(),
            max: MAX_PLAINTEXT_BYTES,
        });
    }
    if key_arn.is_empty() {
        return Err(CryptoError::Empty { what: "key ARN" });
    }
    let arn_len = u16::try_from(key_arn.len())
        .ok()
        .filter(|n| usize::from(*n) <= MAX_KEY_ARN_BYTES)
        .ok_or(CryptoError::TooLarge {
            what: "key ARN",
            len: key_arn.len(),
            max: MAX_KEY_ARN_BYTES,
        })?;
    let context = canonical_encryption_context(ec)?;

    let mut nonce = [0u8; NONCE_BYTES];
    entropy.fill(&mut nonce)?;

    let mut header = Vec::with_capacity(BLOB_FIXED_HEADER_BYTES + key_arn.len());
    header.extend_from_slice(&BLOB_MAGIC);
    header.push(BLOB_FORMAT_VERSION);
    header.extend_from_slice(&arn_len.to_be_bytes());
    header.extend_from_slice(key_arn.as_bytes());
    header.extend_from_slice(&material_version.to_be_bytes());
    header.extend_from_slice(&nonce);

    let aad = aad(BLOB_AAD_PREFIX, &header, &context);
    encrypt_after_header(
        &key.cipher(),
        header,
        &nonce,
        &aad,
        plaintext,
        MAX_PLAINTEXT_BYTES,
    )
}

/// Opens a ciphertext blob with `key` and the encryption context it was sealed with. Any mismatch —
/// another key, another context (missing, extra or differently cased pairs), any modified, missing or
/// added byte — fails with [`CryptoError::AuthenticationFailed`] (or `Malformed` if the header itself
/// is unreadable). Which key to use is the caller's business: [`read_header`] names it.
pub fn open(
    key: &KeyMaterial,
    blob: &[u8],
    ec: &EncryptionContext,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let parsed = parse_blob(blob)?;
    let context = canonical_encryption_context(ec)?;
    let aad = aad(BLOB_AAD_PREFIX, parsed.header_bytes, &context);
    decrypt_body(&key.cipher(), &parsed.nonce, &aad, parsed.body)
}

// ---------------------------------------------------------------------------------------------
// Records (envelope encryption with a data key)
// ---------------------------------------------------------------------------------------------

fn record_cipher(data_key: &[u8]) -> Result<Aes256Gcm, CryptoError> {
    Aes256Gcm::new_from_slice(data_key).map_err(|_| CryptoError::WrongKeyLength {
        expected: KEY_BYTES,
        actual: data_key.len(),
    })
}

fn check_record_aad(aad: &[u8]) -> Result<(), CryptoError> {
    if aad.len() > MAX_RECORD_AAD_BYTES {
        return Err(CryptoError::TooLarge {
            what: "associated data",
            len: aad.len(),
            max: MAX_RECORD_AAD_BYTES,
        });
    }
    Ok(())
}

/// Seals a record (0..=[`MAX_RECORD_PLAINTEXT_BYTES`] bytes) with a 32-byte plaintext data key, bound
/// to the caller's associated data `aad` (e.g. feature group and record identifier).
pub fn seal_record(
    data_key: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    entropy: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    if data_key.len() != KEY_BYTES {
        return Err(CryptoError::WrongKeyLength {
            expected: KEY_BYTES,
            actual: data_key.len(),
        });
    }
    check_record_aad(aad)?;
    if plaintext.len() > MAX_RECORD_PLAINTEXT_BYTES {
        return Err(CryptoError::TooLarge {
            what: "record",
            len: plaintext.len(),
            max: MAX_RECORD_PLAINTEXT_BYTES,
        });
    }
    let cipher = record_cipher(data_key)?;

    let mut nonce = [0u8; NONCE_BYTES];
    entropy.fill(&mut nonce)?;

    let mut header = Vec::with_capacity(RECORD_HEADER_BYTES);
    header.extend_from_slice(&RECORD_MAGIC);
    header.push(RECORD_FORMAT_VERSION);
    header.extend_from_slice(&nonce);

    let full_aad = self::aad(RECORD_AAD_PREFIX, &header, aad);
    encrypt_after_header(
        &cipher,
        header,
        &nonce,
        &full_aad,
        plaintext,
        MAX_RECORD_PLAINTEXT_BYTES,
    )
}

/// Opens a record sealed by [`seal_record`] with the same data key and associated data. Any mismatch
/// or modification fails with [`CryptoError::AuthenticationFailed`] (or `Malformed`).
pub fn open_record(
    data_key: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if data_key.len() != KEY_BYTES {
        return Err(CryptoError::WrongKeyLength {
            expected: KEY_BYTES,
            actual: data_key.len(),
        });
    }
    check_record_aad(aad)?;
    if sealed.len() > MAX_SEALED_RECORD_BYTES {
        return Err(CryptoError::TooLarge {
            what: RECORD,
            len: sealed.len(),
            max: MAX_SEALED_RECORD_BYTES,
        });
    }
    let mut r = Reader {
        what: RECORD,
        rest: sealed,
    };
    r.preamble(RECORD_MAGIC, RECORD_FORMAT_VERSION)?;
    let nonce = r.array::<NONCE_BYTES>()?;
    let body = r.rest;
    if body.len() < TAG_BYTES {
        return Err(malformed(RECORD, MalformedReason::Truncated));
    }
    let header = sealed
        .get(..RECORD_HEADER_BYTES)
        .ok_or(malformed(RECORD, MalformedReason::Truncated))?;
    let full_aad = self::aad(RECORD_AAD_PREFIX, header, aad);
    decrypt_body(&record_cipher(data_key)?, &nonce, &full_aad, body)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn ec(pairs: &[(&str, &str)]) -> EncryptionContext {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn key(seed: u8) -> KeyMaterial {
        KeyMaterial::generate(&mut SeededEntropy::new([seed; 32])).unwrap()
    }

    #[test]
    fn seal_open_round_trip() {
        let mut e = SeededEntropy::new([7; 32]);
        let k = key(1);
        for context in [
            ec(&[]),
            ec(&[("department", "10")]),
            ec(&[("aws:sagemaker:featuregroup", "fg"), ("a", ""), ("", "b")]),
        ] {
            for len in [1, 2, 15, 16, 17, 100, MAX_PLAINTEXT_BYTES] {
                let pt: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let blob = seal(&k, ARN, 3, &context, &pt, &mut e).unwrap();
                assert_eq!(
                    blob.len(),
                    BLOB_FIXED_HEADER_BYTES + ARN.len() + len + TAG_BYTES
                );
                assert!(blob.len() <= MAX_CIPHERTEXT_BLOB_BYTES);
                assert_eq!(&open(&k, &blob, &context).unwrap()[..], &pt[..]);
            }
        }
    }

    #[test]
    fn layout_is_as_documented() {
        let mut e = SeededEntropy::new([7; 32]);
        let blob = seal(&key(1), "arn:x", 0x0102_0304, &ec(&[]), b"hi", &mut e).unwrap();
        assert_eq!(&blob[..4], b"KMSL");
        assert_eq!(blob[4], 1);
        assert_eq!(&blob[5..7], &[0, 5]);
        assert_eq!(&blob[7..12], b"arn:x");
        assert_eq!(&blob[12..16], &[1, 2, 3, 4]);
        assert_eq!(blob.len(), 16 + 12 + 2 + 16);

        let rec = seal_record(&[9; 32], b"", b"", &mut e).unwrap();
        assert_eq!(&rec[..4], b"KMSR");
        assert_eq!(rec[4], 1);
        assert_eq!(rec.len(), RECORD_HEADER_BYTES + TAG_BYTES);
    }

    #[test]
    fn encryption_context_order_is_irrelevant_case_is_not() {
        let mut e = SeededEntropy::new([7; 32]);
        let k = key(1);
        let a = ec(&[("b", "2"), ("a", "1")]);
        let b = ec(&[("a", "1"), ("b", "2")]);
        let blob = seal(&k, ARN, 0, &a, b"secret", &mut e).unwrap();
        assert_eq!(&open(&k, &blob, &b).unwrap()[..], b"secret");
        for wrong in [
            ec(&[("a", "1")]),
            ec(&[("a", "1"), ("b", "2"), ("c", "3")]),
            ec(&[("a", "1"), ("b", "2 ")]),
            ec(&[("A", "1"), ("b", "2")]),
            ec(&[]),
        ] {
            assert_eq!(
                open(&k, &blob, &wrong),
                Err(CryptoError::AuthenticationFailed)
            );
        }
    }

    #[test]
    fn canonical_context_is_unambiguous() {
        // {"ab": "c"} and {"a": "bc"} concatenate to the same bytes but encode differently.
        let x = canonical_encryption_context(&ec(&[("ab", "c")])).unwrap();
        let y = canonical_encryption_context(&ec(&[("a", "bc")])).unwrap();
        assert_ne!(x, y);
        assert_eq!(x, [&[0, 0, 0, 2][..], b"ab", &[0, 0, 0, 1], b"c"].concat());
        assert!(canonical_encryption_context(&ec(&[])).unwrap().is_empty());
    }

    #[test]
    fn limits_are_checked() {
        let mut e = SeededEntropy::new([7; 32]);
        let k = key(1);
        let none = ec(&[]);
        assert_eq!(
            seal(&k, ARN, 0, &none, b"", &mut e),
            Err(CryptoError::Empty { what: "plaintext" })
        );
        assert!(matches!(
            seal(&k, ARN, 0, &none, &[0; MAX_PLAINTEXT_BYTES + 1], &mut e),
            Err(CryptoError::TooLarge {
                what: "plaintext",
                len: 4097,
                max: 4096
            })
        ));
        assert!(matches!(
            seal(&k, "", 0, &none, b"x", &mut e),
            Err(CryptoError::Empty { .. })
        ));
        let long_arn = "a".repeat(MAX_KEY_ARN_BYTES + 1);
        assert!(matches!(
            seal(&k, &long_arn, 0, &none, b"x", &mut e),
            Err(CryptoError::TooLarge {
                what: "key ARN",
                ..
            })
        ));
        let max_arn = "a".repeat(MAX_KEY_ARN_BYTES);
        let blob = seal(&k, &max_arn, 0, &none, &[1; MAX_PLAINTEXT_BYTES], &mut e).unwrap();
        assert_eq!(read_header(&blob).unwrap().key_arn, max_arn);
        assert!(matches!(
            open(&k, &[0; MAX_CIPHERTEXT_BLOB_BYTES + 1], &none),
            Err(CryptoError::TooLarge { .. })
        ));

        assert_eq!(
            generate_data_key(0, &mut e).unwrap_err(),
            CryptoError::Empty { what: "data key" }
        );
        assert!(matches!(
            generate_data_key(MAX_DATA_KEY_BYTES + 1, &mut e),
            Err(CryptoError::TooLarge { .. })
        ));
        assert_eq!(generate_data_key(1, &mut e).unwrap().plaintext.len(), 1);
        assert_eq!(
            generate_data_key(1024, &mut e).unwrap().plaintext.len(),
            1024
        );

        assert!(matches!(
            seal_record(&[0; 16], b"", b"x", &mut e),
            Err(CryptoError::WrongKeyLength {
                expected: 32,
                actual: 16
            })
        ));
        assert!(matches!(
            open_record(&[0; 33], b"", b"x"),
            Err(CryptoError::WrongKeyLength {
                expected: 32,
                actual: 33
            })
        ));
        assert!(matches!(
            seal_record(&[0; 32], &[0; MAX_RECORD_AAD_BYTES + 1], b"x", &mut e),
            Err(CryptoError::TooLarge { .. })
        ));
        assert!(matches!(
            seal_record(
                &[0; 32],
                b"",
                &vec![0; MAX_RECORD_PLAINTEXT_BYTES + 1],
                &mut e
            ),
            Err(CryptoError::TooLarge { .. })
        ));
        let big = vec![5; MAX_RECORD_PLAINTEXT_BYTES];
        let sealed = seal_record(&[0; 32], b"id", &big, &mut e).unwrap();
        assert_eq!(
            &open_record(&[0; 32], b"id", &sealed).unwrap()[..],
            &big[..]
        );
    }

    #[test]
    fn record_round_trip_and_wrong_aad() {
        let mut e = SeededEntropy::new([3; 32]);
        let dk = generate_data_key(32, &mut e).unwrap();
        for pt in [
            &b""[..],
            b"x",
            b"a longer record with several blocks of text in it",
        ] {
            let sealed = seal_record(&dk.plaintext, b"fg/record-1", pt, &mut e).unwrap();
            assert_eq!(
                &open_record(&dk.plaintext, b"fg/record-1", &sealed).unwrap()[..],
                pt
            );
            assert_eq!(
                open_record(&dk.plaintext, b"fg/record-2", &sealed),
                Err(CryptoError::AuthenticationFailed)
            );
            assert_eq!(
                open_record(&[0; 32], b"fg/record-1", &sealed),
                Err(CryptoError::AuthenticationFailed)
            );
        }
    }

    #[test]
    fn header_round_trips_and_malformed_headers_are_named() {
        let mut e = SeededEntropy::new([7; 32]);
        let blob = seal(&key(1), ARN, 42, &ec(&[]), b"x", &mut e).unwrap();
        assert_eq!(
            read_header(&blob).unwrap(),
            BlobHeader {
                key_arn: ARN.to_string(),
                material_version: 42
            }
        );
        let mut bad = blob.clone();
        bad[0] = b'X';
        assert_eq!(
            read_header(&bad),
            Err(CryptoError::Malformed {
                what: "ciphertext blob",
                reason: MalformedReason::BadMagic
            })
        );
        let mut bad = blob.clone();
        bad[4] = 2;
        assert_eq!(
            read_header(&bad).unwrap_err().to_string(),
            "the ciphertext blob is malformed: format version `2` is not supported"
        );
        let mut bad = blob.clone();
        bad[7] = 0xff;
        assert!(matches!(
            read_header(&bad),
            Err(CryptoError::Malformed {
                reason: MalformedReason::KeyArnNotUtf8,
                ..
            })
        ));
        let empty_arn = [&b"KMSL\x01\x00\x00"[..], &[0; 4], &[0; 12], &[0; 16]].concat();
        assert!(matches!(
            read_header(&empty_arn),
            Err(CryptoError::Malformed {
                reason: MalformedReason::EmptyKeyArn,
                ..
            })
        ));
        assert!(matches!(
            read_header(&blob[..blob.len() - 2]),
            Err(CryptoError::Malformed {
                reason: MalformedReason::Truncated,
                ..
            })
        ));
    }

    #[test]
    fn seeded_entropy_is_deterministic_and_chunking_independent() {
        let mut a = SeededEntropy::new([1; 32]);
        let mut b = SeededEntropy::new([1; 32]);
        let mut c = SeededEntropy::new([2; 32]);
        let (mut x, mut y, mut z) = ([0u8; 100], [0u8; 100], [0u8; 100]);
        a.fill(&mut x).unwrap();
        // The same bytes whatever the sizes of the calls.
        b.fill(&mut y[..3]).unwrap();
        b.fill(&mut y[3..20]).unwrap();
        b.fill(&mut y[20..20]).unwrap();
        b.fill(&mut y[20..]).unwrap();
        c.fill(&mut z).unwrap();
        assert_eq!(x, y);
        assert_ne!(x, z);
        assert_ne!(x[..16], x[16..32]);
        // AES-256 of the zero block under the zero key (FIPS-197-style check of the keystream).
        let mut zero = SeededEntropy::new([0; 32]);
        let mut block = [0u8; 16];
        zero.fill(&mut block).unwrap();
        assert_eq!(
            block,
            [
                0xdc, 0x95, 0xc0, 0x78, 0xa2, 0x40, 0x89, 0x89, 0xad, 0x48, 0xa2, 0x14, 0x92, 0x84,
                0x20, 0x87
            ]
        );
    }

    #[test]
    fn nonces_are_fresh() {
        let mut e = SeededEntropy::new([7; 32]);
        let k = key(1);
        let a = seal(&k, ARN, 0, &ec(&[]), b"same", &mut e).unwrap();
        let b = seal(&k, ARN, 0, &ec(&[]), b"same", &mut e).unwrap();
        assert_ne!(a, b);
    }

    #[cfg(any(feature = "std", feature = "wasm"))]
    #[test]
    fn os_entropy_fills() {
        let mut buf = [0u8; 64];
        OsEntropy.fill(&mut buf).unwrap();
        assert_ne!(buf, [0u8; 64]);
        let k1 = KeyMaterial::generate(&mut OsEntropy).unwrap();
        let k2 = KeyMaterial::generate(&mut OsEntropy).unwrap();
        assert_ne!(k1, k2);
    }

    #[test]
    fn debug_hides_secrets() {
        let k = KeyMaterial::from_bytes([0xab; 32]);
        assert_eq!(format!("{k:?}"), "KeyMaterial(..)");
        let dk = DataKey {
            plaintext: Zeroizing::new(vec![0xab; 32]),
        };
        let s = format!("{dk:?}");
        assert_eq!(s, "DataKey { len: 32, .. }");
        assert_eq!(
            format!("{:?}", SeededEntropy::new([0xab; 32])),
            "SeededEntropy(..)"
        );
        assert_eq!(KeyMaterial::try_from_slice(&[0xab; 32]).unwrap(), k);
        assert!(KeyMaterial::try_from_slice(&[0xab; 31]).is_err());
        assert_eq!(k.expose(), &[0xab; 32]);
    }

    #[test]
    fn error_messages_are_lowercase_and_auth_failures_constant() {
        let errors = [
            CryptoError::Malformed {
                what: BLOB,
                reason: MalformedReason::Truncated,
            },
            CryptoError::AuthenticationFailed,
            CryptoError::WrongKeyLength {
                expected: 32,
                actual: 1,
            },
            CryptoError::Entropy(EntropyError::new("no source")),
            CryptoError::TooLarge {
                what: "plaintext",
                len: 2,
                max: 1,
            },
            CryptoError::Empty { what: "plaintext" },
        ];
        for e in errors {
            let s = e.to_string();
            assert!(s.starts_with(|c: char| c.is_lowercase()), "{s}");
        }
    }
}
