//! SageMaker Feature Store: feature groups with an online and/or offline store, each encrypted at rest under
//! an AWS owned, AWS managed or customer managed KMS key (SM-DG/feature-store-security.md, BOTO-SM,
//! BOTO-FSR). Control plane here; the data plane is in [`runtime`].

pub mod runtime;

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::evaluation::{Answer, Decision, PolicySource, Request};
use crate::kms::{KeyManager, KeyState, KmsError};
use crate::policy::principal::Caller;
use crate::world::World;

/// The eleven permissions the caller needs on a customer managed online-store key (the seed page).
pub const ONLINE_KEY_PERMISSIONS: [&str; 11] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:RevokeGrant",
];

/// The operations of Feature Store's grant on an online-store key (modelled on DynamoDB's documented grant).
pub const GRANT_OPERATIONS: [&str; 7] = [
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "ReEncryptFrom",
    "ReEncryptTo",
    "DescribeKey",
    "RetireGrant",
];

/// Feature names Feature Store reserves.
pub const RESERVED_FEATURE_NAMES: [&str; 3] = ["is_deleted", "write_time", "api_invocation_time"];

/// Largest record (SM-DG/feature-store-quotas.md).
pub const MAX_RECORD_BYTES: usize = 350 * 1024;

/// The encryption-context key naming the feature group in Feature Store's data keys and grant.
pub const EC_FEATURE_GROUP: &str = "aws:sagemaker:feature-group-arn";

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FeatureType {
    Integral,
    Fractional,
    String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FeatureDefinition {
    pub feature_name: String,
    pub feature_type: FeatureType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_type: Option<String>,
}

/// Who manages the key of a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum KeyKind {
    AwsOwned,
    AwsManaged,
    CustomerManaged,
}

#[derive(Clone, Debug)]
pub struct OnlineStore {
    /// The key protecting the store (an AWS owned key when none was given).
    pub key_arn: String,
    pub key_kind: KeyKind,
    /// Feature Store's grant on a customer managed key.
    pub grant_id: Option<String>,
    /// The group's data key, wrapped under `key_arn` (encryption context names the feature group).
    pub wrapped_data_key: Vec<u8>,
    pub ttl: Option<Value>,
    pub storage_type: String,
}

#[derive(Clone, Debug)]
pub struct OfflineStore {
    pub s3_uri: String,
    pub resolved_uri: String,
    /// `None`: the bucket's default (the AWS managed `aws/s3` key unless the bucket names one).
    pub key_arn: Option<String>,
    pub role_arn: String,
    pub status: String,
    pub blocked_reason: Option<String>,
    pub objects: u64,
}

#[derive(Clone, Debug)]
pub struct FeatureGroup {
    pub name: String,
    pub arn: String,
    pub account: String,
    pub record_identifier: String,
    pub event_time: String,
    pub features: Vec<FeatureDefinition>,
    pub online: Option<OnlineStore>,
    pub offline: Option<OfflineStore>,
    pub status: String,
    pub failure_reason: Option<String>,
    pub created_ms: i64,
    pub description: Option<String>,
}

/// A RAM share of a feature group with other accounts or principals (SM-DG cross-account access).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Share {
    pub feature_group_arn: String,
    /// Account ids or IAM principal ARNs.
    pub principals: Vec<String>,
    /// `ReadOnly`, `ReadWrite` or `Admin` (the AWS RAM managed permissions).
    pub permission: SharePermission,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
pub enum SharePermission {
    ReadOnly,
    ReadWrite,
    Admin,
}

