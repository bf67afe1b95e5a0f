//! The Scenario tab's "Policies" view: every policy of the scenario document in an editor, with
//! kmslab-core's diagnostics recomputed on every keystroke, and the patch that puts edited policies
//! back into the document.
//!
//! Nothing here judges a policy: the diagnostics are [`kmslab_core::validate_policy`]'s, with the
//! kind of the place the policy sits in (key policy, identity policy, boundary, …).

use std::rc::Rc;

use js_sys::wasm_bindgen::JsCast;
use kmslab_core::{Diagnostic, PolicyKind, Severity};
use serde_json::Value;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::i18n::{tr, trf};
use crate::{pretty_text, str_at};

/// What a policy is attached to: the pieces of its label ([`PolicySlot::label`]).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Place {
    /// A key's policy: the key (shortened) and its first alias.
    Key {
        key: String,
        alias: Option<String>,
    },
    /// Identity policy `n` (1-based) of a principal.
    Identity {
        n: usize,
        of: String,
    },
    Boundary {
        of: String,
    },
    Bucket {
        name: String,
    },
    /// SCP or RCP `n` of level `level` (both 1-based) for an account.
    Organization {
        what: &'static str,
        n: usize,
        level: usize,
        account: String,
    },
    /// The session policy of step `step` (1-based).
    Session {
        step: usize,
        op: String,
    },
}

impl Place {
    fn label(&self) -> String {
        match self {
            Place::Key { key, alias: None } => trf("Key policy of {key}", &[("key", key)]),
            Place::Key {
                key,
                alias: Some(alias),
            } => trf(
                "Key policy of {key} ({alias})",
                &[("key", key), ("alias", alias)],
            ),
            Place::Identity { n, of } => trf(
                "Identity policy {n} of {principal}",
                &[("n", n), ("principal", of)],
            ),
            Place::Boundary { of } => {
                trf("Permissions boundary of {principal}", &[("principal", of)])
            }
            Place::Bucket { name } => trf("Bucket policy of s3://{bucket}", &[("bucket", name)]),
            Place::Organization {
                what,
                n,
                level,
                account,
            } => trf(
                "{what} {n} of level {level} for account {account}",
                &[
                    ("what", what),
                    ("n", n),
                    ("level", level),
                    ("account", account),
                ],
            ),
            Place::Session { step, op } => trf(
                "Session policy of step {step} ({op})",
                &[("step", step), ("op", op)],
            ),
        }
    }
}

/// Where a policy sits in the document, and how it is written there.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Form {
    /// JSON text (a string).
    Text,
    /// A JSON object.
    Document,
    /// `{ "name": NAME, "document": TEXT_OR_OBJECT }`.
    Named(String),
}

/// One policy of the document, as the editor holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySlot {
    /// JSON pointer of the policy in the document.
    pub pointer: String,
    /// What the policy is attached to (see [`PolicySlot::label`]).
    place: Place,
    pub kind: PolicyKind,
    form: Form,
    /// The text first shown (the document's text pretty-printed with its key order kept, or the
    /// document object pretty-printed as the engine prints it).
    pub initial: String,
    /// The text the last run used.
    pub applied: String,
    /// The editor's text.
    pub text: String,
    /// `validate_policy(text, kind)`.
    pub diagnostics: Rc<Vec<Diagnostic>>,
}

impl PolicySlot {
    fn new(pointer: String, place: Place, kind: PolicyKind, value: &Value) -> Option<PolicySlot> {
        let (form, text) = match value {
            Value::Null => return None,
            Value::String(t) => (Form::Text, display_text(t)),
            Value::Object(o) => match (o.get("name").and_then(Value::as_str), o.get("document")) {
                (Some(name), Some(document)) => {
                    (Form::Named(name.to_owned()), value_text(document))
                }
                _ => (Form::Document, value_text(value)),
            },
            other => (Form::Document, value_text(other)),
        };
        let diagnostics = Rc::new(kmslab_core::validate_policy(&text, kind));
        Some(PolicySlot {
            pointer,
            place,
            kind,
            form,
            initial: text.clone(),
            applied: text.clone(),
            text,
            diagnostics,
        })
    }

