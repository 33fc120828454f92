//! DESIGN.md's walkthrough through `App::update` alone — no terminal, no worker thread: every
//! answer is what the worker computes from the real analysis functions on the demo cache.
//! finding → sara's session (scope = the finding's hour) → StopLogging and AssumeRole in scope
//! → the SSO role → resource interaction → the DemoRole1 session → its calls → back to the
//! finding with the same scope; and the scope moves reloading what they should.

mod console_support;

use console_support::Harness;
use rolecall::analysis::EventFilter;
use rolecall::demo::WALKTHROUGH_FINDING_ID;
use rolecall::model::{Scope, Target, parse_ms};
use rolecall::tui::app::{narrower, shifted, wider};
use rolecall::tui::data::PageData;
use rolecall::tui::{Action, Msg, Request, View};

fn t(s: &str) -> i64 {
    parse_ms(s).expect("time")
}

fn finding_hour() -> Scope {
    Scope {
        start_ms: t("2026-11-18T14:00:00Z"),
        end_ms: t("2026-11-18T15:00:00Z"),
    }
}

/// API rows of an events-filter focus list: `(api, opens)`.
fn api_rows(h: &Harness) -> Vec<String> {
    h.app
        .doc()
        .focusables()
        .iter()
        .filter_map(|f| match &f.open {
            Some(View::Events { filter, .. }) => filter.api.clone(),
            _ => None,
        })
        .collect()
}

fn session_of(h: &Harness) -> rolecall::tui::data::SessionData {
    match &h.app.top().data {
        Some(PageData::Session(s)) => (**s).clone(),
        other => panic!("not a session pane: {other:?}"),
    }
}

#[test]
fn the_walkthrough_runs_from_the_finding_to_demorole1_and_back_with_the_same_scope() {
    let mut h = Harness::demo(View::Finding(WALKTHROUGH_FINDING_ID.into()));

    // The finding: its hour becomes the scope, and the actor row is the focused row.
    assert_eq!(h.app.scope, Some(finding_hour()));
    let actor = h.app.focused().expect("a focused row");
    let Some(View::Session(sso)) = actor.open.clone() else {
        panic!("the first row opens the actor's session: {actor:?}");
    };
    assert!(
        h.screen(80, 24)
            .contains("sara @ AWSReservedSSO_AdministratorAccess")
    );

    // Enter: sara's role session, same scope.
    h.act(Action::Open);
    assert_eq!(h.app.top().view, View::Session(sso.clone()));
    assert_eq!(h.app.scope, Some(finding_hour()));
    let s = session_of(&h);
    assert_eq!(s.session.session_name, "sara");
    let mut apis = api_rows(&h);
    apis.sort();
    assert_eq!(
        apis,
        ["AssumeRole", "StopLogging"],
        "exactly two APIs in scope"
    );

    // Enter on an API row lists those calls.
    h.focus("StopLogging", |f| {
        matches!(&f.open, Some(View::Events { filter, .. }) if filter.api.as_deref() == Some("StopLogging"))
    });
    h.act(Action::Open);
    let Some(PageData::Events(ev)) = &h.app.top().data else {
        panic!("events list");
    };
    assert!(!ev.rows.is_empty());
    assert!(ev.rows.iter().all(|r| r.event_name == "StopLogging"));
    h.act(Action::Back);

    // The session's role: resource interaction.
    let role = s.session.role.clone().expect("the session names its role");
    h.focus_view(&View::of(&role));
    h.act(Action::Open);
    let View::Role(role_arn) = h.app.top().view.clone() else {
        panic!("a role pane");
    };
    assert!(role_arn.contains("AWSReservedSSO_AdministratorAccess"));
    h.act(Action::Tab3);
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("Resources that assumed this role"),
        "{screen}"
    );
    let Some(PageData::Role(r)) = &h.app.top().data else {
        panic!("role data");
    };
    assert!(r.interaction.roles_assumed.iter().any(|l| {
        l.role_arn
            .as_deref()
            .is_some_and(|a| a.ends_with("/DemoRole1"))
    }));
    // The DemoRole1 session named sara, started from the SSO session.
    let demo_session = r
        .interaction
        .sessions
        .iter()
        .find(|l| {
            !l.own
                && l.assumed_role
                    .as_deref()
                    .is_some_and(|a| a.ends_with("/DemoRole1"))
                && l.session_name.as_deref() == Some("sara")
        })
        .and_then(|l| l.target.clone())
        .expect("the DemoRole1 session among the sessions involved");
    h.focus_view(&View::of(&demo_session));
    h.act(Action::Open);
    assert_eq!(h.app.scope, Some(finding_hour()));
    let d = session_of(&h);
    assert!(
        d.session
            .role_arn
            .as_deref()
            .is_some_and(|a| a.ends_with("/DemoRole1"))
    );
    let a = d.activity.clone().expect("activity in scope");
    let line = |api: &str| {
        a.by_api
            .iter()
            .find(|l| l.key.as_deref() == Some(api))
            .cloned()
    };
    assert!(line("DescribeInstances").is_some_and(|l| l.ok > 0));
    assert!(line("RunInstances").is_some_and(|l| l.ok > 0));
    let attach = line("AttachRolePolicy").expect("AttachRolePolicy in scope");
    assert!(attach.ok > 0 && attach.failed > 0, "{attach:?}");
    let screen = h.screen(80, 24);
    assert!(screen.contains("AttachRolePolicy"), "{screen}");

    // Its failed AttachRolePolicy calls, filtered in the events list.
    h.focus("AttachRolePolicy", |f| {
        matches!(&f.open, Some(View::Events { filter, .. }) if filter.api.as_deref() == Some("AttachRolePolicy"))
    });
    h.act(Action::Open);
    h.act(Action::FailedOnly);
    let Some(PageData::Events(ev)) = &h.app.top().data else {
        panic!("events list");
    };
    assert!(!ev.rows.is_empty() && ev.rows.iter().all(|r| r.error_code.is_some()));

    // The Chain tab of DemoRole1's session: two hops, origin sara.
    h.act(Action::Back);
    h.act(Action::Tab4);
    let screen = h.screen(80, 24);
    assert!(screen.contains("SAMLUser sara"), "{screen}");
    assert!(screen.contains("DemoRole1"), "{screen}");

    // Back to the finding: the scope stays the finding's hour.
    for _ in 0..10 {
        h.act(Action::Back);
        if matches!(h.app.top().view, View::Finding(_)) {
            break;
        }
    }
    assert_eq!(
        h.app.top().view,
        View::Finding(WALKTHROUGH_FINDING_ID.into())
    );
    assert_eq!(h.app.scope, Some(finding_hour()));
}

