//! Pure attribution rules: merging the copies of an STS call into one issuance, linking a call
//! (or a caller) to the issuance of its credentials, and naming an assumer — observed from an
//! issuing call or inferred from the session's own calls. No I/O: callers bring the rows.

use crate::model::{Identity, Issuance, Origin, OriginKind, StsCall, UserType};

/// How long credentials live when the issuing call does not say (`expiration` missing or
/// unparsable): the longest STS allows (`GetSessionToken`, 36 hours).
pub const MAX_LIFETIME_MS: i64 = 36 * 3_600_000;

/// CloudTrail times are whole seconds and issuing calls can be logged a moment after the first
/// call made with the new credentials: tolerate this much either side.
const CLOCK_SLACK_MS: i64 = 1_000;

/// Which rule linked a call to an issuance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// The call's access key is the issued key, same role, inside the credentials' lifetime.
    AccessKey,
    /// The call's principal ID is the assumed-role ID and its session creation date is the
    /// issue time, to the second.
    CreationDate,
}

impl LinkKind {
    /// `access_key` / `creation_date`, as stored in `issuances.parent_link`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::AccessKey => "access_key",
            LinkKind::CreationDate => "creation_date",
        }
    }
}

/// One copy of an STS issuing call, as `build_issuance` needs it.
#[derive(Debug, Clone, Copy)]
pub struct StsCopyRef<'a> {
    pub row: i64,
    pub event_id: &'a str,
    pub time_ms: i64,
    pub event_name: &'a str,
    pub error_code: Option<&'a str>,
    /// `recipientAccountId`.
    pub account_id: Option<&'a str>,
    pub region: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub shared_event_id: Option<&'a str>,
    pub identity: &'a Identity,
    pub caller_provider: Option<&'a str>,
    pub sts: &'a StsCall,
}

/// The account in an ARN (`arn:aws:iam::111122223333:role/x` → `111122223333`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// The role name in a role ARN (path dropped) or an assumed-role ARN.
pub fn role_name(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    if let Some(rest) = resource.strip_prefix("role/") {
        return rest.rsplit('/').next();
    }
    if let Some(rest) = resource.strip_prefix("assumed-role/") {
        return rest.split('/').next();
    }
    None
}

/// The role ARN behind an assumed-role ARN (`arn:aws:sts::A:assumed-role/R/s` →
/// `arn:aws:iam::A:role/R`; the role's path is not in an assumed-role ARN).
pub fn role_arn_of_assumed(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, _, _, account, resource] = parts.as_slice() else {
        return None;
    };
    let name = resource.strip_prefix("assumed-role/")?.split('/').next()?;
    Some(format!("arn:{partition}:iam::{account}:role/{name}"))
}

/// The session name in a role session's principal ID (`AROA…:name` → `name`).
pub fn session_name_of(principal: &str) -> Option<&str> {
    principal.split_once(':').map(|(_, n)| n)
}

/// Whether a user type names a role session (`AssumedRole`).
pub fn is_role_session(identity: &Identity) -> bool {
    identity.user_type == Some(UserType::AssumedRole)
}

/// Whether the caller signed with temporary session credentials that an STS call issued and
/// that can be followed back to it: a role session, or the federated user of a
/// `GetFederationToken` (whose issuing call names the IAM user behind it).
pub fn is_session(identity: &Identity) -> bool {
    matches!(
        identity.user_type,
        Some(UserType::AssumedRole | UserType::FederatedUser)
    )
}

/// How much a copy tells about the caller: the role account's copy of a cross-account call
/// shows only `{type: AWSAccount, principalId, accountId}`.
fn richness(identity: &Identity) -> u8 {
    match identity.user_type {
        None => 0,
        Some(UserType::AwsAccount) => 1,
        Some(_) => 2 + u8::from(identity.arn.is_some()),
    }
}

