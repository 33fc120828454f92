//! The SQLite cache: schema and append-only migrations, batched writes (one transaction per
//! file), and the plain read queries other layers build on. Knows nothing about panes, the CLI or
//! raw log formats.

mod attribution;
mod error;
mod events_read;
mod info;
mod intern;
mod lookup;
mod migrate;
mod pages;
mod queries;
mod raw;
mod rollup;
mod session_keys;
mod writer;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use attribution::{
    IssuanceLookup, StsCopy, insert_issuance, insert_issuance_principal, insert_parent_link,
    insert_session_from_issuance, insert_watermark, load_issuance, load_issuance_by_dedup,
    load_issuance_by_event_id, load_issuances_by_caller, load_issuances_by_caller_name,
    load_latest_issuance, load_link_candidates, load_session_issuance_rows, load_sts_copies,
    load_unlinked_callers_of, load_watermark,
};
pub use error::StoreError;
pub use events_read::{
    CachedEvent, load_call_by_key_near, load_call_by_principal_near, load_event,
    load_latest_call_by_key, load_latest_call_by_principal, load_latest_event_ms,
    load_max_event_row,
};
pub use info::{CacheInfo, CoverageRow, load_all_rejects, load_info, load_rejects};
pub use lookup::{
    ExternalUserRow, load_account_is_known, load_external_users_named, load_ip_is_known,
    load_principals_by_arn, load_principals_named, load_roles_named,
};
pub use pages::{
    EventsFilter, EventsOf, TopBy, load_event_raw, load_events_page, load_top_sessions,
};
pub use queries::{
    IssuanceGroup, PrincipalRow, load_assumers_of, load_days_with_data, load_earliest_event_ms,
    load_finding, load_findings, load_findings_of, load_principal, load_principal_by_arn,
    load_role_arns, load_role_last_active, load_role_sessions, load_roles_assumed_by,
    load_session_issuances, load_sessions_started_by,
};
pub use raw::{BLOCK_RECORDS, EventBlock, load_raw};
pub use rollup::{
    Counts, Dim, Entity, EntityKind, Seen, api_parts, api_value, fold_events, hours_of,
    load_fine_series, load_rollup_hours, load_rollup_last_hour, load_rollup_seen,
    load_scope_counts, load_scope_total, split_days,
};
pub use session_keys::{
    SessionKey, insert_session_key_link, load_changed_unlinked_with_key_candidates,
    load_session_key_of_call, load_session_keys, load_unlinked_keys_of_roles,
    load_unlinked_session_key_count, load_unlinked_session_keys_of,
};
pub use writer::{FileWriter, Inserted, RunTotals};

use intern::Interner;

pub type Result<T> = std::result::Result<T, StoreError>;

/// The cache. Owns one connection; a writer (`FileWriter`) borrows it for one file at a time.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    interner: Interner,
}

impl Store {
    /// Opens (creating if needed, owner-only) the cache at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::io(path, e))?;
        }
        create_owner_only(path)?;
        let conn = Connection::open(path)?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
            interner: Interner::default(),
        };
        store.configure()?;
        Ok(store)
    }

    /// Opens an existing cache read-only (the TUI worker, analyses).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version = migrate::current_version(&conn)?;
        if version < migrate::latest_version() {
            return Err(StoreError::Outdated {
                found: version,
                wanted: migrate::latest_version(),
            });
        }
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            interner: Interner::default(),
        })
    }

    /// An in-memory cache for tests.
    pub fn open_in_memory() -> Result<Store> {
        let mut store = Store {
            conn: Connection::open_in_memory()?,
            path: None,
            interner: Interner::default(),
        };
        store.configure()?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<()> {
        self.conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // WAL: readers (the TUI worker) never block the writer, and a killed ingest leaves the
        // last committed file intact. NORMAL sync is durable across application crashes.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.pragma_update(None, "cache_size", -65536)?;
        migrate::run(&mut self.conn)?;
        Ok(())
    }

    /// The underlying connection, for read queries in `store` submodules and `analysis`.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Mutable access for layers that own derived tables (`analysis` attribution).
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Where the cache lives (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Write settings for a long ingest, and back. `synchronous = OFF` skips the fsyncs: a killed
    /// process still cannot corrupt the cache or lose a committed file (that only needs the WAL),
    /// only a power loss during the ingest could, and the ingest can be re-run. Fewer, larger
    /// checkpoints copy each page from the WAL to the database fewer times.
    pub fn set_bulk_pragmas(&self, on: bool) -> Result<()> {
        let (sync, pages) = if on {
            ("OFF", 16_384)
        } else {
            ("NORMAL", 1_000)
        };
        self.conn.pragma_update(None, "synchronous", sync)?;
        self.conn.pragma_update(None, "wal_autocheckpoint", pages)?;
        Ok(())
    }

    /// The integer key of an interned string, if the cache has ever seen it.
    pub fn lookup_string(&self, s: &str) -> Result<Option<i64>> {
        lookup_string(&self.conn, s)
    }
}

/// The integer key of an interned string, if the cache has ever seen it.
pub fn lookup_string(conn: &Connection, s: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM strings WHERE s = ?1")?
        .query_row([s], |r| r.get(0))
        .optional()?)
}

/// The text of an interned string key.
pub fn load_string(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT s FROM strings WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// The xxh3 hash of an event ID as SQLite stores it (`events.id_hash`).
pub fn event_id_hash(event_id: &str) -> i64 {
    xxhash_rust::xxh3::xxh3_64(event_id.as_bytes()) as i64
}

/// Creates the cache file owner-only before SQLite opens it (no window where it is readable by
/// others), and tightens an existing one: the cache holds who-did-what across an organisation.
/// SQLite gives its `-wal` and `-shm` files the database file's mode.
#[cfg(unix)]
fn create_owner_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| StoreError::io(path, e))
        }
        Err(e) => Err(StoreError::io(path, e)),
    }
}

#[cfg(not(unix))]
fn create_owner_only(_path: &Path) -> Result<()> {
    Ok(())
}
