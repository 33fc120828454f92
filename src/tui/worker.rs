//! The worker: a thread that owns the console's read-only connection, answers `Request`s with
//! `Msg`s (tagged with the page and generation they were asked for), and notices when the cache
//! changes under it (the database file or its WAL grows or is rewritten) while idle. The UI
//! thread never touches SQLite; this thread never touches the terminal.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, SystemTime};

use super::data;
use super::msg::{Msg, Request};
use crate::analysis::{self, resolve, resolve_scope};
use crate::store::Store;

/// How often an idle worker looks at the cache file.
const WATCH_EVERY: Duration = Duration::from_millis(1500);

/// What a worker answers with (the shell wraps it in its own event).
pub type Reply = Box<dyn Fn(Msg) -> bool + Send>;

/// Runs until the request channel closes or `reply` returns false.
pub fn run(db: PathBuf, requests: Receiver<Request>, reply: Reply) {
    let store = open(&db);
    let mut seen = stamp(&db);
    loop {
        let req = match requests.recv_timeout(WATCH_EVERY) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => {
                let now = stamp(&db);
                if now != seen {
                    seen = now;
                    if !reply(Msg::CacheChanged) {
                        return;
                    }
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let msg = match &store {
            Ok(s) => answer(s, req),
            Err(e) => failed(req, e),
        };
        if let Some(m) = msg {
            if !reply(m) {
                return;
            }
        }
    }
}

/// The cache, read-only; a cache that does not exist yet is an empty one in memory (Home then
/// says how to fill it), never a file created by looking.
fn open(db: &Path) -> Result<Store, String> {
    if db.exists() {
        Store::open_read_only(db).map_err(|e| format!("cannot open {}: {e}", db.display()))
    } else {
        Store::open_in_memory().map_err(|e| e.to_string())
    }
}

/// Size and modification time of the cache and its WAL.
fn stamp(db: &Path) -> Vec<Option<(u64, SystemTime)>> {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    [db.to_path_buf(), PathBuf::from(wal)]
        .iter()
        .map(|p| {
            std::fs::metadata(p)
                .ok()
                .and_then(|m| Some((m.len(), m.modified().ok()?)))
        })
        .collect()
}

/// Answers one request on the worker's connection (`None`: not a worker request).
pub fn answer(store: &Store, req: Request) -> Option<Msg> {
    let conn = store.conn();
    let err = |e: analysis::AnalysisError| e.to_string();
    // Analyses never read the clock; the console does, for "the last 24 hours of the data"
    // not to be fooled by records dated in the future.
    let now_ms = chrono::Utc::now().timestamp_millis();
    Some(match req {
        Request::Load {
            page,
            generation,
            view,
            scope,
        } => {
            let scope = match scope {
                Some(s) => Ok(Some(s)),
                None => match resolve_scope(conn, None, now_ms) {
                    Ok(s) => Ok(Some(s)),
                    // A cache without events has no default scope: what needs none (Home,
                    // a finding, an event record) still loads.
                    Err(analysis::AnalysisError::NotFound(_)) => Ok(None),
                    Err(e) => Err(err(e)),
                },
            };
            let used = scope.as_ref().ok().copied().flatten();
            let result = match scope {
                Ok(Some(s)) => data::load(conn, &view, s, now_ms).map_err(err),
                Ok(None) if !view.uses_scope() => {
                    data::load(conn, &view, crate::model::Scope::covering(0, 0), now_ms)
                        .map_err(err)
                }
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
            Msg::Loaded {
                page,
                generation,
                scope: used,
                result,
            }
        }
        Request::More {
            page,
            generation,
            of,
            scope,
            filter,
            after,
        } => Msg::More {
            page,
            generation,
            result: data::load_events(conn, &of, scope, &filter, Some(after)).map_err(err),
        },
        Request::Resolve(input) => Msg::Resolved {
            result: resolve(conn, &input).map_err(err),
            input,
        },
        Request::ResolveScope(spec) => {
            Msg::ScopeResolved(resolve_scope(conn, Some(&spec), now_ms).map_err(err))
        }
        Request::Refresh
        | Request::Sync
        | Request::StopSync
        | Request::Copy(_)
        | Request::Export { .. }
        | Request::Quit => {
            return None;
        }
    })
}

fn failed(req: Request, e: &str) -> Option<Msg> {
    let e = e.to_string();
    Some(match req {
        Request::Load {
            page, generation, ..
        } => Msg::Loaded {
            page,
            generation,
            scope: None,
            result: Err(e),
        },
        Request::More {
            page, generation, ..
        } => Msg::More {
            page,
            generation,
            result: Err(e),
        },
        Request::Resolve(input) => Msg::Resolved {
            input,
            result: Err(e),
        },
        Request::ResolveScope(_) => Msg::ScopeResolved(Err(e)),
        _ => return None,
    })
}

/// The refresh job: brings the derived tables up to date on its own write connection. Only
/// for a cache that exists (looking never creates one).
pub fn refresh(db: &Path) -> Msg {
    if !db.exists() {
        return Msg::Refreshed(Ok(analysis::RefreshReport::default()));
    }
    let r = Store::open(db)
        .map_err(|e| e.to_string())
        .and_then(|mut s| analysis::refresh(&mut s).map_err(|e| e.to_string()));
    Msg::Refreshed(r)
}
