//! The "Build" panel (Scenario tab): forms that write the scenario for you.
//!
//! Declarations (principals, keys) are patched into the document, which then runs again from the
//! start (`ScenarioMsg::ReplaceDocument`); operations (grants, key state changes, feature groups,
//! clock steps) are appended as calls after the existing ones, as the Console's are
//! (`console::append`). Everything here only builds JSON in the shapes of `docs/scenario.md`
//! (`AccountDecl`, `PrincipalDecl`, `KeyDecl`, calls `{id, as, op, input}`); what AWS would
//! answer is kmslab-core's, shown in the Calls view.

use std::rc::Rc;

use serde_json::{json, Map, Value};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::console::fresh_id;
use crate::i18n::{tr, trf};
use crate::str_at;

// ---------------------------------------------------------------------------------------------
// Reading the document

fn items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The scenario's region (`us-east-1` when it declares none).
pub fn region(doc: &Value) -> String {
    str_at(doc, "region").unwrap_or("us-east-1").to_owned()
}

/// The scenario's ARN partition (`aws` when it declares none).
pub fn partition(doc: &Value) -> String {
    str_at(doc, "partition").unwrap_or("aws").to_owned()
}

/// Feature Store's service principal in the scenario's region (`sagemaker.REGION.amazonaws.com`).
pub fn service_principal(doc: &Value) -> String {
    format!("sagemaker.{}.amazonaws.com", region(doc))
}

/// The declared account ids.
pub fn accounts(doc: &Value) -> Vec<String> {
    items(doc, "accounts")
        .iter()
        .filter_map(|a| str_at(a, "id"))
        .map(str::to_owned)
        .collect()
}

/// The declared principals' ARNs.
pub fn declared_principals(doc: &Value) -> Vec<String> {
    items(doc, "principals")
        .iter()
        .filter_map(|p| str_at(p, "arn"))
        .map(str::to_owned)
        .collect()
}

/// The declared roles' ARNs.
pub fn roles(doc: &Value) -> Vec<String> {
    declared_principals(doc)
        .into_iter()
        .filter(|arn| arn.contains(":role/"))
        .collect()
}

/// The declared buckets' names.
pub fn buckets(doc: &Value) -> Vec<String> {
    items(doc, "buckets")
        .iter()
        .filter_map(|b| str_at(b, "name"))
        .map(str::to_owned)
        .collect()
}

/// The account of an ARN (its fifth field).
pub fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// The root of the account an ARN belongs to (`arn:PARTITION:iam::ACCOUNT:root`).
pub fn root_of(arn: &str) -> String {
    let partition = arn
        .split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws");
    format!(
        "arn:{partition}:iam::{}:root",
        account_of(arn).unwrap_or_default()
    )
}

/// A key to choose in a form: its ARN and a label for people (`alias/x · key/…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyChoice {
    pub arn: String,
    pub label: String,
}

/// The customer managed keys a form may name: those of the run's final state (keys created by
/// calls included), then declared keys the state does not show (when the run failed).
pub fn key_choices(doc: &Value, result: Option<&Value>) -> Vec<KeyChoice> {
    let mut out: Vec<KeyChoice> = Vec::new();
    let state_keys = result
        .and_then(|r| r.pointer("/state/Keys"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for key in state_keys {
        let md = key.get("KeyMetadata").unwrap_or(&Value::Null);
        if str_at(md, "KeyManager") != Some("CUSTOMER") {
            continue;
        }
        let Some(arn) = str_at(md, "Arn") else {
            continue;
        };
        let alias = items(key, "Aliases").first().and_then(Value::as_str);
        out.push(KeyChoice {
            arn: arn.to_owned(),
            label: key_label(arn, alias),
        });
    }
    for key in items(doc, "keys") {
        let Some(arn) = str_at(key, "arn") else {
            continue;
        };
        if str_at(key, "keyManager").is_some_and(|m| m != "CUSTOMER")
            || out.iter().any(|k| k.arn == arn)
        {
            continue;
        }
        let alias = items(key, "aliases").first().and_then(Value::as_str);
        out.push(KeyChoice {
            arn: arn.to_owned(),
            label: key_label(arn, alias),
        });
    }
    out
}

fn key_label(arn: &str, alias: Option<&str>) -> String {
    let short = crate::views::short_resource(arn);
    match alias {
        Some(alias) => format!("{alias} · {short}"),
        None => short.to_owned(),
    }
}

/// `value` when it is one of `options`, else the first option (or empty).
fn chosen(value: &str, options: &[String]) -> String {
    if options.iter().any(|o| o == value) {
        value.to_owned()
    } else {
        options.first().cloned().unwrap_or_default()
    }
}

/// A name AWS accepts for a feature group or a feature: 1–64 ASCII letters and digits, with `-`
/// or `_` only between them.
pub fn is_aws_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let edge = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    !name.is_empty()
        && name.len() <= 64
        && edge(bytes.first())
        && edge(bytes.last())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
}

/// An IAM user or role name: 1–64 of `A–Z a–z 0–9 + = , . @ _ -`.
pub fn is_iam_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// A call step (`{id, as, op, input}`) with a fresh id.
fn call(doc: &Value, caller: &str, op: &str, input: Value) -> Value {
    json!({ "id": fresh_id(doc), "as": caller, "op": op, "input": input })
}

/// Appends `value` to the array `doc[key]` (created when missing).
fn push(doc: &mut Value, key: &str, value: Value) -> Result<(), String> {
    let object = doc
        .as_object_mut()
        .ok_or_else(|| tr("The scenario document is not a JSON object.").to_owned())?;
    let list = object
        .entry(key)
        .or_insert_with(|| Value::Array(Vec::new()));
    match list.as_array_mut() {
        Some(list) => {
            list.push(value);
            Ok(())
        }
        None => Err(tr("The scenario document is not a JSON object.").to_owned()),
    }
}

// ---------------------------------------------------------------------------------------------
// Principals

/// IAM user or role.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PrincipalKind {
    #[default]
    User,
    Role,
}

/// The identity policy a new principal gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdentityTemplate {
    #[default]
    None,
    /// Feature Store's data plane (PutRecord, GetRecord, DeleteRecord, BatchGetRecord,
    /// DescribeFeatureGroup) and `kms:Decrypt`/`kms:GenerateDataKey` through SageMaker.
    DataPlane,
    /// GetRecord, BatchGetRecord, DescribeFeatureGroup and `kms:Decrypt` through SageMaker.
    ReadOnly,
}

impl IdentityTemplate {
    pub const ALL: [IdentityTemplate; 3] = [
        IdentityTemplate::None,
        IdentityTemplate::DataPlane,
        IdentityTemplate::ReadOnly,
    ];

    fn slug(self) -> &'static str {
        match self {
            IdentityTemplate::None => "none",
            IdentityTemplate::DataPlane => "data-plane",
            IdentityTemplate::ReadOnly => "read-only",
        }
    }

    fn label(self) -> &'static str {
        match self {
            IdentityTemplate::None => tr("None"),
            IdentityTemplate::DataPlane => tr("Feature Store data-plane access"),
            IdentityTemplate::ReadOnly => tr("Feature Store read-only access"),
        }
    }

    /// The named identity policy, for a principal of `account`.
    pub fn policy(self, doc: &Value, account: &str) -> Option<Value> {
        let groups = format!(
            "arn:{}:sagemaker:{}:{account}:feature-group/*",
            partition(doc),
            region(doc)
        );
        let (name, actions, kms): (&str, &[&str], &[&str]) = match self {
            IdentityTemplate::None => return None,
            IdentityTemplate::DataPlane => (
                "FeatureStoreDataPlane",
                &[
                    "sagemaker:DescribeFeatureGroup",
                    "sagemaker:PutRecord",
                    "sagemaker:GetRecord",
                    "sagemaker:DeleteRecord",
                    "sagemaker:BatchGetRecord",
                ],
                &["kms:Decrypt", "kms:GenerateDataKey"],
            ),
            IdentityTemplate::ReadOnly => (
                "FeatureStoreReadOnly",
                &[
                    "sagemaker:DescribeFeatureGroup",
                    "sagemaker:GetRecord",
                    "sagemaker:BatchGetRecord",
                ],
                &["kms:Decrypt"],
            ),
        };
        Some(json!({
            "name": name,
            "document": {
                "Version": "2012-10-17",
                "Statement": [
                    { "Sid": "FeatureGroups", "Effect": "Allow", "Action": actions, "Resource": groups },
                    { "Sid": "KmsThroughFeatureStore", "Effect": "Allow", "Action": kms, "Resource": "*",
                      "Condition": { "StringLike": { "kms:ViaService": "sagemaker.*.amazonaws.com" } } }
                ]
            }
        }))
    }
}

/// What the "Add a principal" form holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrincipalForm {
    pub account: String,
    pub kind: PrincipalKind,
    pub name: String,
    pub template: IdentityTemplate,
}

