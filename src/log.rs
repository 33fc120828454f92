//! Where log lines go: stderr, except while the console owns the terminal. A line written then
//! (a warning from the AWS SDK during a sync, say) would land on the screen the console draws and
//! scramble it, so it is held instead — up to `HELD_MAX` bytes — and written once the console
//! has given the terminal back.

use std::io::Write;
use std::sync::{Mutex, MutexGuard};

/// At most this much is held; past it, one line says how much was dropped.
const HELD_MAX: usize = 64 * 1024;

struct Held {
    bytes: Vec<u8>,
    dropped: usize,
}

static HELD: Mutex<Option<Held>> = Mutex::new(None);

fn held() -> MutexGuard<'static, Option<Held>> {
    // A thread that panicked while logging left bytes, not broken invariants.
    HELD.lock().unwrap_or_else(|p| p.into_inner())
}

/// Holds log lines until the returned guard is dropped, which writes them to stderr.
#[must_use = "the lines are held until the guard is dropped"]
pub fn hold() -> Holding {
    *held() = Some(Held {
        bytes: Vec::new(),
        dropped: 0,
    });
    Holding(())
}

/// Log lines are held while this lives.
pub struct Holding(());

impl Drop for Holding {
    fn drop(&mut self) {
        let Some(h) = held().take() else { return };
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(&h.bytes);
        if h.dropped > 0 {
            let _ = writeln!(
                err,
                "rolecall: {} more bytes of log lines from the console's run were dropped",
                h.dropped
            );
        }
    }
}

/// The writer the log subscriber writes through.
pub struct Gate;

impl Write for Gate {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut guard = held();
        match guard.as_mut() {
            Some(h) => {
                let room = HELD_MAX.saturating_sub(h.bytes.len());
                let take = room.min(buf.len());
                h.bytes.extend_from_slice(&buf[..take]);
                h.dropped += buf.len() - take;
                Ok(buf.len())
            }
            None => {
                drop(guard);
                std::io::stderr().write(buf)
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_written_while_held_are_kept_in_order_and_capped() {
        let guard = hold();
        let mut g = Gate;
        g.write_all(b"first\n").expect("write");
        g.write_all(b"second\n").expect("write");
        assert_eq!(
            held().as_ref().map(|h| h.bytes.clone()),
            Some(b"first\nsecond\n".to_vec())
        );
        g.write_all(&vec![b'x'; HELD_MAX]).expect("write");
        {
            let h = held();
            let h = h.as_ref().expect("held");
            assert_eq!(h.bytes.len(), HELD_MAX);
            assert_eq!(h.dropped, 13);
        }
        drop(guard);
        assert!(held().is_none());
    }
}
