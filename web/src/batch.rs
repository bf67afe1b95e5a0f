//! Batch work: thousands of PutRecords, with progress, a responsive page, and IndexedDB commits
//! that survive a closed tab.
//!
//! A batch is one scenario step — `sagemaker:PutRecord` with `repeat: N` and `${i}` in the record
//! identifier (`docs/scenario.md`) — appended to the open document. The document then runs with
//! kmslab-core's sliced runner ([`kmslab_core::scenario::Runner`]): a slice of calls (sized to take
//! about [`SLICE_MS`]), then the page gets the main thread back (progress bar, Cancel), and about
//! every [`COMMIT_MS`] what the slices wrote goes to IndexedDB in ONE transaction together with the
//! document *as far as it ran* (the batch step's `repeat` set to the runs done) and the run's seed.
//!
//! So IndexedDB always holds a consistent pair: a document and exactly the records that document
//! produces. A tab closed in the middle of a commit loses that commit only (IndexedDB aborts the
//! transaction); a reload runs the stored document with the stored seed, which rebuilds the same
//! records byte for byte, and checks them against IndexedDB (see [`crate::persist`]). Cancel stops
//! at the runs done ([`kmslab_core::scenario::Runner::stop`]) and commits them.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::rc::Rc;

use kmslab_core::scenario::{Progress, Runner, Scenario};
use serde_json::{json, Value};
use yew::prelude::*;

use crate::i18n::{tr, trf};
use crate::persist::{self, Batch, RunSeed, KEY_MATERIAL, OFFLINE_STORE, ONLINE_STORE};
use crate::scenario::{call_steps, home_account, EngineError, Run, ScenarioMsg, ScenarioState};
use crate::str_at;

/// The batch size offered first (the 10,000 PutRecords).
pub const DEFAULT_COUNT: u32 = 10_000;
/// The largest batch the panel runs (every batch is replayed with the document on each re-run and reload).
pub const MAX_COUNT: u32 = 50_000;
/// The engine work one slice may take before the page gets the main thread back (milliseconds).
pub const SLICE_MS: f64 = 30.0;
/// How often a running batch commits to IndexedDB (milliseconds of wall time).
pub const COMMIT_MS: f64 = 400.0;

/// The feature groups of a run's final state that have an online store (names).
pub fn online_groups(result: &Value) -> Vec<String> {
    result
        .pointer("/state/FeatureGroups")
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .filter(|g| g.get("OnlineStore").is_some_and(|o| !o.is_null()))
                .filter_map(|g| str_at(g, "FeatureGroupName"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A value of this feature type for run `${i}` of a batch.
fn batch_value(feature_type: &str, event_time: bool) -> &'static str {
    match (feature_type, event_time) {
        ("String", true) => "2026-01-01T00:10:00Z",
        (_, true) => "1767226200.${i}",
        ("Integral", _) => "${i}0",
        ("Fractional", _) => "${i}.5",
        _ => "value-${i}",
    }
}

/// Why a batch can't start (shown in the interface's language of the moment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchError {
    /// The number of records is not a whole number from 1 to [`MAX_COUNT`].
    Count,
    /// The document has no CreateFeatureGroup call for this feature group.
    NoFeatureGroup(String),
    /// The scenario has no principal to call as.
    NoCaller,
    /// The scenario document is not a JSON object.
    NotObject,
    /// The engine refused the document (`code: message`, as it gives them).
    Engine(String),
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Count => f.write_str(&trf(
                "The number of records must be a whole number from 1 to {max}.",
                &[("max", &MAX_COUNT)],
            )),
            BatchError::NoFeatureGroup(group) => f.write_str(&trf(
                "The document has no CreateFeatureGroup call for `{group}`.",
                &[("group", group)],
            )),
            BatchError::NoCaller => {
                f.write_str(tr("The scenario declares no principal to call as."))
            }
            BatchError::NotObject => f.write_str(tr("The scenario document is not a JSON object.")),
            BatchError::Engine(message) => f.write_str(message),
        }
    }
}

