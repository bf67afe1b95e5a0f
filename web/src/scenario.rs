//! The Scenario tab: runs an example scenario in the browser with kmslab-core and shows what the
//! run returned — its calls (with every authorization's trace), the CloudTrail, the KMS requests and
//! cost report, and the region's final keys, grants and feature groups.
//!
//! Nothing here decides anything: [`run_scenario`] is `Scenario::from_json` + `Scenario::run`, and
//! the views only read the run's JSON (`docs/scenario.md`, "What a run returns").

use std::rc::Rc;

use js_sys::wasm_bindgen::JsCast;
use kmslab_core::scenario::{Scenario, ScenarioError};
use serde_json::Value;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::{fill, tr, trf};
use crate::policies::{self, PolicyCallbacks, PolicySlot};
use crate::{num_at, share, str_at, views};

/// The example scenarios (see [`crate::examples`]): `EXAMPLES[i]` is the menu's entry `i`.
pub use crate::examples::EXAMPLES;

/// One entry of the examples menu (its document: [`crate::examples::text`]).
pub type Example = crate::examples::ExampleFile;

/// The examples, seed first.
pub fn examples() -> Vec<Example> {
    EXAMPLES.to_vec()
}

/// Why a scenario could not run (`InvalidScenario`, `UnsupportedScenarioVersion`,
/// `InvalidDeclaration`, or `InternalError` when the result can't be serialized).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    pub code: String,
    pub message: String,
}

