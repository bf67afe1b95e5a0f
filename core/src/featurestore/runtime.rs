//! The Feature Store runtime (data plane): PutRecord, GetRecord, DeleteRecord, BatchGetRecord (BOTO-FSR).
//!
//! Records are sealed (AES-256-GCM) under the feature group's data key before they reach storage; the data
//! key is unwrapped through KMS on the caller's behalf for every call, which is why every caller needs
//! `kms:Decrypt` on the online-store key (the seed page). See docs/modelling-decisions.md (FS1–FS6).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::{FeatureType, FsError, KeyKind, EC_FEATURE_GROUP, MAX_RECORD_BYTES};
use crate::kms::crypto;
use crate::kms::KeyState;
use crate::policy::values::{base64_decode, base64_encode, parse_date};
use crate::storage::Table;
use crate::world::World;

/// A feature group's data key, unwrapped for one call, with the KMS requests that unwrapped it.
struct DataKey {
    plain: Zeroizing<Vec<u8>>,
    requests: Vec<usize>,
}

/// A record as Feature Store keeps it (before sealing).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    record: Vec<Value>,
    event_time_ms: i64,
    deleted: bool,
    written_ms: i64,
    /// EventTime + TtlDuration (record-level TTL supersedes the group's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_ms: Option<i64>,
}