/// The batch step: `count` PutRecords into `group` as `caller`, record identifiers
/// `batchK-0` … `batchK-(count-1)` (`K` = the document's first unused batch number). The features
/// come from the document's CreateFeatureGroup call of that group.
pub fn batch_step(doc: &Value, group: &str, caller: &str, count: u32) -> Result<Value, BatchError> {
    let calls = doc
        .get("calls")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let create = calls
        .iter()
        .rev()
        .filter(|c| str_at(c, "op") == Some("sagemaker:CreateFeatureGroup"))
        .filter_map(|c| c.get("input"))
        .find(|input| str_at(input, "FeatureGroupName") == Some(group))
        .ok_or_else(|| BatchError::NoFeatureGroup(group.to_owned()))?;
    if caller.is_empty() {
        return Err(BatchError::NoCaller);
    }
    let id_name = str_at(create, "RecordIdentifierFeatureName").unwrap_or("record_id");
    let time_name = str_at(create, "EventTimeFeatureName").unwrap_or("event_time");
    let used: BTreeSet<&str> = calls.iter().filter_map(|c| str_at(c, "id")).collect();
    let id = (1..)
        .map(|k| format!("batch{k}"))
        .find(|id| !used.contains(id.as_str()))
        .unwrap_or_default();
    let definitions = create
        .get("FeatureDefinitions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let record: Vec<Value> = definitions
        .iter()
        .filter_map(|d| {
            let name = str_at(d, "FeatureName")?;
            let value = if name == id_name {
                // A numeric identifier for Integral/Fractional groups: the batch number, `000`, the run
                // (`1000${i}`: distinct within a batch and across batches).
                match str_at(d, "FeatureType") {
                    Some("Integral" | "Fractional") => {
                        format!("{}000${{i}}", id.trim_start_matches("batch"))
                    }
                    _ => format!("{id}-${{i}}"),
                }
            } else {
                batch_value(
                    str_at(d, "FeatureType").unwrap_or("String"),
                    name == time_name,
                )
                .to_owned()
            };
            Some(json!({ "FeatureName": name, "ValueAsString": value }))
        })
        .collect();
    Ok(json!({
        "id": id,
        "as": caller,
        "op": "sagemaker:PutRecord",
        "repeat": count,
        "input": { "FeatureGroupName": group, "Record": record },
    }))
}

/// `doc` with `step` appended to its calls, and the step's index in them.
pub fn with_step(doc: &Value, step: Value) -> Option<(Value, usize)> {
    let mut doc = doc.clone();
    let calls = doc
        .as_object_mut()?
        .entry("calls")
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()?;
    calls.push(step);
    let index = calls.len() - 1;
    Some((doc, index))
}

/// `doc` as far as a batch ran: its step `index` repeated `runs` times (dropped when none ran) and
/// the steps after it dropped.
pub fn truncated(doc: &Value, index: usize, runs: u64) -> Value {
    let mut doc = doc.clone();
    if let Some(calls) = doc.get_mut("calls").and_then(Value::as_array_mut) {
        calls.truncate(index + 1);
        if runs == 0 {
            calls.truncate(index);
        } else if let Some(step) = calls.get_mut(index).and_then(Value::as_object_mut) {
            step.insert("repeat".to_owned(), Value::from(runs));
        }
    }
    doc
}

/// A batch being run: kmslab-core's runner over the document with the batch step, and what the
/// slices wrote since the last commit.
pub struct Driver {
    doc: Value,
    /// The batch step (`None` when rebuilding a stored document: every call counts).
    index: Option<usize>,
    /// Runs of the steps before the batch step.
    runs_before: u64,
    seed: RunSeed,
    runner: Runner,
    pending: Batch,
    /// Keys present in each record store (for the counts in the stored summary).
    live: BTreeMap<&'static str, BTreeSet<String>>,
    /// Batch runs in IndexedDB (after the last successful commit).
    pub committed: u64,
    /// This batch's writer stamp (see [`crate::persist`]: several tabs).
    stamp: String,
    /// No commit was taken yet: the next one replaces the record stores and claims the stamp.
    first: bool,
}

impl Driver {
    /// Starts running `doc` (whose step `index` is the batch) with `seed`'s randomness.
    pub fn new(doc: Value, index: usize, seed: RunSeed) -> Result<Driver, EngineError> {
        let scenario = Scenario::from_json(&doc.to_string())?;
        let entropy = seed.entropy_for(&scenario);
        let runner = scenario.start(entropy)?;
        let repeat = doc
            .pointer(&format!("/calls/{index}/repeat"))
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1);
        let runs_before = runner.progress().runs_total.saturating_sub(repeat);
        Ok(Driver {
            doc,
            index: Some(index),
            runs_before,
            seed,
            runner,
            pending: Batch {
                replace: true,
                ..Batch::default()
            },
            live: BTreeMap::new(),
            committed: 0,
            stamp: persist::new_stamp(),
            first: true,
        })
    }

    /// Starts running a whole document (a stored one, rebuilt on reload) with `seed`'s randomness.
    pub fn rebuild(doc: Value, seed: RunSeed) -> Result<Driver, EngineError> {
        let scenario = Scenario::from_json(&doc.to_string())?;
        let entropy = seed.entropy_for(&scenario);
        Ok(Driver {
            doc,
            index: None,
            runs_before: 0,
            seed,
            runner: scenario.start(entropy)?,
            pending: Batch {
                replace: true,
                ..Batch::default()
            },
            live: BTreeMap::new(),
            committed: 0,
            stamp: persist::new_stamp(),
            first: true,
        })
    }

    /// What the slices wrote since the last commit (everything, when nothing was committed).
    pub fn take_pending(&mut self) -> Batch {
        std::mem::take(&mut self.pending)
    }

    /// Runs at most `runs` more calls and collects what they wrote.
    pub fn advance(&mut self, runs: u32) -> Result<Progress, EngineError> {
        let progress = self.runner.advance(runs)?;
        let changes = self.runner.world_mut().storage.drain_changes();
        for m in &changes {
            let store = persist::store_for(m.table);
            let keys = self.live.entry(store).or_default();
            if m.value.is_some() {
                keys.insert(m.key.clone());
            } else {
                keys.remove(&m.key);
            }
        }
        self.pending.apply(changes);
        Ok(progress)
    }

    pub fn progress(&self) -> Progress {
        self.runner.progress()
    }

    /// Whether the steps before the batch have all run: only then do the document as far as it ran
    /// and the records match (commits and Cancel wait for it).
    pub fn in_batch(&self) -> bool {
        self.progress().runs_done >= self.runs_before
    }

    /// What the commits so far put in the record stores: online records, offline objects, key
    /// materials.
    pub fn counts(&self) -> [usize; 3] {
        let count = |store: &str| self.live.get(store).map_or(0, BTreeSet::len);
        [
            count(ONLINE_STORE),
            count(OFFLINE_STORE),
            count(KEY_MATERIAL),
        ]
    }

    /// Runs of the batch step done so far.
    pub fn batch_runs(&self) -> u64 {
        self.progress().runs_done.saturating_sub(self.runs_before)
    }

    /// Runs of the batch step planned.
    pub fn batch_total(&self) -> u64 {
        self.progress().runs_total.saturating_sub(self.runs_before)
    }

    /// The document as far as the batch ran.
    pub fn document(&self) -> Value {
        match self.index {
            Some(index) => truncated(&self.doc, index, self.batch_runs()),
            None => self.doc.clone(),
        }
    }

    /// The next commit: what the slices wrote since the last one, with the document as far as it
    /// ran and the summary (seed, record counts, batch progress). The first commit replaces the
    /// record stores (the run started from an empty world).
    pub fn take_commit(&mut self) -> Batch {
        let mut batch = std::mem::take(&mut self.pending);
        batch.replace = std::mem::take(&mut self.first);
        batch.stamp = Some(self.stamp.clone());
        let document = self.document().to_string();
        let counts = self.counts();
        let progress = json!({
            "step": self.index,
            "committedRuns": self.batch_runs(),
            "plannedRuns": self.batch_total(),
        });
        batch.meta = Some(persist::meta(
            &document,
            None,
            self.seed,
            counts,
            Some(progress),
        ));
        batch.document = Some(document);
        batch
    }

    /// Stops at the runs done (see [`Runner::stop`]).
    pub fn stop(&mut self) {
        self.runner.stop();
    }

    /// Runs what is left and returns the document (as far as it ran) and its run, numbered
    /// `serial` (its storage is in IndexedDB already when `persisted`).
    pub fn finish(
        self,
        serial: u32,
        millis: Option<f64>,
        saved: Option<Result<[usize; 3], persist::StorageError>>,
    ) -> (String, Run) {
        let document = self.document().to_string();
        let persisted = saved.is_some();
        let result = self
            .runner
            .finish()
            .map_err(EngineError::from)
            .and_then(|(result, _)| {
                serde_json::to_value(&result).map_err(|e| EngineError {
                    code: "InternalError".to_owned(),
                    message: format!("the run result could not be serialized: {e}"),
                })
            });
        let run = Run {
            serial,
            steps: call_steps(&document),
            home_account: home_account(&document),
            result: result.map(Rc::new),
            millis,
            previous: None,
            storage: Vec::new(),
            persisted,
            saved,
        };
        (document, run)
    }
}

