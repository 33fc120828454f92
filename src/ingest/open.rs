//! Opening an input and reading its decoded bytes into a window, with memory bounded whatever
//! the input is: a file is opened without blocking (a FIFO swapped in after the listing cannot
//! hang the reader) and read only if it is a regular file; gzip is decoded as a stream; the
//! first bytes are read first, so that what is not a log is turned away before the rest is read
//! (a 19 MB gzip of 4 GB of zeros costs 64 KiB); a small input is then read whole (the fast
//! path: one window, one pass), a large one window by window. A truncated or corrupt gzip
//! stream keeps every byte decoded before the damage and says where it broke.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use super::Input;
use super::sniff::{HEAD, Sniffed, sniff};

/// Inputs up to this size on disk are read into memory in one read.
const SMALL_INPUT: u64 = 16 * 1024 * 1024;
/// Decoded inputs up to this size are parsed in one window; larger ones window by window.
pub const WHOLE_LIMIT: usize = 16 * 1024 * 1024;
/// How much a window of a large input grows by at a time.
pub const CHUNK: usize = 8 * 1024 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Why an input could not be opened.
#[derive(Debug)]
pub enum OpenError {
    Io(std::io::Error),
    /// Not a regular file: what it is (`a FIFO (named pipe)`, `a socket`…).
    NotRegular(&'static str),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Io(e) => write!(f, "cannot read: {e}"),
            OpenError::NotRegular(kind) => write!(f, "{kind}, not a regular file: not read"),
        }
    }
}

/// An input being read: its size as stored, what it is, and its decoded bytes so far.
pub struct Reading {
    pub size: u64,
    pub sniffed: Sniffed,
    pub gzip: bool,
    /// Decoded bytes from `base` on.
    pub window: Vec<u8>,
    pub base: u64,
    pub eof: bool,
    /// Set when decoding stopped early: the window holds what came before.
    pub damage: Option<String>,
    source: Option<Box<dyn Read>>,
    /// Bytes of the input (as stored) read so far.
    raw_read: Rc<Cell<u64>>,
    hasher: xxhash_rust::xxh3::Xxh3,
    decoded: u64,
}

/// Opens `input`, reads its first bytes and decides what it is.
pub fn open(input: Input) -> Result<Reading, OpenError> {
    let raw_read = Rc::new(Cell::new(0u64));
    let (size, stored): (u64, Stored) = match input {
        Input::Bytes { data, .. } => {
            raw_read.set(data.len() as u64);
            (data.len() as u64, Stored::Memory(data))
        }
        Input::File(path) => {
            let (file, size) = open_regular(&path)?;
            if size <= SMALL_INPUT {
                let mut data = Vec::with_capacity(size as usize);
                let mut file = file;
                file.read_to_end(&mut data).map_err(OpenError::Io)?;
                raw_read.set(data.len() as u64);
                (data.len() as u64, Stored::Memory(data))
            } else {
                let counted = Counted {
                    inner: file,
                    count: raw_read.clone(),
                };
                (
                    size,
                    Stored::Stream(BufReader::with_capacity(256 * 1024, counted)),
                )
            }
        }
    };
    let mut r = Reading {
        size,
        sniffed: Sniffed::Blank,
        gzip: false,
        window: Vec::new(),
        base: 0,
        eof: false,
        damage: None,
        source: None,
        raw_read,
        hasher: xxhash_rust::xxh3::Xxh3::new(),
        decoded: 0,
    };
    match stored {
        Stored::Memory(data) if !data.starts_with(&GZIP_MAGIC) => {
            // The fast path: the bytes as read are the window.
            r.hasher.update(&data);
            r.decoded = data.len() as u64;
            r.window = data;
            r.eof = true;
        }
        Stored::Memory(data) => {
            r.gzip = true;
            let reserve = data.len().saturating_mul(8).min(WHOLE_LIMIT);
            r.window.reserve(reserve);
            // `bufread` over a cursor reads the bytes in place (the `read` decoder copies them
            // through a buffer it allocates and zeroes for every input).
            r.source = Some(Box::new(flate2::bufread::MultiGzDecoder::new(
                std::io::Cursor::new(data),
            )));
        }
        Stored::Stream(mut reader) => {
            let gzip = reader
                .fill_buf()
                .map(|b| b.starts_with(&GZIP_MAGIC))
                .unwrap_or(false);
            r.gzip = gzip;
            r.source = Some(if gzip {
                // MultiGzDecoder: concatenated gzip members are one valid stream.
                Box::new(flate2::bufread::MultiGzDecoder::new(reader))
            } else {
                Box::new(reader)
            });
        }
    }
    r.fill_to(HEAD);
    let head = &r.window[..r.window.len().min(HEAD)];
    r.sniffed = sniff(head, r.eof && r.window.len() <= HEAD);
    Ok(r)
}

enum Stored {
    Memory(Vec<u8>),
    Stream(BufReader<Counted>),
}

