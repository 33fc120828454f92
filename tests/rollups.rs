//! The roll-ups answer what a scan of the events answers. A generated organisation is ingested
//! in two parts (the last week of half the accounts last, so the other account's copy of their
//! cross-account calls is folded a refresh before the caller's copy), and for random
//! principals, roles, accounts and IP addresses and random scopes — an hour to months, on midnights and not —
//! every count by API, IP, key, user agent, region and caller, the hourly series, and first and
//! last seen equal those computed here from the events, each call counted once.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::model::{DAY_MS, HOUR_MS, Scope, Target};
use rolecall::store::{self, Counts, Dim, Entity, EntityKind, Store};
use rusqlite::Connection;

/// One event as the reference reads it: string ids, as the cache stores them.
#[derive(Debug, Clone)]
struct Row {
    id: i64,
    time_ms: i64,
    failed: bool,
    aws_account: bool,
    principal: Option<i64>,
    role: Option<i64>,
    account: Option<i64>,
    api: (i64, i64),
    ip: i64,
    key: i64,
    agent: i64,
    region: i64,
    error: i64,
    shared: Option<String>,
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    /// The counted copy of every call.
    rows: Vec<Row>,
    /// Calls skipped as another copy of a counted call.
    copies_skipped: usize,
    /// Calls whose other account's copy counted after the first refresh and the caller's copy
    /// after the second.
    replaced: usize,
}

/// The shared event IDs whose counted copy is (`caller`) or is not the caller's, sorted.
fn counted_copies(conn: &Connection, caller: bool) -> Vec<String> {
    let mut out: Vec<String> = conn
        .prepare("SELECT shared_event_id FROM rollup_copies WHERE caller = ?1")
        .expect("prepare")
        .query_map([caller], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    out.sort();
    out
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("org");
        let mut o = rolecall::demo::GenerateOptions::new(&root);
        o.seed = 13;
        o.events = 30_000;
        o.accounts = 6;
        o.file_minutes = 1440;
        rolecall::demo::generate(&o).expect("generates");
        let db = dir.path().join("cache.db");
        let mut store = Store::open(&db).expect("cache");
        let (early, late) = split_last_week(&root.join("AWSLogs"));
        assert!(!late.is_empty());
        let mut other_copy_first = Vec::new();
        for half in [early, late] {
            ingest_paths(&mut store, &half, &IngestOptions::default(), 0).expect("ingest");
            rolecall::analysis::refresh(&mut store).expect("refresh");
            if other_copy_first.is_empty() {
                other_copy_first = counted_copies(store.conn(), false);
            }
        }
        let callers = counted_copies(store.conn(), true);
        let replaced = other_copy_first
            .iter()
            .filter(|s| callers.binary_search(s).is_ok())
            .count();
        let (rows, copies_skipped) = counted_rows(store.conn());
        Fixture {
            _dir: dir,
            db,
            rows,
            copies_skipped,
            replaced,
        }
    })
}

/// The trail files in two parts: everything but the last week of the accounts that sort last
/// (the generated organisation's busiest cross-account callers among them), then that week. The first refresh folds the other account's copy of the week's
/// cross-account calls made from those accounts; the second brings the caller's copy, which
/// replaces it. (Splitting all history this way works too, but then the second refresh links
/// thousands of late issuing calls, which takes minutes.)
fn split_last_week(logs: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let files: Vec<(String, String, PathBuf)> = walkdir::WalkDir::new(logs)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && e.path().to_string_lossy().contains("/CloudTrail/"))
        .map(|e| {
            let parts: Vec<String> = e
                .path()
                .strip_prefix(logs)
                .expect("under the logs")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let n = parts.len();
            let day = format!("{}/{}/{}", parts[n - 4], parts[n - 3], parts[n - 2]);
            (parts[0].clone(), day, e.into_path())
        })
        .collect();
    let mut accounts: Vec<&String> = files.iter().map(|(a, _, _)| a).collect();
    accounts.sort();
    accounts.dedup();
    assert!(accounts.len() >= 4, "accounts: {accounts:?}");
    let last_half: Vec<String> = accounts[accounts.len() / 2..]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let mut days: Vec<&String> = files.iter().map(|(_, d, _)| d).collect();
    days.sort();
    days.dedup();
    let cut = days[days.len().saturating_sub(7)].clone();
    let (late, early): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(a, d, _)| last_half.contains(a) && *d >= cut);
    let paths = |v: Vec<(String, String, PathBuf)>| v.into_iter().map(|(_, _, p)| p).collect();
    (paths(early), paths(late))
}

