//! Times as people read them in a narrow column. All UTC, like the logs.

use chrono::{DateTime, Utc};

use crate::model::{DAY_MS, Scope};

fn utc(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
}

/// `2026-11-18 14:09:41`.
pub fn date_time(ms: i64) -> String {
    utc(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

/// `2026-11-18`.
pub fn date(ms: i64) -> String {
    utc(ms).map_or_else(|| ms.to_string(), |t| t.format("%Y-%m-%d").to_string())
}

/// `14:09:41`.
pub fn time_of_day(ms: i64) -> String {
    utc(ms).map_or_else(|| ms.to_string(), |t| t.format("%H:%M:%S").to_string())
}

/// `14:09`.
pub fn hour_minute(ms: i64) -> String {
    utc(ms).map_or_else(|| ms.to_string(), |t| t.format("%H:%M").to_string())
}

/// `2026-11-18 14:00–15:00 UTC`, or `2026-11-18 14:00 – 2026-11-19 14:00 UTC` across days.
pub fn scope_text(s: &Scope) -> String {
    let same_day = date(s.start_ms) == date(s.end_ms - 1) && s.end_ms - s.start_ms < DAY_MS;
    if same_day {
        let end = if hour_minute(s.end_ms) == "00:00" {
            "24:00".to_string()
        } else {
            hour_minute(s.end_ms)
        };
        format!("{} {}–{end} UTC", date(s.start_ms), hour_minute(s.start_ms))
    } else {
        format!(
            "{} {} – {} {} UTC",
            date(s.start_ms),
            hour_minute(s.start_ms),
            date(s.end_ms),
            hour_minute(s.end_ms)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_ms;

    fn t(s: &str) -> i64 {
        parse_ms(s).expect("time")
    }

    #[test]
    fn scopes_read_as_one_day_or_a_span() {
        let hour = Scope {
            start_ms: t("2026-11-18T14:00:00Z"),
            end_ms: t("2026-11-18T15:00:00Z"),
        };
        assert_eq!(scope_text(&hour), "2026-11-18 14:00–15:00 UTC");
        let evening = Scope {
            start_ms: t("2026-11-18T23:00:00Z"),
            end_ms: t("2026-11-19T00:00:00Z"),
        };
        assert_eq!(scope_text(&evening), "2026-11-18 23:00–24:00 UTC");
        let week = Scope {
            start_ms: t("2026-11-18T00:00:00Z"),
            end_ms: t("2026-11-25T00:00:00Z"),
        };
        assert_eq!(scope_text(&week), "2026-11-18 00:00 – 2026-11-25 00:00 UTC");
        assert_eq!(date_time(t("2026-11-18T14:09:41Z")), "2026-11-18 14:09:41");
    }
}
