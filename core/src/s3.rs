//! An S3-like object store for the offline store: buckets with a bucket policy, default SSE-KMS encryption
//! and S3 Bucket Keys (S3-DG/UsingKMSEncryption.md, bucket-key.md). Objects are stored encrypted only.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::json;
use zeroize::Zeroizing;

use crate::evaluation::{Answer, Decision, PolicySource, Request};
use crate::kms::crypto;
use crate::kms::KmsError;
use crate::policy::principal::Caller;
use crate::policy::values::{base64_decode, base64_encode};
use crate::storage::Table;
use crate::world::World;

/// How long S3 keeps a bucket-level key before asking KMS for a new one (modelling decision S1: AWS says
/// "short-lived" without a number).
pub const BUCKET_KEY_LIFETIME_MS: i64 = 60 * 60 * 1000;

#[derive(Clone, Debug, Default)]
pub struct Bucket {
    pub name: String,
    pub account: String,
    pub policy: Option<String>,
    /// Default SSE-KMS key ARN; `None` means SSE-KMS with the account's AWS managed key `aws/s3`.
    pub kms_key_arn: Option<String>,
    pub bucket_key_enabled: bool,
}

/// A bucket-level key S3 holds for one requester and one KMS key.
struct BucketKey {
    bucket: String,
    requester: String,
    key_arn: String,
    wrapped: Vec<u8>,
    plaintext: Zeroizing<Vec<u8>>,
    created_ms: i64,
}

impl core::fmt::Debug for BucketKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BucketKey")
            .field("bucket", &self.bucket)
            .field("requester", &self.requester)
            .field("key_arn", &self.key_arn)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub struct S3 {
    pub buckets: Vec<Bucket>,
    bucket_keys: Vec<BucketKey>,
    /// Objects written, in order (for reports).
    pub objects_written: u64,
}

/// An S3 error: code and message, with the decision behind an access denial.
#[derive(Clone, Debug)]
pub struct S3Error {
    pub code: String,
    pub message: String,
    pub answer: Option<alloc::boxed::Box<Answer>>,
}

impl S3Error {
    fn new(code: &str, message: String) -> S3Error {
        S3Error {
            code: String::from(code),
            message,
            answer: None,
        }
    }
}

impl From<KmsError> for S3Error {
    fn from(e: KmsError) -> S3Error {
        S3Error {
            code: String::from(e.code()),
            message: e.message(),
            answer: e.answer().cloned().map(alloc::boxed::Box::new),
        }
    }
}

impl S3 {
    pub fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.iter().find(|b| b.name == name)
    }
}

/// `s3://bucket/key` → (bucket, key).
pub fn split_uri(uri: &str) -> Option<(&str, &str)> {
    let rest = uri
        .strip_prefix("s3://")
        .or_else(|| uri.strip_prefix("https://"))?;
    Some(match rest.split_once('/') {
        Some((b, k)) => (b, k),
        None => (rest, ""),
    })
}

