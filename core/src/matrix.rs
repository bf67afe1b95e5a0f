//! "Who can do what": every declared principal × the operations that matter for Feature Store security,
//! decided by the policy engine against the region's current state. Nothing is changed, logged or metered.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::evaluation::{Answer, Decision, Reason};
use crate::featurestore::KeyKind;
use crate::kms::KeyManager;
use crate::world::World;

/// One column of the matrix.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object),
    tsify(rename = "AccessColumn")
)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub label: String,
    pub action: String,
    pub resource: String,
}

/// One cell: the decision and why.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object),
    tsify(rename = "AccessCell")
)]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    pub decision: Decision,
    pub reason: Reason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Which check decided (`sagemaker:GetRecord`, `kms:Decrypt via sagemaker`, …).
    pub decided_by: String,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object),
    tsify(rename = "AccessRow")
)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub principal: String,
    #[cfg_attr(feature = "wasm-policy", tsify(type = "AccessCell[]"))]
    pub cells: Vec<Cell>,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object),
    tsify(rename = "AccessMatrix")
)]
#[serde(rename_all = "camelCase")]
pub struct Matrix {
    #[cfg_attr(feature = "wasm-policy", tsify(type = "AccessColumn[]"))]
    pub columns: Vec<Column>,
    #[cfg_attr(feature = "wasm-policy", tsify(type = "AccessRow[]"))]
    pub rows: Vec<Row>,
}

impl World {
    /// Decides every (principal, operation) pair without side effects. Roles are asked as a session of the
    /// role (`…:assumed-role/ROLE/kmslab`).
    pub fn access_matrix(&mut self) -> Matrix {
        let before = self.authorizations.len();
        let principals: Vec<String> = self
            .iam
            .principals
            .iter()
            .map(|p| caller_arn(&p.arn))
            .collect();
        let mut columns = Vec::new();
        // (column, how to decide it)
        let mut checks: Vec<Check> = Vec::new();
        for g in &self.feature_store.groups {
            for op in ["PutRecord", "GetRecord", "DeleteRecord"] {
                columns.push(Column {
                    label: format!("{op} {}", g.name),
                    action: format!("sagemaker:{op}"),
                    resource: g.arn.clone(),
                });
                let key = g
                    .online
                    .as_ref()
                    .filter(|o| o.key_kind != KeyKind::AwsOwned)
                    .map(|o| o.key_arn.clone());
                checks.push(Check::DataPlane {
                    action: format!("sagemaker:{op}"),
                    group: g.arn.clone(),
                    owner: g.account.clone(),
                    key,
                });
            }
        }
        let keys: Vec<(String, String)> = self
            .kms
            .keys
            .iter()
            .filter(|k| k.manager == KeyManager::Customer)
            .map(|k| (k.arn.clone(), k.id.clone()))
            .collect();
        for (arn, id) in &keys {
            let short: String = id.chars().take(8).collect();
            for (label, action, via) in [
                ("Decrypt (direct)", "kms:Decrypt", None),
                (
                    "Decrypt via Feature Store",
                    "kms:Decrypt",
                    Some("sagemaker"),
                ),
                ("CreateGrant", "kms:CreateGrant", None),
                ("RevokeGrant", "kms:RevokeGrant", None),
                ("DisableKey", "kms:DisableKey", None),
                ("PutKeyPolicy", "kms:PutKeyPolicy", None),
            ] {
                columns.push(Column {
                    label: format!("{label} · key {short}…"),
                    action: String::from(action),
                    resource: arn.clone(),
                });
                checks.push(Check::Kms {
                    action: String::from(action),
                    key: arn.clone(),
                    via,
                });
            }
        }
        let mut rows = Vec::new();
        for p in &principals {
            let cells = checks.iter().map(|c| self.decide_check(p, c)).collect();
            rows.push(Row {
                principal: p.clone(),
                cells,
            });
        }
        // No side effects: the authorizations made here are not part of any call.
        self.authorizations.truncate(before);
        Matrix { columns, rows }
    }

    fn decide_check(&mut self, principal: &str, c: &Check) -> Cell {
        match c {
            Check::Kms { action, key, via } => {
                match self.kms_permission(principal, *via, action, key) {
                    Ok(a) => cell(
                        &a,
                        &match via {
                            Some(v) => format!("{action} via {v}"),
                            None => action.clone(),
                        },
                    ),
                    Err(e) => error_cell(&e.code, &e.message, action),
                }
            }
            Check::DataPlane {
                action,
                group,
                owner,
                key,
            } => {
                match self.authorize_sagemaker(principal, action, group, owner) {
                    Ok(_) => {}
                    Err(e) => {
                        return match e.answer {
                            Some(a) => cell(&a, action),
                            None => error_cell(&e.code, &e.message, action),
                        }
                    }
                }
                let Some(k) = key else {
                    return Cell {
                        decision: Decision::Allow,
                        reason: Reason::AllowedByIdentityPolicy,
                        message: None,
                        decided_by: action.clone(),
                    };
                };
                match self.kms_permission(principal, Some("sagemaker"), "kms:Decrypt", k) {
                    Ok(a) => cell(&a, "kms:Decrypt via sagemaker"),
                    Err(e) => error_cell(&e.code, &e.message, "kms:Decrypt via sagemaker"),
                }
            }
        }
    }
}

enum Check {
    DataPlane {
        action: String,
        group: String,
        owner: String,
        key: Option<String>,
    },
    Kms {
        action: String,
        key: String,
        via: Option<&'static str>,
    },
}

fn cell(a: &Answer, decided_by: &str) -> Cell {
    Cell {
        decision: a.decision,
        reason: a.reason,
        message: a.message.clone(),
        decided_by: String::from(decided_by),
    }
}

fn error_cell(code: &str, message: &str, decided_by: &str) -> Cell {
    Cell {
        decision: Decision::ImplicitDeny,
        reason: Reason::InvalidRequest,
        message: Some(format!("{code}: {message}")),
        decided_by: String::from(decided_by),
    }
}

/// A declared role is asked as one of its sessions.
fn caller_arn(arn: &str) -> String {
    match arn.split_once(":role/") {
        Some((prefix, name)) => {
            let account = prefix.rsplit(':').next().unwrap_or("");
            let role = name.rsplit('/').next().unwrap_or(name);
            let partition = prefix.split(':').nth(1).unwrap_or("aws");
            format!("arn:{partition}:sts::{account}:assumed-role/{role}/kmslab")
        }
        None => String::from(arn),
    }
}
