//! The simulated KMS of one region: keys, aliases, grants and the API operations, each authorized through
//! the policy engine with the condition keys KMS puts in the request context (KMS-DG/conditions-kms.md).
//!
//! Inputs and outputs use the AWS API's JSON shapes (BOTO-KMS); blobs are base-64 strings as in the JSON
//! protocol. Every authorization made is recorded with its full decision, so callers can explain results.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Deserialize;
use serde_json::{json, Value};

use super::crypto::{self, EncryptionContext, Entropy, KeyMaterial};
use super::error::KmsError;
use super::grant::{Grant, GrantConstraints, GRANT_OPERATIONS};
use super::key::{Key, KeyManager, KeySpec, KeyState, KeyUsage, Origin};
use crate::evaluation::context::ContextValue;
use crate::evaluation::{
    Answer, Clock, Decision, Options, PolicySet, PolicySource, Reason, Request,
};
use crate::iam::Directory;
use crate::policy::principal::{is_account_id, Caller, PrincipalPattern};
use crate::policy::values::{base64_decode, base64_encode};
use crate::policy::{parse_policy, PolicyKind, KEY_POLICY_MAX_BYTES};

/// Grants per customer managed key (KMS-DG/resource-limits.md).
pub const MAX_GRANTS_PER_KEY: usize = 50_000;
/// Aliases per key.
pub const MAX_ALIASES_PER_KEY: usize = 50;
/// Default time before a new grant (or a retirement) is visible everywhere: modelling decision K1.
pub const DEFAULT_GRANT_PROPAGATION_MS: i64 = 60_000;
/// Most grant tokens one request may carry (BOTO-KMS).
pub const MAX_GRANT_TOKENS: usize = 10;
/// Most encryption-context pairs in a grant constraint, and the longest value (BOTO-KMS GrantConstraints).
pub const MAX_CONSTRAINT_PAIRS: usize = 8;
pub const MAX_CONSTRAINT_VALUE_CHARS: usize = 384;

/// Largest `Plaintext` for Encrypt with a symmetric key.
pub const MAX_PLAINTEXT: usize = 4096;

/// Who calls, and how.
#[derive(Clone, Debug, Default)]
pub struct Call {
    /// The caller's ARN (user, role session, …) or a service principal.
    pub principal: String,
    /// The service calling KMS on the caller's behalf (`sagemaker`, `s3`): sets `kms:ViaService` to
    /// `SERVICE.REGION.amazonaws.com` and `aws:ViaAWSService` to true.
    pub via_service: Option<String>,
    pub session_policy: Option<PolicySource>,
    pub now_ms: i64,
}

/// One authorization KMS made while serving a call.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    pub action: String,
    pub resource: String,
    pub principal: String,
    pub answer: Answer,
}

/// A grant as KMS stores it.
#[derive(Clone, Debug)]
pub struct StoredGrant {
    pub grant: Grant,
    pub key_arn: String,
    pub created_ms: i64,
    /// When it was retired or revoked: it stays usable for the propagation delay.
    pub retired_ms: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Alias {
    pub name: String,
    pub account: String,
    pub target_key_id: String,
    pub creation_ms: i64,
}

/// The KMS of one region.
pub struct Kms {
    pub partition: String,
    pub region: String,
    pub keys: Vec<Key>,
    pub aliases: Vec<Alias>,
    pub grants: Vec<StoredGrant>,
    pub grant_propagation_ms: i64,
    /// Authorizations made by the last call.
    pub authorizations: Vec<Authorization>,
    /// The alias the current request named its key by (`kms:RequestAlias`).
    request_alias: Option<String>,
    entropy: Box<dyn Entropy>,
    /// Seals grant tokens, so a tampered token is rejected.
    token_key: KeyMaterial,
    /// Key and IAM policies parsed so far (each text once).
    parse_cache: core::cell::RefCell<crate::evaluation::ParseCache>,
}

/// A key to create directly (scenario set-up), bypassing CreateKey's authorization.
#[derive(Clone, Debug)]
pub struct KeySeed {
    pub arn: String,
    pub description: String,
    pub spec: KeySpec,
    pub usage: KeyUsage,
    pub state: KeyState,
    pub manager: KeyManager,
    pub policy: String,
    pub rotation_enabled: bool,
}

impl core::fmt::Debug for Kms {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Kms")
            .field("region", &self.region)
            .field("keys", &self.keys.len())
            .field("grants", &self.grants.len())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct In {
    key_id: Option<String>,
    plaintext: Option<String>,
    ciphertext_blob: Option<String>,
    encryption_context: Option<EncryptionContext>,
    source_encryption_context: Option<EncryptionContext>,
    destination_encryption_context: Option<EncryptionContext>,
    source_key_id: Option<String>,
    destination_key_id: Option<String>,
    grant_tokens: Vec<String>,
    encryption_algorithm: Option<String>,
    key_spec: Option<String>,
    customer_master_key_spec: Option<String>,
    key_usage: Option<String>,
    number_of_bytes: Option<i64>,
    description: Option<String>,
    policy: Option<String>,
    policy_name: Option<String>,
    bypass_policy_lockout_safety_check: bool,
    pending_window_in_days: Option<i64>,
    alias_name: Option<String>,
    target_key_id: Option<String>,
    grantee_principal: Option<String>,
    retiring_principal: Option<String>,
    operations: Option<Vec<String>>,
    constraints: Option<GrantConstraints>,
    name: Option<String>,
    grant_id: Option<String>,
    grant_token: Option<String>,
    dry_run: bool,
    origin: Option<String>,
}

type KResult = Result<Value, KmsError>;

impl Kms {
    pub fn new(
        partition: &str,
        region: &str,
        mut entropy: Box<dyn Entropy>,
    ) -> Result<Kms, KmsError> {
        let token_key = KeyMaterial::generate(entropy.as_mut())
            .map_err(|e| KmsError::Internal(e.to_string()))?;
        Ok(Kms {
            partition: String::from(partition),
            region: String::from(region),
            keys: Vec::new(),
            aliases: Vec::new(),
            grants: Vec::new(),
            grant_propagation_ms: DEFAULT_GRANT_PROPAGATION_MS,
            authorizations: Vec::new(),
            request_alias: None,
            entropy,
            token_key,
            parse_cache: core::cell::RefCell::default(),
        })
    }

    /// [`PolicySet::build`] through this service's parse cache.
    fn policy_set(&self, src: &crate::evaluation::PolicySources, key_policy: bool) -> PolicySet {
        match self.parse_cache.try_borrow_mut() {
            Ok(mut cache) => PolicySet::build_cached(src, key_policy, &mut cache),
            Err(_) => PolicySet::build(src, key_policy),
        }
    }

    /// Adds a key as a scenario declares it (with fresh key material for symmetric keys).
    pub fn add_key(&mut self, seed: KeySeed, now_ms: i64) -> Result<&Key, KmsError> {
        let id = seed.arn.rsplit('/').next().unwrap_or("").to_string();
        let account = seed.arn.split(':').nth(4).unwrap_or("").to_string();
        if !crate::policy::arn::is_kms_key_arn(&seed.arn)
            || id.is_empty()
            || !is_account_id(&account)
        {
            return Err(KmsError::InvalidArn(format!(
                "`{}` is not a KMS key ARN",
                seed.arn
            )));
        }
        if self.keys.iter().any(|k| k.arn == seed.arn) {
            return Err(KmsError::AlreadyExists(format!(
                "key `{}` already exists",
                seed.arn
            )));
        }
        let materials = if seed.spec.is_symmetric() {
            alloc::vec![self.material()?]
        } else {
            Vec::new()
        };
        self.keys.push(Key {
            arn: seed.arn.clone(),
            id,
            account,
            region: self.region.clone(),
            description: seed.description,
            spec: seed.spec,
            usage: seed.usage,
            state: seed.state,
            manager: seed.manager,
            origin: Origin::AwsKms,
            policy: seed.policy,
            creation_ms: now_ms,
            deletion_ms: None,
            pending_window_days: None,
            rotation_enabled: seed.rotation_enabled,
            materials,
        });
        self.keys
            .last()
            .ok_or_else(|| KmsError::Internal(String::from("key not stored")))
    }

