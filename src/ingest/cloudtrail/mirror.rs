//! The typed, borrowed serde mirror of a raw CloudTrail record. Strings borrow from the input
//! where they have no escapes; the big free-form members (`requestParameters`,
//! `responseElements`, …) stay `&RawValue` and are only looked into for the STS calls that need
//! them. That is several times faster than a `serde_json::Value` tree.
//!
//! CloudTrail's field names are not regular camelCase (`eventID`, `requestID`,
//! `sourceIPAddress`, `sharedEventID`, `vpcEndpointId`, `recipientAccountId`), so every field is
//! renamed explicitly: a blanket `rename_all` would silently leave `eventID` empty.
//!
//! The mirror also captures the few keys that tell other objects apart (lookup-events entries,
//! EventBridge envelopes, GuardDuty findings, nested containers), so classifying an object in
//! `json::classify` costs no second parse. These types never leave `ingest`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A scalar CloudTrail usually writes as a string. Real logs and test data also write numbers
/// (account IDs), booleans, `null`, or nothing at all; numbers are kept verbatim as text.
/// An object or array where a scalar belongs is remembered as such, never turned into text.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Text<'a> {
    /// The key is not in the record.
    #[default]
    Absent,
    Null,
    Str(Cow<'a, str>),
    /// An object or an array.
    Structured,
}

impl<'a> Text<'a> {
    /// The value as text, if it is a scalar.
    pub fn get(&self) -> Option<&str> {
        match self {
            Text::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an owned string, if it is a non-empty scalar.
    pub fn owned(&self) -> Option<String> {
        self.get().filter(|s| !s.is_empty()).map(str::to_owned)
    }

    /// Whether the key was present with a value other than `null`.
    pub fn is_present(&self) -> bool {
        !matches!(self, Text::Absent | Text::Null)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number, boolean or null")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Owned(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text::Str(Cow::Borrowed(if v { "true" } else { "false" })))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Text::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Text::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text::Structured)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text::Structured)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A boolean that some producers write as a string (`"readOnly": "true"`,
/// `"mfaAuthenticated": "false"`). Anything else is `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Flag(pub Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Flag(match Text::deserialize(d)? {
            Text::Str(s) => match s.trim() {
                t if t.eq_ignore_ascii_case("true") => Some(true),
                t if t.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            },
            _ => None,
        }))
    }
}

