//! What `rolecall sync` remembers between runs (`0008_sync_state.sql`): the time spans of
//! `LookupEvents` known to be complete per account, region and filter, GuardDuty cursors per
//! detector, and the S3 objects already ingested (bucket, key, ETag). Plain reads and writes;
//! knows nothing of AWS. Callers write these only after the records they stand for are
//! committed, so a state row never claims more than the cache holds.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

/// A time span `[from_ms, to_ms)` whose `LookupEvents` records are all in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SyncSpan {
    pub from_ms: i64,
    pub to_ms: i64,
}

/// The complete spans of one account, region and filter, oldest first.
pub fn load_sync_spans(
    conn: &Connection,
    account: &str,
    region: &str,
    filter: &str,
) -> Result<Vec<SyncSpan>> {
    let mut stmt = conn.prepare_cached(
        "SELECT from_ms, to_ms FROM sync_spans
         WHERE account = ?1 AND region = ?2 AND filter = ?3 ORDER BY from_ms",
    )?;
    let rows = stmt.query_map(params![account, region, filter], |r| {
        Ok(SyncSpan {
            from_ms: r.get(0)?,
            to_ms: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Every recorded span, as (account, region, filter, span).
pub fn load_all_sync_spans(conn: &Connection) -> Result<Vec<(String, String, String, SyncSpan)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT account, region, filter, from_ms, to_ms FROM sync_spans
         ORDER BY account, region, filter, from_ms",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            SyncSpan {
                from_ms: r.get(3)?,
                to_ms: r.get(4)?,
            },
        ))
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A cursor row: (source, account, region, key, value).
pub type CursorRow = (String, String, String, String, i64);

/// Every cursor.
pub fn load_all_sync_cursors(conn: &Connection) -> Result<Vec<CursorRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT source, account, region, key, value_ms FROM sync_cursors")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Records `span` as complete, merged with every span it overlaps or touches (one row per
/// continuous stretch). Run it inside the caller's transaction.
pub fn insert_sync_span(
    conn: &Connection,
    account: &str,
    region: &str,
    filter: &str,
    span: SyncSpan,
) -> Result<()> {
    if span.to_ms <= span.from_ms {
        return Ok(());
    }
    let (from, to): (Option<i64>, Option<i64>) = conn
        .prepare_cached(
            "SELECT MIN(from_ms), MAX(to_ms) FROM sync_spans
             WHERE account = ?1 AND region = ?2 AND filter = ?3 AND from_ms <= ?5 AND to_ms >= ?4",
        )?
        .query_row(
            params![account, region, filter, span.from_ms, span.to_ms],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
    let from_ms = from.map_or(span.from_ms, |f| f.min(span.from_ms));
    let to_ms = to.map_or(span.to_ms, |t| t.max(span.to_ms));
    conn.prepare_cached(
        "DELETE FROM sync_spans
         WHERE account = ?1 AND region = ?2 AND filter = ?3 AND from_ms <= ?5 AND to_ms >= ?4",
    )?
    .execute(params![account, region, filter, span.from_ms, span.to_ms])?;
    conn.prepare_cached(
        "INSERT INTO sync_spans (account, region, filter, from_ms, to_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![account, region, filter, from_ms, to_ms])?;
    Ok(())
}

/// A cursor (`source` e.g. `guardduty`, `key` e.g. a detector ID), if one was recorded.
pub fn load_sync_cursor(
    conn: &Connection,
    source: &str,
    account: &str,
    region: &str,
    key: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT value_ms FROM sync_cursors
             WHERE source = ?1 AND account = ?2 AND region = ?3 AND key = ?4",
        )?
        .query_row(params![source, account, region, key], |r| r.get(0))
        .optional()?)
}

/// Moves a cursor forward to `value_ms` (never back: an older mark arriving late changes
/// nothing).
pub fn insert_sync_cursor(
    conn: &Connection,
    source: &str,
    account: &str,
    region: &str,
    key: &str,
    value_ms: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_cursors (source, account, region, key, value_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (source, account, region, key)
         DO UPDATE SET value_ms = MAX(value_ms, excluded.value_ms)",
    )?
    .execute(params![source, account, region, key, value_ms])?;
    Ok(())
}

/// The objects of `bucket` under `prefix` already ingested, as (key, ETag).
pub fn load_sync_objects(
    conn: &Connection,
    bucket: &str,
    prefix: &str,
) -> Result<HashSet<(String, String)>> {
    // A range on the primary key (bucket, key): one day's folder is read, not the bucket's
    // whole history. The end of the range is the prefix with its last character raised by one.
    let end = match prefix.chars().last() {
        Some(c) if c.is_ascii() && c != '\u{7f}' => {
            format!("{}{}", &prefix[..prefix.len() - 1], char::from(c as u8 + 1))
        }
        Some(_) => format!("{prefix}\u{10ffff}"),
        None => "\u{10ffff}".to_string(),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT key, etag FROM sync_objects WHERE bucket = ?1 AND key >= ?2 AND key < ?3",
    )?;
    let rows = stmt.query_map(params![bucket, prefix, end], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Records an object as ingested.
pub fn insert_sync_object(
    conn: &Connection,
    bucket: &str,
    key: &str,
    etag: &str,
    synced_ms: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO sync_objects (bucket, key, etag, synced_ms) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![bucket, key, etag, synced_ms])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn span(from_ms: i64, to_ms: i64) -> SyncSpan {
        SyncSpan { from_ms, to_ms }
    }

    #[test]
    fn spans_that_touch_or_overlap_merge_into_one() {
        let store = Store::open_in_memory().expect("store");
        let c = store.conn();
        insert_sync_span(c, "111122223333", "us-east-1", "", span(100, 200)).expect("insert");
        insert_sync_span(c, "111122223333", "us-east-1", "", span(300, 400)).expect("insert");
        assert_eq!(
            load_sync_spans(c, "111122223333", "us-east-1", "").expect("load"),
            vec![span(100, 200), span(300, 400)]
        );
        // Touching the first, overlapping the second.
        insert_sync_span(c, "111122223333", "us-east-1", "", span(200, 350)).expect("insert");
        assert_eq!(
            load_sync_spans(c, "111122223333", "us-east-1", "").expect("load"),
            vec![span(100, 400)]
        );
        // Inside: nothing changes.
        insert_sync_span(c, "111122223333", "us-east-1", "", span(150, 160)).expect("insert");
        assert_eq!(
            load_sync_spans(c, "111122223333", "us-east-1", "").expect("load"),
            vec![span(100, 400)]
        );
    }

    #[test]
    fn spans_are_kept_apart_by_account_region_and_filter() {
        let store = Store::open_in_memory().expect("store");
        let c = store.conn();
        insert_sync_span(c, "111122223333", "us-east-1", "", span(0, 10)).expect("insert");
        insert_sync_span(c, "444455556666", "us-east-1", "", span(5, 20)).expect("insert");
        insert_sync_span(c, "111122223333", "eu-west-1", "", span(5, 20)).expect("insert");
        insert_sync_span(c, "111122223333", "us-east-1", "Username=sara", span(5, 20))
            .expect("insert");
        assert_eq!(
            load_sync_spans(c, "111122223333", "us-east-1", "").expect("load"),
            vec![span(0, 10)]
        );
    }

    #[test]
    fn a_cursor_only_moves_forward() {
        let store = Store::open_in_memory().expect("store");
        let c = store.conn();
        let load = || load_sync_cursor(c, "guardduty", "111122223333", "us-east-1", "d1");
        assert_eq!(load().expect("load"), None);
        insert_sync_cursor(c, "guardduty", "111122223333", "us-east-1", "d1", 50).expect("insert");
        insert_sync_cursor(c, "guardduty", "111122223333", "us-east-1", "d1", 40).expect("insert");
        assert_eq!(load().expect("load"), Some(50));
    }

    #[test]
    fn objects_are_remembered_by_key_and_etag() {
        let store = Store::open_in_memory().expect("store");
        let c = store.conn();
        insert_sync_object(c, "trail", "AWSLogs/1/a.json.gz", "\"e1\"", 1).expect("insert");
        insert_sync_object(c, "trail", "AWSLogs/1/a.json.gz", "\"e1\"", 2).expect("again");
        insert_sync_object(c, "trail", "other/b.json.gz", "\"e2\"", 1).expect("insert");
        insert_sync_object(c, "trail", "AWSLogs0", "\"e3\"", 1).expect("insert");
        let done = load_sync_objects(c, "trail", "AWSLogs/").expect("load");
        assert_eq!(done.len(), 1);
        assert!(done.contains(&("AWSLogs/1/a.json.gz".to_string(), "\"e1\"".to_string())));
        assert!(
            load_sync_objects(c, "elsewhere", "")
                .expect("load")
                .is_empty()
        );
    }
}
