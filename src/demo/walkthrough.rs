//! The scripted parts of the data: DESIGN.md's walkthrough (sara's October start, her earlier
//! use of `DemoRole1`, and the November incident hour) and a quieter second incident (an
//! instance's credentials used from outside AWS). Scripted events draw from their own fixed
//! random stream, so their IDs are the same for every seed and can be written in docs.

use std::io;

use super::apis::api;
use super::clock::utc;
use super::creds::CredRef;
use super::geo;
use super::org::{MANAGEMENT, PROD, SARA_ROLE};
use super::rng::Rng;
use super::sim::{Assumer, CallSpec, Caller, IssueSpec, Sim, Task};
use super::ua::Ua;

/// The instance whose credentials are stolen in the second incident.
pub const EXFIL_INSTANCE: usize = 1;

/// The walkthrough's trail.
pub const TRAIL: &str = "demo-trail-2";

/// One observed call the GuardDuty findings point at.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub event_id: String,
    pub time_ms: i64,
    pub ip: String,
    pub access_key: String,
    pub principal_id: String,
    pub role_name: String,
    pub account_id: String,
    pub user_agent: String,
}

/// The facts the findings and flow logs are written from, gathered while the script runs.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub stop_logging: Option<Seen>,
    /// First exfiltrated call, and every call's time.
    pub exfil: Option<Seen>,
    pub exfil_times: Vec<i64>,
    pub exfil_instance_id: String,
}

#[derive(Debug, Clone)]
enum Act {
    Saml {
        range: usize,
        ua: Ua,
    },
    SsoCall {
        api: &'static str,
        request: Option<String>,
        fail: bool,
        ua: Ua,
    },
    Assume {
        role: &'static str,
        account: usize,
        ua: Ua,
    },
    RoleCall {
        api: &'static str,
        request: Option<String>,
        fail: bool,
        ua: Ua,
    },
    ExfilCall {
        api: &'static str,
        fail: bool,
    },
}

/// The script's state: its own random stream, the credentials sara holds, where she is.
#[derive(Debug)]
pub struct WalkState {
    rng: Rng,
    steps: Vec<(i64, Act)>,
    sso: Option<CredRef>,
    role: Option<CredRef>,
    ip: String,
    exfil_ip: String,
}

impl Default for WalkState {
    fn default() -> WalkState {
        WalkState::new()
    }
}

impl WalkState {
    pub fn new() -> WalkState {
        WalkState {
            rng: Rng::new(0x5A7A_DE30, 7),
            steps: Vec::new(),
            sso: None,
            role: None,
            ip: String::new(),
            exfil_ip: String::new(),
        }
    }
}

fn attach(role: &str, policy: &str) -> Option<String> {
    Some(format!(
        "{{\"roleName\":\"{role}\",\"policyArn\":\"arn:aws:iam::aws:policy/{policy}\"}}"
    ))
}

