//! Builders for synthetic CloudTrail events (documentation account IDs and IP ranges) and a
//! cache to ingest them into, shared by the attribution and CLI tests.
#![allow(dead_code)]

use rolecall::model::{Event, Identity, StsCall, parse_ms};
use rolecall::store::Store;

pub const USERS: &str = "111122223333";
pub const PROD: &str = "444455556666";

/// RFC 3339 to ms, panicking on a typo in a test.
pub fn t(s: &str) -> i64 {
    parse_ms(s).expect("test time")
}

/// Writes `events` as one file and derives attribution, like `rolecall ingest` does.
pub fn ingest(store: &mut Store, events: &[Event]) {
    let run = store.insert_run("test", 0).expect("run");
    let mut w = store
        .file_writer(run, &format!("file-{run}"), "test")
        .expect("writer");
    for e in events {
        w.insert_event(e).expect("insert");
    }
    w.commit().expect("commit");
    rolecall::analysis::refresh(store).expect("refresh");
}

pub fn iam_user(account: &str, name: &str) -> Identity {
    Identity {
        user_type: Some("IAMUser".into()),
        principal_id: Some(format!("AIDA{}", name.to_uppercase())),
        arn: Some(format!("arn:aws:iam::{account}:user/{name}")),
        account_id: Some(account.into()),
        access_key_id: Some(format!("AKIA{}", name.to_uppercase())),
        user_name: Some(name.into()),
        ..Identity::default()
    }
}

/// The identity of calls signed by a role session.
pub fn session(role_arn: &str, role_id: &str, name: &str, key: &str, created: &str) -> Identity {
    let account = role_arn.split(':').nth(4).unwrap_or_default().to_string();
    let role_name = role_arn.rsplit('/').next().unwrap_or_default();
    Identity {
        user_type: Some("AssumedRole".into()),
        principal_id: Some(format!("{role_id}:{name}")),
        arn: Some(format!(
            "arn:aws:sts::{account}:assumed-role/{role_name}/{name}"
        )),
        account_id: Some(account),
        access_key_id: Some(key.into()),
        issuer_arn: Some(role_arn.into()),
        session_created_ms: Some(t(created)),
        ..Identity::default()
    }
}

/// What an STS issuing call asks for and gets.
pub struct Issue<'a> {
    pub role_arn: &'a str,
    pub role_id: &'a str,
    pub session: &'a str,
    pub key: &'a str,
}

impl Issue<'_> {
    /// The identity the issued credentials show in calls, created at `created`.
    pub fn identity(&self, created: &str) -> Identity {
        session(self.role_arn, self.role_id, self.session, self.key, created)
    }
}

/// A successful `AssumeRole` (or `via`) call by `caller` at `time`, valid one hour, recorded in
/// the role's account.
pub fn assume(id: &str, time: &str, caller: Identity, via: &str, i: &Issue<'_>) -> Event {
    let account = i.role_arn.split(':').nth(4).unwrap_or_default().to_string();
    let role_name = i.role_arn.rsplit('/').next().unwrap_or_default();
    Event {
        event_id: id.into(),
        time_ms: t(time),
        account_id: Some(account.clone()),
        region: Some("us-east-1".into()),
        event_source: "sts.amazonaws.com".into(),
        event_name: via.into(),
        identity: caller,
        source_ip: Some("192.0.2.10".into()),
        user_agent: Some("aws-cli/2".into()),
        sts: Some(StsCall {
            role_arn: Some(i.role_arn.into()),
            role_session_name: Some(i.session.into()),
            issued_access_key: Some(i.key.into()),
            assumed_role_id: Some(format!("{}:{}", i.role_id, i.session)),
            assumed_role_arn: Some(format!(
                "arn:aws:sts::{account}:assumed-role/{role_name}/{}",
                i.session
            )),
            expires_ms: Some(t(time) + 3_600_000),
            ..StsCall::default()
        }),
        raw: "{}".into(),
        ..Event::default()
    }
}

/// A failed `AssumeRole`: an error code and no credentials.
pub fn failed_assume(
    id: &str,
    time: &str,
    caller: Identity,
    role_arn: &str,
    session: &str,
) -> Event {
    let account = role_arn.split(':').nth(4).unwrap_or_default().to_string();
    Event {
        event_id: id.into(),
        time_ms: t(time),
        account_id: Some(account),
        event_source: "sts.amazonaws.com".into(),
        event_name: "AssumeRole".into(),
        error_code: Some("AccessDenied".into()),
        identity: caller,
        source_ip: Some("203.0.113.9".into()),
        sts: Some(StsCall {
            role_arn: Some(role_arn.into()),
            role_session_name: Some(session.into()),
            ..StsCall::default()
        }),
        raw: "{}".into(),
        ..Event::default()
    }
}

/// An ordinary API call.
pub fn call(id: &str, time: &str, who: Identity, api: &str) -> Event {
    Event {
        event_id: id.into(),
        time_ms: t(time),
        account_id: who.account_id.clone(),
        region: Some("us-east-1".into()),
        event_source: "ec2.amazonaws.com".into(),
        event_name: api.into(),
        identity: who,
        source_ip: Some("198.51.100.7".into()),
        user_agent: Some("aws-cli/2".into()),
        raw: "{}".into(),
        ..Event::default()
    }
}

pub const ADMIN: &str = "arn:aws:iam::111122223333:role/ops/Admin";
pub const DEPLOY: &str = "arn:aws:iam::444455556666:role/Deploy";
pub const AUDIT: &str = "arn:aws:iam::444455556666:role/Audit";