impl PrincipalForm {
    /// The ARN the form declares.
    pub fn arn(&self, doc: &Value) -> String {
        let kind = match self.kind {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
        };
        format!(
            "arn:{}:iam::{}:{kind}/{}",
            partition(doc),
            self.account,
            self.name.trim()
        )
    }
}

/// The document with one more principal (`{arn, policies}`), or why not.
pub fn add_principal(doc: &Value, form: &PrincipalForm) -> Result<Value, String> {
    if !accounts(doc).contains(&form.account) {
        return Err(tr("Choose one of the scenario's accounts.").to_owned());
    }
    let name = form.name.trim();
    if !is_iam_name(name) {
        return Err(
            tr("The name must be 1–64 letters, digits or + = , . @ _ - characters.").to_owned(),
        );
    }
    let arn = form.arn(doc);
    if declared_principals(doc).contains(&arn) {
        return Err(trf("{arn} is already declared.", &[("arn", &arn)]));
    }
    let policies: Vec<Value> = form
        .template
        .policy(doc, &form.account)
        .into_iter()
        .collect();
    let mut next = doc.clone();
    push(
        &mut next,
        "principals",
        json!({ "arn": arn, "policies": policies }),
    )?;
    Ok(next)
}

/// The document without the declared principal `arn`, or why not.
pub fn remove_principal(doc: &Value, arn: &str) -> Result<Value, String> {
    let mut next = doc.clone();
    let list = next
        .get_mut("principals")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| tr("The scenario declares no principals.").to_owned())?;
    let before = list.len();
    list.retain(|p| str_at(p, "arn") != Some(arn));
    if list.len() == before {
        return Err(trf("{arn} is not declared.", &[("arn", &arn)]));
    }
    Ok(next)
}

// ---------------------------------------------------------------------------------------------
// Keys

/// The key specs offered: the one Feature Store accepts, and an asymmetric one it rejects.
pub const KEY_SPECS: [&str; 2] = ["SYMMETRIC_DEFAULT", "RSA_2048"];

/// The key policy a new key gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyPolicyTemplate {
    /// KMS's default key policy: the account root gets `kms:*` (delegation to IAM).
    #[default]
    RootOnly,
    /// A copy of the first declared key's policy.
    CopyFirst,
}

/// What the "Add a customer managed key" form holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyForm {
    pub account: String,
    /// `alias/NAME` or `NAME`; empty: no alias.
    pub alias: String,
    pub spec: String,
    pub description: String,
    pub policy: KeyPolicyTemplate,
}

/// FNV-1a, 64 bits.
fn fnv(text: &str, seed: u64) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325 ^ seed, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A key id shaped like KMS's (a version-4 UUID), derived from `text` so the same form gives the
/// same id (scenarios stay reproducible).
fn key_id(text: &str) -> String {
    let a = fnv(text, 1);
    let b = fnv(text, 2);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// The alias a form's text stands for (`alias/` added when missing); `None` for no alias.
fn alias_name(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(if text.starts_with("alias/") {
        text.to_owned()
    } else {
        format!("alias/{text}")
    })
}

/// The document with one more customer managed key, and the new key's ARN; or why not.
pub fn add_key(doc: &Value, form: &KeyForm) -> Result<(Value, String), String> {
    if !accounts(doc).contains(&form.account) {
        return Err(tr("Choose one of the scenario's accounts.").to_owned());
    }
    if !KEY_SPECS.contains(&form.spec.as_str()) {
        return Err(tr("Choose a key spec.").to_owned());
    }
    let alias = alias_name(&form.alias);
    if let Some(alias) = &alias {
        let name = alias.trim_start_matches("alias/");
        let valid = !name.is_empty()
            && alias.len() <= 256
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b));
        if !valid {
            return Err(tr(
                "An alias is alias/ followed by letters, digits, / _ or - (up to 256 characters).",
            )
            .to_owned());
        }
        if name.starts_with("aws/") {
            return Err(tr(
                "Aliases that begin with alias/aws/ are reserved for AWS managed keys.",
            )
            .to_owned());
        }
        let taken = items(doc, "keys").iter().any(|k| {
            str_at(k, "arn").and_then(account_of) == Some(form.account.as_str())
                && items(k, "aliases")
                    .iter()
                    .any(|a| a.as_str() == Some(alias.as_str()))
        });
        if taken {
            return Err(trf(
                "{alias} already names a key of this account.",
                &[("alias", alias)],
            ));
        }
    }
    let existing: Vec<String> = items(doc, "keys")
        .iter()
        .filter_map(|k| str_at(k, "arn"))
        .map(str::to_owned)
        .collect();
    let prefix = format!(
        "arn:{}:kms:{}:{}:key/",
        partition(doc),
        region(doc),
        form.account
    );
    let arn = (0..)
        .map(|n| {
            let seed = format!("{}|{}|{}|{n}", form.account, form.alias, existing.len());
            format!("{prefix}{}", key_id(&seed))
        })
        .find(|arn| !existing.contains(arn))
        .unwrap_or_default();
    let policy = match form.policy {
        KeyPolicyTemplate::RootOnly => None,
        KeyPolicyTemplate::CopyFirst => items(doc, "keys")
            .first()
            .and_then(|k| k.get("policy"))
            .filter(|p| !p.is_null())
            .cloned(),
    };
    let policy = policy.unwrap_or_else(|| {
        Value::from(kmslab_core::kms::service::default_key_policy(
            &partition(doc),
            &form.account,
        ))
    });
    let mut key = Map::new();
    key.insert("arn".to_owned(), Value::from(arn.clone()));
    let description = form.description.trim();
    if !description.is_empty() {
        key.insert("description".to_owned(), Value::from(description));
    }
    key.insert("keySpec".to_owned(), Value::from(form.spec.clone()));
    key.insert("policy".to_owned(), policy);
    if let Some(alias) = alias {
        key.insert("aliases".to_owned(), json!([alias]));
    }
    let mut next = doc.clone();
    push(&mut next, "keys", Value::Object(key))?;
    Ok((next, arn))
}

/// A change of a key's state, made by the key's account root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
    Disable,
    Enable,
    ScheduleDeletion,
    CancelDeletion,
}

impl KeyAction {
    /// The KMS operation (`kms:DisableKey`, …).
    pub fn op(self) -> &'static str {
        match self {
            KeyAction::Disable => "kms:DisableKey",
            KeyAction::Enable => "kms:EnableKey",
            KeyAction::ScheduleDeletion => "kms:ScheduleKeyDeletion",
            KeyAction::CancelDeletion => "kms:CancelKeyDeletion",
        }
    }

    /// Used in element ids (`key-disable-0`).
    pub fn slug(self) -> &'static str {
        match self {
            KeyAction::Disable => "disable",
            KeyAction::Enable => "enable",
            KeyAction::ScheduleDeletion => "schedule-deletion",
            KeyAction::CancelDeletion => "cancel-deletion",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KeyAction::Disable => tr("Disable key"),
            KeyAction::Enable => tr("Enable key"),
            KeyAction::ScheduleDeletion => tr("Schedule deletion (7 days)"),
            KeyAction::CancelDeletion => tr("Cancel deletion"),
        }
    }

    /// The actions that make sense for a key in `state` (`Enabled`, `Disabled`, `PendingDeletion`, …).
    pub fn for_state(state: &str) -> Vec<KeyAction> {
        match state {
            "Enabled" => vec![KeyAction::Disable, KeyAction::ScheduleDeletion],
            "Disabled" => vec![KeyAction::Enable, KeyAction::ScheduleDeletion],
            "PendingDeletion" => vec![KeyAction::CancelDeletion],
            _ => Vec::new(),
        }
    }
}

/// The call for a key state change, as the key's account root.
pub fn key_action_call(doc: &Value, key_arn: &str, action: KeyAction) -> Value {
    let input = match action {
        KeyAction::ScheduleDeletion => json!({ "KeyId": key_arn, "PendingWindowInDays": 7 }),
        _ => json!({ "KeyId": key_arn }),
    };
    call(doc, &root_of(key_arn), action.op(), input)
}

// ---------------------------------------------------------------------------------------------
// Grants

/// The grant operations offered in the form (KMS's list has more; these are the ones for
/// symmetric encryption keys and grant management).
pub const GRANT_OPERATIONS: [&str; 9] = [
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "DescribeKey",
    "CreateGrant",
    "RetireGrant",
];

/// What the "Create a grant" form holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantForm {
    pub key: String,
    /// Empty: the key's account root.
    pub caller: String,
    pub grantee: String,
    pub operations: Vec<String>,
    pub context_key: String,
    pub context_value: String,
    /// Empty: none.
    pub retiring: String,
}

impl Default for GrantForm {
    fn default() -> Self {
        GrantForm {
            key: String::new(),
            caller: String::new(),
            grantee: String::new(),
            operations: ["Decrypt", "Encrypt", "GenerateDataKey"]
                .map(str::to_owned)
                .to_vec(),
            context_key: String::new(),
            context_value: String::new(),
            retiring: String::new(),
        }
    }
}

/// The principals a grant may be for: the declared ones, then Feature Store's service principal.
pub fn grantees(doc: &Value) -> Vec<String> {
    let mut out = declared_principals(doc);
    out.push(service_principal(doc));
    out
}