/// Every event, then the counted copy of each call: of the copies sharing a `sharedEventID`,
/// the caller's (not `AWSAccount`), the earliest cached among equals.
fn counted_rows(conn: &Connection) -> (Vec<Row>, usize) {
    let mut stmt = conn
        .prepare(
            "SELECT id, time_ms, error_code IS NOT NULL,
                (SELECT s FROM strings WHERE id = user_type) = 'AWSAccount',
                principal, issuer_arn, COALESCE(caller_account, account), source, name,
                source_ip, access_key, user_agent, region, shared_event_id, error_code
             FROM events ORDER BY id",
        )
        .expect("prepare");
    let all: Vec<Row> = stmt
        .query_map([], |r| {
            let z = |i| -> rusqlite::Result<i64> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0)) };
            Ok(Row {
                id: r.get(0)?,
                time_ms: r.get(1)?,
                failed: r.get(2)?,
                aws_account: r.get::<_, Option<bool>>(3)?.unwrap_or(false),
                principal: r.get(4)?,
                role: r.get(5)?,
                account: r.get(6)?,
                api: (r.get(7)?, r.get(8)?),
                ip: z(9)?,
                key: z(10)?,
                agent: z(11)?,
                region: z(12)?,
                shared: r.get(13)?,
                error: z(14)?,
            })
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut best: HashMap<&str, &Row> = HashMap::new();
    for r in &all {
        if let Some(s) = &r.shared {
            let e = best.entry(s.as_str()).or_insert(r);
            if e.aws_account && !r.aws_account {
                *e = r;
            }
        }
    }
    let counted: Vec<Row> = all
        .iter()
        .filter(|r| match &r.shared {
            Some(s) => best[s.as_str()].id == r.id,
            None => true,
        })
        .cloned()
        .collect();
    let skipped = all.len() - counted.len();
    (counted, skipped)
}

impl Row {
    fn of(&self, e: Entity) -> bool {
        match e.kind {
            EntityKind::Principal => self.principal == Some(e.id),
            EntityKind::Role => self.role == Some(e.id),
            EntityKind::Account => self.account == Some(e.id),
            EntityKind::Ip => self.ip != 0 && self.ip == e.id,
        }
    }

    fn value(&self, dim: Dim) -> i64 {
        match dim {
            Dim::Api => store::api_value(self.api.0, self.api.1),
            Dim::SourceIp => self.ip,
            Dim::AccessKey => self.key,
            Dim::UserAgent => self.agent,
            Dim::Region => self.region,
            Dim::Caller => self.principal.unwrap_or(0),
            Dim::Failure => store::api_value(self.error, self.api.1),
        }
    }

    fn counts(&self) -> Counts {
        Counts {
            ok: i64::from(!self.failed),
            failed: i64::from(self.failed),
        }
    }
}

const KINDS: [EntityKind; 4] = [
    EntityKind::Principal,
    EntityKind::Role,
    EntityKind::Account,
    EntityKind::Ip,
];

/// A small deterministic generator (xorshift64*): the failing case's seed is in the message.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The entities of the fixture: every principal, role and account with calls, busiest first.
fn entities(kind: EntityKind) -> Vec<Entity> {
    let mut calls: BTreeMap<i64, usize> = BTreeMap::new();
    for r in &fixture().rows {
        let id = match kind {
            EntityKind::Principal => r.principal,
            EntityKind::Role => r.role,
            EntityKind::Account => r.account,
            EntityKind::Ip => (r.ip != 0).then_some(r.ip),
        };
        if let Some(id) = id {
            *calls.entry(id).or_default() += 1;
        }
    }
    let mut out: Vec<(i64, usize)> = calls.into_iter().collect();
    out.sort_by_key(|(id, n)| (std::cmp::Reverse(*n), *id));
    out.into_iter().map(|(id, _)| Entity { kind, id }).collect()
}

