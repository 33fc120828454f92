//! Issuances (one set of temporary credentials, or one failed attempt) and role sessions
//! (Detective's entity: role ID + session name), as the attribution tables hold them.

use serde::Serialize;

use super::chain::{Evidence, rfc3339};
use super::event::Identity;
use super::kinds::AssumerKind;
use super::target::{IssuanceRef, Target};

/// One STS issuing call after stitching the two copies of a cross-account call. A failed call
/// (`failed`) is an attempt: it never becomes a hop.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Issuance {
    /// Row id in `issuances` (0 before it is stored).
    pub id: i64,
    /// `sharedEventID` when the call has one, else `eventID`: one row per logical call.
    pub dedup_key: String,
    /// `events.id` of the first copy seen.
    pub event: i64,
    pub event_id: String,
    /// The other copy of a cross-account call, once both are cached.
    pub other_event_id: Option<String>,
    pub shared_event_id: Option<String>,
    /// The copy whose `userIdentity` is used for the caller (the richer one).
    pub caller_event_id: String,
    /// The STS API: `AssumeRole`, `AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`,
    /// `GetFederationToken`, `GetSessionToken`.
    pub via: String,
    pub failed: bool,
    pub error_code: Option<String>,
    pub region: Option<String>,
    pub source_ip: Option<String>,
    /// `requestParameters.roleArn`, with its path.
    pub role_arn: Option<String>,
    pub role_account: Option<String>,
    /// `assumedRoleUser.assumedRoleId`: the role session's principal ID (`AROA…:name`).
    pub principal_id: Option<String>,
    pub session_name: Option<String>,
    pub assumed_role_arn: Option<String>,
    pub issued_key: Option<String>,
    pub issued_ms: i64,
    pub expires_ms: Option<i64>,
    pub source_identity: Option<String>,
    pub provider_arn: Option<String>,
    pub subject: Option<String>,
    /// The caller (`userIdentity` of the richer copy).
    pub caller: Identity,
    /// The issuance of the caller's own role session (role chaining), when linked.
    pub parent: Option<i64>,
    /// Which rule linked the parent: `access_key` or `creation_date`.
    pub parent_link: Option<String>,
}

/// Who assumed a role session (made one issuance of it), as the session tables show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assumer {
    #[serde(rename = "type")]
    pub kind: AssumerKind,
    pub name: Option<String>,
    pub arn: Option<String>,
    pub account_id: Option<String>,
    /// The STS API, when observed.
    pub via: Option<String>,
    pub evidence: Evidence,
    /// The issuing call, when observed.
    pub event_id: Option<String>,
    /// What Enter on the assumer opens: the user, the instance, the account, or — role
    /// chaining — the parent role session. `None` for a service or an unknown assumer.
    pub target: Option<Target>,
    /// Role chaining: the exact issuance of the parent session whose credentials made the
    /// call, when it is linked (never "the latest session with that name").
    pub parent: Option<IssuanceRef>,
    /// The issuance this assumer made.
    pub issuance: Option<IssuanceRef>,
}

/// A role session: every call signed by one `AROA…:sessionName`, over all its issuances.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleSession {
    pub principal_id: String,
    pub role_arn: Option<String>,
    pub account_id: Option<String>,
    pub session_name: String,
    #[serde(serialize_with = "rfc3339::ms")]
    pub first_observed: i64,
    #[serde(serialize_with = "rfc3339::ms")]
    pub last_observed: i64,
    /// Issuances: observed (issuing call cached) and inferred (credentials seen only in calls).
    pub issuances: i64,
    /// Of `issuances`, how many are known only from the calls.
    pub issuances_inferred: i64,
    /// The assumer of the latest issuance.
    pub assumed_by: Assumer,
    pub events: i64,
    pub failed: i64,
    pub target: Target,
    pub role: Option<Target>,
}
