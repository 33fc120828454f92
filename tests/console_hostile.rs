//! Hostile log strings — ESC [2J, an OSC title, OSC 52, BEL, C1 controls, U+202E — in session
//! names, user agents and finding titles render inert in every pane: the TestBackend buffer
//! holds no control character, and the bytes a real `CrosstermBackend` writes hold none of the
//! attacker's sequences.

mod console_support;

use console_support::Harness;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use rolecall::analysis::{EventFilter, refresh};
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::model::Target;
use rolecall::store::Store;
use rolecall::tui::{Action, Theme, View, render};

const EVIL: &str =
    "x\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{85}\u{202e}gpj.exe";

fn fixture(dir: &std::path::Path) -> std::path::PathBuf {
    let ct = serde_json::json!({"Records": [
        {
            "eventVersion": "1.08", "eventID": "11111111-1111-4111-8111-111111111111",
            "eventTime": "2026-11-18T14:05:00Z", "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRole", "awsRegion": "us-east-1",
            "sourceIPAddress": "198.51.100.7", "userAgent": EVIL,
            "recipientAccountId": "111122223333",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLEUSER00001",
                "arn": format!("arn:aws:iam::111122223333:user/{EVIL}"), "accountId": "111122223333",
                "accessKeyId": "AKIAEXAMPLEUSER00001", "userName": EVIL},
            "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/Evil", "roleSessionName": EVIL},
            "responseElements": {"credentials": {"accessKeyId": "ASIAEXAMPLEEVIL00001",
                "expiration": "Nov 18, 2026, 3:05:00 PM", "sessionToken": "redacted"},
                "assumedRoleUser": {"assumedRoleId": format!("AROAEXAMPLEEVILROLE1:{EVIL}"),
                    "arn": format!("arn:aws:sts::111122223333:assumed-role/Evil/{EVIL}")}}
        },
        {
            "eventVersion": "1.08", "eventID": "22222222-2222-4222-8222-222222222222",
            "eventTime": "2026-11-18T14:09:00Z", "eventSource": "cloudtrail.amazonaws.com",
            "eventName": "StopLogging", "awsRegion": "us-east-1", "errorCode": EVIL,
            "sourceIPAddress": "198.51.100.7", "userAgent": EVIL,
            "recipientAccountId": "111122223333",
            "userIdentity": {"type": "AssumedRole", "principalId": format!("AROAEXAMPLEEVILROLE1:{EVIL}"),
                "arn": format!("arn:aws:sts::111122223333:assumed-role/Evil/{EVIL}"),
                "accountId": "111122223333", "accessKeyId": "ASIAEXAMPLEEVIL00001",
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEEVILROLE1",
                    "arn": "arn:aws:iam::111122223333:role/Evil", "accountId": "111122223333", "userName": "Evil"},
                    "attributes": {"creationDate": "2026-11-18T14:05:00Z", "mfaAuthenticated": "false"}}}
        }
    ]});
    let gd = serde_json::json!({"Findings": [{
        "SchemaVersion": "2.0", "AccountId": "111122223333", "Region": "us-east-1",
        "Id": "evilfinding0001", "Arn": "arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/evilfinding0001",
        "Type": format!("Stealth:IAMUser/{EVIL}"), "Title": EVIL, "Description": EVIL, "Severity": 5.0,
        "CreatedAt": "2026-11-18T14:10:00.000Z", "UpdatedAt": "2026-11-18T14:10:00.000Z",
        "Resource": {"ResourceType": "AccessKey", "AccessKeyDetails": {"AccessKeyId": "ASIAEXAMPLEEVIL00001",
            "PrincipalId": format!("AROAEXAMPLEEVILROLE1:{EVIL}"), "UserName": EVIL, "UserType": "AssumedRole"}},
        "Service": {"ServiceName": "guardduty", "Count": 1,
            "EventFirstSeen": "2026-11-18T14:09:00.000Z", "EventLastSeen": "2026-11-18T14:09:00.000Z",
            "Action": {"ActionType": "AWS_API_CALL", "AwsApiCallAction": {"Api": "StopLogging",
                "ServiceName": "cloudtrail.amazonaws.com", "CallerType": "Remote IP",
                "RemoteIpDetails": {"IpAddressV4": "198.51.100.7"}}}}
    }]});
    std::fs::write(dir.join("trail.json"), ct.to_string()).expect("write");
    std::fs::write(dir.join("findings.json"), gd.to_string()).expect("write");
    let db = dir.join("evil.db");
    let mut store = Store::open(&db).expect("open");
    ingest_paths(
        &mut store,
        &[dir.join("trail.json"), dir.join("findings.json")],
        &IngestOptions::default(),
        0,
    )
    .expect("ingest");
    refresh(&mut store).expect("refresh");
    db
}

