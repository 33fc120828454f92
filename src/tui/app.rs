//! `App`: the console's whole state — the navigation stack (never empty), the scope, each
//! page's view state and loaded data, the overlay and the status line — and `update`, the pure
//! function from a `Msg` to the `Request`s the shell and the worker carry out. No I/O, no
//! clock, no terminal here: tests drive it with the messages a worker would send.

mod filter;
mod loading;
mod prompt;
mod scope_ops;

use std::path::PathBuf;

use super::action::Action;
use super::data::PageData;
use super::doc::{Doc, Focus};
use super::keymap::Keymap;
use super::msg::{Msg, PageId, Request, TextKey};
use super::panes;
use super::view::View;
use crate::analysis::{Candidate, EventFilter, Resolution};
use crate::model::Scope;
use crate::present::{safe, scope_text};

pub use filter::{filter_text, parse_filter};
pub use scope_ops::{narrower, shifted, wider};

/// One page of the navigation stack.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub id: PageId,
    pub view: View,
    pub tab: usize,
    /// The focused row, an index into the document's focusable rows.
    pub sel: usize,
    /// Bumped at every load; answers for an older one are dropped.
    pub generation: u64,
    pub data: Option<PageData>,
    pub loading: bool,
    /// The next events page is loading.
    pub loading_more: bool,
    /// The entity is not in the cache.
    pub missing: bool,
    pub error: Option<String>,
    /// The scope the data was loaded for.
    pub loaded_scope: Option<Scope>,
    /// Marked by a reload elsewhere or a change of the cache: reload when shown.
    pub stale: bool,
    /// The event viewer's search.
    pub search: Option<String>,
}

impl Page {
    /// The breadcrumb: the view's, except that a loaded role session names its role too
    /// (`sara @ DemoRole1`: two sessions named sara in a row are told apart).
    pub fn crumb(&self, w: usize) -> String {
        if let (View::Session(_), Some(PageData::Session(d))) = (&self.view, &self.data) {
            if let Some(role) = d.session.role_arn.as_deref() {
                let name = role.rsplit('/').next().unwrap_or(role);
                let text = format!("{} @ {}", safe(&d.session.session_name), safe(name));
                return crate::present::fit_middle(&text, w);
            }
        }
        self.view.crumb(w)
    }

    fn new(id: PageId, view: View) -> Page {
        Page {
            id,
            view,
            tab: 0,
            sel: 0,
            generation: 0,
            data: None,
            loading: false,
            loading_more: false,
            missing: false,
            error: None,
            loaded_scope: None,
            stale: false,
            search: None,
        }
    }
}

/// What a prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Jump,
    Scope,
    Filter,
    Search,
}

impl PromptKind {
    /// The prompt's label.
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::Jump => "jump to",
            PromptKind::Scope => "scope (A..B, last:24h, finding:ID)",
            PromptKind::Filter => "filter (api=NAME ip=ADDR key=ASIA… failed ok)",
            PromptKind::Search => "search the record",
        }
    }
}

/// What covers the pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help,
    Prompt {
        kind: PromptKind,
        text: String,
    },
    /// An ambiguous jump: the user picks.
    Pick {
        input: String,
        candidates: Vec<Candidate>,
        sel: usize,
    },
}

/// A background job the status line follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Refresh,
    /// The sync from AWS, with its latest progress line.
    Sync(String),
}

/// The console's state.
#[derive(Debug, Clone)]
pub struct App {
    stack: Vec<Page>,
    next_id: PageId,
    /// `None` until the first answer names the default (an empty cache has none).
    pub scope: Option<Scope>,
    /// Where `r` goes: the window of the finding opened last, else the default scope.
    pub home_scope: Option<Scope>,
    pub overlay: Option<Overlay>,
    /// One line of news: copied, exported, an error.
    pub status: Option<String>,
    pub job: Option<Job>,
    /// A sync or refresh of the console's own wrote since the watcher last reported a change:
    /// the change it reports next is that writing, and the job's summary (perhaps a failure)
    /// stays on the status line instead of "the cache changed".
    own_write: bool,
    /// The spinner's frame.
    pub spin: usize,
    pub width: u16,
    pub height: u16,
    pub keymap: Keymap,
    pub quit: bool,
    /// The actor row is focused when the first finding opens (`rolecall demo`).
    pub db_label: String,
}

