//! The simulation: one time-ordered queue of tasks (people's work sessions, instances and
//! functions refreshing credentials and calling APIs, scripted incidents). Each task emits its
//! events at its own time, so events come out in time order and stream straight to the files.
//! The state is the organisation plus the credentials currently held: small at any size.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::io;

use super::apis::{Api, Catalog};
use super::creds::{Cred, CredRef, PendingTruth};
use super::files::TrailFiles;
use super::org::{Login, Org, REGIONS};
use super::params;
use super::record::{Actor, Envelope, render};
use super::rng::Rng;
use super::truth::TruthWriter;
use super::truth_behavior::Watch;
use super::ua::{Ua, cli_command};
use super::walkthrough::{Facts, WalkState};

/// Where events go. Without files (`trail: None`) the run only counts, to size the real run.
#[derive(Debug, Default)]
pub struct Out {
    pub trail: Option<TrailFiles>,
    pub truth: Option<TruthWriter>,
    /// Every event, including those of accounts whose logs are not written.
    pub events: u64,
    /// Events written to files.
    pub written: u64,
    /// Calls whose number follows the scale (everything else is fixed by time).
    pub scaled: u64,
    pub issuances: u64,
}

/// A unit of work at a time.
#[derive(Debug)]
pub enum Task {
    /// Midnight UTC: plan the day's work sessions, CI runs and vendor visits.
    Day,
    Session(Box<super::actors::Session>),
    InstanceRefresh(usize),
    InstanceCall(usize),
    FunctionStart(usize),
    FunctionCall(usize),
    ScannerSweep,
    Script(usize),
    /// One call of the change planted for behavior's ground truth.
    Plant,
}

#[derive(Debug)]
struct Pending {
    time: i64,
    seq: u64,
    task: Task,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    // BinaryHeap is a max-heap: reverse so the earliest (then first scheduled) pops first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// Who calls an API.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    Cred(&'a Cred),
    /// A person's IAM user with its long-term key.
    IamUser(usize),
}

/// Who asks STS for credentials.
#[derive(Debug, Clone, Copy)]
pub enum Assumer<'a> {
    Cred(&'a Cred),
    IamUser(usize),
    Saml(&'a str),
    WebIdentity(&'a str),
    Service(&'static str),
    /// A principal of another account whose logs we do not have.
    Account {
        principal_id: &'a str,
        account: usize,
    },
}

/// One API call to emit.
#[derive(Debug, Clone)]
pub struct CallSpec<'a> {
    pub api: &'static Api,
    pub region: usize,
    pub ip: &'a str,
    pub ua: Ua,
    /// Parameters to use instead of drawn ones (JSON text).
    pub request: Option<String>,
    /// `Some(true)`: denied (a permission error); `Some(false)`: succeed; `None`: the usual
    /// error rate with the usual mix of errors.
    pub fail: Option<bool>,
    /// Always write a truth entry for it (scripted incidents).
    pub force_truth: bool,
    pub scaled: bool,
}

/// One issuance to emit.
#[derive(Debug, Clone)]
pub struct IssueSpec<'a> {
    pub via: &'static str,
    pub role: usize,
    pub session_name: &'a str,
    pub time_ms: i64,
    pub duration_ms: i64,
    pub region: usize,
    pub ip: &'a str,
    pub ua: &'a str,
    pub source_identity: Option<&'a str>,
    pub external_id: Option<&'a str>,
    /// Leave the issuing event out of the files, saying why in the truth entry.
    pub omit: Option<&'static str>,
    pub key: Option<String>,
    pub note: Option<String>,
}

/// The running simulation.
pub struct Sim<'o> {
    pub org: Org,
    pub cat: Catalog,
    pub rng: Rng,
    heap: BinaryHeap<Pending>,
    seq: u64,
    pub out: &'o mut Out,
    pub scale: f64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub now: i64,
    /// Share of assumed-role calls that get a truth entry.
    pub truth_rate: f64,
    pub instances: Vec<Option<CredRef>>,
    pub functions: Vec<Option<CredRef>>,
    pub walk: WalkState,
    pub facts: Facts,
    /// The first instance key, reused once later (temporary keys can repeat).
    pub reusable_key: Option<(String, String)>,
    /// The watched identities' calls (behavior's ground truth) and the planted change.
    pub watch: Watch,
}

