//! The playground's storage in the browser: an IndexedDB database, written once per scenario run.
//!
//! Database `kmslab`, schema version [`DB_VERSION`], with five object stores (out-of-line string
//! keys):
//!
//! | store          | key                                   | value                                      |
//! |----------------|---------------------------------------|--------------------------------------------|
//! | `onlineStore`  | `featureGroupArn\0recordId`           | the sealed record (`Uint8Array`, ciphertext) |
//! | `offlineStore` | `s3://bucket/key`                     | the sealed object (`Uint8Array`, ciphertext) |
//! | `keyMaterial`  | `keyArn#version`                      | the simulated KMS key material (`Uint8Array`) |
//! | `scenario`     | `document`                            | the scenario document as last run (string)  |
//! | `meta`         | `lastRun`                             | a JSON summary of that run (string)         |
//!
//! The three record stores hold exactly what kmslab-core's [`Storage`](kmslab_core::storage::Storage)
//! tables held after the run: the run's change log (`World::storage.drain_changes()`), folded into
//! a [`Batch`]. A run starts from a freshly built world, so a run's batch *replaces* the record
//! stores. Everything of one run is written in ONE `readwrite` transaction over the five stores
//! ([`save`]): a tab closed mid-write, a full quota or any failed request aborts it and leaves the
//! previous run's contents whole.
//!
//! On load ([`use_persistence`]), a stored document is opened instead of the seed (unless the URL
//! holds a share link) and run again; the note "Restored from this browser's storage (IndexedDB)"
//! says so. The stored records and key material are *not yet* loaded back into the engine's world
//! (kmslab-core runs a scenario on a world it builds itself); the re-run recreates them from the
//! document and its `seed`. "Reset storage" ([`clear`]) empties every store and opens the seed.

use std::collections::BTreeMap;
use std::fmt;

use kmslab_core::scenario::Scenario;
use kmslab_core::storage::{Mutation, Table};
use serde_json::{json, Value};
use yew::prelude::*;

use crate::scenario::{summary_line, EngineError, ScenarioMsg, ScenarioState, Source};

/// The database's name.
pub const DB_NAME: &str = "kmslab";
/// The database's schema version (the object stores below).
pub const DB_VERSION: u32 = 1;
pub const ONLINE_STORE: &str = "onlineStore";
pub const OFFLINE_STORE: &str = "offlineStore";
pub const KEY_MATERIAL: &str = "keyMaterial";
pub const SCENARIO: &str = "scenario";
pub const META: &str = "meta";
/// Every object store of schema version 1.
pub const STORES: [&str; 5] = [ONLINE_STORE, OFFLINE_STORE, KEY_MATERIAL, SCENARIO, META];
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

/// Runs a scenario document like [`crate::scenario::run_scenario`], and also returns the change
/// log of the run's storage (every online record, offline object and key material written).
pub fn run_recorded(text: &str) -> (Result<Value, EngineError>, Vec<Mutation>) {
    let ran = Scenario::from_json(text).and_then(|s| s.run_with_world(None));
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

    /// How many values the batch puts into `store`.
    pub fn puts(&self, store: &str) -> usize {
        self.writes
            .get(store)
            .map_or(0, |w| w.values().filter(|v| v.is_some()).count())
    }

    /// The batch of one run: the document, its summary, and the run's storage.
    pub fn of_run(document: &str, result: Option<&Value>, changes: &[Mutation]) -> Batch {
        let mut batch = Batch {
            replace: true,
            document: Some(document.to_owned()),
            ..Batch::default()
        };
        batch.apply(changes.iter().cloned());
        let meta = json!({
            "engineVersion": kmslab_core::VERSION,
            "savedAt": now_ms(),
            "name": serde_json::from_str::<Value>(document).ok()
                .and_then(|d| d.get("name").cloned()),
            "summary": result.map(summary_line),
            "records": {
                ONLINE_STORE: batch.puts(ONLINE_STORE),
                OFFLINE_STORE: batch.puts(OFFLINE_STORE),
                KEY_MATERIAL: batch.puts(KEY_MATERIAL),
            },
        });
        batch.meta = Some(meta.to_string());
        batch
    }
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
            StorageError::Unavailable(e) => write!(
                f,
                "This browser's storage (IndexedDB) is not available ({e}), so runs are not kept \
                 across reloads."
            ),
            StorageError::Quota(e) => write!(
                f,
                "This browser's storage quota is exceeded ({e}): this run was not saved, and the \
                 previous run's contents are kept whole."
            ),
            StorageError::Failed(e) => write!(
                f,
                "This run could not be saved in the browser's storage (IndexedDB): {e}. Nothing \
                 of it was written."
            ),
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use idb::{clear, entries, load_document, load_meta, save, schema};

/// The IndexedDB side (browser only).
#[cfg(target_arch = "wasm32")]
mod idb {
    use js_sys::wasm_bindgen::{JsCast, JsValue};
    use js_sys::Uint8Array;
    use rexie::{ObjectStore, Rexie, TransactionMode};

    use super::{Batch, StorageError};
    use super::{DB_NAME, DB_VERSION, DOCUMENT_KEY, LAST_RUN_KEY, META, RECORD_STORES};
    use super::{SCENARIO, STORES};

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

    /// The bytes of a stored value (`None` when it is not a `Uint8Array`).
    pub fn bytes(value: &JsValue) -> Option<Vec<u8>> {
        value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
    }
}

#[cfg(target_arch = "wasm32")]
pub use idb::bytes;

/// What the storage bar says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Looking for a stored scenario.
    Opening,
    /// The last run is saved: `(online records, offline objects, key materials)`.
    Saved(usize, usize, usize),
    /// "Reset storage" emptied the database.
    Cleared,
    Error(StorageError),
}

