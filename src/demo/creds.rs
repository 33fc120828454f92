//! Temporary credentials as the generator knows them: who really holds them and through which
//! chain of roles. This is the ground truth that `truth.json` writes and attribution is tested
//! against; the logs only show parts of it.

use std::cell::Cell;
use std::rc::Rc;

/// Who is at the start of a chain, in the `chain --json` contract's vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// `IAMUser`, `SAMLUser`, `WebIdentityUser`, `IdentityCenterUser`, `EC2Instance`,
    /// `AWSService`, `AWSAccount` or `Unknown`.
    pub kind: &'static str,
    /// `None` only for an `Unknown` origin without a source identity: nothing names it.
    pub name: Option<String>,
    pub arn: Option<String>,
    pub account_id: Option<String>,
}

/// One role in a chain, in the contract's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub role_arn: String,
    pub account_id: String,
    pub session_name: String,
    pub principal_id: String,
    pub access_key_id: Option<String>,
    pub issued_ms: Option<i64>,
    pub expires_ms: Option<i64>,
    pub via: Option<&'static str>,
    pub cross_account: bool,
    pub source_identity: Option<String>,
    /// `true`: the issuing event is in the files; `false`: deliberately left out, so a correct
    /// tool can only infer this hop from the calls (`evidence: inferred`).
    pub observed: bool,
    pub issuing_event_id: Option<String>,
}

/// A set of temporary credentials and the chain that produced it.
#[derive(Debug, Clone)]
pub struct Cred {
    pub role: usize,
    pub session_name: String,
    pub key: String,
    pub issued_ms: i64,
    pub expires_ms: i64,
    /// Set once in a chain and carried by every later hop (STS enforces that).
    pub source_identity: Option<String>,
    pub origin: Origin,
    /// From the origin's first role to these credentials (the last hop).
    pub hops: Vec<Hop>,
    /// Why something about this chain is special (an omitted event, a reused key).
    pub note: Option<String>,
    /// The issuance's truth entry, when it waits for the first call signed with these
    /// credentials (see [`PendingTruth`]).
    pub pending_truth: Cell<PendingTruth>,
}

/// A truth entry that cannot be written when the credentials are issued. With the issuing
/// event left out, the only trace of the key in the logs is the calls signed with it: until
/// one is written, nothing can answer a query for it, so the entry waits for the first call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingTruth {
    /// Nothing waits (written at issue time, or already written).
    None,
    /// An issuance entry queried by the access key.
    ByKey,
    /// Queried by the first call's event ID instead: the key is issued again later, and a query
    /// by a repeated key answers with its latest issuance (as a principal ID does).
    ByFirstCall,
}

/// Credentials are shared between a holder and the sessions chained from it.
pub type CredRef = Rc<Cred>;

impl Cred {
    /// `AROA…:session`, the role session's principal ID.
    pub fn principal_id(&self, role_id: &str) -> String {
        format!("{role_id}:{}", self.session_name)
    }
}

/// What a correct tool can infer about a session without its issuing event (DESIGN's rules):
/// an `i-…` session name is an EC2 instance, an `AWSReservedSSO_*` role's session name is the
/// Identity Center user, a source identity names the originator, anything else is unknown.
pub fn inferred_origin(
    role_name: &str,
    account_id: &str,
    session: &str,
    source_identity: Option<&str>,
) -> Origin {
    let is_instance = session.len() >= 10
        && session.starts_with("i-")
        && session[2..].chars().all(|c| c.is_ascii_hexdigit());
    if is_instance {
        Origin {
            kind: "EC2Instance",
            name: Some(session.into()),
            arn: None,
            account_id: Some(account_id.into()),
        }
    } else if role_name.starts_with("AWSReservedSSO_") {
        Origin {
            kind: "IdentityCenterUser",
            name: Some(session.into()),
            arn: None,
            account_id: None,
        }
    } else if let Some(si) = source_identity {
        Origin {
            kind: "Unknown",
            name: Some(si.into()),
            arn: None,
            account_id: None,
        }
    } else {
        Origin {
            kind: "Unknown",
            name: None,
            arn: None,
            account_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference_follows_the_design_rules() {
        let ec2 = inferred_origin("web-app-role", "111122223333", "i-0123456789abcdef0", None);
        assert_eq!(ec2.kind, "EC2Instance");
        assert_eq!(ec2.account_id.as_deref(), Some("111122223333"));
        let sso = inferred_origin("AWSReservedSSO_ReadOnlyAccess_0123", "1", "li", None);
        assert_eq!(
            (sso.kind, sso.name.as_deref()),
            ("IdentityCenterUser", Some("li"))
        );
        assert_eq!(inferred_origin("Other", "1", "x", None).kind, "Unknown");
    }
}