impl App {
    /// A console opened on `view` (with Home beneath it), in `scope` (`None`: the default).
    pub fn new(keymap: Keymap, view: View, scope: Option<Scope>) -> App {
        let mut app = App {
            stack: vec![Page::new(0, View::Home)],
            next_id: 1,
            scope,
            home_scope: scope,
            overlay: None,
            status: None,
            job: None,
            own_write: false,
            spin: 0,
            width: 80,
            height: 24,
            keymap,
            quit: false,
            db_label: String::new(),
        };
        if view != View::Home {
            let id = app.next_id;
            app.next_id += 1;
            app.stack.push(Page::new(id, view));
        }
        app
    }

    /// The requests to start with: load what is on top.
    pub fn start(&mut self) -> Vec<Request> {
        self.show_top()
    }

    /// The navigation stack, bottom first (never empty).
    pub fn stack(&self) -> &[Page] {
        &self.stack
    }

    /// The page on top.
    pub fn top(&self) -> &Page {
        // The stack is never empty: `back` keeps the bottom page.
        &self.stack[self.stack.len() - 1]
    }

    fn top_mut(&mut self) -> &mut Page {
        let n = self.stack.len() - 1;
        &mut self.stack[n]
    }

    /// The document of the page on top.
    pub fn doc(&self) -> Doc {
        panes::document(self.top(), self.scope)
    }

    /// The focused row of the page on top.
    pub fn focused(&self) -> Option<Focus> {
        let doc = self.doc();
        doc.focusables().get(self.top().sel).map(|f| (*f).clone())
    }

    /// Whether something is loading (the shell ticks the spinner only then).
    pub fn busy(&self) -> bool {
        self.top().loading || self.top().loading_more || self.job.is_some()
    }

    /// Whether keys are text for a prompt.
    pub fn wants_text(&self) -> bool {
        matches!(self.overlay, Some(Overlay::Prompt { .. }))
    }

    /// The pure heart: what a message changes, and what must be done about it.
    pub fn update(&mut self, msg: Msg) -> Vec<Request> {
        match msg {
            Msg::Action(a) => self.action(a),
            Msg::Text(k) => self.text(k),
            Msg::Resize(w, h) => {
                self.width = w;
                self.height = h;
                Vec::new()
            }
            Msg::Tick => {
                self.spin = self.spin.wrapping_add(1);
                Vec::new()
            }
            Msg::Loaded {
                page,
                generation,
                scope,
                result,
            } => self.loaded(page, generation, scope, result),
            Msg::More {
                page,
                generation,
                result,
            } => {
                self.more(page, generation, result);
                Vec::new()
            }
            Msg::Resolved { input, result } => self.resolved(input, result),
            Msg::ScopeResolved(Ok(s)) => self.set_scope(s),
            Msg::ScopeResolved(Err(e)) => {
                self.status = Some(format!("scope: {}", safe(&e)));
                Vec::new()
            }
            Msg::CacheChanged => {
                for p in &mut self.stack {
                    p.stale = true;
                }
                if !std::mem::take(&mut self.own_write) {
                    self.status = Some("the cache changed: reloaded".into());
                }
                let mut r = self.show_top();
                r.push(Request::Refresh);
                r
            }
            Msg::RefreshStarted => {
                self.job = Some(Job::Refresh);
                Vec::new()
            }
            Msg::Refreshed(r) => {
                self.job = None;
                match r {
                    Ok(rep) if rep.events > 0 => {
                        self.own_write = true;
                        self.status = Some(format!(
                            "derived tables brought up to date ({} new events)",
                            rep.events
                        ));
                        for p in &mut self.stack {
                            p.stale = true;
                        }
                        self.show_top()
                    }
                    Ok(_) => Vec::new(),
                    Err(e) => {
                        self.status = Some(format!("refresh failed: {}", safe(&e)));
                        Vec::new()
                    }
                }
            }
            Msg::SyncProgress(line) => {
                if matches!(self.job, Some(Job::Sync(_))) {
                    self.job = Some(Job::Sync(line));
                }
                Vec::new()
            }
            Msg::Synced(r) => {
                self.job = None;
                match r {
                    Ok(summary) => {
                        // A sync that ran wrote (its state, perhaps events); one that could not
                        // start (no sources file) did not.
                        self.own_write = true;
                        self.status = Some(summary);
                        for p in &mut self.stack {
                            p.stale = true;
                        }
                        self.show_top()
                    }
                    Err(e) => {
                        self.status = Some(format!("sync: {}", safe(&e)));
                        Vec::new()
                    }
                }
            }
            Msg::Exported(r) => {
                self.status = Some(match r {
                    Ok(p) => format!("exported to {}", safe(&p.display().to_string())),
                    Err(e) => format!("export failed: {}", safe(&e)),
                });
                Vec::new()
            }
        }
    }

