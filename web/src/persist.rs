//! The playground's storage in the browser: an IndexedDB database, written once per scenario run
//! (and, for a batch, once per commit: see [`crate::batch`]).
//!
//! Database `kmslab`, schema version [`DB_VERSION`] (2), with six object stores (out-of-line string
//! keys):
//!
//! | store          | key                                   | value                                      |
//! |----------------|---------------------------------------|--------------------------------------------|
//! | `onlineStore`  | `featureGroupArn\0recordId`           | the sealed record (`Uint8Array`, ciphertext) |
//! | `offlineStore` | `s3://bucket/key`                     | the sealed object (`Uint8Array`, ciphertext) |
//! | `keyMaterial`  | `keyArn#version`                      | the simulated KMS key material (`Uint8Array`) |
//! | `scenario`     | `document`                            | the scenario document as last run (string)  |
//! | `meta`         | `lastRun`                             | a JSON summary of that run, with its seed (string) |
//! | `writer`       | `current`                             | the stamp of the run or batch that wrote last (string; since version 2) |
//!
//! The three record stores hold exactly what kmslab-core's [`Storage`](kmslab_core::storage::Storage)
//! tables held after the run: the run's change log (`World::storage.drain_changes()`), folded into
//! a [`Batch`]. A run starts from a freshly built world, so a run's batch *replaces* the record
//! stores. Everything of one run is written in ONE `readwrite` transaction over every store
//! ([`save`]): a tab closed mid-write, a full quota or any failed request aborts it and leaves the
//! previous run's contents whole.
//!
//! **Several tabs.** Every save claims the `writer` store with a stamp in the same transaction. A run's
//! save (and a batch's first commit) takes it over; a batch's later commits only *add* to what its first
//! commit wrote, so they first check that the stamp is still theirs — when another tab saved in the
//! meantime, the commit is refused ([`StorageError::Conflict`]) and the batch stops saving, leaving the
//! other tab's run whole. IndexedDB runs the two tabs' transactions one after the other.
//!
//! **Upgrades.** Version 1 (the five stores without `writer`) is upgraded in place: the `writer` store
//! is added, everything else is kept (`web/tests/persist.rs` opens a version-1 database).
//!
//! On load ([`use_persistence`]), a stored document is opened instead of the seed (unless the URL
//! holds a share link) and rebuilt with its stored seed; the rebuilt records are then compared with
//! IndexedDB's, byte for byte (modelling decision P2). "Reset storage" ([`clear`]) empties every
//! store and opens the seed.

use std::collections::BTreeMap;
use std::fmt;

use kmslab_core::scenario::Scenario;
use kmslab_core::storage::{Mutation, Table};
use serde_json::{json, Value};
use yew::prelude::*;

use crate::i18n::{tr, trf};
use crate::scenario::{summary_line_en, EngineError, ScenarioMsg, ScenarioState, Source};

/// The database's name.
pub const DB_NAME: &str = "kmslab";
/// The database's schema version (the object stores below).
pub const DB_VERSION: u32 = 2;
pub const ONLINE_STORE: &str = "onlineStore";
pub const OFFLINE_STORE: &str = "offlineStore";
pub const KEY_MATERIAL: &str = "keyMaterial";
pub const SCENARIO: &str = "scenario";
pub const META: &str = "meta";
/// The stamp of the run or batch that wrote last (since version 2).
pub const WRITER: &str = "writer";
/// Every object store of the current schema version.
pub const STORES: [&str; 6] = [
    ONLINE_STORE,
    OFFLINE_STORE,
    KEY_MATERIAL,
    SCENARIO,
    META,
    WRITER,
];
/// The object stores of schema version 1 (for the upgrade test).
pub const STORES_V1: [&str; 5] = [ONLINE_STORE, OFFLINE_STORE, KEY_MATERIAL, SCENARIO, META];
/// The key of the stamp in [`WRITER`].
pub const WRITER_KEY: &str = "current";
/// The stores a run's batch replaces.
pub const RECORD_STORES: [&str; 3] = [ONLINE_STORE, OFFLINE_STORE, KEY_MATERIAL];
/// The key of the scenario document in [`SCENARIO`].
pub const DOCUMENT_KEY: &str = "document";
/// The key of the last run's summary in [`META`].
pub const LAST_RUN_KEY: &str = "lastRun";

