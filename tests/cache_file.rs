//! `--db` never changes what rolecall did not create: through the real binary, every kind of
//! path that is not a cache is refused with one line naming it, and left exactly as it was —
//! mode, content, and nothing created beside or through it. A new cache is owner-only, in
//! owner-only folders when rolecall makes them; an existing one others can read is used, with
//! a warning, and keeps its mode.
#![cfg(unix)]

mod cache_support;

use std::path::Path;
use std::time::Duration;

use cache_support::*;

/// Every way a command opens the cache: for writing (ingest, db refresh) and read-only.
fn every_opening(db: &Path, logs: &Path) -> Vec<std::process::Output> {
    let logs = logs.to_str().expect("utf-8 path");
    [
        vec!["ingest", logs],
        vec!["db", "refresh"],
        vec!["db", "info"],
        vec!["sessions"],
        vec!["chain", "ASIAEXAMPLE0000001"],
    ]
    .iter()
    // A refused path must be refused at once: a FIFO or a device would block a read forever.
    .map(|args| run_within(db, args, Duration::from_secs(60)))
    .collect()
}

/// A folder with one small CloudTrail file.
fn logs(dir: &Path) -> std::path::PathBuf {
    let logs = dir.join("logs");
    trail_file(
        &logs,
        "trail.json",
        &[call(
            "11111111-0000-4000-8000-000000000001",
            "2026-10-01T09:30:00Z",
            "worker",
            "ASIAEXAMPLE0000001",
            "DescribeInstances",
        )],
    );
    logs
}

/// Asserts every opening failed with exit 1 and one line saying why `db` is not a cache.
fn assert_refused(outputs: &[std::process::Output], db: &Path, reason: &str) {
    for o in outputs {
        assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(o));
        let err = stderr(o);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(
            err.contains(&format!(
                "{} is not a rolecall cache ({reason})",
                db.display()
            )),
            "{err}"
        );
        assert!(err.contains("left untouched"), "{err}");
    }
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_folder_given_as_the_cache_is_refused_and_keeps_its_mode_and_sticky_bit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = logs(dir.path());
    let folder = dir.path().join("shared");
    std::fs::create_dir(&folder).expect("mkdir");
    set_mode(&folder, 0o1777);
    let outputs = every_opening(&folder, &logs);
    assert_refused(&outputs, &folder, "a directory");
    assert_eq!(mode(&folder), 0o1777);
    assert!(names(&folder).is_empty(), "nothing created inside");
}

#[test]
fn a_device_given_as_the_cache_is_refused_and_keeps_its_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = logs(dir.path());
    // A private copy of /dev/null (same device numbers) where we may make one; the real one is
    // never opened by a rolecall that might chmod it.
    let null = dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!(
            "SKIPPED: cannot mknod a device here (not root?); the FIFO test covers special files"
        );
        return;
    }
    set_mode(&null, 0o666);
    let outputs = every_opening(&null, &logs);
    assert_refused(&outputs, &null, "a character device");
    assert_eq!(mode(&null), 0o666);
    assert_eq!(
        names(dir.path()),
        ["logs", "null"],
        "no -wal, -shm or temp file"
    );
}

#[test]
fn a_fifo_given_as_the_cache_is_refused_without_blocking_on_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = logs(dir.path());
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo");
    set_mode(&fifo, 0o644);
    // Opening a FIFO to read a header would block until a writer came: `every_opening` fails
    // the test if a command does not end.
    let outputs = every_opening(&fifo, &logs);
    assert_refused(&outputs, &fifo, "a FIFO");
    assert_eq!(mode(&fifo), 0o644);
}

#[test]
fn a_symlink_to_a_file_that_is_not_a_cache_is_refused_and_the_file_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = logs(dir.path());
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "case notes: do not lose\n").expect("write");
    set_mode(&notes, 0o644);
    let link = dir.path().join("cache.db");
    std::os::unix::fs::symlink(&notes, &link).expect("symlink");
    let outputs = every_opening(&link, &logs);
    assert_refused(&outputs, &link, "not a SQLite database");
    assert_eq!(mode(&notes), 0o644);
    assert_eq!(
        std::fs::read_to_string(&notes).expect("read"),
        "case notes: do not lose\n"
    );
    assert_eq!(names(dir.path()), ["cache.db", "logs", "notes.txt"]);
}

