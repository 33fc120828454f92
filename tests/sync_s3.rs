//! `rolecall sync s3` against a real local S3 (moto's server on 127.0.0.1, on a free port):
//! a generated organisation's trail files, uploaded in CloudTrail's layout, synced by the real
//! binary, give the same events as `rolecall ingest` of the same files; a second sync adds
//! nothing; a sync killed half way (SIGKILL) and one stopped with Ctrl-C each end, once re-run,
//! with exactly the cache of an uninterrupted one.
//!
//! Needs `moto_server` (`.ci/run` installs `moto[server]` in a virtual environment and sets
//! `ROLECALL_MOTO_SERVER`). Without it the test says so loudly and passes, except under
//! `CI=true`, where it fails.

mod sync_support;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

const BUCKET: &str = "org-trail";

/// The moto server, stopped when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ROLECALL_MOTO_SERVER").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let found = Command::new("sh")
        .args(["-c", "command -v moto_server"])
        .output()
        .ok()?;
    let path = String::from_utf8(found.stdout).ok()?;
    let path = path.trim();
    (!path.is_empty()).then(|| PathBuf::from(path))
}

fn start_moto() -> Option<Moto> {
    let Some(server) = moto_server() else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "CI=true but moto_server is missing: .ci/run installs it (ROLECALL_MOTO_SERVER)"
        );
        eprintln!(
            "\n*** SKIPPED: moto_server not found (set ROLECALL_MOTO_SERVER or `pip install \
             'moto[server]'`); the S3 sync tests did NOT run ***\n"
        );
        return None;
    };
    // A free port: bind to port 0, note it, let it go.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", server.display()));
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(moto)
}

/// The environment every AWS call of the test runs with: fixed test credentials, no profile
/// files, no instance metadata lookups. Nothing here can reach AWS.
fn aws_env(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE");
}

/// Every CloudTrail file of the organisation, with its key (its path under the org).
fn trail_files(org: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = walkdir::WalkDir::new(org.join("AWSLogs"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let key = e
                .path()
                .strip_prefix(org)
                .ok()?
                .to_string_lossy()
                .into_owned();
            key.contains("/CloudTrail/").then(|| (key, e.into_path()))
        })
        .collect();
    out.sort();
    out
}

fn upload(url: &str, files: &[(String, PathBuf)]) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let creds = aws_sdk_s3::config::Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        );
        let conf = aws_sdk_s3::config::Builder::new()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(url)
            .force_path_style(true)
            .credentials_provider(creds)
            .build();
        let s3 = aws_sdk_s3::Client::from_conf(conf);
        s3.create_bucket()
            .bucket(BUCKET)
            .send()
            .await
            .expect("bucket");
        for (key, path) in files {
            let body = std::fs::read(path).expect("read");
            s3.put_object()
                .bucket(BUCKET)
                .key(key)
                .body(body.into())
                .send()
                .await
                .expect("put");
        }
    });
}

fn rolecall(db: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rolecall"));
    cmd.arg("--db").arg(db);
    aws_env(&mut cmd, home);
    cmd
}

