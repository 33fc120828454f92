//! String interning: each distinct string is stored once in `strings` and referenced by id.

use rusqlite::{Connection, OptionalExtension};

use super::Result;

/// Caps the in-memory map so memory stays bounded on huge, high-cardinality inputs.
const MAX_CACHED: usize = 1_000_000;

/// An in-memory cache in front of the `strings` table. Strings are never deleted, so a cached id
/// stays valid — except ids inserted by a transaction that rolled back: `forget` after rollback.
#[derive(Default)]
pub struct Interner {
    ids: foldhash::HashMap<Box<str>, i64>,
}

impl Interner {
    pub fn id(&mut self, conn: &Connection, s: &str) -> Result<i64> {
        if let Some(id) = self.ids.get(s) {
            return Ok(*id);
        }
        let found: Option<i64> = conn
            .prepare_cached("SELECT id FROM strings WHERE s = ?1")?
            .query_row([s], |r| r.get(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                conn.prepare_cached("INSERT INTO strings (s) VALUES (?1)")?
                    .execute([s])?;
                conn.last_insert_rowid()
            }
        };
        if self.ids.len() >= MAX_CACHED {
            self.ids.clear();
        }
        self.ids.insert(s.into(), id);
        Ok(id)
    }

    pub fn opt(&mut self, conn: &Connection, s: Option<&str>) -> Result<Option<i64>> {
        s.map(|s| self.id(conn, s)).transpose()
    }

    pub fn forget(&mut self) {
        self.ids.clear();
    }
}
