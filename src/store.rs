//! The SQLite cache: opening it (safely, read-only for readers, shared with other processes),
//! schema and append-only migrations, batched writes (one transaction per file or group of
//! files), and the plain read queries other layers build on. Knows nothing about panes, the CLI
//! or raw log formats.

mod attribution;
mod error;
mod events_read;
mod info;
mod intern;
mod lookup;
mod migrate;
mod novelty;
mod open;
mod pages;
mod queries;
mod ranges;
mod raw;
mod rollup;
mod session_keys;
mod sync_state;
mod writer;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use open::{Access, Found, Schema};

pub use attribution::{
    IssuanceLookup, StsCopy, insert_issuance, insert_issuance_principal, insert_parent_link,
    insert_session_from_issuance, insert_watermark, load_issuance, load_issuance_by_dedup,
    load_issuance_by_event_id, load_issuances_by_caller, load_issuances_by_caller_name,
    load_latest_issuance, load_link_candidates, load_session_issuance_rows, load_sts_copies,
    load_unlinked_callers_of, load_watermark,
};
pub use error::{Refusal, StoreError};
pub use events_read::{
    CachedEvent, load_call_by_key_near, load_call_by_principal_near, load_event,
    load_latest_call_by_key, load_latest_call_by_principal, load_latest_event_ms,
    load_max_event_row,
};
pub use info::{
    CacheInfo, CoverageRow, FUTURE_TOLERANCE_MS, Freshness, FutureRecords, load_all_rejects,
    load_freshness, load_future_records, load_info, load_latest_event_ms_until, load_rejects,
};
pub use lookup::{
    ExternalUserRow, load_account_is_known, load_external_user_principals,
    load_external_users_named, load_ip_is_known, load_principals_by_arn, load_principals_named,
    load_roles_named,
};
pub use migrate::latest_version as latest_schema_version;
pub use novelty::{
    load_coverage_days, load_coverage_first, load_entity_first_ms, load_first_call_with,
    load_seen_value,
};
pub use open::{Notice, create_dir_owner_only, set_notice_handler};
pub use pages::{
    EventsFilter, EventsOf, TopBy, load_event_raw, load_events_page, load_top_sessions,
};
pub use queries::{
    IssuanceGroup, PrincipalRow, load_assumers_of, load_days_with_data, load_earliest_event_ms,
    load_finding, load_findings, load_findings_of, load_principal, load_principal_by_arn,
    load_role_arns, load_role_last_active, load_role_sessions, load_roles_assumed_by,
    load_session_issuances, load_sessions_started_by,
};
pub use ranges::{RangesRow, load_ip_ranges};
pub use raw::{BLOCK_RECORDS, EventBlock, load_raw};
pub use rollup::{
    Counts, Dim, Entity, EntityKind, Seen, api_parts, api_value, fold_events, hours_of,
    load_edge_counts, load_fine_series, load_rollup_days, load_rollup_hours, load_rollup_last_hour,
    load_rollup_seen, load_scope_counts, load_scope_total, split_days,
};
pub use session_keys::{
    SessionKey, insert_session_key_link, load_changed_unlinked_with_key_candidates,
    load_latest_unlinked_session_key, load_session_key_of_call, load_session_keys,
    load_unlinked_keys_of_roles, load_unlinked_session_key_count, load_unlinked_session_keys_near,
};
pub use sync_state::{
    SyncSpan, insert_sync_cursor, insert_sync_object, insert_sync_span, load_all_sync_cursors,
    load_all_sync_spans, load_sync_cursor, load_sync_objects, load_sync_spans,
};
pub use writer::{FileWriter, Inserted, RunTotals};

use intern::Interner;

pub type Result<T> = std::result::Result<T, StoreError>;

/// The cache. Owns one connection; a writer (`FileWriter`) borrows it for one file at a time.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    interner: Interner,
    access: Access,
    migrated_from: Option<i64>,
}