impl World {
    /// PutObject by `principal` (a role session, for the offline store), encrypted with SSE-KMS.
    /// Returns the KMS key used.
    ///
    /// `kms_key`: the SSE-KMS key the request names (`x-amz-server-side-encryption-aws-kms-key-id`); without
    /// one, the bucket's default key, else the account's AWS managed `aws/s3` key.
    pub fn s3_put_object(
        &mut self,
        principal: &str,
        bucket: &str,
        key: &str,
        body: &[u8],
        kms_key: Option<&str>,
    ) -> Result<String, S3Error> {
        let b = self.s3.bucket(bucket).cloned().ok_or_else(|| {
            S3Error::new(
                "NoSuchBucket",
                String::from("The specified bucket does not exist"),
            )
        })?;
        let object_arn = format!("arn:{}:s3:::{}/{}", self.partition, bucket, key);
        self.s3_authorize(principal, "s3:PutObject", &object_arn, &b)?;
        let key_arn = match kms_key.map(String::from).or_else(|| b.kms_key_arn.clone()) {
            Some(k) => k,
            None => self.aws_managed_key(&b.account, "s3")?,
        };
        let call = self.call_as(principal, Some("s3"));
        let before = self.kms_requests.len();
        let (data_key, wrapped) = if b.bucket_key_enabled {
            // One bucket-level key per requester and KMS key, reused for its lifetime (S3-DG/bucket-key.md);
            // its encryption context is the bucket ARN.
            let now = self.clock_ms;
            let live = self.s3.bucket_keys.iter().position(|k| {
                k.bucket == bucket
                    && k.requester == principal
                    && k.key_arn == key_arn
                    && now < k.created_ms + BUCKET_KEY_LIFETIME_MS
            });
            match live.and_then(|i| self.s3.bucket_keys.get(i)) {
                Some(k) => (k.plaintext.clone(), k.wrapped.clone()),
                None => {
                    let ec =
                        json!({ "aws:s3:arn": format!("arn:{}:s3:::{}", self.partition, bucket) });
                    let (p, w) = self.generate_data_key(&call, &key_arn, ec)?;
                    self.s3.bucket_keys.retain(|k| {
                        !(k.bucket == bucket && k.requester == principal && k.key_arn == key_arn)
                    });
                    self.s3.bucket_keys.push(BucketKey {
                        bucket: String::from(bucket),
                        requester: String::from(principal),
                        key_arn: key_arn.clone(),
                        wrapped: w.clone(),
                        plaintext: p.clone(),
                        created_ms: now,
                    });
                    (p, w)
                }
            }
        } else {
            // Without a Bucket Key every object gets its own data key: one KMS request per object.
            let ec = json!({ "aws:s3:arn": object_arn });
            self.generate_data_key(&call, &key_arn, ec)?
        };
        let sealed = crypto::seal_record(&data_key, object_arn.as_bytes(), body, &mut self.nonces)
            .map_err(|err| S3Error::new("InternalError", err.to_string()))?;
        let mut stored = Vec::with_capacity(wrapped.len() + sealed.len() + 4);
        stored.extend_from_slice(&u32::try_from(wrapped.len()).unwrap_or(0).to_be_bytes());
        stored.extend_from_slice(&wrapped);
        stored.extend_from_slice(&sealed);
        let requests = (before..self.kms_requests.len()).collect();
        self.note_object(
            "sealed",
            bucket,
            key,
            &object_arn,
            &key_arn,
            &b,
            &stored,
            requests,
        );
        self.storage
            .put(Table::OfflineStore, &format!("s3://{bucket}/{key}"), stored);
        self.s3.objects_written += 1;
        Ok(key_arn)
    }

    /// Records what envelope encryption did for one S3 object.
    #[allow(clippy::too_many_arguments)]
    fn note_object(
        &mut self,
        action: &'static str,
        bucket: &str,
        key: &str,
        object_arn: &str,
        key_arn: &str,
        b: &Bucket,
        stored: &[u8],
        kms_requests: Vec<usize>,
    ) {
        let wrapped_len = stored
            .get(..4)
            .and_then(|x| <[u8; 4]>::try_from(x).ok())
            .map_or(0, |x| u32::from_be_bytes(x) as usize);
        let wrapped = stored.get(4..4 + wrapped_len).unwrap_or(&[]);
        let key_manager = match self.kms.key_by_arn(key_arn).map(|k| k.manager) {
            Ok(crate::kms::KeyManager::Aws) => "AWS managed",
            Ok(crate::kms::KeyManager::AwsOwned) => "AWS owned",
            Ok(crate::kms::KeyManager::Customer) => "customer managed",
            // Named by alias or key id (the bucket's or the request's setting), not by ARN.
            Err(_) => "unknown",
        };
        let (data_key, ec) = if b.bucket_key_enabled {
            (
                "an S3 Bucket Key (one data key per bucket, requester and KMS key, reused while it lives)",
                json!({ "aws:s3:arn": format!("arn:{}:s3:::{}", self.partition, bucket) }),
            )
        } else {
            (
                "a data key of its own (GenerateDataKey for this object)",
                json!({ "aws:s3:arn": object_arn }),
            )
        };
        self.envelopes.push(crate::envelope::Envelope {
            store: "offline",
            action,
            location: format!("s3://{bucket}/{key}"),
            kms_key: String::from(key_arn),
            key_manager,
            data_key,
            encryption_context: ec,
            wrapped_data_key_hex: crate::envelope::hex_prefix(wrapped),
            wrapped_data_key_bytes: wrapped.len(),
            algorithm: "AES-256-GCM (additional data: the object ARN)",
            stored_hex: crate::envelope::hex_prefix(stored),
            stored_bytes: stored.len(),
            kms_requests,
        });
    }

