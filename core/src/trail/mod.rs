//! CloudTrail: the event records AWS writes for KMS, SageMaker and S3 calls, in the exact record shape of
//! CloudTrail log files (`{"Records": [...]}`), see ../shared/reference/aws-semantics.md §5.
//!
//! - Every KMS and SageMaker control-plane call is a **management** event; Feature Store runtime calls
//!   (PutRecord, GetRecord, DeleteRecord, BatchGetRecord) and S3 object calls are **data** events, written only
//!   while data events are on (they are off by default on real trails).
//! - A call by a service on a user's behalf carries `userIdentity.invokedBy`, and `sourceIPAddress` and
//!   `userAgent` are the service's DNS name ("For services in AWS, only the DNS name is displayed.", §5.1).
//! - A call on a resource of another account writes two events, one in the caller's account and one in the
//!   owner's, with distinct `eventID`s and the same `sharedEventID` and `requestID` (§5.1).
//! - `AccessDeniedException` is written as `"errorCode": "AccessDenied"`, as the real denied Decrypt event of
//!   §5.2 shows.
//! - Secrets never reach the log: plaintext, ciphertext blobs and grant tokens are removed from
//!   `requestParameters` and `responseElements` at any depth ("The ciphertext in the request and the
//!   plaintext in the response are omitted", §5.1; grant tokens are not logged, §4.5), and read-only calls log
//!   `"responseElements": null`.
//! - There is no clock and no randomness: times come from the caller (`now_ms`), and `eventID`, `requestID`
//!   and `sharedEventID` are UUID-shaped values derived from a counter and a hash of the call, so a scenario
//!   replays to the same log.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::policy::arn::Arn;
use crate::policy::principal::{Caller, CallerType};
use crate::policy::values::format_date;

/// The `eventVersion` written (the 2025 KMS examples show 1.11; §5.1).
pub const EVENT_VERSION: &str = "1.11";
/// `eventSource` of KMS.
pub const KMS_SOURCE: &str = "kms.amazonaws.com";
/// `eventSource` of SageMaker, control plane and Feature Store runtime alike (§5.1).
pub const SAGEMAKER_SOURCE: &str = "sagemaker.amazonaws.com";
/// `eventSource` of S3.
pub const S3_SOURCE: &str = "s3.amazonaws.com";
/// Resource type of a KMS key.
pub const KMS_KEY_TYPE: &str = "AWS::KMS::Key";
/// Resource type of a feature group.
pub const FEATURE_GROUP_TYPE: &str = "AWS::SageMaker::FeatureGroup";
/// Resource type of an S3 object.
pub const S3_OBJECT_TYPE: &str = "AWS::S3::Object";
/// Resource type of an S3 bucket.
pub const S3_BUCKET_TYPE: &str = "AWS::S3::Bucket";
/// The `sourceIPAddress` of a direct call that names none (an address reserved for documentation).
pub const DEFAULT_SOURCE_IP: &str = "192.0.2.0";
/// The `userAgent` of a direct call that names none.
pub const DEFAULT_USER_AGENT: &str = "kmslab";

/// A KMS API call to record (a management event, `eventSource` `kms.amazonaws.com`).
#[derive(Clone, Debug, Default)]
pub struct KmsCall<'a> {
    /// Epoch milliseconds of the call (`eventTime`).
    pub now_ms: i64,
    pub region: &'a str,
    /// The caller's ARN as `Caller::parse` takes it (user, role session, root, account id, service name).
    pub caller_arn: &'a str,
    /// The service that made the call on the caller's behalf, e.g. `sagemaker.amazonaws.com`.
    pub invoked_by: Option<&'a str>,
    /// The operation, e.g. `Decrypt`.
    pub event_name: &'a str,
    /// The key the call used (its account decides who receives the event).
    pub key_arn: Option<&'a str>,
    /// The request as sent (API `PascalCase` or CloudTrail `camelCase`); written in camelCase, secrets removed.
    pub request_parameters: Value,
    /// The response; written only for mutating operations that succeeded, secrets removed.
    pub response_elements: Option<Value>,
    /// The AWS error code and message, e.g. (`AccessDeniedException`, `User: … is not authorized …`).
    pub error: Option<(&'a str, &'a str)>,
    /// Defaults to the service's DNS name for a call on the caller's behalf, else [`DEFAULT_SOURCE_IP`].
    pub source_ip: Option<&'a str>,
    /// Defaults to the service's DNS name for a call on the caller's behalf, else [`DEFAULT_USER_AGENT`].
    pub user_agent: Option<&'a str>,
    /// `additionalEventData`, e.g. `{"keyMaterialId": …}` (2025 KMS examples).
    pub additional_event_data: Option<Value>,
}