fn status_text(status: &Status) -> String {
    match status {
        Status::Opening => "Opening this browser's storage (IndexedDB)…".to_owned(),
        Status::Saved(online, offline, keys) => format!(
            "Saved in this browser's storage (IndexedDB): the scenario document and this run's \
             {online} online-store {}, {offline} offline-store {} (ciphertext only) and {keys} \
             KMS key {}.",
            plural(*online, "record", "records"),
            plural(*offline, "object", "objects"),
            plural(*keys, "material", "materials"),
        ),
        Status::Cleared => "This browser's storage is cleared and the seed scenario is open; \
                            your next run is saved again."
            .to_owned(),
        Status::Error(e) => e.to_string(),
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
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

    {
        let dispatcher = state.dispatcher();
        let status = status.clone();
        let ready = ready.clone();
        use_effect_with((), move |_| {
            #[cfg(target_arch = "wasm32")]
            yew::platform::spawn_local(async move {
                match load_document().await {
                    Ok(Some(document)) => {
                        if !crate::share::is_share_fragment(&crate::scenario::location_fragment()) {
                            dispatcher.dispatch(ScenarioMsg::Restore(document));
                        }
                    }
                    Ok(None) => {}
                    Err(e) => status.set(Status::Error(e)),
                }
                ready.set(true);
            });
            #[cfg(not(target_arch = "wasm32"))]
            let _ = (dispatcher, status, ready);
        });
    }

    {
        let state = state.clone();
        let status = status.clone();
        let unsaved = unsaved.clone();
        use_effect_with((state.run.serial, *ready), move |&(serial, ready)| {
            if ready && *unsaved.borrow() != Some(serial) {
                let batch = Batch::of_run(
                    &state.document(),
                    state.run.result.as_ref().ok().map(|r| &**r),
                    &state.run.storage,
                );
                let counts = Status::Saved(
                    batch.puts(ONLINE_STORE),
                    batch.puts(OFFLINE_STORE),
                    batch.puts(KEY_MATERIAL),
                );
                #[cfg(target_arch = "wasm32")]
                yew::platform::spawn_local(async move {
                    status.set(match save(&batch).await {
                        Ok(()) => counts,
                        Err(e) => Status::Error(e),
                    });
                });
                #[cfg(not(target_arch = "wasm32"))]
                let _ = (batch, counts, status);
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
                    <strong>{ "Restored from this browser's storage (IndexedDB)" }</strong>
                    { " — the scenario document of your last run, run again here. Pick an example \
                       or reset the storage to start over." }
                </p>
            }
            <p class={classes!("hint", "storage-status", error.then_some("storage-error"))}
                id="storage-status" role={if error { "alert" } else { "status" }}>
                { status_text(&status) }
                { " " }
                <button type="button" class="link" id="reset-storage" onclick={on_reset}
                    title="Empty this browser's kmslab storage and open the seed scenario">
                    { "Reset storage" }
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
        let text = crate::scenario::EXAMPLES.first().map_or("", |(_, t)| t);
        let (result, changes) = run_recorded(text);
        let result = result.unwrap_or_default();
        let batch = Batch::of_run(text, Some(&result), &changes);
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
            Some(summary_line(&result).as_str())
        );
        assert_eq!(meta.pointer("/records/onlineStore"), Some(&Value::from(1)));
        // Same JSON as a plain run.
        assert_eq!(crate::scenario::run_scenario(text).ok(), Some(result));
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
        let (result, changes) = run_recorded("not json");
        assert!(result.is_err());
        assert!(changes.is_empty());
        let batch = Batch::of_run("not json", None, &changes);
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
