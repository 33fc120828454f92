//! The STS calls that issue temporary credentials (`AssumeRole`, `AssumeRoleWithSAML`,
//! `AssumeRoleWithWebIdentity`, `GetFederationToken`, `GetSessionToken`): the request and
//! response fields attribution links on.
//!
//! CloudTrail quirks handled here:
//! - `requestParameters` and `responseElements` are `null` (or absent) on failed calls and on
//!   the role-account copy of some cross-account calls. A failed call still yields an `StsCall`
//!   with the request fields and no issued key: it is an attempt, shown as such.
//! - `credentials.expiration` is a human-readable date (`Oct 1, 2026, 1:00:00 PM`), not ISO.
//! - A failed `AssumeRole` whose `requestParameters` is `null` (an access denied before the
//!   request was looked at) names the role only in its `errorMessage`: `User: arn:… is not
//!   authorized to perform: sts:AssumeRole on resource: arn:aws:iam::…:role/…`. The role ARN
//!   is read from there, so the attempt counts on that role.
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
        role_arn: req
            .role_arn
            .owned()
            .or_else(|| raw.error_message.get().and_then(role_in_error_message)),
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

/// The role an access-denied `errorMessage` names: the ARN after `on resource: `, when it is a
/// role's (`arn:<partition>:iam::<account>:role/<path/name>`).
pub fn role_in_error_message(message: &str) -> Option<String> {
    const MARK: &str = "on resource: ";
    let at = message.find(MARK)? + MARK.len();
    let arn: &str = message[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == ',')
        .next()?;
    let arn = arn.trim_end_matches(['.', ';', ')']);
    let mut parts = arn.splitn(6, ':');
    let ok = parts.next() == Some("arn")
        && parts.next().is_some_and(|p| p.starts_with("aws"))
        && parts.next() == Some("iam")
        && parts.next() == Some("")
        && parts
            .next()
            .is_some_and(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|r| r.len() > "role/".len() && r.starts_with("role/"));
    ok.then(|| arn.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_of_a_denied_assume_role_is_read_from_its_error_message() {
        let cases = [
            (
                "User: arn:aws:iam::111122223333:user/mallory is not authorized to perform: \
                 sts:AssumeRole on resource: arn:aws:iam::444455556666:role/ops/Admin",
                Some("arn:aws:iam::444455556666:role/ops/Admin"),
            ),
            (
                "User: arn:aws:sts::111122223333:assumed-role/Dev/bob is not authorized to \
                 perform: sts:AssumeRole on resource: arn:aws-us-gov:iam::444455556666:role/X \
                 because no identity-based policy allows the sts:AssumeRole action",
                Some("arn:aws-us-gov:iam::444455556666:role/X"),
            ),
            (
                "User: x is not authorized to perform: s3:GetObject on resource: \
                 arn:aws:s3:::bucket/key",
                None,
            ),
            ("Access denied", None),
            ("on resource: arn:aws:iam::notdigits:role/X", None),
        ];
        for (message, want) in cases {
            assert_eq!(role_in_error_message(message).as_deref(), want, "{message}");
        }
    }
}
