//! What the organisation does over time: people's work sessions (planned each day around their
//! office hours), CI runs, vendor visits, the security scanner's hub-and-spoke sweeps, and EC2
//! instances and Lambda functions refreshing credentials and calling APIs.

use std::io;

use super::apis::Mix;
use super::clock::{DAY, HOUR, MINUTE, day_start, parts, utc};
use super::creds::{CredRef, PendingTruth};
use super::geo;
use super::machines::{
    INSTANCE_REFRESH, call_gap, function_call, function_cred, function_start, instance_call,
    instance_cred, instance_refresh,
};
use super::org::{DEV, PROD, SECURITY, Start, Step, VENDOR};
use super::sim::{Assumer, CallSpec, Caller, IssueSpec, Sim, Task};
use super::ua::Ua;

/// Who runs a work session (decides session names and the first credentials).
#[derive(Debug, Clone)]
pub enum Who {
    Person(usize),
    Ci { subject: &'static str },
    Vendor,
    Scanner,
}

/// A work session in progress: a plan of steps and the credentials it holds.
#[derive(Debug)]
pub struct Session {
    pub who: Who,
    pub ip: String,
    pub ua: Ua,
    pub region: usize,
    pub stack: Vec<CredRef>,
    pub steps: Vec<Step>,
    pub step: usize,
    pub calls_left: Option<u64>,
    pub scale: f64,
}

const SSO_DURATION: i64 = 8 * HOUR;
const CHAINED_DURATION: i64 = HOUR;
const SUBJECTS: [&str; 3] = [
    "repo:example-org/app:ref:refs/heads/main",
    "repo:example-org/app:environment:production",
    "repo:example-org/infra:ref:refs/heads/main",
];

/// The tasks that start the run: the first day, the workloads with credentials issued before
/// the window (their issuing events are outside the data: inferred), the scripted incidents.
pub fn seed(sim: &mut Sim) -> io::Result<()> {
    let start = sim.start_ms;
    sim.at(start, Task::Day);
    for i in 0..sim.org.instances.len() {
        let issued = start - sim.rng.range(10 * MINUTE, INSTANCE_REFRESH);
        let cred = instance_cred(sim, i, issued, Some("issued before the data window"), None)?;
        if i == 0 {
            sim.reusable_key = Some((cred.key.clone(), sim.org.roles[cred.role].name.clone()));
            // `chain KEY` answers with the key's latest issuance: this one is reached through
            // a call it signed.
            cred.pending_truth.set(PendingTruth::ByFirstCall);
        }
        sim.instances[i] = Some(cred);
        let jitter = sim.rng.range(0, 20 * MINUTE);
        sim.at(issued + INSTANCE_REFRESH + jitter, Task::InstanceRefresh(i));
        let gap = call_gap(sim, sim.org.instances[i].calls_per_hour);
        sim.at(start + gap, Task::InstanceCall(i));
    }
    for f in 0..sim.org.functions.len() {
        let issued = start - sim.rng.range(5 * MINUTE, 2 * HOUR);
        let cred = function_cred(sim, f, issued, Some("issued before the data window"))?;
        sim.functions[f] = Some(cred);
        let next = issued + sim.rng.range(HOUR, 4 * HOUR);
        sim.at(next, Task::FunctionStart(f));
        let gap = call_gap(sim, sim.org.functions[f].calls_per_hour);
        sim.at(start + gap, Task::FunctionCall(f));
    }
    sim.at(start + HOUR, Task::ScannerSweep);
    pre_window_session(sim)?;
    super::walkthrough::schedule(sim);
    super::truth_behavior::schedule(sim);
    Ok(())
}

/// li signed in two hours before the window opened: her session's `AssumeRoleWithSAML` is not
/// in the data, so a correct tool infers her from the `AWSReservedSSO_*` role's session name.
fn pre_window_session(sim: &mut Sim) -> io::Result<()> {
    let li = sim.org.person("li");
    let role = sim.org.people[li]
        .plans
        .iter()
        .find_map(|p| match p.start {
            Start::Saml { role } => Some(role),
            Start::AccessKey => None,
        })
        .unwrap_or(0);
    let ip = sim.org.people[li].addresses[0].0.clone();
    let spec = IssueSpec {
        via: "AssumeRoleWithSAML",
        role,
        session_name: "li",
        time_ms: sim.start_ms - 2 * HOUR,
        duration_ms: 12 * HOUR,
        region: 0,
        ip: &ip,
        ua: "",
        source_identity: None,
        external_id: None,
        omit: Some("signed in before the data window"),
        key: None,
        note: None,
    };
    let cred = sim.issue(Assumer::Saml("li"), spec)?;
    let session = Session {
        who: Who::Person(li),
        ip,
        ua: Ua::FirefoxLinux,
        region: 0,
        stack: vec![cred],
        steps: vec![Step::Calls {
            mix: Mix::ReadOnly,
            mean: 10.0,
        }],
        step: 0,
        calls_left: None,
        scale: sim.scale.max(0.5),
    };
    sim.at(sim.start_ms + 5 * MINUTE, Task::Session(Box::new(session)));
    Ok(())
}

/// Runs one task.
pub fn handle(sim: &mut Sim, task: Task) -> io::Result<()> {
    match task {
        Task::Day => plan_day(sim),
        Task::Session(s) => session_step(sim, s),
        Task::InstanceRefresh(i) => instance_refresh(sim, i),
        Task::InstanceCall(i) => instance_call(sim, i),
        Task::FunctionStart(f) => function_start(sim, f),
        Task::FunctionCall(f) => function_call(sim, f),
        Task::ScannerSweep => scanner_sweep(sim),
        Task::Script(i) => super::walkthrough::step(sim, i),
        Task::Plant => super::truth_behavior::plant_step(sim),
    }
}

/// The day sara's normal work is replaced by the scripted incident.
pub fn incident_day() -> i64 {
    utc(2026, 11, 18, 0, 0, 0)
}

fn plan_day(sim: &mut Sim) -> io::Result<()> {
    let day = sim.now;
    for p in 0..sim.org.people.len() {
        let person = &sim.org.people[p];
        if day < day_start(person.active_from_ms)
            || (person.name == "sara" && day == incident_day())
        {
            continue;
        }
        let offset = person.utc_offset_h * HOUR;
        let weekday = parts(day + 12 * HOUR - offset).weekday;
        let n = if weekday < 5 {
            sim.rng.count(person.sessions_per_workday)
        } else {
            u64::from(sim.rng.chance(0.07))
        };
        for _ in 0..n {
            let start = day - offset + sim.rng.range(8 * HOUR + 30 * MINUTE, 18 * HOUR);
            let session = person_session(sim, p);
            sim.at(start, Task::Session(Box::new(session)));
        }
    }
    if parts(day).weekday < 5 {
        for _ in 0..sim.rng.count(5.0) {
            let start = day + sim.rng.range(13 * HOUR, 23 * HOUR);
            let session = ci_run(sim);
            sim.at(start, Task::Session(Box::new(session)));
        }
    }
    for _ in 0..sim.rng.count(10.0) {
        let start = day + sim.rng.range(0, DAY);
        let session = vendor_visit(sim);
        sim.at(start, Task::Session(Box::new(session)));
    }
    sim.at(day + DAY, Task::Day);
    Ok(())
}

fn person_session(sim: &mut Sim, p: usize) -> Session {
    let person = &sim.org.people[p];
    let weights: Vec<f64> = person.plans.iter().map(|pl| pl.weight).collect();
    let plan = &person.plans[sim.rng.weighted(&weights)];
    let mut steps = Vec::with_capacity(plan.steps.len() + 1);
    if let Start::Saml { role } = plan.start {
        steps.push(Step::Saml { role });
    }
    steps.extend(plan.steps.iter().copied());
    let ip = match person.travel {
        Some(r) if sim.rng.chance(0.04) => geo::address(&mut sim.rng, r),
        _ => {
            let w: Vec<f64> = person.addresses.iter().map(|a| a.1).collect();
            person.addresses[sim.rng.weighted(&w)].0.clone()
        }
    };
    let uw: Vec<f64> = person.uas.iter().map(|u| u.1).collect();
    let ua = person.uas[sim.rng.weighted(&uw)].0;
    let region = if sim.rng.chance(0.15) {
        sim.rng.index(3)
    } else {
        person.region
    };
    Session {
        who: Who::Person(p),
        ip,
        ua,
        region,
        stack: Vec::new(),
        steps,
        step: 0,
        calls_left: None,
        // sara's history is the walkthrough's baseline: never thinner than at full scale.
        scale: if person.name == "sara" {
            sim.scale.max(1.0)
        } else {
            sim.scale
        },
    }
}

fn ci_run(sim: &mut Sim) -> Session {
    let gha = sim.org.role(DEV, "GitHubActionsDeploy");
    let deploy = sim.org.role(PROD, "TerraformDeploy");
    let migrator = sim.org.role(PROD, "prod-db-migrator");
    let mut steps = vec![
        Step::WebIdentity { role: gha },
        Step::Calls {
            mix: Mix::Deploy,
            mean: 8.0,
        },
    ];
    if sim.rng.chance(0.4) {
        steps.push(Step::Assume {
            role: deploy,
            source_identity: Some("github-actions"),
        });
        steps.push(Step::Calls {
            mix: Mix::Deploy,
            mean: 6.0,
        });
        if sim.rng.chance(0.25) {
            steps.push(Step::Assume {
                role: migrator,
                source_identity: None,
            });
            steps.push(Step::Calls {
                mix: Mix::Migrator,
                mean: 4.0,
            });
        }
    }
    Session {
        who: Who::Ci {
            subject: sim.rng.pick_str(&SUBJECTS),
        },
        ip: geo::address(&mut sim.rng, geo::CI_RUNNERS),
        ua: Ua::Terraform,
        region: 0,
        stack: Vec::new(),
        steps,
        step: 0,
        calls_left: None,
        scale: sim.scale,
    }
}

fn vendor_visit(sim: &mut Sim) -> Session {
    let role = sim.org.role(PROD, "VendorMonitoringRole");
    let steps = if sim.rng.chance(0.04) {
        vec![Step::Denied { role }]
    } else {
        vec![
            Step::FromVendor { role },
            Step::Calls {
                mix: Mix::Vendor,
                mean: 5.0,
            },
        ]
    };
    Session {
        who: Who::Vendor,
        ip: geo::address(&mut sim.rng, geo::BERLIN_VENDOR),
        ua: Ua::GoSdk,
        region: 0,
        stack: Vec::new(),
        steps,
        step: 0,
        calls_left: None,
        scale: sim.scale,
    }
}

fn scanner_sweep(sim: &mut Sim) -> io::Result<()> {
    let Some(cred) = sim.functions.get(2).cloned().flatten() else {
        return Ok(());
    };
    let mut steps = vec![Step::Calls {
        mix: Mix::Scanner,
        mean: 3.0,
    }];
    for a in 0..sim.org.accounts.len() {
        if a != SECURITY && a != VENDOR && sim.org.accounts[a].collected {
            let role = sim.org.role(a, "SecurityAudit");
            steps.extend([
                Step::Assume {
                    role,
                    source_identity: None,
                },
                Step::Calls {
                    mix: Mix::Scanner,
                    mean: 4.0,
                },
                Step::Pop,
            ]);
        }
    }
    let session = Session {
        who: Who::Scanner,
        ip: sim
            .org
            .instances
            .first()
            .map(|i| i.public_ip.clone())
            .unwrap_or_default(),
        ua: Ua::Boto3Linux,
        region: 0,
        stack: vec![cred],
        steps,
        step: 0,
        calls_left: None,
        scale: sim.scale,
    };
    sim.at(sim.now, Task::Session(Box::new(session)));
    sim.at(sim.now + 6 * HOUR, Task::ScannerSweep);
    Ok(())
}

fn session_name(sim: &Sim, who: &Who) -> &'static str {
    match who {
        Who::Person(p) => sim.org.people[*p].name,
        Who::Ci { .. } => "GitHubActions",
        Who::Vendor => "vendor-monitoring",
        Who::Scanner => "security-scanner",
    }
}

