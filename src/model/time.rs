//! UTC millisecond timestamps: the one time representation shared across layers.

use chrono::{DateTime, SecondsFormat, Utc};

/// Formats UTC milliseconds as RFC 3339 (`2026-10-01T13:00:00Z`, fractions only when present).
pub fn format_ms(ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        None => ms.to_string(),
    }
}

/// Parses an RFC 3339 timestamp into UTC milliseconds.
pub fn parse_ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_whole_seconds_and_fractions() {
        for s in ["2026-10-01T13:00:00Z", "2026-10-01T13:00:00.250Z"] {
            let ms = parse_ms(s).expect("parses");
            assert_eq!(format_ms(ms), s);
        }
    }
}
