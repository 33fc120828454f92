//! What a sync is asked to do, as plain data: sources (the CloudTrail API, a trail bucket,
//! GuardDuty), profiles, regions, time windows, limits. The command line and the sources file
//! both build a `SyncPlan`; the console runs the same one. No AWS types, no I/O; the time
//! arithmetic (which spans of a window are still to fetch) lives here and is unit-tested.

use crate::model::{DAY_MS, format_ms, parse_ms};
use crate::store::SyncSpan;

/// Everything one `rolecall sync` run does.
#[derive(Debug, Clone, Default)]
pub struct SyncPlan {
    pub sources: Vec<Source>,
    /// Send every request here instead of AWS (tests, S3-compatible stores). S3 is addressed by
    /// path (`http://host/bucket/key`) then.
    pub endpoint_url: Option<String>,
    pub limits: Limits,
    /// How requests leave the process: the real HTTPS client, or a test double.
    pub transport: super::Transport,
}

/// One source, with the profiles it is read with (each profile one account, as responders set
/// them up; empty: the default credential chain, `AWS_PROFILE` and the rest).
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    CloudTrail(CloudTrailSource),
    S3(S3Source),
    GuardDuty(GuardDutySource),
}

impl Source {
    /// `cloudtrail`, `s3` or `guardduty`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::CloudTrail(_) => "cloudtrail",
            Source::S3(_) => "s3",
            Source::GuardDuty(_) => "guardduty",
        }
    }

    /// The profiles this source is read with.
    pub fn profiles(&self) -> &[String] {
        match self {
            Source::CloudTrail(s) => &s.profiles,
            Source::S3(s) => s.profile.as_slice(),
            Source::GuardDuty(s) => &s.profiles,
        }
    }
}

/// Which regions to read.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Regions {
    /// The profile's own region (`AWS_REGION`, the profile's `region`), else `us-east-1`.
    #[default]
    Default,
    List(Vec<String>),
    /// Every region of the standard partition; those not enabled for the account are skipped
    /// and named.
    All,
}

/// `LookupEvents` (the CloudTrail API: the last 90 days of management events).
#[derive(Debug, Clone, PartialEq)]
pub struct CloudTrailSource {
    pub profiles: Vec<String>,
    pub regions: Regions,
    pub window: Window,
    /// One lookup attribute (the API takes at most one), e.g. `Username=sara`.
    pub lookup: Option<Lookup>,
}

/// A trail bucket: `[prefix/]AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/`.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Source {
    /// The profile the bucket is read with (the log archive account's, usually); at most one.
    pub profile: Option<String>,
    pub bucket: String,
    /// The trail's key prefix, before `AWSLogs/`.
    pub prefix: Option<String>,
    /// Accounts to read (empty: every account found in the bucket).
    pub accounts: Vec<String>,
    /// Regions to read (empty: every region found for each account).
    pub regions: Vec<String>,
    pub window: Window,
}

/// GuardDuty: every detector's findings.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardDutySource {
    pub profiles: Vec<String>,
    pub regions: Regions,
}

/// A time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The last this many milliseconds before now.
    Since(i64),
    /// `[from_ms, to_ms)`, clipped to now.
    Range { from_ms: i64, to_ms: i64 },
}

impl Window {
    /// The window as `[from, to)` at `now_ms`.
    pub fn resolve(&self, now_ms: i64) -> (i64, i64) {
        match *self {
            Window::Since(ms) => (now_ms - ms, now_ms),
            Window::Range { from_ms, to_ms } => (from_ms, to_ms.min(now_ms)),
        }
    }

    /// How the window reads (`last 7d`, `2026-10-01T00:00:00Z..2026-10-02T00:00:00Z`).
    pub fn describe(&self) -> String {
        match *self {
            Window::Since(ms) if ms % DAY_MS == 0 => format!("last {}d", ms / DAY_MS),
            Window::Since(ms) => format!("last {}h", ms / 3_600_000),
            Window::Range { from_ms, to_ms } => {
                format!("{}..{}", format_ms(from_ms), format_ms(to_ms))
            }
        }
    }
}

/// A `LookupEvents` attribute filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub key: String,
    pub value: String,
}

/// The attribute keys `LookupEvents` accepts.
pub const LOOKUP_KEYS: &[&str] = &[
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
];

impl Lookup {
    /// Parses `Key=value` (the key as the API spells it, any case).
    pub fn parse(s: &str) -> Result<Lookup, String> {
        let (key, value) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?}: expected KEY=VALUE, e.g. Username=sara"))?;
        let key = LOOKUP_KEYS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(key.trim()))
            .ok_or_else(|| format!("{key:?}: the lookup keys are {}", LOOKUP_KEYS.join(", ")))?;
        if value.is_empty() {
            return Err(format!("{s:?}: the value is empty"));
        }
        Ok(Lookup {
            key: (*key).to_string(),
            value: value.to_string(),
        })
    }

    /// `Key=value`, the spelling cursors are kept under.
    pub fn text(&self) -> String {
        format!("{}={}", self.key, self.value)
    }
}

/// Parses a window from `--since` or `--from`/`--to` (RFC 3339 or `YYYY-MM-DD`).
pub fn parse_window(
    since: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    default_since_ms: i64,
) -> Result<Window, String> {
    match (since, from, to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err("--since and --from/--to do not go together".into())
        }
        (Some(s), None, None) => crate::model::parse_duration_ms(s)
            .map(Window::Since)
            .ok_or_else(|| format!("{s:?} is not a duration (e.g. 90m, 24h, 7d, 2w)")),
        (None, None, None) => Ok(Window::Since(default_since_ms)),
        (None, from, to) => {
            let from_ms = match from {
                Some(f) => parse_day_or_time(f)?,
                None => return Err("--to needs --from".into()),
            };
            let to_ms = match to {
                Some(t) => parse_day_or_time(t)?,
                None => i64::MAX,
            };
            if to_ms <= from_ms {
                return Err("--to must be after --from".into());
            }
            Ok(Window::Range { from_ms, to_ms })
        }
    }
}

