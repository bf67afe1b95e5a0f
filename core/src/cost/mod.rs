//! KMS request metering: per-account request quotas (throttling), request and key charges, and the S3 Bucket
//! Key comparison.
//!
//! A [`Meter`] sees every KMS request the simulator serves ([`Meter::admit`]). It keeps, per payer account and
//! quota, the admitted requests of the current window, so a request over the quota is refused with
//! [`Throttled`] (the KMS layer turns it into `ThrottlingException`, "You have exceeded the rate at which you
//! may call KMS. Reduce the frequency of your calls."). It also keeps a log of every request, from which
//! [`Meter::report`] prices the requests and the keys and [`Meter::requests_over_time`] feeds charts.
//! There is no clock: every request carries the simulated time `now_ms` (epoch milliseconds).
//!
//! Money is counted in integer micro-dollars (µ$, millionths of a dollar); [`format_usd`] renders it.
//!
//! # What the sources say (aws-semantics.md §3.7, §4.5, §4.6) and how it is modelled
//!
//! Request quotas (KMS-DG/requests-per-second.md, commit 38281913, 2022-12):
//! - Cryptographic operations on symmetric keys share one quota per account and Region: "5,500 (or 10,000 or
//!   50,000 depending upon your AWS Region)". HMAC keys count here too ("This quota applies to cryptographic
//!   operations with symmetric encryption keys and HMAC keys"). RSA keys share 500, ECC keys 300, SM2 keys
//!   (China Regions) 300; each key type's quota is independent of the others.
//! - Per-API quotas: the table of the same page, see [`OPERATION_QUOTAS`] (CreateGrant 50, DescribeKey 2000,
//!   ListAliases 500, ListGrants 100, RetireGrant 30, RevokeGrant 30, CreateKey 5, DisableKey 5, EnableKey 5,
//!   ScheduleKeyDeletion 15, PutKeyPolicy 15, GetKeyPolicy 1000, …). `GenerateDataKeyPair` and
//!   `GenerateDataKeyPairWithoutPlaintext` share a separate quota per data key pair spec, some of them below
//!   one per second ("0.5 (1 in each 2-second interval)"): [`DATA_KEY_PAIR_QUOTAS`].
//! - "Each request quota is calculated independently"; the crypto quota is independent of management quotas.
//! - "Throttling is based on all requests on KMS keys of all types in the Region. This total includes requests
//!   from all principals in the AWS account, including requests from AWS services on your behalf." — requests
//!   a service makes for a caller ([`Metered::via_service`]) count against the caller's account.
//! - "For cross-account requests, AWS KMS throttles the account that makes the requests, not the account that
//!   owns the KMS key." — the quota is the payer's ([`Metered::payer_account`]), whoever owns the key.
//! - "The use of AWS owned keys does not count against request quotas" — such requests are logged (for
//!   charts) but never counted, throttled or charged.
//!
//! Pricing (<https://aws.amazon.com/kms/pricing/>, excerpts in §3.7):
//! - "Each AWS KMS key that you create in AWS KMS costs $1/month (prorated hourly)"; "each newly generated
//!   backing key costs an additional $1/month (prorated hourly)"; no charge for AWS managed or AWS owned keys
//!   or for keys pending deletion.
//! - "AWS Free Tier includes 20,000 free AWS KMS requests each month"; AWS managed keys: "you will be charged
//!   on any API request made to AWS-managed keys"; "When you use a KMS key in a different AWS account, the AWS
//!   account that makes the API request is charged for the key use."
//! - $0.03 per 10,000 requests (symmetric) = 3 µ$ per request, exactly. **Source caveat:** this number comes
//!   from third-party pages citing the official price list (wring.co, factualminds.com, cloudburn.io, 2026);
//!   the official table itself was not read. [`PRICE_SOURCE`] carries this caveat into every report.
//!
//! S3 Bucket Keys (§4.5, §4.6): without a Bucket Key "Amazon S3 makes a call to AWS KMS every time a request
//! is made against a KMS-encrypted object"; with one, a "short-lived bucket-level key" is generated per
//! requester ("the same role, from a *different* IAM session, will still be recognized as a different
//! requester") and per KMS key ("Amazon S3 will only share an S3 Bucket Key for objects encrypted by the same
//! AWS KMS key"); Feature Store's page says it can "reduce AWS KMS requests costs by up to 99 percent".
//! See [`s3_kms_requests`] and [`bucket_key_savings`].
//!
//! # Modelling decisions (assumptions where the sources are silent)
//!
//! - **C1 Regions.** Symmetric crypto quota: `us-east-1` 50,000 (§3.7); `eu-west-2` (London) and
//!   `ap-southeast-1` (Singapore) 10,000 (the cited page's own examples: "in the Europe (London) Region, you can
//!   perform 10,000 cryptographic operations", "in the Asia Pacific (Singapore) Region … up to 10,000 calls per
//!   second"); every other Region 5,500. The page's per-Region table was not in the copy read, so Regions that
//!   really have 10,000 or 50,000 (AWS lists more than these) get 5,500 here. See [`symmetric_request_quota`].
//! - **C2 Window.** "Each quota applies to all requests … in each one-second interval": modelled as a sliding
//!   window — a request at `t` is admitted when fewer than `limit` admitted requests of the same account and
//!   quota lie in `(t - window, t]`. Quotas below one per second use the interval the table gives (1 in 2 s,
//!   1 in 4 s, 1 in 10 s). Throttled requests do not use up the quota.
//! - **C3 Operations not in the table** (e.g. `RotateKeyOnDemand`, `ListKeyRotations`) get their own quota of
//!   [`DEFAULT_OPERATION_QUOTA`] = 5 per second, the table's most common value. Operation names are matched
//!   case-insensitively, with or without `kms:`; `ReEncryptFrom`/`ReEncryptTo` are the `ReEncrypt` operation.
//! - **C4 Crypto operations** (Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext,
//!   GenerateMac, VerifyMac, GenerateRandom, Sign, Verify, DeriveSharedSecret) count against the quota of the
//!   request's key spec; with no key spec (GenerateRandom, or a caller that does not say) the symmetric one.
//!   ECC_NIST_EDWARDS25519 and ECC_SECG_P256K1 are ECC. ML-DSA keys postdate the page read: they get a quota of
//!   their own, 300 per second like ECC. ReEncrypt is one request, counted once against the key spec given.
//!   A `GenerateDataKeyPair*` request without its data key pair spec is counted in a bucket of its own
//!   ("unspecified") allowing 1 per second.
//! - **C5 Custom key stores** (1,800 per store), `ReplicateKey` counting in two Regions and
//!   `UpdatePrimaryRegion` counting twice are not modelled (one Region, no custom key stores).
//! - **C6 Clock.** `now_ms` is the caller's simulated time. Requests should arrive in non-decreasing time per
//!   account; a request earlier than the latest one by more than the window sees an incomplete window.
//!   Reports and charts order requests by time.
//! - **C7 What is charged.** Every admitted request is charged, keyless ones too (CreateKey, ListAliases,
//!   GenerateRandom), except requests on AWS owned keys. Throttled requests are not charged. Whether requests
//!   that then fail (AccessDenied, NotFound, …) are charged is the caller's choice: the KMS layer calls
//!   `admit` before authorizing, so they are. All requests, asymmetric ones too, are priced at the symmetric
//!   $0.03 per 10,000: the reference has no asymmetric prices.
//! - **C8 Free tier.** The pricing text says "20,000 free AWS KMS requests each month", not per whom. kmslab
//!   applies it per payer account and per calendar month in UTC, to the account's requests in time order (the
//!   first 20,000 of a month are free). Organizations sharing one free tier under consolidated billing, and
//!   requests in other Regions using up the same free tier, are not modelled.
//! - **C9 Key charges.** A month is 730 hours (AWS's usual hours-per-month convention), so a customer managed
//!   key costs 1,000,000 µ$ / 730 per hour. "Prorated hourly" is read as: each started hour is charged. A key
//!   is charged from `created_ms` until it was scheduled for deletion (or deleted), or until the report time.
//!   Each rotation adds the same hourly charge from its time. A key whose deletion was cancelled is described
//!   by the caller with `deleted_or_pending_deletion_ms: None` (its pending period is then charged). The
//!   2024 rotation-pricing change (mentioned by cloudburn.io, not read) is not modelled. Each key's charge is
//!   rounded once to the nearest µ$. The key's owner (the account in its ARN) pays for it.
//! - **C10 S3 Bucket Keys.** The bucket-level key's lifetime is not documented ("short-lived"), so the caller
//!   chooses it. Uploads and downloads reuse a bucket-level key for the same requester and KMS key within
//!   its lifetime (downloads' reuse is not documented; assumed the same). Savings are priced at 3 µ$ per
//!   request and ignore the free tier.
//! - **C11 Quota scale.** [`Meter::set_quota_divisor`] divides every quota (at least 1 per window) so a
//!   scenario can show throttling with a few requests; [`Meter::set_quota`] sets one quota, like a quota
//!   increase ("All AWS KMS request quotas are adjustable").

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::kms::{KeyManager, KeySpec};

