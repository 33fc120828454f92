//! Renders one CloudTrail record: the envelope every event shares (in CloudTrail's key order)
//! and the `userIdentity` block for each kind of caller.

use super::clock::iso;
use super::creds::Cred;
use super::json::JsonOut;
use super::org::Org;

/// Who made a call, as `userIdentity` shows it.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A role session: `AssumedRole` with `sessionContext`.
    Assumed { cred: &'a Cred },
    IamUser {
        account_id: &'a str,
        name: &'a str,
        user_id: &'a str,
        key: &'a str,
    },
    /// An IAM Identity Center user federating through SAML.
    Saml { user: &'a str },
    /// A GitHub Actions OIDC token subject.
    WebIdentity {
        subject: &'a str,
        account_id: &'a str,
    },
    /// An AWS service acting for a resource (`ec2.amazonaws.com`, `lambda.amazonaws.com`).
    Service(&'a str),
    /// The role account's copy of a cross-account call: only the caller's principal and account.
    Account {
        principal_id: &'a str,
        account_id: &'a str,
    },
}

/// Everything else a record carries.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    pub version: &'a str,
    pub time_ms: i64,
    pub source: &'a str,
    pub name: &'a str,
    pub region: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub error: Option<(&'a str, &'a str)>,
    /// JSON text.
    pub request: &'a str,
    /// JSON text.
    pub response: &'a str,
    pub additional: Option<&'a str>,
    pub request_id: &'a str,
    pub event_id: &'a str,
    pub read_only: bool,
    /// JSON text of the `resources` array.
    pub resources: Option<&'a str>,
    pub event_type: &'a str,
    pub recipient: &'a str,
    pub shared_event_id: Option<&'a str>,
    pub console: bool,
}

/// The record as JSON text.
pub fn render(org: &Org, actor: Actor, e: &Envelope) -> String {
    let mut j = JsonOut::new();
    j.buf.reserve(1600);
    j.open(None).str("eventVersion", e.version);
    user_identity(&mut j, org, actor);
    j.str("eventTime", &iso(e.time_ms))
        .str("eventSource", e.source)
        .str("eventName", e.name)
        .str("awsRegion", e.region)
        .str("sourceIPAddress", e.ip)
        .str("userAgent", e.user_agent);
    if let Some((code, message)) = e.error {
        j.str("errorCode", code).str("errorMessage", message);
    }
    j.raw("requestParameters", e.request).raw(
        "responseElements",
        if e.error.is_some() {
            "null"
        } else {
            e.response
        },
    );
    if let Some(a) = e.additional {
        j.raw("additionalEventData", a);
    }
    j.str("requestID", e.request_id)
        .str("eventID", e.event_id)
        .bool("readOnly", e.read_only);
    if let Some(r) = e.resources {
        j.raw("resources", r);
    }
    j.str("eventType", e.event_type)
        .bool("managementEvent", true)
        .str("recipientAccountId", e.recipient);
    if let Some(s) = e.shared_event_id {
        j.str("sharedEventID", s);
    }
    j.str("eventCategory", "Management");
    // Service-initiated calls have no TLS details: the service talks to STS internally.
    if !e.ip.ends_with(".amazonaws.com") && e.version >= "1.08" {
        let host = if e.console {
            format!("{}.console.aws.amazon.com", e.region)
        } else {
            format!(
                "{}.{}.amazonaws.com",
                e.source.split('.').next().unwrap_or("sts"),
                e.region
            )
        };
        j.open(Some("tlsDetails"))
            .str("tlsVersion", "TLSv1.3")
            .str("cipherSuite", "TLS_AES_128_GCM_SHA256")
            .str("clientProvidedHostHeader", &host)
            .close();
    }
    // Field added in eventVersion 1.09.
    if e.console && e.version >= "1.09" {
        j.str("sessionCredentialFromConsole", "true");
    }
    j.close();
    j.finish()
}

fn user_identity(j: &mut JsonOut, org: &Org, actor: Actor) {
    j.open(Some("userIdentity"));
    match actor {
        Actor::Assumed { cred } => {
            let role = &org.roles[cred.role];
            let account = org.account_id(role.account);
            j.str("type", "AssumedRole")
                .str("principalId", &cred.principal_id(&role.id))
                .str(
                    "arn",
                    &format!(
                        "arn:aws:sts::{account}:assumed-role/{}/{}",
                        role.name, cred.session_name
                    ),
                )
                .str("accountId", account)
                .str("accessKeyId", &cred.key);
            j.open(Some("sessionContext"));
            j.open(Some("sessionIssuer"))
                .str("type", "Role")
                .str("principalId", &role.id)
                .str("arn", &org.role_arn(cred.role))
                .str("accountId", account)
                .str("userName", &role.name)
                .close();
            j.open(Some("webIdFederationData"));
            if cred.hops.last().and_then(|h| h.via) == Some("AssumeRoleWithWebIdentity") {
                j.str(
                    "federatedProvider",
                    &format!(
                        "arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"
                    ),
                )
                .open(Some("attributes"))
                .close();
            }
            j.close();
            j.open(Some("attributes"))
                .str("creationDate", &iso(cred.issued_ms))
                .str("mfaAuthenticated", "false")
                .close();
            if let Some(si) = &cred.source_identity {
                j.str("sourceIdentity", si);
            }
            j.close();
        }
        Actor::IamUser {
            account_id,
            name,
            user_id,
            key,
        } => {
            j.str("type", "IAMUser")
                .str("principalId", user_id)
                .str("arn", &format!("arn:aws:iam::{account_id}:user/{name}"))
                .str("accountId", account_id)
                .str("accessKeyId", key)
                .str("userName", name);
        }
        Actor::Saml { user } => {
            j.str("type", "SAMLUser")
                .str("principalId", &format!("{}:{user}", org.saml_idp))
                .str("userName", user)
                .str("identityProvider", &org.saml_idp);
        }
        Actor::WebIdentity {
            subject,
            account_id,
        } => {
            j.str("type", "WebIdentityUser")
                .str(
                    "principalId",
                    &format!(
                        "arn:aws:iam::{account_id}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:{subject}"
                    ),
                )
                .str("userName", subject)
                .str("identityProvider", "token.actions.githubusercontent.com");
        }
        Actor::Service(service) => {
            j.str("type", "AWSService").str("invokedBy", service);
        }
        Actor::Account {
            principal_id,
            account_id,
        } => {
            j.str("type", "AWSAccount")
                .str("principalId", principal_id)
                .str("accountId", account_id);
        }
    }
    j.close();
}
