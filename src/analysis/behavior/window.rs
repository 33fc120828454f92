//! The baseline arithmetic, pure: the window before the scope, how much history it holds (the
//! entity's own and the cache's coverage of its accounts), the hours the volume baseline spans,
//! and the rule that calls a count in the scope increased volume. No I/O: the caller passes
//! the first-call times and the covered days it read.

use serde::Serialize;

use crate::model::{DAY_MS, HOUR_MS, Scope, rfc3339};
use crate::store::split_days;

/// The baseline's length when none is asked for (DESIGN: the 45 days before the scope).
pub const DEFAULT_BASELINE_DAYS: i64 = 45;
/// Less history than this (or than the whole baseline, when it is shorter) and nothing is
/// called new: "not enough history".
pub const MIN_HISTORY_DAYS: i64 = 14;
/// A scope's rate must reach this many times the baseline's hourly mean to be increased volume.
pub const SPIKE_FACTOR: i64 = 3;
/// ... and the scope must hold at least this many calls of the API: one call is never a spike.
pub const MIN_SPIKE_CALLS: i64 = 10;

/// The scope and the baseline window before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub scope: Scope,
    /// Days of baseline asked for (1 to 366).
    pub days: i64,
}

impl Window {
    /// The `days` (clamped to 1–366) before `scope`.
    pub fn new(scope: Scope, days: i64) -> Window {
        Window {
            scope,
            days: days.clamp(1, 366),
        }
    }

    /// `[scope start - days, scope start)`.
    pub fn baseline(&self) -> Scope {
        Scope {
            start_ms: self.scope.start_ms - self.days * DAY_MS,
            end_ms: self.scope.start_ms,
        }
    }

    /// The history needed before anything is called new: two weeks, or the whole baseline when
    /// a shorter one was asked for.
    pub fn required_ms(&self) -> i64 {
        (MIN_HISTORY_DAYS * DAY_MS).min(self.days * DAY_MS)
    }

    /// The baseline's whole UTC days, `[from_day, to_day)` (the volume baseline's span).
    pub fn whole_days(&self) -> Option<(i64, i64)> {
        split_days(self.baseline()).0
    }
}

/// Milliseconds of `[from, to)` the cache covers: inside the covered UTC `days`, from `since`
/// (the accounts' first event) on. Days without a single event are gaps in the data, not
/// quiet days, and do not count.
pub fn covered_ms(from: i64, to: i64, since: Option<i64>, days: &[i64]) -> i64 {
    let Some(since) = since else {
        return 0;
    };
    let lo = from.max(since);
    days.iter()
        .map(|d| {
            let start = (d * DAY_MS).max(lo);
            let end = ((d + 1) * DAY_MS).min(to);
            (end - start).max(0)
        })
        .sum()
}

/// Whether the baseline holds enough history to call anything new, and why not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    /// `false`: the panels stay empty and `reason` says why (everything would look new).
    pub enough: bool,
    /// Days of the entity's own history inside the baseline (since its first call).
    pub entity_days: f64,
    /// Days of the baseline the cache covers for the entity's accounts (days with events).
    pub account_days: f64,
    /// Days of each needed.
    pub required_days: f64,
    /// The entity's first call in the cache.
    #[serde(serialize_with = "rfc3339::opt")]
    pub first_seen: Option<i64>,
    pub reason: Option<String>,
}

/// The history `window` holds for an entity first seen at `entity_first`, whose accounts'
/// data starts at `account_first` and covers `covered_days` (UTC days, any order).
pub fn history(
    window: &Window,
    entity_first: Option<i64>,
    account_first: Option<i64>,
    covered_days: &[i64],
) -> History {
    let base = window.baseline();
    let entity_ms = match entity_first {
        Some(first) if first < base.end_ms => base.end_ms - first.max(base.start_ms),
        _ => 0,
    };
    let account_ms = covered_ms(base.start_ms, base.end_ms, account_first, covered_days);
    let required = window.required_ms();
    let days = |ms: i64| ms as f64 / DAY_MS as f64;
    let reason = match entity_first {
        _ if entity_ms >= required && account_ms >= required => None,
        None => Some("not enough history: no call of it in the cache".to_string()),
        Some(first) if first >= base.end_ms => Some(
            "not enough history: first seen in the scope, nothing before it to compare with"
                .to_string(),
        ),
        Some(_) if entity_ms < required => Some(format!(
            "not enough history: first seen {:.1} days before the scope, {:.0} needed",
            days(entity_ms),
            days(required)
        )),
        Some(_) => Some(format!(
            "not enough history: the cache covers {:.1} days of its account before the scope, \
             {:.0} needed",
            days(account_ms),
            days(required)
        )),
    };
    History {
        enough: reason.is_none(),
        entity_days: days(entity_ms),
        account_days: days(account_ms),
        required_days: days(required),
        first_seen: entity_first,
        reason,
    }
}