impl Store {
    /// Opens the cache at `path` for writing, creating it when nothing is there (owner-only, in
    /// an owner-only folder if the folder is new), and brings its schema up to date. Refuses,
    /// untouched, anything that is not a cache (`StoreError::NotACache`); warns (`Notice`) when
    /// an existing cache is readable by others.
    pub fn open(path: &Path) -> Result<Store> {
        let existing = match open::inspect(path)? {
            Found::Missing if open::create(path)? => None,
            // Another process created it between the look and the link: it is used like any
            // existing cache.
            Found::Missing => Some(open::inspect(path)?),
            found => Some(found),
        };
        let mode = match existing {
            Some(Found::Sqlite { mode }) => Some(mode),
            Some(Found::Missing) => return Err(StoreError::Missing(path.to_path_buf())),
            None => None,
        };
        let mut conn = open::connect(path, Access::ReadWrite)?;
        open::recognise(&conn, path)?;
        if let Some(mode) = mode {
            open::warn_if_shared(path, mode);
        }
        // WAL: readers never block the writer nor wait for it, and a killed ingest leaves the
        // last committed transaction intact. NORMAL sync is durable across application crashes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -65536)?;
        let migrated_from = migrate::run(&mut conn)?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            interner: Interner::default(),
            access: Access::ReadWrite,
            migrated_from,
        })
    }

    /// Opens an existing cache for writing, as `open` does, but never creates one: `db refresh`
    /// on a mistyped path says there is no cache there instead of making an empty one.
    pub fn open_existing(path: &Path) -> Result<Store> {
        match open::inspect(path)? {
            Found::Missing => Err(StoreError::Missing(path.to_path_buf())),
            Found::Sqlite { .. } => Store::open(path),
        }
    }

    /// Opens an existing cache read-only: the analyses, `db info`, the console's worker. Never
    /// writes, never migrates, and does not wait for writers: a WAL reader sees the last commit
    /// (only SQLite's brief recovery after a writer was killed is waited for). An older schema
    /// is `StoreError::Outdated` (`Store::open`, e.g. `rolecall db refresh`, migrates it); what
    /// is not a cache is refused as `open` refuses it. Safe to move to a worker thread.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let Found::Sqlite { mode } = open::inspect(path)? else {
            return Err(StoreError::Missing(path.to_path_buf()));
        };
        let conn = open::connect(path, Access::ReadOnly)?;
        if open::recognise(&conn, path)? == Schema::Empty {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        open::warn_if_shared(path, mode);
        let found = migrate::current_version(&conn)?;
        if found > migrate::latest_version() {
            return Err(StoreError::TooNew {
                found,
                known: migrate::latest_version(),
            });
        }
        if found < migrate::latest_version() {
            return Err(StoreError::Outdated {
                path: path.to_path_buf(),
                found,
                wanted: migrate::latest_version(),
            });
        }
        conn.pragma_update(None, "cache_size", -65536)?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            interner: Interner::default(),
            access: Access::ReadOnly,
            migrated_from: None,
        })
    }

    /// An in-memory cache for tests.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate::run(&mut conn)?;
        Ok(Store {
            conn,
            path: None,
            interner: Interner::default(),
            access: Access::ReadWrite,
            migrated_from: None,
        })
    }

    /// The schema version this open migrated the cache from, if it did.
    pub fn migrated_from(&self) -> Option<i64> {
        self.migrated_from
    }

    /// Whether the cache was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.access == Access::ReadOnly
    }

    /// Starts a write transaction, taking the write lock at once (waiting for another writer if
    /// need be). A deferred transaction that reads first would fail, not wait, if another
    /// process committed between its first read and its first write.
    pub fn begin_write(&mut self) -> Result<rusqlite::Transaction<'_>> {
        if self.is_read_only() {
            return Err(StoreError::ReadOnly);
        }
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Makes every later query on this connection see the cache as it is now, until the store is
    /// dropped: a command's answers stay consistent while an ingest commits beside it. For
    /// short-lived readers (one command); a long-lived one should not hold a snapshot, which
    /// keeps the write-ahead log from being folded back past it.
    /// Does nothing when a transaction is already open.
    pub fn hold_snapshot(&self) -> Result<()> {
        if !self.conn.is_autocommit() {
            return Ok(());
        }
        self.conn.execute_batch("BEGIN DEFERRED")?;
        // A deferred transaction takes its snapshot at its first read.
        self.conn
            .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })?;
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
    pub fn set_write_mode(&self, mode: WriteMode) -> Result<()> {
        let (sync, pages) = match mode {
            WriteMode::Bulk => ("OFF", 16_384),
            WriteMode::Normal => ("NORMAL", 1_000),
        };
        self.conn.pragma_update(None, "synchronous", sync)?;
        self.conn.pragma_update(None, "wal_autocheckpoint", pages)?;
        Ok(())
    }
}

/// How the cache is written: `Bulk` during an ingest, `Normal` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    Bulk,
    Normal,
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
