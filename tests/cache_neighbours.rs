//! Neighbours share a cache: two ingests started together into a new cache, with readers running
//! beside them, all succeed, and the cache they leave equals a serial run's; a writer waits for
//! another (and says so after a second); readers answer while a writer holds the lock.
//!
//! `ROLECALL_NEIGHBOUR_RUNS` (default 3) sets how many times the race is run.

mod cache_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use cache_support::*;
use rolecall::demo::{GenerateOptions, generate};
use rolecall::store::Store;

/// A generated organisation's files, split into two overlapping halves (a third of the files in
/// both): two responders ingesting the folders they were each handed.
struct Halves {
    _dir: tempfile::TempDir,
    a: PathBuf,
    b: PathBuf,
}

fn halves() -> Halves {
    let dir = tempfile::tempdir().expect("tempdir");
    let generated = dir.path().join("generated");
    let mut opts = GenerateOptions::new(&generated);
    opts.seed = 7;
    opts.events = 1_000;
    opts.months = 2;
    // Day-long files: a few hundred of them rather than thousands.
    opts.file_minutes = 1_440;
    generate(&opts).expect("generate");
    let mut files: Vec<PathBuf> = ["AWSLogs", "guardduty"]
        .iter()
        .flat_map(|sub| walkdir::WalkDir::new(generated.join(sub)))
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (i, f) in files.iter().enumerate() {
        let rel = f.strip_prefix(&generated).expect("inside");
        for (half, wanted) in [(&a, i % 3 != 2), (&b, i % 3 != 0)] {
            if wanted {
                let to = half.join(rel);
                std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
                std::fs::hard_link(f, &to).expect("link");
            }
        }
    }
    Halves { _dir: dir, a, b }
}

fn spawn_ingest(db: &Path, logs: &Path) -> Child {
    rolecall(db)
        .arg("ingest")
        .arg(logs)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ingest")
}

/// What the cache holds, in terms that do not depend on the order rows arrived in: interned
/// string ids become their text, row ids become natural keys, original records their text.
fn dump(db: &Path) -> Vec<(&'static str, Vec<String>)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    let s = |c: &str| format!("(SELECT s FROM strings WHERE id = {c})");
    let events = format!(
        "SELECT event_id, time_ms, {}, {}, {}, {}, {}, read_only, {}, {}, {}, {}, {}, {}, {},
                session_created_ms, {}, {}, {}, {}, shared_event_id, raw_ref
         FROM events",
        s("account"),
        s("region"),
        s("source"),
        s("name"),
        s("error_code"),
        s("user_type"),
        s("principal"),
        s("arn"),
        s("caller_account"),
        s("access_key"),
        s("user_name"),
        s("issuer_arn"),
        s("source_identity"),
        s("invoked_by"),
        s("source_ip"),
        s("user_agent"),
    );
    let sts = format!(
        "SELECT (SELECT event_id FROM events WHERE id = c.event), {}, role_session_name,
                source_identity, {}, {}, {}, expires_ms, provider_arn, subject, caller_provider
         FROM sts_calls c",
        s("role_arn"),
        s("issued_key"),
        s("assumed_role_id"),
        s("assumed_role_arn"),
    );
    let principals = format!(
        "SELECT {}, {}, {}, {}, {}, first_ms, last_ms, events, failed FROM principals",
        s("principal"),
        s("user_type"),
        s("arn"),
        s("issuer_arn"),
        s("account"),
    );
    // Roll-up keys hold string ids (which differ between runs): compared by their text. An
    // entity is `strings.id * 4 + kind`; an API or failure value packs two ids. A row whose
    // counts went back to zero (another account's copy of a call, replaced by the caller's copy
    // when that arrived later) is left behind by one order of arrival and not the other: the
    // counts are what is compared.
    let hours = "SELECT (SELECT s FROM strings WHERE id = entity / 4), entity % 4, hour, ok, failed
                 FROM rollup_hours WHERE ok + failed > 0";
    let days = "SELECT (SELECT s FROM strings WHERE id = entity / 4), entity % 4, dim, day,
                    CASE WHEN dim IN (0, 6)
                        THEN (SELECT s FROM strings WHERE id = value >> 32) || '/'
                            || (SELECT s FROM strings WHERE id = value & 4294967295)
                        ELSE (SELECT s FROM strings WHERE id = value) END,
                    ok, failed
                 FROM rollup_days WHERE ok + failed > 0";
    // The two copies of a cross-account call are one issuance; which copy is `event_id` and
    // which `other_event_id` is the order they arrived in (two serial runs in opposite orders
    // differ too), so they are compared as a pair. The copy cited (`caller_event_id`) is not
    // order-dependent and is compared as it is.
    let issuances = "SELECT i.*,
                         (SELECT p.dedup_key FROM issuances p WHERE p.id = i.parent) AS parent_key,
                         min(event_id, coalesce(other_event_id, event_id)) AS copy_1,
                         max(event_id, coalesce(other_event_id, event_id)) AS copy_2
                     FROM issuances i";
    vec![
        ("events", rows(&conn, &events, &[])),
        ("sts_calls", rows(&conn, &sts, &[])),
        // A finding revision delivered twice, as `get-findings` output and as an EventBridge
        // event, is one row holding the text of whichever file came first: in a serial run too,
        // that depends on the order. Everything read from it is compared.
        (
            "findings",
            rows(&conn, "SELECT * FROM findings", &["id", "raw"]),
        ),
        ("flows", rows(&conn, "SELECT * FROM flows", &["id"])),
        ("coverage", rows(&conn, "SELECT * FROM coverage", &[])),
        (
            "issuances",
            rows(
                &conn,
                issuances,
                &["id", "event", "parent", "event_id", "other_event_id"],
            ),
        ),
        ("principals", rows(&conn, &principals, &[])),
        ("rollup_hours", rows(&conn, hours, &[])),
        ("rollup_days", rows(&conn, days, &[])),
    ]
}