impl From<ScenarioError> for EngineError {
    fn from(e: ScenarioError) -> Self {
        EngineError {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

/// Runs a scenario document with kmslab-core; the result is the JSON of its `RunResult`.
pub fn run_scenario(text: &str) -> Result<Value, EngineError> {
    let result = Scenario::from_json(text)?.run(None)?;
    serde_json::to_value(&result).map_err(|e| EngineError {
        code: "InternalError".to_owned(),
        message: format!("the run result could not be serialized: {e}"),
    })
}

/// The document's calls, clock steps left out: entry `i` is the declaration of `calls[i]` of the run.
pub fn call_steps(text: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    doc.get("calls")
        .and_then(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .filter(|s| s.get("clock").is_none())
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// The id of the document's first account (callers of other accounts are shown with theirs).
pub fn home_account(text: &str) -> Option<String> {
    let doc: Value = serde_json::from_str(text).ok()?;
    doc.pointer("/accounts/0/id")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// What the summary line counts: `(calls, expectations passed, expectations checked, KMS
/// requests, total cost)`.
fn summary_counts(result: &Value) -> (usize, u64, u64, usize, &str) {
    let len = |key: &str| {
        result
            .get(key)
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    let expectations = result.get("expectations").unwrap_or(&Value::Null);
    let total = result
        .get("cost")
        .and_then(|c| str_at(c, "total"))
        .unwrap_or("?");
    (
        len("calls"),
        num_at(expectations, "passed").unwrap_or(0),
        num_at(expectations, "checked").unwrap_or(0),
        len("kmsRequests"),
        total,
    )
}

/// `N calls · X/Y expectations met · K KMS requests · cost $…`, in the interface's language (in
/// English exactly [`summary_line_en`]).
pub fn summary_line(result: &Value) -> String {
    let (calls, passed, checked, requests, total) = summary_counts(result);
    [
        if calls == 1 {
            trf("{n} call", &[("n", &calls)])
        } else {
            trf("{n} calls", &[("n", &calls)])
        },
        trf(
            "{passed}/{checked} expectations met",
            &[("passed", &passed), ("checked", &checked)],
        ),
        if requests == 1 {
            trf("{n} KMS request", &[("n", &requests)])
        } else {
            trf("{n} KMS requests", &[("n", &requests)])
        },
        trf("cost {total}", &[("total", &total)]),
    ]
    .join(" · ")
}

/// [`summary_line`] in English whatever the interface's language: what the browser's storage
/// keeps (see [`crate::persist::meta`]).
pub fn summary_line_en(result: &Value) -> String {
    let (calls, passed, checked, requests, total) = summary_counts(result);
    format!(
        "{calls} {} · {passed}/{checked} expectations met · {requests} KMS {} · cost {total}",
        if calls == 1 { "call" } else { "calls" },
        if requests == 1 { "request" } else { "requests" },
    )
}

/// The outcome of each call of a run: its error code, or `ok`.
pub fn outcomes(result: &Value) -> Vec<String> {
    result
        .get("calls")
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .map(|c| {
                    c.get("error")
                        .and_then(|e| str_at(e, "code"))
                        .unwrap_or("ok")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One run of one scenario document.
#[derive(Clone, Debug)]
pub struct Run {
    /// Counts runs; the rendered run is keyed by it, so a new run starts with fresh views.
    pub serial: u32,
    /// The document's calls (see [`call_steps`]).
    pub steps: Vec<Value>,
    /// See [`home_account`].
    pub home_account: Option<String>,
    /// The run result's JSON, shared with the lazily rendered trees of [`views`].
    pub result: Result<Rc<Value>, EngineError>,
    /// How long the run took in the browser (milliseconds), when a clock is available.
    pub millis: Option<f64>,
    /// The call outcomes of the run before this one of the same scenario (for "was … → now …").
    pub previous: Option<Vec<String>>,
    /// The change log of the run's storage (records, objects, key material), for IndexedDB
    /// (see [`crate::persist`]).
    pub storage: Vec<kmslab_core::storage::Mutation>,
    /// Whether the run is in IndexedDB already (a batch commits as it goes: see [`crate::batch`]).
    pub persisted: bool,
    /// For a persisted run: what its commits left in IndexedDB (online records, offline objects, key
    /// materials), or why saving stopped.
    pub saved: Option<Result<[usize; 3], crate::persist::StorageError>>,
}

impl Run {
    pub fn new(text: &str, serial: u32, seed: crate::persist::RunSeed) -> Run {
        let started = now_ms();
        let (result, storage) = crate::persist::run_recorded(text, seed);
        let result = result.map(Rc::new);
        let millis = started.zip(now_ms()).map(|(a, b)| b - a);
        Run {
            serial,
            steps: call_steps(text),
            home_account: home_account(text),
            result,
            millis,
            previous: None,
            storage,
            persisted: false,
            saved: None,
        }
    }

    /// A run of `text` that could not be done: `error` says why.
    pub fn failed(text: &str, serial: u32, error: EngineError) -> Run {
        Run {
            serial,
            steps: call_steps(text),
            home_account: home_account(text),
            result: Err(error),
            millis: None,
            previous: None,
            storage: Vec::new(),
            persisted: false,
            saved: None,
        }
    }

    /// This run's call outcomes (none when the document did not run).
    pub fn outcomes(&self) -> Option<Vec<String>> {
        self.result.as_ref().ok().map(|r| outcomes(r))
    }
}

pub(crate) fn now_ms() -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    {
        Some(js_sys::Date::now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// The views of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Calls,
    Policies,
    CloudTrail,
    Kms,
    Keys,
    FeatureGroups,
    Access,
}

impl View {
    pub const ALL: [View; 7] = [
        View::Calls,
        View::Policies,
        View::CloudTrail,
        View::Kms,
        View::Keys,
        View::FeatureGroups,
        View::Access,
    ];

    /// The view's name, in the interface's language (CloudTrail is a product name).
    pub fn label(self) -> &'static str {
        match self {
            View::Calls => tr("Calls"),
            View::Policies => tr("Policies"),
            View::CloudTrail => "CloudTrail",
            View::Kms => tr("KMS requests & cost"),
            View::Keys => tr("Keys & grants"),
            View::FeatureGroups => tr("Feature groups"),
            View::Access => tr("Who can do what"),
        }
    }

    /// Used in element ids (`view-…`).
    pub fn slug(self) -> &'static str {
        match self {
            View::Calls => "calls",
            View::Policies => "policies",
            View::CloudTrail => "cloudtrail",
            View::Kms => "kms",
            View::Keys => "keys",
            View::FeatureGroups => "feature-groups",
            View::Access => "access",
        }
    }
}

/// Where the open scenario document came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An embedded example (index into the examples).
    Example(usize),
    /// A share link, made by this kmslab-core version.
    Link { engine_version: String },
    /// This browser's storage (IndexedDB): the document of the last run (see [`crate::persist`]).
    Stored,
}

/// A run of more than [`crate::batch::SYNC_RUNS`] calls (after a batch, say) that a Re-run, a
/// Console call or an edit asked for: [`crate::batch::use_long_runs`] does it in slices, with
/// progress, so the page stays responsive; meanwhile the views show the previous run and nothing
/// else may start a run.
#[derive(Clone, Debug, PartialEq)]
pub struct LongRun {
    /// The document to run.
    pub text: Rc<str>,
    /// The serial its run gets.
    pub serial: u32,
}

/// The Scenario tab's state.
#[derive(Clone, Debug)]
pub struct ScenarioState {
    pub examples: Rc<Vec<Example>>,
    pub source: Source,
    /// The document as it was opened ("Reset example" goes back to it).
    pub original: Rc<str>,
    /// `original`, parsed (`Null` when it is not JSON).
    pub original_doc: Rc<Value>,
    /// The document's policies in their editors.
    pub slots: Vec<PolicySlot>,
    pub run: Rc<Run>,
    /// Why the page's share link could not be opened (the seed is shown instead).
    pub link_error: Option<String>,
    /// The example being fetched (see [`crate::examples::open`]), and why the fetch failed.
    pub loading: Option<(usize, Option<String>)>,
    /// A run too long to do at once, being done in slices (see [`LongRun`]).
    pub long_run: Option<LongRun>,
    /// The last share link made with "Copy link", and whether the clipboard took it.
    pub share_link: Option<String>,
    pub copied: Option<bool>,
    /// The call whose details are open.
    pub open_call: Option<usize>,
    pub view: View,
    /// The CloudTrail view's filter text.
    pub trail_filter: String,
    /// The CloudTrail event (index in `cloudTrail.Records`) whose JSON is shown.
    pub open_event: Option<usize>,
    /// The "Who can do what" cell (row, column of `access`) whose details are shown.
    pub open_access: Option<(usize, usize)>,
    /// The randomness runs of this document start from (kept across re-runs, saved with the run).
    pub seed: crate::persist::RunSeed,
    /// A batch is running ([`crate::batch`]): actions that would start another run wait.
    pub busy: bool,
}

impl Default for ScenarioState {
    /// The first example (the seed scenario), already run.
    fn default() -> Self {
        let examples = Rc::new(examples());
        ScenarioState::open(
            examples,
            Source::Example(0),
            Rc::from(crate::examples::seed()),
            0,
        )
    }
}

impl ScenarioState {
    /// Opens (and runs) a document.
    fn open(examples: Rc<Vec<Example>>, source: Source, text: Rc<str>, serial: u32) -> Self {
        Self::open_seeded(
            examples,
            source,
            text,
            serial,
            crate::persist::RunSeed::fresh(),
        )
    }

    fn open_seeded(
        examples: Rc<Vec<Example>>,
        source: Source,
        text: Rc<str>,
        serial: u32,
        seed: crate::persist::RunSeed,
    ) -> Self {
        let run = Rc::new(Run::new(&text, serial, seed));
        Self::open_with_run(examples, source, text, seed, run)
    }

    /// Opens a document with a run made elsewhere (a long document rebuilt in slices: see
    /// [`crate::batch::rebuild`]).
    fn open_with_run(
        examples: Rc<Vec<Example>>,
        source: Source,
        text: Rc<str>,
        seed: crate::persist::RunSeed,
        run: Rc<Run>,
    ) -> Self {
        let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        ScenarioState {
            examples,
            source,
            slots: policies::slots(&doc),
            original_doc: Rc::new(doc),
            run,
            seed,
            busy: false,
            original: text,
            link_error: None,
            loading: None,
            long_run: None,
            share_link: None,
            copied: None,
            open_call: None,
            view: View::Calls,
            trail_filter: String::new(),
            open_event: None,
            open_access: None,
        }
    }

    /// The state for a page whose URL fragment is `fragment`: a share link's scenario, or the seed
    /// (with [`ScenarioState::link_error`] set when the fragment is a share link that can't be read).
    pub fn from_fragment(fragment: &str) -> Self {
        let mut state = ScenarioState::default();
        if share::is_share_fragment(fragment) {
            state.open_link(fragment);
        }
        state
    }

    fn open_link(&mut self, fragment: &str) {
        match share::decode(fragment) {
            Ok(shared) => {
                let source = Source::Link {
                    engine_version: shared.engine_version,
                };
                *self = ScenarioState::open(
                    Rc::clone(&self.examples),
                    source,
                    Rc::from(shared.document),
                    self.run.serial + 1,
                );
            }
            Err(e) => self.link_error = Some(e.0),
        }
    }

    /// Whether some editor differs from what the shown results were computed with.
    pub fn is_stale(&self) -> bool {
        self.slots.iter().any(PolicySlot::is_stale)
    }

    /// Whether some policy differs from the document as opened.
    pub fn is_edited(&self) -> bool {
        self.slots.iter().any(|s| s.text != s.initial)
    }

    /// The document with the editors' policies: what a re-run runs and a share link holds.
    pub fn document(&self) -> Rc<str> {
        if !self.is_edited() {
            return Rc::clone(&self.original);
        }
        Rc::from(policies::patch(&self.original_doc, &self.slots).to_string())
    }

    /// The share-link fragment (without `#`) of [`ScenarioState::document`].
    pub fn share_fragment(&self) -> String {
        share::encode(&self.document())
    }

    /// Runs `text` as the next run, remembering the current run's outcomes for comparison.
    pub(crate) fn rerun(&mut self, text: &str) {
        self.open_event = None;
        for slot in &mut self.slots {
            slot.applied = slot.text.clone();
        }
        if crate::batch::total_runs(text).is_some_and(|n| n > crate::batch::SYNC_RUNS) {
            self.long_run = Some(LongRun {
                text: Rc::from(text),
                serial: self.run.serial + 1,
            });
            self.busy = true;
            return;
        }
        let mut run = Run::new(text, self.run.serial + 1, self.seed);
        run.previous = self.run.outcomes();
        self.run = Rc::new(run);
    }

    /// The name of the open scenario.
    pub fn name(&self) -> String {
        match &self.source {
            Source::Example(i) => self.examples.get(*i).map(|e| e.name.to_owned()),
            Source::Link { .. } | Source::Stored => {
                str_at(&self.original_doc, "name").map(str::to_owned)
            }
        }
        .unwrap_or_else(|| tr("Shared scenario").to_owned())
    }
}

/// Changes to the Scenario tab.
#[derive(Debug)]
pub enum ScenarioMsg {
    /// Pick an example and run it (its document must be at hand: [`crate::examples::open`]).
    Select(usize),
    /// Example `i` is being fetched.
    Loading(usize),
    /// Example `i` could not be fetched, for this reason.
    LoadFailed(usize, String),
    /// Run the document again, with the editors' policies.
    Run,
    /// Go back to the document as opened, and run it.
    Reset,
    /// A policy editor's new text.
    EditPolicy(usize, String),
    FormatPolicy(usize),
    /// Open a share link (`#s=…`).
    OpenLink(String),
    /// "Copy link" made this link; the clipboard took it (`Some(true)`), refused (`Some(false)`)
    /// or has not answered yet (`None`).
    Shared(String, Option<bool>),
    ToggleCall(usize),
    View(View),
    TrailFilter(String),
    ToggleEvent(usize),
    /// Show or hide the details of a "Who can do what" cell (row, column).
    ToggleAccess(usize, usize),
    /// Open (and run, with the stored seed) the document found in this browser's storage (see
    /// [`crate::persist`]).
    Restore(String, crate::persist::RunSeed),
    /// A stored document too long to run at once was rebuilt in slices (with its stored seed):
    /// open it with that run.
    Rebuilt(String, crate::persist::RunSeed, Rc<Run>),
    /// A batch started (`true`) or ended (`false`): see [`ScenarioState::busy`].
    Busy(bool),
    /// A batch finished (or was cancelled): its document (the batch call included, as far as it
    /// ran) and its run.
    Finished(String, Rc<Run>),
    /// The long run with this serial is done (see [`LongRun`]).
    LongRunDone(u32, Result<Rc<Run>, EngineError>),
    /// The Console's call: append it to the document, re-run, open it (see `console::append`).
    AppendCall(Value),
    /// "Apply now as PutKeyPolicy" of key policy editor `i`: append a `kms:PutKeyPolicy` call with
    /// the editor's text (see `policies::apply_call`), put the editor back to the declared text,
    /// re-run and open the new call.
    ApplyKeyPolicy(usize),
    /// A form of the Build panel changed the declarations: open this document (policy editors
    /// rebuilt from it), run it, keep the view (see `crate::forms`).
    ReplaceDocument(String),
}

impl Reducible for ScenarioState {
    type Action = ScenarioMsg;

    fn reduce(self: Rc<Self>, msg: ScenarioMsg) -> Rc<Self> {
        // While a batch runs, nothing else may start a run (its commits would interleave with the
        // batch's in IndexedDB).
        let starts_run = matches!(
            msg,
            ScenarioMsg::Select(_)
                | ScenarioMsg::Loading(_)
                | ScenarioMsg::Run
                | ScenarioMsg::Reset
                | ScenarioMsg::OpenLink(_)
                | ScenarioMsg::Restore(..)
                | ScenarioMsg::AppendCall(_)
                | ScenarioMsg::ApplyKeyPolicy(_)
                | ScenarioMsg::ReplaceDocument(_)
        );
        if self.busy && starts_run {
            return self;
        }
        let mut next = (*self).clone();
        match msg {
            ScenarioMsg::Select(example) => {
                // Opened by `crate::examples::open` once the document is at hand.
                let Some(text) = crate::examples::text(example) else {
                    return self;
                };
                next = ScenarioState::open(
                    Rc::clone(&next.examples),
                    Source::Example(example),
                    Rc::from(text),
                    self.run.serial + 1,
                );
                next.view = self.view;
            }
            ScenarioMsg::Loading(example) => next.loading = Some((example, None)),
            ScenarioMsg::LoadFailed(example, why) => next.loading = Some((example, Some(why))),
            ScenarioMsg::Run => {
                let text = next.document();
                next.rerun(&text);
                next.view = View::Calls;
            }
            ScenarioMsg::Reset => {
                for slot in &mut next.slots {
                    let initial = slot.initial.clone();
                    slot.edit(initial);
                }
                let text = Rc::clone(&next.original);
                next.rerun(&text);
                next.view = View::Calls;
            }
            ScenarioMsg::EditPolicy(i, text) => {
                if let Some(slot) = next.slots.get_mut(i) {
                    slot.edit(text);
                }
                next.share_link = None;
            }
            ScenarioMsg::FormatPolicy(i) => {
                if let Some(slot) = next.slots.get_mut(i) {
                    slot.format();
                }
            }
            ScenarioMsg::OpenLink(fragment) => {
                next.open_link(&fragment);
            }
            ScenarioMsg::Shared(link, copied) => {
                next.share_link = Some(link);
                next.copied = copied;
            }
            ScenarioMsg::ToggleCall(i) => {
                next.open_call = (self.open_call != Some(i)).then_some(i);
            }
            ScenarioMsg::View(view) => next.view = view,
            ScenarioMsg::TrailFilter(text) => {
                next.trail_filter = text;
                next.open_event = None;
            }
            ScenarioMsg::ToggleEvent(i) => {
                next.open_event = (self.open_event != Some(i)).then_some(i);
            }
            ScenarioMsg::ToggleAccess(row, column) => {
                let cell = (row, column);
                next.open_access = (self.open_access != Some(cell)).then_some(cell);
            }
            ScenarioMsg::Restore(text, seed) => {
                let examples = Rc::clone(&next.examples);
                let serial = self.run.serial + 1;
                next = ScenarioState::open_seeded(
                    examples,
                    Source::Stored,
                    Rc::from(text),
                    serial,
                    seed,
                );
                next.view = self.view;
            }
            ScenarioMsg::Rebuilt(text, seed, run) => {
                let examples = Rc::clone(&next.examples);
                let mut run = (*run).clone();
                run.serial = self.run.serial + 1;
                next = ScenarioState::open_with_run(
                    examples,
                    Source::Stored,
                    Rc::from(text),
                    seed,
                    Rc::new(run),
                );
                next.view = self.view;
            }
            ScenarioMsg::Busy(busy) => next.busy = busy,
            ScenarioMsg::Finished(text, run) => {
                let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let open = run.steps.len().checked_sub(1);
                let mut run = (*run).clone();
                run.previous = self.run.outcomes();
                next.original = Rc::from(text);
                next.original_doc = Rc::new(doc);
                next.slots = policies::slots(&next.original_doc);
                next.run = Rc::new(run);
                next.open_call = open;
                next.open_event = None;
                next.view = View::Calls;
                next.share_link = None;
                next.busy = false;
            }
            ScenarioMsg::LongRunDone(serial, run) => {
                let Some(long) = next.long_run.take_if(|l| l.serial == serial) else {
                    return self;
                };
                let mut run = match run {
                    Ok(run) => (*run).clone(),
                    Err(e) => Run::failed(&long.text, serial, e),
                };
                run.serial = serial;
                run.previous = self.run.outcomes();
                next.run = Rc::new(run);
                next.busy = false;
            }
            ScenarioMsg::AppendCall(call) => crate::console::append(&mut next, call),
            ScenarioMsg::ApplyKeyPolicy(i) => {
                let call = next
                    .slots
                    .get(i)
                    .and_then(|slot| policies::apply_call(&next.original_doc, slot));
                if let Some(call) = call {
                    if let Some(slot) = next.slots.get_mut(i) {
                        let initial = slot.initial.clone();
                        slot.edit(initial);
                    }
                    crate::console::append(&mut next, call);
                }
            }
            ScenarioMsg::ReplaceDocument(text) => {
                let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                next.slots = policies::slots(&doc);
                next.original_doc = Rc::new(doc);
                next.original = Rc::from(text);
                let document = next.document();
                next.rerun(&document);
                next.share_link = None;
                next.copied = None;
            }
        }
        Rc::new(next)
    }
}

/// Downloads `text` as a file named `name` (a Blob behind an object URL, clicked through a
/// detached `<a download>`; the URL is revoked a minute later).
pub fn download(name: &str, mime: &str, text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let parts = js_sys::Array::of1(&js_sys::wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let revoke = js_sys::wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
}

/// The URL fragment of the page (`#…`, or empty).
pub fn location_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Copies `link` to the clipboard when the browser lets us; reports whether it did.
fn copy_to_clipboard(link: String, done: Callback<bool>) {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        done.emit(false);
        return;
    };
    // `navigator.clipboard` is undefined outside secure contexts: look before calling.
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).unwrap_or_default();
    if clipboard.is_undefined() || clipboard.is_null() {
        done.emit(false);
        return;
    }
    let promise = clipboard
        .unchecked_into::<web_sys::Clipboard>()
        .write_text(&link);
    yew::platform::spawn_local(async move {
        done.emit(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// The Scenario tab. It opens the share link in the page's URL fragment (`#s=…`) when there is
/// one, and any share link the fragment later changes to.
#[function_component(ScenarioTab)]
pub fn scenario_tab() -> Html {
    let _lang = crate::i18n::use_lang();
    let state = use_reducer(|| ScenarioState::from_fragment(&location_fragment()));
    let dispatch = state.dispatcher();
    let storage_bar = crate::persist::use_persistence(state.clone());
    crate::tour::use_tour_requests(&dispatch);
    let long_run = crate::batch::use_long_runs(&state);

    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            crate::on_hashchange(move || {
                let fragment = location_fragment();
                if share::is_share_fragment(&fragment) {
                    dispatch.dispatch(ScenarioMsg::OpenLink(fragment));
                }
            })
        });
    }

    let on_example = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Ok(i) = select.value().parse::<usize>() {
                    crate::examples::open(&dispatch, i, || ());
                }
            }
        })
    };
    let on_run = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(ScenarioMsg::Run))
    };
    let on_copy = {
        let dispatch = dispatch.clone();
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let link = share::link_for(&state.share_fragment());
            dispatch.dispatch(ScenarioMsg::Shared(link.clone(), None));
            let dispatch = dispatch.clone();
            let reported = link.clone();
            copy_to_clipboard(
                link,
                Callback::from(move |ok| {
                    dispatch.dispatch(ScenarioMsg::Shared(reported.clone(), Some(ok)))
                }),
            );
        })
    };
    let on_select_link = Callback::from(|e: FocusEvent| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            input.select();
        }
    });

    let run = &state.run;
    // The document the Build panel's forms patch or append to: with the editors' policies.
    let forms_doc: Rc<Value> = if state.is_edited() {
        Rc::new(policies::patch(&state.original_doc, &state.slots))
    } else {
        Rc::clone(&state.original_doc)
    };
    let example = match state.source {
        Source::Example(i) => state.examples.get(i),
        Source::Link { .. } | Source::Stored => None,
    };
    let description = match example {
        Some(e) => e.description.to_owned(),
        None => str_at(&state.original_doc, "description")
            .unwrap_or("")
            .to_owned(),
    };

    html! {
        <>
            { storage_bar }
            if let Some(error) = &state.link_error {
                <div class="engine-error link-error" id="share-error" role="alert">
                    <strong>{ tr("This share link could not be opened") }</strong>
                    { tr(": ") }{ error.clone() }
                    { trf(" Showing “{name}” instead.", &[("name", &state.name())]) }
                </div>
            }
            <section class="inputs scenario-controls" aria-label={tr("Scenario")}>
                <div class="field">
                    <label for="example">{ tr("Example scenario") }</label>
                    <div class="control-row">
                        // Busy (a batch or a long re-run): no other example may open meanwhile.
                        <select id="example" onchange={on_example} disabled={state.busy}
                            data-open={match state.source { Source::Example(i) => i.to_string(), _ => String::from("none") }}>
                            if let Source::Link { .. } | Source::Stored = state.source {
                                <option value="shared" selected=true disabled=true>
                                    { if state.source == Source::Stored { tr("Restored: ") } else { tr("Shared link: ") } }
                                    { state.name() }
                                </option>
                            }
                            { for state.examples.iter().enumerate().map(|(i, e)| html! {
                                <option value={i.to_string()}
                                    selected={state.source == Source::Example(i)}>
                                    { e.name }
                                </option>
                            }) }
                        </select>
                        <button type="button" id="run" class="primary" onclick={on_run} disabled={state.busy}>
                            { tr("Run") }
                        </button>
                        <button type="button" id="copy-link" class="secondary" onclick={on_copy}
                            title={tr("Put the whole scenario, with your edits, in a link")}>
                            { tr("Copy link") }
                        </button>
                    </div>
                </div>
                if let Some((done, total)) = long_run {
                    <p class="long-run" id="long-run" role="status"
                        data-done={done.to_string()} data-total={total.to_string()}>
                        <progress max={total.max(1).to_string()} value={done.to_string()}></progress>
                        { " " }
                        { trf("Running the document's {total} calls in slices, so the page stays responsive: {done} done.",
                            &[("total", &total), ("done", &done)]) }
                    </p>
                }
                if let Some((i, why)) = &state.loading {
                    { example_loading(state.examples.get(*i).map_or("", |e| e.name), why.as_deref()) }
                }
                if let Some(link) = &state.share_link {
                    <div class="field share">
                        <label for="share-link">
                            { tr("Share link — the whole scenario is in it; opening it runs the scenario \
                                  in the reader's browser") }
                        </label>
                        <input id="share-link" type="text" readonly=true value={link.clone()}
                            onfocus={on_select_link} />
                        <p class="hint" id="copy-status" role="status">
                            { match state.copied {
                                Some(true) => tr("Copied to the clipboard."),
                                Some(false) => tr("The browser did not allow copying: select the link above and copy it."),
                                None => tr("Copying…"),
                            } }
                            { trf(" {n} characters.", &[("n", &link.len())]) }
                        </p>
                    </div>
                }
                <p id="description" class="description">{ description }</p>
                <p class="hint">
                    { tr("Scenario document: ") }
                    { match (&state.source, example) {
                        (Source::Example(_), Some(e)) => html! { <code>{ format!("tests/scenarios/{}", e.file) }</code> },
                        (Source::Link { engine_version }, _) => html! {
                            <span id="shared-source">{ trf("from a share link (made with kmslab-core {version})", &[("version", engine_version)]) }</span>
                        },
                        _ => html! {},
                    } }
                    if state.is_edited() {
                        <span class="edited-note">{ tr(", with edited policies") }</span>
                    }
                    { tr(" — run by kmslab-core in this page, with the scenario's seed and simulated clock.") }
                </p>
            </section>

            <div class="run-wrap">
                <section class={classes!("result", "run", state.is_stale().then_some("stale"))}
                    id="run-result" key={run.serial.to_string()} aria-label={tr("Run")}>
                    { view_run(&state, &dispatch) }
                </section>
            </div>
            <crate::console::Console doc={Rc::clone(&state.original_doc)} on_send={{
                let dispatch = dispatch.clone();
                Callback::from(move |call| dispatch.dispatch(ScenarioMsg::AppendCall(call)))
            }} />
            <crate::forms::Build doc={forms_doc} result={state.run.result.as_ref().ok().map(Rc::clone)}
                on_replace={{
                    let dispatch = dispatch.clone();
                    Callback::from(move |text| dispatch.dispatch(ScenarioMsg::ReplaceDocument(text)))
                }}
                on_call={{
                    let dispatch = dispatch.clone();
                    Callback::from(move |call| dispatch.dispatch(ScenarioMsg::AppendCall(call)))
                }} />
            <crate::batch::BatchPanel state={state.clone()} />
        </>
    }
}