/// Builds (or completes) the issuance of one logical STS call from one of its copies. `existing`
/// is the issuance already stored for the same `sharedEventID`, if any: the two copies of a
/// cross-account AssumeRole are stitched into one, keeping the richer caller identity.
pub fn build_issuance(existing: Option<Issuance>, copy: &StsCopyRef<'_>) -> Issuance {
    let sts = copy.sts;
    // An error code makes an attempt. A record without credentials and without an error is
    // merely incomplete (test fixtures, `responseElements` dropped by a pipeline): it can
    // never be linked to (no key, no principal), but it is not called a failure.
    let failed = copy.error_code.is_some();
    let role_arn = sts.role_arn.clone().or_else(|| {
        sts.assumed_role_arn
            .as_deref()
            .and_then(role_arn_of_assumed)
    });
    let role_account = role_arn
        .as_deref()
        .and_then(arn_account)
        .or(copy.account_id)
        .map(str::to_string);
    let session_name = sts.role_session_name.clone().or_else(|| {
        sts.assumed_role_id
            .as_deref()
            .and_then(session_name_of)
            .map(str::to_string)
    });
    let mut caller = copy.identity.clone();
    if caller.identity_provider.is_none() {
        caller.identity_provider = copy.caller_provider.map(str::to_string);
    }
    let fresh = Issuance {
        id: 0,
        dedup_key: copy.shared_event_id.unwrap_or(copy.event_id).to_string(),
        event: copy.row,
        event_id: copy.event_id.to_string(),
        other_event_id: None,
        shared_event_id: copy.shared_event_id.map(str::to_string),
        caller_event_id: copy.event_id.to_string(),
        via: copy.event_name.to_string(),
        failed,
        error_code: copy.error_code.map(str::to_string),
        region: copy.region.map(str::to_string),
        source_ip: copy.source_ip.map(str::to_string),
        role_arn,
        role_account,
        principal_id: sts.assumed_role_id.clone(),
        session_name,
        assumed_role_arn: sts.assumed_role_arn.clone(),
        issued_key: sts.issued_access_key.clone(),
        issued_ms: copy.time_ms,
        expires_ms: sts.expires_ms,
        source_identity: sts.source_identity.clone(),
        provider_arn: sts.provider_arn.clone(),
        subject: sts.subject.clone(),
        caller,
        parent: None,
        parent_link: None,
    };
    let Some(mut old) = existing else {
        return fresh;
    };
    if old.event_id == fresh.event_id {
        return old;
    }
    old.other_event_id = Some(fresh.event_id.clone());
    if richness(&fresh.caller) > richness(&old.caller) {
        old.caller = fresh.caller;
        old.caller_event_id = fresh.caller_event_id;
        old.source_ip = fresh.source_ip.or(old.source_ip);
        // A richer caller may be a role session: its parent is resolved again.
        old.parent = None;
        old.parent_link = None;
    }
    // Fill what one copy lacks from the other (the role account's copy may miss
    // `recipientAccountId`; either may miss parts of `responseElements`).
    old.failed = old.failed && fresh.failed;
    old.role_arn = old.role_arn.or(fresh.role_arn);
    old.role_account = old.role_account.or(fresh.role_account);
    old.principal_id = old.principal_id.or(fresh.principal_id);
    old.session_name = old.session_name.or(fresh.session_name);
    old.assumed_role_arn = old.assumed_role_arn.or(fresh.assumed_role_arn);
    old.issued_key = old.issued_key.or(fresh.issued_key);
    old.expires_ms = old.expires_ms.or(fresh.expires_ms);
    old.source_identity = old.source_identity.or(fresh.source_identity);
    old
}

/// What is known about a call (or the caller of an issuing call) for linking it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallRef<'a> {
    pub time_ms: i64,
    pub access_key: Option<&'a str>,
    pub principal_id: Option<&'a str>,
    pub session_created_ms: Option<i64>,
    /// `sessionContext.sessionIssuer.arn`: the role.
    pub role_arn: Option<&'a str>,
}

impl<'a> CallRef<'a> {
    /// The linking facts of an identity acting at `time_ms`.
    pub fn of(identity: &'a Identity, time_ms: i64) -> CallRef<'a> {
        CallRef {
            time_ms,
            access_key: identity.access_key_id.as_deref(),
            principal_id: identity.principal_id.as_deref(),
            session_created_ms: identity.session_created_ms,
            role_arn: identity.issuer_arn.as_deref(),
        }
    }
}

/// Whether an issuance is for the call's role session. Access keys repeat, so a matching key
/// alone is not enough: the principal ID (role ID + session name) must agree when both sides
/// have one, else the role name.
fn same_role(call: &CallRef<'_>, i: &Issuance) -> bool {
    if let (Some(a), Some(b)) = (call.principal_id, i.principal_id.as_deref()) {
        return a == b;
    }
    match (
        call.role_arn.and_then(role_name),
        i.role_arn.as_deref().and_then(role_name),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn lifetime_end(i: &Issuance) -> i64 {
    match i.expires_ms {
        Some(e) if e > i.issued_ms => e,
        _ => i.issued_ms + MAX_LIFETIME_MS,
    }
}

/// Links a call to the issuance of its credentials, strongest rule first: (1) access key, same
/// role, inside the lifetime; (2) principal ID and creation date to the second. Among several
/// matches the latest issued wins. `None`: the hop has to be inferred.
pub fn link_call(call: &CallRef<'_>, candidates: &[Issuance]) -> Option<(usize, LinkKind)> {
    let by_key = candidates
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            !i.failed
                && call.access_key.is_some()
                && i.issued_key.as_deref() == call.access_key
                && same_role(call, i)
                && i.issued_ms - CLOCK_SLACK_MS <= call.time_ms
                && call.time_ms <= lifetime_end(i) + CLOCK_SLACK_MS
        })
        .max_by_key(|(n, i)| (i.issued_ms, i.id, usize::MAX - n));
    if let Some((n, _)) = by_key {
        return Some((n, LinkKind::AccessKey));
    }
    let created = call.session_created_ms?;
    let principal = call.principal_id?;
    candidates
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            !i.failed
                && i.principal_id.as_deref() == Some(principal)
                && (i.issued_ms / 1000 - created / 1000).abs() <= 1
                && i.issued_ms - CLOCK_SLACK_MS <= call.time_ms
        })
        .min_by_key(|(_, i)| ((i.issued_ms / 1000 - created / 1000).abs(), -i.issued_ms))
        .map(|(n, _)| (n, LinkKind::CreationDate))
}

