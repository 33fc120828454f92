//! Read-ahead for files that are not in the operating system's page cache yet. While the reader
//! parses one file, helper threads read the next few (and throw the bytes away), so the reader's
//! own read finds them in memory. On a cold disk this turns one small random read at a time into
//! several in flight. Memory: one small buffer per helper; nothing read here is kept.
//!
//! When the files are already cached, reading them again would only take CPU from the reader
//! and the writer, so a helper that keeps finding its files cached samples one in `SAMPLE` until
//! a slow read says the disk is back in play.

use std::io::Read;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Helper threads (mostly waiting on the disk, not on a core).
pub const HELPERS: usize = 4;
/// How many files ahead of the reader the helpers may go.
const WINDOW: usize = 64;
/// Waiting helpers are woken every this many files (a wake-up per file costs more than a small
/// file's parse).
const STRIDE: usize = 16;
/// A read faster than this came from the page cache.
const CACHED: Duration = Duration::from_micros(40);
/// While reads come from the page cache, a helper reads one file in this many.
const SAMPLE: usize = 16;

pub struct ReadAhead<'a> {
    files: &'a [PathBuf],
    /// The file the reader is at, and whether the run is over.
    state: Mutex<(usize, bool)>,
    moved: Condvar,
}

impl<'a> ReadAhead<'a> {
    pub fn new(files: &'a [PathBuf]) -> ReadAhead<'a> {
        ReadAhead {
            files,
            state: Mutex::new((0, false)),
            moved: Condvar::new(),
        }
    }

    /// The reader has reached file `i`.
    pub fn reached(&self, i: usize) {
        if i % STRIDE != 0 {
            return;
        }
        if let Ok(mut s) = self.state.lock() {
            s.0 = i;
        }
        self.moved.notify_all();
    }

    /// Stops the helpers when the returned guard drops (however the reader ends).
    pub fn stop_on_drop(&'a self) -> StopOnDrop<'a> {
        StopOnDrop(self)
    }

    /// The run is over (or failed): helpers stop.
    pub fn stop(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.1 = true;
        }
        self.moved.notify_all();
    }

    /// Helper `k` of `n`: files `k`, `k + n`, … each at most `WINDOW` ahead of the reader.
    pub fn run(&self, k: usize, n: usize) {
        let mut buf = vec![0u8; 64 * 1024];
        let mut cached_in_a_row = 0usize;
        let mut i = k;
        while i < self.files.len() {
            let Some(at) = self.wait_for(i) else { return };
            if i > at {
                // Cached lately: read only a sample, to notice when the disk matters again.
                let sample = cached_in_a_row < SAMPLE || (i / n) % SAMPLE == 0;
                if sample {
                    let t = Instant::now();
                    drain(&self.files[i], &mut buf);
                    cached_in_a_row = if t.elapsed() < CACHED {
                        cached_in_a_row + 1
                    } else {
                        0
                    };
                }
            }
            i += n;
        }
    }

    /// Waits until file `i` is within the window; the reader's position, or `None` when stopped.
    fn wait_for(&self, i: usize) -> Option<usize> {
        let mut s = self.state.lock().ok()?;
        loop {
            if s.1 {
                return None;
            }
            if i <= s.0 + WINDOW {
                return Some(s.0);
            }
            s = self.moved.wait(s).ok()?;
        }
    }
}

pub struct StopOnDrop<'a>(&'a ReadAhead<'a>);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Reads a file to its end into `buf`, again and again; errors are the reader's to report.
fn drain(path: &std::path::Path, buf: &mut [u8]) {
    if let Ok(mut f) = std::fs::File::open(path) {
        while let Ok(got) = f.read(buf) {
            if got == 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths that do not exist: a helper's read fails at once, which is all these tests need.
    fn missing_files(n: usize) -> Vec<PathBuf> {
        (0..n)
            .map(|i| PathBuf::from(format!("/nonexistent/{i}")))
            .collect()
    }

    #[test]
    fn helpers_stay_within_the_window_and_stop_when_told() {
        let files = missing_files(200);
        let ra = ReadAhead::new(&files);
        std::thread::scope(|s| {
            let h = s.spawn(|| ra.run(0, 1));
            // The helper may go to WINDOW ahead of file 0, then waits.
            std::thread::sleep(Duration::from_millis(50));
            assert!(!h.is_finished(), "a helper ran past its window");
            ra.reached(96);
            ra.stop();
            h.join().expect("helper");
        });
    }

    #[test]
    fn helpers_finish_with_the_file_list() {
        let files = missing_files(10);
        let ra = ReadAhead::new(&files);
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..3)
                .map(|k| {
                    s.spawn({
                        let ra = &ra;
                        move || ra.run(k, 3)
                    })
                })
                .collect();
            for h in hs {
                h.join().expect("helper");
            }
        });
    }
}