    /// Adds an alias as a scenario declares it.
    pub fn add_alias(&mut self, name: &str, key_arn: &str, now_ms: i64) -> Result<(), KmsError> {
        let key = self.key_by_arn(key_arn)?;
        let (account, target) = (key.account.clone(), key.id.clone());
        self.aliases.push(Alias {
            name: String::from(name),
            account,
            target_key_id: target,
            creation_ms: now_ms,
        });
        Ok(())
    }

    /// Runs one KMS API operation (`Encrypt`, `kms:Encrypt`, …) with its AWS JSON input.
    pub fn call(&mut self, dir: &Directory, call: &Call, op: &str, input: &Value) -> KResult {
        self.authorizations.clear();
        let op = op.strip_prefix("kms:").unwrap_or(op);
        let input = if input.is_null() {
            &Value::Object(serde_json::Map::new())
        } else {
            input
        };
        // `kms:RequestAlias`: the alias name the request used for its key, if any.
        self.request_alias = input.get("KeyId").and_then(Value::as_str).and_then(|k| {
            k.find("alias/")
                .map(|at| String::from(k.get(at..).unwrap_or(k)))
        });
        let inp: In = serde_json::from_value(input.clone())
            .map_err(|e| KmsError::Validation(format!("invalid input for `{op}`: {e}")))?;
        match op {
            "CreateKey" => self.create_key(dir, call, &inp),
            "DescribeKey" => self.describe_key(dir, call, &inp),
            "Encrypt" => self.encrypt(dir, call, &inp),
            "Decrypt" => self.decrypt(dir, call, &inp),
            "GenerateDataKey" => self.generate_data_key(dir, call, &inp, true),
            "GenerateDataKeyWithoutPlaintext" => self.generate_data_key(dir, call, &inp, false),
            "ReEncrypt" => self.re_encrypt(dir, call, &inp),
            "EnableKey" | "DisableKey" => self.enable_disable(dir, call, &inp, op == "EnableKey"),
            "ScheduleKeyDeletion" => self.schedule_key_deletion(dir, call, &inp),
            "CancelKeyDeletion" => self.cancel_key_deletion(dir, call, &inp),
            "GetKeyPolicy" => self.get_key_policy(dir, call, &inp),
            "PutKeyPolicy" => self.put_key_policy(dir, call, &inp),
            "CreateAlias" => self.create_alias(dir, call, &inp),
            "ListAliases" => self.list_aliases(dir, call, &inp),
            "CreateGrant" => self.create_grant(dir, call, &inp),
            "ListGrants" => self.list_grants(dir, call, &inp),
            "RetireGrant" => self.retire_grant(dir, call, &inp),
            "RevokeGrant" => self.revoke_grant(dir, call, &inp),
            other => Err(KmsError::UnsupportedOperation(format!(
                "kmslab does not model the KMS operation `{other}`"
            ))),
        }
    }

    // ---- operations ----

    fn create_key(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let caller = parse_caller(&call.principal)?;
        let account = caller.account.clone().ok_or_else(|| {
            KmsError::Validation(String::from(
                "only principals of an account can create keys",
            ))
        })?;
        let spec_text = inp
            .key_spec
            .as_deref()
            .or(inp.customer_master_key_spec.as_deref())
            .unwrap_or("SYMMETRIC_DEFAULT");
        let spec = KeySpec::parse(spec_text)
            .ok_or_else(|| KmsError::Validation(format!("1 validation error detected: Value '{spec_text}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set")))?;
        let usage_text = inp.key_usage.as_deref().unwrap_or(match spec {
            s if s.is_hmac() => "GENERATE_VERIFY_MAC",
            KeySpec::SymmetricDefault
            | KeySpec::Rsa2048
            | KeySpec::Rsa3072
            | KeySpec::Rsa4096
            | KeySpec::Sm2 => "ENCRYPT_DECRYPT",
            _ => "SIGN_VERIFY",
        });
        let usage = KeyUsage::parse(usage_text)
            .ok_or_else(|| KmsError::Validation(format!("1 validation error detected: Value '{usage_text}' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set")))?;
        if !spec.allows_usage(usage) {
            return Err(KmsError::Validation(format!(
                "KeyUsage {usage_text} is not compatible with KeySpec {spec_text}"
            )));
        }
        let origin = inp.origin.as_deref().unwrap_or("AWS_KMS");
        if origin != "AWS_KMS" {
            return Err(KmsError::UnsupportedOperation(format!(
                "kmslab models keys with origin AWS_KMS only, not `{origin}`"
            )));
        }
        let ctx = [
            kv("kms:KeySpec", spec.as_str()),
            kv("kms:KeyUsage", usage.as_str()),
            kv("kms:KeyOrigin", origin),
        ];
        self.authorize_iam_only(dir, call, "kms:CreateKey", "*", &ctx)?;
        let arn_prefix = format!(
            "arn:{}:kms:{}:{}:key/",
            self.partition, self.region, account
        );
        let id = self.uuid()?;
        let arn = format!("{arn_prefix}{id}");
        let policy = match &inp.policy {
            Some(p) => p.clone(),
            None => default_key_policy(&self.partition, &account),
        };
        self.check_key_policy(dir, &policy, &arn)?;
        if !inp.bypass_policy_lockout_safety_check {
            self.lockout_check(dir, call, &policy, &arn)?;
        }
        if inp.dry_run {
            return Err(KmsError::DryRunOperation);
        }
        let key = self.add_key(
            KeySeed {
                arn,
                description: inp.description.clone().unwrap_or_default(),
                spec,
                usage,
                state: KeyState::Enabled,
                manager: KeyManager::Customer,
                policy,
                rotation_enabled: false,
            },
            call.now_ms,
        )?;
        Ok(json!({ "KeyMetadata": key.metadata() }))
    }

    fn describe_key(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), true)?;
        self.authorize(
            dir,
            call,
            "kms:DescribeKey",
            idx,
            &[],
            &inp.grant_tokens,
            None,
        )?;
        let key = self.key_at(idx)?;
        Ok(json!({ "KeyMetadata": key.metadata() }))
    }

