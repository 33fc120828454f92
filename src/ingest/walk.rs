//! Turning the paths a user names into inputs: files and directories (walked recursively, in
//! name order, following symbolic links). A bad entry never stops a tree: a dangling or looping
//! symbolic link, or a folder that cannot be read, becomes a problem to record (a reject naming
//! it) and everything else is read. Special files (FIFOs, sockets, devices) are never opened:
//! inside a tree they are counted and skipped; named on the command line they are an error
//! naming them (fatal only when nothing else was named).

use std::path::{Path, PathBuf};

use super::open::kind_of;
use super::{IngestError, Input};

/// What the reader is handed, in order.
#[derive(Debug)]
pub enum Source {
    Input(Input),
    /// An entry that could not be read: recorded as a reject on it.
    Problem {
        name: String,
        reason: String,
    },
    /// A special file met inside a tree: counted, not read.
    Special {
        name: String,
        kind: &'static str,
    },
}

/// Every input under `paths`. No `stat` per file: the directory entries say which are files.
pub fn list(paths: &[PathBuf]) -> Result<Vec<Source>, IngestError> {
    let mut out = Vec::new();
    let mut roots = Vec::new();
    let mut special = None;
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_file() || m.is_dir() => roots.push(p),
            Ok(m) => {
                let kind = kind_of(&m.file_type());
                special.get_or_insert((p.clone(), kind));
                out.push(Source::Problem {
                    name: p.display().to_string(),
                    reason: format!("{kind}, not a file or directory: not read"),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(IngestError::NoSuchPath(p.clone()));
            }
            Err(e) => out.push(Source::Problem {
                name: p.display().to_string(),
                reason: format!("cannot read: {e}"),
            }),
        }
    }
    if roots.is_empty() {
        if let (Some((path, kind)), true) = (special, out.len() == paths.len()) {
            return Err(IngestError::NotAFile { path, kind });
        }
    }
    for root in roots {
        walk(root, &mut out);
    }
    Ok(out)
}

fn walk(root: &Path, out: &mut Vec<Source>) {
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) => {
                let ft = e.file_type();
                if ft.is_file() {
                    out.push(Source::Input(Input::File(e.into_path())));
                } else if !ft.is_dir() {
                    out.push(Source::Special {
                        name: e.path().display().to_string(),
                        kind: kind_of(&ft),
                    });
                }
            }
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                out.push(Source::Problem {
                    name: path.display().to_string(),
                    reason: describe(&err, &path),
                });
            }
        }
    }
}

/// Why a tree entry could not be read, in words.
fn describe(err: &walkdir::Error, path: &Path) -> String {
    if let Some(ancestor) = err.loop_ancestor() {
        return format!(
            "symbolic link loop: it leads back to {}; not followed",
            ancestor.display()
        );
    }
    let dangling = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(path).is_err();
    if dangling {
        let target = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        return format!("dangling symbolic link (to {target}): not read");
    }
    match err.io_error() {
        Some(io) if path.is_dir() => {
            format!("cannot read this directory ({io}): nothing under it was read")
        }
        Some(io) => format!("cannot read: {io}"),
        None => format!("cannot read: {err}"),
    }
}
