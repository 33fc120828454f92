//! The cache as a whole: schema, deduplication, one transaction per file, permissions.

use rolecall::model::{Event, Finding, Identity, StsCall};
use rolecall::store::{Inserted, Store, load_info, load_raw};

fn event(id: &str, time_ms: i64) -> Event {
    Event {
        event_id: id.into(),
        time_ms,
        account_id: Some("111122223333".into()),
        region: Some("us-east-1".into()),
        event_source: "ec2.amazonaws.com".into(),
        event_name: "DescribeInstances".into(),
        identity: Identity {
            user_type: Some("AssumedRole".into()),
            principal_id: Some("AROAEXAMPLEROLEID0001:sara".into()),
            access_key_id: Some("ASIAEXAMPLEKEY000001".into()),
            ..Identity::default()
        },
        source_ip: Some("192.0.2.10".into()),
        raw: format!("{{\"eventID\":\"{id}\"}}"),
        ..Event::default()
    }
}

#[test]
fn a_second_copy_of_an_event_id_is_a_duplicate_not_a_new_row() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.insert_run("test", 0).expect("run");
    let mut w = store.file_writer(run, "a.json", "test").expect("writer");
    assert_eq!(
        w.insert_event(&event("e-1", 1_000)).expect("insert"),
        Inserted::New
    );
    assert_eq!(
        w.insert_event(&event("e-1", 1_000)).expect("insert"),
        Inserted::Duplicate
    );
    assert_eq!(
        w.insert_event(&event("e-2", 2_000)).expect("insert"),
        Inserted::New
    );
    let totals = w.commit().expect("commit");
    assert_eq!((totals.events_new, totals.events_dup), (2, 1));
    let info = load_info(store.conn()).expect("info");
    assert_eq!(info.events, 2);
    assert_eq!(info.coverage.len(), 1);
    assert_eq!(info.coverage[0].days, 1);
}

#[test]
fn a_file_writer_dropped_without_commit_leaves_nothing_behind() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.insert_run("test", 0).expect("run");
    {
        let mut w = store.file_writer(run, "a.json", "test").expect("writer");
        w.insert_event(&event("e-1", 1_000)).expect("insert");
    }
    let n: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 0);
    // The interner forgot ids from the rolled-back transaction: a new file still works.
    let mut w = store.file_writer(run, "a.json", "test").expect("writer");
    assert_eq!(
        w.insert_event(&event("e-1", 1_000)).expect("insert"),
        Inserted::New
    );
    w.commit().expect("commit");
    let key: String = store
        .conn()
        .query_row(
            "SELECT s.s FROM events e JOIN strings s ON s.id = e.access_key",
            [],
            |r| r.get(0),
        )
        .expect("key");
    assert_eq!(key, "ASIAEXAMPLEKEY000001");
}

#[test]
fn original_records_come_back_from_compressed_blocks_across_block_boundaries() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.insert_run("test", 0).expect("run");
    for file in 0..2 {
        let mut w = store.file_writer(run, "a.json", "test").expect("writer");
        for i in 0..150 {
            w.insert_event(&event(&format!("e-{file}-{i}"), i))
                .expect("insert");
        }
        w.commit().expect("commit");
    }
    let mut stmt = store
        .conn()
        .prepare("SELECT event_id, raw_ref FROM events")
        .expect("prepare");
    let rows: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows.len(), 300);
    for (id, raw_ref) in rows {
        let raw = load_raw(store.conn(), raw_ref)
            .expect("load")
            .expect("present");
        assert_eq!(raw, format!("{{\"eventID\":\"{id}\"}}"));
    }
}

#[test]
fn sts_calls_are_kept_beside_their_event() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.insert_run("test", 0).expect("run");
    let mut ev = event("e-sts", 5_000);
    ev.event_source = "sts.amazonaws.com".into();
    ev.event_name = "AssumeRole".into();
    ev.sts = Some(StsCall {
        role_arn: Some("arn:aws:iam::444455556666:role/ops/DemoRole1".into()),
        role_session_name: Some("sara".into()),
        issued_access_key: Some("ASIAEXAMPLEKEY000002".into()),
        assumed_role_id: Some("AROAEXAMPLEROLEID0002:sara".into()),
        expires_ms: Some(3_605_000),
        ..StsCall::default()
    });
    let mut w = store.file_writer(run, "a.json", "test").expect("writer");
    w.insert_event(&ev).expect("insert");
    w.commit().expect("commit");
    let (role, session, expires): (String, String, i64) = store
        .conn()
        .query_row(
            "SELECT r.s, c.role_session_name, c.expires_ms FROM sts_calls c
             JOIN strings r ON r.id = c.role_arn",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("row");
    assert_eq!(role, "arn:aws:iam::444455556666:role/ops/DemoRole1");
    assert_eq!(session, "sara");
    assert_eq!(expires, 3_605_000);
}

#[test]
fn every_revision_of_a_finding_is_kept_once() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.insert_run("test", 0).expect("run");
    let first = Finding {
        finding_id: "f1".into(),
        finding_type: "Stealth:IAMUser/CloudTrailLoggingDisabled".into(),
        severity: 2.0,
        updated_ms: 1_000,
        count: 1,
        raw: "{}".into(),
        ..Finding::default()
    };
    let later = Finding {
        updated_ms: 2_000,
        count: 2,
        ..first.clone()
    };
    let mut w = store.file_writer(run, "f.json", "test").expect("writer");
    assert_eq!(w.insert_finding(&first).expect("insert"), Inserted::New);
    assert_eq!(w.insert_finding(&later).expect("insert"), Inserted::New);
    assert_eq!(
        w.insert_finding(&later).expect("insert"),
        Inserted::Duplicate
    );
    w.commit().expect("commit");
    let info = load_info(store.conn()).expect("info");
    assert_eq!((info.findings, info.finding_revisions), (1, 2));
}

#[cfg(unix)]
#[test]
fn the_cache_file_is_owner_only_and_reopens_at_the_same_schema() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/dir/rolecall.db");
    let version = {
        let store = Store::open(&path).expect("open");
        load_info(store.conn()).expect("info").schema_version
    };
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let store = Store::open_read_only(&path).expect("reopen");
    assert_eq!(
        load_info(store.conn()).expect("info").schema_version,
        version
    );
    assert!(Store::open_read_only(&dir.path().join("missing.db")).is_err());
}

#[test]
fn an_older_cache_gets_its_event_indexes_back_and_loses_the_unused_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    drop(Store::open(&path).expect("open"));
    // As a version-2 cache killed during a first load left it: secondary indexes dropped, the
    // shared-event-ID index still there (and nothing of the later migrations).
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    conn.execute_batch(
        "DROP INDEX rejects_once;
         ALTER TABLE rejects DROP COLUMN content_key; ALTER TABLE files DROP COLUMN content_key;
         DROP INDEX events_time; DROP INDEX events_principal;
         CREATE INDEX events_shared ON events(shared_event_id) WHERE shared_event_id IS NOT NULL;
         PRAGMA user_version = 2;",
    )
    .expect("downgrade");
    drop(conn);
    let store = Store::open(&path).expect("upgrade");
    let mut names: Vec<String> = store
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names");
    names.sort();
    assert_eq!(
        names,
        [
            "events_access_key",
            "events_id_hash",
            "events_issuer",
            "events_principal",
            "events_time"
        ]
    );
}