    fn generate_data_key(
        &mut self,
        call: &crate::kms::Call,
        key_arn: &str,
        ec: serde_json::Value,
    ) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), S3Error> {
        let out = self.kms_request(
            call,
            "GenerateDataKey",
            &json!({ "KeyId": key_arn, "KeySpec": "AES_256", "EncryptionContext": ec }),
        )?;
        let plain = out
            .get("Plaintext")
            .and_then(|v| v.as_str())
            .and_then(base64_decode)
            .ok_or_else(|| {
                S3Error::new("InternalError", String::from("KMS returned no data key"))
            })?;
        let wrapped = out
            .get("CiphertextBlob")
            .and_then(|v| v.as_str())
            .and_then(base64_decode)
            .unwrap_or_default();
        Ok((Zeroizing::new(plain), wrapped))
    }

    fn s3_authorize(
        &mut self,
        principal: &str,
        action: &str,
        resource: &str,
        b: &Bucket,
    ) -> Result<(), S3Error> {
        let caller = Caller::parse(principal).ok_or_else(|| {
            S3Error::new(
                "AccessDenied",
                format!("`{principal}` is not a valid caller"),
            )
        })?;
        let mut src = self.iam.identity_sources(&caller, None);
        src.resource = b.policy.as_ref().map(|t| PolicySource {
            id: String::from("bucketPolicy"),
            text: t.clone(),
        });
        let req = Request {
            principal: String::from(principal),
            action: String::from(action),
            resource: String::from(resource),
            resource_account: Some(b.account.clone()),
            ..Request::default()
        };
        let answer = self.decide_recorded(&src, false, req, None);
        if answer.decision == Decision::Allow {
            Ok(())
        } else {
            Err(S3Error {
                code: String::from("AccessDenied"),
                message: answer.message.clone().unwrap_or_default(),
                answer: Some(alloc::boxed::Box::new(answer)),
            })
        }
    }

    /// The account's AWS managed key for a service (`aws/s3`, `aws/sagemaker`), created on first use as AWS
    /// does.
    pub fn aws_managed_key(&mut self, account: &str, service: &str) -> Result<String, KmsError> {
        let alias = format!("alias/aws/{service}");
        if let Some(a) = self
            .kms
            .aliases
            .iter()
            .find(|a| a.account == account && a.name == alias)
        {
            if let Some(k) = self
                .kms
                .keys
                .iter()
                .find(|k| k.id == a.target_key_id && k.account == account)
            {
                return Ok(k.arn.clone());
            }
        }
        let id = format!("aws-managed-{service}-{account}");
        let arn = format!(
            "arn:{}:kms:{}:{}:key/{}",
            self.partition, self.region, account, id
        );
        let policy = crate::kms::service::aws_managed_key_policy(
            &self.partition,
            &self.region,
            account,
            service,
        );
        let now = self.clock_ms;
        self.kms.add_key(
            crate::kms::KeySeed {
                arn: arn.clone(),
                description: format!(
                    "Default key that protects my {service} data when no other key is defined"
                ),
                spec: crate::kms::KeySpec::SymmetricDefault,
                usage: crate::kms::KeyUsage::EncryptDecrypt,
                state: crate::kms::KeyState::Enabled,
                manager: crate::kms::KeyManager::Aws,
                policy,
                rotation_enabled: true,
            },
            now,
        )?;
        self.kms.add_alias(&alias, &arn, now)?;
        Ok(arn)
    }

    /// Runs an S3 operation of a scenario: `PutObject` {Bucket, Key, Body, SSEKMSKeyId?}, `GetObject`
    /// {Bucket, Key} (returns the body as text), `ListObjectsV2` {Bucket, Prefix?}.
    pub fn s3_call(
        &mut self,
        principal: &str,
        op: &str,
        input: &serde_json::Value,
    ) -> Result<serde_json::Value, S3Error> {
        let field = |k: &str| {
            input
                .get(k)
                .and_then(serde_json::Value::as_str)
                .map(String::from)
        };
        let bucket = field("Bucket")
            .ok_or_else(|| S3Error::new("InvalidRequest", String::from("Bucket is required")))?;
        match op {
            "PutObject" => {
                let key = field("Key").ok_or_else(|| S3Error::new("InvalidRequest", String::from("Key is required")))?;
                let body = field("Body").unwrap_or_default();
                let sse = field("SSEKMSKeyId");
                let used = self.s3_put_object(principal, &bucket, &key, body.as_bytes(), sse.as_deref())?;
                Ok(json!({ "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": used }))
            }
            "GetObject" => {
                let key = field("Key").ok_or_else(|| S3Error::new("InvalidRequest", String::from("Key is required")))?;
                let body = self.s3_get_object(principal, &format!("s3://{bucket}/{key}"))?;
                let text = String::from_utf8_lossy(&body).into_owned();
                Ok(json!({ "Body": text, "ContentLength": body.len(), "ServerSideEncryption": "aws:kms" }))
            }
            "ListObjectsV2" => {
                let b = self
                    .s3
                    .bucket(&bucket)
                    .cloned()
                    .ok_or_else(|| S3Error::new("NoSuchBucket", String::from("The specified bucket does not exist")))?;
                let arn = format!("arn:{}:s3:::{}", self.partition, bucket);
                self.s3_authorize(principal, "s3:ListBucket", &arn, &b)?;
                let prefix = format!("s3://{bucket}/{}", field("Prefix").unwrap_or_default());
                let strip = format!("s3://{bucket}/");
                let contents: Vec<serde_json::Value> = self
                    .storage
                    .scan(Table::OfflineStore, &prefix)
                    .into_iter()
                    .map(|(k, v)| json!({ "Key": k.strip_prefix(strip.as_str()).unwrap_or(k), "Size": object_size(v) }))
                    .collect();
                Ok(json!({ "Name": bucket, "KeyCount": contents.len(), "Contents": contents }))
            }
            other => Err(S3Error::new(
                "NotImplemented",
                format!("kmslab models the S3 operations PutObject, GetObject and ListObjectsV2, not `{other}`"),
            )),
        }
    }

    /// Reads an offline-store object back (decrypting its data key through KMS as `principal`).
    pub fn s3_get_object(
        &mut self,
        principal: &str,
        uri: &str,
    ) -> Result<Zeroizing<Vec<u8>>, S3Error> {
        let (bucket, key) = split_uri(uri)
            .ok_or_else(|| S3Error::new("InvalidURI", format!("`{uri}` is not an s3:// URI")))?;
        let b = self.s3.bucket(bucket).cloned().ok_or_else(|| {
            S3Error::new(
                "NoSuchBucket",
                String::from("The specified bucket does not exist"),
            )
        })?;
        let object_arn = format!("arn:{}:s3:::{}/{}", self.partition, bucket, key);
        self.s3_authorize(principal, "s3:GetObject", &object_arn, &b)?;
        let stored = self
            .storage
            .get(Table::OfflineStore, &format!("s3://{bucket}/{key}"))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| {
                S3Error::new(
                    "NoSuchKey",
                    String::from("The specified key does not exist."),
                )
            })?;
        let len = stored
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| S3Error::new("InternalError", String::from("corrupt object")))?;
        let wrapped = stored.get(4..4 + len).unwrap_or(&[]);
        let sealed = stored.get(4 + len..).unwrap_or(&[]);
        let ec = if b.bucket_key_enabled {
            json!({ "aws:s3:arn": format!("arn:{}:s3:::{}", self.partition, bucket) })
        } else {
            json!({ "aws:s3:arn": object_arn })
        };
        let call = self.call_as(principal, Some("s3"));
        let before = self.kms_requests.len();
        let out = self.kms_request(
            &call,
            "Decrypt",
            &json!({ "CiphertextBlob": base64_encode(wrapped), "EncryptionContext": ec }),
        )?;
        // The wrapping key, from the wrapped data key's own header (requests on AWS owned keys are not logged).
        let key_arn = crypto::read_header(wrapped)
            .map(|h| h.key_arn)
            .unwrap_or_default();
        let requests: Vec<usize> = (before..self.kms_requests.len()).collect();
        let dk = out
            .get("Plaintext")
            .and_then(|v| v.as_str())
            .and_then(base64_decode)
            .map(Zeroizing::new)
            .ok_or_else(|| {
                S3Error::new("InternalError", String::from("KMS returned no data key"))
            })?;
        let plain = crypto::open_record(&dk, object_arn.as_bytes(), sealed)
            .map_err(|e| S3Error::new("InternalError", e.to_string()))?;
        // Only an object that opened is reported as opened.
        self.note_object(
            "opened",
            bucket,
            key,
            &object_arn,
            &key_arn,
            &b,
            &stored,
            requests,
        );
        Ok(plain)
    }
}

/// The size of the object a stored entry holds: stored = wrapped-key length (4) + wrapped key + sealed record
/// (17-byte header, ciphertext, 16-byte tag). S3 reports the object's own size, not its encrypted size.
fn object_size(stored: &[u8]) -> usize {
    let wrapped = stored
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u32::from_be_bytes(b) as usize);
    stored.len().saturating_sub(4 + wrapped + 17 + 16)
}