    fn action(&mut self, a: Action) -> Vec<Request> {
        if a == Action::Quit {
            self.quit = true;
            return vec![Request::Quit];
        }
        match self.overlay.take() {
            Some(Overlay::Help) => {
                // Any key closes help; its own key and Back do nothing else.
                if matches!(a, Action::Help | Action::Back) {
                    return Vec::new();
                }
                return self.action(a);
            }
            Some(Overlay::Pick {
                input,
                candidates,
                sel,
            }) => return self.pick(a, input, candidates, sel),
            Some(o @ Overlay::Prompt { .. }) => {
                self.overlay = Some(o);
                return Vec::new();
            }
            None => {}
        }
        self.status = None;
        match a {
            Action::Quit => Vec::new(),
            Action::Help => {
                self.overlay = Some(Overlay::Help);
                Vec::new()
            }
            Action::Up => self.move_sel(-1),
            Action::Down => self.move_sel(1),
            Action::PageUp => self.move_sel(-(self.page_rows() as i64)),
            Action::PageDown => self.move_sel(self.page_rows() as i64),
            Action::Top => self.move_sel(i64::MIN / 2),
            Action::Bottom => self.move_sel(i64::MAX / 2),
            Action::Open => match self.focused().and_then(|f| f.open) {
                Some(v) => self.push(v),
                None => Vec::new(),
            },
            Action::Back => self.back(),
            Action::Home => {
                self.stack.truncate(1);
                self.show_top()
            }
            Action::NextTab => self.switch_tab(|t, n| (t + 1) % n),
            Action::PrevTab => self.switch_tab(|t, n| (t + n - 1) % n),
            Action::Tab1 => self.switch_tab(|_, _| 0),
            Action::Tab2 => self.switch_tab(|_, _| 1),
            Action::Tab3 => self.switch_tab(|_, _| 2),
            Action::Tab4 => self.switch_tab(|_, _| 3),
            Action::Jump => self.prompt(PromptKind::Jump, ""),
            Action::Events => self.events_of_top(),
            Action::Find => match &self.top().view {
                View::Events { filter, .. } => {
                    let text = filter_text(filter);
                    self.prompt(PromptKind::Filter, &text)
                }
                View::Event(_) => {
                    let text = self.top().search.clone().unwrap_or_default();
                    self.prompt(PromptKind::Search, &text)
                }
                _ => {
                    self.status = Some("filter: open an events list first (e)".into());
                    Vec::new()
                }
            },
            Action::NextMatch => self.find_next(true),
            Action::PrevMatch => self.find_next(false),
            Action::FailedOnly => match self.top().view.clone() {
                View::Events { of, mut filter } => {
                    filter.failed = match filter.failed {
                        Some(true) => None,
                        _ => Some(true),
                    };
                    self.replace_top(View::Events { of, filter })
                }
                _ => Vec::new(),
            },
            Action::ScopeEarlier => self.move_scope(|s| shifted(s, -1)),
            Action::ScopeLater => self.move_scope(|s| shifted(s, 1)),
            Action::ScopeWider => self.move_scope(wider),
            Action::ScopeNarrower => self.move_scope(narrower),
            Action::ScopeType => {
                let text = self.scope.map(scope_spec).unwrap_or_default();
                self.prompt(PromptKind::Scope, &text)
            }
            Action::ScopeReset => match self.home_scope {
                Some(s) => self.set_scope(s),
                None => Vec::new(),
            },
            Action::Reload => {
                for p in &mut self.stack {
                    p.stale = true;
                }
                let top = self.top_mut();
                top.stale = false;
                self.load_top()
            }
            Action::Copy => {
                let text = self
                    .focused()
                    .and_then(|f| f.copy)
                    .unwrap_or_else(|| self.top().view.id_text());
                if text.is_empty() {
                    return Vec::new();
                }
                self.status = Some(format!("copied {}", safe(&text)));
                vec![Request::Copy(text)]
            }
            Action::CopyPath => {
                let text = self.path_text();
                self.status = Some("copied the path and the scope".into());
                vec![Request::Copy(text)]
            }
            Action::Export => match super::export::markdown(self) {
                Some(markdown) => vec![Request::Export {
                    stem: self.top().view.file_stem(),
                    markdown,
                }],
                None => {
                    self.status = Some("nothing to export yet".into());
                    Vec::new()
                }
            },
            Action::Sync => match self.job {
                Some(Job::Sync(_)) => {
                    self.status = Some("stopping the sync: what it fetched is kept".into());
                    vec![Request::StopSync]
                }
                Some(Job::Refresh) => {
                    self.status = Some("the refresh is running: sync when it ends".into());
                    Vec::new()
                }
                None => {
                    self.job = Some(Job::Sync("starting".into()));
                    self.status = None;
                    vec![Request::Sync]
                }
            },
        }
    }

