//! Small synthetic CloudTrail files and the real binary, for the tests of the cache as a file
//! shared by processes: opening rules, read-only reads, refresh, neighbours, time outliers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const ACCOUNT: &str = "111122223333";

/// The binary under test, pointed at `db`.
pub fn rolecall(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rolecall"));
    c.arg("--db").arg(db);
    // Never the user's own cache or colour settings.
    c.env_remove("ROLECALL_DB").env("NO_COLOR", "1");
    c
}

/// Runs `rolecall --db DB ARGS…` to completion.
pub fn run(db: &Path, args: &[&str]) -> Output {
    rolecall(db).args(args).output().expect("run rolecall")
}

/// Runs `rolecall --db DB ARGS…`, failing the test (not hanging it) if it has not ended after
/// `limit`: for paths a regression could block on, such as a FIFO.
pub fn run_within(db: &Path, args: &[&str], limit: Duration) -> Output {
    let child = rolecall(db)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rolecall");
    wait_at_most(child, limit, &args.join(" "))
}

/// Waits for `child` up to `limit`; kills it and fails the test when it has not ended.
pub fn wait_at_most(mut child: Child, limit: Duration, what: &str) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Parses a command's stdout as JSON, showing its stderr when it is not.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(o), stderr(o)))
}

/// Asserts the command exited 0, showing its output when it did not.
pub fn assert_ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what}: exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

/// One CloudTrail record: `api` called at `time` by role session `session` of role `Worker`
/// with access key `key`.
pub fn call(id: &str, time: &str, session: &str, key: &str, api: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLEWORKER:{session}","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/Worker/{session}","accountId":"{ACCOUNT}","accessKeyId":"{key}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLEWORKER","arn":"arn:aws:iam::{ACCOUNT}:role/Worker","accountId":"{ACCOUNT}","userName":"Worker"}},"attributes":{{"creationDate":"2026-10-01T09:00:00Z","mfaAuthenticated":"false"}}}}}},"eventTime":"{time}","eventSource":"ec2.amazonaws.com","eventName":"{api}","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2.15.0","requestParameters":null,"responseElements":null,"requestID":"req-{id}","eventID":"{id}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{ACCOUNT}"}}"#
    )
}

/// The `AssumeRole` by IAM user `alice` that issued `key` for `session` of role `Worker`.
pub fn assume(id: &str, time: &str, session: &str, key: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE","arn":"arn:aws:iam::{ACCOUNT}:user/alice","accountId":"{ACCOUNT}","accessKeyId":"AKIAEXAMPLEALICE","userName":"alice"}},"eventTime":"{time}","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.20","userAgent":"aws-cli/2.15.0","requestParameters":{{"roleArn":"arn:aws:iam::{ACCOUNT}:role/Worker","roleSessionName":"{session}"}},"responseElements":{{"credentials":{{"accessKeyId":"{key}","expiration":"Oct 1, 2026, 10:00:00 AM"}},"assumedRoleUser":{{"assumedRoleId":"AROAEXAMPLEWORKER:{session}","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/Worker/{session}"}}}},"requestID":"req-{id}","eventID":"{id}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{ACCOUNT}"}}"#
    )
}

/// Writes `records` as one CloudTrail file (`{"Records":[…]}`) named `name` in `dir`.
pub fn trail_file(dir: &Path, name: &str, records: &[String]) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let path = dir.join(name);
    std::fs::write(&path, format!("{{\"Records\":[{}]}}", records.join(","))).expect("write");
    path
}

/// The permission bits of `path` (following symlinks).
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o7777
}

/// Sets the permission bits of `path`.
#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
