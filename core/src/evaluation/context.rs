//! The request context: the keys the question supplies, and the global keys AWS derives from the request.

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;

use super::Clock;
use crate::policy::condition::{ConditionContext, RequestValues};
use crate::policy::pattern::VarSource;
use crate::policy::principal::{Caller, CallerType};
use crate::policy::values::format_date;

/// A context value as supplied: one string, or a list (a multivalued key).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(untagged)]
pub enum ContextValue {
    One(String),
    Many(Vec<String>),
}

/// Where a context entry came from, for the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub enum ContextSource {
    Request,
    Derived,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct ContextEntry {
    pub key: String,
    pub value: ContextValue,
    pub source: ContextSource,
}

/// The keys kmslab derives when the question does not supply them (modelling decision 11).
pub const DERIVED_KEYS: &[&str] = &[
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:username",
    "aws:userid",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "aws:ResourceAccount",
    "aws:RequestedRegion",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:SecureTransport",
    "aws:ViaAWSService",
    "kms:CallerAccount",
];

/// The request context one decision is made in.
pub struct RequestContext<'a> {
    /// Supplied keys: (lower-cased name, name as given, value).
    pub supplied: &'a [(String, String, ContextValue)],
    pub caller: &'a Caller,
    pub kms_action: bool,
    pub resource_account: Option<&'a str>,
    pub region: Option<&'a str>,
    pub now: Now,
}

/// A decision's current time, read from its [`Clock`] the first time the decision needs it
/// (`aws:CurrentTime`, `aws:EpochTime`, the trace's context), and the same for the rest of the decision.
#[derive(Debug)]
pub struct Now {
    clock: Clock,
    read: Cell<Option<i64>>,
}

impl Now {
    pub fn new(clock: Clock) -> Now {
        Now {
            clock,
            read: Cell::new(None),
        }
    }

    /// Epoch milliseconds.
    pub fn ms(&self) -> i64 {
        match (self.read.get(), self.clock) {
            (Some(ms), _) | (None, Clock::At(ms)) => ms,
            (None, Clock::Host(read)) => {
                let ms = read();
                self.read.set(Some(ms));
                ms
            }
        }
    }
}

