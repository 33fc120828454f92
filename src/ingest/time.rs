//! The timestamp formats CloudTrail, STS and GuardDuty actually write, parsed into UTC
//! milliseconds. Pure functions, no I/O; a value that is not a timestamp is `None`, never a guess.
//!
//! Formats seen in real logs and in the tools that re-export them:
//! - `eventTime`: ISO 8601 / RFC 3339 `2026-10-01T13:00:00Z`, with or without fractions (up to 9
//!   digits) and with a `Z` or a numeric offset. Some pipelines (Panther, lookup-events console
//!   exports) rewrite it as `2026-10-01 13:00:00[.fff…]`, without a zone: that is UTC.
//! - `sessionContext.attributes.creationDate`: ISO 8601, but ConsoleLogin records of assumed
//!   roles have been seen in the compact basic form `20131102T010628Z`.
//! - STS `responseElements.credentials.expiration`: a human, US-English rendering of a Java
//!   `Date`, `Oct 1, 2026, 1:00:00 PM`. Older records have no comma after the year
//!   (`Oct 2, 2019 11:12:29 PM`: the JDK's locale data changed), newer JDKs put a narrow
//!   no-break space before `PM`. It is UTC. Some re-exports write ISO 8601 instead.

use chrono::NaiveDate;

/// Parses an ISO 8601 timestamp as CloudTrail and its re-exporters write it (see the module
/// notes). No zone means UTC.
pub fn parse_event_time(s: &str) -> Option<i64> {
    // Nearly every CloudTrail timestamp is exactly `YYYY-MM-DDTHH:MM:SSZ`.
    if let Some(ms) = parse_plain_utc(s.as_bytes()) {
        return Some(ms);
    }
    let b = s.trim().as_bytes();
    let mut p = Cursor { b, i: 0 };
    // Extended form `YYYY-MM-DD…` or basic form `YYYYMMDD…`.
    let year = p.digits(4)?;
    let extended = p.eat(b'-');
    let month = p.digits(2)?;
    if extended && !p.eat(b'-') {
        return None;
    }
    let day = p.digits(2)?;
    if !(p.eat(b'T') || p.eat(b't') || p.eat(b' ')) {
        return None;
    }
    let hour = p.digits(2)?;
    if extended && !p.eat(b':') {
        return None;
    }
    let minute = p.digits(2)?;
    let has_seconds_sep = extended && p.eat(b':');
    let second = if has_seconds_sep || (!extended && p.peek_digit()) {
        p.digits(2)?
    } else if extended {
        // `2026-10-01T13:00Z`: seconds are optional in ISO 8601.
        0
    } else {
        return None;
    };
    let mut nanos: i64 = 0;
    if p.eat(b'.') || p.eat(b',') {
        let mut n = 0;
        while let Some(d) = p.digit() {
            // Digits past nanoseconds carry no information for us; keep reading them so the
            // zone after them is still found.
            if n < 9 {
                nanos = nanos * 10 + i64::from(d);
            }
            n += 1;
        }
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }
    // Whitespace between the time and a zone shows up in hand-written data.
    while p.eat(b' ') {}
    let offset_s = if p.at_end() || p.eat(b'Z') || p.eat(b'z') {
        0
    } else if p.rest() == b"UTC" {
        p.i = b.len();
        0
    } else {
        let sign: i64 = if p.eat(b'+') {
            1
        } else if p.eat(b'-') {
            -1
        } else {
            return None;
        };
        let oh: u32 = p.digits(2)?;
        p.eat(b':');
        let om: u32 = if p.at_end() { 0 } else { p.digits(2)? };
        if oh > 23 || om > 59 {
            return None;
        }
        sign * (i64::from(oh) * 3600 + i64::from(om) * 60)
    };
    if !p.at_end() {
        return None;
    }
    let ms = utc_ms(year, month, day, hour, minute, second)?;
    Some(ms + nanos / 1_000_000 - offset_s * 1000)
}

