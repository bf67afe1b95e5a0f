//! The simulated region: IAM, KMS, Feature Store and an S3-like offline store, sharing one clock and one
//! storage backend. Services call each other through here, so every KMS request — including those a
//! service makes on a caller's behalf — is authorized, logged and metered the same way.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value;

use crate::cost::{Meter, Metered};
use crate::evaluation::context::ContextValue;
use crate::evaluation::{Answer, Clock, Options, PolicySet, PolicySources, Request};
use crate::featurestore::FeatureStore;
use crate::iam::Directory;
use crate::kms::crypto::{Entropy, SeededEntropy};
use crate::kms::service::Authorization;
use crate::kms::{Call, KeyManager, Kms, KmsError};
use crate::s3::S3;
use crate::storage::{MemoryStorage, Storage};
use crate::trail::Trail;

/// One KMS request as the world saw it (for the request report and charts).
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct KmsRequest {
    pub time_ms: i64,
    pub operation: String,
    pub caller: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// For a request S3 made (`viaService` s3): the bucket its encryption context names (`aws:s3:arn` is the
    /// bucket's ARN with an S3 Bucket Key, the object's without), so charts can tell buckets apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
}

/// The simulated region.
pub struct World {
    pub partition: String,
    pub region: String,
    /// Simulated time, epoch milliseconds.
    pub clock_ms: i64,
    pub iam: Directory,
    pub kms: Kms,
    pub feature_store: FeatureStore,
    pub s3: S3,
    pub storage: Box<dyn Storage>,
    pub trail: Trail,
    pub meter: Meter,
    /// Every KMS request made, in order.
    pub kms_requests: Vec<KmsRequest>,
    /// Authorizations made since the last [`World::take_authorizations`].
    pub authorizations: Vec<Authorization>,
    /// Records and objects sealed or opened since the last [`World::take_envelopes`].
    pub envelopes: Vec<crate::envelope::Envelope>,
    /// Policies parsed so far by the services' authorizations (each text once).
    parse_cache: crate::evaluation::ParseCache,
    /// Nonces for records and objects sealed by the services: one AES-CTR stream, never repeating.
    pub(crate) nonces: SeededEntropy,
}

impl core::fmt::Debug for World {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("World")
            .field("region", &self.region)
            .field("clock_ms", &self.clock_ms)
            .finish_non_exhaustive()
    }
}

impl World {
    pub fn new(
        partition: &str,
        region: &str,
        start_ms: i64,
        mut entropy: Box<dyn Entropy>,
    ) -> Result<World, KmsError> {
        let mut seed = [0u8; 32];
        entropy
            .fill(&mut seed)
            .map_err(|e| KmsError::Internal(alloc::string::ToString::to_string(&e)))?;
        Ok(World {
            nonces: SeededEntropy::new(seed),
            partition: String::from(partition),
            region: String::from(region),
            clock_ms: start_ms,
            iam: Directory::default(),
            kms: Kms::new(partition, region, entropy)?,
            feature_store: FeatureStore::default(),
            s3: S3::default(),
            storage: Box::new(MemoryStorage::new()),
            trail: Trail::new(false),
            meter: Meter::new(region),
            kms_requests: Vec::new(),
            authorizations: Vec::new(),
            envelopes: Vec::new(),
            parse_cache: crate::evaluation::ParseCache::default(),
        })
    }

    /// A call by `principal` at the current time, optionally through a service.
    pub fn call_as(&self, principal: &str, via: Option<&str>) -> Call {
        Call {
            principal: String::from(principal),
            via_service: via.map(String::from),
            session_policy: None,
            now_ms: self.clock_ms,
        }
    }