/// Every row of `sql` as text, sorted; columns named in `skip` left out; a `raw_ref` column
/// replaced by the original record it points at.
fn rows(conn: &rusqlite::Connection, sql: &str, skip: &[&str]) -> Vec<String> {
    let mut stmt = conn.prepare(sql).expect("prepare");
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut out: Vec<String> = stmt
        .query_map([], |r| {
            let mut cells = Vec::new();
            for (i, name) in names.iter().enumerate() {
                if skip.contains(&name.as_str()) {
                    continue;
                }
                let v: rusqlite::types::Value = r.get(i)?;
                if name == "raw_ref" {
                    let rusqlite::types::Value::Integer(raw_ref) = v else {
                        panic!("raw_ref {v:?}");
                    };
                    cells.push(format!("{:?}", rolecall::store::load_raw(conn, raw_ref)));
                } else {
                    cells.push(format!("{v:?}"));
                }
            }
            Ok(cells.join("|"))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    out.sort();
    out
}

/// Asserts two dumps are equal, table by table, showing a few differing rows when not.
fn assert_same(got: &[(&str, Vec<String>)], want: &[(&str, Vec<String>)], run: usize) {
    for ((table, g), (_, w)) in got.iter().zip(want) {
        if g != w {
            let missing: Vec<&String> = w.iter().filter(|r| !g.contains(r)).take(3).collect();
            let extra: Vec<&String> = g.iter().filter(|r| !w.contains(r)).take(3).collect();
            panic!(
                "run {run}: table {table} differs from the serial run ({} rows against {}):\n\
                 missing {missing:#?}\nextra {extra:#?}",
                g.len(),
                w.len()
            );
        }
    }
}

const READS: [&[&str]; 3] = [
    &["db", "info", "--json"],
    &["sessions", "--json", "--limit", "20"],
    &["findings", "--json"],
];

#[test]
fn two_ingests_and_readers_sharing_a_new_cache_all_succeed_and_leave_what_a_serial_run_leaves() {
    let runs: usize = std::env::var("ROLECALL_NEIGHBOUR_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let h = halves();
    let work = tempfile::tempdir().expect("tempdir");

    let serial = work.path().join("serial.db");
    for half in [&h.a, &h.b] {
        let o = run(
            &serial,
            &["ingest", half.to_str().expect("utf-8"), "--json"],
        );
        assert_ok(&o, "serial ingest");
    }
    let want = dump(&serial);
    assert!(
        want.iter().all(|(_, rows)| !rows.is_empty()),
        "the serial run fills every table"
    );

    let mut reads_during_ingest = 0;
    for run_no in 0..runs {
        let db = work.path().join(format!("shared-{run_no}.db"));
        let ingests = [spawn_ingest(&db, &h.a), spawn_ingest(&db, &h.b)];
        let writing = AtomicBool::new(true);
        let overlapped = AtomicUsize::new(0);
        let failures = std::thread::scope(|scope| {
            let readers: Vec<_> = (0..3)
                .map(|k| {
                    let (db, writing, overlapped) = (&db, &writing, &overlapped);
                    scope.spawn(move || reader(k, db, writing, overlapped))
                })
                .collect();
            let outputs: Vec<_> = ingests
                .into_iter()
                .map(|c| c.wait_with_output().expect("wait"))
                .collect();
            writing.store(false, Ordering::SeqCst);
            for (o, name) in outputs.iter().zip(["first", "second"]) {
                assert_ok(o, &format!("run {run_no}: the {name} ingest"));
            }
            readers
                .into_iter()
                .flat_map(|r| r.join().expect("reader thread"))
                .collect::<Vec<String>>()
        });
        assert!(
            failures.is_empty(),
            "run {run_no}: readers failed:\n{failures:#?}"
        );
        reads_during_ingest += overlapped.load(Ordering::SeqCst);
        assert_same(&dump(&db), &want, run_no);
        let info = run(&db, &["db", "info", "--json"]);
        assert_eq!(json(&info)["derived"]["behind"], 0, "run {run_no}");
    }
    assert!(
        reads_during_ingest > 0,
        "no read ran while an ingest was writing: the test proved nothing"
    );
    eprintln!("{runs} runs, {reads_during_ingest} reads while ingests were writing");
}

/// Runs read commands in turn while the ingests run (once the cache exists), and once more after;
/// returns a description of every failure.
fn reader(k: usize, db: &Path, writing: &AtomicBool, overlapped: &AtomicUsize) -> Vec<String> {
    let mut failures = Vec::new();
    let mut i = k;
    loop {
        let still_writing = writing.load(Ordering::SeqCst);
        if !db.exists() {
            if !still_writing {
                failures.push("the ingests ended and no cache exists".into());
                return failures;
            }
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        let args = READS[i % READS.len()];
        i += 1;
        let o = run(db, args);
        if !o.status.success() {
            failures.push(format!(
                "{}: exit {:?}: {}",
                args.join(" "),
                o.status.code(),
                stderr(&o)
            ));
        } else if let Err(e) = serde_json::from_slice::<serde_json::Value>(&o.stdout) {
            failures.push(format!("{}: not JSON: {e}", args.join(" ")));
        }
        if still_writing && writing.load(Ordering::SeqCst) {
            overlapped.fetch_add(1, Ordering::SeqCst);
        }
        if !still_writing {
            return failures;
        }
        // Several reads a second each, not a busy loop starving the ingests of the two cores.
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A cache with one event, and a connection of this process holding its write lock.
fn locked_cache(dir: &Path) -> (PathBuf, PathBuf, rusqlite::Connection) {
    let db = dir.join("rolecall.db");
    let logs = trail_file(
        &dir.join("logs"),
        "trail.json",
        &[call(
            "22222222-0000-4000-8000-000000000001",
            "2026-10-01T09:30:00Z",
            "worker",
            "ASIAEXAMPLE0000001",
            "DescribeInstances",
        )],
    );
    assert_ok(
        &run(&db, &["ingest", logs.to_str().expect("utf-8")]),
        "ingest",
    );
    let more = trail_file(
        &dir.join("more"),
        "trail.json",
        &[call(
            "22222222-0000-4000-8000-000000000002",
            "2026-10-01T09:31:00Z",
            "worker",
            "ASIAEXAMPLE0000001",
            "RunInstances",
        )],
    );
    let lock = rusqlite::Connection::open(&db).expect("open");
    lock.execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    (db, more, lock)
}

#[test]
fn a_second_writer_waits_for_the_first_and_says_so_after_a_second() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, more, lock) = locked_cache(dir.path());
    let child = rolecall(&db)
        .arg("ingest")
        .arg(&more)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(1_800));
    lock.execute_batch("COMMIT").expect("release");
    drop(lock);
    let o = wait_at_most(child, Duration::from_secs(60), "the waiting ingest");
    assert_ok(&o, "the waiting ingest");
    let err = stderr(&o);
    let waiting: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("another process is writing to the cache"))
        .collect();
    assert_eq!(waiting.len(), 1, "said once: {err}");
    assert_eq!(json(&o)["events_new"], 1);
}

#[test]
fn readers_answer_while_another_process_holds_the_write_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, _more, lock) = locked_cache(dir.path());
    for args in READS {
        let child = rolecall(&db)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Still holding the lock: a reader that waited for it would never end.
        let o = wait_at_most(child, Duration::from_secs(30), &args.join(" "));
        assert_ok(&o, &args.join(" "));
        assert!(!stderr(&o).contains("waiting"), "{}", stderr(&o));
    }
    drop(lock);
}