/// The fast path of [`parse_event_time`]: exactly `YYYY-MM-DDTHH:MM:SSZ`, every field in range
/// (a leap second is left to the general parser). `None` for anything else.
fn parse_plain_utc(b: &[u8]) -> Option<i64> {
    let b: &[u8; 20] = b.try_into().ok()?;
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[19] != b'Z' {
        return None;
    }
    let num = |at: usize, len: usize| -> Option<u32> {
        b[at..at + len].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(seconds * 1000)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses STS's `credentials.expiration` (`Oct 1, 2026, 1:00:00 PM`, with or without the comma
/// after the year, any whitespace before the meridiem), falling back to ISO 8601 and to epoch
/// seconds or milliseconds written as digits.
pub fn parse_expiration(s: &str) -> Option<i64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if t.bytes().all(|c| c.is_ascii_digit()) {
        // Epoch numbers appear when the SDK's own output is re-exported. Twelve digits or more
        // can only be milliseconds (seconds would be past the year 33000).
        let n: i64 = t.parse().ok()?;
        return Some(if t.len() >= 12 { n } else { n * 1000 });
    }
    if t.as_bytes()[0].is_ascii_digit() {
        return parse_event_time(t);
    }
    let mut tokens = t
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty());
    let month = month_number(tokens.next()?)?;
    let day: u32 = tokens.next()?.parse().ok()?;
    let year: i32 = tokens.next()?.parse().ok()?;
    let mut clock = tokens.next()?.split(':');
    let mut hour: u32 = clock.next()?.parse().ok()?;
    let minute: u32 = clock.next()?.parse().ok()?;
    let second: u32 = match clock.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if clock.next().is_some() {
        return None;
    }
    match tokens.next().map(|m| m.to_ascii_uppercase()) {
        None => {}
        Some(m) if m == "AM" || m == "A.M." => {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour %= 12;
        }
        Some(m) if m == "PM" || m == "P.M." => {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour = hour % 12 + 12;
        }
        // The JDK renders the expiration in UTC; say so only if it says so.
        Some(m) if m == "UTC" || m == "GMT" => {}
        Some(_) => return None,
    }
    if let Some(zone) = tokens.next() {
        if !(zone.eq_ignore_ascii_case("UTC") || zone.eq_ignore_ascii_case("GMT")) {
            return None;
        }
    }
    if tokens.next().is_some() {
        return None;
    }
    utc_ms(year, month, day, hour, minute, second)
}

/// `Oct`, `oct`, `October` → 10.
fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .zip(full)
        .position(|(short, long)| w == *short || w == long || (w == "sept" && *short == "sep"))
        .map(|i| i as u32 + 1)
}

/// Milliseconds of a UTC civil time, validating every field. A leap second (`:60`) counts as
/// the next second.
fn utc_ms(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<i64> {
    let leap = second == 60;
    let second = if leap { 59 } else { second };
    let t = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)?;
    Some(t.and_utc().timestamp_millis() + if leap { 1000 } else { 0 })
}

