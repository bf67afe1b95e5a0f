//! The Console (Scenario tab): issue one more call as any principal of the open scenario.
//!
//! A call made here is a scenario step like any other (`{"id", "as", "op", "input", "via"?}`,
//! `docs/scenario.md`): [`append`] adds it to the end of the document and runs the document again,
//! so its result, trace and CloudTrail events are those kmslab-core gives the whole scenario, and a
//! share link made afterwards carries it. The panel only builds the step; nothing here decides.

use std::fmt;
use std::rc::Rc;

use serde_json::{json, Value};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::{fill, tr, trf};
use crate::scenario::{call_steps, ScenarioState, View};
use crate::str_at;

/// The operations offered, by service.
pub const OPERATIONS: [(&str, &[&str]); 3] = [
    (
        "kms",
        &[
            "Encrypt",
            "Decrypt",
            "GenerateDataKey",
            "DescribeKey",
            "CreateGrant",
            "ListGrants",
            "RevokeGrant",
            "RetireGrant",
            "DisableKey",
            "EnableKey",
            "ScheduleKeyDeletion",
            "CancelKeyDeletion",
            "PutKeyPolicy",
            "GetKeyPolicy",
        ],
    ),
    (
        "sagemaker",
        &[
            "CreateFeatureGroup",
            "DescribeFeatureGroup",
            "PutRecord",
            "GetRecord",
            "DeleteRecord",
            "BatchGetRecord",
        ],
    ),
    ("s3", &["GetObject", "ListObjectsV2"]),
];

/// The services a KMS call may come through (`via`); the empty string is a direct call.
pub const VIA: [&str; 3] = ["", "sagemaker", "s3"];

/// The callers a console call may be made as: the declared principals (a role as its session
/// `arn:aws:sts::ACCOUNT:assumed-role/NAME/console`), then each declared account's root.
pub fn principals(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = items(doc, "principals")
        .iter()
        .filter_map(|p| str_at(p, "arn"))
        .map(caller_of)
        .collect();
    for account in items(doc, "accounts") {
        if let Some(id) = str_at(account, "id") {
            let root = format!("arn:aws:iam::{id}:root");
            if !out.contains(&root) {
                out.push(root);
            }
        }
    }
    out
}

/// The ARN a declared principal calls as: users as they are, roles through a `console` session.
pub fn caller_of(arn: &str) -> String {
    match arn.split_once(":role/") {
        Some((head, path)) => {
            let account = head.rsplit(':').next().unwrap_or_default();
            let name = path.rsplit('/').next().unwrap_or(path);
            format!("arn:aws:sts::{account}:assumed-role/{name}/console")
        }
        None => arn.to_owned(),
    }
}

fn items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The document's call steps (clock steps left out) of operation `op`, last first.
fn calls_of<'a>(doc: &'a Value, op: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    items(doc, "calls")
        .iter()
        .rev()
        .filter(move |c| str_at(c, "op") == Some(op))
}

/// `${ID.path}` of the last call of `op` that has an id.
fn reference(doc: &Value, op: &str, path: &str) -> Option<String> {
    calls_of(doc, op)
        .find_map(|c| str_at(c, "id"))
        .map(|id| format!("${{{id}.{path}}}"))
}

/// Sets `object[key]` (nothing when `object` is not an object).
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(object) = object.as_object_mut() {
        object.insert(key.to_owned(), value);
    }
}

/// A sample value for a feature of this type.
fn sample(feature_type: &str, event_time: bool) -> &'static str {
    match (feature_type, event_time) {
        ("String", true) => "2026-01-01T00:10:00Z",
        (_, true) => "1767226200",
        ("Integral", _) => "1",
        ("Fractional", _) => "1.5",
        _ => "console",
    }
}

