//! Renders the STS events that issue credentials (`AssumeRole`, `AssumeRoleWithSAML`,
//! `AssumeRoleWithWebIdentity`) and the denied attempts, with their request and response shapes.

use super::clock::sts_expiration;
use super::json::JsonOut;
use super::org::Org;
use super::record::{Actor, Envelope, render};

/// One credential-issuing call (or attempt) to render.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    /// `AssumeRole`, `AssumeRoleWithSAML` or `AssumeRoleWithWebIdentity`.
    pub via: &'static str,
    pub role: usize,
    pub session_name: &'a str,
    pub time_ms: i64,
    pub expires_ms: i64,
    pub region: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    /// The issued `ASIA…` key; `None` with `error` for a denied attempt.
    pub key: Option<&'a str>,
    pub session_token: &'a str,
    pub source_identity: Option<&'a str>,
    pub external_id: Option<&'a str>,
    /// `(errorCode, errorMessage)` of a denied attempt.
    pub error: Option<(&'a str, &'a str)>,
    /// SAML subject or web-identity token subject.
    pub subject: Option<&'a str>,
    pub event_id: &'a str,
    pub request_id: &'a str,
    pub shared_event_id: Option<&'a str>,
    /// The account whose trail this copy is in.
    pub recipient: &'a str,
    /// Older records write the expiration without the comma after the year.
    pub comma: bool,
    pub version: &'a str,
    pub assertion_id: &'a str,
}

/// The record as JSON text.
pub fn render_issue(org: &Org, actor: Actor, i: &Issue) -> String {
    let role = &org.roles[i.role];
    let account = org.account_id(role.account);
    let role_arn = org.role_arn(i.role);
    let duration = (i.expires_ms - i.time_ms) / 1000;
    let mut req = JsonOut::new();
    req.open(None);
    if i.via == "AssumeRoleWithSAML" {
        req.str("sAMLAssertionID", i.assertion_id)
            .str("roleSessionName", i.session_name)
            .str("roleArn", &role_arn)
            .str("principalArn", &org.saml_provider_arn(role.account))
            .num("durationSeconds", duration);
    } else {
        req.str("roleArn", &role_arn)
            .str("roleSessionName", i.session_name)
            .num("durationSeconds", duration);
        if let Some(e) = i.external_id {
            req.str("externalId", e);
        }
        if let Some(si) = i.source_identity {
            req.str("sourceIdentity", si);
        }
    }
    req.close();
    let request = req.finish();
    let mut resp = JsonOut::new();
    if let Some(key) = i.key {
        resp.open(None);
        resp.open(Some("credentials"))
            .str("accessKeyId", key)
            .str("sessionToken", i.session_token)
            .str("expiration", &sts_expiration(i.expires_ms, i.comma))
            .close();
        resp.open(Some("assumedRoleUser"))
            .str("assumedRoleId", &format!("{}:{}", role.id, i.session_name))
            .str(
                "arn",
                &format!(
                    "arn:aws:sts::{account}:assumed-role/{}/{}",
                    role.name, i.session_name
                ),
            )
            .close();
        match i.via {
            "AssumeRoleWithSAML" => {
                resp.str("subject", i.subject.unwrap_or(i.session_name))
                    .str("subjectType", "persistent")
                    .str(
                        "issuer",
                        &format!(
                            "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/{}",
                            org.saml_idp.trim_end_matches('=')
                        ),
                    )
                    .str("audience", "https://signin.aws.amazon.com/saml")
                    .str("nameQualifier", &org.saml_idp);
            }
            "AssumeRoleWithWebIdentity" => {
                resp.str("subjectFromWebIdentityToken", i.subject.unwrap_or_default())
                    .str(
                        "provider",
                        &format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"),
                    )
                    .str("audience", "sts.amazonaws.com");
            }
            _ => {}
        }
        if let Some(si) = i.source_identity {
            resp.str("sourceIdentity", si);
        }
        resp.close();
    } else {
        resp.buf.push_str("null");
    }
    let response = resp.finish();
    let mut res = JsonOut::new();
    res.open_array(None);
    res.open(None)
        .str("accountId", account)
        .str("type", "AWS::IAM::Role")
        .str("ARN", &role_arn)
        .close();
    res.close_array();
    let resources = res.finish();
    let env = Envelope {
        version: i.version,
        time_ms: i.time_ms,
        source: "sts.amazonaws.com",
        name: i.via,
        region: i.region,
        ip: i.ip,
        user_agent: i.user_agent,
        error: i.error,
        request: &request,
        response: &response,
        additional: None,
        request_id: i.request_id,
        event_id: i.event_id,
        read_only: true,
        resources: Some(&resources),
        event_type: "AwsApiCall",
        recipient: i.recipient,
        shared_event_id: i.shared_event_id,
        console: false,
    };
    render(org, actor, &env)
}