#[test]
fn threads_opening_a_new_cache_together_each_get_the_whole_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    for round in 0..10 {
        let db = dir.path().join(format!("new-{round}.db"));
        let opened: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| Store::open(&db).map(|s| s.migrated_from())))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        for o in &opened {
            assert!(o.is_ok(), "round {round}: {o:?}");
        }
        let store = Store::open_read_only(&db).expect("read-only");
        let info = rolecall::store::load_info(store.conn()).expect("info");
        assert_eq!(
            info.schema_version,
            rolecall::store::latest_schema_version()
        );
        let leftovers = std::fs::read_dir(dir.path())
            .expect("read_dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("creating"))
            .count();
        assert_eq!(leftovers, 0, "temporary files left behind");
    }
}

#[test]
fn an_older_cache_opened_by_several_threads_at_once_is_migrated_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    for round in 0..5 {
        let db = dir.path().join(format!("old-{round}.db"));
        {
            let conn = rusqlite::Connection::open(&db).expect("sqlite");
            conn.execute_batch(include_str!("../src/store/migrations/0001_init.sql"))
                .expect("0001");
            conn.execute_batch("PRAGMA user_version = 1; PRAGMA journal_mode = WAL;")
                .expect("version");
        }
        let migrated: Vec<Option<i64>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| Store::open(&db).map(|s| s.migrated_from())))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread").expect("open"))
                .collect()
        });
        assert_eq!(
            migrated.iter().filter(|m| m.is_some()).count(),
            1,
            "round {round}: {migrated:?}"
        );
        assert!(migrated.contains(&Some(1)));
    }
}