/// A sensible input for `op` (`kms:Decrypt`, …) in this document: its first key, its first feature
/// group's definitions, references to earlier calls' outputs (`${ID.…}`) where there are some.
pub fn template(doc: &Value, op: &str) -> Value {
    let key = items(doc, "keys")
        .first()
        .and_then(|k| str_at(k, "arn"))
        .unwrap_or("KEY_ARN")
        .to_owned();
    let group = calls_of(doc, "sagemaker:CreateFeatureGroup")
        .last()
        .and_then(|c| c.get("input"))
        .cloned()
        .unwrap_or(Value::Null);
    let group_name = str_at(&group, "FeatureGroupName")
        .unwrap_or("FEATURE_GROUP")
        .to_owned();
    let id_name = str_at(&group, "RecordIdentifierFeatureName").unwrap_or("record_id");
    let time_name = str_at(&group, "EventTimeFeatureName").unwrap_or("event_time");
    let definitions = items(&group, "FeatureDefinitions");
    let time_type = definitions
        .iter()
        .find(|d| str_at(d, "FeatureName") == Some(time_name))
        .and_then(|d| str_at(d, "FeatureType"))
        .unwrap_or("Fractional");
    let event_time = sample(time_type, true);
    // The record a GetRecord reads: the first one written to the group, if any.
    let record_id = calls_of(doc, "sagemaker:PutRecord")
        .filter(|c| {
            c.pointer("/input/FeatureGroupName").and_then(Value::as_str) == Some(&group_name)
        })
        .last()
        .and_then(|c| c.pointer("/input/Record"))
        .and_then(Value::as_array)
        .and_then(|r| r.iter().find(|f| str_at(f, "FeatureName") == Some(id_name)))
        .and_then(|f| str_at(f, "ValueAsString"))
        .unwrap_or("console-1")
        .to_owned();
    let s3_uri = group
        .pointer("/OfflineStoreConfig/S3StorageConfig/S3Uri")
        .and_then(Value::as_str)
        .and_then(|u| u.strip_prefix("s3://"));
    let bucket = s3_uri
        .map(|u| u.split('/').next().unwrap_or(u).to_owned())
        .or_else(|| {
            items(doc, "buckets")
                .first()
                .and_then(|b| str_at(b, "name"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "BUCKET".to_owned());
    let prefix = s3_uri
        .and_then(|u| u.split_once('/'))
        .map(|(_, p)| format!("{}/", p.trim_end_matches('/')))
        .unwrap_or_default();
    let grant_id = reference(doc, "kms:ListGrants", "Grants.0.GrantId")
        .or_else(|| reference(doc, "kms:CreateGrant", "GrantId"))
        .unwrap_or_else(|| "GRANT_ID".to_owned());
    let grantee = items(doc, "principals")
        .first()
        .and_then(|p| str_at(p, "arn"))
        .unwrap_or("PRINCIPAL_ARN");

    match op {
        "kms:Encrypt" => json!({ "KeyId": key, "Plaintext": "aGVsbG8=" }),
        "kms:Decrypt" => {
            let source = calls_of(doc, "kms:Encrypt")
                .chain(calls_of(doc, "kms:GenerateDataKey"))
                .find(|c| str_at(c, "id").is_some());
            match source {
                Some(call) => {
                    let id = str_at(call, "id").unwrap_or_default();
                    let mut input =
                        json!({ "CiphertextBlob": format!("${{{id}.CiphertextBlob}}") });
                    if let Some(context) = call.pointer("/input/EncryptionContext") {
                        set(&mut input, "EncryptionContext", context.clone());
                    }
                    input
                }
                None => json!({ "KeyId": key, "CiphertextBlob": "BASE64_CIPHERTEXT" }),
            }
        }
        "kms:GenerateDataKey" => json!({ "KeyId": key, "KeySpec": "AES_256" }),
        "kms:CreateGrant" => json!({
            "KeyId": key, "GranteePrincipal": grantee, "Operations": ["Decrypt"]
        }),
        "kms:RevokeGrant" | "kms:RetireGrant" => json!({ "KeyId": key, "GrantId": grant_id }),
        "kms:ScheduleKeyDeletion" => json!({ "KeyId": key, "PendingWindowInDays": 7 }),
        "kms:GetKeyPolicy" => json!({ "KeyId": key, "PolicyName": "default" }),
        "kms:PutKeyPolicy" => {
            let policy = items(doc, "keys").first().and_then(|k| k.get("policy"));
            let policy = policy.map(|p| p.get("document").unwrap_or(p));
            let text = match policy {
                Some(Value::String(text)) => text.clone(),
                Some(other) => serde_json::to_string_pretty(other).unwrap_or_default(),
                None => {
                    let account = key.split(':').nth(4).unwrap_or("111122223333");
                    json!({
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
                            "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
                            "Action": "kms:*", "Resource": "*"
                        }]
                    })
                    .to_string()
                }
            };
            json!({ "KeyId": key, "PolicyName": "default", "Policy": text })
        }
        op if op.starts_with("kms:") => json!({ "KeyId": key }),
        "sagemaker:CreateFeatureGroup" if group.is_object() => {
            let mut input = group.clone();
            set(
                &mut input,
                "FeatureGroupName",
                Value::from(format!("{group_name}-console")),
            );
            if let Some(uri) = input.pointer_mut("/OfflineStoreConfig/S3StorageConfig/S3Uri") {
                *uri = Value::from(format!("s3://{bucket}/{group_name}-console"));
            }
            input
        }
        "sagemaker:CreateFeatureGroup" => json!({
            "FeatureGroupName": "console-group",
            "RecordIdentifierFeatureName": "record_id",
            "EventTimeFeatureName": "event_time",
            "FeatureDefinitions": [
                { "FeatureName": "record_id", "FeatureType": "String" },
                { "FeatureName": "event_time", "FeatureType": "Fractional" }
            ],
            "OnlineStoreConfig": { "EnableOnlineStore": true, "SecurityConfig": { "KmsKeyId": key } }
        }),
        "sagemaker:PutRecord" => {
            let record: Vec<Value> = if definitions.is_empty() {
                vec![
                    json!({ "FeatureName": id_name, "ValueAsString": "console-1" }),
                    json!({ "FeatureName": time_name, "ValueAsString": event_time }),
                ]
            } else {
                definitions
                    .iter()
                    .filter_map(|d| {
                        let name = str_at(d, "FeatureName")?;
                        let value = if name == id_name {
                            "console-1"
                        } else {
                            sample(
                                str_at(d, "FeatureType").unwrap_or("String"),
                                name == time_name,
                            )
                        };
                        Some(json!({ "FeatureName": name, "ValueAsString": value }))
                    })
                    .collect()
            };
            json!({ "FeatureGroupName": group_name, "Record": record })
        }
        "sagemaker:GetRecord" => json!({
            "FeatureGroupName": group_name, "RecordIdentifierValueAsString": record_id
        }),
        "sagemaker:DeleteRecord" => json!({
            "FeatureGroupName": group_name, "RecordIdentifierValueAsString": record_id,
            "EventTime": event_time
        }),
        "sagemaker:BatchGetRecord" => json!({
            "Identifiers": [{
                "FeatureGroupName": group_name, "RecordIdentifiersValueAsString": [record_id]
            }]
        }),
        "sagemaker:DescribeFeatureGroup" => json!({ "FeatureGroupName": group_name }),
        "s3:ListObjectsV2" => json!({ "Bucket": bucket, "Prefix": prefix }),
        "s3:GetObject" => json!({
            "Bucket": bucket,
            "Key": reference(doc, "s3:ListObjectsV2", "Contents.0.Key")
                .unwrap_or_else(|| format!("{prefix}OBJECT_KEY")),
        }),
        _ => json!({}),
    }
}

/// The feature groups the document creates: `(name, [(feature name, type)])`, in the order of their calls.
pub fn record_groups(doc: &Value) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for input in items(doc, "calls")
        .iter()
        .filter(|c| str_at(c, "op") == Some("sagemaker:CreateFeatureGroup"))
        .filter_map(|c| c.get("input"))
    {
        let Some(name) = str_at(input, "FeatureGroupName") else {
            continue;
        };
        let features = items(input, "FeatureDefinitions")
            .iter()
            .filter_map(|d| {
                Some((
                    str_at(d, "FeatureName")?.to_owned(),
                    str_at(d, "FeatureType").unwrap_or("String").to_owned(),
                ))
            })
            .collect();
        out.retain(|(n, _)| n != name);
        out.push((name.to_owned(), features));
    }
    out
}