/// A SageMaker, Feature Store runtime or S3 call to record.
#[derive(Clone, Debug, Default)]
pub struct ServiceCall<'a> {
    pub now_ms: i64,
    pub region: &'a str,
    pub caller_arn: &'a str,
    /// The service that made the call on the caller's behalf (e.g. `sagemaker.amazonaws.com` writing the
    /// offline store).
    pub invoked_by: Option<&'a str>,
    /// Empty for the default of the `record_*` method (`sagemaker.amazonaws.com` or `s3.amazonaws.com`).
    pub event_source: &'a str,
    pub event_name: &'a str,
    /// The resource used: a feature group ARN, or an S3 object or bucket ARN.
    pub resource_arn: Option<&'a str>,
    /// `resources[].type`; empty for the default (`AWS::SageMaker::FeatureGroup`; S3 types are derived).
    pub resource_type: &'a str,
    /// The account owning the resource when its ARN has none (S3); defaults to the ARN's, else the caller's.
    pub resource_account: Option<&'a str>,
    pub request_parameters: Value,
    pub response_elements: Option<Value>,
    pub error: Option<(&'a str, &'a str)>,
    pub source_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub additional_event_data: Option<Value>,
}

/// `userIdentity.sessionContext.sessionIssuer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer {
    #[serde(rename = "type")]
    pub kind: String,
    pub principal_id: String,
    pub arn: String,
    pub account_id: String,
    pub user_name: String,
}

/// `userIdentity.sessionContext.attributes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct SessionAttributes {
    pub creation_date: String,
    pub mfa_authenticated: String,
}

/// `userIdentity.sessionContext`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext {
    pub attributes: SessionAttributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_issuer: Option<SessionIssuer>,
}

/// `userIdentity` (CT-DG user-identity: Root, IAMUser, AssumedRole, FederatedUser, AWSAccount, AWSService,
/// Unknown).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_context: Option<SessionContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
}

/// One entry of `resources`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object),
    tsify(rename = "CloudTrailResource")
)]
pub struct Resource {
    #[serde(rename = "accountId", skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "ARN")]
    pub arn: String,
}

/// `tlsDetails` of a call a client made directly (not through a service).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct TlsDetails {
    pub tls_version: String,
    pub cipher_suite: String,
    pub client_provided_host_header: String,
}

/// One CloudTrail record; serializes to exactly the record's JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object),
    tsify(rename = "CloudTrailEvent")
)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub event_version: String,
    pub user_identity: UserIdentity,
    pub event_time: String,
    pub event_source: String,
    pub event_name: String,
    pub aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    pub user_agent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[cfg_attr(feature = "wasm-policy", tsify(type = "Record<string, any> | null"))]
    pub request_parameters: Value,
    #[cfg_attr(feature = "wasm-policy", tsify(type = "Record<string, any> | null"))]
    pub response_elements: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm-policy", tsify(type = "Record<string, any>"))]
    pub additional_event_data: Option<Value>,
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub read_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        feature = "wasm-policy",
        tsify(optional, type = "CloudTrailResource[]")
    )]
    pub resources: Vec<Resource>,
    pub event_type: String,
    pub management_event: bool,
    pub recipient_account_id: String,
    #[serde(rename = "sharedEventID", skip_serializing_if = "Option::is_none")]
    pub shared_event_id: Option<String>,
    pub event_category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_details: Option<TlsDetails>,
    /// `eventTime` in epoch milliseconds (not part of the record).
    #[serde(skip)]
    pub time_ms: i64,
    /// The caller as given to the `record_*` method (not part of the record; used by [`TrailFilter`]).
    #[serde(skip)]
    pub caller_arn: String,
}

impl Event {
    /// The record as JSON.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Whether the call failed (`errorCode` present).
    pub fn is_error(&self) -> bool {
        self.error_code.is_some()
    }
}