    fn encrypt(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), true)?;
        let plaintext = decode_blob(inp.plaintext.as_deref(), "plaintext")?;
        let ec = inp.encryption_context.clone().unwrap_or_default();
        let alg = algorithm(inp.encryption_algorithm.as_deref())?;
        let ctx = ec_context(&ec, Some(alg));
        self.authorize(dir, call, "kms:Encrypt", idx, &ctx, &inp.grant_tokens, None)?;
        let key = self.key_at(idx)?;
        usable(key)?;
        symmetric_encrypt_decrypt(key, "Encrypt")?;
        if plaintext.is_empty() || plaintext.len() > MAX_PLAINTEXT {
            return Err(KmsError::Validation(format!(
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and {MAX_PLAINTEXT}"
            )));
        }
        if inp.dry_run {
            return Err(KmsError::DryRunOperation);
        }
        let (arn, blob) = self.seal_with(idx, &ec, &plaintext)?;
        Ok(
            json!({ "CiphertextBlob": base64_encode(&blob), "KeyId": arn, "EncryptionAlgorithm": alg }),
        )
    }

    fn decrypt(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let blob = decode_ciphertext_blob(inp.ciphertext_blob.as_deref(), "ciphertextBlob")?;
        let header = crypto::read_header(&blob).map_err(|_| KmsError::InvalidCiphertext)?;
        let idx = self.ciphertext_key(call, &header, inp.key_id.as_deref())?;
        let ec = inp.encryption_context.clone().unwrap_or_default();
        let alg = algorithm(inp.encryption_algorithm.as_deref())?;
        let ctx = ec_context(&ec, Some(alg));
        self.authorize(dir, call, "kms:Decrypt", idx, &ctx, &inp.grant_tokens, None)?;
        let key = self.key_at(idx)?;
        usable(key)?;
        if inp.dry_run {
            return Err(KmsError::DryRunOperation);
        }
        let material = usize::try_from(header.material_version)
            .ok()
            .and_then(|v| key.materials.get(v))
            .ok_or(KmsError::InvalidCiphertext)?;
        let plaintext =
            crypto::open(material, &blob, &ec).map_err(|_| KmsError::InvalidCiphertext)?;
        Ok(
            json!({ "KeyId": key.arn, "Plaintext": base64_encode(&plaintext), "EncryptionAlgorithm": alg }),
        )
    }

    fn generate_data_key(
        &mut self,
        dir: &Directory,
        call: &Call,
        inp: &In,
        with_plaintext: bool,
    ) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), true)?;
        let len = match (inp.key_spec.as_deref(), inp.number_of_bytes) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(KmsError::Validation(String::from(
                    "Please specify either number of bytes or key spec.",
                )))
            }
            (Some("AES_256"), None) => 32,
            (Some("AES_128"), None) => 16,
            (Some(other), None) => {
                return Err(KmsError::Validation(format!(
                    "1 validation error detected: Value '{other}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"
                )))
            }
            (None, Some(n)) if (1..=1024).contains(&n) => usize::try_from(n).unwrap_or(32),
            (None, Some(_)) => {
                return Err(KmsError::Validation(String::from(
                    "1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024",
                )))
            }
        };
        let ec = inp.encryption_context.clone().unwrap_or_default();
        let ctx = ec_context(&ec, Some("SYMMETRIC_DEFAULT"));
        let action = if with_plaintext {
            "kms:GenerateDataKey"
        } else {
            "kms:GenerateDataKeyWithoutPlaintext"
        };
        self.authorize(dir, call, action, idx, &ctx, &inp.grant_tokens, None)?;
        let key = self.key_at(idx)?;
        usable(key)?;
        if !key.spec.is_symmetric() {
            return Err(KmsError::InvalidKeyUsage(format!(
                "{} key usage is {} and key spec is {}: you cannot use an asymmetric KMS key to encrypt data keys",
                key.arn,
                key.usage.as_str(),
                key.spec.as_str()
            )));
        }
        if inp.dry_run {
            return Err(KmsError::DryRunOperation);
        }
        let data_key = crypto::generate_data_key(len, self.entropy.as_mut())
            .map_err(|e| KmsError::Internal(e.to_string()))?;
        let (arn, blob) = self.seal_with(idx, &ec, &data_key.plaintext)?;
        let mut out = json!({ "CiphertextBlob": base64_encode(&blob), "KeyId": arn });
        if with_plaintext {
            if let Some(o) = out.as_object_mut() {
                o.insert(
                    String::from("Plaintext"),
                    Value::String(base64_encode(&data_key.plaintext)),
                );
            }
        }
        Ok(out)
    }

    fn re_encrypt(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let blob = decode_ciphertext_blob(inp.ciphertext_blob.as_deref(), "ciphertextBlob")?;
        let header = crypto::read_header(&blob).map_err(|_| KmsError::InvalidCiphertext)?;
        let src = self.ciphertext_key(call, &header, inp.source_key_id.as_deref())?;
        let dst = self.resolve(call, inp.destination_key_id.as_deref(), true)?;
        let src_ec = inp.source_encryption_context.clone().unwrap_or_default();
        let dst_ec = inp
            .destination_encryption_context
            .clone()
            .unwrap_or_default();
        self.authorize(
            dir,
            call,
            "kms:ReEncryptFrom",
            src,
            &ec_context(&src_ec, Some("SYMMETRIC_DEFAULT")),
            &inp.grant_tokens,
            None,
        )?;
        self.authorize(
            dir,
            call,
            "kms:ReEncryptTo",
            dst,
            &ec_context(&dst_ec, Some("SYMMETRIC_DEFAULT")),
            &inp.grant_tokens,
            None,
        )?;
        let source = self.key_at(src)?;
        usable(source)?;
        let destination = self.key_at(dst)?;
        usable(destination)?;
        symmetric_encrypt_decrypt(destination, "ReEncrypt")?;
        if inp.dry_run {
            return Err(KmsError::DryRunOperation);
        }
        let source_arn = source.arn.clone();
        let material = usize::try_from(header.material_version)
            .ok()
            .and_then(|v| source.materials.get(v))
            .ok_or(KmsError::InvalidCiphertext)?;
        let plaintext =
            crypto::open(material, &blob, &src_ec).map_err(|_| KmsError::InvalidCiphertext)?;
        let (arn, out) = self.seal_with(dst, &dst_ec, &plaintext)?;
        Ok(json!({
            "CiphertextBlob": base64_encode(&out),
            "SourceKeyId": source_arn,
            "KeyId": arn,
            "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }))
    }

    fn enable_disable(&mut self, dir: &Directory, call: &Call, inp: &In, enable: bool) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), false)?;
        let action = if enable {
            "kms:EnableKey"
        } else {
            "kms:DisableKey"
        };
        self.authorize(dir, call, action, idx, &[], &[], None)?;
        let key = self.key_at_mut(idx)?;
        match key.state {
            KeyState::Enabled | KeyState::Disabled => {
                key.state = if enable {
                    KeyState::Enabled
                } else {
                    KeyState::Disabled
                };
                Ok(json!({}))
            }
            other => Err(state_error(&key.arn, other)),
        }
    }

    fn schedule_key_deletion(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), false)?;
        let days = inp.pending_window_in_days.unwrap_or(30);
        let ctx = [kv(
            "kms:ScheduleKeyDeletionPendingWindowInDays",
            &days.to_string(),
        )];
        self.authorize(dir, call, "kms:ScheduleKeyDeletion", idx, &ctx, &[], None)?;
        if !(7..=30).contains(&days) {
            return Err(KmsError::Validation(String::from(
                "PendingWindowInDays must be between 7 and 30 (inclusive).",
            )));
        }
        let now = call.now_ms;
        let key = self.key_at_mut(idx)?;
        if key.manager != KeyManager::Customer {
            return Err(KmsError::UnsupportedOperation(format!(
                "{} is an AWS managed key and can't be deleted",
                key.arn
            )));
        }
        if key.state == KeyState::PendingDeletion {
            return Err(KmsError::InvalidState(format!(
                "{} is pending deletion.",
                key.arn
            )));
        }
        let deletion = now + days * 86_400_000;
        key.state = KeyState::PendingDeletion;
        key.deletion_ms = Some(deletion);
        key.pending_window_days = u32::try_from(days).ok();
        Ok(json!({
            "KeyId": key.arn,
            "DeletionDate": deletion as f64 / 1000.0,
            "KeyState": "PendingDeletion",
            "PendingWindowInDays": days,
        }))
    }

    fn cancel_key_deletion(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), false)?;
        self.authorize(dir, call, "kms:CancelKeyDeletion", idx, &[], &[], None)?;
        let key = self.key_at_mut(idx)?;
        if key.state != KeyState::PendingDeletion {
            return Err(KmsError::InvalidState(format!(
                "{} is not pending deletion.",
                key.arn
            )));
        }
        key.state = KeyState::Disabled;
        key.deletion_ms = None;
        key.pending_window_days = None;
        Ok(json!({ "KeyId": key.arn }))
    }

    fn get_key_policy(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), false)?;
        self.authorize(dir, call, "kms:GetKeyPolicy", idx, &[], &[], None)?;
        policy_name(inp.policy_name.as_deref())?;
        let key = self.key_at(idx)?;
        Ok(json!({ "Policy": key.policy, "PolicyName": "default" }))
    }

    fn put_key_policy(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), false)?;
        self.authorize(dir, call, "kms:PutKeyPolicy", idx, &[], &[], None)?;
        policy_name(inp.policy_name.as_deref())?;
        let policy = inp
            .policy
            .clone()
            .ok_or_else(|| KmsError::Validation(String::from("1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null")))?;
        let arn = self.key_at(idx)?.arn.clone();
        self.check_key_policy(dir, &policy, &arn)?;
        if !inp.bypass_policy_lockout_safety_check {
            self.lockout_check(dir, call, &policy, &arn)?;
        }
        self.key_at_mut(idx)?.policy = policy;
        Ok(json!({}))
    }

    fn create_alias(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let name = inp
            .alias_name
            .clone()
            .ok_or_else(|| KmsError::Validation(String::from("AliasName is required")))?;
        let valid = name.starts_with("alias/")
            && name.len() <= 256
            && name.len() > "alias/".len()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-'));
        if !valid {
            return Err(KmsError::Validation(format!(
                "Alias `{name}` must begin with alias/ and contain only alphanumeric characters, forward slashes (/), underscores (_), and dashes (-)"
            )));
        }
        if name.starts_with("alias/aws/") {
            return Err(KmsError::Validation(String::from(
                "Alias must not begin with 'alias/aws/'. The alias/aws/ prefix is reserved for AWS managed keys.",
            )));
        }
        let idx = self.resolve(call, inp.target_key_id.as_deref(), false)?;
        let caller = parse_caller(&call.principal)?;
        let account = caller.account.clone().unwrap_or_default();
        let alias_arn = format!(
            "arn:{}:kms:{}:{}:{}",
            self.partition, self.region, account, name
        );
        self.authorize_iam_only(dir, call, "kms:CreateAlias", &alias_arn, &[])?;
        self.authorize(dir, call, "kms:CreateAlias", idx, &[], &[], None)?;
        let target = self.key_at(idx)?;
        if target.state == KeyState::PendingDeletion {
            return Err(state_error(&target.arn, target.state));
        }
        if self
            .aliases
            .iter()
            .any(|a| a.name == name && a.account == account)
        {
            return Err(KmsError::AlreadyExists(format!(
                "An alias with the name {alias_arn} already exists"
            )));
        }
        let key = self.key_at(idx)?;
        if self
            .aliases
            .iter()
            .filter(|a| a.target_key_id == key.id)
            .count()
            >= MAX_ALIASES_PER_KEY
        {
            return Err(KmsError::LimitExceeded(format!(
                "{} already has {MAX_ALIASES_PER_KEY} aliases",
                key.arn
            )));
        }
        let target = key.id.clone();
        self.aliases.push(Alias {
            name,
            account,
            target_key_id: target,
            creation_ms: call.now_ms,
        });
        Ok(json!({}))
    }

    fn list_aliases(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        self.authorize_iam_only(dir, call, "kms:ListAliases", "*", &[])?;
        let caller = parse_caller(&call.principal)?;
        let account = caller.account.clone().unwrap_or_default();
        let filter = match inp.key_id.as_deref() {
            Some(k) => Some(self.key_at(self.resolve(call, Some(k), false)?)?.id.clone()),
            None => None,
        };
        let aliases: Vec<Value> = self
            .aliases
            .iter()
            .filter(|a| a.account == account)
            .filter(|a| filter.as_ref().is_none_or(|f| *f == a.target_key_id))
            .map(|a| {
                json!({
                    "AliasName": a.name,
                    "AliasArn": format!("arn:{}:kms:{}:{}:{}", self.partition, self.region, a.account, a.name),
                    "TargetKeyId": a.target_key_id,
                    "CreationDate": a.creation_ms as f64 / 1000.0,
                })
            })
            .collect();
        Ok(json!({ "Aliases": aliases, "Truncated": false }))
    }

    fn create_grant(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), false)?;
        let grantee = inp
            .grantee_principal
            .clone()
            .ok_or_else(|| KmsError::Validation(String::from("GranteePrincipal is required")))?;
        let operations = inp.operations.clone().unwrap_or_default();
        let mut ctx: Vec<(String, ContextValue)> = alloc::vec![
            (
                String::from("kms:GrantOperations"),
                ContextValue::Many(operations.clone())
            ),
            kv("kms:GranteePrincipal", &grantee),
            kv(
                "kms:GrantIsForAWSResource",
                if call.via_service.is_some() {
                    "true"
                } else {
                    "false"
                }
            ),
        ];
        if let Some(r) = &inp.retiring_principal {
            ctx.push(kv("kms:RetiringPrincipal", r));
        }
        let constraint_ec = inp.constraints.as_ref().and_then(|c| {
            c.encryption_context_equals
                .as_ref()
                .map(|e| ("EncryptionContextEquals", e))
                .or_else(|| {
                    c.encryption_context_subset
                        .as_ref()
                        .map(|e| ("EncryptionContextSubset", e))
                })
        });
        if let Some((kind, ec)) = constraint_ec {
            ctx.push(kv("kms:GrantConstraintType", kind));
            ctx.extend(ec_context(ec, None));
        }
        let answer = self.authorize(
            dir,
            call,
            "kms:CreateGrant",
            idx,
            &ctx,
            &inp.grant_tokens,
            None,
        )?;
        let key = self.key_at(idx)?;
        usable(key)?;
        // validation
        if let Some(name) = &inp.name {
            let ok = !name.is_empty()
                && name.len() <= 256
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-'));
            if !ok {
                return Err(KmsError::Validation(format!(
                    "1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
                )));
            }
        }
        if let Some((_, ec)) = constraint_ec {
            if ec.len() > MAX_CONSTRAINT_PAIRS
                || ec
                    .values()
                    .any(|v| v.chars().count() > MAX_CONSTRAINT_VALUE_CHARS)
            {
                return Err(KmsError::Validation(format!(
                    "grant constraints may have at most {MAX_CONSTRAINT_PAIRS} encryption context pairs with values of at most {MAX_CONSTRAINT_VALUE_CHARS} characters"
                )));
            }
        }
        if operations.is_empty() {
            return Err(KmsError::Validation(String::from(
                "Operations must contain at least one grant operation",
            )));
        }
        for op in &operations {
            if !GRANT_OPERATIONS.contains(&op.as_str()) {
                return Err(KmsError::Validation(format!(
                    "1 validation error detected: Value '[{op}]' at 'operations' failed to satisfy constraint: Member must satisfy enum value set"
                )));
            }
            if !operation_fits_key(op, key) {
                return Err(KmsError::Validation(format!(
                    "Grant operation {op} is not valid for key {} with key spec {} and key usage {}",
                    key.arn,
                    key.spec.as_str(),
                    key.usage.as_str()
                )));
            }
        }
        if inp.constraints.is_some() && !key.spec.is_symmetric() {
            return Err(KmsError::Validation(String::from(
                "Encryption context grant constraints are supported only for symmetric encryption KMS keys",
            )));
        }
        if PrincipalPattern::aws(&grantee).is_err() && PrincipalPattern::service(&grantee).is_err()
        {
            return Err(KmsError::Validation(format!(
                "Invalid GranteePrincipal `{grantee}`"
            )));
        }
        // A CreateGrant allowed only by a grant makes a child grant: narrower operations and constraints.
        if answer.reason == Reason::AllowedByGrant {
            let parents: Vec<&Grant> = answer
                .determining
                .iter()
                .filter_map(|d| self.grant_by_policy_id(&d.policy))
                .collect();
            let narrower = parents.iter().any(|p| {
                operations
                    .iter()
                    .all(|o| p.operations.iter().any(|po| po == o))
                    && constraints_at_least(p.constraints.as_ref(), inp.constraints.as_ref())
            });
            if !narrower {
                let msg = format!(
                    "User: {} is not authorized to perform: kms:CreateGrant on resource: {} because the grant that allows it does not allow these operations or constraints (a child grant may only be narrower)",
                    parse_caller(&call.principal)?.arn,
                    key.arn
                );
                return Err(KmsError::AccessDenied {
                    message: msg,
                    answer: Box::new(answer),
                });
            }
        }
        let key_arn = key.arn.clone();
        let issuing = key.account.clone();
        // Name makes CreateGrant idempotent.
        if let Some(name) = &inp.name {
            let existing = self.grants.iter().find(|g| {
                g.retired_ms.is_none()
                    && g.key_arn == key_arn
                    && g.grant.name.as_deref() == Some(name.as_str())
                    && g.grant.grantee_principal == grantee
                    && g.grant.retiring_principal == inp.retiring_principal
                    && g.grant.operations == operations
                    && g.grant.constraints == inp.constraints
            });
            if let Some(g) = existing {
                let id = g.grant.grant_id.clone().unwrap_or_default();
                let token = self.grant_token(&id)?;
                return Ok(json!({ "GrantToken": token, "GrantId": id }));
            }
        }
        if self
            .grants
            .iter()
            .filter(|g| g.key_arn == key_arn && g.retired_ms.is_none())
            .count()
            >= MAX_GRANTS_PER_KEY
        {
            return Err(KmsError::LimitExceeded(format!(
                "The request was rejected because a quota was exceeded: {key_arn} has {MAX_GRANTS_PER_KEY} grants"
            )));
        }
        if inp.dry_run {
            return Err(KmsError::DryRunOperation);
        }
        let id = self.hex_id(32)?;
        self.grants.push(StoredGrant {
            grant: Grant {
                grant_id: Some(id.clone()),
                name: inp.name.clone(),
                key_id: Some(key_arn.clone()),
                grantee_principal: grantee,
                retiring_principal: inp.retiring_principal.clone(),
                issuing_account: Some(format!("arn:{}:iam::{}:root", self.partition, issuing)),
                operations,
                constraints: inp.constraints.clone(),
            },
            key_arn,
            created_ms: call.now_ms,
            retired_ms: None,
        });
        let token = self.grant_token(&id)?;
        Ok(json!({ "GrantToken": token, "GrantId": id }))
    }

    fn list_grants(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), false)?;
        self.authorize(
            dir,
            call,
            "kms:ListGrants",
            idx,
            &[kv(
                "kms:GrantIsForAWSResource",
                if call.via_service.is_some() {
                    "true"
                } else {
                    "false"
                },
            )],
            &inp.grant_tokens,
            None,
        )?;
        let key = self.key_at(idx)?;
        let grants: Vec<Value> = self
            .grants
            .iter()
            .filter(|g| g.key_arn == key.arn && g.retired_ms.is_none())
            .filter(|g| inp.grant_id.is_none() || g.grant.grant_id == inp.grant_id)
            .filter(|g| {
                inp.grantee_principal.is_none()
                    || inp.grantee_principal.as_deref() == Some(g.grant.grantee_principal.as_str())
            })
            .map(|g| {
                let mut v = serde_json::to_value(&g.grant).unwrap_or(Value::Null);
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        String::from("CreationDate"),
                        json!(g.created_ms as f64 / 1000.0),
                    );
                    o.insert(String::from("KeyId"), json!(g.key_arn));
                }
                v
            })
            .collect();
        Ok(json!({ "Grants": grants, "Truncated": false }))
    }

    fn retire_grant(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let gi = match (&inp.grant_token, &inp.key_id, &inp.grant_id) {
            (Some(token), _, _) => {
                let id = self.grant_id_from_token(token)?;
                self.grants
                    .iter()
                    .position(|g| {
                        g.grant.grant_id.as_deref() == Some(id.as_str()) && g.retired_ms.is_none()
                    })
                    .ok_or(KmsError::InvalidGrantToken)?
            }
            (None, Some(_), Some(id)) => {
                let idx = self.resolve(call, inp.key_id.as_deref(), false)?;
                let arn = self.key_at(idx)?.arn.clone();
                self.grants
                    .iter()
                    .position(|g| {
                        g.key_arn == arn
                            && g.grant.grant_id.as_deref() == Some(id.as_str())
                            && g.retired_ms.is_none()
                    })
                    .ok_or_else(|| KmsError::NotFound(format!("Grant ID {id} not found")))?
            }
            _ => {
                return Err(KmsError::Validation(String::from(
                    "Either GrantToken, or both KeyId and GrantId must be specified",
                )))
            }
        };
        let g = self
            .grants
            .get(gi)
            .ok_or_else(|| KmsError::Internal(String::from("grant vanished")))?;
        let key_arn = g.key_arn.clone();
        let only = (format!("grants[{gi}]"), g.grant.clone());
        let idx = self.key_index(&key_arn)?;
        self.authorize(
            dir,
            call,
            "kms:RetireGrant",
            idx,
            &[],
            &[],
            Some(alloc::vec![only]),
        )?;
        if inp.dry_run {
            return Err(KmsError::DryRunOperation);
        }
        if let Some(g) = self.grants.get_mut(gi) {
            g.retired_ms = Some(call.now_ms);
        }
        Ok(json!({}))
    }

    fn revoke_grant(&mut self, dir: &Directory, call: &Call, inp: &In) -> KResult {
        let idx = self.resolve(call, inp.key_id.as_deref(), false)?;
        let id = inp
            .grant_id
            .clone()
            .ok_or_else(|| KmsError::Validation(String::from("GrantId is required")))?;
        let ctx = [kv(
            "kms:GrantIsForAWSResource",
            if call.via_service.is_some() {
                "true"
            } else {
                "false"
            },
        )];
        self.authorize(dir, call, "kms:RevokeGrant", idx, &ctx, &[], None)?;
        let arn = self.key_at(idx)?.arn.clone();
        let gi = self
            .grants
            .iter()
            .position(|g| {
                g.key_arn == arn
                    && g.grant.grant_id.as_deref() == Some(id.as_str())
                    && g.retired_ms.is_none()
            })
            .ok_or_else(|| KmsError::NotFound(format!("Grant ID {id} not found")))?;
        if inp.dry_run {
            return Err(KmsError::DryRunOperation);
        }
        if let Some(g) = self.grants.get_mut(gi) {
            g.retired_ms = Some(call.now_ms);
        }
        Ok(json!({}))
    }

    // ---- authorization ----

    /// Authorizes `action` on key `idx`: key policy, the caller's IAM policies, grants, SCPs and RCPs.
    #[allow(clippy::too_many_arguments)]
    fn authorize(
        &mut self,
        dir: &Directory,
        call: &Call,
        action: &str,
        idx: usize,
        extra: &[(String, ContextValue)],
        grant_tokens: &[String],
        only_grants: Option<Vec<(String, Grant)>>,
    ) -> Result<Answer, KmsError> {
        let key = self.key_at(idx)?;
        let caller = parse_caller(&call.principal)?;
        if grant_tokens.len() > MAX_GRANT_TOKENS {
            return Err(KmsError::Validation(format!(
                "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to {MAX_GRANT_TOKENS}"
            )));
        }
        if key.manager == KeyManager::AwsOwned
            && caller.kind != crate::policy::principal::CallerType::Service
        {
            // AWS owned keys are not in any customer account: invisible to its principals (KMS-DG/concepts.md).
            return Err(KmsError::NotFound(format!(
                "Key '{}' does not exist",
                key.arn
            )));
        }
        // Tokens are checked first: a malformed token is an error whatever the policies say.
        let mut token_ids = Vec::new();
        for t in grant_tokens {
            token_ids.push(self.grant_id_from_token(t)?);
        }
        if key.manager == KeyManager::AwsOwned {
            // AWS owned keys are used by services on their own authority: nothing to authorize here.
            return Ok(Answer {
                decision: Decision::Allow,
                reason: Reason::AllowedByResourcePolicy,
                determining: Vec::new(),
                trace: None,
                missing_context_keys: Vec::new(),
                message: None,
                errors: Vec::new(),
                warnings: Vec::new(),
            });
        }
        let mut src = dir.identity_sources(&caller, call.session_policy.as_ref());
        src.resource = Some(PolicySource {
            id: String::from("keyPolicy"),
            text: key.policy.clone(),
        });
        if key.manager == KeyManager::Customer {
            src.resource_control = dir.rcps_for(&key.account).cloned();
        }
        let now = call.now_ms;
        let d = self.grant_propagation_ms;
        src.grants = match only_grants {
            Some(g) => g,
            None => self
                .grants
                .iter()
                .enumerate()
                .filter(|(_, g)| g.key_arn == key.arn)
                .filter(|(_, g)| {
                    let by_token = g
                        .grant
                        .grant_id
                        .as_ref()
                        .is_some_and(|id| token_ids.contains(id));
                    let visible = by_token || g.created_ms + d <= now;
                    let still = g.retired_ms.is_none_or(|r| now < r + d);
                    visible && still
                })
                .map(|(i, g)| (format!("grants[{i}]"), g.grant.clone()))
                .collect(),
        };
        let set = self.policy_set(&src, true);
        let mut req = self.request(&caller, call, action, &key.arn, dir);
        for (k, v) in extra {
            req.set(k, v.clone());
        }
        let key_arn = key.arn.clone();
        let answer = self.decide_recorded(&set, &req, action, &key_arn, &call.principal, now);
        allowed(answer)
    }

    /// Authorizes an operation whose permission lives only in IAM policies (CreateKey, ListAliases, …).
    fn authorize_iam_only(
        &mut self,
        dir: &Directory,
        call: &Call,
        action: &str,
        resource: &str,
        extra: &[(String, ContextValue)],
    ) -> Result<Answer, KmsError> {
        let caller = parse_caller(&call.principal)?;
        let src = dir.identity_sources(&caller, call.session_policy.as_ref());
        let set = self.policy_set(&src, false);
        let mut req = self.request(&caller, call, action, resource, dir);
        if let Some(a) = &caller.account {
            req.resource_account = Some(a.clone());
        }
        for (k, v) in extra {
            req.set(k, v.clone());
        }
        let answer =
            self.decide_recorded(&set, &req, action, resource, &call.principal, call.now_ms);
        allowed(answer)
    }

    fn request(
        &self,
        caller: &Caller,
        call: &Call,
        action: &str,
        resource: &str,
        dir: &Directory,
    ) -> Request {
        let mut req = Request {
            principal: call.principal.clone(),
            action: String::from(action),
            resource: String::from(resource),
            ..Request::default()
        };
        if let Some(svc) = &call.via_service {
            req.set(
                "kms:ViaService",
                ContextValue::One(format!("{svc}.{}.amazonaws.com", self.region)),
            );
            req.set(
                "aws:CalledVia",
                ContextValue::Many(alloc::vec![format!("{svc}.amazonaws.com")]),
            );
        }
        if let Some(key) = self.keys.iter().find(|k| k.arn == resource) {
            let aliases: Vec<String> = self.aliases_of(key).into_iter().map(String::from).collect();
            if !aliases.is_empty() {
                req.set("kms:ResourceAliases", ContextValue::Many(aliases));
            }
        }
        if let Some(a) = &self.request_alias {
            req.set("kms:RequestAlias", ContextValue::One(a.clone()));
        }
        if let Some(p) = dir.principal_of(caller) {
            for (k, v) in &p.tags {
                req.set(
                    &format!("aws:PrincipalTag/{k}"),
                    ContextValue::One(v.clone()),
                );
            }
        }
        req
    }

    /// Decides a request (with a trace) and records the authorization under `label`.
    fn decide_recorded(
        &mut self,
        set: &PolicySet,
        req: &Request,
        label: &str,
        resource: &str,
        principal: &str,
        now_ms: i64,
    ) -> Answer {
        let answer = set.decide(
            req,
            Options {
                explain: true,
                now: Clock::At(now_ms),
                warnings: true,
            },
        );
        self.authorizations.push(Authorization {
            action: String::from(label),
            resource: String::from(resource),
            principal: String::from(principal),
            answer: answer.clone(),
        });
        answer
    }

    /// KMS rejects key policies that are too large, malformed, or name principals that don't exist.
    fn check_key_policy(
        &self,
        dir: &Directory,
        policy: &str,
        key_arn: &str,
    ) -> Result<(), KmsError> {
        if policy.len() > KEY_POLICY_MAX_BYTES {
            return Err(KmsError::LimitExceeded(format!(
                "The key policy is {} bytes; the maximum is {KEY_POLICY_MAX_BYTES} bytes.",
                policy.len()
            )));
        }
        let parsed = parse_policy(policy, PolicyKind::KeyPolicy);
        if let Some(e) = parsed.errors().next() {
            return Err(KmsError::MalformedPolicyDocument(format!(
                "{} (line {}, column {})",
                e.message, e.line, e.column
            )));
        }
        let Some(p) = parsed.policy else {
            return Err(KmsError::MalformedPolicyDocument(String::from(
                "the key policy could not be read",
            )));
        };
        for st in &p.statements {
            let Some(block) = &st.principal else { continue };
            for e in &block.entries {
                let ok = match &e.pattern {
                    PrincipalPattern::Account(a) => is_account_id(a),
                    PrincipalPattern::User(arn) | PrincipalPattern::Role(arn) => {
                        let acct = arn.split(':').nth(4).unwrap_or("");
                        !dir.has_account(acct) || dir.principals.iter().any(|p| p.arn == *arn)
                    }
                    _ => true,
                };
                if !ok {
                    let _ = key_arn;
                    return Err(KmsError::MalformedPolicyDocument(String::from(
                        "Policy contains a statement with one or more invalid principals.",
                    )));
                }
            }
        }
        Ok(())
    }

    /// "The key policy must allow the calling principal to make a subsequent PutKeyPolicy request".
    fn lockout_check(
        &mut self,
        dir: &Directory,
        call: &Call,
        policy: &str,
        key_arn: &str,
    ) -> Result<(), KmsError> {
        let caller = parse_caller(&call.principal)?;
        let mut src = dir.identity_sources(&caller, call.session_policy.as_ref());
        src.resource = Some(PolicySource {
            id: String::from("keyPolicy"),
            text: String::from(policy),
        });
        let set = self.policy_set(&src, true);
        let req = self.request(
            &caller,
            &Call {
                via_service: None,
                ..call.clone()
            },
            "kms:PutKeyPolicy",
            key_arn,
            dir,
        );
        let answer = self.decide_recorded(
            &set,
            &req,
            "kms:PutKeyPolicy (lockout safety check)",
            key_arn,
            &call.principal,
            call.now_ms,
        );
        if answer.decision == Decision::Allow {
            Ok(())
        } else {
            Err(KmsError::MalformedPolicyDocument(String::from(
                "The new key policy will not allow you to update the key policy in the future.",
            )))
        }
    }

    // ---- keys, grants, tokens ----

    /// Finds a key by key id, key ARN, alias name or alias ARN (aliases only where the operation takes them).
    fn resolve(&self, call: &Call, key_id: Option<&str>, aliases: bool) -> Result<usize, KmsError> {
        let key_id = key_id.ok_or_else(|| {
            KmsError::Validation(String::from(
                "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
            ))
        })?;
        let caller_account = Caller::parse(&call.principal)
            .and_then(|c| c.account)
            .unwrap_or_default();
        let region_prefix = format!("arn:{}:kms:{}:", self.partition, self.region);
        if let Some(rest) = key_id.strip_prefix(&region_prefix) {
            if let Some((_, res)) = rest.split_once(':') {
                if res.starts_with("alias/") && aliases {
                    let account = rest.split(':').next().unwrap_or("");
                    return self.alias_target(account, res, key_id);
                }
            }
            return self
                .keys
                .iter()
                .position(|k| k.arn == key_id)
                .ok_or_else(|| KmsError::NotFound(format!("Key '{key_id}' does not exist")));
        }
        if key_id.starts_with("arn:") {
            return Err(KmsError::NotFound(format!("Key '{key_id}' does not exist")));
        }
        if key_id.starts_with("alias/") {
            if !aliases {
                return Err(KmsError::NotFound(format!("Invalid keyId '{key_id}'")));
            }
            return self.alias_target(&caller_account, key_id, key_id);
        }
        // A bare key id names a key in the caller's account.
        self.keys
            .iter()
            .position(|k| k.id == key_id && k.account == caller_account)
            .ok_or_else(|| {
                KmsError::NotFound(format!(
                    "Key '{region_prefix}{caller_account}:key/{key_id}' does not exist"
                ))
            })
    }

    /// The key a ciphertext names; a `KeyId` naming another key is `IncorrectKeyException`.
    fn ciphertext_key(
        &self,
        call: &Call,
        header: &crypto::BlobHeader,
        named: Option<&str>,
    ) -> Result<usize, KmsError> {
        let idx = self
            .keys
            .iter()
            .position(|k| k.arn == header.key_arn)
            .ok_or(KmsError::InvalidCiphertext)?;
        if let Some(k) = named {
            if self.resolve(call, Some(k), true)? != idx {
                return Err(KmsError::IncorrectKey);
            }
        }
        Ok(idx)
    }

    fn alias_target(&self, account: &str, name: &str, given: &str) -> Result<usize, KmsError> {
        let alias = self
            .aliases
            .iter()
            .find(|a| a.account == account && a.name == name)
            .ok_or_else(|| {
                KmsError::NotFound(format!(
                    "Alias arn:{}:kms:{}:{}:{} is not found.",
                    self.partition, self.region, account, name
                ))
            })?;
        let _ = given;
        self.keys
            .iter()
            .position(|k| k.id == alias.target_key_id && k.account == account)
            .ok_or_else(|| {
                KmsError::NotFound(format!("Alias {name} points to a key that does not exist"))
            })
    }

    pub fn key_by_arn(&self, arn: &str) -> Result<&Key, KmsError> {
        self.keys
            .iter()
            .find(|k| k.arn == arn)
            .ok_or_else(|| KmsError::NotFound(format!("Key '{arn}' does not exist")))
    }

    pub fn key_by_arn_mut(&mut self, arn: &str) -> Result<&mut Key, KmsError> {
        self.keys
            .iter_mut()
            .find(|k| k.arn == arn)
            .ok_or_else(|| KmsError::NotFound(format!("Key '{arn}' does not exist")))
    }

    fn key_index(&self, arn: &str) -> Result<usize, KmsError> {
        self.keys
            .iter()
            .position(|k| k.arn == arn)
            .ok_or_else(|| KmsError::NotFound(format!("Key '{arn}' does not exist")))
    }

    fn key_at(&self, idx: usize) -> Result<&Key, KmsError> {
        self.keys
            .get(idx)
            .ok_or_else(|| KmsError::Internal(String::from("key index out of range")))
    }

    fn key_at_mut(&mut self, idx: usize) -> Result<&mut Key, KmsError> {
        self.keys
            .get_mut(idx)
            .ok_or_else(|| KmsError::Internal(String::from("key index out of range")))
    }

    fn grant_by_policy_id(&self, id: &str) -> Option<&Grant> {
        let i: usize = id
            .strip_prefix("grants[")?
            .strip_suffix(']')?
            .parse()
            .ok()?;
        self.grants.get(i).map(|g| &g.grant)
    }

    fn seal_with(
        &mut self,
        idx: usize,
        ec: &EncryptionContext,
        plaintext: &[u8],
    ) -> Result<(String, Vec<u8>), KmsError> {
        let key = self
            .keys
            .get(idx)
            .ok_or_else(|| KmsError::Internal(String::from("key index out of range")))?;
        let version = key.materials.len().checked_sub(1).ok_or_else(|| {
            KmsError::UnsupportedOperation(format!("{} has no symmetric key material", key.arn))
        })?;
        let material = key
            .materials
            .get(version)
            .ok_or_else(|| KmsError::Internal(String::from("no key material")))?;
        let blob = crypto::seal(
            material,
            &key.arn,
            u32::try_from(version).unwrap_or(0),
            ec,
            plaintext,
            self.entropy.as_mut(),
        )
        .map_err(|e| KmsError::Internal(e.to_string()))?;
        Ok((key.arn.clone(), blob))
    }

    fn material(&mut self) -> Result<KeyMaterial, KmsError> {
        KeyMaterial::generate(self.entropy.as_mut()).map_err(|e| KmsError::Internal(e.to_string()))
    }

    fn random(&mut self, n: usize) -> Result<Vec<u8>, KmsError> {
        let mut b = alloc::vec![0u8; n];
        self.entropy
            .fill(&mut b)
            .map_err(|e| KmsError::Internal(e.to_string()))?;
        Ok(b)
    }

    fn hex_id(&mut self, bytes: usize) -> Result<String, KmsError> {
        Ok(self
            .random(bytes)?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    }

    fn uuid(&mut self) -> Result<String, KmsError> {
        let h = self.hex_id(16)?;
        let part = |a: usize, b: usize| h.get(a..b).unwrap_or("");
        Ok(format!(
            "{}-{}-4{}-a{}-{}",
            part(0, 8),
            part(8, 12),
            part(13, 16),
            part(17, 20),
            part(20, 32)
        ))
    }

    /// A grant token: the grant id sealed under KMS's token key, so any change to it is detected.
    fn grant_token(&mut self, grant_id: &str) -> Result<String, KmsError> {
        let sealed = crypto::seal_record(
            self.token_key.expose(),
            b"kmslab/grant-token",
            grant_id.as_bytes(),
            self.entropy.as_mut(),
        )
        .map_err(|e| KmsError::Internal(e.to_string()))?;
        Ok(base64_encode(&sealed))
    }

    fn grant_id_from_token(&self, token: &str) -> Result<String, KmsError> {
        let bytes = base64_decode(token).ok_or(KmsError::InvalidGrantToken)?;
        let id = crypto::open_record(self.token_key.expose(), b"kmslab/grant-token", &bytes)
            .map_err(|_| KmsError::InvalidGrantToken)?;
        String::from_utf8(id.to_vec()).map_err(|_| KmsError::InvalidGrantToken)
    }

    /// Grants of a key as ListGrants shows them (not retired).
    pub fn grants_of(&self, key_arn: &str) -> impl Iterator<Item = &StoredGrant> {
        let arn = String::from(key_arn);
        self.grants
            .iter()
            .filter(move |g| g.key_arn == arn && g.retired_ms.is_none())
    }

    /// All aliases, by name, for a key.
    pub fn aliases_of(&self, key: &Key) -> Vec<&str> {
        self.aliases
            .iter()
            .filter(|a| a.target_key_id == key.id && a.account == key.account)
            .map(|a| a.name.as_str())
            .collect()
    }
}

