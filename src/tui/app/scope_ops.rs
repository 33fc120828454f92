//! Moving the scope: shift by its length, widen and narrow about its middle, always on whole
//! hours, between one hour and a year (DESIGN "Scope time").

use crate::model::{HOUR_MS, MAX_SCOPE_MS, Scope, floor_hour};

/// The scope moved by `steps` of its own length.
pub fn shifted(s: Scope, steps: i64) -> Scope {
    let d = s.len_ms() * steps;
    Scope {
        start_ms: s.start_ms + d,
        end_ms: s.end_ms + d,
    }
}

/// Twice as long about the same middle (at most a year).
pub fn wider(s: Scope) -> Scope {
    resized(s, (s.len_ms() * 2).min(MAX_SCOPE_MS))
}

/// Half as long about the same middle (at least an hour).
pub fn narrower(s: Scope) -> Scope {
    resized(s, (s.len_ms() / 2).max(HOUR_MS))
}

fn resized(s: Scope, len: i64) -> Scope {
    let len = (len / HOUR_MS).max(1) * HOUR_MS;
    let mid = s.start_ms + s.len_ms() / 2;
    let start = floor_hour(mid - len / 2);
    Scope {
        start_ms: start,
        end_ms: start + len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_ms;

    fn scope(a: &str, b: &str) -> Scope {
        Scope {
            start_ms: parse_ms(a).expect("time"),
            end_ms: parse_ms(b).expect("time"),
        }
    }

    #[test]
    fn scope_moves_keep_whole_hours_and_their_bounds() {
        let hour = scope("2026-11-18T14:00:00Z", "2026-11-18T15:00:00Z");
        assert_eq!(
            shifted(hour, -1),
            scope("2026-11-18T13:00:00Z", "2026-11-18T14:00:00Z")
        );
        assert_eq!(
            wider(hour),
            scope("2026-11-18T13:00:00Z", "2026-11-18T15:00:00Z")
        );
        assert_eq!(
            wider(wider(hour)),
            scope("2026-11-18T12:00:00Z", "2026-11-18T16:00:00Z")
        );
        assert_eq!(narrower(hour), hour, "an hour is the narrowest");
        assert_eq!(
            narrower(wider(wider(hour))),
            scope("2026-11-18T13:00:00Z", "2026-11-18T15:00:00Z")
        );
        let mut s = hour;
        for _ in 0..20 {
            s = wider(s);
        }
        assert!(s.len_ms() <= MAX_SCOPE_MS);
        assert_eq!(s.len_ms() % HOUR_MS, 0);
    }
}
