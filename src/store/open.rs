//! Finding, creating and connecting to the cache file, safely and as a good neighbour.
//!
//! The rule (DESIGN: "`--db` never changes the mode of anything rolecall did not create"): a
//! cache is a regular file rolecall created — owner-only, in an owner-only folder when it made
//! the folder — or an existing SQLite database with rolecall's schema (or none yet). A directory,
//! a device, a FIFO, a dangling symlink, an empty or non-SQLite file, another application's
//! database: refused before anything touches it. Nothing here ever changes a file's mode.
//!
//! Neighbours: several rolecall processes share one cache. A new cache appears at its path whole
//! (built under a temporary name, then hard-linked into place), so no process ever meets a
//! half-made one; connections wait for a busy writer instead of failing, and say so after a
//! second. Knows nothing of the schema beyond recognising it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::error::Refusal;
use super::{Result, StoreError, migrate};

/// Something the user should hear about while the cache is opened or used. Library code does not
/// print: the command line and the console each install a handler (`set_notice_handler`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// Another connection has held the cache's write lock for a second; this one keeps waiting.
    WaitingForWriter { path: PathBuf },
    /// The cache file can be read by other users. rolecall leaves the mode as it is.
    ReadableByOthers { path: PathBuf, mode: u32 },
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::WaitingForWriter { path } => write!(
                f,
                "another process is writing to the cache {}: waiting for it to finish",
                path.display()
            ),
            Notice::ReadableByOthers { path, mode } => write!(
                f,
                "warning: other users can read the cache {} (mode {mode:03o}); rolecall \
                 leaves its mode alone (`chmod 600` makes it private)",
                path.display()
            ),
        }
    }
}

type NoticeHandler = Box<dyn Fn(&Notice) + Send + Sync>;

static NOTICE_HANDLER: OnceLock<NoticeHandler> = OnceLock::new();

/// Installs the process's notice handler (once; returns `false` if one was already set). Without
/// one, notices go to `tracing` at warning level.
pub fn set_notice_handler(handler: impl Fn(&Notice) + Send + Sync + 'static) -> bool {
    NOTICE_HANDLER.set(Box::new(handler)).is_ok()
}

pub(super) fn notify(notice: &Notice) {
    match NOTICE_HANDLER.get() {
        Some(handler) => handler(notice),
        None => tracing::warn!("{notice}"),
    }
}

/// How long a connection waits for a lock before it says it is waiting.
const NOTICE_AFTER: Duration = Duration::from_secs(1);

/// What a path given as the cache turned out to be.
pub(super) enum Found {
    Missing,
    /// A regular file with the SQLite header (through a symlink, possibly); its mode bits.
    Sqlite {
        mode: u32,
    },
}

/// Looks at `path` without changing anything, and refuses what cannot be a cache.
pub(super) fn inspect(path: &Path) -> Result<Found> {
    let refuse = |reason| StoreError::NotACache {
        path: path.to_path_buf(),
        reason,
    };
    let link = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(StoreError::io(path, e)),
        Ok(m) => m.file_type().is_symlink(),
    };
    // Now follow a symlink: one to an existing cache is fine, one that leads nowhere (dangling
    // or looping) is not: creating through it would make a file the user never named.
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if link && e.kind() != std::io::ErrorKind::PermissionDenied => {
            return Err(refuse(Refusal::DanglingSymlink));
        }
        Err(e) => return Err(StoreError::io(path, e)),
    };
    if !meta.is_file() {
        return Err(refuse(kind_of(&meta.file_type())));
    }
    if meta.len() == 0 {
        return Err(refuse(Refusal::EmptyFile));
    }
    let mut header = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => refuse(Refusal::NotSqlite),
            _ => StoreError::io(path, e),
        });
    read?;
    if &header != b"SQLite format 3\0" {
        return Err(refuse(Refusal::NotSqlite));
    }
    Ok(Found::Sqlite {
        mode: mode_of(&meta),
    })
}

#[cfg(unix)]
fn kind_of(t: &std::fs::FileType) -> Refusal {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        Refusal::Directory
    } else if t.is_fifo() {
        Refusal::Fifo
    } else if t.is_socket() {
        Refusal::Socket
    } else if t.is_char_device() {
        Refusal::CharDevice
    } else if t.is_block_device() {
        Refusal::BlockDevice
    } else {
        Refusal::NotRegular
    }
}

#[cfg(not(unix))]
fn kind_of(t: &std::fs::FileType) -> Refusal {
    if t.is_dir() {
        Refusal::Directory
    } else {
        Refusal::NotRegular
    }
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> u32 {
    0o600
}

/// Warns (never chmods) when an existing cache is readable or writable by others.
pub(super) fn warn_if_shared(path: &Path, mode: u32) {
    if mode & 0o077 != 0 {
        notify(&Notice::ReadableByOthers {
            path: path.to_path_buf(),
            mode,
        });
    }
}

/// Creates `dir` and any missing parents owner-only (0700); existing folders are left as they
/// are.
pub fn create_dir_owner_only(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| StoreError::io(dir, e))
}

