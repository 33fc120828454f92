//! Reader benchmark: `cargo bench --bench parse` (env `ROLECALL_BENCH_PARSE_EVENTS`, default
//! 200000; `ROLECALL_BENCH_PARSE_ROUNDS`, default 3; `ROLECALL_BENCH_PARSE_ASSUME_PCT`, the
//! share of `AssumeRole` records with a session token, default 3).
//!
//! Generates realistic CloudTrail records in memory (nested `userIdentity` with
//! `sessionContext`, `requestParameters`, `responseElements`, `tlsDetails`, a few % `AssumeRole`
//! with credentials and a session token, some string escapes), packed as compact
//! `{"Records":[…]}` documents of 1000 records as CloudTrail delivers them, and times
//! `json::detect` + `json::parse` with a counting sink: the reader thread's work without gunzip
//! or the store. For reference it also times a bare typed borrowed serde parse of the same
//! documents (the limit; `ROLECALL_BENCH_PARSE_BARE=0` skips it, e.g. to profile rolecall
//! alone). Prints the best of the rounds, in events per second of the thread's CPU time on
//! Linux (wall time elsewhere): a shared machine's load then blurs the figures less.

#[path = "support/bare.rs"]
mod bare;
use bare::bare_parse;

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Result, bail};

const PER_DOC: usize = 1000;

fn main() -> Result<()> {
    let events: usize = env_or("ROLECALL_BENCH_PARSE_EVENTS", 200_000);
    let rounds: usize = env_or("ROLECALL_BENCH_PARSE_ROUNDS", 3).max(1);
    // `ROLECALL_BENCH_PARSE_BARE=0` leaves the reference out (for profiling rolecall alone).
    let with_bare = env_or("ROLECALL_BENCH_PARSE_BARE", 1) != 0;
    let assume_pct = env_or("ROLECALL_BENCH_PARSE_ASSUME_PCT", 3) as u64;
    let docs = generate(events, assume_pct);
    let bytes: usize = docs.iter().map(Vec::len).sum();
    println!(
        "data: {} documents, {events} records, {:.1} MB, {:.0} B/record",
        docs.len(),
        bytes as f64 / 1e6,
        bytes as f64 / events as f64
    );

    let mut best_bare = f64::MAX;
    let mut best_rolecall = f64::MAX;
    for round in 1..=rounds {
        let (n, bare_s) = if with_bare {
            time(&docs, bare_parse)?
        } else {
            (events as u64, f64::NAN)
        };
        check(n, events)?;
        best_bare = best_bare.min(bare_s);
        let (n, rolecall_s) = time(&docs, rolecall_parse)?;
        check(n, events)?;
        best_rolecall = best_rolecall.min(rolecall_s);
        println!(
            "round {round}: bare typed parse {:>9.0} events/s, rolecall detect + parse {:>9.0} events/s",
            events as f64 / bare_s,
            events as f64 / rolecall_s
        );
    }
    let bare = events as f64 / best_bare;
    let rolecall = events as f64 / best_rolecall;
    if with_bare {
        println!(
            "best of {rounds}: bare typed parse {bare:>9.0} events/s ({:.0} MB/s)",
            bytes as f64 / best_bare / 1e6
        );
    }
    println!(
        "best of {rounds}: rolecall parse   {rolecall:>9.0} events/s ({:.0} MB/s), {:.2} of bare",
        bytes as f64 / best_rolecall / 1e6,
        if with_bare { rolecall / bare } else { f64::NAN }
    );
    Ok(())
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn check(n: u64, want: usize) -> Result<()> {
    if n != want as u64 {
        bail!("parsed {n} records, expected {want}");
    }
    Ok(())
}

/// Runs `f` over every document; returns the records counted and the seconds taken: CPU time of
/// this thread where Linux reports it (so that other load on a shared machine, which delays the
/// run but does not make it do more work, counts less), else wall time.
fn time(docs: &[Vec<u8>], f: fn(&[u8]) -> Result<u64>) -> Result<(u64, f64)> {
    let t = Instant::now();
    let cpu = thread_cpu_ns();
    let mut n = 0;
    for d in docs {
        n += f(d)?;
    }
    let wall = t.elapsed().as_secs_f64();
    Ok((
        n,
        cpu.zip(thread_cpu_ns())
            .map_or(wall, |(a, b)| (b - a) as f64 / 1e9),
    ))
}

/// Nanoseconds this thread has run on a CPU (first field of `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn rolecall_parse(data: &[u8]) -> Result<u64> {
    let Some(kind) = rolecall::ingest::json::detect(data) else {
        bail!("not recognised as JSON");
    };
    let mut n = 0u64;
    let mut bad = None;
    let mut sink = |item: Result<rolecall::ingest::Record, rolecall::ingest::Bad>| {
        match item {
            Ok(r) => {
                n += 1;
                std::hint::black_box(r);
            }
            Err(b) => bad = Some(b),
        }
        Ok(())
    };
    rolecall::ingest::json::parse(data, kind, &mut sink)?;
    if let Some(b) = bad {
        bail!("rejected: {b:?}");
    }
    Ok(n)
}