/// One object from a CloudTrail file, seen as a CloudTrail record (plus the keys that identify
/// other kinds of objects). Every field is optional: what is required is decided after parsing,
/// with a reason that names the missing field.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawRecord<'a> {
    #[serde(rename = "eventVersion", borrow)]
    pub event_version: Text<'a>,
    #[serde(rename = "eventID", borrow)]
    pub event_id: Text<'a>,
    #[serde(rename = "eventTime", borrow)]
    pub event_time: Text<'a>,
    #[serde(rename = "eventSource", borrow)]
    pub event_source: Text<'a>,
    #[serde(rename = "eventName", borrow)]
    pub event_name: Text<'a>,
    #[serde(rename = "eventType", borrow)]
    pub event_type: Text<'a>,
    #[serde(rename = "awsRegion", borrow)]
    pub aws_region: Text<'a>,
    #[serde(rename = "sourceIPAddress", borrow)]
    pub source_ip: Text<'a>,
    #[serde(rename = "userAgent", borrow)]
    pub user_agent: Text<'a>,
    #[serde(rename = "errorCode", borrow)]
    pub error_code: Text<'a>,
    #[serde(rename = "errorMessage", borrow)]
    pub error_message: Text<'a>,
    #[serde(rename = "readOnly")]
    pub read_only: Flag,
    #[serde(rename = "recipientAccountId", borrow)]
    pub recipient_account_id: Text<'a>,
    #[serde(rename = "sharedEventID", borrow)]
    pub shared_event_id: Text<'a>,
    #[serde(rename = "requestID", borrow)]
    pub request_id: Text<'a>,
    #[serde(rename = "vpcEndpointId", borrow)]
    pub vpc_endpoint_id: Text<'a>,
    #[serde(rename = "userIdentity", borrow)]
    pub user_identity: Option<RawIdentity<'a>>,
    #[serde(rename = "requestParameters", borrow)]
    pub request_parameters: Option<&'a RawValue>,
    #[serde(rename = "responseElements", borrow)]
    pub response_elements: Option<&'a RawValue>,

    // Keys of other kinds of objects, for classification (see the module notes).
    /// A `lookup-events` entry: the record as a JSON string (an object in some re-exports).
    #[serde(rename = "CloudTrailEvent", borrow)]
    pub cloudtrail_event: Option<&'a RawValue>,
    /// An EventBridge envelope.
    #[serde(rename = "detail-type", borrow)]
    pub detail_type: Text<'a>,
    #[serde(borrow)]
    pub detail: Option<&'a RawValue>,
    #[serde(borrow)]
    pub source: Text<'a>,
    /// Nested containers (a JSON array of `{"Records": […]}` payloads, a `{"findings": []}` line).
    #[serde(rename = "Records", borrow)]
    pub records: Option<&'a RawValue>,
    #[serde(rename = "Findings", alias = "findings", borrow)]
    pub findings: Option<&'a RawValue>,
    /// A VPC flow log line wrapped as `{"message": "…"}` (CloudWatch Logs / Firehose exports).
    #[serde(borrow)]
    pub message: Text<'a>,

    // What SIEM exports do to a CloudTrail record (see `cloudtrail::siem`).
    /// Logstash's CloudTrail codec (and Elastic pipelines) move `eventTime` here.
    #[serde(rename = "@timestamp", borrow)]
    pub at_timestamp: Text<'a>,
    /// Datadog: `network.client.ip` (was `sourceIPAddress`), nested or as a dotted key.
    #[serde(borrow)]
    pub network: Option<&'a RawValue>,
    #[serde(rename = "network.client.ip", borrow)]
    pub network_client_ip: Text<'a>,
    /// Datadog: `http.useragent` (was `userAgent`), nested or as a dotted key.
    #[serde(borrow)]
    pub http: Option<&'a RawValue>,
    #[serde(rename = "http.useragent", borrow)]
    pub http_useragent: Text<'a>,
    /// Wrappers around a record: an Elasticsearch hit (`_source`), a Splunk result
    /// (`result`, its `_raw` text), a Datadog API log (`attributes`), an Elastic document
    /// keeping the original (`event.original`).
    #[serde(rename = "_source", borrow)]
    pub es_source: Option<&'a RawValue>,
    #[serde(rename = "_raw", borrow)]
    pub splunk_raw: Text<'a>,
    #[serde(borrow)]
    pub result: Option<&'a RawValue>,
    #[serde(borrow)]
    pub attributes: Option<&'a RawValue>,
    #[serde(borrow)]
    pub event: Option<&'a RawValue>,
    #[serde(rename = "event.original", borrow)]
    pub event_original: Text<'a>,
    /// GuardDuty findings: PascalCase (`get-findings`) or camelCase (EventBridge, S3 export).
    #[serde(rename = "Type", alias = "type", borrow)]
    pub finding_type: Text<'a>,
    #[serde(rename = "Severity", alias = "severity", borrow)]
    pub severity: Text<'a>,
    #[serde(rename = "SchemaVersion", alias = "schemaVersion", borrow)]
    pub schema_version: Text<'a>,
}