    /// Sends one KMS request: metered (and possibly throttled), authorized, logged in CloudTrail.
    pub fn kms_request(&mut self, call: &Call, op: &str, input: &Value) -> Result<Value, KmsError> {
        let key_arn = self.key_arn_for(op, input);
        let manager = key_arn
            .as_deref()
            .and_then(|a| self.kms.key_by_arn(a).ok())
            .map(|k| k.manager);
        let owned = manager == Some(KeyManager::AwsOwned);
        let caller_account =
            crate::policy::principal::Caller::parse(&call.principal).and_then(|c| c.account);
        if !owned {
            let key = key_arn
                .as_deref()
                .and_then(|a| self.kms.key_by_arn(a).ok())
                .map(|k| (k.manager, k.spec));
            let mut m = Metered::new(call.now_ms, caller_account.as_deref().unwrap_or(""), op);
            if let (Some(arn), Some((manager, spec))) = (key_arn.as_deref(), key) {
                m = m.on_key(arn, manager, spec);
            }
            if let Some(svc) = call.via_service.as_deref() {
                m = m.via(svc);
            }
            if self.meter.admit(&m).is_err() {
                self.log_kms(
                    call,
                    op,
                    input,
                    key_arn.clone(),
                    Some("ThrottlingException"),
                );
                return Err(KmsError::Throttling);
            }
        }
        let result = self.kms.call(&self.iam, call, op, input);
        if op == "CreateKey" && result.is_ok() {
            self.persist_key_material();
        }
        self.authorizations.append(&mut self.kms.authorizations);
        if !owned {
            // AWS owned keys are not in your account: their use does not appear in your trail.
            let err = result.as_ref().err();
            let invoked_by = call
                .via_service
                .as_ref()
                .map(|s| alloc::format!("{s}.amazonaws.com"));
            let params = kms_request_parameters(input);
            let message = err.map(KmsError::message);
            self.trail.record_kms(&crate::trail::KmsCall {
                now_ms: call.now_ms,
                region: &self.region,
                caller_arn: &call.principal,
                invoked_by: invoked_by.as_deref(),
                event_name: op,
                key_arn: key_arn.as_deref(),
                request_parameters: params,
                response_elements: None,
                error: err.map(|e| (e.code(), message.as_deref().unwrap_or(""))),
                source_ip: None,
                user_agent: None,
                additional_event_data: None,
            });
            let code = result.as_ref().err().map(KmsError::code);
            self.log_kms(call, op, input, key_arn, code);
        }
        result
    }

    fn log_kms(
        &mut self,
        call: &Call,
        op: &str,
        input: &Value,
        key_arn: Option<String>,
        error: Option<&str>,
    ) {
        let bucket = (call.via_service.as_deref() == Some("s3"))
            .then(|| {
                input
                    .pointer("/EncryptionContext/aws:s3:arn")
                    .and_then(Value::as_str)
                    .and_then(|arn| arn.split(":::").nth(1))
                    .and_then(|path| path.split('/').next())
                    .map(String::from)
            })
            .flatten();
        self.kms_requests.push(KmsRequest {
            time_ms: call.now_ms,
            operation: String::from(op),
            caller: call.principal.clone(),
            via_service: call.via_service.clone(),
            key_arn,
            error_code: error.map(String::from),
            bucket,
        });
    }

    /// The key a KMS request is about (for logging and metering), when it can be told from the input.
    fn key_arn_for(&self, op: &str, input: &Value) -> Option<String> {
        let field = match op {
            "ReEncrypt" => "DestinationKeyId",
            _ => "KeyId",
        };
        if let Some(id) = input.get(field).and_then(Value::as_str) {
            if id.starts_with("arn:") && id.contains(":key/") {
                return Some(String::from(id));
            }
            let found = self
                .kms
                .keys
                .iter()
                .find(|k| k.id == id || k.arn == id)
                .map(|k| k.arn.clone());
            if found.is_some() {
                return found;
            }
            let alias = self
                .kms
                .aliases
                .iter()
                .find(|a| a.name == id || id.ends_with(&alias_suffix(&a.name)))
                .and_then(|a| self.kms.keys.iter().find(|k| k.id == a.target_key_id))
                .map(|k| k.arn.clone());
            if alias.is_some() {
                return alias;
            }
        }
        let blob = input.get("CiphertextBlob").and_then(Value::as_str)?;
        let bytes = crate::policy::values::base64_decode(blob)?;
        crate::kms::crypto::read_header(&bytes)
            .ok()
            .map(|h| h.key_arn)
    }

    /// Decides `req` against `src` at the current time (with a trace), records the authorization and returns
    /// the answer. `via` sets `kms:ViaService` to `SERVICE.REGION.amazonaws.com`.
    pub fn decide_recorded(
        &mut self,
        src: &PolicySources,
        key_policy: bool,
        mut req: Request,
        via: Option<&str>,
    ) -> Answer {
        if let Some(svc) = via {
            req.set(
                "kms:ViaService",
                ContextValue::One(alloc::format!("{svc}.{}.amazonaws.com", self.region)),
            );
        }
        let set = PolicySet::build_cached(src, key_policy, &mut self.parse_cache);
        let answer = set.decide(
            &req,
            Options {
                explain: true,
                now: Clock::At(self.clock_ms),
                warnings: true,
            },
        );
        self.authorizations.push(Authorization {
            action: req.action,
            resource: req.resource,
            principal: req.principal,
            answer: answer.clone(),
        });
        answer
    }