/// A byte cursor for the ISO parser.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn peek_digit(&self) -> bool {
        self.b.get(self.i).is_some_and(u8::is_ascii_digit)
    }

    fn digit(&mut self) -> Option<u8> {
        let d = *self.b.get(self.i)?;
        if d.is_ascii_digit() {
            self.i += 1;
            Some(d - b'0')
        } else {
            None
        }
    }

    /// Exactly `n` digits as a number.
    fn digits<T: From<u16>>(&mut self, n: usize) -> Option<T> {
        let mut v: u16 = 0;
        for _ in 0..n {
            v = v * 10 + u16::from(self.digit()?);
        }
        Some(T::from(v))
    }

    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }

    fn rest(&self) -> &[u8] {
        &self.b[self.i.min(self.b.len())..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: i64 = 1_790_859_600_000; // 2026-10-01T13:00:00Z

    #[test]
    fn event_times_in_every_form_cloudtrail_and_its_reexporters_write_parse_to_the_same_instant() {
        let cases = [
            ("2026-10-01T13:00:00Z", BASE),
            ("2026-10-01T13:00:00.250Z", BASE + 250),
            ("2026-10-01T13:00:00.123456789Z", BASE + 123),
            ("2026-10-01T13:00:00.1234567891Z", BASE + 123),
            ("2026-10-01 13:00:00", BASE),
            ("2026-10-01 13:00:00.5", BASE + 500),
            ("2026-10-01 13:00:00.000000007", BASE),
            ("2026-10-01T14:00:00+01:00", BASE),
            ("2026-10-01T08:00:00-0500", BASE),
            ("2026-10-02 00:00:00+11:00", BASE),
            ("2026-10-01T13:00Z", BASE),
            ("20261001T130000Z", BASE),
            ("  2026-10-01T13:00:00Z\n", BASE),
            ("2026-10-01 13:00:00 UTC", BASE),
        ];
        for (s, want) in cases {
            assert_eq!(parse_event_time(s), Some(want), "{s}");
        }
    }

    #[test]
    fn strings_that_are_not_timestamps_are_refused_rather_than_guessed() {
        for s in [
            "",
            "eventTime",
            "2026-10-01",
            "2026-13-01T13:00:00Z",
            "2026-02-30T13:00:00Z",
            "2026-10-01T25:00:00Z",
            "2026-10-01T13:00:00.Z",
            "2026-10-01T13:00:00Zjunk",
            "2026-10-01X13:00:00Z",
            "1790859600",
        ] {
            assert_eq!(parse_event_time(s), None, "{s:?}");
        }
    }

    #[test]
    fn sts_expirations_parse_with_or_without_the_comma_after_the_year() {
        let cases = [
            ("Oct 1, 2026, 1:00:00 PM", BASE),
            ("Oct 1, 2026 1:00:00 PM", BASE),
            ("Oct 1, 2026, 1:00:00\u{202f}PM", BASE),
            ("Oct 1, 2026, 1:00:00 pm", BASE),
            ("October 1, 2026, 1:00:00 PM", BASE),
            ("Oct 1, 2026, 13:00:00", BASE),
            ("Oct 1, 2026, 12:00:00 AM", BASE - 13 * 3_600_000),
            ("Oct 1, 2026, 12:30:00 PM", BASE - 1_800_000),
            ("2026-10-01T13:00:00Z", BASE),
            ("2026-10-01T13:00:00.000Z", BASE),
            ("1790859600", BASE),
            ("1790859600000", BASE),
        ];
        for (s, want) in cases {
            assert_eq!(parse_expiration(s), Some(want), "{s}");
        }
    }

    #[test]
    fn malformed_expirations_are_refused() {
        for s in [
            "",
            "soon",
            "Foo 1, 2026, 1:00:00 PM",
            "Oct 32, 2026, 1:00:00 PM",
            "Oct 1, 2026, 13:00:00 PM",
            "Oct 1, 2026, 1:00:00 XM",
            "Oct 1, 2026",
        ] {
            assert_eq!(parse_expiration(s), None, "{s:?}");
        }
    }

    #[test]
    fn the_fast_path_agrees_with_the_general_parser_on_every_day_and_edge() {
        let mut checked = 0;
        for year in [1970, 1999, 2000, 2023, 2024, 2026, 2100, 2400, 9999] {
            for month in 1..=13 {
                for day in [0, 1, 15, 28, 29, 30, 31, 32] {
                    for (h, m, sec) in [(0, 0, 0), (13, 5, 9), (23, 59, 59), (24, 0, 0), (0, 60, 0)]
                    {
                        let s = format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}Z");
                        // The general parser alone: a leading space skips the fast path.
                        assert_eq!(
                            parse_plain_utc(s.as_bytes()),
                            parse_event_time(&format!(" {s}")),
                            "{s}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000);
        for s in [
            "2026-10-01T13:00:00z",
            "2026-10-01 13:00:00Z",
            "2026-1a-01T13:00:00Z",
        ] {
            assert_eq!(parse_plain_utc(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn a_leap_second_counts_as_the_next_second() {
        assert_eq!(
            parse_event_time("2016-12-31T23:59:60Z"),
            parse_event_time("2017-01-01T00:00:00Z")
        );
    }
}