impl Reading {
    /// Reads on until the window holds `len` bytes or the input ends (or breaks).
    pub fn fill_to(&mut self, len: usize) {
        let Some(source) = self.source.as_mut() else {
            self.eof = true;
            return;
        };
        let at = self.window.len();
        if at >= len {
            return;
        }
        let want = (len - at) as u64;
        // A window of a large input grows by exactly a chunk (letting `read_to_end` grow it
        // would double it); a small input's first read keeps its estimate.
        if want <= CHUNK as u64 {
            self.window.reserve_exact(want as usize);
        }
        // `read_to_end` keeps every byte read before an error.
        let result = source.by_ref().take(want).read_to_end(&mut self.window);
        let got = self.window.len() - at;
        self.hasher.update(&self.window[at..]);
        self.decoded += got as u64;
        match result {
            Ok(_) if (got as u64) < want => self.eof = true,
            Ok(_) => {}
            Err(e) => {
                self.eof = true;
                self.damage = Some(if self.gzip {
                    format!(
                        "gzip stream damaged after {} decoded bytes: {e}",
                        self.decoded
                    )
                } else {
                    format!("read error after {} bytes: {e}", self.decoded)
                });
            }
        }
        if self.eof {
            self.source = None;
        }
    }

    /// Whether the whole input is in the window.
    #[cfg(test)]
    pub fn whole(&self) -> bool {
        self.eof && self.base == 0
    }

    /// Drops the window's bytes before `keep` (absolute) and reads up to `CHUNK` more.
    pub fn advance(&mut self, keep: u64) {
        let drop = (keep.saturating_sub(self.base) as usize).min(self.window.len());
        self.window.drain(..drop);
        self.base += drop as u64;
        let want = self.window.len() + CHUNK;
        self.fill_to(want);
    }

    /// Bytes of the input (as stored) read so far.
    pub fn raw_read(&self) -> u64 {
        self.raw_read.get()
    }

    /// A key for the input's content, for recording its rejects once: the hash of every
    /// decoded byte read. An input not read to its end (turned away after its first bytes)
    /// also hashes its name, so that two different files with the same first bytes keep their
    /// own rejects.
    pub fn content_key(&self, name: &str) -> [u8; 16] {
        let mut h = self.hasher.clone();
        if !self.eof {
            h.update(b"\0partial\0");
            h.update(name.as_bytes());
        }
        h.digest128().to_le_bytes()
    }
}

/// A key for something that is not content (a tree entry that could not be read, a special
/// file named on the command line): its name and what was wrong.
pub fn entry_key(name: &str, reason: &str) -> [u8; 16] {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(b"entry\0");
    h.update(name.as_bytes());
    h.update(b"\0");
    h.update(reason.as_bytes());
    h.digest128().to_le_bytes()
}

/// Counts the bytes read through it.
struct Counted {
    inner: std::fs::File,
    count: Rc<Cell<u64>>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Opens `path` for reading without blocking and returns it with its size, if it is a regular
/// file. Opening a FIFO for reading would otherwise wait for a writer forever.
fn open_regular(path: &Path) -> Result<(std::fs::File, u64), OpenError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path).map_err(OpenError::Io)?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if !meta.is_file() {
        return Err(OpenError::NotRegular(kind_of(&meta.file_type())));
    }
    Ok((file, meta.len()))
}

/// What a file type is, in words.
pub fn kind_of(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).expect("write");
        enc.finish().expect("finish")
    }

    #[test]
    fn truncated_gzip_keeps_what_came_before_the_damage() {
        let text = "line one\n".repeat(10_000);
        let gz = gzip(text.as_bytes());
        let input = Input::Bytes {
            name: "cut.gz".into(),
            data: gz[..gz.len() / 2].to_vec(),
        };
        let mut r = open(input).expect("open");
        r.fill_to(usize::MAX);
        assert!(r.damage.is_some());
        assert!(!r.window.is_empty());
        assert!(text.as_bytes().starts_with(&r.window));
    }

    #[test]
    fn plain_files_are_read_as_they_are() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plain.json");
        std::fs::write(&path, b"{}").expect("write");
        let r = open(Input::File(path)).expect("open");
        assert_eq!(r.window, b"{}");
        assert!(r.whole() && r.damage.is_none());
    }

    #[test]
    fn a_gzip_bomb_of_zeros_is_judged_on_its_first_bytes() {
        // 64 MiB of zeros compress to 64 KiB; only the head is decoded.
        let zeros = vec![0u8; 64 * 1024 * 1024];
        let input = Input::Bytes {
            name: "bomb.gz".into(),
            data: gzip(&zeros),
        };
        let r = open(input).expect("open");
        assert_eq!(r.sniffed, Sniffed::Unknown("binary data"));
        assert!(r.window.len() <= HEAD + CHUNK, "{}", r.window.len());
        assert!(!r.eof);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_not_opened_for_reading() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(status.success());
        // Would block forever without O_NONBLOCK.
        match open(Input::File(fifo)) {
            Err(OpenError::NotRegular(kind)) => assert_eq!(kind, "a FIFO (named pipe)"),
            other => panic!("{:?}", other.map(|r| r.size)),
        }
    }
}
