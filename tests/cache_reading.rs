//! Reading never writes: read commands open the cache read-only, answer from what is derived and
//! say in one line how far behind it is; `db refresh` derives (and upgrades an older schema);
//! readers refuse an older or newer schema with what to do, and never create a cache.

mod cache_support;

use std::path::Path;

use cache_support::*;
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::store::Store;

const ID_1: &str = "11111111-0000-4000-8000-000000000001";
const ID_2: &str = "11111111-0000-4000-8000-000000000002";
const ID_3: &str = "11111111-0000-4000-8000-000000000003";
const ID_4: &str = "11111111-0000-4000-8000-000000000004";

/// A cache with alice's `worker` session, derived, plus `later` events ingested the way an
/// ingest killed before its derivation (or a library caller) leaves them: not derived.
fn behind_cache(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("rolecall.db");
    let first = trail_file(
        &dir.join("first"),
        "trail.json",
        &[
            assume(
                ID_1,
                "2026-10-01T09:00:00Z",
                "worker",
                "ASIAEXAMPLEWORKER01",
            ),
            call(
                ID_2,
                "2026-10-01T09:10:00Z",
                "worker",
                "ASIAEXAMPLEWORKER01",
                "RunInstances",
            ),
        ],
    );
    assert_ok(
        &run(&db, &["ingest", first.to_str().expect("utf-8")]),
        "ingest",
    );
    let later = trail_file(
        &dir.join("later"),
        "trail.json",
        &[
            assume(
                ID_3,
                "2026-10-01T09:20:00Z",
                "builder",
                "ASIAEXAMPLEBUILDER1",
            ),
            call(
                ID_4,
                "2026-10-01T09:25:00Z",
                "builder",
                "ASIAEXAMPLEBUILDER1",
                "GetObject",
            ),
        ],
    );
    let mut store = Store::open(&db).expect("open");
    ingest_paths(&mut store, &[later], &IngestOptions::default(), 0).expect("ingest later");
    db
}

/// The cache file's bytes (its write-ahead log is folded back in when the last writer closes).
fn bytes(db: &Path) -> Vec<u8> {
    std::fs::read(db).expect("read cache")
}

