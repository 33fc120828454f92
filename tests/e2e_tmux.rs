//! The real binary in tmux at 80×24 on the demo cache: `rolecall demo` opens the console on the
//! walkthrough finding, and the walkthrough's keys carry it to DemoRole1's failed
//! AttachRolePolicy and back, the screen checked at each step as a person would read it.
//! Skips loudly without tmux, except under `CI=true`, where a missing tmux fails.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).to_string()
}

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .output();
    }
}

impl Session {
    fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.0])
    }
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            tmux(&["send-keys", "-t", &self.0, k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }
    /// Waits until every `want` is on screen.
    fn wait_for(&self, step: &str, want: &[&str], limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if want.iter().all(|w| s.contains(w)) {
                return s;
            }
            if start.elapsed() > limit {
                panic!("{step}: waited for {want:?}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn tmux_present() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_walkthrough_in_a_real_terminal_at_80_by_24() {
    if !tmux_present() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("tmux is missing on CI: install it (apt-get install -y tmux)");
        }
        eprintln!("SKIPPED e2e_tmux: tmux is not installed (apt-get install tmux)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    let bin = env!("CARGO_BIN_EXE_rolecall");
    // Build the demo cache first (no console), then open the console the way a user does.
    let built = Command::new(bin)
        .args(["--db", &db.display().to_string(), "demo", "--no-tui"])
        .env("NO_COLOR", "1")
        .output()
        .expect("demo runs");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let name = format!("rolecall-e2e-{}", std::process::id());
    let cmd = format!(
        "cd {} && TERM=xterm-256color ROLECALL_EXPORT_DIR={} {} --db {} demo; echo CONSOLE-EXITED; sleep 30",
        shell_quote(dir.path()),
        shell_quote(dir.path()),
        shell_quote(Path::new(bin)),
        shell_quote(&db)
    );
    let out = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "80",
            "-y",
            "24",
            &cmd,
        ])
        .output()
        .expect("tmux new-session");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = Session(name);
    let long = Duration::from_secs(60);

    let screen = s.wait_for(
        "the finding",
        &[
            "Stealth:IAMUser/CloudTrailLoggingDisabled",
            "▶session  sara @ AWSReservedSSO",
            "scope 2026-11-18 14:00–15:00 UTC",
        ],
        long,
    );
    assert!(
        screen.contains("⏎ open"),
        "the footer names the keys:\n{screen}"
    );

    s.keys(&["Enter"]);
    s.wait_for(
        "sara's role session",
        &[
            "[1 Overview]",
            "StopLogging",
            "AssumeRole",
            "✓ observed by SAMLUser sara",
            "scope 2026-11-18 14:00–15:00 UTC",
        ],
        long,
    );

    s.keys(&["g", "Enter"]);
    s.wait_for(
        "the SSO role",
        &["role 111122223333:role/", "[1 Overview]"],
        long,
    );
    s.keys(&["3"]);
    s.wait_for(
        "resource interaction",
        &[
            "Resources that assumed this role",
            "Roles this role assumed",
            "DemoRole1",
            "Sessions involved",
        ],
        long,
    );

    s.keys(&["G", "Enter"]);
    s.wait_for(
        "DemoRole1's session",
        &[
            "sara · DemoRole1",
            "DescribeInstances",
            "RunInstances",
            "AttachRolePolicy",
            "✗ 3",
        ],
        long,
    );

    s.keys(&["4"]);
    s.wait_for(
        "its chain",
        &["SAMLUser sara", "◀ here", "AttachRolePolicy AccessDenied"],
        long,
    );

    s.keys(&["x"]);
    let screen = s.wait_for("export", &["exported to"], long);
    assert!(screen.contains(".md"), "{screen}");

    s.keys(&["Escape", "Escape", "Escape"]);
    s.wait_for(
        "back on the finding, same scope",
        &[
            "▶session  sara @ AWSReservedSSO",
            "scope 2026-11-18 14:00–15:00 UTC",
        ],
        long,
    );

    s.keys(&["q"]);
    let screen = s.wait_for("quit", &["CONSOLE-EXITED"], long);
    assert!(
        !screen.contains("[1 Overview]"),
        "the terminal was restored:\n{screen}"
    );
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}