impl<'o> Sim<'o> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        org: Org,
        seed: u64,
        out: &'o mut Out,
        scale: f64,
        start_ms: i64,
        end_ms: i64,
        truth_rate: f64,
    ) -> Sim<'o> {
        let n_inst = org.instances.len();
        let n_fn = org.functions.len();
        let watch = Watch::new(&org, seed);
        Sim {
            org,
            cat: Catalog::new(),
            rng: Rng::new(seed, 2),
            heap: BinaryHeap::new(),
            seq: 0,
            out,
            scale,
            start_ms,
            end_ms,
            now: start_ms,
            truth_rate,
            instances: vec![None; n_inst],
            functions: vec![None; n_fn],
            walk: WalkState::new(),
            facts: Facts::default(),
            reusable_key: None,
            watch,
        }
    }

    /// Queues `task` at `time` (tasks at or after the window end never run).
    pub fn at(&mut self, time: i64, task: Task) {
        if time < self.end_ms {
            self.seq += 1;
            self.heap.push(Pending {
                time: time.max(self.now),
                seq: self.seq,
                task,
            });
        }
    }

    /// Runs every task in time order until the window ends.
    pub fn run(&mut self) -> io::Result<()> {
        super::actors::seed(self)?;
        while let Some(p) = self.heap.pop() {
            self.now = p.time;
            super::actors::handle(self, p.task)?;
        }
        Ok(())
    }

    fn dry(&self) -> bool {
        self.out.trail.is_none()
    }

    pub(super) fn push(
        &mut self,
        account: usize,
        region: usize,
        time: i64,
        render: impl FnOnce(&Org) -> String,
    ) -> io::Result<()> {
        self.out.events += 1;
        if !self.org.accounts[account].collected {
            return Ok(());
        }
        if let Some(t) = &mut self.out.trail {
            let record = render(&self.org);
            t.push(
                &self.org.accounts[account].id,
                REGIONS[region],
                time,
                record,
            )?;
            self.out.written += 1;
        }
        Ok(())
    }

    pub(super) fn truth(&mut self, query: &str, kind: &str, cred: &Cred) -> io::Result<()> {
        match &mut self.out.truth {
            Some(t) => t.entry(query, kind, cred),
            None => Ok(()),
        }
    }

    /// Emits one API call; returns its event ID.
    pub fn call(&mut self, caller: Caller, spec: CallSpec) -> io::Result<String> {
        let (account, arn) = match caller {
            Caller::Cred(c) => {
                let role = &self.org.roles[c.role];
                let acct = self.org.account_id(role.account);
                (
                    role.account,
                    format!(
                        "arn:aws:sts::{acct}:assumed-role/{}/{}",
                        role.name, c.session_name
                    ),
                )
            }
            Caller::IamUser(p) => match &self.org.people[p].login {
                Login::IamUser { account, .. } => (
                    *account,
                    format!(
                        "arn:aws:iam::{}:user/{}",
                        self.org.account_id(*account),
                        self.org.people[p].name
                    ),
                ),
                Login::Sso => (0, String::new()),
            },
        };
        let api = spec.api;
        let region = if api.is_global() { 0 } else { spec.region };
        let event_id = self.rng.uuid();
        let request_id = self.rng.uuid();
        let fail = spec
            .fail
            .unwrap_or_else(|| params::fails(&mut self.rng, api));
        self.out.scaled += u64::from(spec.scaled);
        let written = !self.dry() && self.org.accounts[account].collected;
        if written {
            let error = match spec.fail {
                Some(true) => Some(params::denied(api, &arn)),
                _ => fail.then(|| params::error(&mut self.rng, api, &arn)),
            };
            let acct_id = self.org.account_id(account).to_string();
            let request = spec
                .request
                .clone()
                .unwrap_or_else(|| params::request(&mut self.rng, api, &acct_id, REGIONS[region]));
            let response = params::response(&mut self.rng, api);
            let ua = spec.ua.text(&cli_command(api.service(), api.name));
            let console = spec.ua.is_console();
            let now = self.now;
            self.push(account, region, now, |org| {
                let actor = match caller {
                    Caller::Cred(cred) => Actor::Assumed { cred },
                    Caller::IamUser(p) => org.person_actor(p),
                };
                let env = Envelope {
                    version: api.version,
                    time_ms: now,
                    source: api.source,
                    name: api.name,
                    region: REGIONS[region],
                    ip: spec.ip,
                    user_agent: &ua,
                    error: error.as_ref().map(|(c, m)| (c.as_str(), m.as_str())),
                    request: &request,
                    response: &response,
                    additional: None,
                    request_id: &request_id,
                    event_id: &event_id,
                    read_only: api.read_only,
                    resources: None,
                    event_type: "AwsApiCall",
                    recipient: org.account_id(account),
                    shared_event_id: None,
                    console,
                };
                render(org, actor, &env)
            })?;
            if let Caller::IamUser(p) = caller {
                self.watch.record(p, now, api.name, spec.ip, &ua, region);
            }
        } else {
            self.out.events += 1;
        }
        if let Caller::Cred(c) = caller {
            if written {
                self.pending_truth(c, &event_id)?;
            }
            if spec.force_truth || self.rng.chance(self.truth_rate) {
                self.truth(&event_id, "call", c)?;
            }
        }
        Ok(event_id)
    }

    /// Writes the issuance entry that waited for this first written call signed with `cred`.
    fn pending_truth(&mut self, cred: &Cred, event_id: &str) -> io::Result<()> {
        match cred.pending_truth.replace(PendingTruth::None) {
            PendingTruth::None => Ok(()),
            PendingTruth::ByKey => self.truth(&cred.key, "issuance", cred),
            PendingTruth::ByFirstCall => {
                let note = format!(
                    "{}; its access key is issued again later, so this session is queried by its first call",
                    cred.note.as_deref().unwrap_or("issuing event left out")
                );
                let entry = Cred {
                    note: Some(note),
                    ..cred.clone()
                };
                self.truth(event_id, "call", &entry)
            }
        }
    }
}
