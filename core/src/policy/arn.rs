//! ARNs and ARN patterns, matched segment by segment as IAM documents.

use alloc::string::String;
use alloc::vec::Vec;

use super::pattern::{glob, Elem, Template, VarSource};

/// The parts of an ARN: `arn:partition:service:region:account:resource`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        // The same as `splitn(6, ':')` with `arn` first, in one pass over the bytes (every decision parses the
        // request's resource and principal ARNs; `:` is ASCII, so a byte position is a char boundary).
        let rest = s.strip_prefix("arn:")?;
        let (partition, rest) = split_colon(rest)?;
        let (service, rest) = split_colon(rest)?;
        let (region, rest) = split_colon(rest)?;
        let (account, resource) = split_colon(rest)?;
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// A KMS key ARN: `arn:PARTITION:kms:REGION:ACCOUNT:key/ID`.
    pub fn is_kms_key(&self) -> bool {
        self.service == "kms" && self.resource.starts_with("key/")
    }

    /// The account segment, when it isn't empty.
    pub fn account_id(&self) -> Option<&'a str> {
        Some(self.account).filter(|a| !a.is_empty())
    }

    fn segments(&self) -> [&'a str; 5] {
        [
            self.partition,
            self.service,
            self.region,
            self.account,
            self.resource,
        ]
    }
}

/// The text before the first `:` and the text after it.
fn split_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == b':')?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Whether `s` is a KMS key ARN (`arn:PARTITION:kms:REGION:ACCOUNT:key/ID`).
pub fn is_kms_key_arn(s: &str) -> bool {
    Arn::parse(s).is_some_and(|a| a.is_kms_key())
}

/// A Resource/NotResource entry or an `Arn*` condition value.
#[derive(Clone, Debug)]
pub enum ArnPattern {
    /// `*`: every resource.
    Any,
    /// Five wildcard segments after `arn:`; the last (resource) one may contain `:` and variables.
    Segments {
        fixed: [Vec<Elem>; 4],
        resource: Template,
        /// Pre-rendered resource segment when it has no variables.
        resource_elems: Option<Vec<Elem>>,
    },
}

/// Why a resource pattern was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArnPatternError {
    NotAnArn,
    WildcardInService,
}

impl ArnPattern {
    /// Parses a pattern; `variables` enables policy variables in the resource segment.
    pub fn parse(
        s: &str,
        variables: bool,
        service_wildcard_ok: bool,
    ) -> Result<ArnPattern, ArnPatternError> {
        if s == "*" {
            return Ok(ArnPattern::Any);
        }
        let mut it = s.splitn(6, ':');
        if it.next() != Some("arn") {
            return Err(ArnPatternError::NotAnArn);
        }
        let mut segs: Vec<&str> = Vec::with_capacity(5);
        for _ in 0..5 {
            match it.next() {
                Some(seg) => segs.push(seg),
                None => return Err(ArnPatternError::NotAnArn),
            }
        }
        let [partition, service, region, account, resource] = segs.as_slice() else {
            return Err(ArnPatternError::NotAnArn);
        };
        if !service_wildcard_ok && (service.contains('*') || service.contains('?')) {
            return Err(ArnPatternError::WildcardInService);
        }
        let seg = |t: &str| -> Vec<Elem> {
            Template::parse(t, false)
                .static_elems(true, false)
                .unwrap_or_default()
        };
        let resource = Template::parse(resource, variables);
        let resource_elems = resource.static_elems(true, false);
        Ok(ArnPattern::Segments {
            fixed: [seg(partition), seg(service), seg(region), seg(account)],
            resource,
            resource_elems,
        })
    }

    /// Matches a request ARN. `missing` hears of variables without a value.
    pub fn matches<V: VarSource>(
        &self,
        arn: &str,
        vars: &V,
        missing: &mut dyn FnMut(&str),
    ) -> bool {
        match self {
            ArnPattern::Any => true,
            ArnPattern::Segments {
                fixed,
                resource,
                resource_elems,
            } => {
                let Some(a) = Arn::parse(arn) else {
                    return false;
                };
                let segs = a.segments();
                for (p, s) in fixed.iter().zip(segs.iter()) {
                    if !glob(p, s) {
                        return false;
                    }
                }
                match resource_elems {
                    Some(e) => glob(e, a.resource),
                    None => match resource.render(vars, true, false, missing) {
                        Some(e) => glob(&e, a.resource),
                        None => false,
                    },
                }
            }
        }
    }
}

/// The account of an ARN, if it has one.
pub fn account_of(arn: &str) -> Option<String> {
    Arn::parse(arn)
        .and_then(|a| a.account_id())
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::borrow::Cow;

    struct NoVars;
    impl VarSource for NoVars {
        fn single_value(&self, _: &str) -> Option<Cow<'_, str>> {
            None
        }
    }

    fn m(p: &str, a: &str) -> bool {
        ArnPattern::parse(p, true, false)
            .unwrap()
            .matches(a, &NoVars, &mut |_| {})
    }

    #[test]
    fn segment_matching() {
        assert!(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c"));
        assert!(m(
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:us-east-1:111122223333:key/abc"
        ));
        assert!(!m(
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:us-east-1:444455556666:key/abc"
        ));
        // `*` in the region segment never crosses `:`
        assert!(!m("arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"));
        assert!(m("*", "anything"));
        assert!(!m("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x"));
        assert!(is_kms_key_arn(
            "arn:aws:kms:us-east-1:111122223333:key/1234"
        ));
        assert!(!is_kms_key_arn(
            "arn:aws:kms:us-east-1:111122223333:alias/x"
        ));
        assert_eq!(
            ArnPattern::parse("arn:aws:*:::x", true, false).unwrap_err(),
            ArnPatternError::WildcardInService
        );
        assert_eq!(
            ArnPattern::parse("bucket", true, false).unwrap_err(),
            ArnPatternError::NotAnArn
        );
    }
}