    /// Rows a page key moves: the pane's height less header, tabs and footer.
    fn page_rows(&self) -> usize {
        usize::from(self.height.saturating_sub(6)).max(1)
    }

    fn move_sel(&mut self, by: i64) -> Vec<Request> {
        let n = self.doc().focusables().len();
        let top = self.top_mut();
        if n == 0 {
            top.sel = 0;
            return Vec::new();
        }
        let sel = (top.sel as i64).saturating_add(by).clamp(0, n as i64 - 1) as usize;
        top.sel = sel;
        // Near the end of a loaded events list: fetch the next page.
        if sel + 1 >= n {
            return self.more_events();
        }
        Vec::new()
    }

    fn switch_tab(&mut self, f: impl Fn(usize, usize) -> usize) -> Vec<Request> {
        let n = self.top().view.tabs().len();
        if n == 0 {
            return Vec::new();
        }
        let top = self.top_mut();
        let t = f(top.tab, n);
        if t < n && t != top.tab {
            top.tab = t;
            top.sel = 0;
        }
        Vec::new()
    }

    /// Opens `view` on top. The page already on top is not pushed again.
    pub fn push(&mut self, view: View) -> Vec<Request> {
        if self.top().view == view {
            return Vec::new();
        }
        let id = self.next_id;
        self.next_id += 1;
        self.stack.push(Page::new(id, view));
        self.show_top()
    }

    fn replace_top(&mut self, view: View) -> Vec<Request> {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
        self.push(view)
    }

    fn back(&mut self) -> Vec<Request> {
        if self.stack.len() > 1 {
            self.stack.pop();
            return self.show_top();
        }
        Vec::new()
    }

    /// Loads the page on top when it was never loaded, is stale, or was loaded for another
    /// scope.
    fn show_top(&mut self) -> Vec<Request> {
        let scope = self.scope;
        let top = self.top();
        let never = top.data.is_none() && !top.missing && !top.loading && top.error.is_none();
        let scope_moved = top.view.uses_scope()
            && top.loaded_scope.is_some()
            && top.loaded_scope != scope
            && !top.loading;
        if never || top.stale || scope_moved {
            self.top_mut().stale = false;
            return self.load_top();
        }
        Vec::new()
    }

    fn move_scope(&mut self, f: impl Fn(Scope) -> Scope) -> Vec<Request> {
        match self.scope {
            Some(s) => self.set_scope(f(s)),
            None => Vec::new(),
        }
    }

    /// Sets the scope: the page on top reloads when it depends on it, the others are
    /// reloaded when shown again.
    pub fn set_scope(&mut self, s: Scope) -> Vec<Request> {
        if self.scope == Some(s) {
            return Vec::new();
        }
        self.scope = Some(s);
        if self.top().view.uses_scope() {
            self.top_mut().stale = false;
            return self.load_top();
        }
        Vec::new()
    }

    /// `Finding ▸ sara ▸ DemoRole1` and the scope: what `Y` copies.
    pub fn path_text(&self) -> String {
        let crumbs: Vec<String> = self
            .stack
            .iter()
            .skip(1)
            .map(|p| {
                let id = p.view.id_text();
                if id.is_empty() {
                    p.crumb(40)
                } else {
                    format!("{} ({})", p.crumb(40), safe(&id))
                }
            })
            .collect();
        let path = if crumbs.is_empty() {
            "Home".to_string()
        } else {
            crumbs.join(" ▸ ")
        };
        match self.scope {
            Some(s) => format!("{path}\nscope {}", scope_text(&s)),
            None => path,
        }
    }

    /// Where exports go (the shell decides; kept here so tests can show it).
    pub fn export_dir() -> PathBuf {
        std::env::var_os("ROLECALL_EXPORT_DIR")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// A scope as `--scope` spells it.
pub fn scope_spec(s: Scope) -> String {
    format!(
        "{}..{}",
        crate::model::format_ms(s.start_ms),
        crate::model::format_ms(s.end_ms)
    )
}
