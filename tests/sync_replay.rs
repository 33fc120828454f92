//! `LookupEvents` and GuardDuty through the real SDK, answered by recorded HTTP exchanges
//! (`tests/fixtures/sync/`, in each service's wire format) replayed by the SDK's own test
//! client: pagination, throttling then success, throttling that never clears, access denied,
//! an expired session, a region not enabled, a sync cut short and resumed from what it
//! remembered. Nothing leaves the process; the SDK's retries are off, so each recorded answer
//! is used once and in order.

mod sync_support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use rolecall::ingest::aws::testing::SharedHttpClient;
use rolecall::ingest::aws::{
    CloudTrailSource, GuardDutySource, Limits, Regions, Source, SyncError, SyncPlan, SyncReport,
    Transport, Window, sync,
};
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::model::{DAY_MS, parse_ms};
use rolecall::store::Store;
use serde_json::Value;

const NOW: &str = "2026-10-08T00:00:00Z";

fn now() -> i64 {
    parse_ms(NOW).expect("time")
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sync")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A recorded answer. The request side is not compared (the SDK signs with the time); the
/// tests read the requests actually sent instead.
fn answer(status: u16, body_fixture: &str) -> ReplayEvent {
    ReplayEvent::new(
        http::Request::builder()
            .uri("https://recorded.invalid/")
            .body(SdkBody::empty())
            .expect("request"),
        http::Response::builder()
            .status(status)
            .body(SdkBody::from(fixture(body_fixture)))
            .expect("response"),
    )
}

fn sts() -> ReplayEvent {
    answer(200, "sts-get-caller-identity.xml")
}

fn replay(answers: Vec<ReplayEvent>) -> StaticReplayClient {
    StaticReplayClient::new(answers)
}

fn plan(client: &StaticReplayClient, source: Source) -> SyncPlan {
    SyncPlan {
        sources: vec![source],
        endpoint_url: None,
        limits: Limits {
            // Pacing and backoff are measured by the benchmark; here they only slow tests.
            lookup_per_second: 1000.0,
            attempts: 3,
            backoff_ms: 1,
            backoff_max_ms: 2,
            sdk_retries: false,
            ..Limits::default()
        },
        transport: Transport::Test(SharedHttpClient::new(client.clone())),
    }
}

fn cloudtrail(profile: &str) -> Source {
    Source::CloudTrail(CloudTrailSource {
        profiles: vec![profile.to_string()],
        regions: Regions::List(vec!["us-east-1".into()]),
        window: Window::Since(7 * DAY_MS),
        lookup: None,
    })
}

fn run(store: &mut Store, plan: &SyncPlan) -> SyncReport {
    sync(
        store,
        plan,
        now(),
        &mut |_| {},
        Arc::new(AtomicBool::new(false)),
    )
    .expect("sync")
}

/// The JSON bodies of the requests sent for one operation (`X-Amz-Target` or path).
fn bodies(client: &StaticReplayClient, operation: &str) -> Vec<Value> {
    client
        .actual_requests()
        .filter(|r| {
            r.headers()
                .get("x-amz-target")
                .is_some_and(|t| t.ends_with(operation))
                || r.uri().ends_with(operation)
        })
        .map(|r| serde_json::from_slice(r.body().bytes().unwrap_or(b"{}")).unwrap_or(Value::Null))
        .collect()
}

fn seconds_ms(v: &Value) -> i64 {
    (v.as_f64().expect("epoch seconds") * 1000.0).round() as i64
}

fn cache(dir: &Path, name: &str) -> Store {
    Store::open(&dir.join(name)).expect("cache")
}

#[test]
fn every_lookup_events_page_is_fetched_and_each_event_is_the_row_an_ingest_makes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = replay(vec![
        sts(),
        answer(200, "lookup-events-page-1.json"),
        answer(200, "lookup-events-page-2.json"),
        answer(200, "lookup-events-page-3.json"),
    ]);
    let mut synced = cache(dir.path(), "synced.db");
    let report = run(&mut synced, &plan(&client, cloudtrail("prod")));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.ingest.totals.events_new, 5);
    assert_eq!(report.exit_status(), 0);

    // Each page asks for the next with the token the last one gave, 50 events at a time.
    let sent = bodies(&client, "LookupEvents");
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0]["NextToken"], Value::Null);
    assert_eq!(sent[1]["NextToken"], "token-page-2");
    assert_eq!(sent[2]["NextToken"], "token-page-3");
    assert_eq!(sent[0]["MaxResults"], 50);
    assert_eq!(seconds_ms(&sent[0]["StartTime"]), now() - 7 * DAY_MS);
    assert_eq!(seconds_ms(&sent[0]["EndTime"]), now());

    // The same records from a trail file: the same rows.
    let mut ingested = cache(dir.path(), "ingested.db");
    ingest_paths(
        &mut ingested,
        &[Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sync/records-1-to-5.json")],
        &IngestOptions::default(),
        now(),
    )
    .expect("ingest");
    let synced_content = sync_support::content(synced.conn());
    assert_eq!(synced_content.len(), 5);
    assert_eq!(synced_content, sync_support::content(ingested.conn()));
}