/// An allowed answer, or `AccessDeniedException` carrying it.
fn allowed(answer: Answer) -> Result<Answer, KmsError> {
    if answer.decision == Decision::Allow {
        Ok(answer)
    } else {
        Err(KmsError::AccessDenied {
            message: answer.message.clone().unwrap_or_default(),
            answer: Box::new(answer),
        })
    }
}

fn parse_caller(principal: &str) -> Result<Caller, KmsError> {
    Caller::parse(principal)
        .ok_or_else(|| KmsError::Validation(format!("`{principal}` is not a valid caller")))
}

fn decode_blob(b64: Option<&str>, field: &str) -> Result<Vec<u8>, KmsError> {
    let s = b64.ok_or_else(|| {
        KmsError::Validation(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
        ))
    })?;
    base64_decode(s).ok_or_else(|| KmsError::Validation(format!("`{field}` is not valid base-64")))
}

/// A `CiphertextBlob` member: base64, 1–6144 bytes (BOTO-KMS; a length outside is a `ValidationException`,
/// checked before anything else, as AWS validates request members first).
fn decode_ciphertext_blob(b64: Option<&str>, field: &str) -> Result<Vec<u8>, KmsError> {
    let blob = decode_blob(b64, field)?;
    let max = crypto::MAX_CIPHERTEXT_BLOB_BYTES;
    let bound = if blob.is_empty() {
        Some(String::from("greater than or equal to 1"))
    } else if blob.len() > max {
        Some(format!("less than or equal to {max}"))
    } else {
        None
    };
    match bound {
        Some(bound) => Err(KmsError::Validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length {bound}"
        ))),
        None => Ok(blob),
    }
}