/// The object store of a kmslab-core storage table.
pub fn store_for(table: Table) -> &'static str {
    match table {
        Table::OnlineStore => ONLINE_STORE,
        Table::OfflineStore => OFFLINE_STORE,
        Table::KeyMaterial => KEY_MATERIAL,
        Table::Scenario => SCENARIO,
    }
}

/// The randomness a playground run starts from. The same document run with the same seed builds
/// the same key material, data keys, grant ids and ciphertexts, byte for byte — which is how a
/// reload rebuilds exactly what IndexedDB holds, and checks it (see [`use_persistence`]). A
/// document with its own `seed` member uses that instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSeed(pub [u8; 32]);

impl RunSeed {
    /// A new seed from the browser's (or the OS's) random numbers.
    pub fn fresh() -> RunSeed {
        use kmslab_core::kms::crypto::Entropy;
        let mut bytes = [0u8; 32];
        if kmslab_core::kms::crypto::OsEntropy
            .fill(&mut bytes)
            .is_err()
        {
            // No random source: still a usable, if predictable, seed (runs stay reproducible).
            bytes = [7u8; 32];
        }
        RunSeed(bytes)
    }

    pub fn to_hex(self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(text: &str) -> Option<RunSeed> {
        let mut out = [0u8; 32];
        if text.len() != 64 {
            return None;
        }
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
        }
        Some(RunSeed(out))
    }

    /// The entropy to run `scenario` with: none when the document sets its own `seed`.
    pub fn entropy_for(
        self,
        scenario: &Scenario,
    ) -> Option<Box<dyn kmslab_core::kms::crypto::Entropy>> {
        match scenario.seed {
            Some(_) => None,
            None => Some(Box::new(kmslab_core::kms::crypto::SeededEntropy::new(
                self.0,
            ))),
        }
    }
}

/// Runs a scenario document like [`crate::scenario::run_scenario`] (with `seed`'s randomness), and
/// also returns the change log of the run's storage (every online record, offline object and key
/// material written).
pub fn run_recorded(text: &str, seed: RunSeed) -> (Result<Value, EngineError>, Vec<Mutation>) {
    let ran = Scenario::from_json(text).and_then(|s| {
        let entropy = seed.entropy_for(&s);
        s.run_with_world(entropy)
    });
    match ran {
        Ok((result, mut world)) => {
            let changes = world.storage.drain_changes();
            let json = serde_json::to_value(&result).map_err(|e| EngineError {
                code: "InternalError".to_owned(),
                message: format!("the run result could not be serialized: {e}"),
            });
            (json, changes)
        }
        Err(e) => (Err(e.into()), Vec::new()),
    }
}

/// What one transaction writes: per store, the final value of each key (`None` deletes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// Clear [`RECORD_STORES`] before writing (a run's world starts empty).
    pub replace: bool,
    /// The scenario document, for [`SCENARIO`] / [`DOCUMENT_KEY`].
    pub document: Option<String>,
    /// The run summary (JSON text), for [`META`] / [`LAST_RUN_KEY`].
    pub meta: Option<String>,
    pub writes: BTreeMap<&'static str, BTreeMap<String, Option<Vec<u8>>>>,
    /// The writer's stamp ([`WRITER`]): set by a batch that `replace`s; checked first (the commit is
    /// refused when another stamp is there) by one that adds to an earlier commit.
    pub stamp: Option<String>,
}

/// A fresh writer stamp.
pub fn new_stamp() -> String {
    RunSeed::fresh().to_hex().chars().take(16).collect()
}

impl Batch {
    /// Adds core's change log, in order: the last change of a key wins.
    pub fn apply(&mut self, changes: impl IntoIterator<Item = Mutation>) {
        for m in changes {
            self.writes
                .entry(store_for(m.table))
                .or_default()
                .insert(m.key, m.value);
        }
    }

    /// The batch's writes as kmslab-core's change log (the stores that are storage tables).
    pub fn mutations(&self) -> Vec<Mutation> {
        let tables = [
            Table::OnlineStore,
            Table::OfflineStore,
            Table::KeyMaterial,
            Table::Scenario,
        ];
        let mut out = Vec::new();
        for (store, writes) in &self.writes {
            let Some(table) = tables.into_iter().find(|t| store_for(*t) == *store) else {
                continue;
            };
            out.extend(writes.iter().map(|(key, value)| Mutation {
                table,
                key: key.clone(),
                value: value.clone(),
            }));
        }
        out
    }