#[test]
fn the_next_sync_fetches_only_what_is_new() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let first = replay(vec![
        sts(),
        answer(200, "lookup-events-page-1.json"),
        answer(200, "lookup-events-page-2.json"),
        answer(200, "lookup-events-page-3.json"),
    ]);
    run(&mut store, &plan(&first, cloudtrail("prod")));
    let spans = rolecall::store::load_sync_spans(store.conn(), "111122223333", "us-east-1", "")
        .expect("spans");
    // Complete up to a quarter-hour before the sync: CloudTrail may still deliver events there.
    assert_eq!(
        spans,
        vec![rolecall::store::SyncSpan {
            from_ms: now() - 7 * DAY_MS,
            to_ms: now() - 15 * 60_000,
        }]
    );

    let second = replay(vec![sts(), answer(200, "lookup-events-empty.json")]);
    let later = now() + 3_600_000;
    let report = sync(
        &mut store,
        &plan(&second, cloudtrail("prod")),
        later,
        &mut |_| {},
        Arc::new(AtomicBool::new(false)),
    )
    .expect("sync");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let sent = bodies(&second, "LookupEvents");
    assert_eq!(sent.len(), 1, "one request for the new hour and a quarter");
    assert_eq!(seconds_ms(&sent[0]["StartTime"]), now() - 15 * 60_000);
    assert_eq!(seconds_ms(&sent[0]["EndTime"]), later);
}

#[test]
fn throttling_is_waited_out_and_the_sync_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let client = replay(vec![
        sts(),
        answer(400, "throttling.json"),
        answer(400, "throttling.json"),
        answer(200, "lookup-events-page-3.json"),
    ]);
    let report = run(&mut store, &plan(&client, cloudtrail("prod")));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.ingest.totals.events_new, 1);
    assert_eq!(report.tasks[0].throttled, 2);
    assert_eq!(report.tasks[0].requests, 3);
}

#[test]
fn throttling_that_never_clears_stops_the_region_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let client = replay(vec![
        sts(),
        answer(400, "throttling.json"),
        answer(400, "throttling.json"),
        answer(400, "throttling.json"),
    ]);
    let report = run(&mut store, &plan(&client, cloudtrail("prod")));
    assert_eq!(
        report.errors,
        vec![SyncError::Throttled {
            action: "cloudtrail:LookupEvents".into(),
            region: "us-east-1".into(),
            attempts: 3,
        }]
    );
    assert_eq!(report.exit_status(), 6);
    assert!(
        report.errors[0]
            .to_string()
            .contains("run the sync again later")
    );
}

#[test]
fn access_denied_names_the_missing_permission() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let client = replay(vec![sts(), answer(400, "access-denied.json")]);
    let report = run(&mut store, &plan(&client, cloudtrail("prod")));
    assert_eq!(report.exit_status(), 4);
    let message = report.errors[0].to_string();
    assert!(
        message.starts_with(
            "access denied in us-east-1: the policy must allow cloudtrail:LookupEvents"
        ),
        "{message}"
    );
}