fn session_step(sim: &mut Sim, mut s: Box<Session>) -> io::Result<()> {
    let Some(step) = s.steps.get(s.step).copied() else {
        return Ok(());
    };
    let mut gap = sim.rng.range(2_000, 9_000);
    let name = session_name(sim, &s.who);
    let ua_text = s.ua.text("sts.assume-role");
    match step {
        Step::Calls { mix, mean } => {
            let left = match s.calls_left {
                Some(n) => n,
                None => sim.rng.count(mean * s.scale),
            };
            if left > 0 {
                let api = sim.cat.draw(&mut sim.rng, mix);
                let spec = CallSpec {
                    api,
                    region: s.region,
                    ip: &s.ip,
                    ua: s.ua,
                    request: None,
                    fail: None,
                    force_truth: false,
                    scaled: true,
                };
                let cred = s.stack.last().cloned();
                match (&cred, &s.who) {
                    (Some(c), _) => sim.call(Caller::Cred(c), spec)?,
                    (None, Who::Person(p)) => sim.call(Caller::IamUser(*p), spec)?,
                    (None, _) => String::new(),
                };
                gap = 1_000 + sim.rng.exp(45_000.0) as i64;
            }
            if left <= 1 {
                s.calls_left = None;
                s.step += 1;
            } else {
                s.calls_left = Some(left - 1);
            }
        }
        Step::Saml { role } => {
            let spec = issue_spec(
                &s,
                "AssumeRoleWithSAML",
                role,
                name,
                sim.now,
                SSO_DURATION,
                &ua_text,
            );
            let cred = sim.issue(Assumer::Saml(name), spec)?;
            s.stack.push(cred);
            s.step += 1;
        }
        Step::WebIdentity { role } => {
            let subject = match s.who {
                Who::Ci { subject } => subject,
                _ => SUBJECTS[0],
            };
            let ua = "configure-aws-credentials-for-github-actions";
            let spec = issue_spec(
                &s,
                "AssumeRoleWithWebIdentity",
                role,
                name,
                sim.now,
                HOUR,
                ua,
            );
            let cred = sim.issue(Assumer::WebIdentity(subject), spec)?;
            s.stack.push(cred);
            s.step += 1;
        }
        Step::Assume {
            role,
            source_identity,
        } => {
            let mut spec = issue_spec(
                &s,
                "AssumeRole",
                role,
                name,
                sim.now,
                CHAINED_DURATION,
                &ua_text,
            );
            spec.source_identity = source_identity;
            let parent = s.stack.last().cloned();
            let cred = match (&parent, &s.who) {
                (Some(c), _) => sim.issue(Assumer::Cred(c), spec)?,
                (None, Who::Person(p)) => sim.issue(Assumer::IamUser(*p), spec)?,
                (None, _) => return Ok(()),
            };
            s.stack.push(cred);
            s.step += 1;
        }
        Step::FromVendor { role } => {
            let principal = sim.org.vendor_principal.clone();
            let mut spec = issue_spec(&s, "AssumeRole", role, name, sim.now, HOUR, &ua_text);
            spec.external_id = Some("example-vendor-7f3a");
            let cred = sim.issue(
                Assumer::Account {
                    principal_id: &principal,
                    account: VENDOR,
                },
                spec,
            )?;
            s.stack.push(cred);
            s.step += 1;
        }
        Step::Denied { role } => {
            let parent = s.stack.last().cloned();
            let principal = sim.org.vendor_principal.clone();
            let assumer = match (&parent, &s.who) {
                (Some(c), _) => Assumer::Cred(c),
                (None, Who::Person(p)) => Assumer::IamUser(*p),
                (None, _) => Assumer::Account {
                    principal_id: &principal,
                    account: VENDOR,
                },
            };
            sim.deny(assumer, role, name, s.region, &s.ip, &ua_text)?;
            s.step += 1;
        }
        Step::Pop => {
            s.stack.pop();
            s.step += 1;
        }
    }
    if s.step < s.steps.len() {
        sim.at(sim.now + gap, Task::Session(s));
    }
    Ok(())
}

fn issue_spec<'a>(
    s: &'a Session,
    via: &'static str,
    role: usize,
    name: &'a str,
    now: i64,
    duration: i64,
    ua: &'a str,
) -> IssueSpec<'a> {
    IssueSpec {
        via,
        role,
        session_name: name,
        time_ms: now,
        duration_ms: duration,
        region: s.region,
        ip: &s.ip,
        ua,
        source_identity: None,
        external_id: None,
        omit: None,
        key: None,
        note: None,
    }
}