/// A PutRecord input with feature `name` set to `value` (removed when empty), or the group changed
/// (`name` = `None`); other members of the input (TargetStores, TtlDuration) are kept.
pub fn with_record_value(input: &str, group: &str, name: Option<&str>, value: &str) -> String {
    let mut v: Value = serde_json::from_str(input).unwrap_or_else(|_| json!({}));
    if !v.is_object() {
        v = json!({});
    }
    if str_at(&v, "FeatureGroupName") != Some(group) {
        set(&mut v, "FeatureGroupName", Value::from(group));
        if name.is_none() {
            set(&mut v, "Record", json!([]));
        }
    }
    if let Some(name) = name {
        let mut record: Vec<Value> = items(&v, "Record")
            .iter()
            .filter(|f| str_at(f, "FeatureName") != Some(name))
            .cloned()
            .collect();
        if !value.is_empty() {
            record.push(json!({ "FeatureName": name, "ValueAsString": value }));
        }
        set(&mut v, "Record", Value::Array(record));
    }
    serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".to_owned())
}

/// The PutRecord form: the feature group and one field per feature, editing the input JSON.
fn record_form(doc: &Value, input: &str, on_change: Callback<String>) -> Html {
    let groups = record_groups(doc);
    if groups.is_empty() {
        return Html::default();
    }
    let current: Value = serde_json::from_str(input).unwrap_or(Value::Null);
    let group = str_at(&current, "FeatureGroupName")
        .filter(|g| groups.iter().any(|(n, _)| n == g))
        .or_else(|| groups.first().map(|(n, _)| n.as_str()))
        .unwrap_or_default()
        .to_owned();
    let features = groups
        .iter()
        .find(|(n, _)| *n == group)
        .map(|(_, f)| f.clone())
        .unwrap_or_default();
    let value_of = |name: &str| {
        items(&current, "Record")
            .iter()
            .find(|f| str_at(f, "FeatureName") == Some(name))
            .and_then(|f| str_at(f, "ValueAsString"))
            .unwrap_or("")
            .to_owned()
    };
    let on_group = {
        let on_change = on_change.clone();
        let input = input.to_owned();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                on_change.emit(with_record_value(&input, &select.value(), None, ""));
            }
        })
    };
    html! {
        <fieldset class="record-form" id="record-form">
            <legend>{ tr("Record") }</legend>
            <div class="field">
                <label for="record-group">{ tr("Feature group") }</label>
                <select id="record-group" onchange={on_group}>
                    { for groups.iter().map(|(n, _)| html! {
                        <option value={n.clone()} selected={*n == group}>{ n.clone() }</option>
                    }) }
                </select>
            </div>
            { for features.iter().enumerate().map(|(i, (name, kind))| {
                let oninput = {
                    let on_change = on_change.clone();
                    let input = input.to_owned();
                    let group = group.clone();
                    let name = name.clone();
                    Callback::from(move |e: InputEvent| {
                        if let Some(field) = e.target_dyn_into::<HtmlInputElement>() {
                            on_change.emit(with_record_value(&input, &group, Some(&name), &field.value()));
                        }
                    })
                };
                let id = format!("record-feature-{i}");
                html! {
                    <div class="field">
                        <label for={id.clone()}>{ name.clone() }{ " " }<span class="muted">{ format!("({kind})") }</span></label>
                        <input type="text" id={id} data-feature={name.clone()} value={value_of(name)} {oninput} />
                    </div>
                }
            }) }
            <p class="hint">{ tr("Each field writes the input below; an empty field leaves the feature out of the record.") }</p>
        </fieldset>
    }
}

