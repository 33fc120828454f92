//! What an ingest reads and what it tells while reading. Any source can feed the pipeline:
//! files and directory trees (`ingest_paths`), or inputs another part of the program produces
//! (S3 objects, CloudTrail `LookupEvents` pages as JSON lines) through `ingest_inputs`, from an
//! iterator or a channel another thread fills.

use std::path::PathBuf;

/// One input to ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file, opened without blocking and read only if it is a regular file.
    File(PathBuf),
    /// Bytes already in memory, plain or gzip (detected from their first bytes), named for
    /// rejects and the files table (e.g. `s3://bucket/key`, `lookup-events us-east-1 page 3`).
    Bytes { name: String, data: Vec<u8> },
}

impl Input {
    /// The name rejects and the files table record.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

/// Where an ingest is, delivered to the caller's callback as it goes (after each input, and
/// every few megabytes inside a large one). Counts are for this run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// Inputs finished, and how many there are when known (a listed tree; not a channel).
    pub inputs_done: u64,
    pub inputs_total: Option<u64>,
    /// Inputs whose records are committed: the first this many, in the order they were given.
    /// A source that remembers what it has fetched (sync's cursors and objects done) records
    /// only what this count covers, so its memory never runs ahead of the cache.
    pub inputs_committed: u64,
    /// Input bytes read (as stored: compressed for gzip), and their total when known.
    pub bytes_done: u64,
    pub bytes_total: Option<u64>,
    pub events_new: u64,
    pub events_dup: u64,
    /// Rejects found (records, inputs, tree entries).
    pub rejected: u64,
    /// The input being written now (its name as the input gave it; not sanitised).
    pub current: String,
}