fn script() -> Vec<(i64, Act)> {
    use Act::*;
    let chrome = Ua::ChromeWindows;
    let cli = Ua::CliMac;
    let sso = |api: &'static str| SsoCall {
        api,
        request: None,
        fail: false,
        ua: chrome,
    };
    let role = |api: &'static str, ua: Ua| RoleCall {
        api,
        request: None,
        fail: false,
        ua,
    };
    let at = |d: u32, h: u32, m: u32, s: u32| {
        utc(
            2026,
            10 + u32::from(d > 31),
            if d > 31 { d - 31 } else { d },
            h,
            m,
            s,
        )
    };
    let trail = format!("{{\"name\":\"arn:aws:cloudtrail:us-east-1:111122223333:trail/{TRAIL}\"}}");
    vec![
        // 6 October: sara's first session (Bellevue office).
        (
            at(6, 16, 20, 5),
            Saml {
                range: geo::BELLEVUE_OFFICE,
                ua: chrome,
            },
        ),
        (at(6, 16, 21, 40), sso("DescribeInstances")),
        (at(6, 16, 24, 2), sso("ListRoles")),
        (at(6, 16, 30, 55), sso("DescribeTrails")),
        // 21 October: from the Ashburn cloud desktop, and her first DemoRole1 session.
        (
            at(21, 17, 5, 12),
            Saml {
                range: geo::ASHBURN_CLOUD_DESKTOP,
                ua: chrome,
            },
        ),
        (at(21, 17, 6, 30), sso("DescribeInstances")),
        (
            at(21, 17, 11, 3),
            Assume {
                role: "DemoRole1",
                account: PROD,
                ua: chrome,
            },
        ),
        (at(21, 17, 12, 44), role("DescribeInstances", chrome)),
        (at(21, 17, 14, 9), role("DescribeVolumes", chrome)),
        (at(21, 17, 20, 31), role("CreateTags", chrome)),
        // 10 November: NetworkAdmin, ReadOnlyAuditor (cross-account) and DemoRole1 again.
        (
            at(31 + 10, 18, 30, 0),
            Saml {
                range: geo::BELLEVUE_OFFICE,
                ua: chrome,
            },
        ),
        (at(31 + 10, 18, 31, 10), sso("DescribeSecurityGroups")),
        (
            at(31 + 10, 18, 33, 0),
            Assume {
                role: "NetworkAdmin",
                account: PROD,
                ua: chrome,
            },
        ),
        (at(31 + 10, 18, 34, 22), role("DescribeVpcs", chrome)),
        (
            at(31 + 10, 18, 40, 0),
            Assume {
                role: "ReadOnlyAuditor",
                account: MANAGEMENT,
                ua: chrome,
            },
        ),
        (at(31 + 10, 18, 41, 5), role("ListRoles", chrome)),
        (
            at(31 + 10, 18, 50, 0),
            Assume {
                role: "DemoRole1",
                account: PROD,
                ua: chrome,
            },
        ),
        (at(31 + 10, 18, 51, 17), role("DescribeInstances", chrome)),
        // 18 November, the incident hour. In scope sara's SSO session calls exactly two APIs:
        // StopLogging and AssumeRole (twice), from Bellevue but through a new carrier, with a
        // user agent she never used.
        (
            utc(2026, 11, 18, 14, 2, 17),
            Saml {
                range: geo::BELLEVUE_MOBILE,
                ua: chrome,
            },
        ),
        (
            utc(2026, 11, 18, 14, 9, 41),
            SsoCall {
                api: "StopLogging",
                request: Some(trail),
                fail: false,
                ua: cli,
            },
        ),
        (
            utc(2026, 11, 18, 14, 12, 5),
            Assume {
                role: "DemoRole1",
                account: PROD,
                ua: cli,
            },
        ),
        (
            utc(2026, 11, 18, 14, 13, 30),
            role("DescribeInstances", cli),
        ),
        (utc(2026, 11, 18, 14, 14, 2), role("DescribeInstances", cli)),
        (utc(2026, 11, 18, 14, 15, 40), role("RunInstances", cli)),
        (
            utc(2026, 11, 18, 14, 18, 11),
            RoleCall {
                api: "AttachRolePolicy",
                request: attach("DemoRole1", "AdministratorAccess"),
                fail: false,
                ua: cli,
            },
        ),
        (
            utc(2026, 11, 18, 14, 19, 2),
            RoleCall {
                api: "AttachRolePolicy",
                request: attach("OrganizationAccountAccessRole", "AdministratorAccess"),
                fail: true,
                ua: cli,
            },
        ),
        (
            utc(2026, 11, 18, 14, 21, 33),
            RoleCall {
                api: "AttachRolePolicy",
                request: attach("BreakGlass", "AdministratorAccess"),
                fail: true,
                ua: cli,
            },
        ),
        (
            utc(2026, 11, 18, 14, 31, 20),
            Assume {
                role: "DemoRole1",
                account: PROD,
                ua: cli,
            },
        ),
        (
            utc(2026, 11, 18, 14, 32, 10),
            role("DescribeInstances", cli),
        ),
        (
            utc(2026, 11, 18, 14, 33, 45),
            RoleCall {
                api: "AttachRolePolicy",
                request: attach("web-app-role", "IAMFullAccess"),
                fail: true,
                ua: cli,
            },
        ),
        (
            utc(2026, 11, 18, 14, 35, 5),
            RoleCall {
                api: "AttachRolePolicy",
                request: attach("DemoRole1", "IAMFullAccess"),
                fail: false,
                ua: cli,
            },
        ),
        (
            utc(2026, 11, 18, 14, 36, 30),
            RoleCall {
                api: "AttachRolePolicy",
                request: attach("batch-worker-role", "PowerUserAccess"),
                fail: false,
                ua: cli,
            },
        ),
        // 24 November, 03:10 UTC: a web instance's credentials used from a hosting provider.
        (
            utc(2026, 11, 24, 3, 10, 12),
            ExfilCall {
                api: "GetCallerIdentity",
                fail: false,
            },
        ),
        (
            utc(2026, 11, 24, 3, 11, 40),
            ExfilCall {
                api: "ListBuckets",
                fail: false,
            },
        ),
        (
            utc(2026, 11, 24, 3, 12, 5),
            ExfilCall {
                api: "DescribeInstances",
                fail: false,
            },
        ),
        (
            utc(2026, 11, 24, 3, 15, 33),
            ExfilCall {
                api: "ListRoles",
                fail: true,
            },
        ),
        (
            utc(2026, 11, 24, 3, 21, 0),
            ExfilCall {
                api: "GetSecretValue",
                fail: false,
            },
        ),
        (
            utc(2026, 11, 24, 3, 34, 10),
            ExfilCall {
                api: "GetSecretValue",
                fail: false,
            },
        ),
        (
            utc(2026, 11, 24, 3, 48, 55),
            ExfilCall {
                api: "ListBuckets",
                fail: false,
            },
        ),
    ]
}