/// Micro-dollars per dollar.
pub const MICROS_PER_DOLLAR: u64 = 1_000_000;
/// $0.03 per 10,000 requests = 3 µ$ per request (see [`PRICE_SOURCE`]).
pub const REQUEST_PRICE_MICROS: u64 = 3;
/// "AWS Free Tier includes 20,000 free AWS KMS requests each month" (applied per account, C8).
pub const FREE_REQUESTS_PER_MONTH: u64 = 20_000;
/// "$1/month (prorated hourly)" per customer managed key, and per rotation.
pub const KEY_MONTH_MICROS: u64 = MICROS_PER_DOLLAR;
/// Hours in a billing month (C9).
pub const HOURS_PER_MONTH: u64 = 730;
/// Where the request price comes from.
pub const PRICE_SOURCE: &str = "$0.03 per 10,000 requests (symmetric) is taken from third-party pages citing \
https://aws.amazon.com/kms/pricing/ (wring.co, factualminds.com, cloudburn.io, 2026); the official price table \
was not read. Asymmetric requests are priced the same here.";
/// Quota of an operation the table does not list (C3).
pub const DEFAULT_OPERATION_QUOTA: u32 = 5;

const HOUR_MS: i64 = 3_600_000;
const SECOND_MS: i64 = 1_000;

/// Per-API request quotas: (operation, requests, per window in ms). KMS-DG/requests-per-second.md, commit
/// 38281913 (2022-12), "Request quotas for each AWS KMS API operation".
pub const OPERATION_QUOTAS: &[(&str, u32, i64)] = &[
    ("CancelKeyDeletion", 5, SECOND_MS),
    ("ConnectCustomKeyStore", 5, SECOND_MS),
    ("CreateAlias", 5, SECOND_MS),
    ("CreateCustomKeyStore", 5, SECOND_MS),
    ("CreateGrant", 50, SECOND_MS),
    ("CreateKey", 5, SECOND_MS),
    ("DeleteAlias", 15, SECOND_MS),
    ("DeleteCustomKeyStore", 5, SECOND_MS),
    ("DeleteImportedKeyMaterial", 5, SECOND_MS),
    ("DescribeCustomKeyStores", 5, SECOND_MS),
    ("DescribeKey", 2000, SECOND_MS),
    ("DisableKey", 5, SECOND_MS),
    ("DisableKeyRotation", 5, SECOND_MS),
    ("DisconnectCustomKeyStore", 5, SECOND_MS),
    ("EnableKey", 5, SECOND_MS),
    ("EnableKeyRotation", 15, SECOND_MS),
    ("GetKeyPolicy", 1000, SECOND_MS),
    ("GetKeyRotationStatus", 1000, SECOND_MS),
    ("GetParametersForImport", 1, 4 * SECOND_MS),
    ("GetPublicKey", 2000, SECOND_MS),
    ("ImportKeyMaterial", 5, SECOND_MS),
    ("ListAliases", 500, SECOND_MS),
    ("ListGrants", 100, SECOND_MS),
    ("ListKeyPolicies", 100, SECOND_MS),
    ("ListKeys", 500, SECOND_MS),
    ("ListResourceTags", 2000, SECOND_MS),
    ("ListRetirableGrants", 100, SECOND_MS),
    ("PutKeyPolicy", 15, SECOND_MS),
    ("ReplicateKey", 5, SECOND_MS),
    ("RetireGrant", 30, SECOND_MS),
    ("RevokeGrant", 30, SECOND_MS),
    ("ScheduleKeyDeletion", 15, SECOND_MS),
    ("TagResource", 10, SECOND_MS),
    ("UntagResource", 5, SECOND_MS),
    ("UpdateAlias", 5, SECOND_MS),
    ("UpdateCustomKeyStore", 5, SECOND_MS),
    ("UpdateKeyDescription", 5, SECOND_MS),
    ("UpdatePrimaryRegion", 5, SECOND_MS),
];