fn algorithm(a: Option<&str>) -> Result<&'static str, KmsError> {
    match a.unwrap_or("SYMMETRIC_DEFAULT") {
        "SYMMETRIC_DEFAULT" => Ok("SYMMETRIC_DEFAULT"),
        "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "SM2PKE" => Err(KmsError::InvalidKeyUsage(String::from(
            "The requested encryption algorithm is not compatible with the symmetric KMS key",
        ))),
        other => Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{other}' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set"
        ))),
    }
}

fn policy_name(name: Option<&str>) -> Result<(), KmsError> {
    match name {
        None | Some("default") => Ok(()),
        Some(other) => Err(KmsError::NotFound(format!(
            "No such policy exists: `{other}` (the only key policy name is `default`)"
        ))),
    }
}

/// The condition keys of an encryption context (`kms:EncryptionContext:<k>`) and algorithm.
fn ec_context(ec: &EncryptionContext, alg: Option<&str>) -> Vec<(String, ContextValue)> {
    let mut v: Vec<(String, ContextValue)> = ec
        .iter()
        .map(|(k, val)| {
            (
                format!("kms:EncryptionContext:{k}"),
                ContextValue::One(val.clone()),
            )
        })
        .collect();
    if let Some(a) = alg {
        v.push(kv("kms:EncryptionAlgorithm", a));
    }
    v
}