/// Queues every scripted step inside the window.
pub fn schedule(sim: &mut Sim) {
    let steps = script();
    sim.walk.exfil_ip = geo::address(&mut sim.walk.rng, geo::AMSTERDAM_HOSTING);
    for (i, (t, _)) in steps.iter().enumerate() {
        if *t >= sim.start_ms {
            sim.at(*t, Task::Script(i));
        }
    }
    sim.walk.steps = steps;
}

/// Runs scripted step `i` with the script's own random stream.
pub fn step(sim: &mut Sim, i: usize) -> io::Result<()> {
    let Some((_, act)) = sim.walk.steps.get(i).cloned() else {
        return Ok(());
    };
    std::mem::swap(&mut sim.rng, &mut sim.walk.rng);
    let result = run(sim, act);
    std::mem::swap(&mut sim.rng, &mut sim.walk.rng);
    result
}

fn spec<'a>(
    api_name: &'static str,
    ip: &'a str,
    ua: Ua,
    request: Option<String>,
    fail: bool,
) -> CallSpec<'a> {
    CallSpec {
        api: api(api_name),
        region: 0,
        ip,
        ua,
        request,
        fail: Some(fail),
        force_truth: true,
        scaled: false,
    }
}

fn run(sim: &mut Sim, act: Act) -> io::Result<()> {
    match act {
        Act::Saml { range, ua } => {
            let ip = geo::address(&mut sim.rng, range);
            let role = sim.org.role(PROD, SARA_ROLE);
            let ua_text = ua.text("");
            let cred = sim.issue(
                Assumer::Saml("sara"),
                issue(role, sim.now, 8, &ip, &ua_text),
            )?;
            sim.walk.sso = Some(cred);
            sim.walk.role = None;
            sim.walk.ip = ip;
        }
        Act::SsoCall {
            api: name,
            request,
            fail,
            ua,
        } => {
            let Some(cred) = sim.walk.sso.clone() else {
                return Ok(());
            };
            let ip = sim.walk.ip.clone();
            let event_id = sim.call(Caller::Cred(&cred), spec(name, &ip, ua, request, fail))?;
            if name == "StopLogging" {
                sim.facts.stop_logging = Some(seen(sim, &cred, event_id, &ip, ua));
            }
        }
        Act::Assume { role, account, ua } => {
            let Some(parent) = sim.walk.sso.clone() else {
                return Ok(());
            };
            let role = sim.org.role(account, role);
            let ip = sim.walk.ip.clone();
            let ua_text = ua.text("sts.assume-role");
            let mut s = issue(role, sim.now, 1, &ip, &ua_text);
            s.via = "AssumeRole";
            let cred = sim.issue(Assumer::Cred(&parent), s)?;
            sim.walk.role = Some(cred);
        }
        Act::RoleCall {
            api: name,
            request,
            fail,
            ua,
        } => {
            let Some(cred) = sim.walk.role.clone() else {
                return Ok(());
            };
            let ip = sim.walk.ip.clone();
            sim.call(Caller::Cred(&cred), spec(name, &ip, ua, request, fail))?;
        }
        Act::ExfilCall { api: name, fail } => {
            let Some(cred) = super::machines::instance_cred_now(sim, EXFIL_INSTANCE) else {
                return Ok(());
            };
            let ip = sim.walk.exfil_ip.clone();
            let event_id = sim.call(
                Caller::Cred(&cred),
                spec(name, &ip, Ua::PythonRequests, None, fail),
            )?;
            sim.facts.exfil_times.push(sim.now);
            sim.facts.exfil_instance_id = sim.org.instances[EXFIL_INSTANCE].id.clone();
            if sim.facts.exfil.is_none() {
                sim.facts.exfil = Some(seen(sim, &cred, event_id, &ip, Ua::PythonRequests));
            }
        }
    }
    Ok(())
}

fn issue<'a>(role: usize, now: i64, hours: i64, ip: &'a str, ua: &'a str) -> IssueSpec<'a> {
    IssueSpec {
        via: "AssumeRoleWithSAML",
        role,
        session_name: "sara",
        time_ms: now,
        duration_ms: hours * super::clock::HOUR,
        region: 0,
        ip,
        ua,
        source_identity: None,
        external_id: None,
        omit: None,
        key: None,
        note: None,
    }
}

fn seen(sim: &Sim, cred: &CredRef, event_id: String, ip: &str, ua: Ua) -> Seen {
    let role = &sim.org.roles[cred.role];
    Seen {
        event_id,
        time_ms: sim.now,
        ip: ip.into(),
        access_key: cred.key.clone(),
        principal_id: cred.principal_id(&role.id),
        role_name: role.name.clone(),
        account_id: sim.org.account_id(role.account).into(),
        user_agent: ua.text(""),
    }
}