#[test]
fn a_dangling_symlink_is_refused_and_nothing_is_created_at_its_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = logs(dir.path());
    let target = dir.path().join("elsewhere.db");
    let link = dir.path().join("cache.db");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let outputs = every_opening(&link, &logs);
    assert_refused(&outputs, &link, "a symbolic link that leads nowhere");
    assert!(!target.exists(), "no file created through the link");
    assert_eq!(names(dir.path()), ["cache.db", "logs"]);
}

#[test]
fn regular_files_that_are_not_caches_are_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = logs(dir.path());
    // Not SQLite, too short to hold a header, empty (rolecall creates caches whole, so an empty
    // file is never one of its own), another application's SQLite database.
    let other = dir.path().join("places.sqlite");
    {
        let conn = rusqlite::Connection::open(&other).expect("sqlite");
        conn.execute_batch(
            "CREATE TABLE bookmarks (url TEXT); INSERT INTO bookmarks VALUES ('x');",
        )
        .expect("schema");
    }
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "report.pdf",
            b"%PDF-1.7 not a database at all".to_vec(),
            "not a SQLite database",
        ),
        ("short.db", b"SQLite".to_vec(), "not a SQLite database"),
        ("empty.db", Vec::new(), "an empty file"),
    ];
    for (name, bytes, reason) in &cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        set_mode(&path, 0o644);
        assert_refused(&every_opening(&path, &logs), &path, reason);
        assert_eq!(&std::fs::read(&path).expect("read"), bytes, "{name}");
        assert_eq!(mode(&path), 0o644, "{name}");
    }
    set_mode(&other, 0o644);
    let before = std::fs::read(&other).expect("read");
    assert_refused(
        &every_opening(&other, &logs),
        &other,
        "another application's SQLite database",
    );
    assert_eq!(std::fs::read(&other).expect("read"), before);
    assert_eq!(mode(&other), 0o644);
    assert!(!dir.path().join("places.sqlite-wal").exists());
}

#[test]
fn a_new_cache_is_owner_only_in_the_owner_only_folders_rolecall_creates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = logs(dir.path());
    let existing = dir.path().join("cases");
    std::fs::create_dir(&existing).expect("mkdir");
    set_mode(&existing, 0o755);
    let db = existing.join("acme/2026/rolecall.db");
    let o = run(&db, &["ingest", logs.to_str().expect("utf-8")]);
    assert_ok(&o, "ingest into a new cache");
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&existing.join("acme")), 0o700);
    assert_eq!(mode(&existing.join("acme/2026")), 0o700);
    assert_eq!(
        mode(&existing),
        0o755,
        "a folder rolecall did not create keeps its mode"
    );
    // Built under a temporary name and linked into place: nothing else is left beside it.
    assert_eq!(names(&existing.join("acme/2026")), ["rolecall.db"]);
    assert!(!stderr(&o).contains("other users"), "{}", stderr(&o));
}

#[test]
fn an_existing_cache_others_can_read_is_used_with_a_warning_and_keeps_its_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = logs(dir.path());
    let db = dir.path().join("rolecall.db");
    assert_ok(
        &run(&db, &["ingest", logs.to_str().expect("utf-8")]),
        "first ingest",
    );
    set_mode(&db, 0o644);
    for args in [
        vec!["ingest", logs.to_str().expect("utf-8")],
        vec!["db", "info"],
        vec!["sessions"],
    ] {
        let o = run(&db, &args);
        assert_ok(&o, &args.join(" "));
        let err = stderr(&o);
        let warnings: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("other users can read the cache"))
            .map(|l| l.trim())
            .collect();
        assert_eq!(warnings.len(), 1, "{args:?}: {err}");
        assert!(warnings[0].contains("mode 644"), "{}", warnings[0]);
        assert_eq!(mode(&db), 0o644, "after {args:?}");
    }
}

#[test]
fn a_symlink_to_a_cache_is_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = logs(dir.path());
    let real = dir.path().join("real.db");
    assert_ok(
        &run(&real, &["ingest", logs.to_str().expect("utf-8")]),
        "ingest",
    );
    let link = dir.path().join("link.db");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let o = run(&link, &["db", "info", "--json"]);
    assert_ok(&o, "db info through a symlink");
    assert_eq!(json(&o)["events"], 1);
    assert_ok(
        &run(&link, &["db", "refresh"]),
        "db refresh through a symlink",
    );
    assert_eq!(mode(&real), 0o600);
}