/// Which events [`Trail::filter`] keeps; every field set must match.
#[derive(Clone, Debug, Default)]
pub struct TrailFilter<'a> {
    /// `eventSource`, e.g. `kms.amazonaws.com`.
    pub event_source: Option<&'a str>,
    /// `eventName`, e.g. `Decrypt`.
    pub event_name: Option<&'a str>,
    /// A substring of the caller: the ARN given to the `record_*` method, `userIdentity.arn`,
    /// `userIdentity.principalId` or the session issuer's ARN.
    pub principal: Option<&'a str>,
    /// `Some(true)`: failed calls only; `Some(false)`: successful calls only.
    pub has_error: Option<bool>,
    /// `errorCode`, as written (`AccessDenied` for an access denial).
    pub error_code: Option<&'a str>,
    /// A resource ARN (`resources[].ARN`) or `requestParameters.keyId`.
    pub resource_arn: Option<&'a str>,
    /// `recipientAccountId`.
    pub recipient_account: Option<&'a str>,
    /// `eventCategory`: `Management` or `Data`.
    pub event_category: Option<&'a str>,
    /// Earliest `eventTime`, epoch ms, inclusive.
    pub from_ms: Option<i64>,
    /// Latest `eventTime`, epoch ms, inclusive.
    pub to_ms: Option<i64>,
}

impl TrailFilter<'_> {
    /// Whether `e` passes the filter.
    pub fn matches(&self, e: &Event) -> bool {
        let opt_eq = |want: Option<&str>, have: &str| want.is_none_or(|w| w == have);
        opt_eq(self.event_source, &e.event_source)
            && opt_eq(self.event_name, &e.event_name)
            && opt_eq(self.recipient_account, &e.recipient_account_id)
            && opt_eq(self.event_category, &e.event_category)
            && self.has_error.is_none_or(|h| h == e.is_error())
            && self
                .error_code
                .is_none_or(|c| e.error_code.as_deref() == Some(c))
            && self.from_ms.is_none_or(|t| e.time_ms >= t)
            && self.to_ms.is_none_or(|t| e.time_ms <= t)
            && self.principal.is_none_or(|p| {
                let id = &e.user_identity;
                e.caller_arn.contains(p)
                    || id.arn.as_deref().is_some_and(|a| a.contains(p))
                    || id.principal_id.as_deref().is_some_and(|a| a.contains(p))
                    || id
                        .session_context
                        .as_ref()
                        .and_then(|s| s.session_issuer.as_ref())
                        .is_some_and(|s| s.arn.contains(p))
            })
            && self.resource_arn.is_none_or(|r| {
                e.resources.iter().any(|x| x.arn == r)
                    || e.request_parameters.get("keyId").and_then(Value::as_str) == Some(r)
            })
    }
}

/// The CloudTrail log of every account of the simulation.
#[derive(Clone, Debug, Default)]
pub struct Trail {
    events: Vec<Event>,
    data_events: bool,
    counter: u64,
}

/// What kind of call is being recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Kms,
    SageMaker,
    FeatureStoreData,
    S3Data,
}

impl Family {
    fn is_data(self) -> bool {
        matches!(self, Family::FeatureStoreData | Family::S3Data)
    }
}

/// A call in one shape for every family.
struct Draft<'c> {
    family: Family,
    now_ms: i64,
    region: &'c str,
    caller_arn: &'c str,
    invoked_by: Option<&'c str>,
    event_source: &'c str,
    event_name: &'c str,
    resources: Vec<Resource>,
    owner_account: Option<String>,
    read_only: bool,
    request_parameters: Value,
    response_elements: Value,
    error: Option<(&'c str, &'c str)>,
    source_ip: Option<&'c str>,
    user_agent: Option<&'c str>,
    additional_event_data: Option<Value>,
    host: String,
}

impl Trail {
    /// An empty trail; `data_events` turns on the logging of data events (off on a new real trail).
    pub fn new(data_events: bool) -> Trail {
        Trail {
            events: Vec::new(),
            data_events,
            counter: 0,
        }
    }

    /// Turns data events on or off for the calls recorded from now on.
    pub fn set_data_events(&mut self, on: bool) {
        self.data_events = on;
    }

    /// Whether data events are logged.
    pub fn data_events(&self) -> bool {
        self.data_events
    }

