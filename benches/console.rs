//! Console benchmark (harness = false): on a generated cache, the first frame (Home loaded and
//! drawn), every pane switch and scope change of the walkthrough (worker answer + frame, p50 /
//! p99 over `ROLECALL_BENCH_ROUNDS` rounds), and the UI thread's longest frame while the worker
//! runs its slowest query on another thread.
//!
//! `cargo bench --bench console` builds a cache of `ROLECALL_BENCH_EVENTS` events (default
//! 300 000, the demo's size) in a temp folder; `ROLECALL_BENCH_DB=path` reuses a cache, e.g. one
//! built at 10 M with `rolecall demo generate --events 10000000 --out DIR` and
//! `rolecall --db PATH ingest DIR/AWSLogs DIR/guardduty`.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rolecall::analysis::{build_home, refresh};
use rolecall::demo::{GenerateOptions, WALKTHROUGH_FINDING_ID, generate};
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::store::Store;
use rolecall::tui::{Action, App, Keymap, Msg, Request, Theme, View, render, worker};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn draw(app: &App) -> Duration {
    let t = Instant::now();
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    term.draw(|f| render::draw(f, app, Theme { color: true }))
        .expect("draw");
    t.elapsed()
}

/// Answers every request like the worker, then draws: one pane switch as the user sees it.
fn settle(app: &mut App, store: &Store, reqs: Vec<Request>) -> Duration {
    let t = Instant::now();
    let mut q = reqs;
    while let Some(r) = q.pop() {
        if let Some(m) = worker::answer(store, r) {
            q.extend(app.update(m));
        }
    }
    draw(app);
    t.elapsed()
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let _dir;
    let db = match std::env::var_os("ROLECALL_BENCH_DB") {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let dir = tempfile::tempdir().expect("tempdir");
            let data = dir.path().join("gen");
            let mut opts = GenerateOptions::demo(&data);
            opts.events = env_num("ROLECALL_BENCH_EVENTS", 300_000);
            generate(&opts).expect("generate");
            let db = dir.path().join("bench.db");
            let mut store = Store::open(&db).expect("open");
            ingest_paths(
                &mut store,
                &[data.join("AWSLogs"), data.join("guardduty")],
                &IngestOptions::default(),
                0,
            )
            .expect("ingest");
            refresh(&mut store).expect("refresh");
            _dir = dir;
            db
        }
    };
    let store = Store::open_read_only(&db).expect("read-only");

    let t = Instant::now();
    let mut app = App::new(Keymap::defaults(), View::Home, None);
    let r = app.start();
    settle(&mut app, &store, r);
    println!(
        "first frame (Home loaded and drawn): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    let rounds = env_num("ROLECALL_BENCH_ROUNDS", 20);
    let steps: &[(&str, Action)] = &[
        ("finding → session", Action::Open),
        ("session → role", Action::Open),
        ("scope earlier", Action::ScopeEarlier),
        ("scope later", Action::ScopeLater),
        ("scope wider", Action::ScopeWider),
        ("scope narrower", Action::ScopeNarrower),
        ("events of the role", Action::Events),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); steps.len()];
    let mut worst_frame = Duration::ZERO;
    for _ in 0..rounds {
        let mut app = App::new(
            Keymap::defaults(),
            View::Finding(WALKTHROUGH_FINDING_ID.into()),
            None,
        );
        let r = app.start();
        settle(&mut app, &store, r);
        for (i, (_, a)) in steps.iter().enumerate() {
            if i == 1 {
                app.update(Msg::Action(Action::Top));
            }
            let r = app.update(Msg::Action(*a));
            times[i].push(settle(&mut app, &store, r));
        }
        // The UI thread draws while a worker runs the slowest query (the role's wide scope).
        let db2 = db.clone();
        let slow = std::thread::spawn(move || {
            let s = Store::open_read_only(&db2).expect("ro");
            let mut a = App::new(Keymap::defaults(), View::Home, None);
            let r = a.start();
            settle(&mut a, &s, r);
        });
        while !slow.is_finished() {
            worst_frame = worst_frame.max(draw(&app));
        }
        let _ = slow.join();
    }
    for (i, (name, _)) in steps.iter().enumerate() {
        let p50 = pct(&mut times[i], 0.5);
        let p99 = pct(&mut times[i], 0.99);
        println!(
            "{name:<22} p50 {:>7.1} ms  p99 {:>7.1} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    println!(
        "longest UI frame while the worker loads Home: {:.2} ms",
        worst_frame.as_secs_f64() * 1e3
    );
    busiest(&store, rounds);
}

/// The heaviest pane a responder can ask for: the busiest role session of the last day, its
/// scope widened step by step to a year, then its role over that year.
fn busiest(store: &Store, rounds: u64) {
    let now = chrono::Utc::now().timestamp_millis();
    let home = build_home(store.conn(), now).expect("home");
    let Some(top) = home.busiest.first() else {
        println!("busiest session: none in the last day of the data");
        return;
    };
    let mut open = Vec::new();
    let mut widen = Vec::new();
    let mut role = Vec::new();
    let mut widest = None;
    for _ in 0..rounds {
        let mut app = App::new(
            Keymap::defaults(),
            View::Session(top.principal_id.clone()),
            None,
        );
        let r = app.start();
        open.push(settle(&mut app, store, r));
        for _ in 0..9 {
            let r = app.update(Msg::Action(Action::ScopeWider));
            widen.push(settle(&mut app, store, r));
        }
        widest = app.scope;
        app.update(Msg::Action(Action::Top));
        let r = app.update(Msg::Action(Action::Open));
        role.push(settle(&mut app, store, r));
    }
    let days = widest.map_or(0, |s| s.len_ms() / 86_400_000);
    println!(
        "busiest session: {} ({} calls in the last day), widened to {days} days",
        top.session_name, top.events
    );
    for (name, v) in [
        ("busiest session, 24 h", &mut open),
        ("each widening to 1 y", &mut widen),
        ("its role over 1 y", &mut role),
    ] {
        let p50 = pct(v, 0.5);
        let p99 = pct(v, 0.99);
        println!(
            "{name:<22} p50 {:>7.1} ms  p99 {:>7.1} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
}
