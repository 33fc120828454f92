//! Small synthetic histories for the new-behavior tests: identities of documentation accounts
//! calling from documentation addresses, day by day, written through the store's writer and
//! derived like any ingest.
#![allow(dead_code)]

use rolecall::model::{DAY_MS, Event, HOUR_MS, Identity, Scope, StsCall};
use rolecall::store::Store;

pub const ACCOUNT: &str = "111122223333";
pub const OTHER: &str = "444455556666";
/// Midnight UTC, 2026-08-01: day 0 of every history here.
pub const DAY0: i64 = 1_785_542_400_000;

pub const CLI: &str = "aws-cli/2.22.4 md/awscrt#0.23.0 ua/2.0 os/linux#6.8 md/arch#x86_64 \
    lang/python#3.12.7 md/pyimpl#CPython md/installer#exe md/prompt#off";

/// The AWS CLI's agent running `command` (`ec2.describe-instances`).
pub fn cli(command: &str) -> String {
    format!("{CLI} md/command#{command}")
}

/// `day` days, `hour` hours and `min` minutes after day 0.
pub fn at(day: i64, hour: i64, min: i64) -> i64 {
    DAY0 + day * DAY_MS + hour * HOUR_MS + min * 60_000
}

/// One hour from `at(day, hour, 0)`.
pub fn hour_scope(day: i64, hour: i64) -> Scope {
    Scope {
        start_ms: at(day, hour, 0),
        end_ms: at(day, hour + 1, 0),
    }
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

/// A role session's identity (`role_id:name` of `role_arn`).
pub fn session(role_arn: &str, role_id: &str, name: &str) -> Identity {
    let account = role_arn.split(':').nth(4).unwrap_or_default().to_string();
    let role_name = role_arn.rsplit('/').next().unwrap_or_default();
    Identity {
        user_type: Some("AssumedRole".into()),
        principal_id: Some(format!("{role_id}:{name}")),
        arn: Some(format!(
            "arn:aws:sts::{account}:assumed-role/{role_name}/{name}"
        )),
        account_id: Some(account),
        access_key_id: Some(format!("ASIA{}", name.to_uppercase().replace('-', ""))),
        issuer_arn: Some(role_arn.into()),
        ..Identity::default()
    }
}

/// A SAML (Identity Center) user signing in.
pub fn saml_user(name: &str) -> Identity {
    Identity {
        user_type: Some("SAMLUser".into()),
        principal_id: Some(format!("IDPEXAMPLE=:{name}")),
        user_name: Some(name.into()),
        identity_provider: Some("IDPEXAMPLE=".into()),
        ..Identity::default()
    }
}

/// One call to write.
#[derive(Debug, Clone)]
pub struct Call {
    pub time_ms: i64,
    pub who: Identity,
    pub source: String,
    pub api: String,
    pub ip: String,
    pub agent: String,
    pub region: String,
    pub failed: bool,
    pub sts: Option<StsCall>,
}

impl Call {
    /// `who` calling `ec2:api` at `time_ms` from 198.51.100.7, with the CLI, in us-east-1.
    pub fn new(who: &Identity, time_ms: i64, api: &str) -> Call {
        Call {
            time_ms,
            who: who.clone(),
            source: "ec2.amazonaws.com".into(),
            api: api.into(),
            ip: "198.51.100.7".into(),
            agent: cli("ec2.describe-instances"),
            region: "us-east-1".into(),
            failed: false,
            sts: None,
        }
    }

    pub fn ip(mut self, ip: &str) -> Call {
        self.ip = ip.into();
        self
    }

    pub fn agent(mut self, agent: &str) -> Call {
        self.agent = agent.into();
        self
    }

    pub fn region(mut self, region: &str) -> Call {
        self.region = region.into();
        self
    }

    pub fn source(mut self, source: &str) -> Call {
        self.source = source.into();
        self
    }

    pub fn failed(mut self) -> Call {
        self.failed = true;
        self
    }
}

/// `who`'s routine: `DescribeInstances` at 10:00 on every day of `days`.
pub fn routine(who: &Identity, days: std::ops::Range<i64>) -> Vec<Call> {
    days.map(|d| Call::new(who, at(d, 10, 0), "DescribeInstances"))
        .collect()
}

/// A successful `AssumeRoleWithSAML` by `user` into `role_arn` (role ID `role_id`).
pub fn saml_sign_in(user: &str, time_ms: i64, role_arn: &str, role_id: &str) -> Call {
    let account = role_arn.split(':').nth(4).unwrap_or_default();
    let role_name = role_arn.rsplit('/').next().unwrap_or_default();
    let mut c =
        Call::new(&saml_user(user), time_ms, "AssumeRoleWithSAML").source("sts.amazonaws.com");
    c.sts = Some(StsCall {
        role_arn: Some(role_arn.into()),
        role_session_name: Some(user.into()),
        issued_access_key: Some(format!("ASIA{}", user.to_uppercase())),
        assumed_role_id: Some(format!("{role_id}:{user}")),
        assumed_role_arn: Some(format!(
            "arn:aws:sts::{account}:assumed-role/{role_name}/{user}"
        )),
        expires_ms: Some(time_ms + 8 * HOUR_MS),
        provider_arn: Some(format!("arn:aws:iam::{account}:saml-provider/Example")),
        subject: Some(user.into()),
        ..StsCall::default()
    });
    c.who.account_id = None;
    c
}

fn event(n: usize, c: &Call) -> Event {
    let recipient = c
        .sts
        .as_ref()
        .and_then(|s| s.role_arn.as_deref())
        .and_then(|a| a.split(':').nth(4))
        .map(str::to_string)
        .or_else(|| c.who.account_id.clone());
    Event {
        event_id: format!("behavior-event-{n:06}"),
        time_ms: c.time_ms,
        account_id: recipient,
        region: Some(c.region.clone()),
        event_source: c.source.clone(),
        event_name: c.api.clone(),
        error_code: c.failed.then(|| "AccessDenied".into()),
        identity: c.who.clone(),
        source_ip: Some(c.ip.clone()),
        user_agent: Some(c.agent.clone()),
        sts: c.sts.clone(),
        raw: "{}".into(),
        ..Event::default()
    }
}

/// An in-memory cache holding `calls`, derived.
pub fn cache(calls: &[Call]) -> Store {
    let mut store = Store::open_in_memory().expect("cache");
    write(&mut store, calls);
    store
}

/// Writes `calls` as one file and derives, like `rolecall ingest`.
pub fn write(store: &mut Store, calls: &[Call]) {
    let run = store.insert_run("test", 0).expect("run");
    let mut w = store
        .file_writer(run, &format!("behavior-{run}"), "test")
        .expect("writer");
    for (n, c) in calls.iter().enumerate() {
        w.insert_event(&event(n + run as usize * 100_000, c))
            .expect("insert");
    }
    w.commit().expect("commit");
    rolecall::analysis::refresh(store).expect("refresh");
}
