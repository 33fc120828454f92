//! The imperative shell: puts the terminal in raw mode on the alternate screen and always puts
//! it back (normal exit, `q`, Ctrl-C, SIGTERM / SIGHUP, panic); turns key presses into
//! `Msg`s through the keymap; runs the worker and the refresh job; carries out the requests
//! `App::update` returns; redraws only when something changed, ticking only while loading.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use anyhow::Context;
use base64::Engine;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

use super::app::App;
use super::keymap::Keymap;
use super::msg::{Msg, Request, TextKey};
use super::render;
use super::sync_job;
use super::theme::Theme;
use super::view::View;
use super::worker;
use crate::model::{ScopeSpec, parse_scope_spec};

/// What the console opens on.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub db: PathBuf,
    pub finding: Option<String>,
    /// Any identifier of a session (through the resolver).
    pub session: Option<String>,
    /// `A..B`, `last:24h` or `finding:ID`.
    pub scope: Option<String>,
}

/// Everything the UI loop waits for.
enum Input {
    Term(Event),
    Msg(Msg),
    Signal,
}

/// Opens the console and returns when the user quits.
pub fn run(opts: Options) -> anyhow::Result<()> {
    // Everything that can fail on the user's input fails before the terminal goes raw.
    let keymap = Keymap::load(Keymap::user_path().as_deref())?;
    let (scope, scope_spec) = match opts.scope.as_deref().map(parse_scope_spec).transpose()? {
        Some(ScopeSpec::Range(s)) => (Some(s), None),
        Some(_) => (None, opts.scope.clone()),
        None => (None, None),
    };
    let view = match &opts.finding {
        Some(id) => View::Finding(id.clone()),
        None => View::Home,
    };
    let mut app = App::new(keymap, view, scope);
    let mut first = app.start();
    if let Some(spec) = scope_spec {
        first.push(Request::ResolveScope(spec));
    }
    if let Some(s) = &opts.session {
        first.push(Request::Resolve(s.clone()));
    }
    first.push(Request::Refresh);

    let (tx, rx) = mpsc::channel::<Input>();
    let (req_tx, req_rx) = mpsc::channel::<Request>();
    {
        let tx = tx.clone();
        let db = opts.db.clone();
        std::thread::Builder::new()
            .name("rolecall-worker".into())
            .spawn(move || {
                worker::run(
                    db,
                    req_rx,
                    Box::new(move |m| tx.send(Input::Msg(m)).is_ok()),
                )
            })
            .context("starting the worker")?;
    }
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ])
    .context("installing signal handlers")?;
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(Input::Signal);
            }
        });
    }

    // `ratatui::try_init` enters raw mode and the alternate screen and installs a panic hook
    // that restores the terminal before the panic message prints.
    // Log lines written while the console draws would scramble its screen: they are held and
    // written after the terminal is restored (the guard drops after `restore`).
    let held = crate::log::hold();
    let mut terminal = ratatui::try_init().context("setting up the terminal")?;
    let result = event_loop(&mut terminal, &mut app, &opts.db, first, &tx, &rx, &req_tx);
    ratatui::restore();
    drop(held);
    result
}

#[allow(clippy::too_many_arguments)]
fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    db: &Path,
    first: Vec<Request>,
    tx: &Sender<Input>,
    rx: &mpsc::Receiver<Input>,
    req_tx: &Sender<Request>,
) -> anyhow::Result<()> {
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            while let Ok(ev) = event::read() {
                if tx.send(Input::Term(ev)).is_err() {
                    break;
                }
            }
        });
    }
    let theme = Theme::from_env();
    let size = terminal.size()?;
    app.update(Msg::Resize(size.width, size.height));
    let mut pending = first;
    // The running sync's stop flag.
    let mut sync_stop: Option<Arc<AtomicBool>> = None;
    loop {
        for r in pending.drain(..) {
            carry_out(r, app, db, tx, req_tx, &mut sync_stop);
        }
        if app.quit {
            return Ok(());
        }
        terminal.draw(|f| render::draw(f, app, theme))?;
        // Block until something happens; tick the spinner only while something loads.
        let first_input = if app.busy() {
            match rx.recv_timeout(Duration::from_millis(120)) {
                Ok(i) => Some(i),
                Err(RecvTimeoutError::Timeout) => {
                    pending.extend(app.update(Msg::Tick));
                    None
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        } else {
            match rx.recv() {
                Ok(i) => Some(i),
                Err(_) => return Ok(()),
            }
        };
        // Take everything already waiting before drawing again.
        let mut inputs: Vec<Input> = first_input.into_iter().collect();
        while let Ok(i) = rx.try_recv() {
            inputs.push(i);
        }
        for input in inputs {
            match input {
                Input::Signal => return Ok(()),
                Input::Msg(m) => pending.extend(app.update(m)),
                Input::Term(Event::Resize(w, h)) => pending.extend(app.update(Msg::Resize(w, h))),
                Input::Term(Event::Key(k)) if k.kind != KeyEventKind::Release => {
                    if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
                        return Ok(());
                    }
                    if let Some(m) = key_msg(app, &k) {
                        pending.extend(app.update(m));
                    }
                }
                Input::Term(_) => {}
            }
        }
    }
}