    /// Records a KMS API call (a management event). Returns the `eventID`s written: one, or two when the
    /// caller's account is not the key's, or none when no account can receive it.
    pub fn record_kms(&mut self, e: &KmsCall<'_>) -> Vec<String> {
        let read_only = kms_read_only(e.event_name);
        let mut request = clean(&e.request_parameters, true, &[]);
        if e.event_name == "Decrypt" {
            // "always includes the encryptionAlgorithm in the requestParameters" (KMS-DG/ct-decrypt.md).
            if let Value::Null = request {
                request = Value::Object(Map::new());
            }
            if let Value::Object(m) = &mut request {
                if !m.contains_key("encryptionAlgorithm") {
                    m.insert(
                        String::from("encryptionAlgorithm"),
                        Value::String(String::from("SYMMETRIC_DEFAULT")),
                    );
                }
            }
        }
        let owner = e.key_arn.and_then(arn_account);
        let resources = e
            .key_arn
            .map(|k| {
                alloc::vec![Resource {
                    account_id: owner.clone(),
                    kind: String::from(KMS_KEY_TYPE),
                    arn: String::from(k),
                }]
            })
            .unwrap_or_default();
        let draft = Draft {
            family: Family::Kms,
            now_ms: e.now_ms,
            region: e.region,
            caller_arn: e.caller_arn,
            invoked_by: e.invoked_by,
            event_source: KMS_SOURCE,
            event_name: e.event_name,
            resources,
            owner_account: owner,
            read_only,
            request_parameters: request,
            response_elements: response(
                e.response_elements.as_ref(),
                read_only,
                e.error,
                true,
                &[],
            ),
            error: e.error,
            source_ip: e.source_ip,
            user_agent: e.user_agent,
            additional_event_data: e.additional_event_data.clone(),
            host: format!("kms.{}.amazonaws.com", e.region),
        };
        self.write(draft)
    }

    /// Records a SageMaker control-plane call (CreateFeatureGroup, DescribeFeatureGroup, …): a management
    /// event, `eventSource` `sagemaker.amazonaws.com`.
    pub fn record_sagemaker(&mut self, e: &ServiceCall<'_>) -> Vec<String> {
        let host = format!("api.sagemaker.{}.amazonaws.com", e.region);
        let draft = service_draft(e, Family::SageMaker, SAGEMAKER_SOURCE, host);
        self.write(draft)
    }

    /// Records a Feature Store runtime call (PutRecord, GetRecord, DeleteRecord, BatchGetRecord): a data
    /// event (`eventCategory` `Data`, `managementEvent` false, resource type `AWS::SageMaker::FeatureGroup`),
    /// written only while data events are on. Feature values (`record`, `records`) are not logged: the
    /// documented PutRecord event has only `featureGroupName` (SM-DG/feature-store-logging-using-cloudtrail.md).
    pub fn record_featurestore_data(&mut self, e: &ServiceCall<'_>) -> Vec<String> {
        if !self.data_events {
            return Vec::new();
        }
        let host = format!("featurestore-runtime.sagemaker.{}.amazonaws.com", e.region);
        let draft = service_draft(e, Family::FeatureStoreData, SAGEMAKER_SOURCE, host);
        self.write(draft)
    }

    /// Records an S3 object-level call (PutObject, GetObject, …) made for the offline store: a data event,
    /// written only while data events are on. An object ARN yields the `AWS::S3::Object` and
    /// `AWS::S3::Bucket` resources; parameter names are kept as given (S3 logs `bucketName`, `key`, `Host`).
    pub fn record_s3_data(&mut self, e: &ServiceCall<'_>) -> Vec<String> {
        if !self.data_events {
            return Vec::new();
        }
        let host = format!("s3.{}.amazonaws.com", e.region);
        let draft = service_draft(e, Family::S3Data, S3_SOURCE, host);
        self.write(draft)
    }

    /// Every event, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Forgets every event (the id counter keeps counting, so ids stay unique).
    pub fn clear(&mut self) {
        self.events.clear();
    }

    /// The events as a CloudTrail log file: `{"Records": [...]}`.
    pub fn to_json(&self) -> Value {
        let records = self.events.iter().map(Event::to_value).collect();
        let mut m = Map::new();
        m.insert(String::from("Records"), Value::Array(records));
        Value::Object(m)
    }

    /// The events of one account's trail, as a CloudTrail log file.
    pub fn to_json_for(&self, account: &str) -> Value {
        let records = self
            .events
            .iter()
            .filter(|e| e.recipient_account_id == account)
            .map(Event::to_value)
            .collect();
        let mut m = Map::new();
        m.insert(String::from("Records"), Value::Array(records));
        Value::Object(m)
    }

    /// The events `f` keeps, oldest first.
    pub fn filter(&self, f: &TrailFilter<'_>) -> Vec<&Event> {
        self.events.iter().filter(|e| f.matches(e)).collect()
    }