/// `GenerateDataKeyPair*` quotas per data key pair spec (same table).
pub const DATA_KEY_PAIR_QUOTAS: &[(&str, u32, i64)] = &[
    ("ECC_NIST_P256", 25, SECOND_MS),
    ("ECC_NIST_P384", 10, SECOND_MS),
    ("ECC_NIST_P521", 5, SECOND_MS),
    ("ECC_SECG_P256K1", 25, SECOND_MS),
    ("RSA_2048", 1, SECOND_MS),
    ("RSA_3072", 1, 2 * SECOND_MS),
    ("RSA_4096", 1, 10 * SECOND_MS),
    ("SM2", 25, SECOND_MS),
];

/// Operations that share the cryptographic-operations quota of their key type (C4).
pub const CRYPTO_OPERATIONS: &[&str] = &[
    "Decrypt",
    "DeriveSharedSecret",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "GenerateRandom",
    "ReEncrypt",
    "Sign",
    "Verify",
    "VerifyMac",
];

const DATA_KEY_PAIR_OPERATIONS: &[&str] =
    &["GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"];

/// Known operations without a quota of their own in the table (their names are still normalised).
const OTHER_OPERATIONS: &[&str] = &["RotateKeyOnDemand", "ListKeyRotations"];

/// The symmetric cryptographic-operations quota of a Region (C1).
pub fn symmetric_request_quota(region: &str) -> u32 {
    match region {
        "us-east-1" => 50_000,
        "eu-west-2" | "ap-southeast-1" => 10_000,
        _ => 5_500,
    }
}

/// The AWS spelling of a KMS operation name (`kms:decrypt` → `Decrypt`, `ReEncryptFrom` → `ReEncrypt`);
/// unknown names are returned without their `kms:` prefix.
pub fn canonical_operation(operation: &str) -> &str {
    let bare = strip_kms_prefix(operation);
    if bare.eq_ignore_ascii_case("ReEncryptFrom") || bare.eq_ignore_ascii_case("ReEncryptTo") {
        return "ReEncrypt";
    }
    let known = CRYPTO_OPERATIONS
        .iter()
        .chain(DATA_KEY_PAIR_OPERATIONS)
        .chain(OTHER_OPERATIONS)
        .copied()
        .chain(OPERATION_QUOTAS.iter().map(|(op, _, _)| *op));
    for name in known {
        if name.eq_ignore_ascii_case(bare) {
            return name;
        }
    }
    bare
}

fn strip_kms_prefix(operation: &str) -> &str {
    match operation.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("kms:") => operation.get(4..).unwrap_or(operation),
        _ => operation,
    }
}

/// A request quota: at most `limit` requests in any `window_ms` (1,000 for "per second").
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Quota {
    pub limit: u32,
    pub window_ms: i64,
}

impl Quota {
    pub const fn per_second(limit: u32) -> Quota {
        Quota {
            limit,
            window_ms: SECOND_MS,
        }
    }
}

/// A quota requests are counted against. Serialised (and displayed) as its Service Quotas name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QuotaBucket {
    /// "Cryptographic operations (symmetric) request rate" (symmetric encryption and HMAC keys).
    Symmetric,
    /// "Cryptographic operations (RSA) request rate".
    Rsa,
    /// "Cryptographic operations (ECC) request rate".
    Ecc,
    /// "Cryptographic operations (SM) request rate" (China Regions).
    Sm,
    /// ML-DSA keys (assumed, C4).
    MlDsa,
    /// "GenerateDataKeyPair (SPEC) request rate"; `"unspecified"` when the request did not say (C4).
    DataKeyPair(&'static str),
    /// "OPERATION request rate": a per-API quota, by canonical operation name.
    Operation(String),
}

impl QuotaBucket {
    /// The Service Quotas name.
    pub fn name(&self) -> String {
        match self {
            QuotaBucket::Symmetric => {
                String::from("Cryptographic operations (symmetric) request rate")
            }
            QuotaBucket::Rsa => String::from("Cryptographic operations (RSA) request rate"),
            QuotaBucket::Ecc => String::from("Cryptographic operations (ECC) request rate"),
            QuotaBucket::Sm => String::from("Cryptographic operations (SM) request rate"),
            QuotaBucket::MlDsa => String::from("Cryptographic operations (ML-DSA) request rate"),
            QuotaBucket::DataKeyPair(spec) => format!("GenerateDataKeyPair ({spec}) request rate"),
            QuotaBucket::Operation(op) => format!("{op} request rate"),
        }
    }

