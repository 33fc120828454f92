//! Errors of the store layer.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no cache at {0} (run `rolecall ingest` or `rolecall demo` first)")]
    Missing(PathBuf),
    #[error(
        "the cache's schema is version {found}, this rolecall needs {wanted}: open it once for writing (e.g. `rolecall ingest`) to migrate"
    )]
    Outdated { found: i64, wanted: i64 },
    #[error(
        "the cache's schema is version {found}, newer than this rolecall ({known}): upgrade rolecall"
    )]
    TooNew { found: i64, known: i64 },
    /// The ingest writer stopped (after an error of its own): the reader stops too.
    #[error("the ingest writer stopped")]
    WriterStopped,
    #[error("corrupt original-record block {block}: {reason}")]
    CorruptBlock { block: i64, reason: String },
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