/// A random scope of whole hours over the data: an hour to four months, a third of them on
/// midnights.
fn random_scope(rng: &mut Rng) -> Scope {
    let rows = &fixture().rows;
    let first = rows.iter().map(|r| r.time_ms).min().expect("events");
    let last = rows.iter().map(|r| r.time_ms).max().expect("events");
    let spans = [
        1,
        2,
        5,
        23,
        24,
        25,
        47,
        48,
        72,
        24 * 7,
        24 * 30 + 5,
        24 * 90,
        24 * 120,
    ];
    let hours = spans[rng.below(spans.len())] as i64;
    let range_h = (last - first) / HOUR_MS + 1;
    let mut start = (first / HOUR_MS + rng.below(range_h as usize) as i64) * HOUR_MS;
    if rng.below(3) == 0 {
        start = start.div_euclid(DAY_MS) * DAY_MS;
    }
    Scope {
        start_ms: start,
        end_ms: start + hours * HOUR_MS,
    }
}

fn scanned(e: Entity, scope: Scope, dim: Dim) -> BTreeMap<i64, Counts> {
    let mut out: BTreeMap<i64, Counts> = BTreeMap::new();
    let rows = fixture()
        .rows
        .iter()
        .filter(|r| r.of(e) && scope.contains(r.time_ms));
    for r in rows.filter(|r| dim != Dim::Failure || r.failed) {
        out.entry(r.value(dim)).or_default().add(r.counts());
    }
    out
}

/// An entity picked mostly among the busy ones (where the roll-ups matter), sometimes any.
fn pick(rng: &mut Rng, all: &[Entity]) -> Entity {
    if rng.below(2) == 0 {
        all[rng.below(all.len().min(10))]
    } else {
        all[rng.below(all.len())]
    }
}

#[test]
fn the_fixture_has_cross_account_copies_to_count_once_and_some_arrive_late() {
    assert!(
        fixture().copies_skipped > 20,
        "only {} copies skipped",
        fixture().copies_skipped
    );
    assert!(
        fixture().replaced > 0,
        "no caller's copy replaced the other account's"
    );
}

#[test]
fn breakdowns_equal_a_scan_of_the_events_for_random_entities_and_scopes() {
    let store = Store::open_read_only(&fixture().db).expect("open");
    let conn = store.conn();
    let mut rng = Rng(0x5eed_0001);
    let mut checked = 0;
    for kind in KINDS {
        let all = entities(kind);
        assert!(!all.is_empty(), "{kind:?}: none");
        for case in 0..60 {
            let e = pick(&mut rng, &all);
            let scope = random_scope(&mut rng);
            let dims: Vec<Dim> = Dim::ALL
                .into_iter()
                .chain([Dim::Failure])
                .filter(|d| d.kept_for(kind))
                .collect();
            let got = store::load_scope_counts(conn, e, scope, &dims).expect("counts");
            for (dim, got) in dims.iter().zip(got) {
                let got: BTreeMap<i64, Counts> = got.into_iter().collect();
                let want = scanned(e, scope, *dim);
                assert_eq!(got, want, "{kind:?} case {case}: {e:?} {scope:?} {dim:?}");
                checked += want.len();
            }
        }
    }
    assert!(checked > 1000, "only {checked} lines compared");
}

#[test]
fn hourly_series_and_totals_equal_a_scan_for_random_entities_and_scopes() {
    let store = Store::open_read_only(&fixture().db).expect("open");
    let conn = store.conn();
    let mut rng = Rng(0x5eed_0002);
    for kind in KINDS {
        let all = entities(kind);
        for case in 0..40 {
            let e = pick(&mut rng, &all);
            let scope = random_scope(&mut rng);
            let (from, to) = store::hours_of(scope);
            let got: BTreeMap<i64, Counts> = store::load_rollup_hours(conn, e, from, to)
                .expect("hours")
                .into_iter()
                .filter(|(_, ok, failed)| ok + failed > 0)
                .map(|(h, ok, failed)| (h, Counts { ok, failed }))
                .collect();
            let mut want: BTreeMap<i64, Counts> = BTreeMap::new();
            for r in fixture()
                .rows
                .iter()
                .filter(|r| r.of(e) && scope.contains(r.time_ms))
            {
                want.entry(r.time_ms / HOUR_MS).or_default().add(r.counts());
            }
            assert_eq!(got, want, "{kind:?} case {case}: {e:?} {scope:?}");
            let total = store::load_scope_total(conn, e, scope).expect("total");
            let mut sum = Counts::default();
            want.values().for_each(|c| sum.add(*c));
            assert_eq!(total, sum, "{kind:?} case {case}");
        }
    }
}

