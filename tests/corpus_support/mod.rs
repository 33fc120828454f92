//! The shared corpus for conformance tests: where it is, and reading its files. Without it the
//! tests say SKIPPED loudly and pass on a developer's machine; under CI (`CI=true`, as GitHub
//! Actions, GitLab and most runners set it) they fail instead, so a CI that lost the corpus
//! cannot go green by skipping every conformance test.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// `$ROLECALL_CORPUS`, else `../shared/corpus` beside the repository, or `None` (after a loud
/// notice) when it is not on this machine.
pub fn corpus_root() -> Option<PathBuf> {
    existing(root())
}

/// The corpus's `peer/` folder, or `None` (after a loud notice).
pub fn corpus_peer() -> Option<PathBuf> {
    existing(root().join("peer"))
}

fn root() -> PathBuf {
    std::env::var_os("ROLECALL_CORPUS")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

fn existing(dir: PathBuf) -> Option<PathBuf> {
    found_or_skip(dir, running_in_ci())
}

/// Whether `CI` says this is a CI run (`true` or `1`, any case).
fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// `dir` when it is a folder; otherwise a loud skip, or under CI a failure.
pub fn found_or_skip(dir: PathBuf, ci: bool) -> Option<PathBuf> {
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !ci,
        "corpus not found at {} under CI=true: conformance tests must not skip in CI \
         (set ROLECALL_CORPUS or check out ../shared)",
        dir.display()
    );
    // Straight to the stderr handle: the test harness captures `eprintln!` of passing tests,
    // and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: corpus not found at {} (set ROLECALL_CORPUS)",
        dir.display()
    );
    None
}

/// A file's bytes, gunzipped when it starts with the gzip magic.
pub fn read(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).expect("read corpus file");
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return raw;
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .expect("corpus gzip files are whole");
    out
}