    /// The bucket a request counts against: `operation` (any spelling, see [`canonical_operation`]), the
    /// spec of the KMS key used and, for `GenerateDataKeyPair*`, the spec of the data key pair.
    pub fn of(
        operation: &str,
        key_spec: Option<KeySpec>,
        data_key_pair_spec: Option<KeySpec>,
    ) -> QuotaBucket {
        let op = canonical_operation(operation);
        if DATA_KEY_PAIR_OPERATIONS.contains(&op) {
            return QuotaBucket::DataKeyPair(
                data_key_pair_spec.map_or("unspecified", KeySpec::as_str),
            );
        }
        if !CRYPTO_OPERATIONS.contains(&op) {
            return QuotaBucket::Operation(String::from(op));
        }
        if op == "GenerateRandom" {
            return QuotaBucket::Symmetric;
        }
        match key_spec {
            None
            | Some(
                KeySpec::SymmetricDefault
                | KeySpec::Hmac224
                | KeySpec::Hmac256
                | KeySpec::Hmac384
                | KeySpec::Hmac512,
            ) => QuotaBucket::Symmetric,
            Some(KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096) => QuotaBucket::Rsa,
            Some(
                KeySpec::EccNistP256
                | KeySpec::EccNistP384
                | KeySpec::EccNistP521
                | KeySpec::EccSecgP256k1
                | KeySpec::EccNistEdwards25519,
            ) => QuotaBucket::Ecc,
            Some(KeySpec::Sm2) => QuotaBucket::Sm,
            Some(KeySpec::MlDsa44 | KeySpec::MlDsa65 | KeySpec::MlDsa87) => QuotaBucket::MlDsa,
        }
    }

    /// The default quota of this bucket in `region`.
    pub fn default_quota(&self, region: &str) -> Quota {
        match self {
            QuotaBucket::Symmetric => Quota::per_second(symmetric_request_quota(region)),
            QuotaBucket::Rsa => Quota::per_second(500),
            QuotaBucket::Ecc | QuotaBucket::Sm | QuotaBucket::MlDsa => Quota::per_second(300),
            QuotaBucket::DataKeyPair(spec) => DATA_KEY_PAIR_QUOTAS
                .iter()
                .find(|(s, _, _)| s == spec)
                .map_or(Quota::per_second(1), |&(_, limit, window_ms)| Quota {
                    limit,
                    window_ms,
                }),
            QuotaBucket::Operation(op) => OPERATION_QUOTAS.iter().find(|(o, _, _)| o == op).map_or(
                Quota::per_second(DEFAULT_OPERATION_QUOTA),
                |&(_, limit, window_ms)| Quota { limit, window_ms },
            ),
        }
    }
}

impl fmt::Display for QuotaBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl serde::Serialize for QuotaBucket {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

/// One KMS request as metered.
#[derive(Clone, Copy, Debug)]
pub struct Metered<'a> {
    /// Simulated time, epoch milliseconds.
    pub now_ms: i64,
    /// The account making the request — the caller's account, also when the key is in another account or a
    /// service calls on the caller's behalf. It is throttled and charged.
    pub payer_account: &'a str,
    /// The key used (ARN), if any.
    pub key_arn: Option<&'a str>,
    pub key_manager: Option<KeyManager>,
    pub key_spec: Option<KeySpec>,
    /// `Decrypt`, `GenerateDataKey`, … (any case, with or without `kms:`).
    pub operation: &'a str,
    /// The service calling on the payer's behalf (`s3`, `sagemaker`), if any.
    pub via_service: Option<&'a str>,
    /// `KeyPairSpec` of `GenerateDataKeyPair*`.
    pub data_key_pair_spec: Option<KeySpec>,
}

impl<'a> Metered<'a> {
    /// A request without a key (CreateKey, ListAliases, GenerateRandom); add one with [`Metered::on_key`].
    pub fn new(now_ms: i64, payer_account: &'a str, operation: &'a str) -> Metered<'a> {
        Metered {
            now_ms,
            payer_account,
            key_arn: None,
            key_manager: None,
            key_spec: None,
            operation,
            via_service: None,
            data_key_pair_spec: None,
        }
    }

    /// The request uses this key.
    pub fn on_key(mut self, key_arn: &'a str, manager: KeyManager, spec: KeySpec) -> Metered<'a> {
        self.key_arn = Some(key_arn);
        self.key_manager = Some(manager);
        self.key_spec = Some(spec);
        self
    }

    /// A service makes the request on the payer's behalf.
    pub fn via(mut self, service: &'a str) -> Metered<'a> {
        self.via_service = Some(service);
        self
    }

    /// The data key pair spec of a `GenerateDataKeyPair*` request.
    pub fn key_pair(mut self, spec: KeySpec) -> Metered<'a> {
        self.data_key_pair_spec = Some(spec);
        self
    }

    /// The quota this request counts against; `None` for AWS owned keys.
    pub fn bucket(&self) -> Option<QuotaBucket> {
        if self.key_manager == Some(KeyManager::AwsOwned) {
            return None;
        }
        Some(QuotaBucket::of(
            self.operation,
            self.key_spec,
            self.data_key_pair_spec,
        ))
    }
}

/// The request was over its quota: the caller returns `ThrottlingException` with [`Throttled::AWS_MESSAGE`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttled {
    pub account: String,
    pub bucket: QuotaBucket,
    pub quota: Quota,
}

impl Throttled {
    /// The message AWS returns (KMS-DG/throttling.md).
    pub const AWS_MESSAGE: &'static str =
        "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.";
}

impl fmt::Display for Throttled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "request rate exceeded for account {}: the {} quota allows {} requests per {} ms",
            self.account,
            self.bucket.name(),
            self.quota.limit,
            self.quota.window_ms
        )
    }
}

impl From<Throttled> for crate::kms::KmsError {
    fn from(_: Throttled) -> Self {
        crate::kms::KmsError::Throttling
    }
}

/// A key to price in [`Meter::report`].
#[derive(Clone, Copy, Debug)]
pub struct KeyCost<'a> {
    pub key_arn: &'a str,
    pub manager: KeyManager,
    pub created_ms: i64,
    /// When deletion was scheduled (or the key deleted): no charge from then on.
    pub deleted_or_pending_deletion_ms: Option<i64>,
    /// When the key material was rotated (automatic or on demand): each adds $1/month from its time.
    pub rotations_ms: &'a [i64],
}