fn kv(key: &str, value: &str) -> (String, ContextValue) {
    (String::from(key), ContextValue::One(String::from(value)))
}

/// Key state errors (KMS-DG/key-state.md).
fn state_error(arn: &str, state: KeyState) -> KmsError {
    match state {
        KeyState::Disabled => KmsError::Disabled(format!("{arn} is disabled.")),
        KeyState::PendingDeletion => KmsError::InvalidState(format!("{arn} is pending deletion.")),
        KeyState::PendingImport => KmsError::InvalidState(format!("{arn} is pending import.")),
        KeyState::Unavailable => KmsError::InvalidState(format!("{arn} is unavailable.")),
        KeyState::Creating => KmsError::InvalidState(format!("{arn} is creating.")),
        KeyState::Updating => KmsError::InvalidState(format!("{arn} is updating.")),
        KeyState::PendingReplicaDeletion => {
            KmsError::InvalidState(format!("{arn} is pending replica deletion."))
        }
        KeyState::Enabled => KmsError::Internal(format!("{arn} is enabled")),
    }
}

/// Cryptographic operations need an enabled key.
fn usable(key: &Key) -> Result<(), KmsError> {
    if key.state == KeyState::Enabled {
        Ok(())
    } else {
        Err(state_error(&key.arn, key.state))
    }
}