/// RFC 3339, or a UTC day `YYYY-MM-DD` (its midnight).
fn parse_day_or_time(s: &str) -> Result<i64, String> {
    parse_ms(s)
        .or_else(|| parse_ms(&format!("{}T00:00:00Z", s.trim())))
        .ok_or_else(|| format!("{s:?} is not a time (2026-10-01 or 2026-10-01T13:00:00Z)"))
}

/// Retries, pacing and batching.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// `LookupEvents` requests per second per account and region (AWS allows 2).
    pub lookup_per_second: f64,
    /// Attempts at one request before a throttling or network error is given up on.
    pub attempts: u32,
    /// The first wait after a throttled or failed request; doubled each time, up to
    /// `backoff_max_ms`.
    pub backoff_ms: u64,
    pub backoff_max_ms: u64,
    /// Let the SDK retry transient errors itself as well (off in tests, so that each recorded
    /// exchange is answered once).
    pub sdk_retries: bool,
    /// S3 objects downloaded at once.
    pub downloads: usize,
    /// Records per transaction: smaller means less re-fetched after a crash, and cursors that
    /// follow the fetch more closely.
    pub commit_every: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            lookup_per_second: 2.0,
            attempts: 8,
            backoff_ms: 1_000,
            backoff_max_ms: 30_000,
            sdk_retries: true,
            downloads: 8,
            commit_every: 20_000,
        }
    }
}

/// CloudTrail can deliver an event to `LookupEvents` up to about 15 minutes after it happened:
/// a span is only recorded as complete up to this long before the sync began, so the next sync
/// fetches the last quarter-hour again (duplicates are dropped) instead of missing late events.
pub const SETTLE_MS: i64 = 15 * 60_000;

/// The parts of `[from, to)` not covered by `done` (sorted, disjoint), newest first: the order
/// `LookupEvents` pages run in, so the newest events arrive first.
pub fn gaps(from: i64, to: i64, done: &[SyncSpan]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut cursor = from;
    for s in done {
        if s.to_ms <= cursor {
            continue;
        }
        if s.from_ms >= to {
            break;
        }
        if s.from_ms > cursor {
            out.push((cursor, s.from_ms.min(to)));
        }
        cursor = cursor.max(s.to_ms);
    }
    if cursor < to {
        out.push((cursor, to));
    }
    out.reverse();
    out
}

/// The UTC days `[from, to)` touches, as `YYYY/MM/DD` (CloudTrail's S3 layout).
pub fn days(from_ms: i64, to_ms: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut day = from_ms.div_euclid(DAY_MS);
    while day * DAY_MS < to_ms {
        if let Some(t) = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(day * DAY_MS) {
            out.push(t.format("%Y/%m/%d").to_string());
        }
        day += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(from_ms: i64, to_ms: i64) -> SyncSpan {
        SyncSpan { from_ms, to_ms }
    }

    #[test]
    fn nothing_done_leaves_the_whole_window() {
        assert_eq!(gaps(0, 100, &[]), vec![(0, 100)]);
    }

    #[test]
    fn a_resumed_window_fetches_only_what_is_new_and_what_is_older() {
        // Done: the middle. To do: the newest part first, then the oldest.
        assert_eq!(gaps(0, 100, &[span(20, 60)]), vec![(60, 100), (0, 20)]);
    }

    #[test]
    fn spans_outside_the_window_change_nothing() {
        assert_eq!(
            gaps(50, 100, &[span(0, 10), span(200, 300)]),
            vec![(50, 100)]
        );
    }

    #[test]
    fn a_window_inside_a_span_is_done() {
        assert!(gaps(50, 100, &[span(0, 300)]).is_empty());
    }

    #[test]
    fn holes_between_spans_are_each_a_gap() {
        assert_eq!(
            gaps(0, 100, &[span(10, 20), span(30, 40)]),
            vec![(40, 100), (20, 30), (0, 10)]
        );
    }

    #[test]
    fn a_window_names_every_day_it_touches() {
        let from = parse_ms("2026-10-01T23:00:00Z").expect("time");
        let to = parse_ms("2026-10-03T00:00:00Z").expect("time");
        assert_eq!(days(from, to), vec!["2026/10/01", "2026/10/02"]);
    }

    #[test]
    fn lookups_take_the_api_keys_in_any_case() {
        let l = Lookup::parse("username=sara").expect("parses");
        assert_eq!(l.text(), "Username=sara");
        assert!(Lookup::parse("Colour=red").is_err());
        assert!(Lookup::parse("Username").is_err());
    }

    #[test]
    fn windows_come_from_since_or_from_and_to() {
        assert_eq!(
            parse_window(Some("7d"), None, None, 1),
            Ok(Window::Since(7 * DAY_MS))
        );
        assert_eq!(parse_window(None, None, None, 5), Ok(Window::Since(5)));
        let w = parse_window(None, Some("2026-10-01"), Some("2026-10-02"), 1).expect("range");
        assert_eq!(
            w,
            Window::Range {
                from_ms: parse_ms("2026-10-01T00:00:00Z").expect("t"),
                to_ms: parse_ms("2026-10-02T00:00:00Z").expect("t"),
            }
        );
        assert!(parse_window(Some("7d"), Some("2026-10-01"), None, 1).is_err());
        assert!(parse_window(None, Some("2026-10-02"), Some("2026-10-01"), 1).is_err());
    }
}