/// What one key costs its owner.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct KeyCharge {
    pub key_arn: String,
    /// The account in the key ARN: it pays for the key.
    pub owner_account: String,
    pub manager: KeyManager,
    /// Started hours the key was billable.
    pub key_hours: u64,
    /// Started hours of the rotations' backing keys, summed.
    pub rotation_hours: u64,
    pub micros: u64,
    pub display: String,
    /// Requests made on this key by anyone (admitted, not throttled), charged to their payers.
    pub requests: u64,
    /// Why the key is free, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

/// Requests of one account for one operation, per quota bucket.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct OperationCount {
    pub account: String,
    pub operation: String,
    /// The quota these requests counted against (`None`: AWS owned keys, which count against none).
    #[cfg_attr(feature = "wasm-policy", tsify(type = "string | null"))]
    pub bucket: Option<QuotaBucket>,
    /// Admitted and counted requests (billable).
    pub requests: u64,
    /// Of those, made by a service on the account's behalf.
    pub on_behalf: u64,
    /// Refused with ThrottlingException (not charged).
    pub throttled: u64,
    /// Requests on AWS owned keys (free, not counted).
    pub aws_owned: u64,
    pub micros: u64,
}

/// One account's requests in one calendar month (UTC), with the free tier applied.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct MonthCharge {
    /// `YYYY-MM`.
    pub month: String,
    pub account: String,
    pub requests: u64,
    pub free_requests: u64,
    pub charged_requests: u64,
    pub micros: u64,
    pub display: String,
}

/// One account's bill.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct AccountCharge {
    pub account: String,
    pub requests: u64,
    pub free_requests: u64,
    pub charged_requests: u64,
    pub request_micros: u64,
    /// Keys the account owns.
    pub key_micros: u64,
    pub total_micros: u64,
    pub display: String,
}

/// How an account used one quota.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct QuotaUsage {
    pub account: String,
    #[cfg_attr(feature = "wasm-policy", tsify(type = "string"))]
    pub bucket: QuotaBucket,
    pub quota: Quota,
    pub admitted: u64,
    pub throttled: u64,
    /// Most admitted requests seen in one window.
    pub peak: u32,
}

/// Costs and quota use up to a point in time.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct CostReport {
    pub as_of_ms: i64,
    pub region: String,
    pub keys: Vec<KeyCharge>,
    pub operations: Vec<OperationCount>,
    pub months: Vec<MonthCharge>,
    pub accounts: Vec<AccountCharge>,
    pub quotas: Vec<QuotaUsage>,
    pub key_micros: u64,
    pub request_micros: u64,
    pub total_micros: u64,
    pub total: String,
    pub price_source: &'static str,
}

/// Requests of one account on one key (or without a key) in a time bucket.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeRow {
    pub account: String,
    pub key_arn: Option<String>,
    pub requests: u64,
    pub throttled: u64,
    pub aws_owned: u64,
    pub micros: u64,
}

/// A time bucket for charts: `[start_ms, start_ms + bucket_ms)`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeBucket {
    pub start_ms: i64,
    pub end_ms: i64,
    pub rows: Vec<TimeRow>,
    pub requests: u64,
    pub throttled: u64,
    pub micros: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Counted,
    AwsOwned,
    Throttled,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    t: i64,
    account: usize,
    key: Option<usize>,
    op: usize,
    bucket: Option<usize>,
    on_behalf: bool,
    outcome: Outcome,
}

#[derive(Clone, Debug)]
struct Interner<T: Ord + Clone> {
    items: Vec<T>,
    index: BTreeMap<T, usize>,
}

impl<T: Ord + Clone> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            items: Vec::new(),
            index: BTreeMap::new(),
        }
    }
}

impl<T: Ord + Clone> Interner<T> {
    fn id(&mut self, item: &T) -> usize {
        if let Some(&i) = self.index.get(item) {
            return i;
        }
        let i = self.items.len();
        self.items.push(item.clone());
        self.index.insert(item.clone(), i);
        i
    }

    fn get(&self, i: usize) -> Option<&T> {
        self.items.get(i)
    }
}

impl Interner<String> {
    fn id_str(&mut self, s: &str) -> usize {
        match self.index.get(s) {
            Some(&i) => i,
            None => self.id(&String::from(s)),
        }
    }

    fn find_str(&self, s: &str) -> Option<usize> {
        self.index.get(s).copied()
    }
}

/// Request metering for one simulated Region.
#[derive(Clone, Debug)]
pub struct Meter {
    region: String,
    divisor: u32,
    overrides: BTreeMap<QuotaBucket, u32>,
    accounts: Interner<String>,
    keys: Interner<String>,
    ops: Interner<String>,
    buckets: Interner<QuotaBucket>,
    /// Admitted request times per (account, bucket), sorted.
    windows: BTreeMap<(usize, usize), VecDeque<i64>>,
    /// Every request, sorted by time (stable).
    log: Vec<Entry>,
}

