//! The generator is deterministic: the same options give the same bytes, another seed gives
//! other data, and it never writes into a directory that already holds something.

mod demo_support;

use rolecall::demo::{GenerateOptions, generate};

fn small(out: &std::path::Path, seed: u64) -> GenerateOptions {
    let mut o = GenerateOptions::new(out);
    o.seed = seed;
    o.events = 4_000;
    o.months = 2;
    o.file_minutes = 720;
    o
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_does_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    generate(&small(&a, 7)).expect("first run");
    generate(&small(&b, 7)).expect("second run");
    let fa = demo_support::files(&a);
    let fb = demo_support::files(&b);
    let rel = |root: &std::path::Path, v: &[std::path::PathBuf]| {
        v.iter()
            .map(|p| p.strip_prefix(root).expect("inside").to_path_buf())
            .collect::<Vec<_>>()
    };
    assert_eq!(rel(&a, &fa), rel(&b, &fb), "same file names");
    assert!(fa.len() > 50, "a real tree of files, got {}", fa.len());
    for (x, y) in fa.iter().zip(&fb) {
        assert!(
            std::fs::read(x).expect("read") == std::fs::read(y).expect("read"),
            "{} differs between runs",
            x.display()
        );
    }
    generate(&small(&c, 8)).expect("other seed");
    assert_ne!(
        std::fs::read(a.join("truth.json")).expect("read"),
        std::fs::read(c.join("truth.json")).expect("read")
    );
}

#[test]
fn generating_into_a_directory_that_holds_files_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("keep.txt"), "mine").expect("write");
    let err = generate(&small(dir.path(), 1)).expect_err("refused");
    assert!(err.to_string().contains("not empty"), "{err}");
    assert!(dir.path().join("keep.txt").exists());
}

#[test]
fn too_few_accounts_or_months_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut o = small(&dir.path().join("x"), 1);
    o.accounts = 3;
    assert!(
        generate(&o)
            .expect_err("refused")
            .to_string()
            .contains("--accounts")
    );
    o.accounts = 5;
    o.months = 1;
    assert!(
        generate(&o)
            .expect_err("refused")
            .to_string()
            .contains("--months")
    );
}

#[test]
fn the_cli_generates_and_reports_what_it_wrote() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("gen");
    let output = assert_cmd::Command::cargo_bin("rolecall")
        .expect("binary")
        .args(["demo", "generate", "--out"])
        .arg(&out)
        .args([
            "--events",
            "3000",
            "--months",
            "2",
            "--file-minutes",
            "1440",
            "--accounts",
            "6",
            "--json",
        ])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert!(report["events_written"].as_u64().expect("count") > 1000);
    assert_eq!(
        report["walkthrough_finding_id"],
        rolecall::demo::WALKTHROUGH_FINDING_ID
    );
    assert!(out.join("truth.json").exists());
    // A sixth account means a sixth account folder (the vendor's logs are never written).
    let accounts = std::fs::read_dir(out.join("AWSLogs"))
        .expect("AWSLogs")
        .count();
    assert_eq!(accounts, 5);
}
