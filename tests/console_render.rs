//! Every pane and tab drawn at 80×24 and 160×48 on the demo cache, as insta snapshots of the
//! screen text; without colour (`NO_COLOR`) no cell carries a colour; below 80×24 a notice.

mod console_support;

use console_support::{Harness, screen_of};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use rolecall::analysis::EventFilter;
use rolecall::demo::WALKTHROUGH_FINDING_ID;
use rolecall::model::Target;
use rolecall::store::Store;
use rolecall::tui::{Action, Theme, View, render};

fn snap(name: &str, h: &Harness) {
    for (w, hh) in [(80, 24), (160, 48)] {
        insta::assert_snapshot!(format!("{name}_{w}x{hh}"), h.screen(w, hh));
    }
}

fn session_harness() -> Harness {
    let mut h = Harness::demo(View::Finding(WALKTHROUGH_FINDING_ID.into()));
    h.act(Action::Open);
    h
}

#[test]
fn home() {
    snap("home", &Harness::demo(View::Home));
}

#[test]
fn home_on_an_empty_cache_says_how_to_fill_it() {
    let h = Harness::on(Store::open_in_memory().expect("memory"), View::Home, None);
    let s = h.screen(80, 24);
    assert!(s.contains("rolecall ingest PATH"), "{s}");
    assert!(s.contains("rolecall demo"), "{s}");
    snap("home_empty", &h);
}

/// Findings with no role session behind them still say what GuardDuty named: the instance on
/// Home, and on the Finding pane that no actor was named at all (sample exports strip
/// `resource`), instead of `- -`.
#[test]
fn findings_without_a_session_say_what_guardduty_named() {
    let mut store = Store::open_in_memory().expect("memory");
    let run = store.insert_run("test", 0).expect("run");
    let mut w = store
        .file_writer(run, "findings.json", "test")
        .expect("writer");
    let base = rolecall::model::Finding {
        severity: 8.0,
        account_id: Some("111122223333".into()),
        updated_ms: 1_790_000_000_000,
        last_seen_ms: Some(1_790_000_000_000),
        count: 1,
        raw: "{}".into(),
        ..Default::default()
    };
    w.insert_finding(&rolecall::model::Finding {
        finding_id: "0000aaaa0000aaaa0000aaaa0000aaaa".into(),
        finding_type: "Backdoor:EC2/C&CActivity.B!DNS".into(),
        resource_type: Some("Instance".into()),
        instance_id: Some("i-0123456789abcdef0".into()),
        ..base.clone()
    })
    .expect("finding");
    let actorless = rolecall::model::Finding {
        finding_id: "0000bbbb0000bbbb0000bbbb0000bbbb".into(),
        finding_type: "PrivilegeEscalation:IAMUser/AdministrativePermissions".into(),
        api: Some("PutRolePolicy".into()),
        ..base
    };
    w.insert_finding(&actorless).expect("finding");
    w.commit().expect("commit");
    rolecall::analysis::refresh(&mut store).expect("refresh");
    let home = Harness::on(store, View::Home, None).screen(80, 24);
    let row = home
        .lines()
        .find(|l| l.contains("Backdoor:EC2"))
        .unwrap_or_default();
    assert!(row.contains("i-0123456789abcdef0"), "{home}");

    let mut store = Store::open_in_memory().expect("memory");
    let run = store.insert_run("test", 0).expect("run");
    let mut w = store
        .file_writer(run, "findings.json", "test")
        .expect("writer");
    w.insert_finding(&actorless).expect("finding");
    w.commit().expect("commit");
    rolecall::analysis::refresh(&mut store).expect("refresh");
    let pane = Harness::on(
        store,
        View::Finding("0000bbbb0000bbbb0000bbbb0000bbbb".into()),
        None,
    )
    .screen(80, 24);
    assert!(pane.contains("actor    none named by GuardDuty"), "{pane}");
    assert!(pane.contains("No actor named: no call to match."), "{pane}");
    assert!(!pane.contains("- -"), "{pane}");
}

#[test]
fn finding() {
    snap(
        "finding",
        &Harness::demo(View::Finding(WALKTHROUGH_FINDING_ID.into())),
    );
}

#[test]
fn session_tabs() {
    let mut h = session_harness();
    for (tab, name) in [
        (Action::Tab1, "overview"),
        (Action::Tab2, "new_behavior"),
        (Action::Tab3, "resource_interaction"),
        (Action::Tab4, "chain"),
    ] {
        h.act(tab);
        snap(&format!("session_{name}"), &h);
    }
}

#[test]
fn role_tabs() {
    let mut h = session_harness();
    h.act(Action::Top);
    h.act(Action::Open);
    assert!(matches!(h.app.top().view, View::Role(_)));
    for (tab, name) in [
        (Action::Tab1, "overview"),
        (Action::Tab2, "new_behavior"),
        (Action::Tab3, "resource_interaction"),
    ] {
        h.act(tab);
        snap(&format!("role_{name}"), &h);
    }
}

#[test]
fn pivots() {
    let ip: Target = Target::ip("198.51.100.34").expect("ip");
    let cases = [
        ("profile_account", Target::account("111122223333")),
        ("profile_ip", ip),
    ];
    for (name, t) in cases {
        snap(name, &Harness::demo(View::Profile(t)));
    }
    // The SAML user behind sara's session, reached the way a user would.
    let mut h = session_harness();
    h.act(Action::Down);
    h.act(Action::Open);
    assert!(
        matches!(h.app.top().view, View::Profile(_)),
        "{:?}",
        h.app.top().view
    );
    snap("profile_saml_user", &h);
}

#[test]
fn events_and_the_event_viewer() {
    let mut h = Harness::demo(View::Events {
        of: Target::account("111122223333"),
        filter: EventFilter::default(),
    });
    snap("events", &h);
    h.act(Action::Open);
    assert!(matches!(h.app.top().view, View::Event(_)));
    snap("event_viewer", &h);
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut h = session_harness();
    h.act(Action::Help);
    let s = h.screen(80, 24);
    for a in Action::ALL {
        assert!(
            s.contains(a.description()),
            "{} missing from help:\n{s}",
            a.name()
        );
    }
    snap("help", &h);
}

#[test]
fn below_80_by_24_a_notice_replaces_the_panes() {
    let h = session_harness();
    let s = h.screen(79, 24);
    assert!(s.contains("rolecall needs 80×24"), "{s}");
    assert!(s.contains("79×24"), "{s}");
    let s = h.screen(120, 10);
    assert!(s.contains("120×10"), "{s}");
}

#[test]
fn without_colour_no_cell_has_one_and_marks_carry_the_meaning() {
    let mut h = session_harness();
    for tab in [Action::Tab1, Action::Tab2, Action::Tab3, Action::Tab4] {
        h.act(tab);
        let mut app = h.app.clone();
        app.update(rolecall::tui::Msg::Resize(80, 24));
        let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        t.draw(|f| render::draw(f, &app, Theme { color: false }))
            .expect("draw");
        let buf = t.backend().buffer();
        for cell in buf.content() {
            assert_eq!(cell.fg, Color::Reset, "a foreground colour without colour");
            assert_eq!(cell.bg, Color::Reset, "a background colour without colour");
        }
    }
    // The marks are there in plain text.
    h.act(Action::Tab1);
    let s = screen_of(&h.app, 80, 24, Theme { color: false });
    assert!(s.contains("✓ observed"), "{s}");
}
