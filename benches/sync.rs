//! Sync benchmark: `cargo bench --bench sync`.
//!
//! 1. S3: a generated organisation's trail files (env `ROLECALL_BENCH_SYNC_EVENTS`, default
//!    100 000 events in hour-long files) uploaded to a local moto server (`ROLECALL_MOTO_SERVER`,
//!    or `moto_server` on the PATH), then `rolecall sync s3` end to end (objects/s, events/s)
//!    beside `rolecall ingest` of the same files from disk, interleaved A/B/A/B on fresh caches.
//! 2. LookupEvents: three regions replayed through the SDK (generated pages of 50 events,
//!    answered at once) at the modelled limit of 2 requests a second per account and region:
//!    events/s per region against the theoretical 100/s.
//!
//! Nothing leaves the machine: moto listens on 127.0.0.1, the replay never opens a socket.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use aws_smithy_http_client::test_util::infallible_client_fn;
use aws_smithy_types::body::SdkBody;
use rolecall::ingest::aws::testing::SharedHttpClient;
use rolecall::ingest::aws::{
    CloudTrailSource, Limits, Regions, Source, SyncPlan, Transport, Window, sync,
};
use rolecall::model::DAY_MS;
use rolecall::store::Store;

fn main() -> Result<()> {
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    lookup_events_at_the_limit()?;
    s3_against_ingest()?;
    Ok(())
}

// ---- LookupEvents ----------------------------------------------------------------------

const PAGES_PER_REGION: u64 = 20;
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "ap-southeast-2"];

/// A generated `LookupEvents` page: 50 events, the next token until the last page.
fn lookup_page(region: &str, page: u64) -> String {
    let base = 1_790_000_000.0 - page as f64 * 60.0;
    let events: Vec<serde_json::Value> = (0..50)
        .map(|i| {
            let id = format!("{region}-{page:04}-{i:02}");
            let time = base - f64::from(i);
            let record = serde_json::json!({
                "eventVersion": "1.09", "eventID": id, "eventTime": rolecall::model::format_ms((time * 1000.0) as i64),
                "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "awsRegion": region,
                "recipientAccountId": "111122223333", "sourceIPAddress": "198.51.100.7",
                "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/bench", "accountId": "111122223333", "userName": "bench"}
            });
            serde_json::json!({"EventId": id, "EventName": "DescribeInstances", "EventTime": time, "CloudTrailEvent": record.to_string()})
        })
        .collect();
    let mut body = serde_json::json!({ "Events": events });
    if page + 1 < PAGES_PER_REGION {
        body["NextToken"] = format!("page-{}", page + 1).into();
    }
    body.to_string()
}

const STS: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/bench</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#;

fn lookup_events_at_the_limit() -> Result<()> {
    let client = infallible_client_fn(|req: http::Request<SdkBody>| {
        let host = req.uri().host().unwrap_or_default().to_string();
        let body = if host.starts_with("sts.") {
            STS.to_string()
        } else {
            let region = host.split('.').nth(1).unwrap_or("us-east-1").to_string();
            let sent: serde_json::Value =
                serde_json::from_slice(req.body().bytes().unwrap_or(b"{}")).unwrap_or_default();
            let page = sent["NextToken"]
                .as_str()
                .and_then(|t| t.strip_prefix("page-"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            lookup_page(&region, page)
        };
        // A status and a body always make a response.
        http::Response::new(SdkBody::from(body))
    });
    let plan = SyncPlan {
        sources: vec![Source::CloudTrail(CloudTrailSource {
            profiles: vec![],
            regions: Regions::List(REGIONS.iter().map(|r| r.to_string()).collect()),
            window: Window::Since(90 * DAY_MS),
            lookup: None,
        })],
        endpoint_url: None,
        limits: Limits {
            sdk_retries: false,
            ..Limits::default()
        },
        transport: Transport::Test(SharedHttpClient::new(client)),
    };
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("lookup.db"))?;
    let now = chrono::Utc::now().timestamp_millis();
    let report = sync(
        &mut store,
        &plan,
        now,
        &mut |_| {},
        Arc::new(AtomicBool::new(false)),
    )?;
    if !report.errors.is_empty() {
        bail!("lookup replay failed: {:?}", report.errors);
    }
    println!(
        "\nLookupEvents replay: {} regions x {PAGES_PER_REGION} pages of 50, limit 2 requests/s per region",
        REGIONS.len()
    );
    for t in &report.tasks {
        println!(
            "  {:<16} {:>6} events in {:>5.2} s = {:>6.1} events/s  (theoretical {:.0}/s, {} requests)",
            t.region,
            t.records,
            t.elapsed_seconds,
            t.records_per_second,
            t.ceiling_per_second.unwrap_or(0.0),
            t.requests
        );
    }
    println!(
        "  all regions together: {} new events in {:.2} s = {:.1} events/s",
        report.ingest.totals.events_new,
        report.elapsed_ms as f64 / 1000.0,
        report.ingest.totals.events_new as f64 / (report.elapsed_ms as f64 / 1000.0)
    );
    Ok(())
}

// ---- S3 through moto --------------------------------------------------------------------

struct Moto(Child, String);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_moto() -> Result<Option<Moto>> {
    let server = match std::env::var_os("ROLECALL_MOTO_SERVER").filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => {
            let out = Command::new("sh")
                .args(["-c", "command -v moto_server"])
                .output()?;
            let p = String::from_utf8(out.stdout)?.trim().to_string();
            if p.is_empty() {
                println!("\nS3: SKIPPED (no moto_server; set ROLECALL_MOTO_SERVER)");
                return Ok(None);
            }
            PathBuf::from(p)
        }
    };
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting moto_server")?;
    let moto = Moto(child, format!("http://127.0.0.1:{port}"));
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if Instant::now() > deadline {
            bail!("moto_server did not start");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Some(moto))
}