/// Whether a session name is an EC2 instance ID (`i-` and 8 or 17 hex digits): instance-profile
/// credentials are issued with the instance ID as the session name.
pub fn is_instance_id(name: &str) -> bool {
    name.strip_prefix("i-").is_some_and(|hex| {
        (8..=17).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Whether a role is an IAM Identity Center permission-set role: named `AWSReservedSSO_…`,
/// under the path `/aws-reserved/sso.amazonaws.com/`.
pub fn is_identity_center_role(role_arn: &str) -> bool {
    role_name(role_arn).is_some_and(|n| n.starts_with("AWSReservedSSO_"))
        || role_arn.contains(":role/aws-reserved/sso.amazonaws.com/")
}

/// The origin named by the caller of an observed issuance, or `None` when the caller is a role
/// session (role chaining: the chain continues with the caller's own session).
pub fn origin_of_caller(i: &Issuance) -> Option<Origin> {
    let c = &i.caller;
    let ty = c.user_type.clone().unwrap_or(UserType::Unknown);
    let origin = |kind, name: Option<&str>, arn: Option<&str>, account: Option<&str>| Origin {
        kind,
        name: name.map(str::to_string),
        arn: arn.map(str::to_string),
        account_id: account.map(str::to_string),
    };
    let account = c.account_id.as_deref();
    Some(match ty {
        // The chain goes on through the caller's own session: a parent role session, or the
        // federation token whose issuing call names the IAM user behind it.
        UserType::AssumedRole | UserType::FederatedUser => return None,
        UserType::IamUser => origin(
            OriginKind::IamUser,
            c.user_name
                .as_deref()
                .or_else(|| c.arn.as_deref().and_then(|a| a.rsplit('/').next())),
            c.arn.as_deref(),
            account.or_else(|| c.arn.as_deref().and_then(arn_account)),
        ),
        UserType::Root => origin(
            OriginKind::Root,
            Some(c.user_name.as_deref().unwrap_or("root")),
            c.arn.as_deref(),
            account.or_else(|| c.arn.as_deref().and_then(arn_account)),
        ),
        // Federated users come from outside AWS: no account of their own.
        UserType::SamlUser => origin(
            OriginKind::SamlUser,
            c.user_name.as_deref().or(i.subject.as_deref()),
            None,
            None,
        ),
        UserType::WebIdentityUser => origin(
            OriginKind::WebIdentityUser,
            c.user_name.as_deref().or(i.subject.as_deref()),
            None,
            None,
        ),
        UserType::IdentityCenterUser => origin(
            OriginKind::IdentityCenterUser,
            c.user_name.as_deref().or(c.principal_id.as_deref()),
            c.arn.as_deref(),
            account,
        ),
        UserType::AwsAccount => origin(
            OriginKind::AwsAccount,
            c.principal_id.as_deref(),
            None,
            account,
        ),
        UserType::AwsService => {
            let service = c.invoked_by.as_deref();
            // EC2 assumes an instance profile's role with the instance ID as session name.
            match i.session_name.as_deref() {
                Some(s) if service == Some("ec2.amazonaws.com") && is_instance_id(s) => origin(
                    OriginKind::Ec2Instance,
                    Some(s),
                    None,
                    i.role_account.as_deref(),
                ),
                _ => origin(OriginKind::AwsService, service, None, None),
            }
        }
        _ => origin(
            OriginKind::Unknown,
            c.user_name.as_deref().or(c.principal_id.as_deref()),
            c.arn.as_deref(),
            account,
        ),
    })
}

/// The origin inferred from a role session's own call when its issuing call is not cached
/// (outside the data window, account not collected): an instance ID as session name means an
/// EC2 instance, an `AWSReservedSSO_*` role an Identity Center user named by the session,
/// `sourceIdentity` the originator; otherwise unknown. Never more than that.
pub fn infer_origin(
    role_arn: Option<&str>,
    account: Option<&str>,
    session_name: Option<&str>,
    source_identity: Option<&str>,
) -> Origin {
    let mut o = Origin::unknown();
    // A federated user's calls name the IAM user who asked for the token as their session
    // issuer: that user is the origin.
    if let Some(user) = role_arn.filter(|a| a.contains(":user/")) {
        o.kind = OriginKind::IamUser;
        o.name = user.rsplit('/').next().map(str::to_string);
        o.arn = Some(user.to_string());
        o.account_id = arn_account(user).map(str::to_string);
    } else if let Some(s) = session_name.filter(|s| is_instance_id(s)) {
        o.kind = OriginKind::Ec2Instance;
        o.name = Some(s.to_string());
        o.account_id = account.map(str::to_string);
    } else if let (Some(s), true) = (session_name, role_arn.is_some_and(is_identity_center_role)) {
        o.kind = OriginKind::IdentityCenterUser;
        o.name = Some(s.to_string());
    } else if let Some(si) = source_identity {
        o.name = Some(si.to_string());
    }
    o
}

#[cfg(test)]
mod tests;
