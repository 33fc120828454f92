//! `Target`: everything a pane can open and a command can be asked about. Analyses put the
//! target of each entity they name on the row that names it, so the console's Enter and the
//! command line's pivots need no string parsing, and the resolver turns what a user types into
//! one of these.

use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

use super::ids::{
    AccessKeyId, AccountId, Arn, EventId, FindingId, InstanceId, PrincipalId, RoleArn,
};

/// One set of temporary credentials, named exactly: keys and session names repeat, so an
/// issuance is its key (or session) *and* its issue time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct IssuanceRef {
    /// The issued access key (`ASIA…`), when known.
    pub access_key: Option<AccessKeyId>,
    /// The session it created (`AROA…:name`), when known.
    pub principal_id: Option<PrincipalId>,
    /// When the credentials were issued: the issuing call's time, or the
    /// `sessionContext.attributes.creationDate` of calls made with them.
    pub issued_ms: i64,
    /// The issuing call the cache holds (the copy that names the caller best); `None` when the
    /// issuance is known only from calls signed with it (inferred).
    pub issuing_event: Option<EventId>,
}

/// A federated identity that came from outside AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Federation {
    /// SAML, including IAM Identity Center's own SAML provider (`AWSSSO_…`), and Identity
    /// Center users named by an `AWSReservedSSO_*` role session.
    Saml,
    /// OIDC web identity (GitHub Actions, Cognito, Google…): the token's subject.
    WebIdentity,
}

/// Everything a pane can open.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Finding {
        id: FindingId,
    },
    /// Detective's entity: role ID + session name, over all its issuances.
    RoleSession {
        principal_id: PrincipalId,
    },
    /// One set of temporary credentials.
    Issuance(IssuanceRef),
    Role {
        arn: RoleArn,
    },
    /// An IAM user, or an account's root user (`arn:aws:iam::A:root`).
    IamUser {
        arn: Arn,
    },
    /// A `GetFederationToken` session (`arn:aws:sts::A:federated-user/NAME`).
    FederatedUser {
        arn: Arn,
    },
    /// A SAML / Identity Center user or a web identity, by name (or token subject) and, when
    /// known, the identity provider that vouched for it.
    ExternalUser {
        federation: Federation,
        name: String,
        provider: Option<String>,
    },
    Ec2Instance {
        id: InstanceId,
    },
    Account {
        id: AccountId,
    },
    IpAddress {
        ip: IpAddr,
    },
    Event {
        id: EventId,
    },
}

/// What kind of entity a target names: for headings, candidate lists and pane choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Finding,
    RoleSession,
    Issuance,
    Role,
    IamUser,
    FederatedUser,
    SamlUser,
    WebIdentity,
    Ec2Instance,
    Account,
    IpAddress,
    Event,
}

impl EntityKind {
    /// How a person calls it: `role session`, `IAM user`, `IP address`…
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Finding => "finding",
            EntityKind::RoleSession => "role session",
            EntityKind::Issuance => "access key",
            EntityKind::Role => "role",
            EntityKind::IamUser => "IAM user",
            EntityKind::FederatedUser => "federated user",
            EntityKind::SamlUser => "SAML user",
            EntityKind::WebIdentity => "web identity",
            EntityKind::Ec2Instance => "EC2 instance",
            EntityKind::Account => "account",
            EntityKind::IpAddress => "IP address",
            EntityKind::Event => "event",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Target {
    /// The kind of entity.
    pub fn kind(&self) -> EntityKind {
        match self {
            Target::Finding { .. } => EntityKind::Finding,
            Target::RoleSession { .. } => EntityKind::RoleSession,
            Target::Issuance(_) => EntityKind::Issuance,
            Target::Role { .. } => EntityKind::Role,
            Target::IamUser { .. } => EntityKind::IamUser,
            Target::FederatedUser { .. } => EntityKind::FederatedUser,
            Target::ExternalUser {
                federation: Federation::Saml,
                ..
            } => EntityKind::SamlUser,
            Target::ExternalUser {
                federation: Federation::WebIdentity,
                ..
            } => EntityKind::WebIdentity,
            Target::Ec2Instance { .. } => EntityKind::Ec2Instance,
            Target::Account { .. } => EntityKind::Account,
            Target::IpAddress { .. } => EntityKind::IpAddress,
            Target::Event { .. } => EntityKind::Event,
        }
    }

    /// The identifier a user would type or copy for it (raw log text: sanitise before display).
    pub fn id_text(&self) -> String {
        match self {
            Target::Finding { id } => id.to_string(),
            Target::RoleSession { principal_id } => principal_id.to_string(),
            Target::Issuance(i) => i
                .access_key
                .as_ref()
                .map(ToString::to_string)
                .or_else(|| i.principal_id.as_ref().map(ToString::to_string))
                .unwrap_or_default(),
            Target::Role { arn } => arn.to_string(),
            Target::IamUser { arn } | Target::FederatedUser { arn } => arn.to_string(),
            Target::ExternalUser { name, .. } => name.clone(),
            Target::Ec2Instance { id } => id.to_string(),
            Target::Account { id } => id.to_string(),
            Target::IpAddress { ip } => ip.to_string(),
            Target::Event { id } => id.to_string(),
        }
    }

    /// A role session by principal ID.
    pub fn session(principal_id: impl Into<PrincipalId>) -> Target {
        Target::RoleSession {
            principal_id: principal_id.into(),
        }
    }

    /// A role by ARN.
    pub fn role(arn: impl Into<RoleArn>) -> Target {
        Target::Role { arn: arn.into() }
    }

    /// An account by ID.
    pub fn account(id: impl Into<AccountId>) -> Target {
        Target::Account { id: id.into() }
    }

    /// The IP address in `sourceIPAddress`, when it is one (it can be a service name such as
    /// `ec2.amazonaws.com`, which is not an address and never geolocated).
    pub fn ip(source_ip: &str) -> Option<Target> {
        source_ip
            .parse::<IpAddr>()
            .ok()
            .map(|ip| Target::IpAddress { ip })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_serialise_with_their_kind() {
        let t = Target::session("AROAEXAMPLE:sara");
        assert_eq!(
            serde_json::to_value(&t).expect("json"),
            serde_json::json!({"kind": "role_session", "principal_id": "AROAEXAMPLE:sara"})
        );
        assert_eq!(t.kind().label(), "role session");
    }

    #[test]
    fn service_names_in_source_ip_are_not_addresses() {
        assert!(Target::ip("ec2.amazonaws.com").is_none());
        assert_eq!(
            Target::ip("2001:db8::1").map(|t| t.kind()),
            Some(EntityKind::IpAddress)
        );
        assert_eq!(
            Target::ip("198.51.100.34").map(|t| t.id_text()),
            Some("198.51.100.34".to_string())
        );
    }
}