impl Meter {
    /// A meter for `region` (quotas depend on it, C1).
    pub fn new(region: &str) -> Meter {
        Meter {
            region: String::from(region),
            divisor: 1,
            overrides: BTreeMap::new(),
            accounts: Interner::default(),
            keys: Interner::default(),
            ops: Interner::default(),
            buckets: Interner::default(),
            windows: BTreeMap::new(),
            log: Vec::new(),
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// Divides every quota by `divisor` (at least one request per window remains), so scenarios can show
    /// throttling cheaply. 0 and 1 restore the documented quotas. Explicit [`Meter::set_quota`] values are not
    /// divided.
    pub fn set_quota_divisor(&mut self, divisor: u32) {
        self.divisor = divisor.max(1);
    }

    /// Sets one quota's limit per window (a quota increase or decrease); the window stays the documented one.
    pub fn set_quota(&mut self, bucket: QuotaBucket, limit: u32) {
        self.overrides.insert(bucket, limit);
    }

    /// The quota in force for `bucket`.
    pub fn quota(&self, bucket: &QuotaBucket) -> Quota {
        let default = bucket.default_quota(&self.region);
        match self.overrides.get(bucket) {
            Some(&limit) => Quota {
                limit,
                window_ms: default.window_ms,
            },
            None => Quota {
                limit: (default.limit / self.divisor).max(1),
                window_ms: default.window_ms,
            },
        }
    }

    /// Checks the request-rate quota of the payer account and counts the request. `Err(Throttled)`: the
    /// caller returns `ThrottlingException`; throttled requests are logged but neither counted nor charged.
    /// Requests on AWS owned keys are always admitted and never counted or charged.
    pub fn admit(&mut self, r: &Metered<'_>) -> Result<(), Throttled> {
        let account = self.accounts.id_str(r.payer_account);
        let key = r.key_arn.map(|k| self.keys.id_str(k));
        let op = self.ops.id_str(canonical_operation(r.operation));
        let on_behalf = r.via_service.is_some();
        let t = r.now_ms;
        let Some(bucket) = r.bucket() else {
            self.record(Entry {
                t,
                account,
                key,
                op,
                bucket: None,
                on_behalf,
                outcome: Outcome::AwsOwned,
            });
            return Ok(());
        };
        let quota = self.quota(&bucket);
        let bucket_id = self.buckets.id(&bucket);
        let window = self.windows.entry((account, bucket_id)).or_default();
        let start = t.saturating_sub(quota.window_ms);
        while window.front().is_some_and(|&front| front <= start) {
            window.pop_front();
        }
        let upto = window.partition_point(|&x| x <= t);
        let from = window.partition_point(|&x| x <= start);
        let in_window = upto.saturating_sub(from);
        let admitted = u32::try_from(in_window).unwrap_or(u32::MAX) < quota.limit;
        if admitted {
            window.insert(upto, t);
        }
        self.record(Entry {
            t,
            account,
            key,
            op,
            bucket: Some(bucket_id),
            on_behalf,
            outcome: if admitted {
                Outcome::Counted
            } else {
                Outcome::Throttled
            },
        });
        if admitted {
            Ok(())
        } else {
            Err(Throttled {
                account: String::from(r.payer_account),
                bucket,
                quota,
            })
        }
    }

    fn record(&mut self, entry: Entry) {
        let at = self.log.partition_point(|e| e.t <= entry.t);
        self.log.insert(at, entry);
    }

    /// Requests logged so far (admitted, throttled and on AWS owned keys).
    pub fn logged_requests(&self) -> usize {
        self.log.len()
    }

    fn account_name(&self, i: usize) -> String {
        self.accounts.get(i).cloned().unwrap_or_default()
    }

    fn key_name(&self, i: Option<usize>) -> Option<String> {
        i.and_then(|i| self.keys.get(i).cloned())
    }

    /// The price of each logged request, in log order: the free tier applies per account and calendar month.
    fn prices(&self) -> Vec<u64> {
        let mut used: BTreeMap<(usize, i64), u64> = BTreeMap::new();
        self.log
            .iter()
            .map(|e| {
                if e.outcome != Outcome::Counted {
                    return 0;
                }
                let n = used.entry((e.account, month_index(e.t))).or_insert(0);
                *n = n.saturating_add(1);
                if *n > FREE_REQUESTS_PER_MONTH {
                    REQUEST_PRICE_MICROS
                } else {
                    0
                }
            })
            .collect()
    }

    /// Costs of `keys` and of the requests logged up to `now_ms` (inclusive), and quota use.
    pub fn report(&self, keys: &[KeyCost<'_>], now_ms: i64) -> CostReport {
        let end = self.log.partition_point(|e| e.t <= now_ms);
        let log = self.log.get(..end).unwrap_or(&[]);
        let prices = self.prices();

        let mut ops: BTreeMap<(usize, usize, Option<usize>), OperationCount> = BTreeMap::new();
        let mut months: BTreeMap<(i64, usize), (u64, u64)> = BTreeMap::new(); // (requests, micros)
        let mut key_requests: BTreeMap<usize, u64> = BTreeMap::new();
        let mut quotas: BTreeMap<(usize, usize), QuotaTally> = BTreeMap::new();
        for (e, &price) in log.iter().zip(&prices) {
            let row = ops
                .entry((e.account, e.op, e.bucket))
                .or_insert_with(|| OperationCount {
                    account: self.account_name(e.account),
                    operation: self.ops.get(e.op).cloned().unwrap_or_default(),
                    bucket: e.bucket.and_then(|b| self.buckets.get(b).cloned()),
                    requests: 0,
                    on_behalf: 0,
                    throttled: 0,
                    aws_owned: 0,
                    micros: 0,
                });
            match e.outcome {
                Outcome::AwsOwned => row.aws_owned = row.aws_owned.saturating_add(1),
                Outcome::Throttled => row.throttled = row.throttled.saturating_add(1),
                Outcome::Counted => {
                    row.requests = row.requests.saturating_add(1);
                    if e.on_behalf {
                        row.on_behalf = row.on_behalf.saturating_add(1);
                    }
                    row.micros = row.micros.saturating_add(price);
                    let m = months.entry((month_index(e.t), e.account)).or_default();
                    m.0 = m.0.saturating_add(1);
                    m.1 = m.1.saturating_add(price);
                    if let Some(k) = e.key {
                        let n = key_requests.entry(k).or_insert(0);
                        *n = n.saturating_add(1);
                    }
                }
            }
            if let Some(b) = e.bucket {
                let q = quotas.entry((e.account, b)).or_default();
                if e.outcome == Outcome::Throttled {
                    q.throttled = q.throttled.saturating_add(1);
                } else {
                    q.admitted = q.admitted.saturating_add(1);
                    let window_ms = self
                        .buckets
                        .get(b)
                        .map_or(SECOND_MS, |bucket| self.quota(bucket).window_ms);
                    let start = e.t.saturating_sub(window_ms);
                    while q.window.front().is_some_and(|&f| f <= start) {
                        q.window.pop_front();
                    }
                    q.window.push_back(e.t);
                    q.peak = q
                        .peak
                        .max(u32::try_from(q.window.len()).unwrap_or(u32::MAX));
                }
            }
        }

        let mut accounts: BTreeMap<String, AccountCharge> = BTreeMap::new();
        let month_rows: Vec<MonthCharge> = months
            .iter()
            .map(|(&(month, account), &(requests, micros))| {
                let free = requests.min(FREE_REQUESTS_PER_MONTH);
                let name = self.account_name(account);
                let a = accounts
                    .entry(name.clone())
                    .or_insert_with(|| empty_account(&name));
                a.requests = a.requests.saturating_add(requests);
                a.free_requests = a.free_requests.saturating_add(free);
                a.charged_requests = a.charged_requests.saturating_add(requests - free);
                a.request_micros = a.request_micros.saturating_add(micros);
                MonthCharge {
                    month: month_label(month),
                    account: name,
                    requests,
                    free_requests: free,
                    charged_requests: requests - free,
                    micros,
                    display: format_usd(micros),
                }
            })
            .collect();

        let key_rows: Vec<KeyCharge> = keys
            .iter()
            .map(|k| {
                let charge = key_charge(k, now_ms);
                let requests = self
                    .keys
                    .find_str(k.key_arn)
                    .and_then(|i| key_requests.get(&i).copied())
                    .unwrap_or(0);
                KeyCharge { requests, ..charge }
            })
            .collect();
        for k in &key_rows {
            let a = accounts
                .entry(k.owner_account.clone())
                .or_insert_with(|| empty_account(&k.owner_account));
            a.key_micros = a.key_micros.saturating_add(k.micros);
        }
        let accounts: Vec<AccountCharge> = accounts
            .into_values()
            .map(|mut a| {
                a.total_micros = a.request_micros.saturating_add(a.key_micros);
                a.display = format_usd(a.total_micros);
                a
            })
            .collect();

        let quota_rows = quotas
            .into_iter()
            .filter_map(|((account, b), tally)| {
                let bucket = self.buckets.get(b)?.clone();
                Some(QuotaUsage {
                    account: self.account_name(account),
                    quota: self.quota(&bucket),
                    bucket,
                    admitted: tally.admitted,
                    throttled: tally.throttled,
                    peak: tally.peak,
                })
            })
            .collect();

        let key_micros = key_rows
            .iter()
            .fold(0u64, |s, k| s.saturating_add(k.micros));
        let request_micros = month_rows
            .iter()
            .fold(0u64, |s, m| s.saturating_add(m.micros));
        let total_micros = key_micros.saturating_add(request_micros);
        CostReport {
            as_of_ms: now_ms,
            region: self.region.clone(),
            keys: key_rows,
            operations: ops.into_values().collect(),
            months: month_rows,
            accounts,
            quotas: quota_rows,
            key_micros,
            request_micros,
            total_micros,
            total: format_usd(total_micros),
            price_source: PRICE_SOURCE,
        }
    }

    /// Requests per time bucket of `bucket_ms` (aligned to multiples of it), per account and key, with their
    /// cost (free tier applied as in [`Meter::report`]). Only buckets with requests are returned, in time
    /// order; `bucket_ms` below 1 is taken as 1.
    pub fn requests_over_time(&self, bucket_ms: i64) -> Vec<TimeBucket> {
        let size = bucket_ms.max(1);
        let prices = self.prices();
        let mut buckets: BTreeMap<i64, BTreeMap<(usize, Option<usize>), TimeRow>> = BTreeMap::new();
        for (e, &price) in self.log.iter().zip(&prices) {
            let start = e.t.div_euclid(size).saturating_mul(size);
            let row = buckets
                .entry(start)
                .or_default()
                .entry((e.account, e.key))
                .or_insert_with(|| TimeRow {
                    account: self.account_name(e.account),
                    key_arn: self.key_name(e.key),
                    requests: 0,
                    throttled: 0,
                    aws_owned: 0,
                    micros: 0,
                });
            match e.outcome {
                Outcome::Counted => row.requests = row.requests.saturating_add(1),
                Outcome::Throttled => row.throttled = row.throttled.saturating_add(1),
                Outcome::AwsOwned => row.aws_owned = row.aws_owned.saturating_add(1),
            }
            row.micros = row.micros.saturating_add(price);
        }
        buckets
            .into_iter()
            .map(|(start_ms, rows)| {
                let rows: Vec<TimeRow> = rows.into_values().collect();
                let (requests, throttled, micros) =
                    rows.iter().fold((0u64, 0u64, 0u64), |(r, t, m), row| {
                        (
                            r.saturating_add(row.requests),
                            t.saturating_add(row.throttled),
                            m.saturating_add(row.micros),
                        )
                    });
                TimeBucket {
                    start_ms,
                    end_ms: start_ms.saturating_add(size),
                    rows,
                    requests,
                    throttled,
                    micros,
                }
            })
            .collect()
    }
}

/// Quota use of one account and bucket while a report is built.
#[derive(Default)]
struct QuotaTally {
    admitted: u64,
    throttled: u64,
    peak: u32,
    window: VecDeque<i64>,
}

fn empty_account(name: &str) -> AccountCharge {
    AccountCharge {
        account: String::from(name),
        requests: 0,
        free_requests: 0,
        charged_requests: 0,
        request_micros: 0,
        key_micros: 0,
        total_micros: 0,
        display: String::new(),
    }
}

/// The account field of an ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`).
fn arn_account(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("")
}

/// Started hours in `[from, to)`.
fn started_hours(from: i64, to: i64) -> u64 {
    if to <= from {
        return 0;
    }
    let span = to.saturating_sub(from);
    u64::try_from(span.div_euclid(HOUR_MS) + i64::from(span.rem_euclid(HOUR_MS) != 0)).unwrap_or(0)
}

/// The monthly charge of one key up to `now_ms` (C9).
pub fn key_charge(k: &KeyCost<'_>, now_ms: i64) -> KeyCharge {
    let end = k
        .deleted_or_pending_deletion_ms
        .map_or(now_ms, |d| d.min(now_ms));
    let (key_hours, rotation_hours, note) = match k.manager {
        KeyManager::Customer => {
            let key_hours = started_hours(k.created_ms, end);
            let rotation_hours = k.rotations_ms.iter().fold(0u64, |s, &r| {
                s.saturating_add(started_hours(r.max(k.created_ms), end))
            });
            let note = match k.deleted_or_pending_deletion_ms {
                Some(d) if d <= now_ms => {
                    Some("no charge while pending deletion or after deletion")
                }
                _ => None,
            };
            (key_hours, rotation_hours, note)
        }
        KeyManager::Aws => (
            0,
            0,
            Some("aws managed keys have no monthly fee (their requests are charged)"),
        ),
        KeyManager::AwsOwned => (0, 0, Some("aws owned keys are free")),
    };
    let hours = key_hours.saturating_add(rotation_hours);
    let micros = hours
        .saturating_mul(KEY_MONTH_MICROS)
        .saturating_add(HOURS_PER_MONTH / 2)
        / HOURS_PER_MONTH;
    KeyCharge {
        key_arn: String::from(k.key_arn),
        owner_account: String::from(arn_account(k.key_arn)),
        manager: k.manager,
        key_hours,
        rotation_hours,
        micros,
        display: format_usd(micros),
        requests: 0,
        note,
    }
}

/// Renders micro-dollars as dollars: at least two decimals, at most six (`$0.03`, `$0.493151`, `$12.00`).
pub fn format_usd(micros: u64) -> String {
    let dollars = micros / MICROS_PER_DOLLAR;
    let frac = micros % MICROS_PER_DOLLAR;
    let mut digits = format!("{frac:06}");
    while digits.len() > 2 && digits.ends_with('0') {
        digits.pop();
    }
    format!("${dollars}.{digits}")
}

/// Micro-dollars as a floating-point dollar amount, for chart axes only (never for sums).
pub fn usd_for_display(micros: u64) -> f64 {
    micros as f64 / MICROS_PER_DOLLAR as f64
}

/// Months since 1970-01 (UTC) of an epoch-ms time.
fn month_index(ms: i64) -> i64 {
    let (y, m) = year_month(ms);
    (y - 1970) * 12 + i64::from(m) - 1
}

fn month_label(index: i64) -> String {
    let y = 1970 + index.div_euclid(12);
    let m = index.rem_euclid(12) + 1;
    format!("{y:04}-{m:02}")
}

/// Year and month (1–12) of an epoch-ms time, UTC (proleptic Gregorian; H. Hinnant's civil_from_days).
fn year_month(ms: i64) -> (i64, u32) {
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, u32::try_from(m).unwrap_or(1))
}

/// An S3 request on an SSE-KMS object, for [`s3_kms_requests`].
#[derive(Clone, Copy, Debug)]
pub struct S3ObjectRequest<'a> {
    pub now_ms: i64,
    /// The requester as S3 tells them apart: the IAM session (a role's sessions are different requesters).
    pub requester: &'a str,
    pub kms_key_arn: &'a str,
    /// Upload (`GenerateDataKey`) or download (`Decrypt`).
    pub upload: bool,
}

/// KMS requests S3 makes for `requests`: one per request without a Bucket Key (`None`); with one
/// (`Some(lifetime_ms)`), one per requester, KMS key and direction each time the bucket-level key is
/// (re)generated, i.e. when none was made for them within `lifetime_ms` (C10).
pub fn s3_kms_requests(
    requests: &[S3ObjectRequest<'_>],
    bucket_key_lifetime_ms: Option<i64>,
) -> u64 {
    let Some(lifetime) = bucket_key_lifetime_ms else {
        return u64::try_from(requests.len()).unwrap_or(u64::MAX);
    };
    let mut ordered: Vec<&S3ObjectRequest<'_>> = requests.iter().collect();
    ordered.sort_by_key(|r| r.now_ms);
    let mut generated: BTreeMap<(&str, &str, bool), i64> = BTreeMap::new();
    let mut calls = 0u64;
    for r in ordered {
        let k = (r.requester, r.kms_key_arn, r.upload);
        let fresh = generated
            .get(&k)
            .is_some_and(|&at| r.now_ms.saturating_sub(at) < lifetime);
        if !fresh {
            generated.insert(k, r.now_ms);
            calls = calls.saturating_add(1);
        }
    }
    calls
}

/// What an S3 Bucket Key saves.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Savings {
    pub requests_without: u64,
    pub requests_with: u64,
    /// `without - with`, or 0 when the Bucket Key made more requests.
    pub requests_saved: u64,
    /// Requests saved in basis points of `without` (9,900 = 99%), rounded down; 0 when `without` is 0.
    pub percent_bp: u32,
    /// At 3 µ$ per request, free tier ignored (C10).
    pub cost_saved_micros: u64,
    pub cost_saved: String,
    /// `percent_bp` as text: `99.00%`.
    pub percent: String,
}

/// Compares KMS request counts without and with an S3 Bucket Key.
pub fn bucket_key_savings(without: u64, with: u64) -> Savings {
    let saved = without.saturating_sub(with);
    let bp = if without == 0 {
        0
    } else {
        u32::try_from(u128::from(saved) * 10_000 / u128::from(without)).unwrap_or(10_000)
    };
    let cost = saved.saturating_mul(REQUEST_PRICE_MICROS);
    Savings {
        requests_without: without,
        requests_with: with,
        requests_saved: saved,
        percent_bp: bp,
        cost_saved_micros: cost,
        cost_saved: format_usd(cost),
        percent: format!("{}.{:02}%", bp / 100, bp % 100),
    }
}