/// The span the volume baseline's hourly mean is taken over: the baseline's whole UTC days
/// the cache covers, from the entity's first call on (the hours at the window's two ends, under
/// a day together, are left out: counting them would mean reading a day of raw events, and
/// they move a 45-day mean by under 1/45).
pub fn volume_ms(
    window: &Window,
    entity_first: Option<i64>,
    account_first: Option<i64>,
    covered_days: &[i64],
) -> i64 {
    let (Some((d0, d1)), Some(entity), Some(account)) =
        (window.whole_days(), entity_first, account_first)
    else {
        return 0;
    };
    covered_ms(
        d0 * DAY_MS,
        d1 * DAY_MS,
        Some(entity.max(account)),
        covered_days,
    )
}

/// Whether `count` calls in a scope of `scope_ms` is increased volume against `baseline_calls`
/// in `baseline_ms`: at least [`MIN_SPIKE_CALLS`], at a rate of at least [`SPIKE_FACTOR`] times
/// the baseline's. Integer arithmetic, so the rule has no rounding to argue about.
pub fn is_spike(count: i64, scope_ms: i64, baseline_calls: i64, baseline_ms: i64) -> bool {
    count >= MIN_SPIKE_CALLS
        && i128::from(count) * i128::from(baseline_ms)
            >= i128::from(SPIKE_FACTOR) * i128::from(baseline_calls) * i128::from(scope_ms)
}

/// The smallest count in the scope that [`is_spike`] calls increased volume (`None`: none can
/// be, a baseline with calls but no span, which the cache cannot hold).
pub fn spike_threshold(scope_ms: i64, baseline_calls: i64, baseline_ms: i64) -> Option<i64> {
    if baseline_ms <= 0 {
        return (baseline_calls == 0).then_some(MIN_SPIKE_CALLS);
    }
    let need = i128::from(SPIKE_FACTOR) * i128::from(baseline_calls) * i128::from(scope_ms);
    let per = i128::from(baseline_ms);
    let n = (need + per - 1) / per;
    Some(i64::try_from(n).unwrap_or(i64::MAX).max(MIN_SPIKE_CALLS))
}