#[test]
fn an_expired_session_says_which_sso_login_to_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let client = replay(vec![sts(), answer(400, "expired-token.json")]);
    let report = run(&mut store, &plan(&client, cloudtrail("prod")));
    assert_eq!(report.exit_status(), 3);
    assert!(
        report.errors[0]
            .to_string()
            .contains("`aws sso login --profile prod`"),
        "{}",
        report.errors[0]
    );
}

#[test]
fn a_region_not_enabled_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let client = replay(vec![sts(), answer(400, "unrecognized-client.json")]);
    let source = Source::CloudTrail(CloudTrailSource {
        profiles: vec![],
        regions: Regions::List(vec!["ap-east-1".into()]),
        window: Window::Since(DAY_MS),
        lookup: None,
    });
    let report = run(&mut store, &plan(&client, source));
    assert_eq!(
        report.errors,
        vec![SyncError::RegionNotEnabled {
            region: "ap-east-1".into()
        }]
    );
    assert_eq!(report.exit_status(), 5);
}

#[test]
fn a_sync_cut_short_by_the_network_resumes_from_the_last_committed_page_without_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "resumed.db");
    // The first page arrives, then the service fails on every retry.
    let cut = replay(vec![
        sts(),
        answer(200, "lookup-events-page-1.json"),
        answer(500, "internal-error.json"),
        answer(500, "internal-error.json"),
        answer(500, "internal-error.json"),
    ]);
    let report = run(&mut store, &plan(&cut, cloudtrail("prod")));
    assert_eq!(report.exit_status(), 6, "{:?}", report.errors);
    assert_eq!(report.ingest.totals.events_new, 2);
    // Remembered: everything after the oldest event of the page that was committed.
    let oldest_fetched = parse_ms("2026-10-05T12:00:03Z").expect("time");
    let spans = rolecall::store::load_sync_spans(store.conn(), "111122223333", "us-east-1", "")
        .expect("spans");
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].from_ms, oldest_fetched + 1);

    // The next sync asks for the new quarter-hour, then for what lies below the remembered
    // span, and nothing in between.
    let resume = replay(vec![
        sts(),
        answer(200, "lookup-events-empty.json"),
        answer(200, "lookup-events-page-2.json"),
        answer(200, "lookup-events-page-3.json"),
    ]);
    let report = run(&mut store, &plan(&resume, cloudtrail("prod")));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.ingest.totals.events_new, 3);
    assert_eq!(report.ingest.totals.events_dup, 0);
    let sent = bodies(&resume, "LookupEvents");
    assert_eq!(seconds_ms(&sent[0]["StartTime"]), now() - 15 * 60_000);
    assert_eq!(seconds_ms(&sent[1]["EndTime"]), oldest_fetched + 1);
    assert_eq!(seconds_ms(&sent[1]["StartTime"]), now() - 7 * DAY_MS);

    // Exactly the cache an uninterrupted sync makes.
    let whole = replay(vec![
        sts(),
        answer(200, "lookup-events-page-1.json"),
        answer(200, "lookup-events-page-2.json"),
        answer(200, "lookup-events-page-3.json"),
    ]);
    let mut uninterrupted = cache(dir.path(), "whole.db");
    run(&mut uninterrupted, &plan(&whole, cloudtrail("prod")));
    assert_eq!(
        sync_support::content(store.conn()),
        sync_support::content(uninterrupted.conn())
    );
    let spans = |s: &Store| {
        rolecall::store::load_sync_spans(s.conn(), "111122223333", "us-east-1", "").expect("spans")
    };
    assert_eq!(spans(&store), spans(&uninterrupted));
}

fn guardduty() -> Source {
    Source::GuardDuty(GuardDutySource {
        profiles: vec!["security".into()],
        regions: Regions::List(vec!["us-east-1".into()]),
    })
}

