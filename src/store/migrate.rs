//! Append-only schema migrations, tracked in `PRAGMA user_version`. Knows the list and how to
//! apply it; never edits a shipped migration.

use rusqlite::{Connection, TransactionBehavior};

use super::{Result, StoreError};

/// Every migration, in order. Never edit a shipped one: append the next.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_attribution.sql"),
    include_str!("migrations/0003_event_indexes.sql"),
    include_str!("migrations/0004_rejects_once.sql"),
    include_str!("migrations/0005_session_keys.sql"),
    include_str!("migrations/0006_rollups.sql"),
    include_str!("migrations/0007_ip_ranges.sql"),
    include_str!("migrations/0008_sync_state.sql"),
];

/// The schema version this build reads and writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The schema version of the open cache.
pub fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the schema up to date; returns the version it started from when it migrated.
///
/// Every pending migration runs in one exclusive transaction, and the version is read again once
/// the lock is held: two processes opening an old (or brand-new) cache together migrate it once,
/// the second waiting for the first and then finding nothing to do. A failure leaves the cache as
/// it was.
pub fn run(conn: &mut Connection) -> Result<Option<i64>> {
    // Checked without a lock first: opening an up-to-date cache must not wait for a writer.
    if check(current_version(conn)?)? {
        return Ok(None);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let found = current_version(&tx)?;
    if check(found)? {
        return Ok(None);
    }
    for sql in MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", latest_version())?;
    tx.commit()?;
    Ok(Some(found))
}

/// Whether a cache at `found` is current; an error when it is newer than this build.
fn check(found: i64) -> Result<bool> {
    if found > latest_version() {
        return Err(StoreError::TooNew {
            found,
            known: latest_version(),
        });
    }
    Ok(found == latest_version())
}