/// The `kms:CreateGrant` call of the form, or why not.
pub fn grant_call(doc: &Value, form: &GrantForm) -> Result<Value, String> {
    if form.key.is_empty() {
        return Err(tr("Choose a key.").to_owned());
    }
    if form.grantee.trim().is_empty() {
        return Err(tr("Choose a grantee principal.").to_owned());
    }
    if form.operations.is_empty() {
        return Err(tr("Choose at least one operation.").to_owned());
    }
    let (k, v) = (form.context_key.trim(), form.context_value.trim());
    if k.is_empty() != v.is_empty() {
        return Err(
            tr("An encryption context constraint needs both a key and a value.").to_owned(),
        );
    }
    let operations: Vec<&str> = GRANT_OPERATIONS
        .iter()
        .copied()
        .filter(|op| form.operations.iter().any(|o| o == op))
        .collect();
    let mut input = json!({
        "KeyId": form.key,
        "GranteePrincipal": form.grantee.trim(),
        "Operations": operations,
    });
    if let Some(object) = input.as_object_mut() {
        if !k.is_empty() {
            object.insert(
                "Constraints".to_owned(),
                json!({ "EncryptionContextSubset": { k: v } }),
            );
        }
        if !form.retiring.is_empty() {
            object.insert(
                "RetiringPrincipal".to_owned(),
                Value::from(form.retiring.clone()),
            );
        }
    }
    let caller = if form.caller.is_empty() {
        root_of(&form.key)
    } else {
        form.caller.clone()
    };
    Ok(call(doc, &caller, "kms:CreateGrant", input))
}

/// How a later call should name the grant `grant_id` of a run: a reference to the output of the
/// call that returned it (`${ID.GrantId}` of a CreateGrant, `${ID.Grants.N.GrantId}` of a
/// ListGrants, the latest such call that has an id), else the id itself. A reference keeps naming
/// the same grant when the document changes before it and the generated ids with it (a new key
/// declaration draws from the scenario's seeded randomness too).
pub fn grant_id_value(result: &Value, grant_id: &str) -> String {
    let calls = items(result, "calls");
    calls
        .iter()
        .rev()
        .find_map(|c| {
            let id = str_at(c, "id")?;
            let output = c.get("output")?;
            match str_at(c, "op")? {
                "kms:CreateGrant" if str_at(output, "GrantId") == Some(grant_id) => {
                    Some(format!("${{{id}.GrantId}}"))
                }
                "kms:ListGrants" => items(output, "Grants")
                    .iter()
                    .position(|g| str_at(g, "GrantId") == Some(grant_id))
                    .map(|n| format!("${{{id}.Grants.{n}.GrantId}}")),
                _ => None,
            }
        })
        .unwrap_or_else(|| grant_id.to_owned())
}

/// `kms:RevokeGrant` (`retire` false) or `kms:RetireGrant` of one grant of a key, as `caller`
/// (empty: the key's account root); `grant_id` as [`grant_id_value`] gives it.
pub fn grant_removal_call(
    doc: &Value,
    key_arn: &str,
    grant_id: &str,
    caller: &str,
    retire: bool,
) -> Value {
    let caller = if caller.is_empty() {
        root_of(key_arn)
    } else {
        caller.to_owned()
    };
    let op = if retire {
        "kms:RetireGrant"
    } else {
        "kms:RevokeGrant"
    };
    call(
        doc,
        &caller,
        op,
        json!({ "KeyId": key_arn, "GrantId": grant_id }),
    )
}

// ---------------------------------------------------------------------------------------------
// Feature groups

/// Feature Store's feature types.
pub const FEATURE_TYPES: [&str; 3] = ["String", "Integral", "Fractional"];

/// What the CreateFeatureGroup builder holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupForm {
    pub caller: String,
    pub name: String,
    pub record_id: String,
    pub record_id_type: String,
    pub event_time: String,
    pub event_time_type: String,
    /// More features: `(name, type)`.
    pub features: Vec<(String, String)>,
    pub online: bool,
    /// Empty: an AWS owned key.
    pub online_key: String,
    pub offline: bool,
    pub bucket: String,
    pub prefix: String,
    pub role: String,
    /// Empty: the bucket's default key.
    pub offline_key: String,
}

impl Default for GroupForm {
    fn default() -> Self {
        GroupForm {
            caller: String::new(),
            name: String::new(),
            record_id: "record_id".to_owned(),
            record_id_type: "String".to_owned(),
            event_time: "event_time".to_owned(),
            event_time_type: "Fractional".to_owned(),
            features: Vec::new(),
            online: true,
            online_key: String::new(),
            offline: false,
            bucket: String::new(),
            prefix: String::new(),
            role: String::new(),
            offline_key: String::new(),
        }
    }
}

/// The `sagemaker:CreateFeatureGroup` call of the builder, or why not.
pub fn feature_group_call(doc: &Value, form: &GroupForm) -> Result<Value, String> {
    if form.caller.is_empty() {
        return Err(tr("Choose who creates the feature group.").to_owned());
    }
    let name = form.name.trim();
    if !is_aws_name(name) {
        return Err(tr(
            "The feature group name must be 1–64 letters or digits, with - or _ only between them.",
        )
        .to_owned());
    }
    let mut definitions: Vec<(String, String)> = vec![
        (
            form.record_id.trim().to_owned(),
            form.record_id_type.clone(),
        ),
        (
            form.event_time.trim().to_owned(),
            form.event_time_type.clone(),
        ),
    ];
    definitions.extend(
        form.features
            .iter()
            .map(|(n, t)| (n.trim().to_owned(), t.clone())),
    );
    for (n, t) in &definitions {
        if !is_aws_name(n) {
            return Err(trf(
                "Feature name “{name}” is not valid: 1–64 letters or digits, with - or _ only between them.",
                &[("name", n)],
            ));
        }
        if !FEATURE_TYPES.contains(&t.as_str()) {
            return Err(trf("Choose a type for feature “{name}”.", &[("name", n)]));
        }
    }
    for (i, (n, _)) in definitions.iter().enumerate() {
        if definitions
            .iter()
            .skip(i + 1)
            .any(|(m, _)| m.eq_ignore_ascii_case(n))
        {
            return Err(trf("Feature “{name}” is defined twice.", &[("name", n)]));
        }
    }
    if !form.online && !form.offline {
        return Err(tr("Enable the online store, the offline store or both.").to_owned());
    }
    let mut input = Map::new();
    input.insert("FeatureGroupName".to_owned(), Value::from(name));
    input.insert(
        "RecordIdentifierFeatureName".to_owned(),
        Value::from(form.record_id.trim()),
    );
    input.insert(
        "EventTimeFeatureName".to_owned(),
        Value::from(form.event_time.trim()),
    );
    input.insert(
        "FeatureDefinitions".to_owned(),
        Value::Array(
            definitions
                .iter()
                .map(|(n, t)| json!({ "FeatureName": n, "FeatureType": t }))
                .collect(),
        ),
    );
    if form.online {
        let mut config = json!({ "EnableOnlineStore": true });
        if !form.online_key.is_empty() {
            if let Some(object) = config.as_object_mut() {
                object.insert(
                    "SecurityConfig".to_owned(),
                    json!({ "KmsKeyId": form.online_key }),
                );
            }
        }
        input.insert("OnlineStoreConfig".to_owned(), config);
    }
    if form.offline {
        if form.bucket.is_empty() {
            return Err(
                tr("The offline store needs a bucket: declare one in the scenario.").to_owned(),
            );
        }
        if form.role.is_empty() {
            return Err(tr("The offline store needs a role Feature Store assumes to write to the bucket: add a role.").to_owned());
        }
        let prefix = form.prefix.trim().trim_matches('/');
        let uri = if prefix.is_empty() {
            format!("s3://{}", form.bucket)
        } else {
            format!("s3://{}/{prefix}", form.bucket)
        };
        let mut storage = json!({ "S3Uri": uri });
        if !form.offline_key.is_empty() {
            if let Some(object) = storage.as_object_mut() {
                object.insert("KmsKeyId".to_owned(), Value::from(form.offline_key.clone()));
            }
        }
        input.insert(
            "OfflineStoreConfig".to_owned(),
            json!({ "S3StorageConfig": storage }),
        );
        input.insert("RoleArn".to_owned(), Value::from(form.role.clone()));
    }
    Ok(call(
        doc,
        &form.caller,
        "sagemaker:CreateFeatureGroup",
        Value::Object(input),
    ))
}

// ---------------------------------------------------------------------------------------------
// Clock

/// The clock steps offered (`docs/scenario.md`, "Clock steps").
pub const CLOCK_STEPS: [&str; 6] = ["1m", "2m", "10m", "1h", "1d", "7d"];

/// A clock step.
pub fn clock_step(duration: &str) -> Value {
    json!({ "clock": duration })
}

// ---------------------------------------------------------------------------------------------
// Components