/// [`template`], pretty-printed for the textarea.
pub fn template_text(doc: &Value, op: &str) -> String {
    serde_json::to_string_pretty(&template(doc, op)).unwrap_or_else(|_| "{}".to_owned())
}

/// The first `consoleN` id no step of the document has.
pub fn fresh_id(doc: &Value) -> String {
    let used: Vec<&str> = items(doc, "calls")
        .iter()
        .filter_map(|c| str_at(c, "id"))
        .collect();
    (1..)
        .map(|n| format!("console{n}"))
        .find(|id| !used.contains(&id.as_str()))
        .unwrap_or_default()
}

/// Why the console can't make its call (shown in the interface's language of the moment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    /// The input is not JSON (the parser's message).
    NotJson(String),
    /// The input is JSON, but not an object.
    NotObject,
    /// The scenario has no principal to call as.
    NoCaller,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotJson(e) => {
                f.write_str(&trf("The input is not JSON: {error}.", &[("error", e)]))
            }
            InputError::NotObject => f.write_str(tr("The input must be a JSON object ({ … }).")),
            InputError::NoCaller => {
                f.write_str(tr("The scenario declares no principal to call as."))
            }
        }
    }
}

/// The step for a console call; why not when the input is not a JSON object.
pub fn build_call(
    doc: &Value,
    caller: &str,
    op: &str,
    via: &str,
    input: &str,
) -> Result<Value, InputError> {
    let input: Value =
        serde_json::from_str(input).map_err(|e| InputError::NotJson(e.to_string()))?;
    if !input.is_object() {
        return Err(InputError::NotObject);
    }
    if caller.is_empty() {
        return Err(InputError::NoCaller);
    }
    let mut call = json!({ "id": fresh_id(doc), "as": caller, "op": op, "input": input });
    if op.starts_with("kms:") && !via.is_empty() {
        set(&mut call, "via", Value::from(via));
    }
    Ok(call)
}

