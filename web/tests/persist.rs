//! Browser tests of the playground's IndexedDB storage (`kmslab_web::persist`), in headless
//! Chromium: `bash scripts/browser-tests.sh` (wasm-bindgen-test-runner + chromedriver).
//!
//! They share the page's `kmslab` database and run one after another; each starts by clearing it.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use js_sys::wasm_bindgen::JsCast;
use kmslab_core::kms::crypto::{seal_record, SeededEntropy};
use kmslab_core::storage::{Mutation, Table};
use kmslab_web::persist::{self, Batch, StorageError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// `(key, bytes)` of every entry of `store` (an entry that is not a `Uint8Array` has no bytes).
async fn stored(store: &str) -> Vec<(String, Option<Vec<u8>>)> {
    persist::entries(store)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, persist::bytes(&v)))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn writes(
    entries: &[(&'static str, &str, Vec<u8>)],
) -> BTreeMap<&'static str, BTreeMap<String, Option<Vec<u8>>>> {
    let mut out: BTreeMap<&'static str, BTreeMap<String, Option<Vec<u8>>>> = BTreeMap::new();
    for (store, key, value) in entries {
        out.entry(store)
            .or_default()
            .insert((*key).to_owned(), Some(value.clone()));
    }
    out
}

#[wasm_bindgen_test]
async fn the_database_has_schema_version_1_and_five_stores() {
    let (version, names) = persist::schema().await.unwrap_or_default();
    assert_eq!(version, persist::DB_VERSION);
    assert_eq!(version, 1);
    let mut want: Vec<String> = persist::STORES.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    assert_eq!(names, want);
}

#[wasm_bindgen_test]
async fn one_transaction_writes_two_stores_reads_back_and_clears() {
    assert_eq!(persist::clear().await, Ok(()));
    let batch = Batch {
        writes: writes(&[
            (persist::ONLINE_STORE, "fg\u{0}r-1", vec![1, 2, 3]),
            (persist::KEY_MATERIAL, "arn:key#0", vec![9; 32]),
        ]),
        ..Batch::default()
    };
    assert_eq!(persist::save(&batch).await, Ok(()));
    assert_eq!(
        stored(persist::ONLINE_STORE).await,
        vec![("fg\u{0}r-1".to_owned(), Some(vec![1, 2, 3]))]
    );
    assert_eq!(
        stored(persist::KEY_MATERIAL).await,
        vec![("arn:key#0".to_owned(), Some(vec![9; 32]))]
    );
    assert_eq!(persist::clear().await, Ok(()));
    assert!(stored(persist::ONLINE_STORE).await.is_empty());
    assert!(stored(persist::KEY_MATERIAL).await.is_empty());
    assert_eq!(persist::load_document().await, Ok(None));
}

#[wasm_bindgen_test]
async fn a_scenario_document_round_trips() {
    assert_eq!(persist::clear().await, Ok(()));
    let document = "{\n  \"kmslab\": 1,\n  \"name\": \"測試 — “quoted” \\u0000\"\n}";
    let batch = Batch {
        document: Some(document.to_owned()),
        meta: Some("{\"summary\":\"x\"}".to_owned()),
        ..Batch::default()
    };
    assert_eq!(persist::save(&batch).await, Ok(()));
    assert_eq!(
        persist::load_document().await,
        Ok(Some(document.to_owned()))
    );
    assert_eq!(
        persist::load_meta().await,
        Ok(Some("{\"summary\":\"x\"}".to_owned()))
    );
    // The next run's document replaces it.
    let next = Batch {
        document: Some("{\"kmslab\": 1}".to_owned()),
        ..Batch::default()
    };
    assert_eq!(persist::save(&next).await, Ok(()));
    assert_eq!(
        persist::load_document().await,
        Ok(Some("{\"kmslab\": 1}".to_owned()))
    );
}

#[wasm_bindgen_test]
async fn an_online_record_is_stored_as_the_sealed_bytes_and_holds_no_plaintext() {
    assert_eq!(persist::clear().await, Ok(()));
    let plaintext = b"{\"customer\":\"alice-4242\",\"card\":\"4111111111111111\"}";
    let aad = b"arn:aws:sagemaker:us-east-1:111122223333:feature-group/orders\0o-1";
    let sealed = seal_record(
        &[7u8; 32],
        aad,
        plaintext,
        &mut SeededEntropy::new([3u8; 32]),
    )
    .unwrap_or_default();
    assert!(sealed.len() > plaintext.len());
    let mut batch = Batch::default();
    batch.apply([Mutation {
        table: Table::OnlineStore,
        key: "arn:fg/orders\u{0}o-1".to_owned(),
        value: Some(sealed.clone()),
    }]);
    assert_eq!(persist::save(&batch).await, Ok(()));
    let entries = persist::entries(persist::ONLINE_STORE)
        .await
        .unwrap_or_default();
    assert_eq!(entries.len(), 1);
    let value = entries.first().map(|(_, v)| v.clone()).unwrap_or_default();
    // IndexedDB returns a Uint8Array with exactly the bytes given.
    assert!(value.is_instance_of::<js_sys::Uint8Array>());
    let bytes = persist::bytes(&value).unwrap_or_default();
    assert_eq!(bytes, sealed);
    for needle in [
        &plaintext[..],
        b"alice-4242",
        b"4111111111111111",
        b"customer",
    ] {
        assert!(!contains(&bytes, needle), "plaintext in IndexedDB");
    }
}

#[wasm_bindgen_test]
async fn the_seed_run_is_persisted_ciphertext_only() {
    assert_eq!(persist::clear().await, Ok(()));
    let text = kmslab_web::scenario::EXAMPLES
        .first()
        .map_or("", |(_, t)| t);
    let (result, changes) = persist::run_recorded(text);
    assert!(result.is_ok());
    let batch = Batch::of_run(text, result.as_ref().ok(), &changes);
    assert_eq!(persist::save(&batch).await, Ok(()));
    assert_eq!(persist::load_document().await, Ok(Some(text.to_owned())));
    let online = stored(persist::ONLINE_STORE).await;
    assert_eq!(online.len(), 1, "the seed puts one record");
    for (key, value) in &online {
        assert!(key.ends_with("\u{0}o-1001"), "{key}");
        let value = value.clone().unwrap_or_default();
        assert!(!value.is_empty());
        // The record's feature values and names (see tests/scenarios/seed.json).
        for needle in ["c-42", "19.99", "1767225700", "customer", "amount"] {
            assert!(!contains(&value, needle.as_bytes()), "{needle} in a record");
        }
    }
    let keys = stored(persist::KEY_MATERIAL).await;
    assert_eq!(keys.len(), batch.puts(persist::KEY_MATERIAL));
    assert!(keys
        .iter()
        .all(|(k, v)| k.contains(":key/") && v.as_ref().map(Vec::len) == Some(32)));
    let offline = stored(persist::OFFLINE_STORE).await;
    assert_eq!(offline.len(), batch.puts(persist::OFFLINE_STORE));
    for (_, value) in &offline {
        let value = value.clone().unwrap_or_default();
        assert!(!contains(&value, b"c-42") && !contains(&value, b"19.99"));
    }
}

#[wasm_bindgen_test]
async fn a_failed_transaction_writes_nothing() {
    assert_eq!(persist::clear().await, Ok(()));
    let first = Batch {
        replace: true,
        document: Some("first".to_owned()),
        writes: writes(&[(persist::ONLINE_STORE, "fg\u{0}1", vec![1])]),
        ..Batch::default()
    };
    assert_eq!(persist::save(&first).await, Ok(()));
    // Clears the record stores, writes key material, then fails on a store the schema lacks:
    // the whole transaction is rolled back.
    let broken = Batch {
        replace: true,
        document: Some("second".to_owned()),
        writes: writes(&[
            (persist::KEY_MATERIAL, "arn:key#0", vec![5; 32]),
            ("noSuchStore", "x", vec![0]),
        ]),
        ..Batch::default()
    };
    let error = persist::save(&broken).await;
    assert!(matches!(error, Err(StorageError::Failed(_))), "{error:?}");
    assert_eq!(persist::load_document().await, Ok(Some("first".to_owned())));
    assert_eq!(
        stored(persist::ONLINE_STORE).await,
        vec![("fg\u{0}1".to_owned(), Some(vec![1]))]
    );
    assert!(stored(persist::KEY_MATERIAL).await.is_empty());
    assert_eq!(persist::clear().await, Ok(()));
}