/// A small deterministic PRNG (xorshift64*), so every run sees the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16) as usize]))
            .collect()
    }
    fn upper(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[self.below(32) as usize]))
            .collect()
    }
    fn b64(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..n)
            .map(|_| char::from(A[self.below(64) as usize]))
            .collect()
    }
    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-{}-{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(4),
            self.hex(4),
            self.hex(12)
        )
    }
}

const ACCOUNTS: [&str; 4] = [
    "111122223333",
    "444455556666",
    "123456789012",
    "777788889999",
];
const REGIONS: [&str; 5] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
];
const ROLES: [&str; 5] = [
    "AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5",
    "DemoRole1",
    "ci-deploy",
    "lambda-exec-orders",
    "ec2-app-server",
];
const SESSIONS: [&str; 5] = [
    "sara",
    "bob",
    "i-0abc123def4567890",
    "GitHubActions",
    "orders-fn",
];
const AGENTS: [&str; 5] = [
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/s3.ls",
    "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.142.0",
    "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.12.1 cfg/retry-mode#legacy Botocore/1.34.11",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \\\"Version/17.2\\\" Safari/605.1.15",
    "console.amazonaws.com",
];
const CALLS: [(&str, &str, bool); 10] = [
    ("ec2.amazonaws.com", "DescribeInstances", true),
    ("ec2.amazonaws.com", "RunInstances", false),
    ("s3.amazonaws.com", "GetObject", true),
    ("s3.amazonaws.com", "PutObject", false),
    ("iam.amazonaws.com", "AttachRolePolicy", false),
    ("iam.amazonaws.com", "ListRoles", true),
    ("kms.amazonaws.com", "Decrypt", true),
    ("lambda.amazonaws.com", "Invoke", false),
    ("cloudtrail.amazonaws.com", "LookupEvents", true),
    ("logs.amazonaws.com", "PutLogEvents", false),
];

/// `events` records in documents of `PER_DOC`.
fn generate(events: usize, assume_pct: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut docs = Vec::new();
    let mut made = 0;
    while made < events {
        let n = PER_DOC.min(events - made);
        let mut doc = String::with_capacity(n * 1800);
        doc.push_str("{\"Records\":[");
        for i in 0..n {
            if i > 0 {
                doc.push(',');
            }
            record(&mut rng, made + i, assume_pct, &mut doc);
        }
        doc.push_str("]}");
        docs.push(doc.into_bytes());
        made += n;
    }
    docs
}

