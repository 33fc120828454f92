//! What can stop an ingest. Bad input never does: a malformed record, file or tree entry is a
//! reject (`Bad`) and reading goes on. These are the failures of the machinery itself.

use std::path::PathBuf;

use crate::store::StoreError;

/// A failure that stops an ingest (what has been committed stays committed).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}: no such file or directory")]
    NoSuchPath(PathBuf),
    /// A FIFO, socket or device named on the command line with nothing else to read.
    #[error("{path}: {kind}, not a file or directory: not read")]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The writer stopped (its own error is the one reported); the reader stops at its next send.
    #[error("the cache writer stopped")]
    WriterStopped,
    #[error("internal error: the file reader thread panicked; files committed so far are kept")]
    ReaderPanicked,
}