impl World {
    pub(crate) fn put_record(&mut self, principal: &str, input: &Value) -> Result<Value, FsError> {
        let (gi, arn) = self.authorized_group(principal, "sagemaker:PutRecord", input)?;
        let record = input
            .get("Record")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| validation(String::from("Record is required")))?;
        let (record_id, event_ms) = self.validate_record(gi, &record)?;
        let size = serde_json::to_vec(&record).map(|v| v.len()).unwrap_or(0);
        if size > MAX_RECORD_BYTES {
            return Err(validation(format!(
                "The record is {size} bytes; the maximum record size is {MAX_RECORD_BYTES} bytes (350 KB)"
            )));
        }
        let targets = self.target_stores(gi, input)?;
        if targets.0 {
            let data_key = self.online_data_key(principal, gi)?;
            let key = online_key(&arn, &record_id);
            let newer = match self.read_online(gi, &data_key, &key)? {
                Some(existing) => event_ms > existing.event_time_ms,
                None => true,
            };
            // "If a new record's EventTime is greater, the new record is written to both the OnlineStore and
            // OfflineStore. Otherwise, the record is a historic record and it is written only to the
            // OfflineStore." (BOTO-FSR PutRecord)
            if newer {
                let group_ttl = self
                    .feature_store
                    .groups
                    .get(gi)
                    .and_then(|g| g.online.as_ref())
                    .and_then(|o| o.ttl.clone());
                let ttl = match input.get("TtlDuration") {
                    Some(t) => ttl_ms(t)?,
                    None => group_ttl.as_ref().map(ttl_ms).transpose()?.flatten(),
                };
                let stored = Stored {
                    record: record.clone(),
                    event_time_ms: event_ms,
                    deleted: false,
                    written_ms: self.clock_ms,
                    expires_ms: ttl.map(|t| event_ms.saturating_add(t)),
                };
                self.write_online(gi, &data_key, &key, &stored)?;
            }
        }
        if targets.1 {
            self.write_offline(
                gi,
                &record_id,
                &json!({ "Record": record, "is_deleted": false }),
            )?;
        }
        Ok(json!({}))
    }

    pub(crate) fn get_record(&mut self, principal: &str, input: &Value) -> Result<Value, FsError> {
        let (gi, arn) = self.authorized_group(principal, "sagemaker:GetRecord", input)?;
        let id = required_str(input, "RecordIdentifierValueAsString")?.to_string();
        let names: Option<Vec<String>> =
            input
                .get("FeatureNames")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                });
        let expiry = input.get("ExpirationTimeResponse").and_then(Value::as_str) == Some("Enabled");
        self.read_record(principal, gi, &arn, &id, names.as_deref(), expiry)
    }

    fn read_record(
        &mut self,
        principal: &str,
        gi: usize,
        arn: &str,
        id: &str,
        names: Option<&[String]>,
        with_expiry: bool,
    ) -> Result<Value, FsError> {
        let has_online = self
            .feature_store
            .groups
            .get(gi)
            .is_some_and(|g| g.online.is_some());
        if !has_online {
            return Err(validation(format!(
                "The feature group {arn} has no OnlineStore: GetRecord reads the online store only"
            )));
        }
        let data_key = self.online_data_key(principal, gi)?;
        let stored = self.read_online(gi, &data_key, &online_key(arn, id))?;
        // "If no Record with RecordIdentifierValue is found, then an empty result is returned."
        // Expired records are no longer returned (ExpiresAt = EventTime + TtlDuration).
        let now = self.clock_ms;
        let Some(s) = stored.filter(|s| !s.deleted && s.expires_ms.is_none_or(|e| now < e)) else {
            return Ok(json!({}));
        };
        let expires = s.expires_ms;
        let record: Vec<Value> = s
            .record
            .into_iter()
            .filter(|f| {
                names.is_none_or(|n| {
                    f.get("FeatureName")
                        .and_then(Value::as_str)
                        .is_some_and(|fname| n.iter().any(|x| x == fname))
                })
            })
            .collect();
        let mut out = json!({ "Record": record });
        if let (true, Some(e), Some(o)) = (with_expiry, expires, out.as_object_mut()) {
            o.insert(
                String::from("ExpiresAt"),
                json!(crate::policy::values::format_date(e)),
            );
        }
        Ok(out)
    }

    pub(crate) fn delete_record(
        &mut self,
        principal: &str,
        input: &Value,
    ) -> Result<Value, FsError> {
        let (gi, arn) = self.authorized_group(principal, "sagemaker:DeleteRecord", input)?;
        let id = required_str(input, "RecordIdentifierValueAsString")?.to_string();
        let event = required_str(input, "EventTime")?;
        let event_ms = parse_date(event)
            .ok_or_else(|| validation(format!("EventTime `{event}` is not a valid time")))?;
        let mode = input
            .get("DeletionMode")
            .and_then(Value::as_str)
            .unwrap_or("SoftDelete");
        if mode != "SoftDelete" && mode != "HardDelete" {
            return Err(validation(format!(
                "DeletionMode `{mode}` must be SoftDelete or HardDelete"
            )));
        }
        let targets = self.target_stores(gi, input)?;
        if targets.0 {
            let data_key = self.online_data_key(principal, gi)?;
            let key = online_key(&arn, &id);
            let existing = self.read_online(gi, &data_key, &key)?;
            let later = existing.as_ref().is_none_or(|e| event_ms > e.event_time_ms);
            if mode == "HardDelete" {
                if !later {
                    // "HardDelete returns EventTime: 400 ValidationException … No delete record marker is written"
                    return Err(validation(String::from(
                        "EventTime: the delete EventTime must be later than the existing record's EventTime for HardDelete",
                    )));
                }
                self.storage.delete(Table::OnlineStore, &key);
            } else if later {
                let tomb = Stored {
                    record: Vec::new(),
                    event_time_ms: event_ms,
                    deleted: true,
                    written_ms: self.clock_ms,
                    expires_ms: None,
                };
                self.write_online(gi, &data_key, &key, &tomb)?;
            }
        }
        if targets.1 {
            // Both modes append a deleted-record marker to the offline store.
            self.write_offline(
                gi,
                &id,
                &json!({ "RecordIdentifier": id, "EventTime": event, "is_deleted": true }),
            )?;
        }
        Ok(json!({}))
    }

    pub(crate) fn batch_get_record(
        &mut self,
        principal: &str,
        input: &Value,
    ) -> Result<Value, FsError> {
        let ids = input
            .get("Identifiers")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| validation(String::from("Identifiers is required")))?;
        let mut groups: Vec<&str> = ids
            .iter()
            .filter_map(|i| i.get("FeatureGroupName").and_then(Value::as_str))
            .collect();
        groups.sort_unstable();
        groups.dedup();
        if ids.is_empty() || ids.len() > 100 || groups.len() > 10 {
            return Err(validation(String::from(
                "BatchGetRecord can query up to 10 feature groups (1 to 100 Identifiers)",
            )));
        }
        let total: usize = ids
            .iter()
            .map(|i| {
                i.get("RecordIdentifiersValueAsString")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len)
            })
            .sum();
        if total == 0 || total > 100 {
            return Err(validation(String::from(
                "BatchGetRecord can contain as many as 100 records",
            )));
        }
        let expiry = input.get("ExpirationTimeResponse").and_then(Value::as_str) == Some("Enabled");
        let mut records = Vec::new();
        let mut errors = Vec::new();
        for ident in &ids {
            let name = ident
                .get("FeatureGroupName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let rids: Vec<String> = ident
                .get("RecordIdentifiersValueAsString")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            let names: Option<Vec<String>> = ident
                .get("FeatureNames")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                });
            let group = self
                .find_group(&json!({ "FeatureGroupName": name }))
                .and_then(|gi| self.group_ids(gi).map(|ids| (gi, ids)));
            let (gi, (arn, owner)) = match group {
                Ok(g) => g,
                Err(e) => {
                    for r in &rids {
                        errors.push(json!({ "FeatureGroupName": name, "RecordIdentifierValueAsString": r, "ErrorCode": e.code, "ErrorMessage": e.message }));
                    }
                    continue;
                }
            };
            if let Err(e) =
                self.authorize_sagemaker(principal, "sagemaker:BatchGetRecord", &arn, &owner)
            {
                for r in &rids {
                    errors.push(json!({ "FeatureGroupName": name, "RecordIdentifierValueAsString": r, "ErrorCode": "AccessForbidden", "ErrorMessage": e.message }));
                }
                continue;
            }
            for r in &rids {
                match self.read_record(principal, gi, &arn, r, names.as_deref(), expiry) {
                    Ok(v) => {
                        if let Some(rec) = v.get("Record") {
                            records.push(json!({ "FeatureGroupName": name, "RecordIdentifierValueAsString": r, "Record": rec }));
                        }
                    }
                    Err(e) => errors.push(json!({ "FeatureGroupName": name, "RecordIdentifierValueAsString": r, "ErrorCode": e.code, "ErrorMessage": e.message })),
                }
            }
        }
        Ok(json!({ "Records": records, "Errors": errors, "UnprocessedIdentifiers": [] }))
    }

    /// The feature group an input names, once the caller is authorized for `action` on it: (index, ARN).
    fn authorized_group(
        &mut self,
        principal: &str,
        action: &str,
        input: &Value,
    ) -> Result<(usize, String), FsError> {
        let gi = self.find_group(input)?;
        let (arn, owner) = self.group_ids(gi)?;
        self.authorize_sagemaker(principal, action, &arn, &owner)?;
        Ok((gi, arn))
    }

    /// Checks a record against the group's definitions; returns (record identifier, event time in ms).
    fn validate_record(&self, gi: usize, record: &[Value]) -> Result<(String, i64), FsError> {
        let g = self
            .feature_store
            .groups
            .get(gi)
            .ok_or_else(|| validation(String::from("no such feature group")))?;
        let mut rid = None;
        let mut event = None;
        for (i, f) in record.iter().enumerate() {
            let name = f
                .get("FeatureName")
                .and_then(Value::as_str)
                .ok_or_else(|| validation(format!("Record[{i}].FeatureName is required")))?;
            if record
                .iter()
                .take(i)
                .any(|o| o.get("FeatureName").and_then(Value::as_str) == Some(name))
            {
                return Err(validation(format!(
                    "The feature `{name}` appears twice in the record"
                )));
            }
            let def = g
                .features
                .iter()
                .find(|d| d.feature_name == name)
                .ok_or_else(|| {
                    validation(format!(
                        "The feature `{name}` is not defined in feature group {}",
                        g.name
                    ))
                })?;
            let value = f.get("ValueAsString").and_then(Value::as_str);
            if let Some(v) = value {
                let ok = match def.feature_type {
                    FeatureType::Integral => v.parse::<i64>().is_ok(),
                    FeatureType::Fractional => v.parse::<f64>().is_ok_and(f64::is_finite),
                    FeatureType::String => true,
                };
                if !ok {
                    return Err(validation(format!(
                        "The value `{v}` of feature `{name}` is not a valid {:?}",
                        def.feature_type
                    )));
                }
            }
            if name == g.record_identifier {
                rid = value.map(String::from);
            }
            if name == g.event_time {
                event = value.map(String::from);
            }
        }
        let rid = rid.ok_or_else(|| {
            validation(format!(
                "The record identifier feature `{}` is missing from the record",
                g.record_identifier
            ))
        })?;
        if rid.len() > 2048 {
            return Err(validation(String::from(
                "The record identifier is longer than 2 KB",
            )));
        }
        let event = event.ok_or_else(|| {
            validation(format!(
                "The event time feature `{}` is missing from the record",
                g.event_time
            ))
        })?;
        // A String event time is ISO-8601 `yyyy-MM-dd'T'HH:mm:ssZ` or `yyyy-MM-dd'T'HH:mm:ss.SSSZ`; a
        // Fractional one is Unix seconds (BOTO-SM EventTimeFeatureName).
        let event_type = g
            .features
            .iter()
            .find(|d| d.feature_name == g.event_time)
            .map(|d| d.feature_type);
        let well_formed = match event_type {
            Some(FeatureType::String) => iso_event_time(&event),
            _ => event.parse::<f64>().is_ok_and(f64::is_finite),
        };
        let ms = parse_date(&event).filter(|_| well_formed).ok_or_else(|| {
            validation(format!(
                "The event time `{event}` is not a valid EventTime: use Unix seconds (Fractional) or yyyy-MM-dd'T'HH:mm:ssZ / yyyy-MM-dd'T'HH:mm:ss.SSSZ"
            ))
        })?;
        Ok((rid, ms))
    }

    /// (online, offline) targets: `TargetStores`, defaulting to every enabled store.
    fn target_stores(&self, gi: usize, input: &Value) -> Result<(bool, bool), FsError> {
        let g = self
            .feature_store
            .groups
            .get(gi)
            .ok_or_else(|| validation(String::from("no such feature group")))?;
        let (has_on, has_off) = (g.online.is_some(), g.offline.is_some());
        match input.get("TargetStores").and_then(Value::as_array) {
            None => Ok((has_on, has_off)),
            Some(list) => {
                let valid = |v: &Value| matches!(v.as_str(), Some("OnlineStore" | "OfflineStore"));
                if list.is_empty() || list.len() > 2 || !list.iter().all(valid) {
                    return Err(validation(String::from(
                        "TargetStores must list 1 or 2 of OnlineStore, OfflineStore",
                    )));
                }
                let want = |s: &str| list.iter().any(|v| v.as_str() == Some(s));
                let (on, off) = (want("OnlineStore"), want("OfflineStore"));
                if on && !has_on || off && !has_off {
                    return Err(validation(String::from(
                        "TargetStores names a store the feature group does not have",
                    )));
                }
                Ok((on, off))
            }
        }
    }

    /// The online store's data key, unwrapped by KMS on the caller's behalf (`kms:Decrypt` via Feature Store).
    fn online_data_key(&mut self, principal: &str, gi: usize) -> Result<DataKey, FsError> {
        self.online_store_usable(gi)?;
        let before = self.kms_requests.len();
        let g = self
            .feature_store
            .groups
            .get(gi)
            .ok_or_else(|| validation(String::from("no such feature group")))?;
        let on = g
            .online
            .as_ref()
            .ok_or_else(|| validation(String::from("the feature group has no online store")))?;
        let (arn, wrapped, kind) = (g.arn.clone(), on.wrapped_data_key.clone(), on.key_kind);
        let call = if kind == KeyKind::AwsOwned {
            self.call_as(&self.service_principal(), None)
        } else {
            self.call_as(principal, Some("sagemaker"))
        };
        let out = self
            .kms_request(
                &call,
                "Decrypt",
                &json!({ "CiphertextBlob": base64_encode(&wrapped), "EncryptionContext": { EC_FEATURE_GROUP: arn } }),
            )
            .map_err(|e| {
                let mut fe = FsError::from(e);
                if fe.code == "AccessDeniedException" {
                    // The runtime's error for a caller without kms:Decrypt (modelling FS4).
                    fe.code = String::from("AccessForbidden");
                }
                fe
            })?;
        let plain = out
            .get("Plaintext")
            .and_then(Value::as_str)
            .and_then(base64_decode)
            .map(Zeroizing::new)
            .ok_or_else(|| {
                FsError::new("InternalFailure", String::from("KMS returned no data key"))
            })?;
        Ok(DataKey {
            plain,
            requests: (before..self.kms_requests.len()).collect(),
        })
    }

    /// Records what envelope encryption did for one online-store record.
    fn note_online(
        &mut self,
        gi: usize,
        action: &'static str,
        key: &str,
        stored: &[u8],
        dk: &DataKey,
    ) {
        let Some((arn, on)) = self
            .feature_store
            .groups
            .get(gi)
            .and_then(|g| g.online.as_ref().map(|o| (&g.arn, o)))
        else {
            return;
        };
        let envelope = crate::envelope::Envelope {
            store: "online",
            action,
            location: key.replace('\u{0}', "/"),
            kms_key: on.key_arn.clone(),
            key_manager: match on.key_kind {
                KeyKind::AwsOwned => "AWS owned",
                KeyKind::AwsManaged => "AWS managed",
                KeyKind::CustomerManaged => "customer managed",
            },
            data_key: "the feature group's data key (GenerateDataKey at CreateFeatureGroup), unwrapped by KMS Decrypt for this call",
            encryption_context: json!({ EC_FEATURE_GROUP: arn }),
            wrapped_data_key_hex: crate::envelope::hex_prefix(&on.wrapped_data_key),
            wrapped_data_key_bytes: on.wrapped_data_key.len(),
            algorithm: "AES-256-GCM (additional data: feature group ARN and record id)",
            stored_hex: crate::envelope::hex_prefix(stored),
            stored_bytes: stored.len(),
            kms_requests: dk.requests.clone(),
        };
        self.envelopes.push(envelope);
    }

    /// A customer managed (or AWS managed) online-store key must be usable by Feature Store: enabled, with
    /// Feature Store's grant in effect. Otherwise the store can't be protected and its calls fail (FS3).
    fn online_store_usable(&self, gi: usize) -> Result<(), FsError> {
        let g = self
            .feature_store
            .groups
            .get(gi)
            .ok_or_else(|| validation(String::from("no such feature group")))?;
        let Some(on) = &g.online else { return Ok(()) };
        if on.key_kind == KeyKind::AwsOwned {
            return Ok(());
        }
        let key = self.kms.key_by_arn(&on.key_arn)?;
        if key.state != KeyState::Enabled {
            let why = match key.state {
                KeyState::Disabled => "is disabled",
                KeyState::PendingDeletion => "is pending deletion",
                _ => "is not enabled",
            };
            return Err(FsError::new(
                "AccessForbidden",
                format!(
                    "Feature Store can't use the KMS key {} that protects the online store of feature group {}: the key {why}. Enable the key (or cancel its deletion) to repair the store.",
                    on.key_arn, g.name
                ),
            ));
        }
        if on.key_kind == KeyKind::CustomerManaged {
            let service = self.service_principal();
            let now = self.clock_ms;
            let d = self.kms.grant_propagation_ms;
            let ok = self.kms.grants.iter().any(|sg| {
                sg.key_arn == on.key_arn
                    && sg.grant.grantee_principal == service
                    && ["Decrypt", "Encrypt", "GenerateDataKey"]
                        .iter()
                        .all(|op| sg.grant.operations.iter().any(|o| o == op))
                    && sg.grant.constraints.as_ref().is_none_or(|c| {
                        c.encryption_context_equals.is_none()
                            && c.encryption_context_subset.as_ref().is_none_or(|s| {
                                s.iter().all(|(k, v)| {
                                    k.eq_ignore_ascii_case(EC_FEATURE_GROUP) && *v == g.arn
                                })
                            })
                    })
                    // Feature Store holds its own grant's token, so that grant works at once (K1).
                    && (sg.created_ms + d <= now || sg.grant.grant_id.is_some() && sg.grant.grant_id == on.grant_id)
                    && sg.retired_ms.is_none_or(|r| now < r + d)
            });
            if !ok {
                return Err(FsError::new(
                    "AccessForbidden",
                    format!(
                        "Feature Store can't protect and maintain the online store of feature group {}: its grant on the KMS key {} was revoked or retired (the seed page: \"if you revoke the grant on an active encrypted online store, Feature Store won't be able to protect and maintain the store\"). Create a grant for {service} with operations {:?} and the EncryptionContextSubset {{\"{EC_FEATURE_GROUP}\": \"{}\"}} to repair it.",
                        g.name,
                        on.key_arn,
                        super::GRANT_OPERATIONS,
                        g.arn
                    ),
                ));
            }
        }
        Ok(())
    }

    fn read_online(
        &mut self,
        gi: usize,
        dk: &DataKey,
        key: &str,
    ) -> Result<Option<Stored>, FsError> {
        let Some(sealed) = self
            .storage
            .get(Table::OnlineStore, key)
            .map(<[u8]>::to_vec)
        else {
            return Ok(None);
        };
        let plain = crypto::open_record(&dk.plain, key.as_bytes(), &sealed).map_err(|e| {
            FsError::new(
                "InternalFailure",
                format!("the stored record could not be decrypted: {e}"),
            )
        })?;
        // Only a record that opened is reported as opened.
        self.note_online(gi, "opened", key, &sealed, dk);
        serde_json::from_slice(&plain).map(Some).map_err(|e| {
            FsError::new(
                "InternalFailure",
                format!("the stored record is corrupt: {e}"),
            )
        })
    }

    fn write_online(
        &mut self,
        gi: usize,
        dk: &DataKey,
        key: &str,
        stored: &Stored,
    ) -> Result<(), FsError> {
        let plain = Zeroizing::new(
            serde_json::to_vec(stored)
                .map_err(|e| FsError::new("InternalFailure", e.to_string()))?,
        );
        let sealed = crypto::seal_record(&dk.plain, key.as_bytes(), &plain, &mut self.nonces)
            .map_err(|err| FsError::new("InternalFailure", err.to_string()))?;
        self.note_online(gi, "sealed", key, &sealed, dk);
        self.storage.put(Table::OnlineStore, key, sealed);
        Ok(())
    }

    /// Writes one offline-store object through the group's role. When the role can't use the key, the
    /// offline store becomes `Blocked` (modelling FS5); the PutRecord itself succeeds, as ingestion is
    /// asynchronous.
    fn write_offline(&mut self, gi: usize, record_id: &str, body: &Value) -> Result<(), FsError> {
        let Some((role, uri, status, seq, key)) = self.feature_store.groups.get(gi).and_then(|g| {
            g.offline.as_ref().map(|o| {
                (
                    o.role_arn.clone(),
                    o.resolved_uri.clone(),
                    o.status.clone(),
                    o.objects,
                    o.key_arn.clone(),
                )
            })
        }) else {
            return Ok(());
        };
        if status == "Blocked" {
            return Ok(());
        }
        let Some((bucket, prefix)) =
            crate::s3::split_uri(&uri).map(|(b, p)| (String::from(b), String::from(p)))
        else {
            return Ok(());
        };
        let object = format!("{prefix}/{:016}_{record_id}.json", seq);
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let session = super::role_session(&role);
        match self.s3_put_object(&session, &bucket, &object, &bytes, key.as_deref()) {
            Ok(_) => {
                if let Some(o) = self
                    .feature_store
                    .groups
                    .get_mut(gi)
                    .and_then(|g| g.offline.as_mut())
                {
                    o.objects += 1;
                }
                Ok(())
            }
            Err(e) => {
                if let Some(o) = self
                    .feature_store
                    .groups
                    .get_mut(gi)
                    .and_then(|g| g.offline.as_mut())
                {
                    o.status = String::from("Blocked");
                    o.blocked_reason = Some(format!("{}: {}", e.code, e.message));
                }
                Ok(())
            }
        }
    }
}