impl SharePermission {
    /// The actions of the managed permission (AWS-CURRENT feature-store-cross-account-access).
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            SharePermission::ReadOnly => &[
                "sagemaker:DescribeFeatureGroup",
                "sagemaker:DescribeFeatureMetadata",
                "sagemaker:BatchGetRecord",
                "sagemaker:GetRecord",
            ],
            SharePermission::ReadWrite => &[
                "sagemaker:DescribeFeatureGroup",
                "sagemaker:DescribeFeatureMetadata",
                "sagemaker:BatchGetRecord",
                "sagemaker:GetRecord",
                "sagemaker:PutRecord",
                "sagemaker:DeleteRecord",
            ],
            SharePermission::Admin => &[
                "sagemaker:DescribeFeatureGroup",
                "sagemaker:DescribeFeatureMetadata",
                "sagemaker:BatchGetRecord",
                "sagemaker:GetRecord",
                "sagemaker:PutRecord",
                "sagemaker:DeleteRecord",
                "sagemaker:UpdateFeatureGroup",
                "sagemaker:UpdateFeatureMetadata",
            ],
        }
    }

    /// The AWS RAM managed permission's name.
    pub fn ram_name(self) -> &'static str {
        match self {
            SharePermission::ReadOnly => "AWSRAMPermissionSageMakerFeatureGroupReadOnly",
            SharePermission::ReadWrite => "AWSRAMPermissionSagemakerFeatureGroupReadWrite",
            SharePermission::Admin => "AWSRAMPermissionSagemakerFeatureGroupAdmin",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct FeatureStore {
    pub groups: Vec<FeatureGroup>,
    pub shares: Vec<Share>,
}

/// A Feature Store error: the AWS error code, its message, and the decision behind a denial.
#[derive(Clone, Debug)]
pub struct FsError {
    pub code: String,
    pub message: String,
    pub answer: Option<Box<Answer>>,
}

impl FsError {
    pub fn new(code: &str, message: String) -> FsError {
        FsError {
            code: String::from(code),
            message,
            answer: None,
        }
    }

    fn validation(message: String) -> FsError {
        FsError::new("ValidationException", message)
    }
}

impl From<KmsError> for FsError {
    fn from(e: KmsError) -> FsError {
        FsError {
            code: String::from(e.code()),
            message: e.message(),
            answer: e.answer().cloned().map(Box::new),
        }
    }
}

impl From<crate::s3::S3Error> for FsError {
    fn from(e: crate::s3::S3Error) -> FsError {
        FsError {
            code: e.code,
            message: e.message,
            answer: e.answer,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct CreateInput {
    feature_group_name: Option<String>,
    record_identifier_feature_name: Option<String>,
    event_time_feature_name: Option<String>,
    feature_definitions: Vec<FeatureDefinition>,
    online_store_config: Option<Value>,
    offline_store_config: Option<Value>,
    role_arn: Option<String>,
    description: Option<String>,
}

/// Feature group names and feature names (BOTO-SM pattern `[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}`).
pub fn valid_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
}

impl World {
    /// Runs a Feature Store operation (`sagemaker:CreateFeatureGroup`, `sagemaker:PutRecord`, …).
    pub fn feature_store_call(
        &mut self,
        principal: &str,
        op: &str,
        input: &Value,
    ) -> Result<Value, FsError> {
        let op = op.strip_prefix("sagemaker:").unwrap_or(op);
        let result = match op {
            "CreateFeatureGroup" => self.create_feature_group(principal, input),
            "DescribeFeatureGroup" => self.describe_feature_group(principal, input),
            "DeleteFeatureGroup" => self.delete_feature_group(principal, input),
            "PutRecord" => self.put_record(principal, input),
            "GetRecord" => self.get_record(principal, input),
            "DeleteRecord" => self.delete_record(principal, input),
            "BatchGetRecord" => self.batch_get_record(principal, input),
            other => Err(FsError::new(
                "UnsupportedOperation",
                format!("kmslab does not model the SageMaker operation `{other}`"),
            )),
        };
        let (source_is_data, resource) = (
            matches!(
                op,
                "PutRecord" | "GetRecord" | "DeleteRecord" | "BatchGetRecord"
            ),
            self.group_arn_for(input),
        );
        let err = result.as_ref().err();
        let call = crate::trail::ServiceCall {
            now_ms: self.clock_ms,
            region: &self.region,
            caller_arn: principal,
            invoked_by: None,
            event_source: "sagemaker.amazonaws.com",
            event_name: op,
            resource_arn: resource.as_deref(),
            resource_type: "AWS::SageMaker::FeatureGroup",
            resource_account: resource.as_deref().and_then(|a| a.split(':').nth(4)),
            request_parameters: strip_record_values(input),
            response_elements: result.as_ref().ok().filter(|_| !source_is_data).cloned(),
            error: err.map(|e| (e.code.as_str(), e.message.as_str())),
            source_ip: None,
            user_agent: None,
            additional_event_data: None,
        };
        if source_is_data {
            self.trail.record_featurestore_data(&call);
        } else {
            self.trail.record_sagemaker(&call);
        }
        result
    }

    fn group_arn_for(&self, input: &Value) -> Option<String> {
        let name = input.get("FeatureGroupName").and_then(Value::as_str)?;
        self.feature_store
            .groups
            .iter()
            .find(|g| g.name == name || g.arn == name)
            .map(|g| g.arn.clone())
    }

    /// Authorizes a SageMaker action on a feature group (identity policies, plus the RAM share's resource
    /// policy for other accounts).
    pub(crate) fn authorize_sagemaker(
        &mut self,
        principal: &str,
        action: &str,
        resource: &str,
        owner: &str,
    ) -> Result<Answer, FsError> {
        let caller = Caller::parse(principal)
            .ok_or_else(|| FsError::validation(format!("`{principal}` is not a valid caller")))?;
        let mut src = self.iam.identity_sources(&caller, None);
        src.resource = self.share_policy(resource);
        let req = Request {
            principal: String::from(principal),
            action: String::from(action),
            resource: String::from(resource),
            resource_account: Some(String::from(owner)),
            ..Request::default()
        };
        let answer = self.decide_recorded(&src, false, req, None);
        if answer.decision == Decision::Allow {
            Ok(answer)
        } else {
            Err(FsError {
                code: String::from("AccessDeniedException"),
                message: answer.message.clone().unwrap_or_default(),
                answer: Some(Box::new(answer)),
            })
        }
    }

    /// The resource policy RAM attaches for the shares of a feature group.
    fn share_policy(&self, arn: &str) -> Option<PolicySource> {
        let statements: Vec<Value> = self
            .feature_store
            .shares
            .iter()
            .filter(|s| s.feature_group_arn == arn)
            .map(|s| {
                json!({
                    "Sid": s.permission.ram_name(),
                    "Effect": "Allow",
                    "Principal": { "AWS": s.principals },
                    "Action": s.permission.actions(),
                    "Resource": arn,
                })
            })
            .collect();
        if statements.is_empty() {
            return None;
        }
        Some(PolicySource {
            id: String::from("ramSharePolicy"),
            text: serde_json::to_string_pretty(
                &json!({ "Version": "2012-10-17", "Statement": statements }),
            )
            .unwrap_or_default(),
        })
    }

    fn create_feature_group(&mut self, principal: &str, input: &Value) -> Result<Value, FsError> {
        let inp: CreateInput = serde_json::from_value(input.clone())
            .map_err(|e| FsError::validation(format!("invalid input: {e}")))?;
        let caller = Caller::parse(principal)
            .ok_or_else(|| FsError::validation(format!("`{principal}` is not a valid caller")))?;
        let account = caller.account.clone().unwrap_or_default();
        let name = inp.feature_group_name.clone().unwrap_or_default();
        if !valid_name(&name) {
            return Err(FsError::validation(format!(
                "1 validation error detected: Value '{name}' at 'featureGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9]([_-]*[a-zA-Z0-9]){{0,63}}"
            )));
        }
        let arn = format!(
            "arn:{}:sagemaker:{}:{}:feature-group/{}",
            self.partition,
            self.region,
            account,
            name.to_ascii_lowercase()
        );
        self.authorize_sagemaker(principal, "sagemaker:CreateFeatureGroup", &arn, &account)?;
        if self
            .feature_store
            .groups
            .iter()
            // The feature group's ARN lower-cases its name, so names differing only in case collide.
            .any(|g| g.account == account && g.name.eq_ignore_ascii_case(&name))
        {
            return Err(FsError::new(
                "ResourceInUse",
                format!("Resource Already Exists: FeatureGroup with name {name} already exists. Choose a different name."),
            ));
        }
        self.validate_definitions(&inp)?;
        if inp.online_store_config.is_none() && inp.offline_store_config.is_none() {
            return Err(FsError::validation(String::from(
                "You must include at least one of OnlineStoreConfig and OfflineStoreConfig to create a FeatureGroup.",
            )));
        }
        let online_cfg = inp.online_store_config.clone().unwrap_or(Value::Null);
        let online_enabled = online_cfg
            .get("EnableOnlineStore")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let online_key = online_cfg
            .pointer("/SecurityConfig/KmsKeyId")
            .and_then(Value::as_str)
            .map(String::from);
        let offline_cfg = inp.offline_store_config.clone();
        let offline_key = offline_cfg
            .as_ref()
            .and_then(|c| c.pointer("/S3StorageConfig/KmsKeyId"))
            .and_then(Value::as_str)
            .map(String::from);
        for k in online_key.iter().chain(offline_key.iter()) {
            self.check_store_key(k)?;
        }
        // Online store: the caller needs the eleven permissions, through Feature Store (modelling FS1).
        if online_enabled {
            if let Some(k) = &online_key {
                self.check_online_key_permissions(principal, k)?;
            }
        }
        // Offline store: the role must be able to generate data keys for S3 (the seed page).
        let mut offline = None;
        if let Some(cfg) = &offline_cfg {
            let uri = cfg
                .pointer("/S3StorageConfig/S3Uri")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    FsError::validation(String::from(
                        "OfflineStoreConfig.S3StorageConfig.S3Uri is required",
                    ))
                })?;
            let role = inp.role_arn.clone().ok_or_else(|| {
                FsError::validation(String::from(
                    "RoleArn is required when an OfflineStoreConfig is provided",
                ))
            })?;
            let (bucket, prefix) = crate::s3::split_uri(uri)
                .ok_or_else(|| FsError::validation(format!("`{uri}` is not an S3 URI")))?;
            if self.s3.bucket(bucket).is_none() {
                return Err(FsError::validation(format!(
                    "The S3 bucket `{bucket}` in S3Uri does not exist"
                )));
            }
            let key = match &offline_key {
                Some(k) => k.clone(),
                None => match self.s3.bucket(bucket).and_then(|b| b.kms_key_arn.clone()) {
                    Some(k) => k,
                    None => self.aws_managed_key(&account, "s3")?,
                },
            };
            self.check_offline_role(&role, &key, bucket)?;
            let resolved = format!(
                "s3://{bucket}/{}{account}/sagemaker/{}/offline-store/{name}-{}/data",
                if prefix.is_empty() {
                    String::new()
                } else {
                    format!("{}/", prefix.trim_end_matches('/'))
                },
                self.region,
                self.clock_ms / 1000
            );
            offline = Some(OfflineStore {
                s3_uri: String::from(uri),
                resolved_uri: resolved,
                key_arn: offline_key.clone(),
                role_arn: role,
                status: String::from("Active"),
                blocked_reason: None,
                objects: 0,
            });
        }
        let mut online = None;
        if online_enabled {
            // A KMS failure while provisioning (a disabled key, …) fails CreateFeatureGroup with a validation
            // error that carries KMS's code and message (FS7).
            online = Some(
                self.provision_online_store(
                    principal,
                    &arn,
                    &name,
                    online_key.as_deref(),
                    &online_cfg,
                )
                .map_err(|e| {
                    if e.code.ends_with("Exception") && e.code != "ValidationException" {
                        FsError {
                            code: String::from("ValidationException"),
                            message: format!(
                                "Feature Store could not use the online store's KMS key: {}: {}",
                                e.code, e.message
                            ),
                            answer: e.answer,
                        }
                    } else {
                        e
                    }
                })?,
            );
        }
        self.feature_store.groups.push(FeatureGroup {
            name: name.clone(),
            arn: arn.clone(),
            account,
            record_identifier: inp
                .record_identifier_feature_name
                .clone()
                .unwrap_or_default(),
            event_time: inp.event_time_feature_name.clone().unwrap_or_default(),
            features: inp.feature_definitions.clone(),
            online,
            offline,
            status: String::from("Created"),
            failure_reason: None,
            created_ms: self.clock_ms,
            description: inp.description.clone(),
        });
        Ok(json!({ "FeatureGroupArn": arn }))
    }

    fn validate_definitions(&self, inp: &CreateInput) -> Result<(), FsError> {
        if inp.feature_definitions.is_empty() || inp.feature_definitions.len() > 2500 {
            return Err(FsError::validation(String::from(
                "FeatureDefinitions must contain between 1 and 2500 feature definitions",
            )));
        }
        for (i, f) in inp.feature_definitions.iter().enumerate() {
            if !valid_name(&f.feature_name) {
                return Err(FsError::validation(format!(
                    "Invalid feature name `{}`",
                    f.feature_name
                )));
            }
            if RESERVED_FEATURE_NAMES.contains(&f.feature_name.to_ascii_lowercase().as_str()) {
                return Err(FsError::validation(format!(
                    "FeatureNames cannot be any of the following: is_deleted, write_time, api_invocation_time (found `{}`)",
                    f.feature_name
                )));
            }
            if inp
                .feature_definitions
                .iter()
                .take(i)
                .any(|o| o.feature_name.eq_ignore_ascii_case(&f.feature_name))
            {
                return Err(FsError::validation(format!(
                    "Duplicate feature name `{}`",
                    f.feature_name
                )));
            }
        }
        let find = |n: &Option<String>| -> Option<&FeatureDefinition> {
            inp.feature_definitions
                .iter()
                .find(|f| Some(&f.feature_name) == n.as_ref())
        };
        let rid = find(&inp.record_identifier_feature_name).ok_or_else(|| {
            FsError::validation(format!(
                "The RecordIdentifierFeatureName `{}` must be one of the feature definitions' names",
                inp.record_identifier_feature_name.clone().unwrap_or_default()
            ))
        })?;
        if rid.feature_type == FeatureType::Fractional {
            return Err(FsError::validation(String::from(
                "The record identifier feature must be of type Integral or String",
            )));
        }
        let et = find(&inp.event_time_feature_name).ok_or_else(|| {
            FsError::validation(format!(
                "The EventTimeFeatureName `{}` must be one of the feature definitions' names",
                inp.event_time_feature_name.clone().unwrap_or_default()
            ))
        })?;
        if et.feature_type == FeatureType::Integral {
            return Err(FsError::validation(String::from(
                "An EventTime can be a String or Fractional.",
            )));
        }
        Ok(())
    }

    /// KmsKeyId must be a key ARN of an existing symmetric key (the seed page; sagemaker-python-sdk#3057).
    fn check_store_key(&self, key: &str) -> Result<(), FsError> {
        if !crate::policy::arn::is_kms_key_arn(key) {
            return Err(FsError::validation(format!(
                "KmsKeyId `{key}` must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY_ID), not a key id or alias"
            )));
        }
        let k = self.kms.key_by_arn(key).map_err(|_| {
            FsError::validation(format!(
                "The KMS key `{key}` does not exist or is not accessible"
            ))
        })?;
        if !k.spec.is_symmetric() {
            return Err(FsError::validation(format!(
                "Feature Store supports only symmetric customer managed keys: `{key}` is {} ({})",
                k.spec.as_str(),
                k.usage.as_str()
            )));
        }
        Ok(())
    }

    fn check_online_key_permissions(&mut self, principal: &str, key: &str) -> Result<(), FsError> {
        for action in ONLINE_KEY_PERMISSIONS {
            let answer = self.kms_permission(principal, Some("sagemaker"), action, key)?;
            if answer.decision != Decision::Allow {
                return Err(FsError {
                    code: String::from("ValidationException"),
                    message: format!(
                        "The caller does not have the permissions Feature Store requires on the online store's KMS key {key}: missing {action}. {}",
                        answer.message.clone().unwrap_or_default()
                    ),
                    answer: Some(Box::new(answer)),
                });
            }
        }
        Ok(())
    }

    fn check_offline_role(&mut self, role: &str, key: &str, bucket: &str) -> Result<(), FsError> {
        let session = role_session(role);
        let answer = self.kms_permission(&session, Some("s3"), "kms:GenerateDataKey", key)?;
        if answer.decision != Decision::Allow {
            return Err(FsError {
                code: String::from("ValidationException"),
                message: format!(
                    "The offline store role {role} can't use the KMS key {key} for S3 bucket {bucket}: kms:GenerateDataKey is not allowed. {}",
                    answer.message.clone().unwrap_or_default()
                ),
                answer: Some(Box::new(answer)),
            });
        }
        Ok(())
    }

    /// Asks the policy engine whether `principal` may perform `action` on `key` (no KMS request is made).
    pub(crate) fn kms_permission(
        &mut self,
        principal: &str,
        via: Option<&str>,
        action: &str,
        key: &str,
    ) -> Result<Answer, FsError> {
        let policy = self.kms.key_by_arn(key)?.policy.clone();
        let caller = Caller::parse(principal)
            .ok_or_else(|| FsError::validation(format!("`{principal}` is not a valid caller")))?;
        let mut src = self.iam.identity_sources(&caller, None);
        let mut req = Request {
            principal: String::from(principal),
            action: String::from(action),
            resource: String::from(key),
            ..Request::default()
        };
        if crate::kms::actions::is_iam_only(&action.to_ascii_lowercase())
            && action != "kms:RetireGrant"
        {
            // ListAliases and the like are IAM-only and have no key resource: the key policy does not apply.
            req.resource = String::from("*");
            req.resource_account = caller.account.clone();
            return Ok(self.decide_recorded(&src, false, req, via));
        }
        src.resource = Some(PolicySource {
            id: String::from("keyPolicy"),
            text: policy,
        });
        Ok(self.decide_recorded(&src, true, req, via))
    }

    fn provision_online_store(
        &mut self,
        principal: &str,
        arn: &str,
        name: &str,
        key: Option<&str>,
        cfg: &Value,
    ) -> Result<OnlineStore, FsError> {
        let ec = json!({ EC_FEATURE_GROUP: arn });
        let (key_arn, kind, grant_id, call) = match key {
            Some(k) => {
                let manager = self.kms.key_by_arn(k)?.manager;
                let kind = if manager == KeyManager::Aws {
                    KeyKind::AwsManaged
                } else {
                    KeyKind::CustomerManaged
                };
                // Feature Store creates a grant for the store, on the caller's behalf (modelling FS2).
                let call = self.call_as(principal, Some("sagemaker"));
                let service = self.service_principal();
                let out = self.kms_request(
                    &call,
                    "CreateGrant",
                    &json!({
                        "KeyId": k,
                        "GranteePrincipal": service,
                        "RetiringPrincipal": service,
                        "Operations": GRANT_OPERATIONS,
                        "Constraints": { "EncryptionContextSubset": { EC_FEATURE_GROUP: arn } },
                        "Name": format!("sagemaker-featurestore-{name}"),
                    }),
                )?;
                let gid = out.get("GrantId").and_then(Value::as_str).map(String::from);
                (String::from(k), kind, gid, call)
            }
            None => {
                let owned = self.aws_owned_key()?;
                (
                    owned,
                    KeyKind::AwsOwned,
                    None,
                    // AWS owned keys are used by the service itself, not through the caller.
                    self.call_as(&self.service_principal(), None),
                )
            }
        };
        let out = self.kms_request(
            &call,
            "GenerateDataKey",
            &json!({ "KeyId": key_arn, "KeySpec": "AES_256", "EncryptionContext": ec }),
        )?;
        let wrapped = out
            .get("CiphertextBlob")
            .and_then(Value::as_str)
            .and_then(crate::policy::values::base64_decode)
            .ok_or_else(|| {
                FsError::new("InternalFailure", String::from("KMS returned no data key"))
            })?;
        Ok(OnlineStore {
            key_arn,
            key_kind: kind,
            grant_id,
            wrapped_data_key: wrapped,
            ttl: cfg.get("TtlDuration").cloned(),
            storage_type: cfg
                .get("StorageType")
                .and_then(Value::as_str)
                .unwrap_or("Standard")
                .to_string(),
        })
    }

    /// Feature Store's service principal in this region.
    pub fn service_principal(&self) -> String {
        format!("sagemaker.{}.amazonaws.com", self.region)
    }

    /// The AWS owned key Feature Store uses by default for online stores (not in any customer account).
    pub fn aws_owned_key(&mut self) -> Result<String, KmsError> {
        let arn = format!(
            "arn:{}:kms:{}:000000000000:key/aws-owned-sagemaker-featurestore",
            self.partition, self.region
        );
        if self.kms.key_by_arn(&arn).is_err() {
            let now = self.clock_ms;
            self.kms.add_key(
                crate::kms::KeySeed {
                    arn: arn.clone(),
                    description: String::from("AWS owned key for SageMaker Feature Store online stores"),
                    spec: crate::kms::KeySpec::SymmetricDefault,
                    usage: crate::kms::KeyUsage::EncryptDecrypt,
                    state: KeyState::Enabled,
                    manager: KeyManager::AwsOwned,
                    policy: String::from("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"),
                    rotation_enabled: true,
                },
                now,
            )?;
        }
        Ok(arn)
    }

    fn describe_feature_group(&mut self, principal: &str, input: &Value) -> Result<Value, FsError> {
        let gi = self.find_group(input)?;
        let (arn, account) = self.group_ids(gi)?;
        self.authorize_sagemaker(principal, "sagemaker:DescribeFeatureGroup", &arn, &account)?;
        let g = self
            .feature_store
            .groups
            .get(gi)
            .ok_or_else(not_found_any)?;
        let mut out = json!({
            "FeatureGroupArn": g.arn,
            "FeatureGroupName": g.name,
            "RecordIdentifierFeatureName": g.record_identifier,
            "EventTimeFeatureName": g.event_time,
            "FeatureDefinitions": g.features,
            "CreationTime": g.created_ms as f64 / 1000.0,
            "FeatureGroupStatus": g.status,
        });
        if let Some(o) = out.as_object_mut() {
            if let Some(on) = &g.online {
                let mut cfg = json!({ "EnableOnlineStore": true, "StorageType": on.storage_type });
                if on.key_kind != KeyKind::AwsOwned {
                    set(
                        &mut cfg,
                        "SecurityConfig",
                        json!({ "KmsKeyId": on.key_arn }),
                    );
                }
                if let Some(t) = &on.ttl {
                    set(&mut cfg, "TtlDuration", t.clone());
                }
                o.insert(String::from("OnlineStoreConfig"), cfg);
            }
            if let Some(off) = &g.offline {
                let mut s3 =
                    json!({ "S3Uri": off.s3_uri, "ResolvedOutputS3Uri": off.resolved_uri });
                if let Some(k) = &off.key_arn {
                    set(&mut s3, "KmsKeyId", json!(k));
                }
                o.insert(
                    String::from("OfflineStoreConfig"),
                    json!({ "S3StorageConfig": s3 }),
                );
                let mut st = json!({ "Status": off.status });
                if let Some(r) = &off.blocked_reason {
                    set(&mut st, "BlockedReason", json!(r));
                }
                o.insert(String::from("OfflineStoreStatus"), st);
                o.insert(String::from("RoleArn"), json!(off.role_arn));
            }
            if let Some(r) = &g.failure_reason {
                o.insert(String::from("FailureReason"), json!(r));
            }
            if let Some(d) = &g.description {
                o.insert(String::from("Description"), json!(d));
            }
        }
        Ok(out)
    }

    fn delete_feature_group(&mut self, principal: &str, input: &Value) -> Result<Value, FsError> {
        let gi = self.find_group(input)?;
        let (arn, account) = self.group_ids(gi)?;
        self.authorize_sagemaker(principal, "sagemaker:DeleteFeatureGroup", &arn, &account)?;
        let g = self.feature_store.groups.remove(gi);
        // Online data is deleted; offline data stays (BOTO-SM DeleteFeatureGroup). The grant is retired by
        // Feature Store, its retiring principal.
        let prefix = format!("{}\u{0}", g.arn);
        let keys: Vec<String> = self
            .storage
            .scan(crate::storage::Table::OnlineStore, &prefix)
            .into_iter()
            .map(|(k, _)| String::from(k))
            .collect();
        for k in keys {
            self.storage.delete(crate::storage::Table::OnlineStore, &k);
        }
        if let Some(on) = &g.online {
            if let Some(gid) = &on.grant_id {
                let service = self.service_principal();
                let call = self.call_as(&service, None);
                // A grant already revoked can't be retired again; that is not an error for the deletion.
                let _ = self.kms_request(
                    &call,
                    "RetireGrant",
                    &json!({ "KeyId": on.key_arn, "GrantId": gid }),
                );
            }
        }
        Ok(json!({}))
    }

    pub(crate) fn find_group(&self, input: &Value) -> Result<usize, FsError> {
        let name = input
            .get("FeatureGroupName")
            .and_then(Value::as_str)
            .ok_or_else(|| FsError::validation(String::from("FeatureGroupName is required")))?;
        self.feature_store
            .groups
            .iter()
            .position(|g| g.name == name || g.arn == name)
            .ok_or_else(|| {
                FsError::new(
                    "ResourceNotFound",
                    format!("Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name {name}"),
                )
            })
    }

    pub(crate) fn group_ids(&self, gi: usize) -> Result<(String, String), FsError> {
        let g = self
            .feature_store
            .groups
            .get(gi)
            .ok_or_else(not_found_any)?;
        Ok((g.arn.clone(), g.account.clone()))
    }
}

/// Sets a member of a JSON object (no-op on other values).
fn set(v: &mut Value, key: &str, x: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(String::from(key), x);
    }
}

fn not_found_any() -> FsError {
    FsError::new(
        "ResourceNotFound",
        String::from("Resource Not Found: the feature group no longer exists"),
    )
}

/// The session Feature Store uses when it assumes the offline-store role.
pub fn role_session(role_arn: &str) -> String {
    let account = role_arn.split(':').nth(4).unwrap_or("");
    let name = role_arn.rsplit('/').next().unwrap_or("");
    format!("arn:aws:sts::{account}:assumed-role/{name}/SageMaker-FeatureStore")
}

/// Request parameters as CloudTrail logs them for Feature Store: record values are never logged.
fn strip_record_values(input: &Value) -> Value {
    let mut v = input.clone();
    if let Some(o) = v.as_object_mut() {
        if o.contains_key("Record") {
            o.insert(
                String::from("Record"),
                Value::String(String::from("HIDDEN_DUE_TO_SECURITY_REASONS")),
            );
        }
    }
    v
}
