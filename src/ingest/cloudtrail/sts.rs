//! The STS calls that issue temporary credentials (`AssumeRole`, `AssumeRoleWithSAML`,
//! `AssumeRoleWithWebIdentity`, `GetFederationToken`, `GetSessionToken`): the request and
//! response fields attribution links on.
//!
//! CloudTrail quirks handled here:
//! - `requestParameters` and `responseElements` are `null` (or absent) on failed calls and on
//!   the role-account copy of some cross-account calls. A failed call still yields an `StsCall`
//!   with the request fields and no issued key: it is an attempt, shown as such.
//! - `credentials.expiration` is a human-readable date (`Oct 1, 2026, 1:00:00 PM`), not ISO.
//! - `GetFederationToken` creates a federated user, not a role session: its
//!   `federatedUser.federatedUserId` / `.arn` take the place of `assumedRoleUser`, and the
//!   requested `name` that of the session name.

use super::mirror::{RawRecord, RawStsRequest, RawStsResponse};
use crate::ingest::time::parse_expiration;
use crate::model::StsCall;

/// The credential-issuing STS API names.
const ISSUING_CALLS: [&str; 5] = [
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "GetFederationToken",
    "GetSessionToken",
];

/// The STS fields of `raw` when it is a credential-issuing call, else `None`.
pub fn sts_call(raw: &RawRecord<'_>, event_source: &str, event_name: &str) -> Option<StsCall> {
    if event_source != "sts.amazonaws.com" || !ISSUING_CALLS.contains(&event_name) {
        return None;
    }
    // A request or response of an unexpected shape (a string, an array) leaves those fields
    // empty rather than losing the event: the call itself still happened.
    let req: RawStsRequest = raw
        .request_parameters
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let resp: RawStsResponse = raw
        .response_elements
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let creds = resp.credentials.as_ref();
    let role_user = resp.assumed_role_user.as_ref();
    let federated = resp.federated_user.as_ref();
    Some(StsCall {
        role_arn: req.role_arn.owned(),
        role_session_name: req.role_session_name.owned().or_else(|| req.name.owned()),
        source_identity: req
            .source_identity
            .owned()
            .or_else(|| resp.source_identity.owned()),
        issued_access_key: creds.and_then(|c| c.access_key_id.owned()),
        assumed_role_id: role_user
            .and_then(|u| u.assumed_role_id.owned())
            .or_else(|| federated.and_then(|f| f.federated_user_id.owned())),
        assumed_role_arn: role_user
            .and_then(|u| u.arn.owned())
            .or_else(|| federated.and_then(|f| f.arn.owned())),
        expires_ms: creds
            .and_then(|c| c.expiration.get())
            .and_then(parse_expiration),
        // SAML and web-identity requests name the provider's ARN in `principalArn`; web
        // identity responses only name the issuer (`accounts.google.com`, an OIDC URL), which
        // is still the best statement of who vouched for the caller.
        provider_arn: req.principal_arn.owned().or_else(|| resp.provider.owned()),
        subject: resp
            .subject_from_web_identity_token
            .owned()
            .or_else(|| resp.subject.owned()),
    })
}