    /// Takes the authorizations made since the last call.
    pub fn take_authorizations(&mut self) -> Vec<Authorization> {
        core::mem::take(&mut self.authorizations)
    }

    /// Takes the envelopes recorded since the last call.
    pub fn take_envelopes(&mut self) -> Vec<crate::envelope::Envelope> {
        core::mem::take(&mut self.envelopes)
    }

    /// Writes every key's material to storage (table `KeyMaterial`, key `ARN#VERSION`) that is not there yet.
    pub fn persist_key_material(&mut self) {
        for k in &self.kms.keys {
            for (v, m) in k.materials.iter().enumerate() {
                let id = alloc::format!("{}#{v}", k.arn);
                if self
                    .storage
                    .get(crate::storage::Table::KeyMaterial, &id)
                    .is_none()
                {
                    self.storage
                        .put(crate::storage::Table::KeyMaterial, &id, m.expose().to_vec());
                }
            }
        }
    }

    /// Replaces generated key material with persisted material (after a reload), so stored ciphertext opens.
    pub fn restore_key_material(&mut self) -> usize {
        let mut restored = 0;
        for k in &mut self.kms.keys {
            for (v, m) in k.materials.iter_mut().enumerate() {
                let id = alloc::format!("{}#{v}", k.arn);
                if let Some(bytes) = self.storage.get(crate::storage::Table::KeyMaterial, &id) {
                    if let Ok(km) = crate::kms::crypto::KeyMaterial::try_from_slice(bytes) {
                        *m = km;
                        restored += 1;
                    }
                }
            }
        }
        restored
    }

    /// The customer-visible state: keys (DescribeKey shape, with aliases and policy), grants per key (ListGrants
    /// shape) and feature groups (status, stores, keys). AWS owned keys are not shown.
    pub fn snapshot(&self) -> Value {
        let keys: Vec<Value> = self
            .kms
            .keys
            .iter()
            .filter(|k| k.manager != KeyManager::AwsOwned)
            .map(|k| {
                let grants: Vec<Value> = self
                    .kms
                    .grants_of(&k.arn)
                    .map(|g| serde_json::to_value(&g.grant).unwrap_or(Value::Null))
                    .collect();
                serde_json::json!({
                    "KeyMetadata": k.metadata(),
                    "Aliases": self.kms.aliases_of(k),
                    "Policy": k.policy,
                    "Grants": grants,
                })
            })
            .collect();
        let groups: Vec<Value> = self
            .feature_store
            .groups
            .iter()
            .map(|g| {
                serde_json::json!({
                    "FeatureGroupName": g.name,
                    "FeatureGroupArn": g.arn,
                    "FeatureGroupStatus": g.status,
                    "OnlineStore": g.online.as_ref().map(|o| serde_json::json!({
                        "KmsKeyId": o.key_arn, "KeyKind": o.key_kind, "GrantId": o.grant_id,
                    })),
                    "OfflineStore": g.offline.as_ref().map(|o| serde_json::json!({
                        "S3Uri": o.resolved_uri, "KmsKeyId": o.key_arn, "RoleArn": o.role_arn,
                        "Status": o.status, "BlockedReason": o.blocked_reason, "Objects": o.objects,
                    })),
                    "OnlineRecords": self.storage.scan(crate::storage::Table::OnlineStore, &alloc::format!("{}\u{0}", g.arn)).len(),
                })
            })
            .collect();
        serde_json::json!({ "Keys": keys, "FeatureGroups": groups, "Time": crate::policy::values::format_date(self.clock_ms) })
    }

    /// Advances the simulated clock.
    pub fn advance(&mut self, ms: i64) {
        self.clock_ms = self.clock_ms.saturating_add(ms.max(0));
    }
}

/// CloudTrail's `requestParameters` for a KMS request: the input with camelCase names and without
/// plaintext, ciphertext or grant tokens (CloudTrail never logs them).
fn kms_request_parameters(input: &Value) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(map) = input.as_object() {
        for (k, v) in map {
            let lower = k.to_ascii_lowercase();
            if matches!(
                lower.as_str(),
                "plaintext" | "ciphertextblob" | "granttokens" | "granttoken" | "policy"
            ) {
                continue;
            }
            let mut chars = k.chars();
            let camel: String = match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => String::new(),
            };
            out.insert(camel, v.clone());
        }
    }
    Value::Object(out)
}

fn alias_suffix(name: &str) -> String {
    alloc::format!(":{name}")
}