/// Props of the Build panel and its forms.
#[derive(Properties, PartialEq, Clone)]
pub struct BuildProps {
    /// The open document, with the editors' policies.
    pub doc: Rc<Value>,
    /// The last run's result (`None` when the document did not run).
    pub result: Option<Rc<Value>>,
    /// Opens this document (declarations changed) and runs it.
    pub on_replace: Callback<String>,
    /// Appends this step and runs the document.
    pub on_call: Callback<Value>,
}

/// A callback that sets a field of the form in `state` from a text input.
pub(crate) fn on_text<F: Clone + 'static>(
    state: &UseStateHandle<F>,
    set: fn(&mut F, String),
) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            let mut next = (*state).clone();
            set(&mut next, input.value());
            state.set(next);
        }
    })
}

/// A callback that sets a field of the form in `state` from a select.
pub(crate) fn on_pick<F: Clone + 'static>(
    state: &UseStateHandle<F>,
    set: fn(&mut F, String),
) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| {
        if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
            let mut next = (*state).clone();
            set(&mut next, select.value());
            state.set(next);
        }
    })
}

/// A callback that sets a field of the form in `state` from a checkbox.
fn on_check<F: Clone + 'static>(
    state: &UseStateHandle<F>,
    set: fn(&mut F, bool),
) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            let mut next = (*state).clone();
            set(&mut next, input.checked());
            state.set(next);
        }
    })
}

/// `<option>`s of `values` (shown as `label(value)`), `current` selected.
fn options(values: &[String], current: &str, label: impl Fn(&str) -> String) -> Html {
    html! {
        { for values.iter().map(|v| html! {
            <option value={v.clone()} selected={v == current}>{ label(v) }</option>
        }) }
    }
}

/// The form's error (`role="alert"`) or its last success note (`role="status"`).
fn feedback(id: &str, outcome: &Option<Result<String, String>>) -> Html {
    match outcome {
        Some(Err(message)) => html! {
            <p class="engine-error form-error" id={format!("{id}-error")} role="alert">{ message.clone() }</p>
        },
        Some(Ok(message)) => html! {
            <p class="hint form-status" id={format!("{id}-status")} role="status">{ message.clone() }</p>
        },
        None => html! {},
    }
}

/// The Build panel (`#build`).
#[function_component(Build)]
pub fn build(props: &BuildProps) -> Html {
    let _lang = crate::i18n::use_lang();
    html! {
        <section id="build" class="inputs build" aria-labelledby="build-title">
            <h2 id="build-title">{ tr("Build") }</h2>
            <p class="hint">
                { tr("Forms that write the scenario for you. Principals and keys are declarations: adding or removing one changes the document and runs it again from the start. Grants, key state changes, feature groups and clock steps are operations: they are appended as calls after the existing ones, like the Console's, and the new call opens in the Calls view. Choose the example again to drop everything built here.") }
            </p>
            <details class="build-form" id="build-principals">
                <summary>{ tr("Principals: add an IAM user or role, or remove one") }</summary>
                <PrincipalsPanel ..props.clone() />
            </details>
            <details class="build-form" id="build-keys">
                <summary>{ tr("Keys: add a customer managed key") }</summary>
                <KeysPanel ..props.clone() />
            </details>
            <details class="build-form" id="build-grants">
                <summary>{ tr("Grants: create a grant") }</summary>
                <GrantsPanel ..props.clone() />
            </details>
            <details class="build-form" id="build-groups">
                <summary>{ tr("Feature groups: CreateFeatureGroup") }</summary>
                <GroupPanel ..props.clone() />
            </details>
            <details class="build-form" id="build-clock">
                <summary>{ tr("Clock: advance the simulated clock") }</summary>
                <ClockPanel ..props.clone() />
            </details>
        </section>
    }
}

#[function_component(PrincipalsPanel)]
fn principals_form(props: &BuildProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let form = use_state(PrincipalForm::default);
    let outcome = use_state(|| None::<Result<String, String>>);
    let removing = use_state(String::new);
    let doc = &props.doc;
    let account_ids = accounts(doc);
    let account = chosen(&form.account, &account_ids);
    let declared = declared_principals(doc);
    let to_remove = chosen(&removing, &declared);
    let account_name = |id: &str| {
        items(doc, "accounts")
            .iter()
            .find(|a| str_at(a, "id") == Some(id))
            .and_then(|a| str_at(a, "name"))
            .map_or_else(|| id.to_owned(), |n| format!("{id} ({n})"))
    };

    let on_add = {
        let (form, outcome, doc, on_replace) = (
            form.clone(),
            outcome.clone(),
            Rc::clone(doc),
            props.on_replace.clone(),
        );
        let account = account.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut f = (*form).clone();
            f.account = account.clone();
            match add_principal(&doc, &f) {
                Ok(next) => {
                    outcome.set(Some(Ok(trf(
                        "Declared {arn}; the scenario ran again.",
                        &[("arn", &f.arn(&doc))],
                    ))));
                    form.set(PrincipalForm {
                        account: f.account,
                        ..PrincipalForm::default()
                    });
                    on_replace.emit(next.to_string());
                }
                Err(message) => outcome.set(Some(Err(message))),
            }
        })
    };
    let on_remove = {
        let (outcome, doc, on_replace) =
            (outcome.clone(), Rc::clone(doc), props.on_replace.clone());
        let arn = to_remove.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match remove_principal(&doc, &arn) {
                Ok(next) => {
                    outcome.set(Some(Ok(trf(
                        "Removed {arn}; the scenario ran again.",
                        &[("arn", &arn)],
                    ))));
                    on_replace.emit(next.to_string());
                }
                Err(message) => outcome.set(Some(Err(message))),
            }
        })
    };
    let kind_value = match form.kind {
        PrincipalKind::User => "user",
        PrincipalKind::Role => "role",
    };
    html! {
        <>
            <form class="build-grid" id="principal-form" onsubmit={on_add} novalidate=true>
                <div class="field">
                    <label for="principal-account">{ tr("Account") }</label>
                    <select id="principal-account" onchange={on_pick(&form, |f, v| f.account = v)}>
                        { options(&account_ids, &account, account_name) }
                    </select>
                </div>
                <div class="field">
                    <label for="principal-kind">{ tr("Type") }</label>
                    <select id="principal-kind" onchange={on_pick(&form, |f, v| {
                        f.kind = if v == "role" { PrincipalKind::Role } else { PrincipalKind::User };
                    })}>
                        <option value="user" selected={kind_value == "user"}>{ tr("IAM user") }</option>
                        <option value="role" selected={kind_value == "role"}>{ tr("IAM role") }</option>
                    </select>
                </div>
                <div class="field">
                    <label for="principal-name">{ tr("Name") }</label>
                    <input type="text" id="principal-name" value={form.name.clone()} autocomplete="off"
                        placeholder={tr("e.g. analyst")} required=true
                        oninput={on_text(&form, |f, v| f.name = v)} />
                </div>
                <div class="field">
                    <label for="principal-policy">{ tr("Identity policy") }</label>
                    <select id="principal-policy" onchange={on_pick(&form, |f, v| {
                        f.template = IdentityTemplate::ALL.into_iter().find(|t| t.slug() == v).unwrap_or_default();
                    })}>
                        { for IdentityTemplate::ALL.into_iter().map(|t| html! {
                            <option value={t.slug()} selected={form.template == t}>{ t.label() }</option>
                        }) }
                    </select>
                </div>
                <div class="form-actions">
                    <button type="submit" id="principal-add" class="primary">{ tr("Add principal") }</button>
                </div>
            </form>
            <form class="build-grid" id="principal-remove-form" onsubmit={on_remove}>
                <div class="field wide">
                    <label for="principal-remove">{ tr("Declared principal") }</label>
                    <select id="principal-remove" onchange={{
                        let removing = removing.clone();
                        Callback::from(move |e: Event| {
                            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                                removing.set(select.value());
                            }
                        })
                    }}>
                        { options(&declared, &to_remove, str::to_owned) }
                    </select>
                </div>
                <div class="form-actions">
                    <button type="submit" id="principal-remove-submit" class="secondary"
                        disabled={declared.is_empty()}>
                        { tr("Remove principal") }
                    </button>
                </div>
            </form>
            <p class="hint">
                { tr("A key policy may name only declared principals of declared accounts (PutKeyPolicy and CreateKey check it); calls as a removed principal still run, with no identity policies.") }
            </p>
            { feedback("principal-form", &outcome) }
        </>
    }
}