/// `rolecall sync s3` of the whole generated span.
fn sync_args(url: &str) -> Vec<String> {
    [
        "sync",
        "s3",
        "--bucket",
        BUCKET,
        // The generated months (to 2026-11-27), and a few days either side.
        "--from",
        "2026-09-20",
        "--to",
        "2026-12-01",
        "--endpoint-url",
        url,
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn json_of(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "status {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON summary")
}

fn read_only(db: &Path) -> Connection {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.busy_timeout(Duration::from_secs(5)).expect("timeout");
    conn
}

fn objects_done(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    read_only(db)
        .query_row("SELECT COUNT(*) FROM sync_objects", [], |r| r.get(0))
        .unwrap_or(0)
}

fn done_objects(db: &Path) -> Vec<String> {
    read_only(db)
        .prepare("SELECT bucket || ' ' || key || ' ' || etag FROM sync_objects ORDER BY 1")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// Starts a sync that commits every object, and interrupts it (with `signal`) once a quarter
/// of the objects are remembered. Returns whether it was caught mid-run.
fn interrupted_sync(db: &Path, home: &Path, url: &str, objects: usize, signal: &str) -> bool {
    let mut child = rolecall(db, home)
        .args(sync_args(url))
        .args(["--commit-every", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut caught = false;
    while Instant::now() < deadline {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if objects_done(db) as usize >= objects / 4 {
            let pid = child.id().to_string();
            caught = Command::new("kill")
                .args([signal, &pid])
                .status()
                .is_ok_and(|s| s.success());
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = child.wait().expect("wait");
    if signal == "-INT" && caught {
        // Ctrl-C: a clean stop, said with its own status.
        assert_eq!(status.code(), Some(130), "a Ctrl-C'd sync exits 130");
    }
    caught && (objects_done(db) as usize) < objects
}

#[test]
fn a_bucket_synced_from_s3_gives_the_events_an_ingest_of_its_files_gives_and_resumes_exactly() {
    let Some(moto) = start_moto() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    std::fs::create_dir(&home).expect("home");
    let org = dir.path().join("org");
    let mut opts = rolecall::demo::GenerateOptions::new(&org);
    opts.events = 4_000;
    opts.months = 2;
    opts.file_minutes = 1440;
    rolecall::demo::generate(&opts).expect("generate");
    let files = trail_files(&org);
    assert!(files.len() > 40, "a few dozen trail files at least");
    upload(&moto.url, &files);

    // The reference: the same files ingested from disk.
    let ingested = dir.path().join("ingested.db");
    let mut ingest = rolecall(&ingested, &home);
    ingest.arg("ingest").arg("--json");
    let mut trail_dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|(_, p)| {
            p.ancestors()
                .find(|a| a.file_name().is_some_and(|n| n == "CloudTrail"))
                .map(Path::to_path_buf)
        })
        .collect();
    trail_dirs.dedup();
    ingest.args(&trail_dirs);
    json_of(&ingest.output().expect("ingest"));

    let synced = dir.path().join("synced.db");
    let first = json_of(
        &rolecall(&synced, &home)
            .args(sync_args(&moto.url))
            .output()
            .expect("sync"),
    );
    assert_eq!(first["errors"], serde_json::json!([]));
    assert_eq!(
        first["tasks"][0]["objects_done"].as_u64(),
        Some(files.len() as u64)
    );
    let synced_content = sync_support::content(&read_only(&synced));
    let events = first["ingest"]["events_new"].as_u64().expect("count");
    assert!(events > 1_000, "{events} events synced");
    assert_eq!(synced_content.len() as u64, events);
    assert_eq!(
        synced_content,
        sync_support::content(&read_only(&ingested)),
        "a synced bucket holds exactly the events of its files"
    );
    assert_eq!(
        sync_support::derived(&read_only(&synced)),
        sync_support::derived(&read_only(&ingested)),
        "and derives from them what an ingest derives"
    );

    // Again: every object is remembered; nothing is downloaded or added.
    let second = json_of(
        &rolecall(&synced, &home)
            .args(sync_args(&moto.url))
            .output()
            .expect("sync"),
    );
    assert_eq!(second["ingest"]["events_new"], 0);
    assert_eq!(second["tasks"][0]["objects_done"], 0);
    assert_eq!(
        second["tasks"][0]["objects_skipped"].as_u64(),
        Some(files.len() as u64)
    );

    // Killed half way (no chance to clean up), then run again.
    let killed = dir.path().join("killed.db");
    assert!(
        interrupted_sync(&killed, &home, &moto.url, files.len(), "-KILL"),
        "the sync was not killed mid-run"
    );
    json_of(
        &rolecall(&killed, &home)
            .args(sync_args(&moto.url))
            .output()
            .expect("resume"),
    );
    assert_eq!(
        sync_support::content(&read_only(&killed)),
        sync_support::content(&read_only(&synced)),
        "a killed and resumed sync ends with the uninterrupted sync's cache"
    );
    assert_eq!(done_objects(&killed), done_objects(&synced));
    assert_eq!(
        sync_support::derived(&read_only(&killed)),
        sync_support::derived(&read_only(&synced))
    );

    // Stopped with Ctrl-C: the pipeline commits what it has; the next run does the rest.
    let stopped = dir.path().join("stopped.db");
    assert!(
        interrupted_sync(&stopped, &home, &moto.url, files.len(), "-INT"),
        "the sync was not stopped mid-run"
    );
    let resumed = json_of(
        &rolecall(&stopped, &home)
            .args(sync_args(&moto.url))
            .output()
            .expect("resume"),
    );
    // A clean stop remembered everything it committed: nothing is fetched twice.
    assert_eq!(
        resumed["ingest"]["events_dup"],
        first["ingest"]["events_dup"]
    );
    assert_eq!(
        sync_support::content(&read_only(&stopped)),
        sync_support::content(&read_only(&synced))
    );
    assert_eq!(done_objects(&stopped), done_objects(&synced));
    assert_eq!(
        sync_support::derived(&read_only(&stopped)),
        sync_support::derived(&read_only(&synced))
    );
}