#[test]
fn scope_moves_reload_the_visible_pane_and_mark_the_rest_for_later() {
    let mut h = Harness::demo(View::Finding(WALKTHROUGH_FINDING_ID.into()));
    h.act(Action::Open);
    let session = h.app.top().view.clone();
    let hour = finding_hour();
    let loads = |h: &Harness| {
        h.requests
            .iter()
            .filter(|r| matches!(r, Request::Load { view, .. } if *view == session))
            .count()
    };

    let before = loads(&h);
    h.act(Action::ScopeEarlier);
    assert_eq!(h.app.scope, Some(shifted(hour, -1)));
    assert_eq!(loads(&h), before + 1, "shift reloads the session");
    assert_eq!(h.app.top().loaded_scope, Some(shifted(hour, -1)));

    h.act(Action::ScopeLater);
    h.act(Action::ScopeWider);
    assert_eq!(h.app.scope, Some(wider(hour)));
    h.act(Action::ScopeNarrower);
    assert_eq!(h.app.scope, Some(narrower(wider(hour))));
    assert_eq!(loads(&h), before + 4);

    // Typed: a range applies at once; `last:` goes through the worker.
    h.prompt(
        Action::ScopeType,
        "2026-11-18T10:00:00Z..2026-11-18T16:00:00Z",
    );
    assert_eq!(
        h.app.scope,
        Some(Scope {
            start_ms: t("2026-11-18T10:00:00Z"),
            end_ms: t("2026-11-18T16:00:00Z"),
        })
    );
    let wide = loads(&h);
    h.prompt(Action::ScopeType, "last:48h");
    assert_eq!(h.app.scope.map(|s| s.len_ms()), Some(48 * 3_600_000));
    assert_eq!(loads(&h), wide + 1);

    // The finding underneath does not depend on the scope: going back does not reload it,
    // and `r` brings back its window, reloading the session.
    h.act(Action::ScopeReset);
    assert_eq!(h.app.scope, Some(hour));
    let finding_loads = h
        .requests
        .iter()
        .filter(|r| {
            matches!(
                r,
                Request::Load {
                    view: View::Finding(_),
                    ..
                }
            )
        })
        .count();
    h.act(Action::Back);
    h.act(Action::Open);
    let after = h
        .requests
        .iter()
        .filter(|r| {
            matches!(
                r,
                Request::Load {
                    view: View::Finding(_),
                    ..
                }
            )
        })
        .count();
    assert_eq!(
        finding_loads, after,
        "the finding is not reloaded by scope moves"
    );
    assert_eq!(h.app.top().loaded_scope, Some(hour));
}