/// Appends `call` to the open document, runs it again and opens the new call in the Calls view.
/// A document that is not a JSON object (it can't run anyway) is left as it is.
pub fn append(state: &mut ScenarioState, call: Value) {
    let mut doc = (*state.original_doc).clone();
    let Some(object) = doc.as_object_mut() else {
        return;
    };
    let calls = object
        .entry("calls")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(calls) = calls.as_array_mut() else {
        return;
    };
    calls.push(call);
    let text = doc.to_string();
    let index = call_steps(&text).len().saturating_sub(1);
    state.original = Rc::from(text);
    state.original_doc = Rc::new(doc);
    let document = state.document();
    state.rerun(&document);
    state.open_call = Some(index);
    state.view = View::Calls;
    state.share_link = None;
    state.copied = None;
}

/// Scrolls the details of call `i` (`#call-i`) into view once the page has rendered them.
pub fn scroll_to_call(i: usize) {
    use js_sys::wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let scroll = js_sys::wasm_bindgen::closure::Closure::once_into_js(move || {
        let element = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("call-{i}")));
        if let Some(element) = element {
            element.scroll_into_view();
        }
    });
    let _ =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(scroll.unchecked_ref(), 50);
}

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// The open scenario document (as opened, with earlier console calls).
    pub doc: Rc<Value>,
    /// Appends a call (see [`build_call`]) and re-runs.
    pub on_send: Callback<Value>,
}