#[function_component(KeysPanel)]
fn keys_form(props: &BuildProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let form = use_state(|| KeyForm {
        spec: "SYMMETRIC_DEFAULT".to_owned(),
        ..KeyForm::default()
    });
    let outcome = use_state(|| None::<Result<String, String>>);
    let doc = &props.doc;
    let account_ids = accounts(doc);
    let account = chosen(&form.account, &account_ids);
    let first_key = items(doc, "keys").first().and_then(|k| str_at(k, "arn"));
    let on_submit = {
        let (form, outcome, doc, on_replace) = (
            form.clone(),
            outcome.clone(),
            Rc::clone(doc),
            props.on_replace.clone(),
        );
        let account = account.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut f = (*form).clone();
            f.account = account.clone();
            match add_key(&doc, &f) {
                Ok((next, arn)) => {
                    outcome.set(Some(Ok(trf(
                        "Declared the key {arn}; the scenario ran again.",
                        &[("arn", &arn)],
                    ))));
                    form.set(KeyForm {
                        account: f.account,
                        spec: f.spec,
                        ..KeyForm::default()
                    });
                    on_replace.emit(next.to_string());
                }
                Err(message) => outcome.set(Some(Err(message))),
            }
        })
    };
    let specs: Vec<String> = KEY_SPECS.map(str::to_owned).to_vec();
    html! {
        <>
            <form class="build-grid" id="key-form" onsubmit={on_submit} novalidate=true>
                <div class="field">
                    <label for="key-account">{ tr("Account") }</label>
                    <select id="key-account" onchange={on_pick(&form, |f, v| f.account = v)}>
                        { options(&account_ids, &account, str::to_owned) }
                    </select>
                </div>
                <div class="field">
                    <label for="key-alias">{ tr("Alias (optional)") }</label>
                    <input type="text" id="key-alias" value={form.alias.clone()} autocomplete="off"
                        placeholder="alias/orders" oninput={on_text(&form, |f, v| f.alias = v)} />
                </div>
                <div class="field">
                    <label for="key-spec">{ tr("Key spec") }</label>
                    <select id="key-spec" onchange={on_pick(&form, |f, v| f.spec = v)}>
                        { options(&specs, &form.spec, |s| if s == "SYMMETRIC_DEFAULT" {
                            format!("{s} — {}", tr("symmetric (Feature Store accepts it)"))
                        } else {
                            format!("{s} — {}", tr("asymmetric (CreateFeatureGroup rejects it)"))
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="key-description">{ tr("Description") }</label>
                    <input type="text" id="key-description" value={form.description.clone()} autocomplete="off"
                        oninput={on_text(&form, |f, v| f.description = v)} />
                </div>
                <div class="field wide">
                    <label for="key-policy-template">{ tr("Key policy") }</label>
                    <select id="key-policy-template" onchange={on_pick(&form, |f, v| {
                        f.policy = if v == "copy" { KeyPolicyTemplate::CopyFirst } else { KeyPolicyTemplate::RootOnly };
                    })}>
                        <option value="root" selected={form.policy == KeyPolicyTemplate::RootOnly}>
                            { tr("Account root only (KMS's default key policy)") }
                        </option>
                        if let Some(first) = first_key {
                            <option value="copy" selected={form.policy == KeyPolicyTemplate::CopyFirst}>
                                { trf("A copy of the policy of {key}", &[("key", &crate::views::short_resource(first))]) }
                            </option>
                        }
                    </select>
                </div>
                <div class="form-actions">
                    <button type="submit" id="key-add" class="primary">{ tr("Add key") }</button>
                </div>
            </form>
            <p class="hint">
                { tr("A declared key skips CreateKey's checks. Its policy appears in the Policies view; enable, disable or schedule its deletion in the Keys & grants view.") }
            </p>
            { feedback("key-form", &outcome) }
        </>
    }
}

#[function_component(GrantsPanel)]
fn grants_form(props: &BuildProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let form = use_state(GrantForm::default);
    let outcome = use_state(|| None::<Result<String, String>>);
    let doc = &props.doc;
    let keys = key_choices(doc, props.result.as_deref());
    let key_arns: Vec<String> = keys.iter().map(|k| k.arn.clone()).collect();
    let key = chosen(&form.key, &key_arns);
    let callers = crate::console::principals(doc);
    let grantee_list = grantees(doc);
    let grantee = chosen(&form.grantee, &grantee_list);
    let retiring_list = grantees(doc);
    let on_submit = {
        let (form, outcome, doc, on_call) = (
            form.clone(),
            outcome.clone(),
            Rc::clone(doc),
            props.on_call.clone(),
        );
        let (key, grantee) = (key.clone(), grantee.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut f = (*form).clone();
            f.key = key.clone();
            f.grantee = grantee.clone();
            match grant_call(&doc, &f) {
                Ok(step) => {
                    outcome.set(Some(Ok(tr(
                        "Appended kms:CreateGrant; see the Calls view, then Keys & grants.",
                    )
                    .to_owned())));
                    on_call.emit(step);
                }
                Err(message) => outcome.set(Some(Err(message))),
            }
        })
    };
    let toggle = |op: &'static str| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let mut next = (*form).clone();
                next.operations.retain(|o| o != op);
                if input.checked() {
                    next.operations.push(op.to_owned());
                }
                form.set(next);
            }
        })
    };
    let root = if key.is_empty() {
        tr("the key's account root").to_owned()
    } else {
        trf(
            "the key's account root ({root})",
            &[("root", &root_of(&key))],
        )
    };
    html! {
        <>
            <form class="build-grid" id="grant-form" onsubmit={on_submit} novalidate=true>
                <div class="field wide">
                    <label for="grant-key">{ tr("Key") }</label>
                    <select id="grant-key" onchange={on_pick(&form, |f, v| f.key = v)}>
                        { for keys.iter().map(|k| html! {
                            <option value={k.arn.clone()} selected={k.arn == key}>{ k.label.clone() }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="grant-caller">{ tr("Call as") }</label>
                    <select id="grant-caller" onchange={on_pick(&form, |f, v| f.caller = v)}>
                        <option value="" selected={form.caller.is_empty()}>{ root }</option>
                        { for callers.iter().map(|c| html! {
                            <option value={c.clone()} selected={*c == form.caller}>{ c.clone() }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="grant-grantee">{ tr("Grantee principal") }</label>
                    <select id="grant-grantee" onchange={on_pick(&form, |f, v| f.grantee = v)}>
                        { options(&grantee_list, &grantee, str::to_owned) }
                    </select>
                </div>
                <fieldset class="field wide operations">
                    <legend>{ tr("Operations") }</legend>
                    { for GRANT_OPERATIONS.iter().map(|op| {
                        let id = format!("grant-op-{op}");
                        html! {
                            <span class="checkbox">
                                <input type="checkbox" id={id.clone()} value={*op}
                                    checked={form.operations.iter().any(|o| o == op)}
                                    onchange={toggle(op)} />
                                <label for={id}>{ *op }</label>
                            </span>
                        }
                    }) }
                </fieldset>
                <div class="field">
                    <label for="grant-context-key">{ tr("Encryption context subset: key (optional)") }</label>
                    <input type="text" id="grant-context-key" value={form.context_key.clone()} autocomplete="off"
                        placeholder="aws:sagemaker:feature-group-arn"
                        oninput={on_text(&form, |f, v| f.context_key = v)} />
                </div>
                <div class="field">
                    <label for="grant-context-value">{ tr("Encryption context subset: value") }</label>
                    <input type="text" id="grant-context-value" value={form.context_value.clone()} autocomplete="off"
                        oninput={on_text(&form, |f, v| f.context_value = v)} />
                </div>
                <div class="field">
                    <label for="grant-retiring">{ tr("Retiring principal (optional)") }</label>
                    <select id="grant-retiring" onchange={on_pick(&form, |f, v| f.retiring = v)}>
                        <option value="" selected={form.retiring.is_empty()}>{ tr("none") }</option>
                        { for retiring_list.iter().map(|p| html! {
                            <option value={p.clone()} selected={*p == form.retiring}>{ p.clone() }</option>
                        }) }
                    </select>
                </div>
                <div class="form-actions">
                    <button type="submit" id="grant-create" class="primary" disabled={keys.is_empty()}>
                        { tr("Create grant") }
                    </button>
                </div>
            </form>
            <p class="hint">
                { tr("A new grant takes effect everywhere after the scenario's grant propagation delay (60 s by default): advance the clock to use it without its grant token. Revoke or retire grants in the Keys & grants view.") }
            </p>
            { feedback("grant-form", &outcome) }
        </>
    }
}

/// The CreateFeatureGroup builder.
#[function_component(GroupPanel)]
fn group_form(props: &BuildProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let form = use_state(GroupForm::default);
    let outcome = use_state(|| None::<Result<String, String>>);
    let doc = &props.doc;
    let callers = crate::console::principals(doc);
    let caller = chosen(&form.caller, &callers);
    let keys = key_choices(doc, props.result.as_deref());
    let bucket_list = buckets(doc);
    let bucket = chosen(&form.bucket, &bucket_list);
    let role_list = roles(doc);
    let role = chosen(&form.role, &role_list);
    let types: Vec<String> = FEATURE_TYPES.map(str::to_owned).to_vec();

    let on_submit = {
        let (form, outcome, doc, on_call) = (
            form.clone(),
            outcome.clone(),
            Rc::clone(doc),
            props.on_call.clone(),
        );
        let (caller, bucket, role) = (caller.clone(), bucket.clone(), role.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut f = (*form).clone();
            f.caller = caller.clone();
            f.bucket = bucket.clone();
            f.role = role.clone();
            match feature_group_call(&doc, &f) {
                Ok(step) => {
                    outcome.set(Some(Ok(tr(
                        "Appended sagemaker:CreateFeatureGroup; see the Calls view.",
                    )
                    .to_owned())));
                    form.set(GroupForm {
                        name: String::new(),
                        ..f
                    });
                    on_call.emit(step);
                }
                Err(message) => outcome.set(Some(Err(message))),
            }
        })
    };
    let on_add_feature = {
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*form).clone();
            next.features.push((String::new(), "String".to_owned()));
            form.set(next);
        })
    };
    let key_options = |current: &str, none: &str| {
        html! {
            <>
                <option value="" selected={current.is_empty()}>{ none.to_owned() }</option>
                { for keys.iter().map(|k| html! {
                    <option value={k.arn.clone()} selected={k.arn == current}>{ k.label.clone() }</option>
                }) }
            </>
        }
    };
    html! {
        <>
            <form class="build-grid" id="group-form" onsubmit={on_submit} novalidate=true>
                <div class="field">
                    <label for="group-caller">{ tr("Call as") }</label>
                    <select id="group-caller" onchange={on_pick(&form, |f, v| f.caller = v)}>
                        { options(&callers, &caller, str::to_owned) }
                    </select>
                </div>
                <div class="field">
                    <label for="group-name">{ tr("Feature group name") }</label>
                    <input type="text" id="group-name" value={form.name.clone()} autocomplete="off"
                        placeholder={tr("e.g. customers")} required=true
                        oninput={on_text(&form, |f, v| f.name = v)} />
                </div>
                <div class="field">
                    <label for="group-record-id">{ tr("Record identifier feature") }</label>
                    <div class="pair">
                        <input type="text" id="group-record-id" value={form.record_id.clone()} autocomplete="off"
                            oninput={on_text(&form, |f, v| f.record_id = v)} />
                        <select id="group-record-id-type" aria-label={tr("Record identifier type")}
                            onchange={on_pick(&form, |f, v| f.record_id_type = v)}>
                            { options(&types, &form.record_id_type, str::to_owned) }
                        </select>
                    </div>
                </div>
                <div class="field">
                    <label for="group-event-time">{ tr("Event time feature") }</label>
                    <div class="pair">
                        <input type="text" id="group-event-time" value={form.event_time.clone()} autocomplete="off"
                            oninput={on_text(&form, |f, v| f.event_time = v)} />
                        <select id="group-event-time-type" aria-label={tr("Event time type")}
                            onchange={on_pick(&form, |f, v| f.event_time_type = v)}>
                            { options(&types, &form.event_time_type, str::to_owned) }
                        </select>
                    </div>
                </div>
                <fieldset class="field wide features">
                    <legend>{ tr("More features") }</legend>
                    if form.features.is_empty() {
                        <p class="muted">{ tr("None yet.") }</p>
                    }
                    { for form.features.iter().enumerate().map(|(i, (name, kind))| {
                        let on_name = {
                            let form = form.clone();
                            Callback::from(move |e: InputEvent| {
                                if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                                    let mut next = (*form).clone();
                                    if let Some(row) = next.features.get_mut(i) {
                                        row.0 = input.value();
                                    }
                                    form.set(next);
                                }
                            })
                        };
                        let on_kind = {
                            let form = form.clone();
                            Callback::from(move |e: Event| {
                                if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                                    let mut next = (*form).clone();
                                    if let Some(row) = next.features.get_mut(i) {
                                        row.1 = select.value();
                                    }
                                    form.set(next);
                                }
                            })
                        };
                        let on_remove = {
                            let form = form.clone();
                            Callback::from(move |_: MouseEvent| {
                                let mut next = (*form).clone();
                                if i < next.features.len() {
                                    next.features.remove(i);
                                }
                                form.set(next);
                            })
                        };
                        let n = i + 1;
                        html! {
                            <div class="pair feature-row" key={i}>
                                <input type="text" id={format!("group-feature-{i}")} value={name.clone()}
                                    autocomplete="off" aria-label={trf("Feature {n} name", &[("n", &n)])}
                                    oninput={on_name} />
                                <select id={format!("group-feature-{i}-type")}
                                    aria-label={trf("Feature {n} type", &[("n", &n)])} onchange={on_kind}>
                                    { options(&types, kind, str::to_owned) }
                                </select>
                                <button type="button" class="secondary" id={format!("group-feature-{i}-remove")}
                                    aria-label={trf("Remove feature {n}", &[("n", &n)])} onclick={on_remove}>
                                    { tr("Remove") }
                                </button>
                            </div>
                        }
                    }) }
                    <button type="button" class="secondary" id="group-feature-add" onclick={on_add_feature}>
                        { tr("Add a feature") }
                    </button>
                </fieldset>
                <fieldset class="field wide store">
                    <legend>{ tr("Online store") }</legend>
                    <span class="checkbox">
                        <input type="checkbox" id="group-online" checked={form.online}
                            onchange={on_check(&form, |f, v| f.online = v)} />
                        <label for="group-online">{ tr("Enable the online store") }</label>
                    </span>
                    <label for="group-online-key">{ tr("KMS key") }</label>
                    <select id="group-online-key" disabled={!form.online}
                        onchange={on_pick(&form, |f, v| f.online_key = v)}>
                        { key_options(&form.online_key, tr("none: an AWS owned key")) }
                    </select>
                </fieldset>
                <fieldset class="field wide store">
                    <legend>{ tr("Offline store") }</legend>
                    <span class="checkbox">
                        <input type="checkbox" id="group-offline" checked={form.offline}
                            onchange={on_check(&form, |f, v| f.offline = v)} />
                        <label for="group-offline">{ tr("Enable the offline store") }</label>
                    </span>
                    <div class="build-grid inner">
                        <div class="field">
                            <label for="group-bucket">{ tr("S3 bucket") }</label>
                            <select id="group-bucket" disabled={!form.offline}
                                onchange={on_pick(&form, |f, v| f.bucket = v)}>
                                { options(&bucket_list, &bucket, str::to_owned) }
                            </select>
                        </div>
                        <div class="field">
                            <label for="group-prefix">{ tr("Prefix") }</label>
                            <input type="text" id="group-prefix" value={form.prefix.clone()} autocomplete="off"
                                disabled={!form.offline} placeholder={tr("e.g. customers")}
                                oninput={on_text(&form, |f, v| f.prefix = v)} />
                        </div>
                        <div class="field">
                            <label for="group-role">{ tr("Role Feature Store assumes") }</label>
                            <select id="group-role" disabled={!form.offline}
                                onchange={on_pick(&form, |f, v| f.role = v)}>
                                { options(&role_list, &role, str::to_owned) }
                            </select>
                        </div>
                        <div class="field">
                            <label for="group-offline-key">{ tr("KMS key") }</label>
                            <select id="group-offline-key" disabled={!form.offline}
                                onchange={on_pick(&form, |f, v| f.offline_key = v)}>
                                { key_options(&form.offline_key, tr("none: the bucket's default key")) }
                            </select>
                        </div>
                    </div>
                </fieldset>
                <div class="form-actions">
                    <button type="submit" id="group-create" class="primary">{ tr("Create feature group") }</button>
                </div>
            </form>
            <p class="hint">
                { tr("Feature Store's grant on a new online store takes effect after the grant propagation delay: advance the clock before the first PutRecord.") }
            </p>
            { feedback("group-form", &outcome) }
        </>
    }
}

