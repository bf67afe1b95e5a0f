//! Principals: the entries of `Principal`/`NotPrincipal` and the caller of a request.

use alloc::string::String;
use alloc::vec::Vec;

use super::arn::Arn;

/// One compiled `Principal` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalPattern {
    /// `"*"` or `{"AWS": "*"}`: everyone, including anonymous callers.
    Any,
    /// An account: `123456789012` or `arn:aws:iam::123456789012:root`.
    Account(String),
    User(String),
    Role(String),
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`
    Session(String),
    /// `arn:aws:sts::ACCOUNT:federated-user/NAME`
    FederatedUser(String),
    /// `{"Service": "sagemaker.amazonaws.com"}`
    Service(String),
    /// `{"Service": "*"}`
    AnyService,
    /// `{"Federated": "…"}` identity provider.
    Federated(String),
    CanonicalUser(String),
    /// Another IAM identifier (a unique id such as `AIDA…`), compared to `aws:userid`'s id part.
    UniqueId(String),
}

/// Why a principal entry is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalError {
    PartialWildcard,
    Group,
    Malformed,
}

/// Whether `s` is a 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

impl PrincipalPattern {
    /// Compiles an entry of the `AWS` map key.
    pub fn aws(s: &str) -> Result<PrincipalPattern, PrincipalError> {
        if s == "*" {
            return Ok(PrincipalPattern::Any);
        }
        if s.contains('*') || s.contains('?') {
            return Err(PrincipalError::PartialWildcard);
        }
        if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
            // AWS accepts only 12-digit ids; a shorter all-digit id is kept as an account that never
            // matches a real caller (the seed page's example uses `123456789`).
            return Ok(PrincipalPattern::Account(String::from(s)));
        }
        if let Some(a) = Arn::parse(s) {
            let account = String::from(a.account);
            return match (a.service, a.resource) {
                ("iam", "root") => Ok(PrincipalPattern::Account(account)),
                ("iam", r) if r.starts_with("user/") => Ok(PrincipalPattern::User(String::from(s))),
                ("iam", r) if r.starts_with("role/") => Ok(PrincipalPattern::Role(String::from(s))),
                ("iam", r) if r.starts_with("group/") => Err(PrincipalError::Group),
                ("sts", r) if r.starts_with("assumed-role/") && r.matches('/').count() >= 2 => {
                    Ok(PrincipalPattern::Session(String::from(s)))
                }
                ("sts", r) if r.starts_with("federated-user/") => {
                    Ok(PrincipalPattern::FederatedUser(String::from(s)))
                }
                _ => Err(PrincipalError::Malformed),
            };
        }
        if s.len() >= 16
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Ok(PrincipalPattern::UniqueId(String::from(s)));
        }
        Err(PrincipalError::Malformed)
    }

    pub fn service(s: &str) -> Result<PrincipalPattern, PrincipalError> {
        if s == "*" {
            return Ok(PrincipalPattern::AnyService);
        }
        if s.contains('*') || s.contains('?') {
            return Err(PrincipalError::PartialWildcard);
        }
        if s.is_empty() || s.contains(':') || s.contains(' ') {
            return Err(PrincipalError::Malformed);
        }
        Ok(PrincipalPattern::Service(String::from(s)))
    }
}

/// What kind of caller made the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum CallerType {
    /// The account root user.
    Account,
    User,
    AssumedRole,
    FederatedUser,
    Service,
    Anonymous,
}

impl CallerType {
    /// The `aws:PrincipalType` value.
    pub fn as_str(self) -> &'static str {
        match self {
            CallerType::Account => "Account",
            CallerType::User => "User",
            CallerType::AssumedRole => "AssumedRole",
            CallerType::FederatedUser => "FederatedUser",
            CallerType::Service => "Service",
            CallerType::Anonymous => "Anonymous",
        }
    }

    /// Session principals are the ones session policies apply to.
    pub fn is_session(self) -> bool {
        matches!(self, CallerType::AssumedRole | CallerType::FederatedUser)
    }
}

/// The caller of a request, with every identity a policy may name it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub kind: CallerType,
    /// As given in the question.
    pub given: String,
    /// The ARN used in messages (`arn:aws:iam::ACCOUNT:root` for a bare account id).
    pub arn: String,
    pub account: Option<String>,
    pub partition: String,
    /// User name, role name, federated user name or service name.
    pub name: String,
    /// For sessions: the role ARN (`aws:PrincipalArn`).
    pub role_arn: Option<String>,
    /// For sessions: the session name, when known.
    pub session: Option<String>,
}

/// How a `Principal` element matched the caller; decides the principal-type rule (modelling decision 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub enum MatchedVia {
    /// The caller's account: delegation to the account's IAM policies.
    Account,
    /// The role ARN of a role session: boundary and session policy still apply.
    Role,
    /// `*`, the user ARN, the session ARN, the federated user ARN or the service: a direct grant.
    Direct,
}

impl Caller {
    /// Parses the request's principal.
    pub fn parse(s: &str) -> Option<Caller> {
        let s = s.trim();
        let base =
            |kind, arn: String, account: Option<String>, partition: &str, name: &str| Caller {
                kind,
                given: String::from(s),
                arn,
                account,
                partition: String::from(partition),
                name: String::from(name),
                role_arn: None,
                session: None,
            };
        if s == "*" || s.eq_ignore_ascii_case("anonymous") || s.is_empty() {
            return Some(base(
                CallerType::Anonymous,
                String::from("anonymous"),
                None,
                "aws",
                "anonymous",
            ));
        }
        if is_account_id(s) {
            let arn = alloc::format!("arn:aws:iam::{s}:root");
            return Some(base(
                CallerType::Account,
                arn,
                Some(String::from(s)),
                "aws",
                "root",
            ));
        }
        if let Some(a) = Arn::parse(s) {
            let acct = Some(String::from(a.account)).filter(|x| is_account_id(x));
            acct.as_ref()?;
            fn last(r: &str) -> &str {
                r.rsplit('/').next().unwrap_or(r)
            }
            return match (a.service, a.resource) {
                ("iam", "root") => Some(base(
                    CallerType::Account,
                    String::from(s),
                    acct,
                    a.partition,
                    "root",
                )),
                ("iam", r) if r.starts_with("user/") => Some(base(
                    CallerType::User,
                    String::from(s),
                    acct,
                    a.partition,
                    last(r),
                )),
                ("iam", r) if r.starts_with("role/") => {
                    let mut c = base(
                        CallerType::AssumedRole,
                        String::from(s),
                        acct,
                        a.partition,
                        last(r),
                    );
                    c.role_arn = Some(String::from(s));
                    Some(c)
                }
                ("sts", r) if r.starts_with("assumed-role/") => {
                    let rest = r.get("assumed-role/".len()..).unwrap_or("");
                    let (role, session) = rest.rsplit_once('/')?;
                    let mut c = base(
                        CallerType::AssumedRole,
                        String::from(s),
                        acct.clone(),
                        a.partition,
                        role,
                    );
                    c.role_arn = Some(alloc::format!(
                        "arn:{}:iam::{}:role/{}",
                        a.partition,
                        a.account,
                        role
                    ));
                    c.session = Some(String::from(session));
                    Some(c)
                }
                ("sts", r) if r.starts_with("federated-user/") => Some(base(
                    CallerType::FederatedUser,
                    String::from(s),
                    acct,
                    a.partition,
                    last(r),
                )),
                _ => None,
            };
        }
        if s.ends_with(".amazonaws.com") || s.ends_with(".amazonaws.com.cn") {
            return Some(base(CallerType::Service, String::from(s), None, "aws", s));
        }
        None
    }

    /// `aws:PrincipalArn`: the role ARN for a role session, else the caller's ARN.
    pub fn principal_arn(&self) -> Option<&str> {
        match self.kind {
            CallerType::Anonymous | CallerType::Service => None,
            CallerType::AssumedRole => self.role_arn.as_deref(),
            _ => Some(&self.arn),
        }
    }

    /// Whether `p` names this caller, and how.
    pub fn matched_by(&self, p: &PrincipalPattern) -> Option<MatchedVia> {
        match p {
            PrincipalPattern::Any => Some(MatchedVia::Direct),
            PrincipalPattern::Account(a) => match (&self.account, self.kind) {
                (Some(mine), k) if mine == a && k != CallerType::Service => {
                    Some(MatchedVia::Account)
                }
                _ => None,
            },
            PrincipalPattern::User(arn) => {
                (self.kind == CallerType::User && self.arn == *arn).then_some(MatchedVia::Direct)
            }
            PrincipalPattern::Role(arn) => (self.kind == CallerType::AssumedRole
                && self.role_arn.as_deref() == Some(arn.as_str()))
            .then_some(MatchedVia::Role),
            PrincipalPattern::Session(arn) => {
                (self.kind == CallerType::AssumedRole && self.session.is_some() && self.arn == *arn)
                    .then_some(MatchedVia::Direct)
            }
            PrincipalPattern::FederatedUser(arn) => (self.kind == CallerType::FederatedUser
                && self.arn == *arn)
                .then_some(MatchedVia::Direct),
            PrincipalPattern::Service(name) => (self.kind == CallerType::Service
                && self.name == *name)
                .then_some(MatchedVia::Direct),
            PrincipalPattern::AnyService => {
                (self.kind == CallerType::Service).then_some(MatchedVia::Direct)
            }
            PrincipalPattern::Federated(_)
            | PrincipalPattern::CanonicalUser(_)
            | PrincipalPattern::UniqueId(_) => None,
        }
    }

    /// All the identities of the caller, for `NotPrincipal` (IAM-NOTPRINC: account, then role, then session).
    pub fn identities(&self) -> Vec<PrincipalPattern> {
        let mut v = Vec::new();
        if let Some(a) = &self.account {
            if self.kind != CallerType::Service {
                v.push(PrincipalPattern::Account(a.clone()));
            }
        }
        match self.kind {
            CallerType::User => v.push(PrincipalPattern::User(self.arn.clone())),
            CallerType::AssumedRole => {
                if let Some(r) = &self.role_arn {
                    v.push(PrincipalPattern::Role(r.clone()));
                }
                if self.session.is_some() {
                    v.push(PrincipalPattern::Session(self.arn.clone()));
                }
            }
            CallerType::FederatedUser => v.push(PrincipalPattern::FederatedUser(self.arn.clone())),
            CallerType::Service => v.push(PrincipalPattern::Service(self.name.clone())),
            CallerType::Account | CallerType::Anonymous => {}
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers() {
        let s = Caller::parse("arn:aws:sts::111122223333:assumed-role/admin/alice").unwrap();
        assert_eq!(s.kind, CallerType::AssumedRole);
        assert_eq!(
            s.role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/admin")
        );
        assert_eq!(
            s.matched_by(&PrincipalPattern::aws("111122223333").unwrap()),
            Some(MatchedVia::Account)
        );
        assert_eq!(
            s.matched_by(&PrincipalPattern::aws("arn:aws:iam::111122223333:role/admin").unwrap()),
            Some(MatchedVia::Role)
        );
        let root = Caller::parse("111122223333").unwrap();
        assert_eq!(root.arn, "arn:aws:iam::111122223333:root");
        assert!(Caller::parse("arn:aws:iam::12:user/x").is_none());
        assert_eq!(
            PrincipalPattern::aws("arn:aws:iam::111122223333:user/*"),
            Err(PrincipalError::PartialWildcard)
        );
        assert_eq!(
            PrincipalPattern::aws("arn:aws:iam::111122223333:group/g"),
            Err(PrincipalError::Group)
        );
    }
}