fn session_ids(o: &std::process::Output) -> Vec<String> {
    let mut ids: Vec<String> = json(o)["sessions"]
        .as_array()
        .expect("sessions array")
        .iter()
        .map(|s| {
            s["principal_id"]
                .as_str()
                .expect("principal_id")
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_read_on_a_cache_left_behind_answers_from_what_is_derived_and_says_so_without_writing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = behind_cache(dir.path());
    let before = bytes(&db);
    let reads: [&[&str]; 5] = [
        &["sessions", "--json"],
        &["chain", ID_2, "--json"],
        &["findings", "--json"],
        &["activity", "AROAEXAMPLEWORKER:worker", "--json"],
        &["role", "arn:aws:iam::111122223333:role/Worker", "--json"],
    ];
    for args in reads {
        let o = run(&db, args);
        assert_ok(&o, &args.join(" "));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.contains("2 events cached since the last derivation"),
            "{args:?}: {err}"
        );
        assert!(err.contains("db refresh"), "{err}");
    }
    // Answers come from what is derived: the later session is not there yet.
    let o = run(&db, &["sessions", "--json"]);
    assert_eq!(session_ids(&o), ["AROAEXAMPLEWORKER:worker"]);
    let info = run(&db, &["db", "info", "--json"]);
    assert_ok(&info, "db info");
    assert_eq!(json(&info)["derived"]["behind"], 2);
    assert!(
        stdout(&run(&db, &["db", "info"])).contains("2 events behind"),
        "db info says how far behind"
    );
    assert_eq!(bytes(&db), before, "reading changed the cache");

    let o = run(&db, &["db", "refresh", "--json"]);
    assert_ok(&o, "db refresh");
    let report = json(&o);
    assert_eq!(report["events"], 2);
    assert_eq!(report["sts_copies"], 1);
    assert_eq!(report["migrated_from"], serde_json::Value::Null);
    let o = run(&db, &["sessions", "--json"]);
    assert_eq!(stderr(&o), "", "no note once derived");
    assert_eq!(
        session_ids(&o),
        ["AROAEXAMPLEWORKER:builder", "AROAEXAMPLEWORKER:worker"]
    );
    let again = run(&db, &["db", "refresh"]);
    assert_ok(&again, "second refresh");
    assert!(
        stdout(&again).contains("already up to date"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn a_missing_cache_is_reported_by_readers_and_db_refresh_and_not_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("not/yet/rolecall.db");
    for args in [
        vec!["sessions"],
        vec!["db", "info"],
        vec!["chain", ID_1],
        vec!["db", "refresh"],
    ] {
        let o = run(&db, &args);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("no cache at"), "{}", stderr(&o));
    }
    assert!(!dir.path().join("not").exists(), "a reader created folders");
}

/// A cache as rolecall's schema version 2 made it: the first two migrations, exactly as shipped,
/// in an owner-only file.
fn version_2_cache(db: &Path) {
    std::fs::File::create(db).expect("create");
    #[cfg(unix)]
    set_mode(db, 0o600);
    let conn = rusqlite::Connection::open(db).expect("sqlite");
    conn.execute_batch(include_str!("../src/store/migrations/0001_init.sql"))
        .expect("0001");
    conn.execute_batch(include_str!("../src/store/migrations/0002_attribution.sql"))
        .expect("0002");
    conn.execute_batch("PRAGMA user_version = 2; PRAGMA journal_mode = WAL;")
        .expect("version");
}

#[test]
fn an_older_cache_is_refused_by_readers_with_the_upgrade_command_and_upgraded_by_db_refresh() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("old cache.db");
    version_2_cache(&db);
    let before = bytes(&db);
    for args in [vec!["sessions"], vec!["db", "info"], vec!["chain", ID_1]] {
        let o = run(&db, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("schema version 2"), "{err}");
        assert!(
            err.contains(&format!("`rolecall --db '{}' db refresh`", db.display())),
            "{err}"
        );
    }
    assert_eq!(bytes(&db), before, "a reader migrated the cache");

    let o = run(&db, &["db", "refresh", "--json"]);
    assert_ok(&o, "db refresh");
    let report = json(&o);
    assert_eq!(report["migrated_from"], 2);
    assert_eq!(
        report["schema_version"],
        rolecall::store::latest_schema_version()
    );
    let o = run(&db, &["db", "info", "--json"]);
    assert_ok(&o, "db info after the upgrade");
    assert_eq!(
        json(&o)["schema_version"],
        rolecall::store::latest_schema_version()
    );
}

#[test]
fn a_cache_newer_than_this_rolecall_is_refused_by_readers_and_writers_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("future.db");
    version_2_cache(&db);
    rusqlite::Connection::open(&db)
        .expect("sqlite")
        .execute_batch("PRAGMA user_version = 999;")
        .expect("version");
    let before = bytes(&db);
    for args in [vec!["sessions"], vec!["db", "refresh"]] {
        let o = run(&db, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains("newer than this rolecall"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(bytes(&db), before);
}

fn events(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_held_snapshot_keeps_a_readers_answers_consistent_while_a_writer_commits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = behind_cache(dir.path());
    let held = Store::open_read_only(&db).expect("reader");
    held.hold_snapshot().expect("snapshot");
    held.hold_snapshot().expect("a second call changes nothing");
    let free = Store::open_read_only(&db).expect("reader");
    assert_eq!((events(&held), events(&free)), (4, 4));

    let more = trail_file(
        &dir.path().join("more"),
        "trail.json",
        &[call(
            "11111111-0000-4000-8000-000000000005",
            "2026-10-01T09:40:00Z",
            "builder",
            "ASIAEXAMPLEBUILDER1",
            "PutObject",
        )],
    );
    let mut writer = Store::open(&db).expect("writer");
    ingest_paths(&mut writer, &[more], &IngestOptions::default(), 0).expect("ingest");
    rolecall::analysis::refresh(&mut writer).expect("refresh beside the readers");
    assert_eq!(events(&held), 4, "the held snapshot moved");
    assert_eq!(events(&free), 5, "a reader without one sees each commit");
}

#[test]
fn a_cache_opened_read_only_refuses_to_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = behind_cache(dir.path());
    let mut store = Store::open_read_only(&db).expect("reader");
    assert!(store.is_read_only());
    assert!(matches!(
        store.begin_write(),
        Err(rolecall::store::StoreError::ReadOnly)
    ));
    assert!(rolecall::analysis::refresh(&mut store).is_err());
    assert_eq!(
        rolecall::store::load_freshness(store.conn())
            .expect("freshness")
            .behind(),
        2
    );
}