#[test]
fn every_detectors_findings_are_fetched_in_batches_of_50_and_every_revision_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let first = replay(vec![
        sts(),
        answer(200, "guardduty-list-detectors.json"),
        answer(200, "guardduty-list-findings.json"),
        answer(200, "guardduty-get-findings.json"),
    ]);
    let report = run(&mut store, &plan(&first, guardduty()));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.ingest.totals.findings_new, 2);
    let list = bodies(&first, "/findings");
    let criteria = &list[0]["findingCriteria"]["criterion"]["updatedAt"];
    assert_eq!(criteria["greaterThanOrEqual"], 0);
    assert_eq!(list[0]["maxResults"], 50);
    assert_eq!(list[0]["sortCriteria"]["orderBy"], "ASC");
    let get = bodies(&first, "/findings/get");
    assert_eq!(get[0]["findingIds"].as_array().map(Vec::len), Some(2));

    // The next sync asks only for findings updated since the newest one fetched, and keeps the
    // new revision beside the old one.
    let second = replay(vec![
        sts(),
        answer(200, "guardduty-list-detectors.json"),
        answer(200, "guardduty-list-findings-revised.json"),
        answer(200, "guardduty-get-findings-revised.json"),
    ]);
    let report = run(&mut store, &plan(&second, guardduty()));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let list = bodies(&second, "/findings");
    assert_eq!(
        list[0]["findingCriteria"]["criterion"]["updatedAt"]["greaterThanOrEqual"],
        parse_ms("2026-10-05T12:20:00Z").expect("time")
    );
    let c = store.conn();
    assert_eq!(sync_support::count(c, "SELECT COUNT(*) FROM findings"), 3);
    assert_eq!(
        sync_support::count(c, "SELECT COUNT(DISTINCT finding_id) FROM findings"),
        2
    );
}

#[test]
fn every_page_of_guardduty_findings_is_fetched_with_the_token_the_last_one_gave() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let client = replay(vec![
        sts(),
        answer(200, "guardduty-list-detectors.json"),
        answer(200, "guardduty-list-findings-page-1.json"),
        answer(200, "guardduty-get-findings.json"),
        answer(200, "guardduty-list-findings-page-2.json"),
        answer(200, "guardduty-get-findings-revised.json"),
    ]);
    let report = run(&mut store, &plan(&client, guardduty()));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let list = bodies(&client, "/findings");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["nextToken"], Value::Null);
    assert_eq!(list[1]["nextToken"], "gd-token-page-2");
    // The second page keeps the first page's criteria: the same listing, continued.
    assert_eq!(list[1]["findingCriteria"], list[0]["findingCriteria"]);
    let get = bodies(&client, "/findings/get");
    assert_eq!(get.len(), 2, "one GetFindings per page");
    assert_eq!(
        get[1]["findingIds"],
        serde_json::json!(["a2c5e7f0b1d3e5a7c9e1f3a5b7d9e1f3"])
    );
    assert_eq!(report.tasks[0].records, 3);
    assert_eq!(
        sync_support::count(store.conn(), "SELECT COUNT(*) FROM findings"),
        3
    );
}

#[test]
fn guardduty_throttling_is_waited_out_and_the_sync_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let client = replay(vec![
        sts(),
        answer(200, "guardduty-list-detectors.json"),
        answer(429, "guardduty-too-many-requests.json"),
        answer(429, "guardduty-too-many-requests.json"),
        answer(200, "guardduty-list-findings.json"),
        answer(200, "guardduty-get-findings.json"),
    ]);
    let report = run(&mut store, &plan(&client, guardduty()));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.tasks[0].throttled, 2);
    assert_eq!(report.ingest.totals.findings_new, 2);
}

#[test]
fn guardduty_access_denied_names_the_missing_permission() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let client = replay(vec![
        sts(),
        answer(200, "guardduty-list-detectors.json"),
        answer(403, "guardduty-access-denied.json"),
    ]);
    let report = run(&mut store, &plan(&client, guardduty()));
    assert_eq!(report.exit_status(), 4, "{:?}", report.errors);
    let message = report.errors[0].to_string();
    assert!(
        message.starts_with(
            "access denied in us-east-1: the policy must allow guardduty:ListFindings"
        ),
        "{message}"
    );
}

#[test]
fn guardduty_with_expired_credentials_says_which_sso_login_to_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "c.db");
    let client = replay(vec![sts(), answer(403, "expired-token.json")]);
    let report = run(&mut store, &plan(&client, guardduty()));
    assert_eq!(report.exit_status(), 3, "{:?}", report.errors);
    assert!(
        report.errors[0]
            .to_string()
            .contains("`aws sso login --profile security`"),
        "{}",
        report.errors[0]
    );
}