    /// What the policy is attached to, for people, in the interface's language (`Key policy of
    /// key/1234… (alias/featurestore)`).
    pub fn label(&self) -> String {
        self.place.label()
    }

    /// The policy's name when the document gives one.
    pub fn name(&self) -> Option<&str> {
        match &self.form {
            Form::Named(name) => Some(name),
            _ => None,
        }
    }

    /// Replaces the editor's text and recomputes the diagnostics.
    pub fn edit(&mut self, text: String) {
        self.diagnostics = Rc::new(kmslab_core::validate_policy(&text, self.kind));
        self.text = text;
    }

    /// Pretty-prints the text (key order kept) when it is JSON; returns whether it was.
    pub fn format(&mut self) -> bool {
        match pretty_text(&self.text) {
            Some(pretty) => {
                if pretty != self.text {
                    self.edit(pretty);
                }
                true
            }
            None => false,
        }
    }

    /// Whether the editor differs from what the last run used.
    pub fn is_stale(&self) -> bool {
        self.text != self.applied
    }

    /// The value to put in the document: the text as a string (so the engine's positions are the
    /// editor's), wrapped again when the policy was named.
    fn value(&self) -> Value {
        match &self.form {
            Form::Named(name) => serde_json::json!({ "name": name, "document": self.text }),
            Form::Text | Form::Document => Value::String(self.text.clone()),
        }
    }

    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

fn display_text(text: &str) -> String {
    pretty_text(text).unwrap_or_else(|| text.to_owned())
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(t) => display_text(t),
        // What kmslab-core does with a policy object (PolicyInput::source), so positions agree.
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// The name of a policy kind in English (the editors' `data-kind`).
pub fn kind_label(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "identity policy",
        PolicyKind::Resource => "resource policy",
        PolicyKind::KeyPolicy => "key policy",
        PolicyKind::ServiceControl => "SCP",
        PolicyKind::ResourceControl => "RCP",
        PolicyKind::PermissionsBoundary => "permissions boundary",
        PolicyKind::Session => "session policy",
    }
}

/// The name of a policy kind in the interface's language, as shown next to each editor.
pub fn kind_name(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => tr("identity policy"),
        PolicyKind::Resource => tr("resource policy"),
        PolicyKind::KeyPolicy => tr("key policy"),
        PolicyKind::ServiceControl => "SCP",
        PolicyKind::ResourceControl => "RCP",
        PolicyKind::PermissionsBoundary => tr("permissions boundary"),
        PolicyKind::Session => tr("session policy"),
    }
}

/// A JSON pointer token (RFC 6901).
fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn items(doc: &Value, key: &str) -> Vec<(usize, Value)> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().cloned().enumerate().collect())
        .unwrap_or_default()
}