/// A key as a message: text for an open prompt, else its action through the keymap.
fn key_msg(app: &App, k: &event::KeyEvent) -> Option<Msg> {
    if app.wants_text() {
        return match k.code {
            KeyCode::Char(c) => Some(Msg::Text(TextKey::Char(c))),
            KeyCode::Backspace => Some(Msg::Text(TextKey::Backspace)),
            KeyCode::Enter => Some(Msg::Text(TextKey::Enter)),
            KeyCode::Esc => Some(Msg::Text(TextKey::Esc)),
            _ => None,
        };
    }
    app.keymap.action(k).map(Msg::Action)
}

fn carry_out(
    r: Request,
    app: &mut App,
    db: &Path,
    tx: &Sender<Input>,
    req_tx: &Sender<Request>,
    sync_stop: &mut Option<Arc<AtomicBool>>,
) {
    match r {
        Request::Quit => app.quit = true,
        Request::Copy(text) => {
            let mut out = std::io::stdout();
            let _ = out.write_all(clipboard_sequence(&text).as_bytes());
            let _ = out.flush();
        }
        Request::Export { stem, markdown } => {
            let msg = Msg::Exported(write_export(&App::export_dir(), &stem, &markdown));
            let _ = tx.send(Input::Msg(msg));
        }
        Request::Refresh => {
            if app.job.is_some() {
                return;
            }
            let _ = tx.send(Input::Msg(Msg::RefreshStarted));
            let tx = tx.clone();
            let db = db.to_path_buf();
            std::thread::spawn(move || {
                let _ = tx.send(Input::Msg(worker::refresh(&db)));
            });
        }
        Request::Sync => {
            // One sync at a time (the app starts one only when no job runs); a new flag each
            // time, so a stop asked of the last one cannot stop this one.
            let stop = Arc::new(AtomicBool::new(false));
            *sync_stop = Some(stop.clone());
            let tx = tx.clone();
            let db = db.to_path_buf();
            std::thread::spawn(move || {
                let progress_tx = tx.clone();
                let result = sync_job::run(&db, stop, &mut |line| {
                    let _ = progress_tx.send(Input::Msg(Msg::SyncProgress(line)));
                });
                let _ = tx.send(Input::Msg(Msg::Synced(result)));
            });
        }
        Request::StopSync => {
            if let Some(stop) = sync_stop {
                stop.store(true, Ordering::Relaxed);
            }
        }
        other => {
            let _ = req_tx.send(other);
        }
    }
}

/// OSC 52: the terminal (through SSH and tmux) puts `text` on the system clipboard.
pub fn clipboard_sequence(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\u{1b}]52;c;{b64}\u{7}")
}

/// Writes an export as `rolecall-STEM.md` (or `-2`, `-3`… beside an earlier one), owner-only:
/// exports name people, keys and addresses.
fn write_export(dir: &Path, stem: &str, markdown: &str) -> Result<PathBuf, String> {
    for n in 1..1000 {
        let name = if n == 1 {
            format!("rolecall-{stem}.md")
        } else {
            format!("rolecall-{stem}-{n}.md")
        };
        let path = dir.join(name);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&path) {
            Ok(mut f) => {
                f.write_all(markdown.as_bytes())
                    .map_err(|e| e.to_string())?;
                return Ok(std::fs::canonicalize(&path).unwrap_or(path));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Err("too many exports of this pane here".into())
}