#[test]
fn stale_answers_are_dropped_and_the_stack_never_empties() {
    let mut h = Harness::demo(View::Finding(WALKTHROUGH_FINDING_ID.into()));
    let page = h.app.top().id;
    let generation = h.app.top().generation;
    // An answer for an older generation changes nothing.
    let before = h.app.top().data.clone();
    h.send(Msg::Loaded {
        page,
        generation: generation - 1,
        scope: None,
        result: Ok(None),
    });
    assert_eq!(h.app.top().data, before);
    assert!(!h.app.top().missing);
    // Pushing the page on top again does nothing.
    let n = h.app.stack().len();
    let reqs = h.app.push(View::Finding(WALKTHROUGH_FINDING_ID.into()));
    assert!(reqs.is_empty());
    assert_eq!(h.app.stack().len(), n);
    for _ in 0..5 {
        h.act(Action::Back);
    }
    assert_eq!(h.app.stack().len(), 1);
    assert_eq!(h.app.top().view, View::Home);
}

#[test]
fn jump_resolves_through_the_one_resolver_and_lists_ambiguous_names() {
    let mut h = Harness::demo(View::Home);
    h.prompt(Action::Jump, "sara");
    match &h.app.overlay {
        Some(rolecall::tui::app::Overlay::Pick { candidates, .. }) => {
            assert!(candidates.len() > 1);
            let screen = h.screen(80, 24);
            assert!(screen.contains("which one?"), "{screen}");
        }
        other => panic!("sara names several entities: {other:?}"),
    }
    h.act(Action::Down);
    h.act(Action::Open);
    assert!(h.app.overlay.is_none());
    assert_ne!(h.app.top().view, View::Home);

    h.prompt(Action::Jump, WALKTHROUGH_FINDING_ID);
    assert_eq!(
        h.app.top().view,
        View::Finding(WALKTHROUGH_FINDING_ID.into())
    );
    h.prompt(Action::Jump, "no-such-thing-anywhere");
    assert!(
        h.app
            .status
            .as_deref()
            .is_some_and(|s| s.contains("nothing in the cache"))
    );
}

#[test]
fn copy_export_and_sync_say_what_they_did() {
    let mut h = Harness::demo(View::Finding(WALKTHROUGH_FINDING_ID.into()));
    h.act(Action::Copy);
    let Some(Request::Copy(text)) = h.shell.last().cloned() else {
        panic!("copy asks the shell: {:?}", h.shell);
    };
    assert!(text.ends_with(":sara"), "the actor's principal ID: {text}");
    h.act(Action::CopyPath);
    let Some(Request::Copy(path)) = h.shell.last().cloned() else {
        panic!("copy path");
    };
    assert!(path.contains("scope 2026-11-18 14:00–15:00 UTC"), "{path}");
    h.act(Action::Open);
    h.act(Action::Export);
    let Some(Request::Export { stem, markdown }) = h.shell.last().cloned() else {
        panic!("export asks the shell");
    };
    assert!(stem.starts_with("session-"));
    for want in [
        "## Overview",
        "## Chain",
        "StopLogging",
        "AssumeRole",
        "Scope: 2026-11-18 14:00–15:00 UTC",
    ] {
        assert!(markdown.contains(want), "{want} in\n{markdown}");
    }
    // Events cite their IDs.
    h.focus("StopLogging", |f| {
        matches!(&f.open, Some(View::Events { filter, .. }) if filter.api.as_deref() == Some("StopLogging"))
    });
    h.act(Action::Open);
    h.act(Action::Export);
    let Some(Request::Export { markdown, .. }) = h.shell.last().cloned() else {
        panic!("export");
    };
    let Some(PageData::Events(ev)) = &h.app.top().data else {
        panic!("events");
    };
    assert!(
        markdown.contains(&format!("`{}`", ev.rows[0].event_id)),
        "{markdown}"
    );
}