/// Creates a new cache at `path`, whole: schema built in an owner-only temporary file beside it,
/// then hard-linked into place, which fails if anything appeared at `path` meanwhile (another
/// rolecall won the race: its cache is used). Returns whether this call created it.
pub(super) fn create(path: &Path) -> Result<bool> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    create_dir_owner_only(dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "cache".into(), |n| n.to_string_lossy().into_owned());
    // Unique per process and call: the clock alone is not (two threads of one process read the
    // same nanosecond often enough for CI to meet it), and a name shared by two calls let one
    // remove the file the other was building.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        ".{name}.creating-{}-{call}-{nanos:09}",
        std::process::id()
    ));
    // Only what this call created is removed: the name is ours only once `create_new` says so.
    create_owner_only_file(&tmp)?;
    let linked = build_schema(&tmp).map(|()| link(&tmp, path));
    remove_with_sidecars(&tmp);
    match linked? {
        Link::Linked => Ok(true),
        Link::Raced => Ok(false),
        // A file system without hard links: create in place. The schema then arrives in one
        // exclusive transaction; a neighbour opening the file meanwhile finds it empty and is
        // told so (it can retry), which is the worst that can happen.
        Link::Unsupported => match create_owner_only_file(path) {
            Ok(()) => match build_schema(path) {
                Ok(()) => Ok(true),
                Err(e) => {
                    // Ours, and empty: an empty file would be refused as "not a cache" later.
                    remove_with_sidecars(path);
                    Err(e)
                }
            },
            Err(StoreError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        },
    }
}

/// Links the finished temporary file at `path`; it fails if anything is there already.
fn link(tmp: &Path, path: &Path) -> Link {
    match std::fs::hard_link(tmp, path) {
        Ok(()) => Link::Linked,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Link::Raced,
        Err(e) => {
            tracing::debug!(error = %e, "no hard link here: creating the cache in place");
            Link::Unsupported
        }
    }
}

enum Link {
    Linked,
    Raced,
    Unsupported,
}

/// Creates an empty file readable by its owner only, failing if anything exists at `path`
/// (including a symlink, dangling or not).
fn create_owner_only_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| StoreError::io(path, e))
}

/// Gives a fresh file the schema, in WAL mode, and closes it (which folds the WAL back in and
/// removes it, so the file alone is the cache).
fn build_schema(path: &Path) -> Result<()> {
    let mut conn = connect(path, Access::ReadWrite)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    migrate::run(&mut conn)?;
    conn.close().map_err(|(_, e)| StoreError::Sqlite(e))
}

fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

/// How a connection may use the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    ReadOnly,
    ReadWrite,
}

/// Connects to an existing file (never creates one: creation is `create`'s job), with URIs off
/// (the path is a path, whatever it looks like) and a busy handler that waits for writers.
pub(super) fn connect(path: &Path, access: Access) -> Result<Connection> {
    let mode = match access {
        Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
    };
    let mut conn = Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    wait_for_writers(&mut conn, path)?;
    Ok(conn)
}

/// Waits as long as another connection holds a lock this one needs: a second ingest waits for
/// the first, a reader for a writer switching the journal. Says so once per connection, after a
/// second; the user can always interrupt. Never gives up on its own: a lock is released when its
/// holder ends, however it ends.
fn wait_for_writers(conn: &mut Connection, path: &Path) -> Result<()> {
    let path = path.to_path_buf();
    let mut started = Instant::now();
    let mut told = false;
    conn.busy_handler(Some(move |count: i32| {
        if count == 0 {
            started = Instant::now();
        }
        if !told && started.elapsed() >= NOTICE_AFTER {
            told = true;
            notify(&Notice::WaitingForWriter { path: path.clone() });
        }
        std::thread::sleep(backoff(count));
        true
    }))?;
    Ok(())
}

/// Short sleeps first (most waits are a commit's length), then a steady poll.
fn backoff(count: i32) -> Duration {
    const STEPS_MS: [u64; 8] = [1, 2, 5, 10, 15, 20, 25, 50];
    let ms = usize::try_from(count)
        .ok()
        .and_then(|i| STEPS_MS.get(i).copied())
        .unwrap_or(50);
    Duration::from_millis(ms)
}

/// What the tables of an existing SQLite file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Schema {
    /// No tables at all: an empty database, which may become a cache.
    Empty,
    /// rolecall's tables.
    Rolecall,
}

/// Recognises rolecall's schema (its first migration's core tables) without changing anything;
/// another application's database is refused.
pub(super) fn recognise(conn: &Connection, path: &Path) -> Result<Schema> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    if tables.is_empty() {
        return Ok(Schema::Empty);
    }
    let ours = ["strings", "events", "ingest_runs", "rejects"]
        .iter()
        .all(|t| tables.iter().any(|n| n == t));
    if ours {
        Ok(Schema::Rolecall)
    } else {
        Err(StoreError::NotACache {
            path: path.to_path_buf(),
            reason: Refusal::OtherSqlite,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_short_and_settles() {
        assert_eq!(backoff(0), Duration::from_millis(1));
        assert_eq!(backoff(7), Duration::from_millis(50));
        assert_eq!(backoff(1000), Duration::from_millis(50));
        assert_eq!(backoff(-1), Duration::from_millis(50));
    }

    #[test]
    fn notices_read_as_one_line() {
        let n = Notice::ReadableByOthers {
            path: "/c/rolecall.db".into(),
            mode: 0o644,
        };
        let text = n.to_string();
        assert!(text.contains("mode 644"), "{text}");
        assert!(!text.contains('\n'));
    }
}