    /// The next counter value.
    fn tick(&mut self) -> u64 {
        self.counter = self.counter.wrapping_add(1);
        self.counter
    }

    /// A UUID-shaped id (version 4 layout), unique per trail: its first 64 bits are a bijection of the counter.
    fn uuid(&mut self, salt: u64) -> String {
        let n = self.tick();
        let hi = mix(n ^ 0x5bd1_e995_9e37_79b9);
        let lo = mix(salt ^ n.rotate_left(29));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:x}{:02x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            (hi >> 4) & 0xfff,
            8 | (lo & 3),
            hi & 0xf,
            (lo >> 8) & 0xff,
            (lo >> 16) & 0xffff_ffff_ffff
        )
    }

    /// An S3-style request id: 16 uppercase hex digits.
    fn s3_request_id(&mut self) -> String {
        let n = self.tick();
        format!("{:016X}", mix(n ^ 0x3c6e_f372_fe94_f82b))
    }

    /// Writes the events of one call: in the caller's account, and in the resource owner's when different.
    fn write(&mut self, d: Draft<'_>) -> Vec<String> {
        let caller = Caller::parse(d.caller_arn);
        let caller_account = caller
            .as_ref()
            .filter(|c| !matches!(c.kind, CallerType::Service | CallerType::Anonymous))
            .and_then(|c| c.account.clone());
        let is_service = caller
            .as_ref()
            .is_some_and(|c| c.kind == CallerType::Service);
        let owner = d.owner_account.clone().or_else(|| caller_account.clone());
        let mut recipients: Vec<(String, bool)> = Vec::new();
        if let Some(a) = &caller_account {
            recipients.push((a.clone(), false));
        }
        if let Some(o) = &owner {
            if caller_account.as_deref() != Some(o.as_str()) {
                recipients.push((o.clone(), true));
            }
        }
        if recipients.is_empty() {
            return Vec::new();
        }

        let salt = hash_parts(&[
            d.event_source,
            d.event_name,
            d.caller_arn,
            d.region,
            &d.now_ms.to_string(),
        ]);
        let request_id = if d.family == Family::S3Data {
            self.s3_request_id()
        } else {
            self.uuid(salt ^ 0x0072_6571)
        };
        // Two accounts, or a service acting on its own (DDB-DG's GenerateDataKey by `AWSService`).
        let shared = (recipients.len() > 1 || is_service).then(|| self.uuid(salt ^ 0x0073_6872));

        let service = d.invoked_by.or_else(|| {
            caller
                .as_ref()
                .filter(|_| is_service)
                .map(|c| c.arn.as_str())
        });
        let source_ip = d.source_ip.or(service).unwrap_or(DEFAULT_SOURCE_IP);
        let user_agent = d.user_agent.or(service).unwrap_or(DEFAULT_USER_AGENT);
        let tls = service.is_none().then(|| TlsDetails {
            tls_version: String::from("TLSv1.3"),
            cipher_suite: String::from("TLS_AES_128_GCM_SHA256"),
            client_provided_host_header: d.host.clone(),
        });
        let (error_code, error_message) = match d.error {
            Some((code, message)) => (
                Some(String::from(cloudtrail_error_code(code))),
                Some(String::from(message)),
            ),
            None => (None, None),
        };
        let time = format_date(d.now_ms);

        let mut ids = Vec::new();
        for (recipient, owner_copy) in recipients {
            let event_id = self.uuid(salt ^ hash_parts(&[&recipient]));
            let user_identity = if owner_copy {
                owner_identity(caller.as_ref(), d.caller_arn, d.invoked_by)
            } else {
                user_identity(caller.as_ref(), d.caller_arn, d.invoked_by, &time)
            };
            self.events.push(Event {
                event_version: String::from(EVENT_VERSION),
                user_identity,
                event_time: time.clone(),
                event_source: String::from(d.event_source),
                event_name: String::from(d.event_name),
                aws_region: String::from(d.region),
                source_ip_address: String::from(source_ip),
                user_agent: String::from(user_agent),
                error_code: error_code.clone(),
                error_message: error_message.clone(),
                request_parameters: d.request_parameters.clone(),
                response_elements: d.response_elements.clone(),
                additional_event_data: d.additional_event_data.clone(),
                request_id: request_id.clone(),
                event_id: event_id.clone(),
                read_only: d.read_only,
                resources: d.resources.clone(),
                event_type: String::from("AwsApiCall"),
                management_event: !d.family.is_data(),
                recipient_account_id: recipient,
                shared_event_id: shared.clone(),
                event_category: String::from(if d.family.is_data() {
                    "Data"
                } else {
                    "Management"
                }),
                tls_details: tls.clone(),
                time_ms: d.now_ms,
                caller_arn: String::from(d.caller_arn),
            });
            ids.push(event_id);
        }
        ids
    }
}