#[function_component(ClockPanel)]
fn clock_form(props: &BuildProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let step = use_state(|| "2m".to_owned());
    let outcome = use_state(|| None::<Result<String, String>>);
    let steps: Vec<String> = CLOCK_STEPS.map(str::to_owned).to_vec();
    let on_submit = {
        let (step, outcome, on_call) = (step.clone(), outcome.clone(), props.on_call.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            outcome.set(Some(Ok(trf(
                "Appended a clock step of {step}.",
                &[("step", &*step)],
            ))));
            on_call.emit(clock_step(&step));
        })
    };
    let on_step = {
        let step = step.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                step.set(select.value());
            }
        })
    };
    html! {
        <>
            <form class="build-grid" id="clock-form" onsubmit={on_submit}>
                <div class="field">
                    <label for="clock-step">{ tr("Advance by") }</label>
                    <select id="clock-step" onchange={on_step}>
                        { options(&steps, &step, str::to_owned) }
                    </select>
                </div>
                <div class="form-actions">
                    <button type="submit" id="clock-add" class="primary">{ tr("Advance the clock") }</button>
                </div>
            </form>
            <p class="hint">
                { tr("Calls happen at the same simulated instant until a clock step: grant propagation, Bucket Key lifetime and key deletion dates follow it.") }
            </p>
            { feedback("clock-form", &outcome) }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::run_scenario;

    const USER: &str = "arn:aws:iam::111122223333:user/featurestore-user";
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const GROUP: &str = "arn:aws:sagemaker:us-east-1:111122223333:feature-group/orders";

    fn seed() -> Value {
        let text = crate::examples::seed();
        serde_json::from_str(text).unwrap_or_default()
    }

    /// `doc` with `steps` appended to its calls.
    fn with(doc: &Value, steps: &[Value]) -> Value {
        let mut doc = doc.clone();
        for step in steps {
            assert!(push(&mut doc, "calls", step.clone()).is_ok());
        }
        doc
    }

    /// Runs `doc`; the run result (the engine must not refuse the document).
    fn run(doc: &Value) -> Value {
        let result = run_scenario(&doc.to_string());
        assert!(result.is_ok(), "{result:?}");
        result.unwrap_or_default()
    }

    /// The last call's error code, or `ok`.
    fn last_outcome(result: &Value) -> String {
        let calls = result.get("calls").and_then(Value::as_array);
        let last = calls.and_then(|c| c.last()).unwrap_or(&Value::Null);
        last.pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or("ok")
            .to_owned()
    }

    fn last_message(result: &Value) -> String {
        let calls = result.get("calls").and_then(Value::as_array);
        calls
            .and_then(|c| c.last())
            .and_then(|c| c.pointer("/error/message"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    }

    fn get_record(doc: &Value) -> Value {
        call(
            doc,
            USER,
            "sagemaker:GetRecord",
            json!({ "FeatureGroupName": "orders", "RecordIdentifierValueAsString": "o-1001" }),
        )
    }

    #[test]
    fn names_and_ids() {
        assert!(is_aws_name("orders") && is_aws_name("a-b_c1") && is_aws_name("A"));
        assert!(
            !is_aws_name("") && !is_aws_name("-a") && !is_aws_name("a_") && !is_aws_name("a b")
        );
        assert!(!is_aws_name(&"a".repeat(65)));
        assert!(is_iam_name("analyst+1@x.y") && !is_iam_name("a/b") && !is_iam_name(""));
        let id = key_id("x");
        assert_eq!(id.len(), 36);
        assert_eq!(id, key_id("x"));
        assert_ne!(id, key_id("y"));
        assert_eq!(id.get(14..15), Some("4"));
        assert_eq!(root_of(KEY), "arn:aws:iam::111122223333:root".to_owned());
        assert_eq!(
            service_principal(&seed()),
            "sagemaker.us-east-1.amazonaws.com"
        );
        assert_eq!(alias_name(" x "), Some("alias/x".to_owned()));
        assert_eq!(alias_name("alias/x"), Some("alias/x".to_owned()));
        assert_eq!(alias_name(""), None);
    }

    #[test]
    fn a_new_user_with_the_data_plane_template_reads_records() {
        let doc = seed();
        let form = PrincipalForm {
            account: "111122223333".to_owned(),
            kind: PrincipalKind::User,
            name: "analyst".to_owned(),
            template: IdentityTemplate::DataPlane,
        };
        let next = add_principal(&doc, &form);
        assert!(next.is_ok(), "{next:?}");
        let next = next.unwrap_or_default();
        assert!(declared_principals(&next)
            .contains(&"arn:aws:iam::111122223333:user/analyst".to_owned()));
        // Declared twice, a bad name, an undeclared account: refused with a message.
        assert!(add_principal(&next, &form).is_err());
        for bad in [
            PrincipalForm {
                name: "a/b".to_owned(),
                ..form.clone()
            },
            PrincipalForm {
                account: "999999999999".to_owned(),
                ..form.clone()
            },
        ] {
            assert!(add_principal(&doc, &bad).is_err(), "{bad:?}");
        }
        // Its identity policy shows in the Policies view.
        let slots = crate::policies::slots(&next);
        assert!(slots
            .iter()
            .any(|s| s.name() == Some("FeatureStoreDataPlane")));
        // The seed revoked Feature Store's grant: before reading, the account root grants
        // Feature Store again and the clock passes the propagation delay.
        let grant = grant_call(
            &next,
            &GrantForm {
                key: KEY.to_owned(),
                grantee: service_principal(&next),
                ..GrantForm::default()
            },
        );
        assert!(grant.is_ok(), "{grant:?}");
        let analyst = "arn:aws:iam::111122223333:user/analyst";
        let mut read = get_record(&next);
        if let Some(c) = read.as_object_mut() {
            c.insert("as".to_owned(), Value::from(analyst));
        }
        let doc2 = with(&next, &[grant.unwrap_or_default(), clock_step("2m"), read]);
        let result = run(&doc2);
        // The key policy's root statement delegates to IAM, and the template allows kms:Decrypt
        // through SageMaker.
        assert_eq!(last_outcome(&result), "ok", "{}", last_message(&result));

        // Removed again, the analyst has no identity policy: GetRecord is refused by IAM.
        let removed = remove_principal(&doc2, analyst);
        assert!(removed.is_ok());
        let result = run(&removed.unwrap_or_default());
        assert_eq!(last_outcome(&result), "AccessDeniedException");
        assert!(remove_principal(&doc, analyst).is_err());
    }

    #[test]
    fn an_asymmetric_key_is_rejected_by_create_feature_group() {
        let doc = seed();
        let form = KeyForm {
            account: "111122223333".to_owned(),
            alias: "rsa".to_owned(),
            spec: "RSA_2048".to_owned(),
            description: "asymmetric".to_owned(),
            policy: KeyPolicyTemplate::CopyFirst,
        };
        let added = add_key(&doc, &form);
        assert!(added.is_ok(), "{added:?}");
        let (next, arn) = added.unwrap_or_default();
        assert!(
            arn.starts_with("arn:aws:kms:us-east-1:111122223333:key/"),
            "{arn}"
        );
        assert_eq!(next.pointer("/keys/1/aliases/0"), Some(&json!("alias/rsa")));
        assert_eq!(
            next.pointer("/keys/1/policy"),
            doc.pointer("/keys/0/policy")
        );
        // The same alias again, a reserved alias: refused.
        assert!(add_key(&next, &form).is_err());
        let reserved = KeyForm {
            alias: "alias/aws/x".to_owned(),
            ..form.clone()
        };
        assert!(add_key(&doc, &reserved).is_err());
        // A second key gets another id.
        let other = add_key(
            &next,
            &KeyForm {
                alias: String::new(),
                ..form.clone()
            },
        );
        assert!(other.as_ref().is_ok_and(|(_, a)| *a != arn), "{other:?}");

        let group = GroupForm {
            caller: USER.to_owned(),
            name: "rsa-group".to_owned(),
            online_key: arn.clone(),
            ..GroupForm::default()
        };
        let step = feature_group_call(&next, &group);
        assert!(step.is_ok(), "{step:?}");
        let result = run(&with(&next, &[step.unwrap_or_default()]));
        assert_eq!(last_outcome(&result), "ValidationException");

        // With the account root's default policy and a symmetric key, the group is created.
        let symmetric = add_key(
            &doc,
            &KeyForm {
                spec: "SYMMETRIC_DEFAULT".to_owned(),
                policy: KeyPolicyTemplate::RootOnly,
                ..form
            },
        );
        let (next, arn) = symmetric.unwrap_or_default();
        let policy = next
            .pointer("/keys/1/policy")
            .and_then(Value::as_str)
            .unwrap_or("");
        assert!(
            policy.contains("arn:aws:iam::111122223333:root"),
            "{policy}"
        );
        let step = feature_group_call(
            &next,
            &GroupForm {
                caller: "arn:aws:iam::111122223333:root".to_owned(),
                name: "sym".to_owned(),
                online_key: arn,
                ..GroupForm::default()
            },
        );
        let result = run(&with(&next, &[step.unwrap_or_default()]));
        assert_eq!(last_outcome(&result), "ok", "{}", last_message(&result));
    }

    #[test]
    fn key_state_changes_are_made_by_the_account_root() {
        let doc = seed();
        let steps: Vec<Value> = [
            KeyAction::Disable,
            KeyAction::Enable,
            KeyAction::ScheduleDeletion,
        ]
        .iter()
        .map(|a| key_action_call(&doc, KEY, *a))
        .collect();
        assert_eq!(
            str_at(steps.first().unwrap_or(&Value::Null), "as"),
            Some("arn:aws:iam::111122223333:root")
        );
        let result = run(&with(&doc, &steps));
        let state = result.pointer("/state/Keys/0/KeyMetadata/KeyState");
        assert_eq!(state, Some(&json!("PendingDeletion")));
        assert_eq!(last_outcome(&result), "ok");
        let cancel = key_action_call(&doc, KEY, KeyAction::CancelDeletion);
        let result = run(&with(&with(&doc, &steps), &[cancel]));
        // CancelKeyDeletion leaves the key Disabled (KMS-DG/deleting-keys.md).
        assert_eq!(
            result.pointer("/state/Keys/0/KeyMetadata/KeyState"),
            Some(&json!("Disabled"))
        );
        assert_eq!(
            KeyAction::for_state("Disabled").first(),
            Some(&KeyAction::Enable)
        );
        assert!(KeyAction::for_state("PendingImport").is_empty());
    }

    #[test]
    fn grants_are_created_listed_and_revoked() {
        let doc = seed();
        let form = GrantForm {
            key: KEY.to_owned(),
            grantee: USER.to_owned(),
            operations: vec!["Decrypt".to_owned()],
            context_key: "purpose".to_owned(),
            context_value: "demo".to_owned(),
            retiring: USER.to_owned(),
            ..GrantForm::default()
        };
        let step = grant_call(&doc, &form);
        assert!(step.is_ok(), "{step:?}");
        let step = step.unwrap_or_default();
        assert_eq!(
            step.pointer("/input/Constraints/EncryptionContextSubset/purpose"),
            Some(&json!("demo"))
        );
        let result = run(&with(&doc, std::slice::from_ref(&step)));
        assert_eq!(last_outcome(&result), "ok", "{}", last_message(&result));
        let grants = result
            .pointer("/state/Keys/0/Grants")
            .and_then(Value::as_array);
        assert_eq!(grants.map(Vec::len), Some(1));
        let grant_id = result
            .pointer("/state/Keys/0/Grants/0/GrantId")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        // Later calls name it by reference to the CreateGrant's output.
        let named = grant_id_value(&result, &grant_id);
        assert_eq!(
            named,
            format!("${{{}.GrantId}}", str_at(&step, "id").unwrap_or(""))
        );
        assert_eq!(grant_id_value(&result, "unknown"), "unknown");
        let doc = with(&doc, &[step]);
        // Revoked by the account root: gone from the state.
        let revoke = grant_removal_call(&doc, KEY, &named, "", false);
        assert_eq!(str_at(&revoke, "op"), Some("kms:RevokeGrant"));
        let result = run(&with(&doc, &[revoke]));
        assert_eq!(last_outcome(&result), "ok", "{}", last_message(&result));
        assert_eq!(
            result
                .pointer("/state/Keys/0/Grants")
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(0)
        );
        // Retired by its retiring principal.
        let retire = grant_removal_call(&doc, KEY, &named, USER, true);
        let result = run(&with(&doc, &[retire]));
        assert_eq!(last_outcome(&result), "ok", "{}", last_message(&result));
        // A key declared afterwards changes the generated grant ids; the reference still works.
        let (declared, _) = add_key(
            &doc,
            &KeyForm {
                account: "111122223333".to_owned(),
                spec: "SYMMETRIC_DEFAULT".to_owned(),
                ..KeyForm::default()
            },
        )
        .unwrap_or_default();
        let revoke = grant_removal_call(&declared, KEY, &named, "", false);
        let result = run(&with(&declared, &[revoke]));
        assert_eq!(last_outcome(&result), "ok", "{}", last_message(&result));
        // The seed's Feature Store grant is named through its ListGrants call.
        let seed_result = run(&seed());
        let fs_grant = seed_result
            .pointer("/calls/1/output/Grants/0/GrantId")
            .and_then(Value::as_str)
            .unwrap_or("");
        assert_eq!(
            grant_id_value(&seed_result, fs_grant),
            "${grants.Grants.0.GrantId}"
        );
        // Bad forms.
        for bad in [
            GrantForm {
                operations: Vec::new(),
                ..form.clone()
            },
            GrantForm {
                context_value: String::new(),
                ..form.clone()
            },
            GrantForm {
                key: String::new(),
                ..form.clone()
            },
        ] {
            assert!(grant_call(&doc, &bad).is_err(), "{bad:?}");
        }
    }

    /// The flow: Feature Store's grant is back, the key policy loses kms:Decrypt by a
    /// PutKeyPolicy call, and GetRecord is AccessForbidden with KMS's message (modelling FS4).
    #[test]
    fn put_key_policy_without_decrypt_makes_get_record_access_forbidden() {
        let doc = seed();
        let grant = grant_call(
            &doc,
            &GrantForm {
                key: KEY.to_owned(),
                grantee: service_principal(&doc),
                context_key: "aws:sagemaker:feature-group-arn".to_owned(),
                context_value: GROUP.to_owned(),
                ..GrantForm::default()
            },
        );
        let doc = with(&doc, &[grant.unwrap_or_default(), clock_step("2m")]);
        let result = run(&with(&doc, &[get_record(&doc)]));
        assert_eq!(last_outcome(&result), "ok", "{}", last_message(&result));
        // The online store's envelope: sealed record, wrapped data key, the kms:Decrypt request.
        let envelope = result
            .pointer("/calls")
            .and_then(Value::as_array)
            .and_then(|c| c.last())
            .and_then(|c| c.pointer("/envelopes/0"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(str_at(&envelope, "store"), Some("online"));
        assert!(str_at(&envelope, "storedHex").is_some_and(|h| !h.is_empty()));

        let slots = crate::policies::slots(&doc);
        let slot = slots.first().cloned();
        assert!(slot.is_some());
        let mut slot = slot.unwrap_or_else(|| unreachable!());
        let edited = slot.text.replacen("\"kms:Decrypt\",", "", 1);
        assert_ne!(edited, slot.text);
        slot.edit(edited);
        let apply = crate::policies::apply_call(&doc, &slot);
        assert!(apply.is_some());
        let apply = apply.unwrap_or_default();
        assert_eq!(str_at(&apply, "as"), Some("arn:aws:iam::111122223333:root"));
        assert_eq!(str_at(&apply, "op"), Some("kms:PutKeyPolicy"));
        let doc = with(&doc, &[apply]);
        let result = run(&doc);
        assert_eq!(last_outcome(&result), "ok", "{}", last_message(&result));
        let result = run(&with(&doc, &[get_record(&doc)]));
        assert_eq!(last_outcome(&result), "AccessForbidden");
        let message = last_message(&result);
        assert!(
            message.contains("is not authorized to perform: kms:Decrypt"),
            "{message}"
        );
    }

    #[test]
    fn the_feature_group_builder_validates_and_builds_both_stores() {
        let doc = seed();
        let form = GroupForm {
            caller: USER.to_owned(),
            name: "customers".to_owned(),
            features: vec![("score".to_owned(), "Fractional".to_owned())],
            online_key: KEY.to_owned(),
            offline: true,
            bucket: "sagemaker-featurestore-offline".to_owned(),
            prefix: "/customers/".to_owned(),
            role: "arn:aws:iam::111122223333:role/featurestore-offline".to_owned(),
            offline_key: KEY.to_owned(),
            ..GroupForm::default()
        };
        let step = feature_group_call(&doc, &form);
        assert!(step.is_ok(), "{step:?}");
        let step = step.unwrap_or_default();
        assert_eq!(
            step.pointer("/input/OfflineStoreConfig/S3StorageConfig/S3Uri"),
            Some(&json!("s3://sagemaker-featurestore-offline/customers"))
        );
        assert_eq!(
            step.pointer("/input/FeatureDefinitions/2"),
            Some(&json!({ "FeatureName": "score", "FeatureType": "Fractional" }))
        );
        let result = run(&with(&doc, &[step]));
        assert_eq!(last_outcome(&result), "ok", "{}", last_message(&result));
        let groups = result
            .pointer("/state/FeatureGroups")
            .and_then(Value::as_array);
        assert_eq!(groups.map(Vec::len), Some(2));

        // Without a KMS key the online store uses an AWS owned key.
        let plain = feature_group_call(
            &doc,
            &GroupForm {
                caller: USER.to_owned(),
                name: "plain".to_owned(),
                ..GroupForm::default()
            },
        )
        .unwrap_or_default();
        assert_eq!(
            plain.pointer("/input/OnlineStoreConfig"),
            Some(&json!({ "EnableOnlineStore": true }))
        );
        assert_eq!(last_outcome(&run(&with(&doc, &[plain]))), "ok");

        for bad in [
            GroupForm {
                name: "bad name".to_owned(),
                ..form.clone()
            },
            GroupForm {
                features: vec![
                    ("order_id".to_owned(), "String".to_owned()),
                    ("Order_ID".to_owned(), "String".to_owned()),
                ],
                ..form.clone()
            },
            GroupForm {
                record_id: String::new(),
                ..form.clone()
            },
            GroupForm {
                online: false,
                offline: false,
                ..form.clone()
            },
            GroupForm {
                role: String::new(),
                ..form.clone()
            },
            GroupForm {
                caller: String::new(),
                ..form.clone()
            },
        ] {
            assert!(feature_group_call(&doc, &bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn key_choices_come_from_the_state_and_the_declarations() {
        let doc = seed();
        let result = run(&doc);
        let keys = key_choices(&doc, Some(&result));
        assert_eq!(keys.len(), 1);
        assert_eq!(
            keys.first().map(|k| k.label.as_str()),
            Some("alias/featurestore · key/1234abcd-12ab-34cd-56ef-1234567890ab")
        );
        assert_eq!(key_choices(&doc, None), keys);
        assert_eq!(
            grantees(&doc).last().map(String::as_str),
            Some("sagemaker.us-east-1.amazonaws.com")
        );
        assert_eq!(roles(&doc).len(), 2);
        assert_eq!(
            crate::console::caller_of("arn:aws:iam::1:user/x"),
            "arn:aws:iam::1:user/x"
        );
    }
}