fn symmetric_encrypt_decrypt(key: &Key, op: &str) -> Result<(), KmsError> {
    if key.usage != KeyUsage::EncryptDecrypt {
        return Err(KmsError::InvalidKeyUsage(format!(
            "{} key usage is {} which is not valid for {op}.",
            key.arn,
            key.usage.as_str()
        )));
    }
    if !key.spec.is_symmetric() {
        return Err(KmsError::UnsupportedOperation(format!(
            "kmslab models asymmetric keys' metadata and policies but not RSA/SM2 encryption ({} is {})",
            key.arn,
            key.spec.as_str()
        )));
    }
    Ok(())
}

/// Whether a grant operation is valid for a key's spec and usage (BOTO-KMS CreateGrant).
fn operation_fits_key(op: &str, key: &Key) -> bool {
    match op {
        "CreateGrant" | "DescribeKey" | "RetireGrant" => true,
        "Decrypt" | "Encrypt" | "ReEncryptFrom" | "ReEncryptTo" => {
            key.usage == KeyUsage::EncryptDecrypt
        }
        "GenerateDataKey"
        | "GenerateDataKeyWithoutPlaintext"
        | "GenerateDataKeyPair"
        | "GenerateDataKeyPairWithoutPlaintext" => key.spec.is_symmetric(),
        "Sign" | "Verify" | "GetPublicKey" => {
            key.usage == KeyUsage::SignVerify
                || op == "GetPublicKey" && !key.spec.is_symmetric() && !key.spec.is_hmac()
        }
        "GenerateMac" | "VerifyMac" => key.usage == KeyUsage::GenerateVerifyMac,
        "DeriveSharedSecret" => key.usage == KeyUsage::KeyAgreement,
        _ => false,
    }
}