/// Builds the draft of a SageMaker, Feature Store runtime or S3 call.
fn service_draft<'c>(
    e: &ServiceCall<'c>,
    family: Family,
    default_source: &'c str,
    host: String,
) -> Draft<'c> {
    let event_source = if e.event_source.is_empty() {
        default_source
    } else {
        e.event_source
    };
    let read_only = service_read_only(e.event_name);
    let camel = family != Family::S3Data;
    let extra: &[&str] = if family == Family::FeatureStoreData {
        &["record", "records"]
    } else {
        &[]
    };
    let caller_account = Caller::parse(e.caller_arn).and_then(|c| c.account);
    let owner = e
        .resource_account
        .map(String::from)
        .or_else(|| e.resource_arn.and_then(arn_account))
        .or(caller_account);
    let resources = match (family, e.resource_arn) {
        (_, None) => Vec::new(),
        (Family::S3Data, Some(arn)) => s3_resources(arn, owner.as_deref()),
        (_, Some(arn)) => {
            let kind = if e.resource_type.is_empty() || family == Family::FeatureStoreData {
                FEATURE_GROUP_TYPE
            } else {
                e.resource_type
            };
            alloc::vec![Resource {
                account_id: owner.clone(),
                kind: String::from(kind),
                arn: String::from(arn),
            }]
        }
    };
    Draft {
        family,
        now_ms: e.now_ms,
        region: e.region,
        caller_arn: e.caller_arn,
        invoked_by: e.invoked_by,
        event_source,
        event_name: e.event_name,
        resources,
        owner_account: owner,
        read_only,
        request_parameters: clean(&e.request_parameters, camel, extra),
        response_elements: response(
            e.response_elements.as_ref(),
            read_only,
            e.error,
            camel,
            extra,
        ),
        error: e.error,
        source_ip: e.source_ip,
        user_agent: e.user_agent,
        additional_event_data: e
            .additional_event_data
            .as_ref()
            .map(|v| clean(v, false, extra)),
        host,
    }
}

/// The resources of an S3 data event: the object (no account) and its bucket.
fn s3_resources(arn: &str, owner: Option<&str>) -> Vec<Resource> {
    let bucket = |b: &str| Resource {
        account_id: owner.map(String::from),
        kind: String::from(S3_BUCKET_TYPE),
        arn: String::from(b),
    };
    match arn.split_once('/') {
        Some((b, _)) => alloc::vec![
            Resource {
                account_id: None,
                kind: String::from(S3_OBJECT_TYPE),
                arn: String::from(arn),
            },
            bucket(b),
        ],
        None => alloc::vec![bucket(arn)],
    }
}

/// `responseElements`: null for read-only and failed calls, else the cleaned response.
fn response(
    given: Option<&Value>,
    read_only: bool,
    error: Option<(&str, &str)>,
    camel: bool,
    extra: &[&str],
) -> Value {
    match given {
        Some(v) if !read_only && error.is_none() => clean(v, camel, extra),
        _ => Value::Null,
    }
}

/// The `errorCode` CloudTrail writes for an API error code: `AccessDeniedException` is logged as
/// `AccessDenied` (the real denied Decrypt event, §5.2); other codes are written as returned
/// (`IncorrectKeyException`, `MalformedPolicyDocumentException`, §5.4).
pub fn cloudtrail_error_code(code: &str) -> &str {
    match code {
        "AccessDeniedException" => "AccessDenied",
        c => c,
    }
}

/// Whether a KMS operation is logged `"readOnly": true`: the cryptographic operations, `Describe*`,
/// `List*` and `Get*` (§5.1); the rest (CreateGrant, CreateKey, PutKeyPolicy, …) change state.
pub fn kms_read_only(op: &str) -> bool {
    matches!(
        op,
        "Encrypt"
            | "Decrypt"
            | "ReEncrypt"
            | "Sign"
            | "Verify"
            | "VerifyMac"
            | "DeriveSharedSecret"
            | "GenerateRandom"
    ) || ["GenerateDataKey", "GenerateMac", "Describe", "List", "Get"]
        .iter()
        .any(|p| op.starts_with(p))
}