#[test]
fn first_and_last_seen_equal_a_scan_for_every_value_of_random_entities() {
    let store = Store::open_read_only(&fixture().db).expect("open");
    let conn = store.conn();
    let mut rng = Rng(0x5eed_0003);
    for kind in KINDS {
        let all = entities(kind);
        for case in 0..25 {
            let e = pick(&mut rng, &all);
            for dim in Dim::ALL.into_iter().filter(|d| d.kept_for(kind)) {
                let got: BTreeMap<i64, (i64, i64, Counts)> = store::load_rollup_seen(conn, e, dim)
                    .expect("seen")
                    .into_iter()
                    .map(|s| (s.value, (s.first_ms, s.last_ms, s.counts)))
                    .collect();
                let mut want: BTreeMap<i64, (i64, i64, Counts)> = BTreeMap::new();
                for r in fixture().rows.iter().filter(|r| r.of(e)) {
                    let w =
                        want.entry(r.value(dim))
                            .or_insert((i64::MAX, i64::MIN, Counts::default()));
                    w.0 = w.0.min(r.time_ms);
                    w.1 = w.1.max(r.time_ms);
                    w.2.add(r.counts());
                }
                assert_eq!(got, want, "{kind:?} case {case}: {e:?} {dim:?}");
            }
        }
    }
}

#[test]
fn principals_and_session_keys_count_each_call_once() {
    let store = Store::open_read_only(&fixture().db).expect("open");
    let conn = store.conn();
    let mut want: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for r in &fixture().rows {
        if let Some(p) = r.principal {
            let w = want.entry(p).or_default();
            w.0 += 1;
            w.1 += i64::from(r.failed);
        }
    }
    let got: BTreeMap<i64, (i64, i64)> = conn
        .prepare("SELECT principal, events, failed FROM principals WHERE events > 0")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(got, want);
    let keyed: i64 = conn
        .query_row("SELECT SUM(events) FROM session_keys", [], |r| r.get(0))
        .expect("sum");
    let sessions: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM events WHERE principal IS NOT NULL AND user_type IN
                (SELECT id FROM strings WHERE s IN ('AssumedRole', 'FederatedUser'))",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(keyed, sessions, "session calls have no second copy to skip");
}

#[test]
fn activity_answers_from_the_roll_ups_match_the_scan_for_a_session_a_role_an_account_and_an_ip() {
    let store = Store::open_read_only(&fixture().db).expect("open");
    let conn = store.conn();
    let mut rng = Rng(0x5eed_0004);
    for kind in KINDS {
        // The busiest entity with a target (a service name in place of an IP has none).
        let (e, target) = entities(kind)
            .into_iter()
            .find_map(|e| {
                let name = store::load_string(conn, e.id).expect("string")?;
                let target = match kind {
                    EntityKind::Principal => Some(Target::session(name.as_str())),
                    EntityKind::Role => Some(Target::role(name.as_str())),
                    EntityKind::Account => Some(Target::account(name.as_str())),
                    EntityKind::Ip => Target::ip(&name),
                };
                Some((e, target?))
            })
            .expect("an entity with a target");
        for _ in 0..5 {
            let scope = random_scope(&mut rng);
            let a = rolecall::analysis::build_activity(conn, &target, scope, HOUR_MS)
                .expect("activity")
                .expect("rolled up");
            let mut total = Counts::default();
            for c in scanned(e, scope, Dim::Region).values() {
                total.add(*c);
            }
            assert_eq!((a.total_ok, a.total_failed), (total.ok, total.failed));
            let lines: i64 = a.by_api.iter().map(|l| l.ok + l.failed).sum();
            let apis = scanned(e, scope, Dim::Api);
            if apis.len() <= 200 {
                assert_eq!(lines, total.total(), "{kind:?} {scope:?}");
                assert_eq!(a.by_api.len(), apis.len());
            }
            assert!(
                a.by_api
                    .windows(2)
                    .all(|w| w[0].ok + w[0].failed >= w[1].ok + w[1].failed),
                "busiest first"
            );
        }
    }
}
