//! Tamper-must-fail: every single-bit flip, every truncation and an extension of a sealed KMS ciphertext
//! blob and of a sealed record must fail to open; so must a wrong key or a wrong encryption context.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_core::kms::crypto::{
    generate_data_key, open, open_record, read_header, seal, seal_record, CryptoError,
    EncryptionContext, KeyMaterial, SeededEntropy,
};

const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn ec(pairs: &[(&str, &str)]) -> EncryptionContext {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Opens every mutation of `sealed` — each bit flipped, each truncation, one byte appended — and
/// asserts none opens; returns how many mutations were tried.
fn assert_every_mutation_fails(
    sealed: &[u8],
    open: impl Fn(&[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError>,
) -> usize {
    assert!(open(sealed).is_ok(), "the unmodified input must open");
    let mut tried = 0;
    let mut copy = sealed.to_vec();
    for i in 0..copy.len() {
        for bit in 0..8 {
            copy[i] ^= 1 << bit;
            if let Ok(pt) = open(&copy) {
                panic!("flipping bit {bit} of byte {i} still opened: {:?}", &pt[..]);
            }
            copy[i] ^= 1 << bit;
            tried += 1;
        }
    }
    assert_eq!(copy, sealed);
    for len in 0..sealed.len() {
        assert!(
            open(&sealed[..len]).is_err(),
            "truncation to {len} bytes opened"
        );
        tried += 1;
    }
    for extra in [0u8, 0xff] {
        let mut longer = sealed.to_vec();
        longer.push(extra);
        assert!(open(&longer).is_err(), "appending {extra:#04x} opened");
        tried += 1;
    }
    tried
}

#[test]
fn every_mutation_of_a_blob_fails() {
    let mut e = SeededEntropy::new([11; 32]);
    let key = KeyMaterial::generate(&mut e).unwrap();
    let context = ec(&[("aws:sagemaker:featuregroup", "fg"), ("purpose", "test")]);
    let blob = seal(&key, ARN, 1, &context, b"sixteen byte pt.", &mut e).unwrap();
    assert_eq!(blob.len(), 23 + ARN.len() + 16 + 16);
    let tried = assert_every_mutation_fails(&blob, |b| open(&key, b, &context));
    println!("ciphertext blob: {tried} bit flips, truncations and extensions rejected");
    assert_eq!(tried, blob.len() * 9 + 2);
}

#[test]
fn body_and_tag_flips_are_authentication_failures() {
    let mut e = SeededEntropy::new([11; 32]);
    let key = KeyMaterial::generate(&mut e).unwrap();
    let context = ec(&[("k", "v")]);
    let blob = seal(&key, ARN, 1, &context, b"payload", &mut e).unwrap();
    let header_len = 23 + ARN.len();
    // Flips past the header (nonce excluded) can't be caught structurally: they must fail the tag check.
    let mut copy = blob.clone();
    for i in header_len - 12..copy.len() {
        copy[i] ^= 0x80;
        assert_eq!(
            open(&key, &copy, &context),
            Err(CryptoError::AuthenticationFailed)
        );
        copy[i] ^= 0x80;
    }
    // So must a changed material version or ARN byte that still parses.
    let mut copy = blob.clone();
    copy[header_len - 13] ^= 1;
    assert_eq!(read_header(&copy).unwrap().material_version, 0);
    assert_eq!(
        open(&key, &copy, &context),
        Err(CryptoError::AuthenticationFailed)
    );
    let mut copy = blob.clone();
    copy[10] = b'X';
    assert!(read_header(&copy).is_ok());
    assert_eq!(
        open(&key, &copy, &context),
        Err(CryptoError::AuthenticationFailed)
    );
}

#[test]
fn every_mutation_of_a_record_fails() {
    let mut e = SeededEntropy::new([12; 32]);
    let data_key = generate_data_key(32, &mut e).unwrap();
    let aad = b"arn:aws:sagemaker:us-east-1:111122223333:feature-group/fg|record-1";
    let record = br#"{"customer_id":"42","spend":"12.5"}"#;
    let sealed = seal_record(&data_key.plaintext, aad, record, &mut e).unwrap();
    assert_eq!(sealed.len(), 17 + record.len() + 16);
    let tried = assert_every_mutation_fails(&sealed, |s| open_record(&data_key.plaintext, aad, s));
    println!("sealed record: {tried} bit flips, truncations and extensions rejected");
    assert_eq!(tried, sealed.len() * 9 + 2);
}

#[test]
fn every_mutation_of_an_empty_record_fails() {
    let mut e = SeededEntropy::new([13; 32]);
    let data_key = generate_data_key(32, &mut e).unwrap();
    let sealed = seal_record(&data_key.plaintext, b"", b"", &mut e).unwrap();
    assert_every_mutation_fails(&sealed, |s| open_record(&data_key.plaintext, b"", s));
}

#[test]
fn wrong_encryption_context_fails() {
    let mut e = SeededEntropy::new([14; 32]);
    let key = KeyMaterial::generate(&mut e).unwrap();
    let context = ec(&[("Department", "Finance"), ("project", "alpha")]);
    let blob = seal(&key, ARN, 0, &context, b"data", &mut e).unwrap();

    let reordered = ec(&[("project", "alpha"), ("Department", "Finance")]);
    assert_eq!(&open(&key, &blob, &reordered).unwrap()[..], b"data");

    let table: &[(&str, EncryptionContext)] = &[
        ("empty", ec(&[])),
        ("missing pair", ec(&[("Department", "Finance")])),
        (
            "extra pair",
            ec(&[("Department", "Finance"), ("project", "alpha"), ("x", "y")]),
        ),
        (
            "value case changed",
            ec(&[("Department", "finance"), ("project", "alpha")]),
        ),
        (
            "key case changed",
            ec(&[("department", "Finance"), ("project", "alpha")]),
        ),
        (
            "value moved to another key",
            ec(&[("Department", "alpha"), ("project", "Finance")]),
        ),
        (
            "boundary shifted",
            ec(&[("DepartmentF", "inance"), ("project", "alpha")]),
        ),
    ];
    for (name, wrong) in table {
        assert_eq!(
            open(&key, &blob, wrong),
            Err(CryptoError::AuthenticationFailed),
            "{name}"
        );
    }
    // A blob sealed with no context opens only with none.
    let bare = seal(&key, ARN, 0, &ec(&[]), b"data", &mut e).unwrap();
    assert_eq!(&open(&key, &bare, &ec(&[])).unwrap()[..], b"data");
    assert_eq!(
        open(&key, &bare, &ec(&[("", "")])),
        Err(CryptoError::AuthenticationFailed)
    );
}

#[test]
fn wrong_key_fails_with_the_same_opaque_error() {
    let mut e = SeededEntropy::new([15; 32]);
    let key = KeyMaterial::generate(&mut e).unwrap();
    let other = KeyMaterial::generate(&mut e).unwrap();
    let context = ec(&[("a", "b")]);
    let blob = seal(&key, ARN, 0, &context, b"data", &mut e).unwrap();
    let wrong_key = open(&other, &blob, &context).unwrap_err();
    let wrong_context = open(&key, &blob, &ec(&[])).unwrap_err();
    assert_eq!(wrong_key, CryptoError::AuthenticationFailed);
    assert_eq!(wrong_key.to_string(), wrong_context.to_string());

    let dk = generate_data_key(32, &mut e).unwrap();
    let dk2 = generate_data_key(32, &mut e).unwrap();
    let sealed = seal_record(&dk.plaintext, b"aad", b"row", &mut e).unwrap();
    assert_eq!(
        open_record(&dk2.plaintext, b"aad", &sealed),
        Err(CryptoError::AuthenticationFailed)
    );
}

#[test]
fn a_record_is_not_a_blob_and_a_blob_is_not_a_record() {
    let mut e = SeededEntropy::new([16; 32]);
    let key = KeyMaterial::generate(&mut e).unwrap();
    let blob = seal(&key, ARN, 0, &ec(&[]), b"data", &mut e).unwrap();
    assert!(matches!(
        open_record(key.expose(), b"", &blob),
        Err(CryptoError::Malformed { .. })
    ));
    let sealed = seal_record(key.expose(), b"", b"data", &mut e).unwrap();
    assert!(matches!(
        open(&key, &sealed, &ec(&[])),
        Err(CryptoError::Malformed { .. })
    ));
}

#[test]
fn envelope_encryption_end_to_end() {
    // GenerateDataKey: a plaintext data key and the same key sealed under the KMS key; the service
    // encrypts the record locally, keeps only the sealed data key, and later asks KMS to open it.
    let mut e = SeededEntropy::new([17; 32]);
    let kms_key = KeyMaterial::generate(&mut e).unwrap();
    let context = ec(&[("aws:sagemaker:featuregroup", "customers")]);
    let data_key = generate_data_key(32, &mut e).unwrap();
    let wrapped = seal(&kms_key, ARN, 2, &context, &data_key.plaintext, &mut e).unwrap();
    let record = seal_record(
        &data_key.plaintext,
        b"customers|42",
        b"{\"spend\":1}",
        &mut e,
    )
    .unwrap();
    drop(data_key);

    let header = read_header(&wrapped).unwrap();
    assert_eq!(header.key_arn, ARN);
    assert_eq!(header.material_version, 2);
    let unwrapped = open(&kms_key, &wrapped, &context).unwrap();
    assert_eq!(
        &open_record(&unwrapped, b"customers|42", &record).unwrap()[..],
        b"{\"spend\":1}"
    );
}

#[test]
fn seeded_scenarios_are_reproducible() {
    let run = |seed: u8| {
        let mut e = SeededEntropy::new([seed; 32]);
        let key = KeyMaterial::generate(&mut e).unwrap();
        seal(&key, ARN, 0, &ec(&[("a", "b")]), b"data", &mut e).unwrap()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}
