//! Driving the console without a terminal: the demo cache built once per test binary (the
//! generation `rolecall demo` builds, ingested through the normal path), an `App` whose
//! requests are answered by the worker's own `answer` on a read-only connection, and the
//! screen drawn into a `TestBackend`.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::OnceLock;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rolecall::analysis::refresh;
use rolecall::demo::{GenerateOptions, generate};
use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::model::Scope;
use rolecall::store::Store;
use rolecall::tui::doc::Focus;
use rolecall::tui::{Action, App, Keymap, Msg, Request, Theme, View, render, worker};

pub struct Demo {
    _dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
}

/// The demo cache, built once.
pub fn demo() -> &'static Demo {
    static D: OnceLock<Demo> = OnceLock::new();
    D.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("demo");
        generate(&GenerateOptions::demo(&data)).expect("generate");
        let db = dir.path().join("demo.db");
        let mut store = Store::open(&db).expect("open");
        ingest_paths(
            &mut store,
            &[
                data.join("AWSLogs"),
                data.join("guardduty"),
                data.join("geo"),
            ],
            &IngestOptions::default(),
            0,
        )
        .expect("ingest");
        refresh(&mut store).expect("refresh");
        // The run's finishing time is "now" plus how long the ingest took: pin it, so the
        // snapshots do not depend on the machine's speed.
        store
            .conn()
            .execute("UPDATE ingest_runs SET finished_ms = 60000", [])
            .expect("pin the run's time");
        Demo { _dir: dir, db }
    })
}

/// An `App` and a worker connection, run to quiescence after every input.
pub struct Harness {
    pub app: App,
    pub store: Store,
    /// Every worker request answered so far, in order.
    pub requests: Vec<Request>,
    /// Shell requests (copy, export, quit, refresh) in order.
    pub shell: Vec<Request>,
}

impl Harness {
    /// A console opened on `view` of the demo cache.
    pub fn demo(view: View) -> Harness {
        Harness::on(
            Store::open_read_only(&demo().db).expect("read-only"),
            view,
            None,
        )
    }

    /// A console on any store.
    pub fn on(store: Store, view: View, scope: Option<Scope>) -> Harness {
        let mut h = Harness {
            app: App::new(Keymap::defaults(), view, scope),
            store,
            requests: Vec::new(),
            shell: Vec::new(),
        };
        let first = h.app.start();
        h.run(first);
        h
    }

    /// Answers requests the way the worker would, until none is left.
    pub fn run(&mut self, reqs: Vec<Request>) {
        let mut q: VecDeque<Request> = reqs.into();
        while let Some(r) = q.pop_front() {
            match worker::answer(&self.store, r.clone()) {
                Some(m) => {
                    self.requests.push(r);
                    q.extend(self.app.update(m));
                }
                None => self.shell.push(r),
            }
        }
    }

    pub fn act(&mut self, a: Action) {
        let r = self.app.update(Msg::Action(a));
        self.run(r);
    }

    pub fn send(&mut self, m: Msg) {
        let r = self.app.update(m);
        self.run(r);
    }

    /// Types `text` into the prompt `a` opens and presses Enter.
    pub fn prompt(&mut self, a: Action, text: &str) {
        use rolecall::tui::msg::TextKey;
        self.act(a);
        // Start from an empty prompt.
        for _ in 0..200 {
            self.send(Msg::Text(TextKey::Backspace));
        }
        for c in text.chars() {
            self.send(Msg::Text(TextKey::Char(c)));
        }
        self.send(Msg::Text(TextKey::Enter));
    }

    /// Moves the focus to the first row `pred` accepts; panics (with the screen) when none.
    pub fn focus(&mut self, what: &str, pred: impl Fn(&Focus) -> bool) {
        let doc = self.app.doc();
        let Some(i) = doc.focusables().iter().position(|f| pred(f)) else {
            panic!("no row for {what}:\n{}", self.screen(80, 24));
        };
        self.act(Action::Top);
        for _ in 0..i {
            self.act(Action::Down);
        }
        assert_eq!(self.app.top().sel, i, "focus {what}");
    }

    /// Focuses the row that opens exactly `view`.
    pub fn focus_view(&mut self, view: &View) {
        self.focus(&format!("{view:?}"), |f| f.open.as_ref() == Some(view));
    }

    /// The screen at `w`×`h`, one string per row, trailing spaces cut.
    pub fn screen(&self, w: u16, h: u16) -> String {
        screen_of(&self.app, w, h, Theme { color: true })
    }

    /// The copy text of every focusable row of the page on top.
    pub fn copies(&self) -> Vec<String> {
        self.app
            .doc()
            .focusables()
            .iter()
            .filter_map(|f| f.copy.clone())
            .collect()
    }
}

/// Draws `app` into a `TestBackend` and returns its text.
pub fn screen_of(app: &App, w: u16, h: u16, theme: Theme) -> String {
    let mut app = app.clone();
    app.update(Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| render::draw(f, &app, theme)).expect("draw");
    buffer_text(t.backend().buffer())
}

/// A buffer's text, one line per row, trailing spaces cut.
pub fn buffer_text(b: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..b.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..b.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let s = b[(x, y)].symbol();
            line.push_str(s);
            skip = unicode_width::UnicodeWidthStr::width(s).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