/// The bytes a backend writes, readable after it is dropped.
#[derive(Clone, Default)]
struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether `s` holds anything a terminal would act on.
fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || c == '\u{202e}')
}

fn check(h: &Harness, what: &str) {
    for (w, hh) in [(80u16, 24u16), (160, 48)] {
        let mut app = h.app.clone();
        app.update(rolecall::tui::Msg::Resize(w, hh));
        let mut t = Terminal::new(ratatui::backend::TestBackend::new(w, hh)).expect("t");
        t.draw(|f| render::draw(f, &app, Theme { color: true }))
            .expect("draw");
        for cell in t.backend().buffer().content() {
            assert!(
                !has_control(cell.symbol()),
                "{what}: a control in a cell: {:?}",
                cell.symbol()
            );
        }
        // The bytes a real terminal would get.
        let sink = Sink::default();
        // A fixed viewport: no size query of the test's own terminal, no clearing resize.
        let mut t = Terminal::with_options(
            CrosstermBackend::new(sink.clone()),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, hh)),
            },
        )
        .expect("t");
        sink.0.lock().expect("lock").clear();
        t.draw(|f| render::draw(f, &app, Theme { color: true }))
            .expect("draw");
        drop(t);
        let bytes = String::from_utf8_lossy(&sink.0.lock().expect("lock")).to_string();
        assert!(bytes.len() > 200, "{what}: the frame was written");
        for bad in [
            "\u{1b}[2J",
            "\u{1b}]",
            "\u{7}",
            "\u{9b}",
            "\u{85}",
            "\u{202e}",
        ] {
            assert!(!bytes.contains(bad), "{what}: {bad:?} reached the terminal");
        }
    }
}

#[test]
fn hostile_strings_render_inert_in_every_pane() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fixture(dir.path());
    let open = |v: View| Harness::on(Store::open_read_only(&db).expect("ro"), v, None);
    let mut h = open(View::Home);
    check(&h, "home");
    let evil_seen = h.screen(160, 48);
    assert!(
        evil_seen.contains("\\u{1b}[2J"),
        "the escape is shown, visibly:\n{evil_seen}"
    );
    h.act(Action::Open);
    check(&h, "finding");
    let session = format!("AROAEXAMPLEEVILROLE1:{EVIL}");
    let mut s = open(View::Session(session.clone()));
    for tab in [Action::Tab1, Action::Tab2, Action::Tab3, Action::Tab4] {
        s.act(tab);
        check(&s, "session");
    }
    let mut r = open(View::Role("arn:aws:iam::111122223333:role/Evil".into()));
    for tab in [Action::Tab1, Action::Tab2, Action::Tab3] {
        r.act(tab);
        check(&r, "role");
    }
    let mut e = open(View::Events {
        of: Target::session(session.as_str()),
        filter: EventFilter::default(),
    });
    check(&e, "events");
    e.act(Action::Open);
    assert!(matches!(e.app.top().view, View::Event(_)));
    check(&e, "event viewer");
    let ip = open(View::Profile(Target::ip("198.51.100.7").expect("ip")));
    check(&ip, "ip");
    let acct = open(View::Profile(Target::account("111122223333")));
    check(&acct, "account");
    let mut j = open(View::Home);
    j.prompt(Action::Jump, EVIL);
    check(&j, "jump");
}
