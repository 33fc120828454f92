//! Credential issuance inside the simulation: STS events for every way of getting
//! temporary credentials (and denied attempts), both copies of cross-account calls, and the
//! truth chain each new set of credentials carries.

use std::io;

use super::creds::{Cred, CredRef, Hop, Origin, PendingTruth, inferred_origin};
use super::org::{Login, Org, REGIONS};
use super::record::Actor;
use super::sim::{Assumer, IssueSpec, Sim};
use super::sts::{Issue, render_issue};

impl Sim<'_> {
    fn assumer_account(&self, a: Assumer, role_account: usize) -> usize {
        match a {
            Assumer::Cred(c) => self.org.roles[c.role].account,
            Assumer::IamUser(p) => match &self.org.people[p].login {
                Login::IamUser { account, .. } => *account,
                Login::Sso => role_account,
            },
            Assumer::Account { account, .. } => account,
            _ => role_account,
        }
    }

    /// `(principalId, arn)` of an assumer, for the role account's copy and error messages.
    fn assumer_ids(&self, a: Assumer) -> (String, String) {
        match a {
            Assumer::Cred(c) => {
                let role = &self.org.roles[c.role];
                let acct = self.org.account_id(role.account);
                (
                    c.principal_id(&role.id),
                    format!(
                        "arn:aws:sts::{acct}:assumed-role/{}/{}",
                        role.name, c.session_name
                    ),
                )
            }
            Assumer::IamUser(p) => match &self.org.people[p].login {
                Login::IamUser {
                    account, user_id, ..
                } => (
                    user_id.clone(),
                    format!(
                        "arn:aws:iam::{}:user/{}",
                        self.org.account_id(*account),
                        self.org.people[p].name
                    ),
                ),
                Login::Sso => (String::new(), String::new()),
            },
            Assumer::Account {
                principal_id,
                account,
            } => (
                principal_id.to_string(),
                format!(
                    "arn:aws:iam::{}:user/monitoring",
                    self.org.account_id(account)
                ),
            ),
            Assumer::Saml(u) => (u.to_string(), u.to_string()),
            Assumer::WebIdentity(s) => (s.to_string(), s.to_string()),
            Assumer::Service(s) => (s.to_string(), s.to_string()),
        }
    }

    fn origin_of(&self, a: Assumer, spec: &IssueSpec) -> Origin {
        let role_account = self.org.roles[spec.role].account;
        match a {
            Assumer::Cred(c) => c.origin.clone(),
            Assumer::IamUser(p) => {
                let (_, arn) = self.assumer_ids(a);
                let account = self.assumer_account(a, role_account);
                Origin {
                    kind: "IAMUser",
                    name: Some(self.org.people[p].name.into()),
                    arn: Some(arn),
                    account_id: Some(self.org.account_id(account).into()),
                }
            }
            Assumer::Saml(u) => Origin {
                kind: "SAMLUser",
                name: Some(u.into()),
                arn: None,
                account_id: None,
            },
            Assumer::WebIdentity(s) => Origin {
                kind: "WebIdentityUser",
                name: Some(s.into()),
                arn: None,
                account_id: None,
            },
            Assumer::Service("ec2.amazonaws.com") => Origin {
                kind: "EC2Instance",
                name: Some(spec.session_name.into()),
                arn: None,
                account_id: Some(self.org.account_id(role_account).into()),
            },
            Assumer::Service(s) => Origin {
                kind: "AWSService",
                name: Some(s.into()),
                arn: None,
                account_id: None,
            },
            Assumer::Account {
                principal_id,
                account,
            } => Origin {
                kind: "AWSAccount",
                name: Some(principal_id.into()),
                arn: None,
                account_id: Some(self.org.account_id(account).into()),
            },
        }
    }

    /// Emits an issuance (both copies when cross-account) and returns the new credentials.
    pub fn issue(&mut self, assumer: Assumer, spec: IssueSpec) -> io::Result<CredRef> {
        let role = self.org.roles[spec.role].clone();
        let role_account = role.account;
        let caller_account = self.assumer_account(assumer, role_account);
        let cross = caller_account != role_account;
        let key = spec
            .key
            .clone()
            .unwrap_or_else(|| self.rng.aws_id("ASIA", 16));
        let token = format!("IQoJb3JpZ2luX2VjE{}", self.rng.alnum(96));
        let caller_copy_id = self.rng.uuid();
        let role_copy_id = self.rng.uuid();
        let request_id = self.rng.uuid();
        let shared = self.rng.uuid();
        let assertion = format!("_{}", self.rng.hex(32));
        let comma = !self.rng.chance(0.1);
        let parent_si = match assumer {
            Assumer::Cred(c) => c.source_identity.clone(),
            _ => None,
        };
        let source_identity = parent_si.or(spec.source_identity.map(String::from));
        let expires = spec.time_ms + spec.duration_ms;
        let role_acct_id = self.org.account_id(role_account).to_string();
        let principal_id = format!("{}:{}", role.id, spec.session_name);
        let issuing_id = if cross && self.org.accounts[caller_account].collected {
            caller_copy_id.clone()
        } else if cross {
            role_copy_id.clone()
        } else {
            caller_copy_id.clone()
        };
        let (origin, hops, note) = if let Some(why) = spec.omit {
            let hop = Hop {
                role_arn: self.org.role_arn(spec.role),
                account_id: role_acct_id.clone(),
                session_name: spec.session_name.into(),
                principal_id,
                access_key_id: Some(key.clone()),
                issued_ms: Some(spec.time_ms),
                expires_ms: None,
                via: None,
                cross_account: false,
                source_identity: source_identity.clone(),
                observed: false,
                issuing_event_id: None,
            };
            let origin = inferred_origin(
                &role.name,
                &role_acct_id,
                spec.session_name,
                source_identity.as_deref(),
            );
            (
                origin,
                vec![hop],
                Some(format!("issuing {} left out: {why}", spec.via)),
            )
        } else {
            let mut hops = match assumer {
                Assumer::Cred(c) => c.hops.clone(),
                _ => Vec::new(),
            };
            hops.push(Hop {
                role_arn: self.org.role_arn(spec.role),
                account_id: role_acct_id.clone(),
                session_name: spec.session_name.into(),
                principal_id,
                access_key_id: Some(key.clone()),
                issued_ms: Some(spec.time_ms),
                expires_ms: Some(expires),
                via: Some(spec.via),
                cross_account: cross,
                source_identity: source_identity.clone(),
                observed: true,
                issuing_event_id: Some(issuing_id.clone()),
            });
            (self.origin_of(assumer, &spec), hops, spec.note.clone())
        };
        let cred = Cred {
            role: spec.role,
            session_name: spec.session_name.into(),
            key: key.clone(),
            issued_ms: spec.time_ms,
            expires_ms: expires,
            source_identity: source_identity.clone(),
            origin,
            hops,
            note,
            pending_truth: std::cell::Cell::new(if spec.omit.is_some() {
                PendingTruth::ByKey
            } else {
                PendingTruth::None
            }),
        };
        self.out.issuances += 1;
        if spec.omit.is_none() {
            let (caller_pid, _) = self.assumer_ids(assumer);
            let issue = Issue {
                via: spec.via,
                role: spec.role,
                session_name: spec.session_name,
                time_ms: spec.time_ms,
                expires_ms: expires,
                region: REGIONS[spec.region],
                ip: spec.ip,
                user_agent: spec.ua,
                key: Some(&key),
                session_token: &token,
                source_identity: source_identity.as_deref(),
                external_id: spec.external_id,
                error: None,
                subject: match assumer {
                    Assumer::Saml(u) => Some(u),
                    Assumer::WebIdentity(s) => Some(s),
                    _ => None,
                },
                event_id: &caller_copy_id,
                request_id: &request_id,
                shared_event_id: cross.then_some(shared.as_str()),
                recipient: "",
                comma,
                version: "1.08",
                assertion_id: &assertion,
            };
            self.emit_issue(
                assumer,
                caller_account,
                role_account,
                cross,
                &caller_pid,
                &issue,
                &role_copy_id,
            )?;
        }
        // Queried by the issued key: an issuing event's own ID belongs to the caller's session
        // (the event is the caller's call), while the key names the new session. Without the
        // issuing event, the entry waits for a call that shows the key (`Sim::call`).
        if spec.omit.is_none() {
            self.truth(&key, "issuance", &cred)?;
        }
        Ok(std::rc::Rc::new(cred))
    }

    /// Writes the caller account's copy and, across accounts, the role account's copy.
    #[allow(clippy::too_many_arguments)]
    fn emit_issue(
        &mut self,
        assumer: Assumer,
        caller_account: usize,
        role_account: usize,
        cross: bool,
        caller_pid: &str,
        issue: &Issue,
        role_copy_id: &str,
    ) -> io::Result<()> {
        let region = REGIONS.iter().position(|r| *r == issue.region).unwrap_or(0);
        let time = issue.time_ms;
        let caller_acct_id = self.org.account_id(caller_account).to_string();
        let first_account = if cross { caller_account } else { role_account };
        self.push(first_account, region, time, |org| {
            let mut i = issue.clone();
            i.recipient = org.account_id(first_account);
            render_issue(org, actor_of(org, assumer, role_account), &i)
        })?;
        if cross {
            self.push(role_account, region, time, |org| {
                let mut i = issue.clone();
                i.recipient = org.account_id(role_account);
                i.event_id = role_copy_id;
                let actor = Actor::Account {
                    principal_id: caller_pid,
                    account_id: &caller_acct_id,
                };
                render_issue(org, actor, &i)
            })?;
        }
        Ok(())
    }

    /// Emits a denied `AssumeRole`: an attempt, never a hop.
    pub fn deny(
        &mut self,
        assumer: Assumer,
        role: usize,
        session_name: &str,
        region: usize,
        ip: &str,
        ua: &str,
    ) -> io::Result<()> {
        let role_account = self.org.roles[role].account;
        let caller_account = self.assumer_account(assumer, role_account);
        let cross = caller_account != role_account;
        let (caller_pid, caller_arn) = self.assumer_ids(assumer);
        let message = format!(
            "User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {}",
            self.org.role_arn(role)
        );
        let event_id = self.rng.uuid();
        let role_copy_id = self.rng.uuid();
        let request_id = self.rng.uuid();
        let shared = self.rng.uuid();
        let issue = Issue {
            via: "AssumeRole",
            role,
            session_name,
            time_ms: self.now,
            expires_ms: self.now + 3_600_000,
            region: REGIONS[region],
            ip,
            user_agent: ua,
            key: None,
            session_token: "",
            source_identity: None,
            external_id: None,
            error: Some(("AccessDenied", &message)),
            subject: None,
            event_id: &event_id,
            request_id: &request_id,
            shared_event_id: cross.then_some(shared.as_str()),
            recipient: "",
            comma: true,
            version: "1.08",
            assertion_id: "",
        };
        self.emit_issue(
            assumer,
            caller_account,
            role_account,
            cross,
            &caller_pid,
            &issue,
            &role_copy_id,
        )
    }
}

/// The `userIdentity` an assumer shows in its own account's copy.
fn actor_of<'a>(org: &'a Org, a: Assumer<'a>, role_account: usize) -> Actor<'a> {
    match a {
        Assumer::Cred(cred) => Actor::Assumed { cred },
        Assumer::IamUser(p) => org.person_actor(p),
        Assumer::Saml(user) => Actor::Saml { user },
        Assumer::WebIdentity(subject) => Actor::WebIdentity {
            subject,
            account_id: org.account_id(role_account),
        },
        Assumer::Service(s) => Actor::Service(s),
        Assumer::Account {
            principal_id,
            account,
        } => Actor::Account {
            principal_id,
            account_id: org.account_id(account),
        },
    }
}