/// `yyyy-MM-dd'T'HH:mm:ssZ` or `yyyy-MM-dd'T'HH:mm:ss.SSSZ`.
fn iso_event_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: core::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let base = digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && at(10, b'T')
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19);
    base && (b.len() == 20 && at(19, b'Z')
        || b.len() == 24 && at(19, b'.') && digits(20..23) && at(23, b'Z'))
}

/// A `TtlDuration` ({Unit, Value}) in milliseconds (BOTO-SM TtlDuration: Unit Seconds … Weeks, Value ≥ 1).
fn ttl_ms(v: &Value) -> Result<Option<i64>, FsError> {
    if v.is_null() {
        return Ok(None);
    }
    let unit = v.get("Unit").and_then(Value::as_str).unwrap_or("");
    let value = v.get("Value").and_then(Value::as_i64).unwrap_or(0);
    let ms = match unit {
        "Seconds" => 1_000,
        "Minutes" => 60_000,
        "Hours" => 3_600_000,
        "Days" => 86_400_000,
        "Weeks" => 604_800_000,
        other => {
            return Err(validation(format!(
                "TtlDuration.Unit `{other}` must be Seconds, Minutes, Hours, Days or Weeks"
            )))
        }
    };
    if value < 1 {
        return Err(validation(String::from(
            "TtlDuration.Value must be at least 1",
        )));
    }
    Ok(Some(value.saturating_mul(ms)))
}

/// A required string member of an input.
fn required_str<'a>(input: &'a Value, field: &str) -> Result<&'a str, FsError> {
    input
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| validation(format!("{field} is required")))
}

/// The storage key of an online record: feature group ARN and record identifier.
fn online_key(arn: &str, id: &str) -> String {
    format!("{arn}\u{0}{id}")
}

fn validation(message: String) -> FsError {
    FsError::new("ValidationError", message)
}