/// A child grant's constraints must be equal to or stricter than its parent's (KMS-DG/grants.md).
fn constraints_at_least(
    parent: Option<&GrantConstraints>,
    child: Option<&GrantConstraints>,
) -> bool {
    let Some(p) = parent else { return true };
    let Some(c) = child else { return false };
    let covers = |need: &EncryptionContext, have: &EncryptionContext| {
        need.iter().all(|(k, v)| {
            have.iter()
                .any(|(hk, hv)| hk.eq_ignore_ascii_case(k) && hv == v)
        })
    };
    match (&p.encryption_context_equals, &p.encryption_context_subset) {
        (Some(pe), _) => c
            .encryption_context_equals
            .as_ref()
            .is_some_and(|ce| ce.len() == pe.len() && covers(pe, ce)),
        (None, Some(ps)) => match (&c.encryption_context_equals, &c.encryption_context_subset) {
            (Some(ce), _) => covers(ps, ce),
            (None, Some(cs)) => covers(ps, cs),
            (None, None) => false,
        },
        (None, None) => true,
    }
}

/// The default key policy of CreateKey without a policy (KMS-DG/key-policy-default.md).
pub fn default_key_policy(partition: &str, account: &str) -> String {
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"key-default-1\",\n  \"Statement\": [\n    {{\n      \"Sid\": \"Enable IAM policies\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {{ \"AWS\": \"arn:{partition}:iam::{account}:root\" }},\n      \"Action\": \"kms:*\",\n      \"Resource\": \"*\"\n    }}\n  ]\n}}"
    )
}

/// The key policy of an AWS managed key for `service` (`aws/sagemaker`, `aws/s3`): all principals of the
/// account, only through the service (KMS-DG/key-policy-default.md, conditions-kms.md).
pub fn aws_managed_key_policy(
    partition: &str,
    region: &str,
    account: &str,
    service: &str,
) -> String {
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"auto-{service}-1\",\n  \"Statement\": [\n    {{\n      \"Sid\": \"Allow access through {service} for all principals in the account that are authorized to use {service}\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {{ \"AWS\": \"*\" }},\n      \"Action\": [\"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", \"kms:GenerateDataKey*\", \"kms:CreateGrant\", \"kms:DescribeKey\"],\n      \"Resource\": \"*\",\n      \"Condition\": {{\n        \"StringEquals\": {{\n          \"kms:CallerAccount\": \"{account}\",\n          \"kms:ViaService\": \"{service}.{region}.amazonaws.com\"\n        }}\n      }}\n    }},\n    {{\n      \"Sid\": \"Allow direct access to key metadata to the account\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {{ \"AWS\": \"arn:{partition}:iam::{account}:root\" }},\n      \"Action\": [\"kms:Describe*\", \"kms:Get*\", \"kms:List*\", \"kms:RevokeGrant\"],\n      \"Resource\": \"*\"\n    }}\n  ]\n}}"
    )
}