impl RequestContext<'_> {
    fn supplied(&self, key_lower: &str) -> Option<&ContextValue> {
        self.supplied
            .iter()
            .find(|(k, _, _)| k == key_lower)
            .map(|(_, _, v)| v)
    }

    fn via_service(&self) -> bool {
        self.supplied("kms:viaservice").is_some()
    }

    /// A derived key's value, if AWS would include the key in this request.
    pub fn derived(&self, key_lower: &str) -> Option<Cow<'_, str>> {
        let c = self.caller;
        let b = |v: bool| Cow::Borrowed(if v { "true" } else { "false" });
        match key_lower {
            "aws:principalarn" => c.principal_arn().map(Cow::Borrowed),
            "aws:principalaccount" => c.account.as_deref().map(Cow::Borrowed),
            "aws:principaltype" => {
                (c.kind != CallerType::Service).then(|| Cow::Borrowed(c.kind.as_str()))
            }
            "aws:username" => {
                (c.kind == CallerType::User).then_some(Cow::Borrowed(c.name.as_str()))
            }
            "aws:userid" => synth_userid(c).map(Cow::Owned),
            "aws:principalisawsservice" => Some(b(c.kind == CallerType::Service)),
            "aws:principalservicename" => {
                (c.kind == CallerType::Service).then_some(Cow::Borrowed(c.name.as_str()))
            }
            "aws:resourceaccount" => self.resource_account.map(Cow::Borrowed),
            "aws:requestedregion" => self.region.filter(|r| !r.is_empty()).map(Cow::Borrowed),
            "aws:currenttime" => Some(Cow::Owned(format_date(self.now.ms()))),
            "aws:epochtime" => Some(Cow::Owned((self.now.ms().div_euclid(1000)).to_string())),
            "aws:securetransport" => Some(b(true)),
            "aws:viaawsservice" => Some(b(self.via_service())),
            "kms:calleraccount" => {
                if self.kms_action {
                    c.account.as_deref().map(Cow::Borrowed)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Every entry of the context, supplied first, for the trace.
    pub fn entries(&self) -> Vec<ContextEntry> {
        let mut out: Vec<ContextEntry> = self
            .supplied
            .iter()
            .map(|(_, k, v)| ContextEntry {
                key: k.clone(),
                value: v.clone(),
                source: ContextSource::Request,
            })
            .collect();
        if self.supplied("kms:encryptioncontextkeys").is_none() {
            let keys = self.encryption_context_keys();
            if !keys.is_empty() {
                out.push(ContextEntry {
                    key: String::from("kms:EncryptionContextKeys"),
                    value: ContextValue::Many(keys),
                    source: ContextSource::Derived,
                });
            }
        }
        for k in DERIVED_KEYS {
            let lower = k.to_ascii_lowercase();
            if self.supplied(&lower).is_some() {
                continue;
            }
            if let Some(v) = self.derived(&lower) {
                out.push(ContextEntry {
                    key: String::from(*k),
                    value: ContextValue::One(v.into_owned()),
                    source: ContextSource::Derived,
                });
            }
        }
        out
    }

    /// `kms:EncryptionContextKeys`: the keys of the request's encryption context, as the question wrote them.
    pub fn encryption_context_keys(&self) -> Vec<String> {
        self.supplied
            .iter()
            .filter(|(k, _, _)| k.starts_with("kms:encryptioncontext:"))
            .filter_map(|(_, orig, _)| orig.get("kms:EncryptionContext:".len()..).map(String::from))
            .collect()
    }

    /// The request's encryption context: `kms:EncryptionContext:<k>` keys (key part lower-cased).
    pub fn encryption_context(&self) -> impl Iterator<Item = (&str, &str)> {
        self.supplied.iter().filter_map(|(k, _, v)| {
            let key = k.strip_prefix("kms:encryptioncontext:")?;
            match v {
                ContextValue::One(s) => Some((key, s.as_str())),
                ContextValue::Many(_) => None,
            }
        })
    }
}

/// A deterministic stand-in for IAM's unique ids (modelling decision 11).
fn synth_userid(c: &Caller) -> Option<String> {
    let acct = c.account.as_deref()?;
    let id = |prefix: &str, seed: &str| {
        // FNV-1a, rendered in IAM's unique-id alphabet
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in acct.bytes().chain(seed.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let mut s = String::from(prefix);
        for _ in 0..17 {
            let i = usize::try_from(h % 32).unwrap_or(0);
            s.push(char::from(alphabet.get(i).copied().unwrap_or(b'A')));
            h /= 32;
            if h == 0 {
                h = 0x9e37_79b9_7f4a_7c15;
            }
        }
        s
    };
    Some(match c.kind {
        CallerType::User => id("AIDA", &c.arn),
        CallerType::AssumedRole => {
            let role = id("AROA", c.role_arn.as_deref().unwrap_or(""));
            match &c.session {
                Some(s) => alloc::format!("{role}:{s}"),
                None => role,
            }
        }
        CallerType::FederatedUser => alloc::format!("{acct}:{}", c.name),
        CallerType::Account => String::from(acct),
        CallerType::Service | CallerType::Anonymous => return None,
    })
}

impl VarSource for RequestContext<'_> {
    fn single_value(&self, key_lower: &str) -> Option<Cow<'_, str>> {
        match self.supplied(key_lower) {
            Some(ContextValue::One(v)) => Some(Cow::Borrowed(v.as_str())),
            // a multivalued key can't be a variable (IAM-VARS)
            Some(ContextValue::Many(_)) => None,
            None => self.derived(key_lower),
        }
    }
}

impl ConditionContext for RequestContext<'_> {
    fn values(&self, key_lower: &str) -> Option<RequestValues<'_>> {
        match self.supplied(key_lower) {
            Some(ContextValue::One(v)) => Some(RequestValues::One(Cow::Borrowed(v.as_str()))),
            Some(ContextValue::Many(v)) => Some(RequestValues::Many(v.as_slice())),
            None if key_lower == "kms:encryptioncontextkeys" => {
                let keys = self.encryption_context_keys();
                (!keys.is_empty()).then_some(RequestValues::Owned(keys))
            }
            None => self.derived(key_lower).map(RequestValues::One),
        }
    }
}