fn view_run(state: &ScenarioState, dispatch: &UseReducerDispatcher<ScenarioState>) -> Html {
    let run = &state.run;
    let stale = state.is_stale();
    let stale_banner = html! {
        if stale {
            <p class="stale stale-note" id="stale" role="status">
                { fill(
                    tr("Results are stale — re-run. The policies changed since this run: press {button} to see what they do."),
                    [("button", html! { <strong>{ tr("Re-run with these policies") }</strong> })],
                ) }
            </p>
        }
    };
    let callbacks = PolicyCallbacks {
        on_edit: {
            let dispatch = dispatch.clone();
            Callback::from(move |(i, text)| dispatch.dispatch(ScenarioMsg::EditPolicy(i, text)))
        },
        on_format: {
            let dispatch = dispatch.clone();
            Callback::from(move |i| dispatch.dispatch(ScenarioMsg::FormatPolicy(i)))
        },
        on_rerun: {
            let dispatch = dispatch.clone();
            Callback::from(move |()| dispatch.dispatch(ScenarioMsg::Run))
        },
        on_reset: {
            let dispatch = dispatch.clone();
            Callback::from(move |()| dispatch.dispatch(ScenarioMsg::Reset))
        },
        on_apply: {
            let dispatch = dispatch.clone();
            Callback::from(move |i| dispatch.dispatch(ScenarioMsg::ApplyKeyPolicy(i)))
        },
    };
    let policies_view = || policies::view(&state.slots, state.is_edited(), stale, &callbacks);
    let result = match &run.result {
        Ok(result) => result,
        Err(e) => {
            return html! {
                <>
                    { stale_banner }
                    <div class="engine-error" id="run-error" role="alert">
                        <strong>{ e.code.clone() }</strong>{ ": " }{ e.message.clone() }
                    </div>
                    { policies_view() }
                </>
            }
        }
    };
    let view_button = |view: View| {
        let dispatch = dispatch.clone();
        let onclick =
            Callback::from(move |_: MouseEvent| dispatch.dispatch(ScenarioMsg::View(view)));
        let selected = state.view == view;
        html! {
            <button type="button" role="tab" id={format!("view-{}", view.slug())}
                class={classes!("subtab", selected.then_some("selected"))}
                aria-selected={selected.to_string()} aria-controls="view-panel" {onclick}>
                { view.label() }
            </button>
        }
    };
    let body = match state.view {
        View::Calls => {
            let dispatch = dispatch.clone();
            let on_toggle = Callback::from(move |i| dispatch.dispatch(ScenarioMsg::ToggleCall(i)));
            views::calls(
                result,
                &run.steps,
                run.home_account.as_deref(),
                state.open_call,
                on_toggle,
                run.previous.as_deref(),
            )
        }
        View::Policies => policies_view(),
        View::CloudTrail => {
            let on_filter = {
                let dispatch = dispatch.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                        dispatch.dispatch(ScenarioMsg::TrailFilter(input.value()));
                    }
                })
            };
            let on_event = {
                let dispatch = dispatch.clone();
                Callback::from(move |i| dispatch.dispatch(ScenarioMsg::ToggleEvent(i)))
            };
            let on_export = {
                let result = Rc::clone(result);
                Callback::from(move |_: MouseEvent| {
                    let trail = result.get("cloudTrail").unwrap_or(&Value::Null);
                    let text = serde_json::to_string_pretty(trail).unwrap_or_default();
                    download("cloudtrail.json", "application/json", &text);
                })
            };
            views::cloudtrail(
                result,
                run.home_account.as_deref(),
                &state.trail_filter,
                on_filter,
                state.open_event,
                on_event,
                on_export,
            )
        }
        View::Kms => views::kms(result),
        View::Keys => {
            let dispatch = dispatch.clone();
            let on_call =
                Callback::from(move |call| dispatch.dispatch(ScenarioMsg::AppendCall(call)));
            views::keys(result, &state.original_doc, &on_call)
        }
        View::FeatureGroups => views::feature_groups(result),
        View::Access => {
            let dispatch = dispatch.clone();
            let on_toggle = Callback::from(move |(row, column)| {
                dispatch.dispatch(ScenarioMsg::ToggleAccess(row, column))
            });
            views::access(
                result,
                run.home_account.as_deref(),
                state.open_access,
                on_toggle,
            )
        }
    };
    let changed = run.previous.as_ref().map(|previous| {
        outcomes(result)
            .iter()
            .zip(previous)
            .filter(|(now, was)| now != was)
            .count()
    });
    html! {
        <>
            { stale_banner }
            <p class="summary-row">
                <span id="summary" class="summary" role="status">{ summary_line(result) }</span>
                if let Some(ms) = run.millis {
                    <span class="muted run-time">{ trf(" · ran in {ms} ms", &[("ms", &format!("{ms:.0}"))]) }</span>
                }
                if let Some(n) = changed {
                    <span id="changes" class={classes!("changes", (n > 0).then_some("some"))}>
                        { " · " }
                        { match n {
                            0 => tr("no call changed outcome since the previous run").to_owned(),
                            1 => tr("1 call changed outcome since the previous run").to_owned(),
                            n => trf("{n} calls changed outcome since the previous run", &[("n", &n)]),
                        } }
                    </span>
                }
            </p>
            <nav class="subtabs" role="tablist" aria-label={tr("Views of the run")}>
                { for View::ALL.into_iter().map(view_button) }
            </nav>
            <div id="view-panel" class={classes!("view", format!("view-{}", state.view.slug()))}
                role="tabpanel" aria-labelledby={format!("view-{}", state.view.slug())}>
                { body }
            </div>
        </>
    }
}

