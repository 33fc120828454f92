//! One CloudTrail record, normalised: the columns the queries need, plus the original record.

use super::kinds::UserType;

/// One CloudTrail record after normalisation. Times are UTC milliseconds since the epoch.
///
/// Every string here came from a log and is attacker-controlled: sanitise before display
/// (`crate::text::sanitize`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    /// `eventID`: the deduplication key.
    pub event_id: String,
    pub time_ms: i64,
    pub event_version: Option<String>,
    /// `recipientAccountId`, falling back to `userIdentity.accountId` when absent (old versions).
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub event_source: String,
    pub event_name: String,
    pub error_code: Option<String>,
    pub read_only: Option<bool>,
    pub identity: Identity,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// `sharedEventID`: the same value on both copies of a cross-account call.
    pub shared_event_id: Option<String>,
    /// Present for STS calls that issue (or try to issue) temporary credentials.
    pub sts: Option<StsCall>,
    /// The original record as JSON, with every `sessionToken` value redacted.
    pub raw: String,
}

/// `userIdentity` of a record: who made the call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    /// `IAMUser`, `AssumedRole`, `Root`, `SAMLUser`, `WebIdentityUser`, `AWSService`,
    /// `AWSAccount`, `FederatedUser`, `IdentityCenterUser`, …
    pub user_type: Option<UserType>,
    pub principal_id: Option<String>,
    pub arn: Option<String>,
    pub account_id: Option<String>,
    pub access_key_id: Option<String>,
    pub user_name: Option<String>,
    /// `identityProvider` of SAML and web-identity users.
    pub identity_provider: Option<String>,
    /// `sessionContext.sessionIssuer.arn`: the role (or user) whose session signed the call.
    pub issuer_arn: Option<String>,
    /// `sessionContext.sessionIssuer.principalId` (`AROA…`).
    pub issuer_principal_id: Option<String>,
    /// `sessionContext.attributes.creationDate`, in ms.
    pub session_created_ms: Option<i64>,
    pub mfa_authenticated: Option<bool>,
    /// `sessionContext.sourceIdentity`.
    pub source_identity: Option<String>,
    /// `invokedBy`, e.g. `ec2.amazonaws.com`.
    pub invoked_by: Option<String>,
}

/// The parts of an STS credential-issuing call (`AssumeRole*`, `GetFederationToken`,
/// `GetSessionToken`) that attribution needs. A failed call has an error code on the event and
/// no issued key: it is an attempt, never a hop.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StsCall {
    /// `requestParameters.roleArn` (with its path).
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    /// `requestParameters.sourceIdentity`.
    pub source_identity: Option<String>,
    /// `responseElements.credentials.accessKeyId` (`ASIA…`).
    pub issued_access_key: Option<String>,
    /// `responseElements.assumedRoleUser.assumedRoleId` (`AROA…:session`).
    pub assumed_role_id: Option<String>,
    /// `responseElements.assumedRoleUser.arn`.
    pub assumed_role_arn: Option<String>,
    /// `responseElements.credentials.expiration`, in ms.
    pub expires_ms: Option<i64>,
    /// SAML / web identity: `requestParameters.principalArn` (the identity provider ARN).
    pub provider_arn: Option<String>,
    /// SAML / web identity: `responseElements.subjectFromWebIdentityToken` or `subject`.
    pub subject: Option<String>,
}