/// Every policy of a scenario document, in the document's order: key policies, principals'
/// identity policies and boundaries, bucket policies, SCPs, RCPs, calls' session policies.
pub fn slots(doc: &Value) -> Vec<PolicySlot> {
    let mut out = Vec::new();
    let short = |arn: &str| crate::views::short_resource(arn).to_owned();
    for (i, key) in items(doc, "keys") {
        let arn = str_at(&key, "arn").unwrap_or("?");
        let alias = key
            .get("aliases")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(policy) = key.get("policy") {
            out.extend(PolicySlot::new(
                format!("/keys/{i}/policy"),
                Place::Key {
                    key: short(arn),
                    alias,
                },
                PolicyKind::KeyPolicy,
                policy,
            ));
        }
    }
    for (i, principal) in items(doc, "principals") {
        let arn = str_at(&principal, "arn").unwrap_or("?");
        for (j, policy) in items(&principal, "policies") {
            out.extend(PolicySlot::new(
                format!("/principals/{i}/policies/{j}"),
                Place::Identity {
                    n: j + 1,
                    of: short(arn),
                },
                PolicyKind::Identity,
                &policy,
            ));
        }
        if let Some(boundary) = principal.get("permissionsBoundary") {
            out.extend(PolicySlot::new(
                format!("/principals/{i}/permissionsBoundary"),
                Place::Boundary { of: short(arn) },
                PolicyKind::PermissionsBoundary,
                boundary,
            ));
        }
    }
    for (i, bucket) in items(doc, "buckets") {
        if let Some(policy) = bucket.get("policy") {
            out.extend(PolicySlot::new(
                format!("/buckets/{i}/policy"),
                Place::Bucket {
                    name: str_at(&bucket, "name").unwrap_or("?").to_owned(),
                },
                PolicyKind::Resource,
                policy,
            ));
        }
    }
    for (member, what, kind) in [
        ("serviceControlPolicies", "SCP", PolicyKind::ServiceControl),
        (
            "resourceControlPolicies",
            "RCP",
            PolicyKind::ResourceControl,
        ),
    ] {
        let Some(accounts) = doc
            .pointer(&format!("/organization/{member}"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (account, levels) in accounts {
            let levels = levels.as_array().map(Vec::as_slice).unwrap_or_default();
            for (l, level) in levels.iter().enumerate() {
                let policies = level.as_array().map(Vec::as_slice).unwrap_or_default();
                for (k, policy) in policies.iter().enumerate() {
                    out.extend(PolicySlot::new(
                        format!("/organization/{member}/{}/{l}/{k}", token(account)),
                        Place::Organization {
                            what,
                            n: k + 1,
                            level: l + 1,
                            account: account.clone(),
                        },
                        kind,
                        policy,
                    ));
                }
            }
        }
    }
    for (i, step) in items(doc, "calls") {
        if let Some(policy) = step.get("sessionPolicy") {
            out.extend(PolicySlot::new(
                format!("/calls/{i}/sessionPolicy"),
                Place::Session {
                    step: i + 1,
                    op: str_at(&step, "op").unwrap_or("?").to_owned(),
                },
                PolicyKind::Session,
                policy,
            ));
        }
    }
    out
}

/// The document with every policy whose editor text differs from the text first shown replaced
/// by that text (unchanged policies keep their original form, so an unedited document runs exactly
/// as written).
pub fn patch(doc: &Value, slots: &[PolicySlot]) -> Value {
    let mut doc = doc.clone();
    for slot in slots.iter().filter(|s| s.text != s.initial) {
        if let Some(place) = doc.pointer_mut(&slot.pointer) {
            *place = slot.value();
        }
    }
    doc
}

/// The `kms:PutKeyPolicy` call that applies a key policy editor's text to the running state ("Apply
/// now"): made by the key's account root, after the document's calls. `None` for a slot that is not
/// a declared key's policy.
pub fn apply_call(doc: &Value, slot: &PolicySlot) -> Option<Value> {
    if slot.kind != PolicyKind::KeyPolicy {
        return None;
    }
    let key = slot.pointer.strip_suffix("/policy")?;
    let arn = doc.pointer(key).and_then(|k| str_at(k, "arn"))?;
    Some(serde_json::json!({
        "id": crate::console::fresh_id(doc),
        "as": crate::forms::root_of(arn),
        "op": "kms:PutKeyPolicy",
        "input": { "KeyId": arn, "PolicyName": "default", "Policy": slot.text },
    }))
}

// ---------------------------------------------------------------------------------------------
// View

/// Severity per line (1-based): `Some(true)` error, `Some(false)` warning only.
fn marked_lines(text: &str, diagnostics: &[Diagnostic]) -> Vec<Option<bool>> {
    let lines = text.split('\n').count().max(1);
    let mut marks = vec![None; lines];
    for d in diagnostics {
        let first = (d.line as usize).max(1);
        let start = d.offset as usize;
        let spanned = text
            .get(start..start.saturating_add(d.length as usize).min(text.len()))
            .map_or(0, |s| s.matches('\n').count());
        for line in first..=first + spanned {
            if let Some(mark) = marks.get_mut(line - 1) {
                let error = d.severity == Severity::Error;
                *mark = Some(mark.unwrap_or(false) || error);
            }
        }
    }
    marks
}

/// Selects a diagnostic's text in its editor (byte offsets → UTF-16 positions) and focuses it.
fn select_in_editor(id: &str, text: &str, offset: u32, length: u32) {
    let Some(area) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
    else {
        return;
    };
    let utf16 = |bytes: usize| {
        let mut end = bytes.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.get(..end).map_or(0, |s| s.encode_utf16().count()) as u32
    };
    let start = utf16(offset as usize);
    let end = utf16(offset as usize + length.max(1) as usize);
    let _ = area.focus();
    let _ = area.set_selection_range(start, end);
}

/// Callbacks of the Policies view.
#[derive(Clone, PartialEq)]
pub struct PolicyCallbacks {
    pub on_edit: Callback<(usize, String)>,
    pub on_format: Callback<usize>,
    pub on_rerun: Callback<()>,
    pub on_reset: Callback<()>,
    /// "Apply now as PutKeyPolicy" of a key policy editor (see [`apply_call`]).
    pub on_apply: Callback<usize>,
}

/// The Policies view: one editor per policy, then the buttons.
pub fn view(slots: &[PolicySlot], edited: bool, stale: bool, cb: &PolicyCallbacks) -> Html {
    let on_rerun = cb.on_rerun.reform(|_: MouseEvent| ());
    let on_reset = cb.on_reset.reform(|_: MouseEvent| ());
    let buttons = html! {
        <div class="policy-actions">
            <button type="button" id="rerun" class={classes!("primary", stale.then_some("attention"))}
                onclick={on_rerun}>
                { tr("Re-run with these policies") }
            </button>
            <button type="button" id="reset-example" class="secondary" onclick={on_reset} disabled={!edited}>
                { tr("Reset example") }
            </button>
        </div>
    };
    if slots.is_empty() {
        return html! {
            <>
                <p class="muted" id="policies">
                    { tr("This scenario declares no policies (its keys use KMS's default key policy).") }
                </p>
                { buttons }
            </>
        };
    }
    html! {
        <>
            <p class="hint">
                { tr("Every policy the scenario declares. Diagnostics are kmslab-core's validator for that \
                      kind of policy, recomputed as you type. Change a word, then re-run: the Calls view \
                      shows which calls changed outcome.") }
            </p>
            if slots.iter().any(|s| s.kind == PolicyKind::KeyPolicy) {
                <p class="hint apply-hint" id="apply-hint">
                    <strong>{ tr("Re-run") }</strong>{ " " }
                    { tr("changes the declaration and runs the scenario from the start, as if the key had always had this policy.") }
                    { " " }<strong>{ tr("Apply now") }</strong>{ " " }
                    { tr("leaves the declaration as it is and adds a kms:PutKeyPolicy call by the key's account root after the existing calls: the policy changes from that point on, and KMS's own checks apply (MalformedPolicyDocumentException, the lockout safety check).") }
                </p>
            }
            { buttons.clone() }
            <div id="policies" class="policies">
                { for slots.iter().enumerate().map(|(i, slot)| editor(i, slot, cb)) }
            </div>
            { buttons }
        </>
    }
}

fn editor(i: usize, slot: &PolicySlot, cb: &PolicyCallbacks) -> Html {
    let id = format!("policy-{i}");
    let on_input = {
        let on_edit = cb.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
                on_edit.emit((i, area.value()));
            }
        })
    };
    let on_format = cb.on_format.reform(move |_: MouseEvent| i);
    let marks = marked_lines(&slot.text, &slot.diagnostics);
    let lines = marks.len();
    let errors = slot.errors();
    let warnings = slot.warnings();
    let parses = pretty_text(&slot.text).is_some();
    html! {
        <article class={classes!("policy", slot.is_stale().then_some("edited"))}
            data-pointer={slot.pointer.clone()} data-kind={kind_label(slot.kind)}>
            <div class="policy-head">
                <label for={id.clone()}>
                    <strong>{ slot.label() }</strong>
                    { " " }<span class="kind">{ kind_name(slot.kind) }</span>
                    if let Some(name) = slot.name() {
                        { " " }<code class="policy-name">{ name }</code>
                    }
                </label>
                <span class="counts" aria-live="polite">
                    <span class={classes!("count", (errors > 0).then_some("has-errors"))}>
                        { if errors == 1 { trf("{n} error", &[("n", &errors)]) } else { trf("{n} errors", &[("n", &errors)]) } }
                    </span>
                    { " · " }
                    <span class={classes!("count", (warnings > 0).then_some("has-warnings"))}>
                        { if warnings == 1 { trf("{n} warning", &[("n", &warnings)]) } else { trf("{n} warnings", &[("n", &warnings)]) } }
                    </span>
                </span>
                <button type="button" class="secondary format" onclick={on_format} disabled={!parses}
                    title={if parses { tr("Pretty-print the JSON") } else { tr("Not JSON: fix the syntax error first") }}>
                    { tr("Format") }
                </button>
            </div>
            <div class="editor" style={format!("--lines: {lines}")}>
                <pre class="gutter" aria-hidden="true">
                    { for marks.iter().enumerate().map(|(n, mark)| html! {
                        <span class={classes!(match mark { Some(true) => "error", Some(false) => "warning", None => "" })}>
                            { format!("{}\n", n + 1) }
                        </span>
                    }) }
                </pre>
                <div class="code">
                    { for marks.iter().enumerate().filter_map(|(n, mark)| mark.map(|error| html! {
                        <div class={classes!("line-mark", if error { "error" } else { "warning" })}
                            style={format!("--line: {n}")} aria-hidden="true"></div>
                    })) }
                    <textarea id={id.clone()} class="policy-text" spellcheck="false" wrap="off"
                        autocomplete="off" aria-describedby={format!("{id}-diagnostics")}
                        value={slot.text.clone()} oninput={on_input} />
                </div>
            </div>
            <ul class="diagnostics policy-diagnostics" id={format!("{id}-diagnostics")}>
                if slot.diagnostics.is_empty() {
                    <li class="diagnostic ok">{ tr("No errors or warnings.") }</li>
                }
                { for slot.diagnostics.iter().map(|d| {
                    let severity = match d.severity { Severity::Error => "error", Severity::Warning => "warning" };
                    let onclick = {
                        let (id, text, offset, length) = (id.clone(), slot.text.clone(), d.offset, d.length);
                        Callback::from(move |_: MouseEvent| select_in_editor(&id, &text, offset, length))
                    };
                    html! {
                        <li class={classes!("diagnostic", severity)} data-line={d.line.to_string()}>
                            <button type="button" class="link at" {onclick}
                                title={tr("Select the offending text in the editor")}>
                                { format!("{}:{}", d.line, d.column) }
                            </button>
                            { " " }<span class="severity">{ match d.severity { Severity::Error => tr("error"), Severity::Warning => tr("warning") } }</span>{ " " }
                            <strong>{ if d.kind == d.code { d.code.clone() } else { format!("{} ({})", d.code, d.kind) } }</strong>
                            { ": " }{ d.message.clone() }
                        </li>
                    }
                }) }
            </ul>
            if slot.kind == PolicyKind::KeyPolicy && slot.pointer.starts_with("/keys/") {
                <div class="policy-apply">
                    <button type="button" class="secondary" id={format!("apply-policy-{i}")}
                        onclick={cb.on_apply.reform(move |_: MouseEvent| i)}
                        title={tr("Append a kms:PutKeyPolicy call with this text, made by the key's account root, and run it")}>
                        { tr("Apply now as PutKeyPolicy") }
                    </button>
                </div>
            }
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "kmslab": 1,
            "principals": [
                { "arn": "arn:aws:iam::111122223333:user/a",
                  "policies": [ { "name": "P", "document": { "Version": "2012-10-17",
                      "Statement": [{ "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*" }] } },
                      "{\"Version\":\"2012-10-17\",\"Statement\":[]}" ],
                  "permissionsBoundary": { "Version": "2012-10-17", "Statement": [] } },
                { "arn": "arn:aws:iam::111122223333:role/r", "permissionsBoundary": null }
            ],
            "keys": [ { "arn": "arn:aws:kms:us-east-1:111122223333:key/k", "aliases": ["alias/x"],
                        "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}" },
                      { "arn": "arn:aws:kms:us-east-1:111122223333:key/default" } ],
            "buckets": [ { "name": "b", "account": "111122223333", "policy": { "Statement": [] } } ],
            "organization": {
                "serviceControlPolicies": { "444455556666": [[ { "Statement": [] } ], [ "{}" ]] },
                "resourceControlPolicies": { "111122223333": [[ { "Statement": [] } ]] }
            },
            "calls": [ { "clock": "1m" },
                       { "as": "x", "op": "kms:Decrypt", "sessionPolicy": { "Statement": [] } } ]
        })
    }

    #[test]
    fn every_policy_gets_an_editor_of_its_kind() {
        let slots = slots(&doc());
        let got: Vec<(&str, PolicyKind)> =
            slots.iter().map(|s| (s.pointer.as_str(), s.kind)).collect();
        assert_eq!(
            got,
            vec![
                ("/keys/0/policy", PolicyKind::KeyPolicy),
                ("/principals/0/policies/0", PolicyKind::Identity),
                ("/principals/0/policies/1", PolicyKind::Identity),
                (
                    "/principals/0/permissionsBoundary",
                    PolicyKind::PermissionsBoundary
                ),
                ("/buckets/0/policy", PolicyKind::Resource),
                (
                    "/organization/serviceControlPolicies/444455556666/0/0",
                    PolicyKind::ServiceControl
                ),
                (
                    "/organization/serviceControlPolicies/444455556666/1/0",
                    PolicyKind::ServiceControl
                ),
                (
                    "/organization/resourceControlPolicies/111122223333/0/0",
                    PolicyKind::ResourceControl
                ),
                ("/calls/1/sessionPolicy", PolicyKind::Session),
            ]
        );
        assert_eq!(
            slots.first().map(PolicySlot::label).as_deref(),
            Some("Key policy of key/k (alias/x)")
        );
        assert_eq!(slots.get(1).and_then(|s| s.name()), Some("P"));
        // Text policies are shown pretty-printed.
        assert_eq!(
            slots.first().map(|s| s.text.as_str()),
            Some("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}")
        );
    }

    #[test]
    fn patch_replaces_only_edited_policies() {
        let doc = doc();
        let mut slots = slots(&doc);
        assert_eq!(patch(&doc, &slots), doc);
        if let Some(named) = slots.get_mut(1) {
            named.edit("{\"Version\": \"2012-10-17\", \"Statement\": []}".to_owned());
        }
        if let Some(key) = slots.get_mut(0) {
            key.edit("{ oops".to_owned());
            assert!(key.errors() > 0);
            assert!(!key.format());
        }
        let patched = patch(&doc, &slots);
        assert_eq!(patched.pointer("/keys/0/policy"), Some(&json!("{ oops")));
        assert_eq!(
            patched.pointer("/principals/0/policies/0"),
            Some(
                &json!({ "name": "P", "document": "{\"Version\": \"2012-10-17\", \"Statement\": []}" })
            )
        );
        assert_eq!(
            patched.pointer("/principals/0/policies/1"),
            doc.pointer("/principals/0/policies/1")
        );
        assert_eq!(patched.pointer("/buckets"), doc.pointer("/buckets"));
    }

    #[test]
    fn diagnostics_follow_the_kind_and_mark_lines() {
        let doc = doc();
        let mut slots = slots(&doc);
        let Some(identity) = slots.get_mut(2) else {
            return;
        };
        // A Principal is not allowed in an identity policy.
        identity.edit(
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\",\n    \"Action\": \"kms:*\", \"Resource\": \"*\"}]\n}"
                .to_owned(),
        );
        assert!(identity.is_stale());
        let d = identity.diagnostics.first().cloned();
        assert_eq!(
            d.as_ref().map(|d| d.kind.as_str()),
            Some("principalNotAllowed")
        );
        let marks = marked_lines(&identity.text, &identity.diagnostics);
        assert_eq!(marks.get(2), Some(&Some(true)), "{marks:?} {d:?}");
        assert_eq!(marks.first(), Some(&None));
        assert!(identity.format());
        assert_eq!(
            identity.text,
            pretty_text(&identity.text).unwrap_or_default()
        );
    }
}
