//! The typed events the console runs on: `Msg` (what happened: a key's action, a worker's
//! answer, a resize) and `Request` (what `App::update` asks the shell and the worker to do).
//! Answers carry the page id and generation they were asked for, so a stale one is dropped.

use std::path::PathBuf;

use super::action::Action;
use super::data::PageData;
use super::view::View;
use crate::analysis::{EventCursor, EventFilter, EventPage, RefreshReport, Resolution};
use crate::model::{Scope, Target};

/// A page's identity on the stack (never reused).
pub type PageId = u64;

/// A key typed into an open prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKey {
    Char(char),
    Backspace,
    Enter,
    Esc,
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Action(Action),
    Text(TextKey),
    Resize(u16, u16),
    /// The spinner's tick, sent only while something loads.
    Tick,
    /// A page's data (`Ok(None)`: the cache does not know the entity). `scope` is the scope
    /// it was loaded for (the default one when the app had none).
    Loaded {
        page: PageId,
        generation: u64,
        scope: Option<Scope>,
        result: Result<Option<PageData>, String>,
    },
    /// The next page of an events list.
    More {
        page: PageId,
        generation: u64,
        result: Result<Option<EventPage>, String>,
    },
    Resolved {
        input: String,
        result: Result<Resolution, String>,
    },
    /// A typed scope, resolved against the cache.
    ScopeResolved(Result<Scope, String>),
    /// Another process wrote to the cache.
    CacheChanged,
    RefreshStarted,
    Refreshed(Result<RefreshReport, String>),
    Exported(Result<PathBuf, String>),
    /// How the sync is going: one line, already sanitised.
    SyncProgress(String),
    /// The sync ended: its summary (stopped, failed sources and all), or why it could not run.
    Synced(Result<String, String>),
}

/// Something to do outside `App`.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Load a page (worker). `scope: None` asks for the default scope.
    Load {
        page: PageId,
        generation: u64,
        view: View,
        scope: Option<Scope>,
    },
    /// The next page of an events list (worker).
    More {
        page: PageId,
        generation: u64,
        of: Target,
        scope: Scope,
        filter: EventFilter,
        after: EventCursor,
    },
    /// Resolve typed input through `analysis::resolve` (worker).
    Resolve(String),
    /// Resolve a typed scope (`A..B`, `last:24h`, `finding:ID`) (worker).
    ResolveScope(String),
    /// Bring the derived tables up to date (the refresh job).
    Refresh,
    /// Run the configured sync sources, then refresh (shell: a thread of its own).
    Sync,
    /// Ask a running sync to stop cleanly (what it committed stays; the next one resumes).
    StopSync,
    /// Put text on the clipboard with OSC 52 (shell).
    Copy(String),
    /// Write a Markdown export (shell).
    Export {
        stem: String,
        markdown: String,
    },
    Quit,
}