/// Whether a SageMaker, Feature Store runtime or S3 operation only reads (`Describe*`, `List*`, `Get*`,
/// `BatchGet*`, `Head*`, `Search`); PutRecord is logged `"readOnly": false` (§5.1).
pub fn service_read_only(op: &str) -> bool {
    op == "Search"
        || ["Describe", "List", "Get", "BatchGet", "Head"]
            .iter()
            .any(|p| op.starts_with(p))
}

/// Whether a parameter name holds a secret that CloudTrail never logs: plaintext, ciphertext blobs and
/// grant tokens (also key-pair plaintext/ciphertext, import tokens, wrapped key material).
pub fn is_secret_parameter(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.contains("plaintext")
        || l.contains("ciphertextblob")
        || l.contains("ciphertextforrecipient")
        || matches!(
            l.as_str(),
            "granttoken" | "granttokens" | "importtoken" | "encryptedkeymaterial"
        )
}

/// Removes secrets (see [`is_secret_parameter`]) from a request or response at any depth.
pub fn redact(v: &Value) -> Value {
    clean(v, false, &[])
}

/// Cleans a request or response for the log: removes secrets and the `extra` names (case-insensitively, at
/// any depth) and, with `camel`, writes member names in camelCase as CloudTrail does (`KeyId` → `keyId`,
/// `KmsKeyId` → `kmsKeyId`). Encryption-context maps keep their keys as given: they are data.
fn clean(v: &Value, camel: bool, extra: &[&str]) -> Value {
    clean_in(v, camel, extra, false)
}

fn clean_in(v: &Value, camel: bool, extra: &[&str], keep_keys: bool) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                if is_secret_parameter(k) || extra.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                    continue;
                }
                let name = if camel && !keep_keys {
                    camel_case(k)
                } else {
                    k.clone()
                };
                let is_map = camel && name.to_ascii_lowercase().contains("encryptioncontext");
                out.insert(name, clean_in(val, camel, extra, is_map));
            }
            Value::Object(out)
        }
        Value::Array(a) => {
            Value::Array(a.iter().map(|x| clean_in(x, camel, extra, false)).collect())
        }
        other => other.clone(),
    }
}

/// `KeyId` → `keyId`, `KMSKeyId` → `kmsKeyId`, `ARN` → `arn`, `S3Uri` → `s3Uri`; camelCase is unchanged.
pub fn camel_case(k: &str) -> String {
    let run = k.chars().take_while(char::is_ascii_uppercase).count();
    let next_lower = k.chars().nth(run).is_some_and(|c| c.is_ascii_lowercase());
    let lower = if run > 1 && next_lower { run - 1 } else { run };
    k.chars()
        .enumerate()
        .map(|(i, c)| if i < lower { c.to_ascii_lowercase() } else { c })
        .collect()
}

/// The 12-digit account of an ARN, if it has one.
fn arn_account(arn: &str) -> Option<String> {
    Arn::parse(arn)
        .map(|a| a.account)
        .filter(|a| crate::policy::principal::is_account_id(a))
        .map(String::from)
}