    /// How many values the batch puts into `store`.
    pub fn puts(&self, store: &str) -> usize {
        self.writes
            .get(store)
            .map_or(0, |w| w.values().filter(|v| v.is_some()).count())
    }

    /// The batch of one run: the document, its summary and seed, and the run's storage.
    pub fn of_run(
        document: &str,
        result: Option<&Value>,
        changes: &[Mutation],
        seed: RunSeed,
    ) -> Batch {
        let mut batch = Batch {
            replace: true,
            document: Some(document.to_owned()),
            stamp: Some(new_stamp()),
            ..Batch::default()
        };
        batch.apply(changes.iter().cloned());
        let counts = [
            batch.puts(ONLINE_STORE),
            batch.puts(OFFLINE_STORE),
            batch.puts(KEY_MATERIAL),
        ];
        batch.meta = Some(meta(
            document,
            result.map(summary_line_en),
            seed,
            counts,
            None,
        ));
        batch
    }
}

/// The [`LAST_RUN_KEY`] summary: engine version, time, name, summary line, seed, record counts,
/// and for a batch under way the records it committed so far.
pub fn meta(
    document: &str,
    summary: Option<String>,
    seed: RunSeed,
    [online, offline, keys]: [usize; 3],
    batch: Option<Value>,
) -> String {
    json!({
        "engineVersion": kmslab_core::VERSION,
        "savedAt": now_ms(),
        "name": serde_json::from_str::<Value>(document).ok()
            .and_then(|d| d.get("name").cloned()),
        "summary": summary,
        "seed": seed.to_hex(),
        "records": { ONLINE_STORE: online, OFFLINE_STORE: offline, KEY_MATERIAL: keys },
        "batch": batch,
    })
    .to_string()
}

/// The seed a stored summary ([`meta`]) names.
pub fn seed_of_meta(meta: &str) -> Option<RunSeed> {
    let meta: Value = serde_json::from_str(meta).ok()?;
    RunSeed::from_hex(meta.get("seed")?.as_str()?)
}