#[derive(Clone, Debug, PartialEq)]
struct Form {
    principal: String,
    op: String,
    via: String,
    input: String,
    error: Option<InputError>,
    /// The number and id of the call "Send" appended last.
    sent: Option<(usize, String)>,
}

/// The Console panel (`#console`).
#[function_component(Console)]
pub fn console(props: &ConsoleProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let doc = Rc::clone(&props.doc);
    let form = {
        let doc = Rc::clone(&doc);
        use_state(move || Form {
            principal: String::new(),
            op: "kms:Decrypt".to_owned(),
            via: String::new(),
            input: template_text(&doc, "kms:Decrypt"),
            error: None,
            sent: None,
        })
    };
    let callers = principals(&doc);
    // The chosen caller, or the first one when the scenario changed under the form.
    let caller = if callers.contains(&form.principal) {
        form.principal.clone()
    } else {
        callers.first().cloned().unwrap_or_default()
    };
    let is_kms = form.op.starts_with("kms:");

    let update = |f: fn(&mut Form, String)| {
        let form = form.clone();
        move |value: String| {
            let mut next = (*form).clone();
            f(&mut next, value);
            form.set(next);
        }
    };
    let on_principal = {
        let set = update(|f, v| f.principal = v);
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                set(select.value());
            }
        })
    };
    let on_op = {
        let form = form.clone();
        let doc = Rc::clone(&doc);
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                let op = select.value();
                let mut next = (*form).clone();
                next.input = template_text(&doc, &op);
                next.op = op;
                next.error = None;
                form.set(next);
            }
        })
    };
    let on_via = {
        let set = update(|f, v| f.via = v);
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                set(select.value());
            }
        })
    };
    let on_input = {
        let set = update(|f, v| f.input = v);
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
                set(area.value());
            } else if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                set(input.value());
            }
        })
    };
    let on_template = {
        let form = form.clone();
        let doc = Rc::clone(&doc);
        Callback::from(move |_: MouseEvent| {
            let mut next = (*form).clone();
            next.input = template_text(&doc, &next.op);
            next.error = None;
            form.set(next);
        })
    };
    let on_send = {
        let form = form.clone();
        let doc = Rc::clone(&doc);
        let caller = caller.clone();
        let on_send = props.on_send.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*form).clone();
            match build_call(&doc, &caller, &form.op, &form.via, &form.input) {
                Ok(call) => {
                    let id = str_at(&call, "id").unwrap_or_default().to_owned();
                    let index = call_steps(&doc.to_string()).len();
                    next.error = None;
                    next.sent = Some((index + 1, id));
                    on_send.emit(call);
                    scroll_to_call(index);
                }
                Err(message) => {
                    next.error = Some(message);
                    next.sent = None;
                }
            }
            form.set(next);
        })
    };

    html! {
        <section id="console" class="inputs console" aria-label={tr("Console")}>
            <h2>{ tr("Console") }</h2>
            <p class="hint">
                { tr("Issue one more call as any principal of this scenario. Send appends it to the \
                      scenario document (a share link made afterwards carries it), runs the whole \
                      scenario again and opens the new call below. Choose the example again to drop \
                      console calls.") }
            </p>
            <div class="console-grid">
                <div class="field">
                    <label for="console-principal">{ tr("Call as") }</label>
                    <select id="console-principal" onchange={on_principal}>
                        { for callers.iter().map(|p| html! {
                            <option value={p.clone()} selected={*p == caller}>{ p.clone() }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="console-op">{ tr("Operation") }</label>
                    <select id="console-op" onchange={on_op}>
                        { for OPERATIONS.iter().map(|(service, ops)| html! {
                            <optgroup label={*service}>
                                { for ops.iter().map(|o| {
                                    let op = format!("{service}:{o}");
                                    html! {
                                        <option value={op.clone()} selected={form.op == op}>{ op.clone() }</option>
                                    }
                                }) }
                            </optgroup>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="console-via">{ tr("Via service (KMS calls)") }</label>
                    <select id="console-via" onchange={on_via} disabled={!is_kms}>
                        { for VIA.iter().map(|v| html! {
                            <option value={*v} selected={form.via == *v}>
                                { if v.is_empty() { tr("none (direct call)") } else { v } }
                            </option>
                        }) }
                    </select>
                </div>
            </div>
            if form.op == "sagemaker:PutRecord" {
                { record_form(&doc, &form.input, {
                    let set = update(|f, v| f.input = v);
                    Callback::from(move |text: String| set(text))
                }) }
            }
            <div class="field">
                <div class="label-row">
                    <label for="console-input">
                        { fill(tr("Input (JSON; {reference} reads an earlier call's output)"),
                               [("reference", html! { <code>{ "${ID.path}" }</code> })]) }
                    </label>
                    <button type="button" class="link" id="console-template" onclick={on_template}>
                        { tr("Template") }
                    </button>
                </div>
                <textarea id="console-input" spellcheck="false" rows="10"
                    value={form.input.clone()} oninput={on_input} />
            </div>
            if let Some(error) = &form.error {
                <p class="engine-error" id="console-error" role="alert">{ error.to_string() }</p>
            }
            <div class="control-row">
                <button type="button" id="console-send" class="primary" onclick={on_send}>
                    { tr("Send") }
                </button>
                if let Some((n, id)) = &form.sent {
                    <span class="hint" id="console-status" role="status">
                        { trf("Appended as call {n} (id {id}: later inputs can use ${{id}.…}).",
                              &[("n", n), ("id", id)]) }
                    </span>
                }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::run_scenario;

    fn seed() -> Value {
        let text = crate::examples::seed();
        serde_json::from_str(text).unwrap_or_default()
    }

    #[test]
    fn callers_are_the_declared_principals_with_role_sessions_and_roots() {
        let callers = principals(&seed());
        assert_eq!(
            callers.first().map(String::as_str),
            Some("arn:aws:iam::111122223333:user/featurestore-user")
        );
        assert!(callers.contains(
            &"arn:aws:sts::111122223333:assumed-role/featurestore-admin/console".to_owned()
        ));
        assert!(callers.contains(&"arn:aws:iam::444455556666:root".to_owned()));
        assert_eq!(
            caller_of("arn:aws:iam::111122223333:role/path/x"),
            "arn:aws:sts::111122223333:assumed-role/x/console"
        );
    }

    #[test]
    fn every_template_is_an_object() {
        let doc = seed();
        for (service, ops) in OPERATIONS {
            for op in ops {
                let t = template(&doc, &format!("{service}:{op}"));
                assert!(t.is_object() && t != json!({}), "{service}:{op}: {t}");
            }
            // A document without declarations still gets templates.
            for op in ops.iter().take(1) {
                assert!(template(&Value::Null, &format!("{service}:{op}")).is_object());
            }
        }
        assert_eq!(
            template(&doc, "kms:Decrypt"),
            json!({ "CiphertextBlob": "${encrypted.CiphertextBlob}",
                    "EncryptionContext": { "purpose": "demo" } })
        );
        let record = template(&doc, "sagemaker:PutRecord");
        assert_eq!(str_at(&record, "FeatureGroupName"), Some("orders"));
        assert_eq!(
            record.get("Record").and_then(Value::as_array).map(Vec::len),
            Some(4)
        );
    }

    /// The record form edits the PutRecord input: a feature set, replaced, removed when emptied; another
    /// group starts an empty record; other members stay.
    #[test]
    fn the_record_form_writes_the_input() {
        let doc = seed();
        let groups = record_groups(&doc);
        assert_eq!(groups.first().map(|(n, _)| n.as_str()), Some("orders"));
        assert_eq!(groups.first().map(|(_, f)| f.len()), Some(4));
        let input = template_text(&doc, "sagemaker:PutRecord");
        let edited = with_record_value(&input, "orders", Some("customer"), "c-99");
        let v: Value = serde_json::from_str(&edited).unwrap_or_default();
        let value = |v: &Value, name: &str| {
            items(v, "Record")
                .iter()
                .find(|f| str_at(f, "FeatureName") == Some(name))
                .and_then(|f| str_at(f, "ValueAsString"))
                .map(str::to_owned)
        };
        assert_eq!(value(&v, "customer").as_deref(), Some("c-99"));
        assert_eq!(items(&v, "Record").len(), 4);
        let cleared = with_record_value(&edited, "orders", Some("customer"), "");
        let c: Value = serde_json::from_str(&cleared).unwrap_or_default();
        assert_eq!(value(&c, "customer"), None);
        assert_eq!(items(&c, "Record").len(), 3);
        let mut with_ttl: Value = serde_json::from_str(&edited).unwrap_or_default();
        set(
            &mut with_ttl,
            "TtlDuration",
            json!({"Unit": "Days", "Value": 1}),
        );
        let other = with_record_value(&with_ttl.to_string(), "other", None, "");
        let o: Value = serde_json::from_str(&other).unwrap_or_default();
        assert_eq!(str_at(&o, "FeatureGroupName"), Some("other"));
        assert!(items(&o, "Record").is_empty());
        assert!(o.get("TtlDuration").is_some());
        // Whatever the textarea holds, the form never panics.
        assert!(with_record_value("not json", "orders", Some("x"), "1").contains("\"x\""));
        // The edited input sends and runs.
        let mut state = ScenarioState::default();
        let call = build_call(
            &state.original_doc,
            "arn:aws:iam::111122223333:user/featurestore-user",
            "sagemaker:PutRecord",
            "",
            &edited,
        );
        assert!(call.is_ok());
        append(&mut state, call.unwrap_or_default());
        assert!(state.run.outcomes().is_some());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let doc = seed();
        let caller = "arn:aws:iam::111122223333:user/featurestore-user";
        assert!(build_call(&doc, caller, "kms:Decrypt", "", "{").is_err());
        assert!(build_call(&doc, caller, "kms:Decrypt", "", "[1]").is_err());
        assert!(build_call(&doc, "", "kms:Decrypt", "", "{}").is_err());
        let call = build_call(&doc, caller, "sagemaker:GetRecord", "sagemaker", "{}");
        assert_eq!(call.ok().and_then(|c| c.get("via").cloned()), None);
    }

    /// The e2e test's console calls: a direct Decrypt is denied, the same through sagemaker works.
    #[test]
    fn appended_calls_run_and_open() {
        let mut state = ScenarioState::default();
        let caller = "arn:aws:iam::111122223333:user/featurestore-user";
        let input = template_text(&state.original_doc, "kms:Decrypt");
        for (via, want) in [("", "AccessDeniedException"), ("sagemaker", "ok")] {
            let call = build_call(&state.original_doc, caller, "kms:Decrypt", via, &input);
            assert!(call.is_ok(), "{call:?}");
            append(&mut state, call.unwrap_or_default());
            let outcomes = state.run.outcomes().unwrap_or_default();
            assert_eq!(state.open_call, Some(outcomes.len() - 1));
            assert_eq!(
                outcomes.last().map(String::as_str),
                Some(want),
                "{outcomes:?}"
            );
        }
        // Every operation's template runs (the call may fail, the scenario does not).
        let doc = Rc::clone(&state.original_doc);
        for (service, ops) in OPERATIONS {
            for op in ops {
                let op = format!("{service}:{op}");
                let call = build_call(&doc, caller, &op, "", &template_text(&doc, &op));
                let mut d = (*doc).clone();
                let calls = d.get_mut("calls").and_then(Value::as_array_mut);
                if let (Some(calls), Ok(call)) = (calls, call) {
                    calls.push(call);
                }
                assert!(run_scenario(&d.to_string()).is_ok(), "{op}");
            }
        }
    }
}