/// `userIdentity`. Its shape depends on `type`; `sessionContext` is missing for long-term
/// credentials (IAM users without a console session, root) and for service principals.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawIdentity<'a> {
    #[serde(rename = "type", borrow)]
    pub user_type: Text<'a>,
    #[serde(rename = "principalId", borrow)]
    pub principal_id: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
    #[serde(rename = "accountId", borrow)]
    pub account_id: Text<'a>,
    #[serde(rename = "accessKeyId", borrow)]
    pub access_key_id: Text<'a>,
    #[serde(rename = "userName", borrow)]
    pub user_name: Text<'a>,
    #[serde(rename = "identityProvider", borrow)]
    pub identity_provider: Text<'a>,
    #[serde(rename = "invokedBy", borrow)]
    pub invoked_by: Text<'a>,
    #[serde(rename = "sessionContext", borrow)]
    pub session_context: Option<RawSessionContext<'a>>,
    /// `IdentityCenterUser` (eventVersion 1.09+): the Identity Center user acted for.
    #[serde(rename = "onBehalfOf", borrow)]
    pub on_behalf_of: Option<RawOnBehalfOf<'a>>,
}

/// `userIdentity.sessionContext`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawSessionContext<'a> {
    /// `{}` for IAM users signed in to the console; the role for assumed roles.
    #[serde(rename = "sessionIssuer", borrow)]
    pub session_issuer: Option<RawIssuer<'a>>,
    #[serde(borrow)]
    pub attributes: Option<RawAttributes<'a>>,
    #[serde(rename = "sourceIdentity", borrow)]
    pub source_identity: Text<'a>,
}

/// `userIdentity.sessionContext.sessionIssuer`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawIssuer<'a> {
    #[serde(rename = "principalId", borrow)]
    pub principal_id: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
}

/// `userIdentity.sessionContext.attributes`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawAttributes<'a> {
    #[serde(rename = "creationDate", borrow)]
    pub creation_date: Text<'a>,
    #[serde(rename = "mfaAuthenticated")]
    pub mfa_authenticated: Flag,
}

/// `userIdentity.onBehalfOf`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawOnBehalfOf<'a> {
    #[serde(rename = "userId", borrow)]
    pub user_id: Text<'a>,
}

/// The `requestParameters` of credential-issuing STS calls.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawStsRequest<'a> {
    #[serde(rename = "roleArn", borrow)]
    pub role_arn: Text<'a>,
    #[serde(rename = "roleSessionName", borrow)]
    pub role_session_name: Text<'a>,
    #[serde(rename = "sourceIdentity", borrow)]
    pub source_identity: Text<'a>,
    /// SAML / web identity: the identity provider's ARN.
    #[serde(rename = "principalArn", borrow)]
    pub principal_arn: Text<'a>,
    /// `GetFederationToken`: the federated user's name.
    #[serde(borrow)]
    pub name: Text<'a>,
}

/// The `responseElements` of credential-issuing STS calls.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawStsResponse<'a> {
    #[serde(borrow)]
    pub credentials: Option<RawCredentials<'a>>,
    #[serde(rename = "assumedRoleUser", borrow)]
    pub assumed_role_user: Option<RawAssumedRoleUser<'a>>,
    /// `GetFederationToken`: the federated user created.
    #[serde(rename = "federatedUser", borrow)]
    pub federated_user: Option<RawFederatedUser<'a>>,
    #[serde(rename = "subjectFromWebIdentityToken", borrow)]
    pub subject_from_web_identity_token: Text<'a>,
    /// SAML: the `NameID` of the assertion.
    #[serde(borrow)]
    pub subject: Text<'a>,
    /// SAML: a source identity set by the identity provider comes back in the response.
    #[serde(rename = "sourceIdentity", borrow)]
    pub source_identity: Text<'a>,
    /// Web identity: the provider (`accounts.google.com`, the OIDC issuer).
    #[serde(borrow)]
    pub provider: Text<'a>,
}

/// `responseElements.credentials`. The session token is deliberately not mirrored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawCredentials<'a> {
    #[serde(rename = "accessKeyId", borrow)]
    pub access_key_id: Text<'a>,
    #[serde(borrow)]
    pub expiration: Text<'a>,
}

/// `responseElements.assumedRoleUser`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawAssumedRoleUser<'a> {
    #[serde(rename = "assumedRoleId", borrow)]
    pub assumed_role_id: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
}

/// `responseElements.federatedUser`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawFederatedUser<'a> {
    #[serde(rename = "federatedUserId", borrow)]
    pub federated_user_id: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
}