/// Calls per hour over `ms`.
pub fn per_hour(calls: i64, ms: i64) -> f64 {
    if ms <= 0 {
        return 0.0;
    }
    calls as f64 * HOUR_MS as f64 / ms as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = DAY_MS;
    const H: i64 = HOUR_MS;

    fn scope(start: i64, hours: i64) -> Scope {
        Scope {
            start_ms: start,
            end_ms: start + hours * H,
        }
    }

    #[test]
    fn the_baseline_is_the_days_right_before_the_scope() {
        let w = Window::new(scope(100 * D + 14 * H, 1), 45);
        assert_eq!(
            w.baseline(),
            Scope {
                start_ms: 55 * D + 14 * H,
                end_ms: 100 * D + 14 * H
            }
        );
        // Its whole days: the first starts after 14:00 on day 55, the last ends at midnight
        // before the scope's day.
        assert_eq!(w.whole_days(), Some((56, 100)));
        let midnight = Window::new(scope(100 * D, 24), 45);
        assert_eq!(midnight.whole_days(), Some((55, 100)));
        assert_eq!(Window::new(scope(0, 1), 0).days, 1);
        assert_eq!(Window::new(scope(0, 1), 9999).days, 366);
    }

    #[test]
    fn history_counts_from_the_entitys_first_call_and_the_days_the_cache_covers() {
        let w = Window::new(scope(100 * D, 1), 45);
        let all: Vec<i64> = (0..100).collect();
        let h = history(&w, Some(30 * D), Some(0), &all);
        assert!(h.enough, "{h:?}");
        assert_eq!((h.entity_days, h.account_days), (45.0, 45.0));
        // First seen 10 days before the scope.
        let h = history(&w, Some(90 * D), Some(0), &all);
        assert!(!h.enough);
        assert_eq!(h.entity_days, 10.0);
        assert!(
            h.reason.as_deref().unwrap_or("").contains("10.0 days"),
            "{h:?}"
        );
        // Exactly two weeks is enough; a millisecond less is not.
        assert!(history(&w, Some(86 * D), Some(0), &all).enough);
        assert!(!history(&w, Some(86 * D + 1), Some(0), &all).enough);
        // First seen in the scope, or never.
        let h = history(&w, Some(100 * D + 5), Some(0), &all);
        assert!(!h.enough && h.entity_days == 0.0);
        assert!(
            h.reason
                .as_deref()
                .unwrap_or("")
                .contains("first seen in the scope")
        );
        assert!(!history(&w, None, Some(0), &all).enough);
    }

    #[test]
    fn an_account_whose_data_starts_late_or_has_gaps_has_not_enough_history() {
        let w = Window::new(scope(100 * D + 12 * H, 1), 45);
        // Data from 12:00 on day 95: 5 days.
        let days: Vec<i64> = (95..=100).collect();
        let h = history(&w, Some(10 * D), Some(95 * D + 12 * H), &days);
        assert!(!h.enough);
        assert_eq!(h.account_days, 5.0);
        assert!(
            h.reason
                .as_deref()
                .unwrap_or("")
                .contains("covers 5.0 days")
        );
        // A month of data long ago, then a gap, then three days: the gap is not history.
        let mut days: Vec<i64> = (10..40).collect();
        days.extend(97..=100);
        let h = history(&w, Some(10 * D), Some(10 * D), &days);
        assert_eq!(h.account_days, 3.5);
        assert!(!h.enough);
    }

    #[test]
    fn an_empty_baseline_has_no_history_and_a_short_baseline_needs_only_itself() {
        let w = Window::new(scope(100 * D, 1), 45);
        let h = history(&w, Some(99 * D), None, &[]);
        assert!(!h.enough && h.account_days == 0.0);
        let short = Window::new(scope(100 * D, 1), 7);
        let days: Vec<i64> = (90..100).collect();
        assert!(history(&short, Some(0), Some(0), &days).enough);
        assert_eq!(short.required_ms(), 7 * D);
    }

    #[test]
    fn the_volume_baseline_spans_whole_covered_days_since_the_first_call() {
        let w = Window::new(scope(100 * D + 14 * H, 1), 45);
        let all: Vec<i64> = (0..101).collect();
        // Whole days 56..100: 44 days.
        assert_eq!(volume_ms(&w, Some(0), Some(0), &all), 44 * D);
        // First call at noon on day 80: 19.5 days.
        assert_eq!(
            volume_ms(&w, Some(80 * D + 12 * H), Some(0), &all),
            19 * D + 12 * H
        );
        // A gap of ten days inside.
        let gappy: Vec<i64> = all
            .iter()
            .copied()
            .filter(|d| !(60..70).contains(d))
            .collect();
        assert_eq!(volume_ms(&w, Some(0), Some(0), &gappy), 34 * D);
        assert_eq!(volume_ms(&w, None, Some(0), &all), 0);
    }

    #[test]
    fn a_spike_needs_the_minimum_count_and_three_times_the_rate() {
        let hour = H;
        let baseline = 44 * D;
        // Baseline 1 call per hour: 3 in an hour is 3x, but under the minimum count.
        assert!(!is_spike(3, hour, 44 * 24, baseline));
        // One call, never a spike, even against an empty baseline.
        assert!(!is_spike(1, hour, 0, baseline));
        assert!(is_spike(MIN_SPIKE_CALLS, hour, 0, baseline));
        // 0.2 per hour: 10 in an hour is 50x.
        let calls = (0.2 * 44.0 * 24.0) as i64;
        assert!(is_spike(10, hour, calls, baseline));
        // 5 per hour: 15 is exactly 3x (a spike), 14 is not.
        let calls = 5 * 44 * 24;
        assert!(is_spike(15, hour, calls, baseline));
        assert!(!is_spike(14, hour, calls, baseline));
        assert_eq!(spike_threshold(hour, calls, baseline), Some(15));
        assert_eq!(spike_threshold(hour, 0, baseline), Some(MIN_SPIKE_CALLS));
        // Over a day the same rate needs 24 times the calls.
        assert_eq!(spike_threshold(24 * hour, calls, baseline), Some(360));
        assert!(is_spike(360, 24 * hour, calls, baseline));
        assert!(!is_spike(359, 24 * hour, calls, baseline));
        // No span: only an empty baseline can be compared with.
        assert_eq!(spike_threshold(hour, 5, 0), None);
        assert!(!is_spike(100, hour, 5, 0));
        assert!((per_hour(calls, baseline) - 5.0).abs() < 1e-9);
    }
}
