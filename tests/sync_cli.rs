//! `rolecall sync` as a user meets it, through the real binary: the sources file and
//! `--print-config`, and the credential errors (none at all; an SSO session whose token has
//! expired), each one line with its exit status. The environment is emptied of AWS settings,
//! instance metadata is off and every endpoint is a closed local port: nothing can reach AWS.

use std::path::Path;
use std::process::{Command, Output};

fn rolecall(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rolecall"));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("ROLECALL_DB");
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") && k != "AWS_EC2_METADATA_DISABLED" {
            cmd.env_remove(k);
        }
    }
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn print_config_shows_what_the_sources_file_would_run() {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join(".config/rolecall");
    std::fs::create_dir_all(&config).expect("mkdir");
    std::fs::write(
        config.join("sources.toml"),
        r#"
profiles = ["prod-readonly"]
[cloudtrail]
regions = ["us-east-1", "eu-west-1"]
since = "3d"
[[s3]]
bucket = "org-cloudtrail-logs"
profile = "log-archive"
[guardduty]
all_regions = true
"#,
    )
    .expect("write");
    let out = rolecall(home.path())
        .args(["sync", "--print-config"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sources.toml"), "{text}");
    assert!(
        text.contains("cloudtrail: LookupEvents, profiles prod-readonly, regions us-east-1, eu-west-1, last 3d"),
        "{text}"
    );
    assert!(
        text.contains("s3: s3://org-cloudtrail-logs/AWSLogs/, profile log-archive"),
        "{text}"
    );
    assert!(
        text.contains(
            "guardduty: every detector's findings, profiles prod-readonly, every enabled region"
        ),
        "{text}"
    );
}

#[test]
fn sync_without_a_source_or_a_sources_file_says_how_to_give_one() {
    let home = tempfile::tempdir().expect("home");
    let out = rolecall(home.path()).arg("sync").output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no sources file at"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn no_credentials_anywhere_is_one_line_and_exit_status_3() {
    let home = tempfile::tempdir().expect("home");
    let out = rolecall(home.path())
        .args(["--db"])
        .arg(home.path().join("c.db"))
        .args(["sync", "cloudtrail", "--region", "us-east-1"])
        .args(["--endpoint-url", "http://127.0.0.1:9"])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("rolecall: no AWS credentials"), "{err}");
}

#[test]
fn an_expired_sso_token_names_the_login_to_run_and_exits_3() {
    let home = tempfile::tempdir().expect("home");
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).expect("mkdir");
    std::fs::write(
        aws.join("config"),
        "[profile responder]\nsso_session = corp\nsso_account_id = 111122223333\n\
         sso_role_name = IncidentResponder\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n\
         sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
    )
    .expect("config");
    // The SDK finds the session's token under the SHA-1 of the session name; this one expired
    // long ago and has no refresh token, so nothing is asked of the network.
    let sha = Command::new("sh")
        .args(["-c", "printf corp | sha1sum | cut -d' ' -f1"])
        .output()
        .expect("sha1sum");
    let name = String::from_utf8(sha.stdout).expect("hex");
    std::fs::write(
        aws.join("sso/cache").join(format!("{}.json", name.trim())),
        r#"{"accessToken":"expired-example-token","expiresAt":"2020-01-01T00:00:00Z","region":"us-east-1","startUrl":"https://example.awsapps.com/start"}"#,
    )
    .expect("token");
    let out = rolecall(home.path())
        .arg("--db")
        .arg(home.path().join("c.db"))
        .args(["sync", "cloudtrail", "--profile", "responder"])
        .args(["--endpoint-url", "http://127.0.0.1:9"])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("the SSO session for profile responder has expired: run `aws sso login --profile responder`"),
        "{err}"
    );

    // The same profile chosen by AWS_PROFILE instead: the same login named.
    let out = rolecall(home.path())
        .env("AWS_PROFILE", "responder")
        .arg("--db")
        .arg(home.path().join("c.db"))
        .args(["sync", "cloudtrail"])
        .args(["--endpoint-url", "http://127.0.0.1:9"])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("`aws sso login --profile responder`"), "{err}");
}