/// A stored document with more calls than this is rebuilt in slices on reload (with progress),
/// not at once.
pub const SYNC_RUNS: u64 = 1_000;

/// How many calls `text` runs (each run of a repeated call counts); `None` when it is not a
/// scenario.
pub fn total_runs(text: &str) -> Option<u64> {
    let doc: Value = serde_json::from_str(text).ok()?;
    let calls = doc.get("calls")?.as_array()?;
    Some(
        calls
            .iter()
            .filter(|c| c.get("clock").is_none())
            .map(|c| c.get("repeat").and_then(Value::as_u64).unwrap_or(1).max(1))
            .sum(),
    )
}

/// Rebuilds a stored document in slices (the page stays responsive), reporting `(done, total)`
/// calls; returns the document and its run, whose `storage` holds everything the run wrote (to be
/// checked against IndexedDB, as a reload's rebuild is).
#[cfg(target_arch = "wasm32")]
pub async fn rebuild(
    text: String,
    seed: RunSeed,
    report: Callback<(u64, u64)>,
) -> Result<(String, Run), EngineError> {
    let doc: Value = serde_json::from_str(&text).map_err(|e| EngineError {
        code: "InvalidScenario".to_owned(),
        message: format!("the input is not a scenario: {e}"),
    })?;
    let mut driver = Driver::rebuild(doc, seed)?;
    let started = js_sys::Date::now();
    let mut slice: u32 = 50;
    loop {
        let t0 = js_sys::Date::now();
        let progress = driver.advance(slice)?;
        let took = js_sys::Date::now() - t0;
        let scale = (SLICE_MS / took.max(0.5)).clamp(0.25, 4.0);
        slice = ((f64::from(slice) * scale) as u32).clamp(1, 20_000);
        report.emit((progress.runs_done, progress.runs_total));
        if progress.finished {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let written = driver.take_pending();
    let millis = Some(js_sys::Date::now() - started);
    let (document, mut run) = driver.finish(0, millis, None);
    run.storage = written.mutations();
    Ok((document, run))
}

/// Does the Scenario tab's [`crate::scenario::LongRun`] in slices, as [`rebuild`] does for a reload,
/// and returns its progress `(done, total)` while it runs.
#[hook]
pub fn use_long_runs(state: &UseReducerHandle<ScenarioState>) -> Option<(u64, u64)> {
    let progress = use_state_eq(|| None::<(u64, u64)>);
    let long = state.long_run.clone();
    let seed = state.seed;
    let dispatcher = state.dispatcher();
    {
        let progress = progress.clone();
        use_effect_with(long.as_ref().map(|l| l.serial), move |serial| {
            if let (Some(serial), Some(long)) = (*serial, long) {
                progress.set(Some((0, total_runs(&long.text).unwrap_or(0))));
                #[cfg(target_arch = "wasm32")]
                yew::platform::spawn_local(async move {
                    let report = {
                        let progress = progress.clone();
                        Callback::from(move |done_total| progress.set(Some(done_total)))
                    };
                    let run =
                        rebuild(long.text.to_string(), seed, report)
                            .await
                            .map(|(_, mut run)| {
                                // Saved like any run (the rebuild's change log is the whole run's).
                                run.persisted = false;
                                Rc::new(run)
                            });
                    progress.set(None);
                    dispatcher.dispatch(ScenarioMsg::LongRunDone(serial, run));
                });
                #[cfg(not(target_arch = "wasm32"))]
                {
                    let run = Run::new(&long.text, serial, seed);
                    dispatcher.dispatch(ScenarioMsg::LongRunDone(serial, Ok(Rc::new(run))));
                }
            }
        });
    }
    *progress
}

/// Where a batch stands (what the panel shows).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    pub done: u64,
    pub total: u64,
    /// Runs in IndexedDB.
    pub committed: u64,
    pub elapsed_ms: f64,
    /// Time the batch waited for IndexedDB (commits run while the engine works; this is only the
    /// waiting on top).
    pub idb_ms: f64,
    pub commits: u32,
    pub phase: Phase,
    /// IndexedDB takes the commits (false once it turned out unavailable: the batch runs unsaved).
    pub saving: bool,
    /// Saving stopped because another tab saved its run (IndexedDB holds that run, not this one).
    pub other_tab: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Phase {
    #[default]
    Idle,
    Running,
    Cancelling,
    Done,
    Cancelled,
    /// The engine could not run the document, or IndexedDB refused a commit.
    Failed(String),
}

impl Status {
    /// Records per second over the whole batch (engine and IndexedDB).
    pub fn rate(&self) -> Option<f64> {
        (self.elapsed_ms > 0.0).then(|| self.done as f64 * 1000.0 / self.elapsed_ms)
    }
}

/// A commit under way: the batch runs it holds, and its outcome once IndexedDB answers.
#[cfg(target_arch = "wasm32")]
type InFlight = (
    u64,
    Rc<std::cell::RefCell<Option<Result<(), persist::StorageError>>>>,
);

/// Why a batch stopped before its end.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// The engine could not run the document (an invalid clock step, …).
    Engine(String),
    /// IndexedDB refused a commit (quota, another tab, a failed transaction, no answer).
    Storage(persist::StorageError),
}

/// How long a commit may take before the batch gives up waiting for IndexedDB.
#[cfg(target_arch = "wasm32")]
const COMMIT_DEADLINE_MS: f64 = 30_000.0;

/// Waits until the commit in flight (if any) has landed; records its runs as committed, or its
/// error. IndexedDB being unavailable is not an error: the batch goes on without saving.
#[cfg(target_arch = "wasm32")]
async fn settle(
    in_flight: &mut Option<InFlight>,
    committed: &mut u64,
    stop: &mut Option<Stop>,
    saving: &mut bool,
) {
    let started = js_sys::Date::now();
    while let Some((runs, outcome)) = in_flight.as_ref() {
        let result = outcome.borrow_mut().take();
        match result {
            Some(Ok(())) => {
                *committed = *runs;
                *in_flight = None;
            }
            Some(Err(persist::StorageError::Unavailable(_))) => {
                *saving = false;
                *in_flight = None;
            }
            Some(Err(e)) => {
                stop.get_or_insert(Stop::Storage(e));
                *in_flight = None;
            }
            None if js_sys::Date::now() - started > COMMIT_DEADLINE_MS => {
                stop.get_or_insert(Stop::Storage(persist::StorageError::Failed(
                    "IndexedDB did not answer within 30 s".to_owned(),
                )));
                *in_flight = None;
            }
            None => gloo_timers::future::TimeoutFuture::new(1).await,
        }
    }
}

/// Runs a batch to its end (or until `cancel`), yielding to the page between slices and committing
/// to IndexedDB as it goes; reports after every slice. A commit is in flight while the next slices
/// run (IndexedDB works between them); the next commit waits for it, so commits land in order.
/// Nothing is committed, and Cancel waits, until the steps before the batch have run again (so the
/// document as far as it ran and the records match: see [`Driver::in_batch`]). Without IndexedDB the
/// batch runs all the same, unsaved.
#[cfg(target_arch = "wasm32")]
pub async fn drive(
    mut driver: Driver,
    serial: u32,
    cancel: Rc<Cell<bool>>,
    report: Callback<Status>,
) -> (String, Run) {
    let now = || js_sys::Date::now();
    let started = now();
    let mut status = Status {
        total: driver.batch_total(),
        phase: Phase::Running,
        saving: true,
        ..Status::default()
    };
    let mut slice: u32 = 20;
    let mut last_commit = started;
    let mut in_flight: Option<InFlight> = None;
    let mut stop: Option<Stop> = None;
    let mut saving = true;
    let mut wait_ms = 0.0;
    loop {
        let t0 = now();
        let progress = driver.advance(slice);
        let took = now() - t0;
        // Aim each slice at SLICE_MS, growing or shrinking at most 4× at a time.
        let scale = (SLICE_MS / took.max(0.5)).clamp(0.25, 4.0);
        slice = ((f64::from(slice) * scale) as u32).clamp(1, 20_000);
        if let Err(e) = progress {
            stop.get_or_insert(Stop::Engine(format!("{}: {}", e.code, e.message)));
        }
        let in_batch = driver.in_batch();
        let cancelled = cancel.get() && in_batch;
        if cancelled || matches!(stop, Some(Stop::Storage(_))) {
            driver.stop();
        }
        let finished = driver.progress().finished || cancelled || stop.is_some();
        // Collect a commit that has landed.
        let landed = in_flight
            .as_ref()
            .and_then(|(runs, outcome)| outcome.borrow_mut().take().map(|r| (*runs, r)));
        if let Some((runs, outcome)) = landed {
            in_flight = None;
            match outcome {
                Ok(()) => driver.committed = runs,
                Err(persist::StorageError::Unavailable(_)) => saving = false,
                Err(e) => {
                    stop.get_or_insert(Stop::Storage(e));
                }
            }
        }
        let due = finished || now() - last_commit >= COMMIT_MS;
        if due && saving && in_batch && stop.is_none() {
            // Commits land in order: wait for the one in flight.
            let t = now();
            settle(
                &mut in_flight,
                &mut driver.committed,
                &mut stop,
                &mut saving,
            )
            .await;
            wait_ms += now() - t;
            if saving && stop.is_none() {
                let batch = driver.take_commit();
                let runs = driver.batch_runs();
                let outcome = Rc::new(std::cell::RefCell::new(None));
                let slot = Rc::clone(&outcome);
                yew::platform::spawn_local(async move {
                    let result = persist::save(&batch).await;
                    *slot.borrow_mut() = Some(result);
                });
                in_flight = Some((runs, outcome));
                status.commits += 1;
                last_commit = now();
            }
        }
        // At the end, the last commit must land before the batch is done.
        if finished {
            let t = now();
            settle(
                &mut in_flight,
                &mut driver.committed,
                &mut stop,
                &mut saving,
            )
            .await;
            wait_ms += now() - t;
        }
        status.done = driver.batch_runs();
        status.committed = driver.committed;
        status.elapsed_ms = now() - started;
        status.idb_ms = wait_ms;
        status.saving = saving;
        status.phase = match (&stop, finished, cancelled) {
            (Some(Stop::Engine(message)), _, _) => Phase::Failed(message.clone()),
            (Some(Stop::Storage(e)), _, _) => {
                status.other_tab = *e == persist::StorageError::Conflict;
                Phase::Failed(e.to_string())
            }
            (None, true, true) => Phase::Cancelled,
            (None, true, false) => Phase::Done,
            (None, false, _) if cancel.get() => Phase::Cancelling,
            (None, false, _) => Phase::Running,
        };
        report.emit(status.clone());
        if finished {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let millis = Some(now() - started);
    let saved = match (&stop, saving) {
        (Some(Stop::Storage(e)), _) => Some(Err(e.clone())),
        // Without IndexedDB nothing was saved: the page tries once more the usual way, and says why.
        (_, false) => None,
        _ => Some(Ok(driver.counts())),
    };
    driver.finish(serial, millis, saved)
}

#[derive(Properties)]
pub struct PanelProps {
    pub state: UseReducerHandle<ScenarioState>,
}

impl PartialEq for PanelProps {
    /// Never equal: the panel reads the whole Scenario tab state (edited policies included), so it
    /// renders whenever the tab does.
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Form {
    group: String,
    caller: String,
    count: String,
    error: Option<BatchError>,
}

/// The batch panel (`#batch`).
#[function_component(BatchPanel)]
pub fn batch_panel(props: &PanelProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let state = &props.state;
    let form = use_state(|| Form {
        group: String::new(),
        caller: String::new(),
        count: DEFAULT_COUNT.to_string(),
        error: None,
    });
    let status = use_state(Status::default);
    let cancel = use_mut_ref(|| Rc::new(Cell::new(false)));

    let groups = state
        .run
        .result
        .as_ref()
        .map(|r| online_groups(r))
        .unwrap_or_default();
    let group = if groups.contains(&form.group) {
        form.group.clone()
    } else {
        groups.first().cloned().unwrap_or_default()
    };
    let callers = crate::console::principals(&state.original_doc);
    let caller = if callers.contains(&form.caller) {
        form.caller.clone()
    } else {
        callers.first().cloned().unwrap_or_default()
    };
    let running = matches!(status.phase, Phase::Running | Phase::Cancelling);

    let on_group = crate::forms::on_pick(&form, |f, v| f.group = v);
    let on_caller = crate::forms::on_pick(&form, |f, v| f.caller = v);
    let on_count = crate::forms::on_text(&form, |f, v| f.count = v);
    let on_start = {
        let form = form.clone();
        let status = status.clone();
        let cancel = cancel.clone();
        let state = state.clone();
        let (group, caller) = (group.clone(), caller.clone());
        Callback::from(move |_: MouseEvent| {
            let count = match form.count.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_COUNT).contains(&n) => n,
                _ => {
                    form.set(Form {
                        error: Some(BatchError::Count),
                        ..(*form).clone()
                    });
                    return;
                }
            };
            let document: Value = serde_json::from_str(&state.document()).unwrap_or(Value::Null);
            let prepared = batch_step(&document, &group, &caller, count)
                .and_then(|step| with_step(&document, step).ok_or(BatchError::NotObject));
            let driver = prepared.and_then(|(doc, index)| {
                Driver::new(doc, index, state.seed)
                    .map_err(|e| BatchError::Engine(format!("{}: {}", e.code, e.message)))
            });
            let driver = match driver {
                Ok(d) => d,
                Err(message) => {
                    form.set(Form {
                        error: Some(message),
                        ..(*form).clone()
                    });
                    return;
                }
            };
            form.set(Form {
                error: None,
                ..(*form).clone()
            });
            let flag = Rc::new(Cell::new(false));
            *cancel.borrow_mut() = Rc::clone(&flag);
            status.set(Status {
                total: u64::from(count),
                phase: Phase::Running,
                saving: true,
                ..Status::default()
            });
            state.dispatch(ScenarioMsg::Busy(true));
            let serial = state.run.serial + 1;
            let dispatcher = state.dispatcher();
            let report = {
                let status = status.clone();
                Callback::from(move |s: Status| status.set(s))
            };
            #[cfg(target_arch = "wasm32")]
            yew::platform::spawn_local(async move {
                let (document, run) = drive(driver, serial, flag, report).await;
                dispatcher.dispatch(ScenarioMsg::Finished(document, Rc::new(run)));
            });
            #[cfg(not(target_arch = "wasm32"))]
            {
                let mut driver = driver;
                let _ = (flag, report, driver.advance(u32::MAX));
                let (document, run) = driver.finish(serial, None, None);
                dispatcher.dispatch(ScenarioMsg::Finished(document, Rc::new(run)));
            }
        })
    };
    let on_cancel = {
        let cancel = cancel.clone();
        Callback::from(move |_: MouseEvent| cancel.borrow().set(true))
    };

    let s = &*status;
    let phase = match &s.phase {
        Phase::Idle => "idle",
        Phase::Running => "running",
        Phase::Cancelling => "cancelling",
        Phase::Done => "done",
        Phase::Cancelled => "cancelled",
        Phase::Failed(_) => "failed",
    };
    let status_text = match &s.phase {
        Phase::Idle => String::new(),
        Phase::Running | Phase::Cancelling => trf(
            "{done} of {total} records written · {committed} committed to IndexedDB · {rate} records/s",
            &[
                ("done", &s.done),
                ("total", &s.total),
                ("committed", &s.committed),
                ("rate", &format!("{:.0}", s.rate().unwrap_or(0.0))),
            ],
        ),
        Phase::Done | Phase::Cancelled if !s.saving => trf(
            "{done} records in {seconds} s ({rate} records/s), not saved: this browser's storage (IndexedDB) is not available.",
            &[
                ("done", &s.done),
                ("seconds", &format!("{:.1}", s.elapsed_ms / 1000.0)),
                ("rate", &format!("{:.0}", s.rate().unwrap_or(0.0))),
            ],
        ),
        Phase::Done | Phase::Cancelled => trf(
            "{done} records in {seconds} s ({rate} records/s), committed in {commits} IndexedDB transactions ({idb} s spent waiting for them). Every record is committed.",
            &[
                ("done", &s.done),
                ("seconds", &format!("{:.1}", s.elapsed_ms / 1000.0)),
                ("rate", &format!("{:.0}", s.rate().unwrap_or(0.0))),
                ("idb", &format!("{:.1}", s.idb_ms / 1000.0)),
                ("commits", &s.commits),
            ],
        ),
        Phase::Failed(message) if s.other_tab => trf("Stopped: {message}", &[("message", message)]),
        Phase::Failed(message) => trf(
            "Stopped: {message} IndexedDB holds the last commit: {committed} records and the document up to them.",
            &[("message", message), ("committed", &s.committed)],
        ),
    };

    html! {
        <section id="batch" class="inputs batch" aria-label={tr("Batch")}>
            <h2>{ tr("Batch: many PutRecords") }</h2>
            <p class="hint">
                { tr("Appends one PutRecord call repeated N times (record identifiers batchK-0, batchK-1, …) \
                      and runs it in slices, so the page stays responsive. Every 0.4 s what was written \
                      is committed to IndexedDB in one transaction, together with the document as far as \
                      it ran: close the tab at any moment and a reload finds every committed record, and \
                      nothing half-written.") }
            </p>
            <div class="console-grid">
                <div class="field">
                    <label for="batch-group">{ tr("Feature group") }</label>
                    <select id="batch-group" onchange={on_group} disabled={running}>
                        { for groups.iter().map(|g| html! {
                            <option value={g.clone()} selected={*g == group}>{ g.clone() }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="batch-caller">{ tr("Call as") }</label>
                    <select id="batch-caller" onchange={on_caller} disabled={running}>
                        { for callers.iter().map(|p| html! {
                            <option value={p.clone()} selected={*p == caller}>{ p.clone() }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="batch-count">{ tr("Records") }</label>
                    <input id="batch-count" type="number" min="1" max={MAX_COUNT.to_string()}
                        value={form.count.clone()} oninput={on_count} disabled={running} />
                </div>
            </div>
            if groups.is_empty() {
                <p class="hint">{ tr("This run has no feature group with an online store to write to.") }</p>
            }
            if let Some(error) = &form.error {
                <p class="engine-error" id="batch-error" role="alert">{ error.to_string() }</p>
            }
            <div class="control-row">
                <button type="button" id="batch-start" class="primary" onclick={on_start}
                    disabled={running || groups.is_empty() || state.busy}>
                    { tr("Run batch") }
                </button>
                if running {
                    <button type="button" id="batch-cancel" onclick={on_cancel}
                        disabled={s.phase == Phase::Cancelling}>
                        { tr("Cancel") }
                    </button>
                }
            </div>
            if s.phase != Phase::Idle {
                <div class="batch-progress">
                    <progress id="batch-progress" max={s.total.max(1).to_string()}
                        value={s.done.to_string()} aria-label={tr("Records written")} />
                    <p id="batch-status" role="status" aria-live="polite"
                        class={classes!("hint", matches!(s.phase, Phase::Failed(_)).then_some("storage-error"))}
                        data-phase={phase} data-done={s.done.to_string()} data-total={s.total.to_string()}
                        data-committed={s.committed.to_string()} data-ms={format!("{:.0}", s.elapsed_ms)}
                        data-idb-ms={format!("{:.0}", s.idb_ms)} data-commits={s.commits.to_string()}>
                        { status_text }
                    </p>
                </div>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_doc() -> Value {
        let text = crate::examples::seed();
        serde_json::from_str(text).unwrap_or_default()
    }

    const USER: &str = "arn:aws:iam::111122223333:user/featurestore-user";

    /// The seed up to its first GetRecord (before the admin revokes Feature Store's grant).
    fn before_revoke() -> Value {
        let mut doc = seed_doc();
        if let Some(calls) = doc.get_mut("calls").and_then(Value::as_array_mut) {
            let get = calls
                .iter()
                .position(|c| str_at(c, "op") == Some("sagemaker:GetRecord"))
                .unwrap_or(0);
            calls.truncate(get + 1);
        }
        doc
    }

    #[test]
    fn the_batch_step_writes_distinct_records_of_the_groups_features() {
        let doc = seed_doc();
        let step = batch_step(&doc, "orders", USER, 3).unwrap_or_default();
        assert_eq!(str_at(&step, "id"), Some("batch1"));
        assert_eq!(step.get("repeat"), Some(&Value::from(3)));
        let record = step.pointer("/input/Record").cloned().unwrap_or_default();
        assert!(record.to_string().contains("batch1-${i}"), "{record}");
        assert!(batch_step(&doc, "nope", USER, 3).is_err());
        assert!(batch_step(&doc, "orders", "", 3).is_err());
        let (with, index) = with_step(&doc, step).unwrap_or_default();
        let again = batch_step(&with, "orders", USER, 3).unwrap_or_default();
        assert_eq!(str_at(&again, "id"), Some("batch2"));
        assert_eq!(
            truncated(&with, index, 2).pointer(&format!("/calls/{index}/repeat")),
            Some(&Value::from(2))
        );
        assert_eq!(
            truncated(&with, index, 0)
                .get("calls")
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(index)
        );
    }

    /// The commits of a batch, applied in order, hold exactly what the stored document rebuilds with
    /// the stored seed — after any commit (a tab closed then finds a consistent pair).
    #[test]
    fn every_commit_matches_the_document_it_stores() {
        // An earlier batch of 30 runs before this one: the driver replays it first, and commits only
        // once it has (a commit taken in the middle of it would store the whole earlier batch in the
        // document but only part of its records).
        let doc = before_revoke();
        let earlier = batch_step(&doc, "orders", USER, 30).unwrap_or_default();
        let (doc, _) = with_step(&doc, earlier).unwrap_or_default();
        let step = batch_step(&doc, "orders", USER, 40).unwrap_or_default();
        let (doc, index) = with_step(&doc, step).unwrap_or_default();
        let seed = RunSeed([3; 32]);
        let mut driver = Driver::new(doc, index, seed)
            .map_err(|e| e.message)
            .unwrap_or_else(|m| {
                panic!("{m}");
            });
        let mut stored: BTreeMap<&'static str, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
        let mut commits = 0;
        let mut waited = 0;
        loop {
            let progress = driver
                .advance(7)
                .unwrap_or_else(|e| panic!("{}", e.message));
            if !driver.in_batch() {
                waited += 1;
                continue;
            }
            let commit = driver.take_commit();
            commits += 1;
            if commit.replace {
                stored.clear();
            }
            for (store, writes) in &commit.writes {
                let table = stored.entry(store).or_default();
                for (key, value) in writes {
                    match value {
                        Some(v) => table.insert(key.clone(), v.clone()),
                        None => table.remove(key),
                    };
                }
            }
            let document = commit.document.unwrap_or_default();
            let (rebuilt, changes) = persist::run_recorded(&document, seed);
            assert!(rebuilt.is_ok());
            let want = Batch::of_run(&document, None, &changes, seed);
            for store in persist::RECORD_STORES {
                let want: BTreeMap<String, Vec<u8>> = want
                    .writes
                    .get(store)
                    .map(|w| {
                        w.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                            .collect()
                    })
                    .unwrap_or_default();
                assert_eq!(
                    stored.get(store).cloned().unwrap_or_default(),
                    want,
                    "{store} after commit {commits}"
                );
            }
            let meta: Value =
                serde_json::from_str(commit.meta.as_deref().unwrap_or("")).unwrap_or_default();
            assert_eq!(
                meta.pointer("/batch/committedRuns").and_then(Value::as_u64),
                Some(driver.batch_runs())
            );
            assert_eq!(
                meta.pointer("/records/onlineStore").and_then(Value::as_u64),
                stored.get(ONLINE_STORE).map(|t| t.len() as u64)
            );
            if progress.finished {
                break;
            }
        }
        assert!(commits >= 6, "{commits} commits");
        assert!(
            waited >= 4,
            "the earlier batch was replayed in {waited} slices"
        );
        assert_eq!(driver.batch_runs(), 40);
        let (document, run) = driver.finish(1, None, Some(Ok([0, 0, 0])));
        assert!(document.contains("\"repeat\":40"));
        let result = run.result.unwrap_or_else(|e| panic!("{}", e.message));
        let last = result
            .get("calls")
            .and_then(Value::as_array)
            .and_then(|c| c.last())
            .cloned()
            .unwrap_or_default();
        assert_eq!(last.pointer("/outcomes/ok"), Some(&Value::from(40)));
    }

    #[test]
    fn a_cancelled_batch_keeps_the_runs_done() {
        let doc = before_revoke();
        let step = batch_step(&doc, "orders", USER, 100).unwrap_or_default();
        let (doc, index) = with_step(&doc, step).unwrap_or_default();
        let mut driver = match Driver::new(doc, index, RunSeed([4; 32])) {
            Ok(d) => d,
            Err(e) => panic!("{}", e.message),
        };
        while driver.batch_runs() < 30 {
            let _ = driver.advance(5);
        }
        let done = driver.batch_runs();
        assert!((30..35).contains(&done), "{done}");
        driver.stop();
        assert_eq!(driver.batch_runs(), done);
        let (document, run) = driver.finish(2, None, Some(Ok([0, 0, 0])));
        assert!(
            document.contains(&format!("\"repeat\":{done}")),
            "{document}"
        );
        let outcomes = run.outcomes().unwrap_or_default();
        assert_eq!(outcomes.last().map(String::as_str), Some("ok"));
    }
}
