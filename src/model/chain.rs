//! The chain behind a role session: who started it (the origin) and every role assumed on the
//! way (the hops), each with the evidence that links it. Serialises to the `chain --json`
//! contract of DESIGN.md.

use serde::Serialize;

/// How a link of a chain is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// The issuing STS call is in the cache and was matched to the session.
    Observed,
    /// No issuing call was found: read from the session's own calls (`sessionContext`).
    Inferred,
}

impl Evidence {
    /// `observed` / `inferred`.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Observed => "observed",
            Evidence::Inferred => "inferred",
        }
    }
}

/// What kind of principal started a chain. Serialised with the contract's spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OriginKind {
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
    Unknown,
}

impl OriginKind {
    /// The contract's spelling (`IAMUser`, `EC2Instance`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            OriginKind::IamUser => "IAMUser",
            OriginKind::Root => "Root",
            OriginKind::SamlUser => "SAMLUser",
            OriginKind::WebIdentityUser => "WebIdentityUser",
            OriginKind::IdentityCenterUser => "IdentityCenterUser",
            OriginKind::Ec2Instance => "EC2Instance",
            OriginKind::AwsService => "AWSService",
            OriginKind::AwsAccount => "AWSAccount",
            OriginKind::Unknown => "Unknown",
        }
    }
}

/// Who started a chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    #[serde(rename = "type")]
    pub kind: OriginKind,
    /// IAM user name, SAML / web-identity `userName`, instance ID, service principal, or the
    /// principal ID of an `AWSAccount` caller.
    pub name: Option<String>,
    pub arn: Option<String>,
    pub account_id: Option<String>,
}

impl Origin {
    /// An origin nothing is known about.
    pub fn unknown() -> Origin {
        Origin {
            kind: OriginKind::Unknown,
            name: None,
            arn: None,
            account_id: None,
        }
    }
}

/// One role session on the way from the origin to the queried session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hop {
    pub role_arn: Option<String>,
    pub account_id: Option<String>,
    pub session_name: Option<String>,
    /// `AROA…:sessionName`.
    pub principal_id: Option<String>,
    pub access_key_id: Option<String>,
    #[serde(serialize_with = "rfc3339::opt")]
    pub issued_at: Option<i64>,
    #[serde(serialize_with = "rfc3339::opt")]
    pub expires_at: Option<i64>,
    /// The STS API that issued the credentials (`AssumeRole`, `AssumeRoleWithSAML`, …).
    pub via: Option<String>,
    /// The role's account differs from the assumer's.
    pub cross_account: bool,
    pub source_identity: Option<String>,
    pub evidence: Evidence,
    pub issuing_event_id: Option<String>,
}

/// The answer to "who really did this": origin, then hops in the order they were assumed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chain {
    pub query: String,
    pub origin: Origin,
    /// `hops[0]` is the first role the origin assumed; the last is the queried session. Empty
    /// when the ID belongs to a principal that is not a role session (an IAM user's call).
    pub hops: Vec<Hop>,
}

/// Serde helpers writing UTC milliseconds as RFC 3339.
pub mod rfc3339 {
    use serde::Serializer;

    /// `Some(ms)` as an RFC 3339 string, `None` as null.
    pub fn opt<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(ms) => s.serialize_str(&super::super::format_ms(*ms)),
            None => s.serialize_none(),
        }
    }

    /// Milliseconds as an RFC 3339 string.
    pub fn ms<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::super::format_ms(*v))
    }
}