#[test]
fn the_sync_key_runs_the_sync_as_a_job_stops_it_on_a_second_press_and_reloads_after() {
    use rolecall::tui::app::Job;
    let mut h = Harness::demo(View::Finding(WALKTHROUGH_FINDING_ID.into()));
    h.act(Action::Sync);
    assert_eq!(h.shell.last(), Some(&Request::Sync), "the shell runs it");
    assert!(matches!(h.app.job, Some(Job::Sync(_))));
    h.send(Msg::SyncProgress(
        "cloudtrail 111122223333 us-east-1: 1 200 events".into(),
    ));
    assert_eq!(
        h.app.job,
        Some(Job::Sync(
            "cloudtrail 111122223333 us-east-1: 1 200 events".into()
        ))
    );
    // A second press asks it to stop; it is still running until it says it ended.
    h.act(Action::Sync);
    assert_eq!(h.shell.last(), Some(&Request::StopSync));
    assert!(matches!(h.app.job, Some(Job::Sync(_))));
    let loads = h.requests.len();
    h.send(Msg::Synced(Ok("sync stopped: 1 200 events kept".into())));
    assert_eq!(h.app.job, None);
    assert_eq!(
        h.app.status.as_deref(),
        Some("sync stopped: 1 200 events kept")
    );
    assert!(
        h.requests[loads..]
            .iter()
            .any(|r| matches!(r, Request::Load { .. })),
        "the visible pane reloads after a sync"
    );
    // The watcher then notices the sync's own writing: the panes reload, and the summary (it
    // may name a failure) stays on the status line. A later change is news again.
    h.send(Msg::CacheChanged);
    assert_eq!(
        h.app.status.as_deref(),
        Some("sync stopped: 1 200 events kept")
    );
    h.send(Msg::CacheChanged);
    assert_eq!(h.app.status.as_deref(), Some("the cache changed: reloaded"));
    // A sync that cannot run says why, and a press starts another.
    h.act(Action::Sync);
    h.send(Msg::Synced(Err("no sources file: \u{1b}[2J".into())));
    let status = h.app.status.clone().unwrap_or_default();
    assert!(status.starts_with("sync: no sources file"), "{status}");
    assert!(!status.contains('\u{1b}'), "sanitised: {status:?}");
    assert_eq!(h.app.job, None);
}

#[test]
fn the_consoles_own_refresh_keeps_its_status_when_the_watcher_then_reports_its_writing() {
    let mut h = Harness::demo(View::Home);
    h.send(Msg::RefreshStarted);
    h.send(Msg::Refreshed(Ok(rolecall::analysis::RefreshReport {
        events: 5,
        ..Default::default()
    })));
    let status = h.app.status.clone().unwrap_or_default();
    assert!(status.contains("5 new events"), "{status}");
    h.send(Msg::CacheChanged);
    assert_eq!(h.app.status.as_deref(), Some(status.as_str()));
    h.send(Msg::CacheChanged);
    assert_eq!(h.app.status.as_deref(), Some("the cache changed: reloaded"));
}

#[test]
fn the_event_viewer_shows_the_record_and_finds_text_in_it() {
    let mut h = Harness::demo(View::Finding(WALKTHROUGH_FINDING_ID.into()));
    h.focus("an evidence event", |f| {
        matches!(f.open, Some(View::Event(_)))
    });
    h.act(Action::Open);
    let Some(PageData::Event(rec)) = h.app.top().data.clone() else {
        panic!("the event viewer");
    };
    assert!(
        rec.lines
            .iter()
            .any(|l| l.contains("\"eventName\": \"StopLogging\""))
    );
    h.prompt(Action::Find, "userAgent");
    let sel = h.app.top().sel;
    assert!(rec.lines[sel].contains("userAgent"));
    let screen = h.screen(80, 24);
    assert!(screen.contains("userAgent"), "{screen}");
}

#[test]
fn an_events_filter_is_typed_and_shown() {
    let mut h = Harness::demo(View::Events {
        of: Target::account("111122223333"),
        filter: EventFilter::default(),
    });
    assert!(
        h.app.scope.is_some(),
        "the default scope came with the answer"
    );
    h.prompt(Action::Find, "api=AssumeRole");
    let View::Events { filter, .. } = &h.app.top().view else {
        panic!("events");
    };
    assert_eq!(filter.api.as_deref(), Some("AssumeRole"));
    let screen = h.screen(80, 24);
    assert!(screen.contains("filter: api=AssumeRole"), "{screen}");
}