/// Appends one compact CloudTrail record.
fn record(rng: &mut Rng, seq: usize, assume_pct: u64, out: &mut String) {
    let account = rng.pick(&ACCOUNTS);
    let region = rng.pick(&REGIONS);
    let role = rng.pick(&ROLES);
    let session = rng.pick(&SESSIONS);
    let role_id = format!("AROA{}", rng.upper(17));
    let second = 1_790_859_600 + seq as u64;
    let (h, m, s) = ((second / 3600) % 24, (second / 60) % 60, second % 60);
    let day = 1 + (second / 86_400) % 28;
    let time = format!("2026-10-{day:02}T{h:02}:{m:02}:{s:02}Z");
    let ip = format!("198.51.100.{}", rng.below(250) + 1);
    let agent = rng.pick(&AGENTS);
    let assume = rng.below(100) < assume_pct;
    let (source, name, read_only) = if assume {
        ("sts.amazonaws.com", "AssumeRole", false)
    } else {
        CALLS[rng.below(CALLS.len() as u64) as usize]
    };
    let failed = !assume && rng.below(100) < 4;

    let identity = match rng.below(10) {
        0 => format!(
            r#"{{"type":"IAMUser","principalId":"AIDA{}","arn":"arn:aws:iam::{account}:user/alice","accountId":"{account}","accessKeyId":"AKIA{}","userName":"alice"}}"#,
            rng.upper(17),
            rng.upper(16)
        ),
        1 => r#"{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}"#.to_string(),
        _ => format!(
            r#"{{"type":"AssumedRole","principalId":"{role_id}:{session}","arn":"arn:aws:sts::{account}:assumed-role/{role}/{session}","accountId":"{account}","accessKeyId":"ASIA{}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"{role_id}","arn":"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{role}","accountId":"{account}","userName":"{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"2026-10-01T12:{:02}:{:02}Z","mfaAuthenticated":"false"}}}}}}"#,
            rng.upper(16),
            rng.below(60),
            rng.below(60)
        ),
    };
    let (request, response) = if assume {
        let target = rng.pick(&ROLES);
        let key = rng.upper(16);
        let token = rng.b64(720);
        (
            format!(
                r#"{{"roleArn":"arn:aws:iam::{account}:role/{target}","roleSessionName":"{session}","durationSeconds":3600}}"#
            ),
            format!(
                r#"{{"credentials":{{"accessKeyId":"ASIA{key}","sessionToken":"{token}","expiration":"Oct 1, 2026, 1:00:00 PM"}},"assumedRoleUser":{{"assumedRoleId":"AROA{}:{session}","arn":"arn:aws:sts::{account}:assumed-role/{target}/{session}"}}}}"#,
                rng.upper(17)
            ),
        )
    } else {
        match name {
            "DescribeInstances" => (
                format!(
                    r#"{{"instancesSet":{{"items":[{{"instanceId":"i-{}"}},{{"instanceId":"i-{}"}}]}},"filterSet":{{"items":[{{"name":"tag:team","valueSet":{{"items":[{{"value":"payments \u00e9quipe"}}]}}}}]}}}}"#,
                    rng.hex(17),
                    rng.hex(17)
                ),
                "null".to_string(),
            ),
            "GetObject" | "PutObject" => (
                format!(
                    r#"{{"bucketName":"org-data-{}","Host":"org-data.s3.{region}.amazonaws.com","key":"reports\/2026\/10\/{}.csv.gz"}}"#,
                    rng.hex(6),
                    rng.hex(12)
                ),
                "null".to_string(),
            ),
            "AttachRolePolicy" => (
                format!(
                    r#"{{"roleName":"{role}","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}}"#
                ),
                "null".to_string(),
            ),
            "RunInstances" => (
                format!(
                    r#"{{"instancesSet":{{"items":[{{"imageId":"ami-{}","minCount":1,"maxCount":1}}]}},"instanceType":"t3.micro","blockDeviceMapping":{{}},"monitoring":{{"enabled":false}},"disableApiTermination":false,"clientToken":"{}","userData":"<sensitiveDataRemoved>"}}"#,
                    rng.hex(17),
                    rng.uuid()
                ),
                format!(
                    r#"{{"requestId":"{}","reservationId":"r-{}","ownerId":"{account}","instancesSet":{{"items":[{{"instanceId":"i-{}","currentState":{{"code":0,"name":"pending"}},"privateIpAddress":"10.0.{}.{}"}}]}}}}"#,
                    rng.uuid(),
                    rng.hex(17),
                    rng.hex(17),
                    rng.below(255),
                    rng.below(255)
                ),
            ),
            "Decrypt" => (
                format!(
                    r#"{{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{{"aws:lambda:FunctionArn":"arn:aws:lambda:{region}:{account}:function:orders-fn"}}}}"#
                ),
                "null".to_string(),
            ),
            _ => (
                format!(
                    r#"{{"logGroupName":"/aws/lambda/orders-fn","logStreamName":"2026/10/01/[$LATEST]{}","maxResults":50}}"#,
                    rng.hex(32)
                ),
                "null".to_string(),
            ),
        }
    };
    let error = if failed {
        r#""errorCode":"AccessDenied","errorMessage":"User: arn:aws:sts::111122223333:assumed-role/DemoRole1/sara is not authorized to perform this action","#
    } else {
        ""
    };
    let _ = write!(
        out,
        r#"{{"eventVersion":"1.09","userIdentity":{identity},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{ip}","userAgent":"{agent}",{error}"requestParameters":{request},"responseElements":{response},"requestID":"{}","eventID":"{}","readOnly":{read_only},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{account}","eventCategory":"Management","additionalEventData":{{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"{}","bytesTransferredOut":{}}},"resources":[{{"accountId":"{account}","type":"AWS::IAM::Role","ARN":"arn:aws:iam::{account}:role/{role}"}}],"tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{}.{region}.amazonaws.com"}}}}"#,
        rng.uuid(),
        rng.uuid(),
        rng.b64(56),
        rng.below(100_000),
        source.trim_end_matches(".amazonaws.com"),
    );
}