/// The line under the examples menu while an example is fetched, or why it could not be.
fn example_loading(name: &str, why: Option<&str>) -> Html {
    match why {
        None => html! {
            <p class="muted" id="example-loading" role="status">
                { trf("Loading the example “{name}”…", &[("name", &name)]) }
            </p>
        },
        Some(why) => html! {
            <div class="engine-error" id="example-loading" role="alert">
                <strong>{ trf("The example “{name}” could not be loaded", &[("name", &name)]) }</strong>
                { tr(": ") }{ why.to_owned() }
            </div>
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_start_with_the_seed_and_leave_out_review_cases() {
        let list = examples();
        assert!(list.len() >= 2, "{} examples", list.len());
        assert_eq!(list.first().map(|e| e.file), Some("seed.json"));
        assert_eq!(
            list.first().map(|e| e.name),
            Some("Seed: Feature Store with a customer managed key")
        );
        assert!(list.iter().all(|e| !e.file.starts_with("review-")));
        assert!(list
            .iter()
            .all(|e| e.name != e.file && !e.description.is_empty()));
    }

    #[test]
    fn every_example_runs_and_meets_its_expectations() {
        for (i, example) in examples().iter().enumerate() {
            let text = crate::examples::text(i).unwrap_or_default();
            let result = run_scenario(text);
            assert!(result.is_ok(), "{}: {result:?}", example.file);
            let result = result.unwrap_or_default();
            let exp = result.get("expectations").cloned().unwrap_or_default();
            assert_eq!(exp.get("failed"), Some(&Value::from(0)), "{}", example.file);
            let calls = result
                .get("calls")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            assert_eq!(calls, call_steps(text).len(), "{}", example.file);
        }
    }

    #[test]
    fn seed_summary_line() {
        let text = crate::examples::seed();
        let result = run_scenario(text).unwrap_or_default();
        let line = summary_line(&result);
        assert!(
            line.starts_with("9 calls · 9/9 expectations met · "),
            "{line}"
        );
        assert!(line.contains(" KMS requests · cost $"), "{line}");
        assert_eq!(line, summary_line_en(&result));
    }

    #[test]
    fn the_summary_line_follows_the_language_and_keeps_its_numbers() {
        use crate::i18n::{set, Lang};
        let text = crate::examples::seed();
        let result = run_scenario(text).unwrap_or_default();
        set(Lang::ZhTw);
        let zh = summary_line(&result);
        let view = View::Keys.label();
        set(Lang::En);
        assert!(zh.starts_with("9 個呼叫 · 9/9 "), "{zh}");
        assert!(zh.contains('$'), "{zh}");
        assert_ne!(view, "Keys & grants");
        assert_eq!(summary_line(&result), summary_line_en(&result));
        assert_eq!(View::Keys.label(), "Keys & grants");
    }

    #[test]
    fn a_broken_document_is_an_engine_error() {
        let err = run_scenario("{\"kmslab\": 2}").err();
        assert_eq!(
            err.map(|e| e.code),
            Some("UnsupportedScenarioVersion".to_owned())
        );
        let err = run_scenario("not json").err();
        assert_eq!(err.map(|e| e.code), Some("InvalidScenario".to_owned()));
    }

    #[test]
    fn selecting_an_example_runs_it() {
        let state = Rc::new(ScenarioState::default());
        let state = state.reduce(ScenarioMsg::ToggleCall(3));
        assert_eq!(state.open_call, Some(3));
        let next = state.reduce(ScenarioMsg::Select(1));
        assert_eq!(next.source, Source::Example(1));
        assert_eq!(next.run.serial, 1);
        assert_eq!(next.open_call, None);
        assert!(next.run.result.is_ok());
        assert_eq!(next.run.previous, None);
    }

    /// A document of more than `SYNC_RUNS` calls is not run at once: the state asks for a long run
    /// (busy meanwhile, the previous run still shown), and only the answer for that run applies.
    #[test]
    fn a_long_document_runs_in_slices_not_at_once() {
        let state = Rc::new(ScenarioState::default());
        let seed = state.seed;
        let mut doc: Value = serde_json::from_str(crate::examples::seed()).unwrap_or_default();
        let put = call_steps(crate::examples::seed())
            .into_iter()
            .find(|c| str_at(c, "op") == Some("sagemaker:PutRecord"))
            .unwrap_or_default();
        let mut repeated = put.clone();
        repeated["repeat"] = Value::from(crate::batch::SYNC_RUNS + 1);
        if let Some(calls) = doc.get_mut("calls").and_then(Value::as_array_mut) {
            calls.push(repeated);
        }
        let text = doc.to_string();
        let next = state.reduce(ScenarioMsg::ReplaceDocument(text.clone()));
        let long = next.long_run.clone();
        assert_eq!(long.as_ref().map(|l| l.serial), Some(1));
        assert!(next.busy);
        assert_eq!(next.run.serial, 0, "the previous run is still shown");
        // Nothing else starts a run meanwhile.
        let same = Rc::clone(&next).reduce(ScenarioMsg::Run);
        assert_eq!(same.long_run, long);
        // A stale answer is ignored; the right one applies.
        let stale = Rc::clone(&next).reduce(ScenarioMsg::LongRunDone(
            7,
            Ok(Rc::new(Run::new(&text, 7, next.seed))),
        ));
        assert!(stale.long_run.is_some() && stale.busy);
        let done = next.reduce(ScenarioMsg::LongRunDone(
            1,
            Ok(Rc::new(Run::new(&text, 1, seed))),
        ));
        assert_eq!(
            (done.run.serial, done.busy, done.long_run.clone()),
            (1, false, None)
        );
        let calls = done
            .run
            .result
            .as_ref()
            .ok()
            .and_then(|r| r.get("calls"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        assert_eq!(calls, call_steps(&text).len());
        assert!(
            done.run.previous.is_some(),
            "outcomes compared with the previous run"
        );
    }

    /// The seed's key policy without `kms:Decrypt` in its first statement (as the e2e test edits it).
    fn without_decrypt(text: &str) -> String {
        text.replacen("\"kms:Decrypt\",", "", 1)
    }

    #[test]
    fn editing_the_key_policy_and_re_running_shows_what_changed() {
        let state = Rc::new(ScenarioState::default());
        let key = state.slots.first().cloned();
        assert_eq!(
            key.as_ref().map(|s| s.kind),
            Some(kmslab_core::PolicyKind::KeyPolicy)
        );
        let text = key.map(|k| k.text).unwrap_or_default();
        assert!(
            text.starts_with("{\n  \"Id\": \"key-policy-feature-store\""),
            "{text}"
        );
        let edited = without_decrypt(&text);
        assert_ne!(edited, text);

        let state = state.reduce(ScenarioMsg::EditPolicy(0, edited));
        assert!(state.is_stale() && state.is_edited());
        let before = state.run.outcomes().unwrap_or_default();
        let state = state.reduce(ScenarioMsg::Run);
        assert!(!state.is_stale() && state.is_edited());
        let after = state.run.outcomes().unwrap_or_default();
        assert_eq!(state.run.previous.as_ref(), Some(&before));
        // kmslab-core's Feature Store checks at CreateFeatureGroup that the caller may use the key
        // (kms:Decrypt among others), so the feature group is never created and the first
        // GetRecord (call 4) of the featurestore-user finds no feature group.
        assert_eq!(before.first().map(String::as_str), Some("ok"));
        assert_eq!(
            after.first().map(String::as_str),
            Some("ValidationException"),
            "{after:?}"
        );
        assert_eq!(before.get(3).map(String::as_str), Some("ok"));
        assert_eq!(
            after.get(3).map(String::as_str),
            Some("ResourceNotFound"),
            "{after:?}"
        );
        let message = state
            .run
            .result
            .as_ref()
            .ok()
            .and_then(|r| r.pointer("/calls/0/error/message"))
            .map(Value::to_string)
            .unwrap_or_default();
        assert!(message.contains("missing kms:Decrypt"), "{message}");

        // A share link carries the edit.
        let shared = ScenarioState::from_fragment(&format!("#{}", state.share_fragment()));
        assert_eq!(shared.link_error, None);
        assert!(matches!(shared.source, Source::Link { .. }));
        assert_eq!(shared.run.outcomes(), Some(after.clone()));
        let summary = |s: &ScenarioState| s.run.result.as_ref().map(|r| summary_line(r)).ok();
        assert_eq!(summary(&shared), summary(&state));
        assert!(!shared.is_edited());

        // Reset goes back to the example and reports the change back.
        let state = state.reduce(ScenarioMsg::Reset);
        assert!(!state.is_edited() && !state.is_stale());
        assert_eq!(state.run.outcomes(), Some(before));
        assert_eq!(state.run.previous, Some(after));
    }

    /// The decision of the `access` cell whose principal contains `who` and whose label starts with `op`.
    fn access_decision(result: &Value, who: &str, op: &str) -> Option<String> {
        let columns = result.pointer("/access/columns")?.as_array()?;
        let c = columns
            .iter()
            .position(|c| str_at(c, "label").is_some_and(|l| l.starts_with(op)))?;
        let row = result
            .pointer("/access/rows")?
            .as_array()?
            .iter()
            .find(|r| str_at(r, "principal").is_some_and(|p| p.contains(who)))?;
        row.pointer(&format!("/cells/{c}/decision"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    #[test]
    fn who_can_do_what_follows_the_key_policy_on_re_runs() {
        let state = Rc::new(ScenarioState::default());
        let decision = |s: &ScenarioState, who: &str, op: &str| {
            s.run
                .result
                .as_ref()
                .ok()
                .and_then(|r| access_decision(r, who, op))
        };
        let user = "user/featurestore-user";
        let admin = "assumed-role/featurestore-admin/";
        assert_eq!(
            decision(&state, user, "Decrypt (direct)").as_deref(),
            Some("ImplicitDeny")
        );
        assert_eq!(
            decision(&state, user, "Decrypt via Feature Store").as_deref(),
            Some("Allow")
        );
        assert_eq!(
            decision(&state, admin, "RevokeGrant").as_deref(),
            Some("Allow")
        );

        // Remove kms:RevokeGrant from the administrators' statement (as the e2e test does).
        let text = state
            .slots
            .first()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        let edited = text.replacen(",\n        \"kms:RevokeGrant\"", "", 1);
        assert_ne!(edited, text);
        let state = state.reduce(ScenarioMsg::EditPolicy(0, edited));
        let state = state.reduce(ScenarioMsg::ToggleAccess(1, 6));
        assert_eq!(state.open_access, Some((1, 6)));
        let state = state.reduce(ScenarioMsg::Run);
        assert_eq!(
            decision(&state, admin, "RevokeGrant").as_deref(),
            Some("ImplicitDeny")
        );
        assert_eq!(
            decision(&state, user, "Decrypt via Feature Store").as_deref(),
            Some("Allow")
        );
        let state = state.reduce(ScenarioMsg::ToggleAccess(1, 6));
        assert_eq!(state.open_access, None);
    }

    #[test]
    fn a_garbage_link_opens_the_seed_with_a_message() {
        let state = ScenarioState::from_fragment("#s=1.0.1.%%%garbage");
        assert!(state.link_error.is_some());
        assert_eq!(state.source, Source::Example(0));
        assert!(state.run.result.is_ok());
        let state = ScenarioState::from_fragment("#policy-lab");
        assert_eq!(state.link_error, None);
        // A link whose document is JSON but not a scenario opens, and shows the engine's error.
        let state = ScenarioState::from_fragment(&format!("#{}", share::encode("{\"kmslab\": 2}")));
        assert_eq!(state.link_error, None);
        assert_eq!(
            state.run.result.as_ref().err().map(|e| e.code.as_str()),
            Some("UnsupportedScenarioVersion")
        );
    }
}
