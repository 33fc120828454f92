//! Scope time: the UTC interval every analysis looks at, and its command-line spelling
//! (`A..B` in RFC 3339, `last:24h`, `finding:ID`). Parsing only; resolving `last:` and
//! `finding:` against the cache is `analysis::scope`'s job.

use serde::Serialize;

use super::chain::rfc3339;
use super::time::parse_ms;

/// One hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;
/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// The widest scope: one year.
pub const MAX_SCOPE_MS: i64 = 366 * DAY_MS;

/// A UTC interval `[start_ms, end_ms)`, on whole hours, at least one hour and at most a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scope {
    #[serde(rename = "start", serialize_with = "rfc3339::ms")]
    pub start_ms: i64,
    #[serde(rename = "end", serialize_with = "rfc3339::ms")]
    pub end_ms: i64,
}

/// Why a scope was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error(
        "scope {0:?}: expected A..B (RFC 3339, UTC), last:DURATION (e.g. last:24h) or finding:ID"
    )]
    Syntax(String),
    #[error("scope {0:?}: the end is not after the start")]
    Empty(String),
    #[error("scope {0:?}: longer than a year")]
    TooLong(String),
}

/// A scope as typed, before it is resolved against the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeSpec {
    /// `A..B`, already snapped outward to whole hours.
    Range(Scope),
    /// `last:24h`: the span ending at the latest event in the cache.
    Last(i64),
    /// `finding:ID`: the finding's first → last seen, snapped outward.
    Finding(String),
}

impl Scope {
    /// The smallest whole-hour scope of at least one hour covering `[start_ms, end_ms]`.
    pub fn covering(start_ms: i64, end_ms: i64) -> Scope {
        let start = floor_hour(start_ms.min(end_ms));
        let mut end = ceil_hour(start_ms.max(end_ms));
        if end <= start {
            end = start + HOUR_MS;
        }
        Scope {
            start_ms: start,
            end_ms: end,
        }
    }

    /// `span_ms` (rounded up to whole hours) ending at the hour after `latest_ms`.
    pub fn last(latest_ms: i64, span_ms: i64) -> Scope {
        let end = ceil_hour(latest_ms + 1);
        let span = ceil_hour(span_ms.max(HOUR_MS));
        Scope {
            start_ms: end - span,
            end_ms: end,
        }
    }

    /// Whether `t` falls inside the scope.
    pub fn contains(&self, t: i64) -> bool {
        self.start_ms <= t && t < self.end_ms
    }

    /// Length in milliseconds.
    pub fn len_ms(&self) -> i64 {
        self.end_ms - self.start_ms
    }
}

/// Rounds down to the hour.
pub fn floor_hour(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS) * HOUR_MS
}

/// Rounds up to the hour.
pub fn ceil_hour(ms: i64) -> i64 {
    floor_hour(ms + HOUR_MS - 1)
}

/// Parses a duration such as `90m`, `24h`, `7d`, `2w` into milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit_ms = match unit {
        "m" | "min" => 60_000,
        "h" => HOUR_MS,
        "d" => DAY_MS,
        "w" => 7 * DAY_MS,
        _ => return None,
    };
    n.checked_mul(unit_ms).filter(|ms| *ms > 0)
}

/// Parses the command-line spelling of a scope.
pub fn parse_scope_spec(s: &str) -> Result<ScopeSpec, ScopeError> {
    let t = s.trim();
    if let Some(d) = t.strip_prefix("last:") {
        let ms = parse_duration_ms(d).ok_or_else(|| ScopeError::Syntax(s.into()))?;
        if ms > MAX_SCOPE_MS {
            return Err(ScopeError::TooLong(s.into()));
        }
        return Ok(ScopeSpec::Last(ms));
    }
    if let Some(id) = t.strip_prefix("finding:") {
        if id.is_empty() {
            return Err(ScopeError::Syntax(s.into()));
        }
        return Ok(ScopeSpec::Finding(id.to_string()));
    }
    let (a, b) = t
        .split_once("..")
        .ok_or_else(|| ScopeError::Syntax(s.into()))?;
    let a = parse_ms(a).ok_or_else(|| ScopeError::Syntax(s.into()))?;
    let b = parse_ms(b).ok_or_else(|| ScopeError::Syntax(s.into()))?;
    if b <= a {
        return Err(ScopeError::Empty(s.into()));
    }
    let scope = Scope::covering(a, b);
    if scope.len_ms() > MAX_SCOPE_MS {
        return Err(ScopeError::TooLong(s.into()));
    }
    Ok(ScopeSpec::Range(scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> i64 {
        parse_ms(s).expect("valid time")
    }

    #[test]
    fn ranges_snap_outward_to_whole_hours() {
        let got = parse_scope_spec("2026-10-01T13:05:00Z..2026-10-01T13:20:00Z");
        assert_eq!(
            got,
            Ok(ScopeSpec::Range(Scope {
                start_ms: t("2026-10-01T13:00:00Z"),
                end_ms: t("2026-10-01T14:00:00Z"),
            }))
        );
        let exact = parse_scope_spec("2026-10-01T13:00:00Z..2026-10-01T15:00:00Z");
        assert_eq!(
            exact,
            Ok(ScopeSpec::Range(Scope {
                start_ms: t("2026-10-01T13:00:00Z"),
                end_ms: t("2026-10-01T15:00:00Z"),
            }))
        );
    }

    #[test]
    fn bad_scopes_are_refused_with_a_reason() {
        for bad in [
            "",
            "yesterday",
            "last:",
            "last:5x",
            "finding:",
            "2026-10-01..x",
        ] {
            assert!(
                matches!(parse_scope_spec(bad), Err(ScopeError::Syntax(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_scope_spec("2026-10-02T00:00:00Z..2026-10-01T00:00:00Z"),
            Err(ScopeError::Empty(_))
        ));
        assert!(matches!(
            parse_scope_spec("2024-01-01T00:00:00Z..2026-01-01T00:00:00Z"),
            Err(ScopeError::TooLong(_))
        ));
        assert!(matches!(
            parse_scope_spec("last:400d"),
            Err(ScopeError::TooLong(_))
        ));
    }

    #[test]
    fn last_ends_at_the_hour_after_the_latest_event_and_is_at_least_an_hour() {
        let latest = t("2026-10-01T13:20:00Z");
        assert_eq!(
            Scope::last(latest, 24 * HOUR_MS),
            Scope {
                start_ms: t("2026-09-30T14:00:00Z"),
                end_ms: t("2026-10-01T14:00:00Z"),
            }
        );
        assert_eq!(Scope::last(latest, 60_000).len_ms(), HOUR_MS);
        assert_eq!(
            parse_scope_spec("last:24h"),
            Ok(ScopeSpec::Last(24 * HOUR_MS))
        );
        assert_eq!(
            parse_scope_spec("finding:abc"),
            Ok(ScopeSpec::Finding("abc".into()))
        );
    }

    #[test]
    fn a_finding_window_inside_one_hour_becomes_that_hour() {
        let s = Scope::covering(t("2026-10-01T13:10:00Z"), t("2026-10-01T13:40:00Z"));
        assert_eq!(s.start_ms, t("2026-10-01T13:00:00Z"));
        assert_eq!(s.end_ms, t("2026-10-01T14:00:00Z"));
        let instant = Scope::covering(t("2026-10-01T13:00:00Z"), t("2026-10-01T13:00:00Z"));
        assert_eq!(instant.len_ms(), HOUR_MS);
    }
}
