//! The join between fetching and the pipeline. Fetching tasks send `Item`s down one channel:
//! inputs (a `LookupEvents` page, an S3 object, a batch of findings) and marks (what to
//! remember once those inputs are in the cache). The pipeline's reader thread pulls inputs
//! through `Feed`, which notes how many inputs came before each mark; the writer's progress
//! says how many inputs are committed, and `Marks` records each mark only once everything
//! before it is: a cursor never runs ahead of the cache.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::ingest::Input;
use crate::store::{self, Store, SyncSpan};

/// What fetching tasks send.
#[derive(Debug)]
pub enum Item {
    /// An input, and what to remember once it is committed (sent together, so a task stopped
    /// between the two cannot leave an input committed but not remembered).
    Input(Input, Option<Mark>),
    /// Something to remember once every input sent before it is committed.
    Mark(Mark),
}

/// Something to remember once the inputs sent before it are committed.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// `LookupEvents`: a span complete for an account, region and filter.
    Span {
        account: String,
        region: String,
        filter: String,
        span: SyncSpan,
    },
    /// A cursor moved forward (GuardDuty: a detector's newest `updatedAt` fetched).
    Cursor {
        source: &'static str,
        account: String,
        region: String,
        key: String,
        value_ms: i64,
    },
    /// An S3 object ingested.
    Object {
        bucket: String,
        key: String,
        etag: String,
    },
}

/// Marks waiting for their inputs to be committed: (inputs sent before the mark, mark).
#[derive(Clone, Default)]
pub struct Pending(Arc<Mutex<VecDeque<(u64, Mark)>>>);

impl Pending {
    fn push(&self, after: u64, mark: Mark) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back((after, mark));
    }

    /// Takes the marks whose inputs are all among the first `committed`.
    pub fn ready(&self, committed: u64) -> Vec<Mark> {
        let mut q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        while q.front().is_some_and(|(after, _)| *after <= committed) {
            if let Some((_, m)) = q.pop_front() {
                out.push(m);
            }
        }
        out
    }
}

/// The pipeline's input iterator: the channel's inputs, with marks set aside in order.
pub struct Feed {
    rx: tokio::sync::mpsc::Receiver<Item>,
    sent: u64,
    pending: Pending,
}

impl Feed {
    pub fn new(rx: tokio::sync::mpsc::Receiver<Item>, pending: Pending) -> Feed {
        Feed {
            rx,
            sent: 0,
            pending,
        }
    }
}

impl Iterator for Feed {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        // Runs on the pipeline's reader thread, outside any runtime: blocking is allowed.
        loop {
            match self.rx.blocking_recv()? {
                Item::Input(input, mark) => {
                    self.sent += 1;
                    if let Some(mark) = mark {
                        self.pending.push(self.sent, mark);
                    }
                    return Some(input);
                }
                Item::Mark(mark) => self.pending.push(self.sent, mark),
            }
        }
    }
}

/// Records marks in one transaction.
pub fn record(conn: &Connection, marks: &[Mark], now_ms: i64) -> Result<(), store::StoreError> {
    for m in marks {
        match m {
            Mark::Span {
                account,
                region,
                filter,
                span,
            } => store::insert_sync_span(conn, account, region, filter, *span)?,
            Mark::Cursor {
                source,
                account,
                region,
                key,
                value_ms,
            } => store::insert_sync_cursor(conn, source, account, region, key, *value_ms)?,
            Mark::Object { bucket, key, etag } => {
                store::insert_sync_object(conn, bucket, key, etag, now_ms)?
            }
        }
    }
    Ok(())
}

/// Writes marks as commits make them safe. The pipeline holds the cache's connection while it
/// runs, so marks go through a second connection to the same file (opened when the cache is a
/// file; an in-memory cache gets its marks at the end).
pub struct Marks {
    pending: Pending,
    side: Option<Store>,
    now_ms: i64,
    /// The first error met; marks stop being written (the next sync re-fetches a little).
    pub error: Option<store::StoreError>,
}

impl Marks {
    pub fn new(pending: Pending, store: &Store, now_ms: i64) -> Marks {
        let side = store.path().and_then(|p| Store::open_existing(p).ok());
        Marks {
            pending,
            side,
            now_ms,
            error: None,
        }
    }

    /// Called from the pipeline's progress callback: between transactions (right after a
    /// commit), so the second connection does not wait for the first.
    pub fn committed(&mut self, committed: u64) {
        let Some(side) = self.side.as_mut() else {
            return;
        };
        if self.error.is_some() {
            return;
        }
        let marks = self.pending.ready(committed);
        if marks.is_empty() {
            return;
        }
        if let Err(e) = write(side, &marks, self.now_ms) {
            self.error = Some(e);
        }
    }

    /// After the pipeline ends: the marks its last commit covers, through `store`.
    pub fn finish(mut self, store: &mut Store, committed: u64) -> Result<(), store::StoreError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        drop(self.side.take());
        let marks = self.pending.ready(committed);
        write(store, &marks, self.now_ms)
    }
}

fn write(store: &mut Store, marks: &[Mark], now_ms: i64) -> Result<(), store::StoreError> {
    if marks.is_empty() {
        return Ok(());
    }
    let tx = store.begin_write()?;
    record(&tx, marks, now_ms)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(key: &str) -> Mark {
        Mark::Object {
            bucket: "b".into(),
            key: key.into(),
            etag: "e".into(),
        }
    }

    #[test]
    fn a_mark_waits_for_every_input_sent_before_it() {
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let pending = Pending::default();
        let mut feed = Feed::new(rx, pending.clone());
        let input = |n: &str, mark: Option<Mark>| {
            Item::Input(
                Input::Bytes {
                    name: n.into(),
                    data: vec![],
                },
                mark,
            )
        };
        tx.try_send(input("a", Some(object("a")))).expect("send");
        tx.try_send(input("b", None)).expect("send");
        tx.try_send(Item::Mark(object("b"))).expect("send");
        tx.try_send(input("c", Some(object("c")))).expect("send");
        drop(tx);
        let names: Vec<String> = feed.by_ref().map(|i| i.name()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(pending.ready(0).is_empty());
        assert_eq!(pending.ready(1), vec![object("a")]);
        assert_eq!(pending.ready(2), vec![object("b")]);
        assert_eq!(pending.ready(3), vec![object("c")]);
    }
}
