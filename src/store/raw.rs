//! Original records, compressed with zstd in blocks: a record is found by `raw_ref`
//! (block id << 8 | index within the block).

use rusqlite::{Connection, OptionalExtension};

use super::{Result, StoreError};
use crate::model::Event;

/// Records per block: big enough for zstd to find the repetition between records, small enough
/// that showing one event decompresses little.
pub const BLOCK_RECORDS: usize = 64;
const ZSTD_LEVEL: i32 = 1;

pub fn raw_ref(block: i64, index: usize) -> i64 {
    (block << 8) | index as i64
}

/// Up to `BLOCK_RECORDS` events with their original records already compressed together, so
/// the compression can run on a reader thread while the writer thread inserts.
pub struct EventBlock {
    pub(super) events: Vec<Event>,
    pub(super) compressed: Vec<u8>,
}

impl EventBlock {
    /// Compresses the events' original records (and drops the uncompressed copies).
    pub fn new(mut events: Vec<Event>) -> Result<EventBlock> {
        let mut builder = BlockBuilder::default();
        for ev in &mut events {
            builder.push(ev.raw.as_bytes());
            ev.raw = String::new();
        }
        let compressed = compress(&builder.buf)?;
        Ok(EventBlock { events, compressed })
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Roughly the memory the block holds (for bounding what is in flight).
    pub fn weight(&self) -> usize {
        self.compressed.len() + self.events.len() * std::mem::size_of::<Event>() * 2
    }
}

thread_local! {
    /// One compression context per thread: creating a context allocates its tables, which costs
    /// more than compressing a small block.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

fn compress(plain: &[u8]) -> Result<Vec<u8>> {
    let failed = |e: std::io::Error| StoreError::CorruptBlock {
        block: 0,
        reason: format!("compressing: {e}"),
    };
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let compressor = match slot.as_mut() {
            Some(c) => c,
            None => slot.insert(zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(failed)?),
        };
        compressor.compress(plain).map_err(failed)
    })
}

pub fn insert_compressed_block(conn: &Connection, id: i64, data: &[u8]) -> Result<()> {
    conn.prepare_cached("INSERT INTO raw_blocks (id, data) VALUES (?1, ?2)")?
        .execute(rusqlite::params![id, data])?;
    Ok(())
}

/// Accumulates records for one block.
#[derive(Default)]
pub struct BlockBuilder {
    buf: Vec<u8>,
    count: usize,
}

impl BlockBuilder {
    /// Appends a record; returns its index within the block.
    pub fn push(&mut self, record: &[u8]) -> usize {
        self.buf
            .extend_from_slice(&(record.len() as u32).to_le_bytes());
        self.buf.extend_from_slice(record);
        self.count += 1;
        self.count - 1
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_full(&self) -> bool {
        self.count >= BLOCK_RECORDS
    }

    /// Compresses and writes the block as `id`, leaving the builder empty.
    pub fn flush(&mut self, conn: &Connection, id: i64) -> Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        insert_compressed_block(conn, id, &compress(&self.buf)?)?;
        self.buf.clear();
        self.count = 0;
        Ok(())
    }
}

/// Splits a decompressed block into its records.
fn records(block: i64, data: &[u8]) -> Result<Vec<&[u8]>> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let corrupt = || StoreError::CorruptBlock {
            block,
            reason: "truncated record".into(),
        };
        let len_bytes: [u8; 4] = rest
            .get(..4)
            .ok_or_else(corrupt)?
            .try_into()
            .map_err(|_| corrupt())?;
        let len = u32::from_le_bytes(len_bytes) as usize;
        let rec = rest.get(4..4 + len).ok_or_else(corrupt)?;
        out.push(rec);
        rest = &rest[4 + len..];
    }
    Ok(out)
}

/// The original record an event row points at, as JSON text.
pub fn load_raw(conn: &Connection, raw_ref: i64) -> Result<Option<String>> {
    let block = raw_ref >> 8;
    let index = (raw_ref & 0xff) as usize;
    let data: Option<Vec<u8>> = conn
        .prepare_cached("SELECT data FROM raw_blocks WHERE id = ?1")?
        .query_row([block], |r| r.get(0))
        .optional()?;
    let Some(data) = data else { return Ok(None) };
    let plain = zstd::stream::decode_all(&data[..]).map_err(|e| StoreError::CorruptBlock {
        block,
        reason: e.to_string(),
    })?;
    let recs = records(block, &plain)?;
    Ok(recs
        .get(index)
        .map(|r| String::from_utf8_lossy(r).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_round_trips_records_by_index() {
        let mut b = BlockBuilder::default();
        assert_eq!(b.push(b"{\"a\":1}"), 0);
        assert_eq!(b.push(b""), 1);
        assert_eq!(b.push("{\"b\":\"é\"}".as_bytes()), 2);
        let conn = Connection::open_in_memory().expect("memory db");
        conn.execute_batch("CREATE TABLE raw_blocks (id INTEGER PRIMARY KEY, data BLOB NOT NULL);")
            .expect("table");
        b.flush(&conn, 7).expect("flush");
        assert_eq!(b.len(), 0);
        assert_eq!(
            load_raw(&conn, raw_ref(7, 0)).expect("load").as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(
            load_raw(&conn, raw_ref(7, 1)).expect("load").as_deref(),
            Some("")
        );
        assert_eq!(
            load_raw(&conn, raw_ref(7, 2)).expect("load").as_deref(),
            Some("{\"b\":\"é\"}")
        );
        assert_eq!(load_raw(&conn, raw_ref(7, 3)).expect("load"), None);
        assert_eq!(load_raw(&conn, raw_ref(8, 0)).expect("load"), None);
    }
}
