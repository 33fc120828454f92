//! The closed vocabularies of the domain: who signed a call (`userIdentity.type`), who assumed a
//! session, and what kind of entity a target names. Enums, so a misspelt comparison is a compile
//! error instead of a silent miss.

use std::fmt;

use serde::{Serialize, Serializer};

use super::chain::OriginKind;

/// `userIdentity.type` of a CloudTrail record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserType {
    IamUser,
    /// A role session: role ID + session name.
    AssumedRole,
    Root,
    SamlUser,
    WebIdentityUser,
    AwsService,
    /// The role account's copy of a cross-account call names only the caller's account and
    /// principal ID.
    AwsAccount,
    /// A `GetFederationToken` session (`arn:aws:sts::A:federated-user/NAME`).
    FederatedUser,
    IdentityCenterUser,
    Unknown,
    /// A type this version of rolecall does not know, kept as written.
    Other(String),
}

impl UserType {
    /// Reads CloudTrail's spelling.
    pub fn parse(s: &str) -> UserType {
        match s {
            "IAMUser" => UserType::IamUser,
            "AssumedRole" => UserType::AssumedRole,
            "Root" => UserType::Root,
            "SAMLUser" => UserType::SamlUser,
            "WebIdentityUser" => UserType::WebIdentityUser,
            "AWSService" => UserType::AwsService,
            "AWSAccount" => UserType::AwsAccount,
            "FederatedUser" => UserType::FederatedUser,
            "IdentityCenterUser" => UserType::IdentityCenterUser,
            "Unknown" => UserType::Unknown,
            other => UserType::Other(other.to_string()),
        }
    }

    /// CloudTrail's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            UserType::IamUser => "IAMUser",
            UserType::AssumedRole => "AssumedRole",
            UserType::Root => "Root",
            UserType::SamlUser => "SAMLUser",
            UserType::WebIdentityUser => "WebIdentityUser",
            UserType::AwsService => "AWSService",
            UserType::AwsAccount => "AWSAccount",
            UserType::FederatedUser => "FederatedUser",
            UserType::IdentityCenterUser => "IdentityCenterUser",
            UserType::Unknown => "Unknown",
            UserType::Other(s) => s,
        }
    }
}

impl fmt::Display for UserType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for UserType {
    fn from(s: &str) -> UserType {
        UserType::parse(s)
    }
}

impl Serialize for UserType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Who assumed a role session (or got a federation token): an origin, or a parent session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AssumerKind {
    #[serde(rename = "IAMUser")]
    IamUser,
    Root,
    #[serde(rename = "SAMLUser")]
    SamlUser,
    WebIdentityUser,
    IdentityCenterUser,
    #[serde(rename = "EC2Instance")]
    Ec2Instance,
    #[serde(rename = "AWSService")]
    AwsService,
    /// Only the role account's copy of a cross-account call: "principal X of account Y".
    #[serde(rename = "AWSAccount")]
    AwsAccount,
    /// Role chaining: another role session.
    AssumedRole,
    /// A `GetFederationToken` session assuming a role.
    FederatedUser,
    Unknown,
}

impl AssumerKind {
    /// The spelling the tables and JSON use (`IAMUser`, `EC2Instance`, `AssumedRole`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AssumerKind::IamUser => "IAMUser",
            AssumerKind::Root => "Root",
            AssumerKind::SamlUser => "SAMLUser",
            AssumerKind::WebIdentityUser => "WebIdentityUser",
            AssumerKind::IdentityCenterUser => "IdentityCenterUser",
            AssumerKind::Ec2Instance => "EC2Instance",
            AssumerKind::AwsService => "AWSService",
            AssumerKind::AwsAccount => "AWSAccount",
            AssumerKind::AssumedRole => "AssumedRole",
            AssumerKind::FederatedUser => "FederatedUser",
            AssumerKind::Unknown => "Unknown",
        }
    }
}

impl fmt::Display for AssumerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<OriginKind> for AssumerKind {
    fn from(k: OriginKind) -> AssumerKind {
        match k {
            OriginKind::IamUser => AssumerKind::IamUser,
            OriginKind::Root => AssumerKind::Root,
            OriginKind::SamlUser => AssumerKind::SamlUser,
            OriginKind::WebIdentityUser => AssumerKind::WebIdentityUser,
            OriginKind::IdentityCenterUser => AssumerKind::IdentityCenterUser,
            OriginKind::Ec2Instance => AssumerKind::Ec2Instance,
            OriginKind::AwsService => AssumerKind::AwsService,
            OriginKind::AwsAccount => AssumerKind::AwsAccount,
            OriginKind::Unknown => AssumerKind::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_types_round_trip_cloudtrail_spelling_and_keep_unknown_ones() {
        for s in [
            "IAMUser",
            "AssumedRole",
            "Root",
            "SAMLUser",
            "WebIdentityUser",
            "AWSService",
            "AWSAccount",
            "FederatedUser",
            "IdentityCenterUser",
            "Unknown",
            "SomethingNew",
        ] {
            assert_eq!(UserType::parse(s).as_str(), s);
        }
        assert_eq!(
            UserType::parse("SomethingNew"),
            UserType::Other("SomethingNew".into())
        );
    }
}