fn s3_against_ingest() -> Result<()> {
    let Some(moto) = start_moto()? else {
        return Ok(());
    };
    let events: u64 = std::env::var("ROLECALL_BENCH_SYNC_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let org = dir.path().join("org");
    let mut opts = rolecall::demo::GenerateOptions::new(&org);
    opts.events = events;
    opts.file_minutes = 60;
    opts.months = 2;
    rolecall::demo::generate(&opts)?;
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(org.join("AWSLogs")) {
        let e = e?;
        let key = e.path().strip_prefix(&org)?.to_string_lossy().into_owned();
        if e.file_type().is_file() && key.contains("/CloudTrail/") {
            files.push((key, e.into_path()));
        }
    }
    let bytes: u64 = files
        .iter()
        .map(|(_, p)| p.metadata().map_or(0, |m| m.len()))
        .sum();
    let t = Instant::now();
    upload(&moto.1, &files)?;
    println!(
        "\nS3: {} trail objects ({:.1} MB gzip) uploaded to moto in {:.1} s",
        files.len(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let trail_dirs: Vec<PathBuf> = {
        let mut d: Vec<PathBuf> = files
            .iter()
            .filter_map(|(_, p)| {
                p.ancestors()
                    .find(|a| a.file_name().is_some_and(|n| n == "CloudTrail"))
                    .map(Path::to_path_buf)
            })
            .collect();
        d.sort();
        d.dedup();
        d
    };
    let bin = env!("CARGO_BIN_EXE_rolecall");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home)?;
    let mut sync_s = Vec::new();
    let mut ingest_s = Vec::new();
    let mut new_events = 0u64;
    for round in 0..2 {
        let db = dir.path().join(format!("sync-{round}.db"));
        let t = Instant::now();
        let out = aws_env(Command::new(bin).arg("--db").arg(&db), &home)
            .args([
                "sync",
                "s3",
                "--bucket",
                "bench-trail",
                "--from",
                "2026-01-01",
            ])
            .args(["--endpoint-url", &moto.1, "--json"])
            .output()?;
        if !out.status.success() {
            bail!("sync failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        sync_s.push(t.elapsed().as_secs_f64());
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        new_events = report["ingest"]["events_new"].as_u64().unwrap_or(0);
        let db = dir.path().join(format!("ingest-{round}.db"));
        let t = Instant::now();
        let out = Command::new(bin)
            .arg("--db")
            .arg(&db)
            .arg("ingest")
            .arg("--json")
            .args(&trail_dirs)
            .output()?;
        if !out.status.success() {
            bail!("ingest failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        ingest_s.push(t.elapsed().as_secs_f64());
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (s, i) = (best(&sync_s), best(&ingest_s));
    println!(
        "  rolecall sync s3 (moto, 127.0.0.1): {s:>6.2} s  {:>7.1} objects/s  {:>9.0} events/s   (runs: {sync_s:.2?})",
        files.len() as f64 / s,
        new_events as f64 / s
    );
    println!(
        "  rolecall ingest (same files, disk): {i:>6.2} s  {:>7.1} files/s    {:>9.0} events/s   (runs: {ingest_s:.2?})",
        files.len() as f64 / i,
        new_events as f64 / i
    );
    println!(
        "  sync / ingest time: {:.2}x (both include attribution derivation at the end)",
        s / i
    );
    Ok(())
}

fn aws_env<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
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
}

fn upload(url: &str, files: &[(String, PathBuf)]) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let creds = aws_sdk_s3::config::Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        );
        let conf = aws_sdk_s3::config::Builder::new()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(url)
            .force_path_style(true)
            .credentials_provider(creds)
            .build();
        let s3 = aws_sdk_s3::Client::from_conf(conf);
        s3.create_bucket().bucket("bench-trail").send().await?;
        for (key, path) in files {
            s3.put_object()
                .bucket("bench-trail")
                .key(key)
                .body(std::fs::read(path)?.into())
                .send()
                .await?;
        }
        anyhow::Ok(())
    })
}
