//! The IAM side of a scenario: accounts, principals with their identity policies, boundaries and tags, and
//! an optional organization with SCP/RCP levels. The services look callers up here to authorize them.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::evaluation::{PolicySource, PolicySources};
use crate::policy::principal::{Caller, CallerType};

/// An IAM user or role.
#[derive(Clone, Debug, Default)]
pub struct IamPrincipal {
    /// `arn:aws:iam::ACCOUNT:user/NAME` or `arn:aws:iam::ACCOUNT:role/NAME`.
    pub arn: String,
    pub identity_policies: Vec<PolicySource>,
    pub permissions_boundary: Option<PolicySource>,
    pub tags: BTreeMap<String, String>,
}

/// An organization: SCP and RCP levels (root → OU(s) → account) per member account.
#[derive(Clone, Debug, Default)]
pub struct Organization {
    pub id: String,
    pub service_control_policies: BTreeMap<String, Vec<Vec<PolicySource>>>,
    pub resource_control_policies: BTreeMap<String, Vec<Vec<PolicySource>>>,
}

/// Everything IAM knows about a scenario.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// Account id → display name.
    pub accounts: BTreeMap<String, String>,
    pub principals: Vec<IamPrincipal>,
    pub organization: Option<Organization>,
}

impl Directory {
    /// The IAM user or role behind a caller (a role session maps to its role).
    pub fn principal_of(&self, caller: &Caller) -> Option<&IamPrincipal> {
        let arn = match caller.kind {
            CallerType::User => caller.arn.as_str(),
            CallerType::AssumedRole => caller.role_arn.as_deref()?,
            _ => return None,
        };
        self.principals
            .iter()
            .find(|p| p.arn == arn || same_role(&p.arn, arn))
    }

    /// SCP levels that apply to principals of `account`, if it is in the organization.
    pub fn scps_for(&self, account: &str) -> Option<&Vec<Vec<PolicySource>>> {
        self.organization
            .as_ref()?
            .service_control_policies
            .get(account)
    }

    /// RCP levels that apply to resources of `account`, if it is in the organization.
    pub fn rcps_for(&self, account: &str) -> Option<&Vec<Vec<PolicySource>>> {
        self.organization
            .as_ref()?
            .resource_control_policies
            .get(account)
    }

    /// The identity side of a caller's authorization: its identity policies, permissions boundary, the
    /// session policy it presents, and the SCP levels of its account.
    pub fn identity_sources(
        &self,
        caller: &Caller,
        session_policy: Option<&PolicySource>,
    ) -> PolicySources {
        let mut src = PolicySources::default();
        if let Some(p) = self.principal_of(caller) {
            src.identity.clone_from(&p.identity_policies);
            src.permissions_boundary.clone_from(&p.permissions_boundary);
        }
        src.session = session_policy.cloned();
        if let Some(a) = &caller.account {
            src.service_control = self.scps_for(a).cloned();
        }
        src
    }

    /// Whether an account is declared.
    pub fn has_account(&self, account: &str) -> bool {
        self.accounts.contains_key(account)
    }
}

/// A role ARN with a path (`role/path/name`) names the same role as the session's `role/name`.
fn same_role(declared: &str, from_session: &str) -> bool {
    let name = |a: &str| a.rsplit('/').next().map(String::from);
    let account = |a: &str| a.split(':').nth(4).map(String::from);
    declared.contains(":role/")
        && from_session.contains(":role/")
        && name(declared) == name(from_session)
        && account(declared) == account(from_session)
}