/// `userIdentity` in the caller's own account (CT-DG user-identity; DDB-DG example for AssumedRole).
fn user_identity(
    caller: Option<&Caller>,
    given: &str,
    invoked_by: Option<&str>,
    time: &str,
) -> UserIdentity {
    let mut id = UserIdentity {
        kind: String::from("Unknown"),
        principal_id: None,
        arn: None,
        account_id: None,
        access_key_id: None,
        user_name: None,
        session_context: None,
        invoked_by: invoked_by.map(String::from),
    };
    let Some(c) = caller else {
        id.principal_id = Some(String::from(given));
        return id;
    };
    let attributes = || SessionAttributes {
        creation_date: String::from(time),
        mfa_authenticated: String::from("false"),
    };
    match c.kind {
        CallerType::Account => {
            id.kind = String::from("Root");
            id.principal_id = c.account.clone();
            id.arn = Some(c.arn.clone());
            id.account_id = c.account.clone();
            id.access_key_id = Some(stand_in("AKIA", &c.arn, 16));
        }
        CallerType::User => {
            id.kind = String::from("IAMUser");
            id.principal_id = Some(unique_id("AIDA", &c.arn));
            id.arn = Some(c.arn.clone());
            id.account_id = c.account.clone();
            id.access_key_id = Some(stand_in("AKIA", &c.arn, 16));
            id.user_name = Some(c.name.clone());
        }
        CallerType::AssumedRole => {
            let role_arn = c.role_arn.clone().unwrap_or_else(|| c.arn.clone());
            let role_id = unique_id("AROA", &role_arn);
            id.kind = String::from("AssumedRole");
            id.principal_id = Some(match &c.session {
                Some(s) => format!("{role_id}:{s}"),
                None => role_id.clone(),
            });
            id.arn = Some(c.arn.clone());
            id.account_id = c.account.clone();
            id.access_key_id = Some(stand_in("ASIA", &c.arn, 16));
            id.session_context = Some(SessionContext {
                attributes: attributes(),
                session_issuer: Some(SessionIssuer {
                    kind: String::from("Role"),
                    principal_id: role_id,
                    arn: role_arn,
                    account_id: c.account.clone().unwrap_or_default(),
                    user_name: c.name.clone(),
                }),
            });
        }
        CallerType::FederatedUser => {
            id.kind = String::from("FederatedUser");
            id.principal_id = Some(format!(
                "{}:{}",
                c.account.as_deref().unwrap_or_default(),
                c.name
            ));
            id.arn = Some(c.arn.clone());
            id.account_id = c.account.clone();
            id.access_key_id = Some(stand_in("ASIA", &c.arn, 16));
            id.session_context = Some(SessionContext {
                attributes: attributes(),
                session_issuer: None,
            });
        }
        CallerType::Service => {
            id.kind = String::from("AWSService");
            id.invoked_by = Some(String::from(invoked_by.unwrap_or(&c.arn)));
        }
        CallerType::Anonymous => {
            id.kind = String::from("AWSAccount");
            id.principal_id = Some(String::new());
            id.account_id = Some(String::from("ANONYMOUS_PRINCIPAL"));
        }
    }
    id
}

/// `userIdentity` in the resource owner's copy of a cross-account event: the caller is "another AWS
/// account" (`AWSAccount`, CT-DG user-identity), named by its principal id and account. _[INFERRED]_ from
/// the documented type; the reference has no verbatim owner-side record.
fn owner_identity(caller: Option<&Caller>, given: &str, invoked_by: Option<&str>) -> UserIdentity {
    let full = user_identity(caller, given, invoked_by, "");
    match caller.map(|c| c.kind) {
        Some(CallerType::Service) | Some(CallerType::Anonymous) | None => full,
        Some(_) => UserIdentity {
            kind: String::from("AWSAccount"),
            principal_id: full.principal_id,
            arn: None,
            account_id: full.account_id,
            access_key_id: None,
            user_name: None,
            session_context: None,
            invoked_by: full.invoked_by,
        },
    }
}

/// A stand-in IAM unique id (`AIDA…`, `AROA…`): the prefix and 17 characters.
fn unique_id(prefix: &str, arn: &str) -> String {
    stand_in(prefix, arn, 17)
}

/// `prefix` and `n` characters of `[A-Z0-9]` derived from `seed`: stable across runs.
fn stand_in(prefix: &str, seed: &str, n: usize) -> String {
    const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut state = hash_parts(&[prefix, seed]);
    let mut s = String::from(prefix);
    for _ in 0..n {
        state = mix(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
        let i = usize::try_from(state % 36).unwrap_or(0);
        s.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'A')));
    }
    s
}

/// FNV-1a over the parts, separated so that `("ab","c")` and `("a","bc")` differ.
fn hash_parts(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(core::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The splitmix64 finalizer: a bijection of `u64`.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_cases() {
        assert_eq!(camel_case("KeyId"), "keyId");
        assert_eq!(camel_case("KMSKeyId"), "kmsKeyId");
        assert_eq!(camel_case("KmsKeyId"), "kmsKeyId");
        assert_eq!(camel_case("ARN"), "arn");
        assert_eq!(camel_case("S3Uri"), "s3Uri");
        assert_eq!(camel_case("encryptionContext"), "encryptionContext");
    }

    #[test]
    fn ids_are_uuid_shaped_and_unique() {
        let mut t = Trail::new(false);
        let a = t.uuid(1);
        let b = t.uuid(1);
        assert_ne!(a, b);
        let lens: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(lens, [8, 4, 4, 4, 12]);
        assert_eq!(a.chars().nth(14), Some('4'));
        assert!(matches!(a.chars().nth(19), Some('8' | '9' | 'a' | 'b')));
    }
}