fn now_ms() -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    {
        Some(js_sys::Date::now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Why IndexedDB could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageError {
    /// The database can't be opened (no IndexedDB, storage blocked, private mode, …).
    Unavailable(String),
    /// The browser's storage quota is exceeded.
    Quota(String),
    /// A transaction failed (and was rolled back).
    Failed(String),
    /// Another tab saved since this batch's first commit: the commit was refused (nothing written).
    Conflict,
}

impl StorageError {
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    fn from_rexie(e: rexie::Error, open: bool) -> StorageError {
        let text = match e {
            rexie::Error::IdbError(inner) => inner.to_string(),
            other => other.to_string(),
        };
        if text.contains("QuotaExceeded") || text.to_ascii_lowercase().contains("quota") {
            StorageError::Quota(text)
        } else if open {
            StorageError::Unavailable(text)
        } else {
            StorageError::Failed(text)
        }
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::Unavailable(e) => f.write_str(&trf(
                "This browser's storage (IndexedDB) is not available ({error}), so runs are not \
                 kept across reloads.",
                &[("error", e)],
            )),
            StorageError::Quota(e) => f.write_str(&trf(
                "This browser's storage quota is exceeded ({error}): this run was not saved, and \
                 the previous run's contents are kept whole.",
                &[("error", e)],
            )),
            StorageError::Failed(e) => f.write_str(&trf(
                "This run could not be saved in the browser's storage (IndexedDB): {error}. \
                 Nothing of it was written.",
                &[("error", e)],
            )),
            StorageError::Conflict => f.write_str(tr(
                "Another tab saved its run to this browser's storage (IndexedDB) while this batch \
                 ran, so this batch stops saving: the storage keeps the other tab's run whole.",
            )),
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use idb::{clear, entries, load_document, load_meta, save, schema, verify};

/// The IndexedDB side (browser only).
#[cfg(target_arch = "wasm32")]
mod idb {
    use js_sys::wasm_bindgen::{JsCast, JsValue};
    use js_sys::Uint8Array;
    use rexie::{ObjectStore, Rexie, TransactionMode};

    use super::{Batch, StorageError};
    use super::{DB_NAME, DB_VERSION, DOCUMENT_KEY, LAST_RUN_KEY, META, RECORD_STORES};
    use super::{SCENARIO, STORES, WRITER, WRITER_KEY};

    type Result<T> = std::result::Result<T, StorageError>;

    fn failed(e: rexie::Error) -> StorageError {
        StorageError::from_rexie(e, false)
    }

    /// Opens (creating or upgrading) the database.
    async fn open() -> Result<Rexie> {
        let mut builder = Rexie::builder(DB_NAME).version(DB_VERSION);
        for store in STORES {
            builder = builder.add_object_store(ObjectStore::new(store));
        }
        builder
            .build()
            .await
            .map_err(|e| StorageError::from_rexie(e, true))
    }

    /// Runs `f` on an open database, then closes it.
    async fn with_db<T>(f: impl AsyncFnOnce(&Rexie) -> Result<T>) -> Result<T> {
        let db = open().await?;
        let out = f(&db).await;
        db.close();
        out
    }

    /// Writes `batch` in one `readwrite` transaction over every store: all of it or nothing.
    pub async fn save(batch: &Batch) -> Result<()> {
        with_db(async |db| {
            let tx = db
                .transaction(&STORES, TransactionMode::ReadWrite)
                .map_err(failed)?;
            let written = write(&tx, batch).await;
            match written {
                Ok(()) => match tx.done().await {
                    Ok(r) if r.is_committed() => Ok(()),
                    Ok(_) => Err(StorageError::Failed(
                        "the transaction was aborted".to_owned(),
                    )),
                    Err(e) => Err(failed(e)),
                },
                Err(e) => {
                    // A failed request aborts the transaction already; make sure of it.
                    let _ = tx.abort().await;
                    Err(e)
                }
            }
        })
        .await
    }

    async fn write(tx: &rexie::Transaction, batch: &Batch) -> Result<()> {
        if let Some(stamp) = &batch.stamp {
            let writer = tx.store(WRITER).map_err(failed)?;
            if !batch.replace {
                let current = writer
                    .get(JsValue::from_str(WRITER_KEY))
                    .await
                    .map_err(failed)?
                    .and_then(|v| v.as_string());
                if current.as_deref() != Some(stamp.as_str()) {
                    return Err(StorageError::Conflict);
                }
            }
            writer
                .put(
                    &JsValue::from_str(stamp),
                    Some(&JsValue::from_str(WRITER_KEY)),
                )
                .await
                .map_err(failed)?;
        }
        if batch.replace {
            for name in RECORD_STORES {
                tx.store(name)
                    .map_err(failed)?
                    .clear()
                    .await
                    .map_err(failed)?;
            }
        }
        for (name, entries) in &batch.writes {
            let store = tx.store(name).map_err(failed)?;
            let puts = entries.iter().filter_map(|(key, value)| {
                let bytes = value.as_deref()?;
                Some((
                    JsValue::from(Uint8Array::from(bytes)),
                    Some(JsValue::from_str(key)),
                ))
            });
            store.put_all(puts).await.map_err(failed)?;
            for (key, _) in entries.iter().filter(|(_, v)| v.is_none()) {
                store.delete(JsValue::from_str(key)).await.map_err(failed)?;
            }
        }
        let singles = [
            (SCENARIO, DOCUMENT_KEY, batch.document.as_deref()),
            (META, LAST_RUN_KEY, batch.meta.as_deref()),
        ];
        for (name, key, value) in singles {
            if let Some(value) = value {
                tx.store(name)
                    .map_err(failed)?
                    .put(&JsValue::from_str(value), Some(&JsValue::from_str(key)))
                    .await
                    .map_err(failed)?;
            }
        }
        Ok(())
    }

    async fn get_string(store: &str, key: &str) -> Result<Option<String>> {
        with_db(async |db| {
            let tx = db
                .transaction(&[store], TransactionMode::ReadOnly)
                .map_err(failed)?;
            let value = tx
                .store(store)
                .map_err(failed)?
                .get(JsValue::from_str(key))
                .await
                .map_err(failed)?;
            Ok(value.and_then(|v| v.as_string()))
        })
        .await
    }

    /// The stored scenario document, if any.
    pub async fn load_document() -> Result<Option<String>> {
        get_string(SCENARIO, DOCUMENT_KEY).await
    }

    /// The stored summary of the last run (JSON text), if any.
    pub async fn load_meta() -> Result<Option<String>> {
        get_string(META, LAST_RUN_KEY).await
    }

    /// Every entry of `store`, in key order: `(key, value)`, values as IndexedDB returns them
    /// (`Uint8Array` for records and key material, strings for the document and the summary).
    pub async fn entries(store: &str) -> Result<Vec<(String, JsValue)>> {
        with_db(async |db| {
            let tx = db
                .transaction(&[store], TransactionMode::ReadOnly)
                .map_err(failed)?;
            let all = tx
                .store(store)
                .map_err(failed)?
                .scan(None, None, None, None)
                .await
                .map_err(failed)?;
            Ok(all
                .into_iter()
                .map(|(k, v)| (k.as_string().unwrap_or_default(), v))
                .collect())
        })
        .await
    }

    /// Empties every store, in one transaction.
    pub async fn clear() -> Result<()> {
        with_db(async |db| {
            let tx = db
                .transaction(&STORES, TransactionMode::ReadWrite)
                .map_err(failed)?;
            for name in STORES {
                tx.store(name)
                    .map_err(failed)?
                    .clear()
                    .await
                    .map_err(failed)?;
            }
            match tx.done().await {
                Ok(r) if r.is_committed() => Ok(()),
                Ok(_) => Err(StorageError::Failed(
                    "the transaction was aborted".to_owned(),
                )),
                Err(e) => Err(failed(e)),
            }
        })
        .await
    }

    /// The database's version and object store names (opening it creates or upgrades it).
    pub async fn schema() -> Result<(u32, Vec<String>)> {
        with_db(async |db| {
            let version = db.version().map_err(failed)?;
            let mut names = db.store_names();
            names.sort();
            Ok((version, names))
        })
        .await
    }

    /// Compares what [`RECORD_STORES`] hold with what `expected` puts there, value by value.
    pub async fn verify(expected: &Batch) -> Result<super::Verification> {
        let mut out = super::Verification::default();
        for name in RECORD_STORES {
            let want = expected.writes.get(name);
            let stored = super::entries(name).await?;
            for (key, value) in &stored {
                match want.and_then(|w| w.get(key)).and_then(Option::as_ref) {
                    Some(bytes) if bytes_of(value).as_deref() == Some(bytes.as_slice()) => {
                        out.identical += 1
                    }
                    Some(_) => out.differing += 1,
                    None => out.extra += 1,
                }
            }
            let present = |k: &String| stored.iter().any(|(key, _)| key == k);
            out.missing += want
                .map(|w| w.iter().filter(|(k, v)| v.is_some() && !present(k)).count())
                .unwrap_or(0);
        }
        Ok(out)
    }

    fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
        bytes(value)
    }

    /// The bytes of a stored value (`None` when it is not a `Uint8Array`).
    pub fn bytes(value: &JsValue) -> Option<Vec<u8>> {
        value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
    }
}

#[cfg(target_arch = "wasm32")]
pub use idb::bytes;

/// How the records and key material in IndexedDB compare with the state a reload rebuilt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// Stored values byte-identical to the rebuilt ones.
    pub identical: usize,
    /// Stored under a key the rebuilt state has, with other bytes.
    pub differing: usize,
    /// In the rebuilt state, not in IndexedDB.
    pub missing: usize,
    /// In IndexedDB, not in the rebuilt state.
    pub extra: usize,
}

impl Verification {
    pub fn all_identical(&self) -> bool {
        self.differing == 0 && self.missing == 0 && self.extra == 0
    }
}

/// What the storage bar says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Looking for a stored scenario.
    Opening,
    /// A reload rebuilt the stored run and compared it with IndexedDB.
    Restored(Verification),
    /// The page opened on a share link: nothing is saved until the visitor runs something.
    Link,
    /// A reload is rebuilding a long stored run in slices: `(calls done, calls)`.
    Rebuilding(u64, u64),
    /// The last run is saved: `(online records, offline objects, key materials)`.
    Saved(usize, usize, usize),
    /// "Reset storage" emptied the database.
    Cleared,
    Error(StorageError),
}

fn status_text(status: &Status) -> String {
    match status {
        Status::Opening => tr("Opening this browser's storage (IndexedDB)…").to_owned(),
        Status::Saved(online, offline, keys) => {
            let online = if *online == 1 {
                trf("{n} online-store record", &[("n", online)])
            } else {
                trf("{n} online-store records", &[("n", online)])
            };
            let offline = if *offline == 1 {
                trf("{n} offline-store object", &[("n", offline)])
            } else {
                trf("{n} offline-store objects", &[("n", offline)])
            };
            let keys = if *keys == 1 {
                trf("{n} KMS key material", &[("n", keys)])
            } else {
                trf("{n} KMS key materials", &[("n", keys)])
            };
            trf(
                "Saved in this browser's storage (IndexedDB): the scenario document and this run's \
                 {online}, {offline} (ciphertext only) and {keys}.",
                &[("online", &online), ("offline", &offline), ("keys", &keys)],
            )
        }
        Status::Cleared => tr(
            "This browser's storage is cleared and the seed scenario is open; \
                               your next run is saved again.",
        )
        .to_owned(),
        Status::Link => tr(
            "A share link is open: this browser's storage (IndexedDB) keeps what it held until you run \
             something here.",
        )
        .to_owned(),
        Status::Rebuilding(done, total) => trf(
            "Rebuilding the stored run from its document and seed: {done} of {total} calls…",
            &[("done", done), ("total", total)],
        ),
        Status::Restored(v) if v.all_identical() => trf(
            "Rebuilt from the stored document and seed: all {n} online records, offline objects \
             and key materials in IndexedDB are byte-identical to the rebuilt state (ciphertext \
             only).",
            &[("n", &v.identical)],
        ),
        Status::Restored(v) => trf(
            "Rebuilt from the stored document and seed, but IndexedDB differs: {identical} \
             identical, {differing} differing, {missing} missing, {extra} not in the rebuilt \
             state. IndexedDB is left as it is until your next run.",
            &[
                ("identical", &v.identical),
                ("differing", &v.differing),
                ("missing", &v.missing),
                ("extra", &v.extra),
            ],
        ),
        Status::Error(e) => e.to_string(),
    }
}

/// Keeps the Scenario tab in IndexedDB: restores the stored document once on load, saves every
/// run, and renders the storage bar (the restored note, the status and "Reset storage").
#[hook]
pub fn use_persistence(state: UseReducerHandle<ScenarioState>) -> Html {
    let status = use_state_eq(|| Status::Opening);
    // The initial look-up is done (runs are saved only after it, or they would overwrite the
    // document before it is restored).
    let ready = use_state_eq(|| false);
    // The run "Reset storage" opened: not saved.
    let unsaved = use_mut_ref(|| None::<u32>);
    // The next run is a reload's rebuild: compare it with IndexedDB instead of saving it.
    let verify_next = use_mut_ref(|| false);
    // A page opened on a share link does not save the link's scenario over this browser's storage
    // until the visitor runs something (a damaged link opens the seed: that must not replace a stored
    // batch either).
    {
        let unsaved = unsaved.clone();
        let status = status.clone();
        let serial = state.run.serial;
        use_effect_with((), move |_| {
            if crate::share::is_share_fragment(&crate::scenario::location_fragment()) {
                *unsaved.borrow_mut() = Some(serial);
                status.set(Status::Link);
            }
        });
    }

    {
        let dispatcher = state.dispatcher();
        let status = status.clone();
        let ready = ready.clone();
        let verify_next = verify_next.clone();
        use_effect_with((), move |_| {
            #[cfg(target_arch = "wasm32")]
            yew::platform::spawn_local(async move {
                match load_document().await {
                    Ok(Some(document)) => {
                        if !crate::share::is_share_fragment(&crate::scenario::location_fragment()) {
                            let meta = load_meta().await.ok().flatten();
                            let seed = meta.as_deref().and_then(seed_of_meta);
                            // Without a stored seed (a database of an older version) the
                            // rebuilt state can't match; it is checked all the same.
                            let seed = seed.unwrap_or_else(RunSeed::fresh);
                            let long = crate::batch::total_runs(&document)
                                .is_some_and(|n| n > crate::batch::SYNC_RUNS);
                            if long {
                                dispatcher.dispatch(ScenarioMsg::Busy(true));
                                let report = {
                                    let status = status.clone();
                                    Callback::from(move |(done, total)| {
                                        status.set(Status::Rebuilding(done, total))
                                    })
                                };
                                match crate::batch::rebuild(document.clone(), seed, report).await {
                                    Ok((text, run)) => {
                                        *verify_next.borrow_mut() = true;
                                        dispatcher.dispatch(ScenarioMsg::Rebuilt(
                                            text,
                                            seed,
                                            std::rc::Rc::new(run),
                                        ));
                                    }
                                    Err(_) => {
                                        dispatcher.dispatch(ScenarioMsg::Busy(false));
                                        *verify_next.borrow_mut() = true;
                                        dispatcher.dispatch(ScenarioMsg::Restore(document, seed));
                                    }
                                }
                            } else {
                                *verify_next.borrow_mut() = true;
                                dispatcher.dispatch(ScenarioMsg::Restore(document, seed));
                            }
                        }
                    }
                    Ok(None) => {}
                    Err(e) => status.set(Status::Error(e)),
                }
                ready.set(true);
            });
            #[cfg(not(target_arch = "wasm32"))]
            let _ = (dispatcher, status, ready, verify_next);
        });
    }

    {
        let state = state.clone();
        let status = status.clone();
        let unsaved = unsaved.clone();
        let verify_next = verify_next.clone();
        use_effect_with((state.run.serial, *ready), move |&(serial, ready)| {
            if ready && *unsaved.borrow() != Some(serial) {
                let batch = Batch::of_run(
                    &state.document(),
                    state.run.result.as_ref().ok().map(|r| &**r),
                    &state.run.storage,
                    state.seed,
                );
                let counts = Status::Saved(
                    batch.puts(ONLINE_STORE),
                    batch.puts(OFFLINE_STORE),
                    batch.puts(KEY_MATERIAL),
                );
                let verify = std::mem::take(&mut *verify_next.borrow_mut());
                let persisted = state.run.persisted;
                let saved = state.run.saved.clone();
                #[cfg(target_arch = "wasm32")]
                yew::platform::spawn_local(async move {
                    status.set(if verify {
                        match self::verify(&batch).await {
                            Ok(v) => Status::Restored(v),
                            Err(e) => Status::Error(e),
                        }
                    } else if persisted {
                        // A batch committed as it went: say what its commits left, or why they stopped.
                        match saved {
                            Some(Ok([online, offline, keys])) => {
                                Status::Saved(online, offline, keys)
                            }
                            Some(Err(e)) => Status::Error(e),
                            None => counts,
                        }
                    } else {
                        match save(&batch).await {
                            Ok(()) => counts,
                            Err(e) => Status::Error(e),
                        }
                    });
                });
                #[cfg(not(target_arch = "wasm32"))]
                let _ = (batch, counts, status, verify, persisted, saved);
            }
        });
    }

    let on_reset = {
        let dispatcher = state.dispatcher();
        let status = status.clone();
        let next_serial = state.run.serial + 1;
        Callback::from(move |_: MouseEvent| {
            *unsaved.borrow_mut() = Some(next_serial);
            dispatcher.dispatch(ScenarioMsg::Select(0));
            let status = status.clone();
            #[cfg(target_arch = "wasm32")]
            yew::platform::spawn_local(async move {
                status.set(match clear().await {
                    Ok(()) => Status::Cleared,
                    Err(e) => Status::Error(e),
                });
            });
            #[cfg(not(target_arch = "wasm32"))]
            status.set(Status::Cleared);
        })
    };

    let error = matches!(*status, Status::Error(_));
    html! {
        <div class="storage-bar" id="storage">
            if state.source == Source::Stored {
                <p class="restored-note" id="restored-note" role="status">
                    <strong>{ tr("Restored from this browser's storage (IndexedDB)") }</strong>
                    { tr(" — the scenario document of your last run, run again here. Pick an example \
                          or reset the storage to start over.") }
                </p>
            }
            <p class={classes!("hint", "storage-status", error.then_some("storage-error"))}
                id="storage-status" role={if error { "alert" } else { "status" }}>
                { status_text(&status) }
                { " " }
                <button type="button" class="link" id="reset-storage" onclick={on_reset}
                    disabled={state.busy}
                    title={tr("Empty this browser's kmslab storage and open the seed scenario")}>
                    { tr("Reset storage") }
                </button>
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_run_records_its_storage() {
        let text = crate::examples::seed();
        let (result, changes) = run_recorded(text, RunSeed([1; 32]));
        let result = result.unwrap_or_default();
        let batch = Batch::of_run(text, Some(&result), &changes, RunSeed([1; 32]));
        assert!(batch.replace);
        assert_eq!(batch.document.as_deref(), Some(text));
        // The seed puts one record (o-1001) and creates one customer managed key.
        assert_eq!(batch.puts(ONLINE_STORE), 1, "{:?}", batch.writes.keys());
        assert!(batch.puts(KEY_MATERIAL) >= 1);
        let online = batch.writes.get(ONLINE_STORE).cloned().unwrap_or_default();
        for (key, value) in &online {
            assert!(key.ends_with("\u{0}o-1001"), "{key}");
            let value = value.clone().unwrap_or_default();
            for plain in ["c-42", "19.99", "customer", "amount"] {
                assert!(
                    !value.windows(plain.len()).any(|w| w == plain.as_bytes()),
                    "{plain} in a stored record"
                );
            }
        }
        let meta: Value =
            serde_json::from_str(batch.meta.as_deref().unwrap_or("")).unwrap_or_default();
        assert_eq!(
            meta.get("summary").and_then(Value::as_str),
            Some(summary_line_en(&result).as_str())
        );
        assert_eq!(meta.pointer("/records/onlineStore"), Some(&Value::from(1)));
        // Same JSON as a plain run.
        assert_eq!(crate::scenario::run_scenario(text).ok(), Some(result));
    }

    #[test]
    fn a_batch_turns_back_into_the_change_log_it_was_made_of() {
        let text = crate::examples::seed();
        let (_, changes) = run_recorded(text, RunSeed([2; 32]));
        let batch = Batch::of_run(text, None, &changes, RunSeed([2; 32]));
        let again = Batch::of_run(text, None, &batch.mutations(), RunSeed([2; 32]));
        assert_eq!(again.writes, batch.writes);
        assert!(!batch.mutations().is_empty());
    }

    #[test]
    fn the_same_seed_rebuilds_the_same_bytes_and_another_does_not() {
        let text = crate::examples::seed();
        // Without its own `seed` member, the run's seed decides.
        let mut doc: Value = serde_json::from_str(text).unwrap_or_default();
        if let Some(o) = doc.as_object_mut() {
            o.remove("seed");
        }
        let text = &doc.to_string();
        let seed = RunSeed::fresh();
        assert_eq!(RunSeed::from_hex(&seed.to_hex()), Some(seed));
        assert_eq!(RunSeed::from_hex("zz"), None);
        let (_, a) = run_recorded(text, seed);
        let (_, b) = run_recorded(text, seed);
        let (_, c) = run_recorded(text, RunSeed([8; 32]));
        assert_eq!(a, b);
        assert_ne!(a, c);
        // A document's own seed wins over the run's.
        let own = crate::examples::seed();
        assert_eq!(
            run_recorded(own, seed).1,
            run_recorded(own, RunSeed([8; 32])).1
        );
        let meta = Batch::of_run(text, None, &a, seed).meta.unwrap_or_default();
        assert_eq!(seed_of_meta(&meta), Some(seed));
    }

    #[test]
    fn the_last_change_of_a_key_wins() {
        let mut batch = Batch::default();
        let m = |key: &str, value: Option<u8>| Mutation {
            table: Table::OnlineStore,
            key: key.to_owned(),
            value: value.map(|v| vec![v]),
        };
        batch.apply([
            m("a", Some(1)),
            m("b", Some(2)),
            m("a", None),
            m("b", Some(3)),
        ]);
        let online = batch.writes.get(ONLINE_STORE).cloned().unwrap_or_default();
        assert_eq!(online.get("a"), Some(&None));
        assert_eq!(online.get("b"), Some(&Some(vec![3])));
        assert_eq!(batch.puts(ONLINE_STORE), 1);
    }

    #[test]
    fn a_broken_document_records_nothing() {
        let (result, changes) = run_recorded("not json", RunSeed([1; 32]));
        assert!(result.is_err());
        assert!(changes.is_empty());
        let batch = Batch::of_run("not json", None, &changes, RunSeed([1; 32]));
        assert_eq!(batch.document.as_deref(), Some("not json"));
        assert!(batch.writes.is_empty());
    }

    #[test]
    fn errors_say_what_happened() {
        let quota = StorageError::from_rexie(rexie::Error::TransactionAbortFailed, false);
        assert!(matches!(quota, StorageError::Failed(_)));
        assert!(StorageError::Quota("QuotaExceededError".into())
            .to_string()
            .contains("quota is exceeded"));
        assert!(status_text(&Status::Saved(1, 0, 2))
            .contains("1 online-store record, 0 offline-store objects"));
    }
}