#[test]
fn a_guardduty_sync_cut_short_resumes_from_the_last_committed_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = cache(dir.path(), "resumed.db");
    // The first page and its findings arrive, then the service fails on every retry.
    let cut = replay(vec![
        sts(),
        answer(200, "guardduty-list-detectors.json"),
        answer(200, "guardduty-list-findings-page-1.json"),
        answer(200, "guardduty-get-findings.json"),
        answer(500, "internal-error.json"),
        answer(500, "internal-error.json"),
        answer(500, "internal-error.json"),
    ]);
    let report = run(&mut store, &plan(&cut, guardduty()));
    assert_eq!(report.exit_status(), 6, "{:?}", report.errors);
    assert_eq!(report.ingest.totals.findings_new, 2);
    let newest_fetched = parse_ms("2026-10-05T12:20:00Z").expect("time");

    // The next sync lists only what was updated since the newest finding committed.
    let resume = replay(vec![
        sts(),
        answer(200, "guardduty-list-detectors.json"),
        answer(200, "guardduty-list-findings-revised.json"),
        answer(200, "guardduty-get-findings-revised.json"),
    ]);
    let report = run(&mut store, &plan(&resume, guardduty()));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let list = bodies(&resume, "/findings");
    assert_eq!(
        list[0]["findingCriteria"]["criterion"]["updatedAt"]["greaterThanOrEqual"],
        newest_fetched
    );
    assert_eq!(report.ingest.totals.findings_new, 1);

    // Exactly the cache an uninterrupted sync makes.
    let whole = replay(vec![
        sts(),
        answer(200, "guardduty-list-detectors.json"),
        answer(200, "guardduty-list-findings-page-1.json"),
        answer(200, "guardduty-get-findings.json"),
        answer(200, "guardduty-list-findings-page-2.json"),
        answer(200, "guardduty-get-findings-revised.json"),
    ]);
    let mut uninterrupted = cache(dir.path(), "whole.db");
    let report = run(&mut uninterrupted, &plan(&whole, guardduty()));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        sync_support::content(store.conn()),
        sync_support::content(uninterrupted.conn())
    );
}

#[test]
fn a_plan_read_from_the_sources_file_runs_as_the_consoles_sync_key_runs_it() {
    // What the console's sync key does: the sources file to a plan, the plan to `sync` and the
    // refresh, progress as status lines, the summary it shows.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("sources.toml");
    std::fs::write(
        &file,
        "profiles = [\"prod\"]\n[cloudtrail]\nregions = [\"us-east-1\"]\nsince = \"7d\"\n",
    )
    .expect("write");
    let client = replay(vec![
        sts(),
        answer(200, "lookup-events-page-1.json"),
        answer(200, "lookup-events-page-2.json"),
        answer(200, "lookup-events-page-3.json"),
    ]);
    let mut from_file = rolecall::ingest::aws::load_sources(&file).expect("sources");
    assert_eq!(from_file.sources, vec![cloudtrail("prod")]);
    let test = plan(&client, cloudtrail("prod"));
    from_file.transport = test.transport;
    from_file.limits = test.limits;
    drop(cache(dir.path(), "c.db"));
    let mut lines = Vec::new();
    let report = rolecall::tui::sync_job::run_plan(
        &dir.path().join("c.db"),
        &from_file,
        now(),
        Arc::new(AtomicBool::new(false)),
        &mut |l| lines.push(l),
    )
    .expect("sync");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.ingest.totals.events_new, 5);
    assert!(lines.iter().any(|l| l.ends_with("5 new")), "{lines:?}");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("deriving sessions and chains")
    );
    assert_eq!(
        rolecall::tui::sync_job::summary(&report),
        "sync done: 5 new events, 0 new findings"
    );
    let store = Store::open_read_only(&dir.path().join("c.db")).expect("read");
    let fresh = rolecall::store::load_freshness(store.conn()).expect("freshness");
    assert_eq!(fresh.behind(), 0, "the key's sync derives what it brought");
    assert!(fresh.newest > 0);
}
