//! Time in the generated world: the fixed data window (never "now", so a seed gives the same
//! bytes on any day), and the two timestamp formats CloudTrail writes.

use chrono::{DateTime, Datelike, Timelike, Utc};

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// The end of every generated data window: 2026-11-27T00:00:00Z ("today" for the demo).
pub const WINDOW_END_MS: i64 = 1_795_737_600_000;

/// Start of the window for `months` months of history (30-day months, whole days).
pub fn window_start(months: u32) -> i64 {
    WINDOW_END_MS - i64::from(months) * 30 * DAY
}

/// Milliseconds for a UTC date and time, for the scripted incidents.
pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_opt(h, mi, s))
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

fn dt(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

/// `2026-11-18T14:09:41Z`: CloudTrail's `eventTime` and `creationDate` (whole seconds).
pub fn iso(ms: i64) -> String {
    dt(ms).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2026-11-18T14:09:41.000Z`: GuardDuty's timestamps carry milliseconds.
pub fn iso_millis(ms: i64) -> String {
    dt(ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// STS `credentials.expiration` as CloudTrail writes it: `Nov 18, 2026, 3:09:41 PM`. Older
/// records drop the comma after the year (`Nov 18, 2026 3:09:41 PM`); readers must take both.
pub fn sts_expiration(ms: i64, comma: bool) -> String {
    let t = dt(ms);
    let (pm, h12) = t.hour12();
    format!(
        "{} {}, {}{} {}:{:02}:{:02} {}",
        t.format("%b"),
        t.day(),
        t.year(),
        if comma { "," } else { "" },
        h12,
        t.minute(),
        t.second(),
        if pm { "PM" } else { "AM" }
    )
}

/// Parts of a time the file layout and the activity model need.
pub struct Parts {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    /// Monday = 0 … Sunday = 6.
    pub weekday: u32,
}

pub fn parts(ms: i64) -> Parts {
    let t = dt(ms);
    Parts {
        year: t.year(),
        month: t.month(),
        day: t.day(),
        hour: t.hour(),
        minute: t.minute(),
        weekday: t.weekday().num_days_from_monday(),
    }
}

/// Midnight UTC of the day holding `ms`.
pub fn day_start(ms: i64) -> i64 {
    ms - ms.rem_euclid(DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_ends_on_the_demo_day() {
        assert_eq!(iso(WINDOW_END_MS), "2026-11-27T00:00:00Z");
        assert_eq!(utc(2026, 11, 27, 0, 0, 0), WINDOW_END_MS);
    }

    #[test]
    fn sts_expiration_uses_cloudtrails_human_format() {
        let t = utc(2026, 10, 1, 13, 0, 0);
        assert_eq!(sts_expiration(t, true), "Oct 1, 2026, 1:00:00 PM");
        assert_eq!(sts_expiration(t, false), "Oct 1, 2026 1:00:00 PM");
        assert_eq!(
            sts_expiration(utc(2026, 10, 1, 0, 5, 9), true),
            "Oct 1, 2026, 12:05:09 AM"
        );
    }
}
