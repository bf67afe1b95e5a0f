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
async fn the_database_has_schema_version_2_and_six_stores() {
    let (version, names) = persist::schema().await.unwrap_or_default();
    assert_eq!(version, persist::DB_VERSION);
    assert_eq!(version, 2);
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
    let text = kmslab_web::examples::seed();
    let seed = persist::RunSeed([9; 32]);
    let (result, changes) = persist::run_recorded(text, seed);
    assert!(result.is_ok());
    let batch = Batch::of_run(text, result.as_ref().ok(), &changes, seed);
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

/// A batch interrupted mid-commit (the tab closed while IndexedDB was writing: the transaction
/// aborts) leaves IndexedDB with the last good commit: a document and exactly the records it
/// rebuilds. A reload's check finds every committed record byte-identical, and none of the lost
/// commit.
#[wasm_bindgen_test]
async fn an_interrupted_batch_keeps_every_committed_record_and_nothing_half_written() {
    use kmslab_web::batch::{batch_step, with_step, Driver};
    use serde_json::Value;
    assert_eq!(persist::clear().await, Ok(()));
    let text = kmslab_web::examples::seed();
    let mut doc: Value = serde_json::from_str(text).unwrap_or_default();
    // The seed up to its first GetRecord (before the admin revokes Feature Store's grant).
    if let Some(calls) = doc.get_mut("calls").and_then(Value::as_array_mut) {
        let get = calls
            .iter()
            .position(|c| c.get("op").and_then(Value::as_str) == Some("sagemaker:GetRecord"))
            .unwrap_or(0);
        calls.truncate(get + 1);
    }
    let user = "arn:aws:iam::111122223333:user/featurestore-user";
    let step = batch_step(&doc, "orders", user, 300).unwrap_or_default();
    let (doc, index) = with_step(&doc, step).unwrap_or_default();
    let seed = persist::RunSeed([5; 32]);
    let Ok(mut driver) = Driver::new(doc, index, seed) else {
        panic!("the batch does not start");
    };
    // Two commits land...
    for _ in 0..2 {
        assert!(driver.advance(50).is_ok());
        let commit = driver.take_commit();
        assert_eq!(persist::save(&commit).await, Ok(()));
        driver.committed = driver.batch_runs();
    }
    let committed = driver.committed;
    assert!(committed >= 50, "{committed}");
    // ...the third is cut off: its transaction fails part-way and is rolled back.
    assert!(driver.advance(50).is_ok());
    let mut lost = driver.take_commit();
    lost.writes
        .entry("noSuchStore")
        .or_default()
        .insert("x".to_owned(), Some(vec![0]));
    assert!(persist::save(&lost).await.is_err());

    // What a reload finds: the document as far as the second commit, and its seed.
    let stored_doc = persist::load_document()
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let meta = persist::load_meta()
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    assert_eq!(persist::seed_of_meta(&meta), Some(seed));
    let parsed: Value = serde_json::from_str(&stored_doc).unwrap_or_default();
    assert_eq!(
        parsed
            .pointer(&format!("/calls/{index}/repeat"))
            .and_then(Value::as_u64),
        Some(committed)
    );
    let (rebuilt, changes) = persist::run_recorded(&stored_doc, seed);
    assert!(rebuilt.is_ok());
    let expected = Batch::of_run(&stored_doc, None, &changes, seed);
    let check = persist::verify(&expected).await;
    let Ok(check) = check else {
        panic!("{check:?}");
    };
    assert!(check.all_identical(), "{check:?}");
    let online = stored(persist::ONLINE_STORE).await;
    let batch_records = online
        .iter()
        .filter(|(k, _)| k.contains("\u{0}batch1-"))
        .count();
    assert_eq!(batch_records as u64, committed);
    assert!(online
        .iter()
        .all(|(k, _)| !k.ends_with(&format!("batch1-{committed}"))));
    assert_eq!(
        check.identical,
        expected.puts(persist::ONLINE_STORE)
            + expected.puts(persist::OFFLINE_STORE)
            + expected.puts(persist::KEY_MATERIAL)
    );
    assert_eq!(persist::clear().await, Ok(()));
}

/// The seed scenario without its own `seed` member (so the run's seed decides), and its seeded run.
fn seeded_seed_run(seed: persist::RunSeed) -> (String, Batch) {
    use serde_json::Value;
    let text = kmslab_web::examples::seed();
    let mut doc: Value = serde_json::from_str(text).unwrap_or_default();
    if let Some(o) = doc.as_object_mut() {
        o.remove("seed");
    }
    let text = doc.to_string();
    let (result, changes) = persist::run_recorded(&text, seed);
    let batch = Batch::of_run(&text, result.as_ref().ok(), &changes, seed);
    (text, batch)
}

/// A database of schema version 1 (the five stores, written by the previous release) is upgraded in place
/// to version 2: the `writer` store is added and the document, the summary and every record survive, byte for
/// byte — a reload's check finds them all identical to the rebuilt run.
#[wasm_bindgen_test]
async fn a_version_1_database_is_upgraded_in_place() {
    use js_sys::wasm_bindgen::JsValue;
    use rexie::{ObjectStore, Rexie, TransactionMode};
    assert_eq!(persist::clear().await, Ok(()));
    // Start from nothing: delete the database (version 2 now) and create version 1 by hand.
    let deleted = Rexie::builder(persist::DB_NAME).delete().await;
    assert!(deleted.is_ok(), "{deleted:?}");
    let seed = persist::RunSeed([6; 32]);
    let (text, batch) = seeded_seed_run(seed);
    {
        let mut builder = Rexie::builder(persist::DB_NAME).version(1);
        for store in persist::STORES_V1 {
            builder = builder.add_object_store(ObjectStore::new(store));
        }
        let Ok(db) = builder.build().await else {
            panic!("version 1 can't be created");
        };
        let tx = db
            .transaction(&persist::STORES_V1, TransactionMode::ReadWrite)
            .unwrap_or_else(|e| panic!("{e}"));
        for (store, writes) in &batch.writes {
            let Ok(s) = tx.store(store) else {
                panic!("{store}")
            };
            for (key, value) in writes {
                if let Some(bytes) = value {
                    let put = s
                        .put(
                            &js_sys::Uint8Array::from(bytes.as_slice()).into(),
                            Some(&JsValue::from_str(key)),
                        )
                        .await;
                    assert!(put.is_ok());
                }
            }
        }
        for (store, key, value) in [
            (persist::SCENARIO, persist::DOCUMENT_KEY, text.as_str()),
            (
                persist::META,
                persist::LAST_RUN_KEY,
                batch.meta.as_deref().unwrap_or(""),
            ),
        ] {
            let Ok(s) = tx.store(store) else {
                panic!("{store}")
            };
            assert!(s
                .put(&JsValue::from_str(value), Some(&JsValue::from_str(key)))
                .await
                .is_ok());
        }
        assert!(tx.done().await.is_ok());
        assert_eq!(db.version().ok(), Some(1));
        db.close();
    }
    // The app opens it: version 2, six stores, nothing lost.
    let (version, names) = persist::schema().await.unwrap_or_default();
    assert_eq!(version, 2);
    assert!(names.contains(&persist::WRITER.to_owned()), "{names:?}");
    assert_eq!(names.len(), 6);
    assert_eq!(persist::load_document().await, Ok(Some(text.clone())));
    let meta = persist::load_meta()
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    assert_eq!(persist::seed_of_meta(&meta), Some(seed));
    let check = persist::verify(&batch).await;
    let Ok(check) = check else {
        panic!("{check:?}")
    };
    assert!(check.all_identical() && check.identical > 2, "{check:?}");
    assert_eq!(persist::clear().await, Ok(()));
}

/// Two tabs: a batch has committed once; another tab saves its run; the batch's next commit is refused
/// (`Conflict`) and the storage holds the other tab's run whole.
#[wasm_bindgen_test]
async fn a_batch_stops_saving_when_another_tab_saved() {
    assert_eq!(persist::clear().await, Ok(()));
    let first = Batch {
        replace: true,
        document: Some("batch document".to_owned()),
        writes: writes(&[(persist::ONLINE_STORE, "fg\u{0}batch-0", vec![1])]),
        stamp: Some("batch-stamp".to_owned()),
        ..Batch::default()
    };
    assert_eq!(persist::save(&first).await, Ok(()));
    let (text, other_tab) = seeded_seed_run(persist::RunSeed([7; 32]));
    assert_eq!(persist::save(&other_tab).await, Ok(()));
    let next = Batch {
        replace: false,
        document: Some("batch document, further".to_owned()),
        writes: writes(&[(persist::ONLINE_STORE, "fg\u{0}batch-1", vec![2])]),
        stamp: Some("batch-stamp".to_owned()),
        ..Batch::default()
    };
    assert_eq!(persist::save(&next).await, Err(StorageError::Conflict));
    assert_eq!(persist::load_document().await, Ok(Some(text)));
    let check = persist::verify(&other_tab).await;
    assert!(check.as_ref().is_ok_and(|c| c.all_identical()), "{check:?}");
    assert_eq!(persist::clear().await, Ok(()));
}
