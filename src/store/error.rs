//! Errors of the store layer. Each names its cause once: a SQLite error is shown as SQLite words
//! it (`database is locked`), not wrapped in a second copy of itself.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no cache at {} (run `rolecall ingest` or `rolecall demo` first)", .0.display())]
    Missing(PathBuf),
    /// The path holds something that is not a rolecall cache; nothing was changed.
    #[error("{} is not a rolecall cache ({reason}): it was left untouched", path.display())]
    NotACache { path: PathBuf, reason: Refusal },
    #[error(
        "the cache {} has schema version {found}, this rolecall reads version {wanted}: `rolecall db refresh` upgrades it",
        path.display()
    )]
    Outdated {
        path: PathBuf,
        found: i64,
        wanted: i64,
    },
    #[error(
        "the cache's schema is version {found}, newer than this rolecall ({known}): upgrade rolecall"
    )]
    TooNew { found: i64, known: i64 },
    /// A write asked of a cache opened read-only.
    #[error("the cache was opened read-only")]
    ReadOnly,
    /// The ingest writer stopped (after an error of its own): the reader stops too.
    #[error("the ingest writer stopped")]
    WriterStopped,
    #[error("corrupt original-record block {block}: {reason}")]
    CorruptBlock { block: i64, reason: String },
}

/// Why a path given as the cache was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Directory,
    /// A symbolic link whose target does not exist (or that loops): following it would create a
    /// file somewhere the user did not name.
    DanglingSymlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    /// Some other kind of file system object.
    NotRegular,
    /// A regular file of zero bytes: not something rolecall made (it creates caches whole).
    EmptyFile,
    /// A regular file without the SQLite header.
    NotSqlite,
    /// A SQLite database with tables that are not rolecall's.
    OtherSqlite,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::Directory => "a directory",
            Refusal::DanglingSymlink => "a symbolic link that leads nowhere",
            Refusal::Fifo => "a FIFO",
            Refusal::Socket => "a socket",
            Refusal::CharDevice => "a character device",
            Refusal::BlockDevice => "a block device",
            Refusal::NotRegular => "not a regular file",
            Refusal::EmptyFile => "an empty file",
            Refusal::NotSqlite => "not a SQLite database",
            Refusal::OtherSqlite => "another application's SQLite database",
        })
    }
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
