//! Append-only schema migrations, tracked in `PRAGMA user_version`.

use rusqlite::Connection;

use super::{Result, StoreError};

/// Every migration, in order. Never edit a shipped one: append the next.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_attribution.sql"),
    include_str!("migrations/0003_event_indexes.sql"),
    include_str!("migrations/0006_session_keys.sql"),
    include_str!("migrations/0007_rollups.sql"),
];

pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Applies the migrations the cache has not seen, each in its own transaction.
pub fn run(conn: &mut Connection) -> Result<()> {
    let found = current_version(conn)?;
    if found > latest_version() {
        return Err(StoreError::TooNew {
            found,
            known: latest_version(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
