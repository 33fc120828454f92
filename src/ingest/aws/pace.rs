//! Pacing requests: a token bucket per account and region (`LookupEvents` allows 2 requests a
//! second), and retries with doubling waits for throttling and transient failures, until a
//! limit after which the failure is final and named.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::error::{Call, Failure, SyncError};
use super::plan::Limits;
use super::progress::Tally;

/// Requests at most `per_second`, evenly spaced (no burst: LookupEvents throttles bursts).
#[derive(Debug)]
pub struct Bucket {
    interval: Duration,
    next: Instant,
}

impl Bucket {
    pub fn new(per_second: f64) -> Bucket {
        let per_second = if per_second.is_finite() && per_second > 0.0 {
            per_second
        } else {
            2.0
        };
        Bucket {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: Instant::now(),
        }
    }

    /// Waits for the next token.
    pub async fn take(&mut self) {
        let now = Instant::now();
        if self.next > now {
            tokio::time::sleep_until(self.next).await;
        }
        self.next = self.next.max(now) + self.interval;
    }

    /// After throttling, no request before `wait` has passed.
    fn hold(&mut self, wait: Duration) {
        self.next = self.next.max(Instant::now() + wait);
    }
}

/// Runs `attempt` until it succeeds, a failure is final, or `limits.attempts` are used up.
/// Throttling and transient failures wait `backoff_ms`, doubling up to `backoff_max_ms`, with
/// jitter so that regions throttled together do not retry together.
pub async fn retrying<T, F, Fut>(
    limits: &Limits,
    call: &Call<'_>,
    tally: &Tally,
    mut bucket: Option<&mut Bucket>,
    mut attempt: F,
) -> Result<T, SyncError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let attempts = limits.attempts.max(1);
    let mut wait = limits.backoff_ms;
    for n in 1..=attempts {
        if let Some(b) = bucket.as_deref_mut() {
            b.take().await;
        }
        tally.request();
        let last = n == attempts;
        match attempt().await {
            Ok(v) => {
                tally.answered();
                return Ok(v);
            }
            Err(Failure::Fatal(e)) => return Err(e),
            Err(Failure::Throttled(detail)) => {
                tally.throttled();
                tracing::debug!(action = call.action, region = call.region, %detail, "throttled");
                if last {
                    return Err(SyncError::Throttled {
                        action: call.action.to_string(),
                        region: call.region.to_string(),
                        attempts,
                    });
                }
            }
            Err(Failure::Transient(detail)) => {
                tracing::debug!(action = call.action, region = call.region, %detail, "retrying");
                if !last {
                    tally.retrying(format!(
                        "retrying ({} of {attempts}): {}",
                        n + 1,
                        crate::text::sanitize(&detail)
                    ));
                }
                if last {
                    return Err(SyncError::Network {
                        action: call.action.to_string(),
                        region: call.region.to_string(),
                        attempts,
                        detail: crate::text::sanitize(&detail).into_owned(),
                    });
                }
            }
        }
        let pause = jittered(wait);
        if let Some(b) = bucket.as_deref_mut() {
            b.hold(pause);
        } else {
            tokio::time::sleep(pause).await;
        }
        wait = (wait.saturating_mul(2)).min(limits.backoff_max_ms.max(limits.backoff_ms));
    }
    // `attempts` is at least 1 and the last attempt returns.
    Err(SyncError::Config("no attempt was made".into()))
}

/// Between half and all of `ms` (a cheap jitter from the clock's nanoseconds: no generator
/// needed for spreading retries).
fn jittered(ms: u64) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    let half = ms / 2;
    Duration::from_millis(half + if half > 0 { nanos % (half + 1) } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_bucket_spaces_requests_at_its_rate() {
        let mut b = Bucket::new(2.0);
        let start = Instant::now();
        for _ in 0..5 {
            b.take().await;
        }
        // Five requests at 2/s: the first at once, the fifth two seconds later.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_being_retried_shows_on_the_task_until_an_answer_comes() {
        use super::super::progress::Board;
        let board = Board::default();
        let tally = board.task("cloudtrail", None, "111122223333", "us-east-1", None);
        let limits = Limits {
            attempts: 3,
            backoff_ms: 1,
            backoff_max_ms: 2,
            ..Limits::default()
        };
        let call = Call {
            action: "cloudtrail:LookupEvents",
            region: "us-east-1",
            profile: None,
        };
        let mut seen = Vec::new();
        let out = retrying(&limits, &call, &tally, None, || {
            seen.push(board.snapshot()[0].retrying.clone());
            let n = seen.len();
            async move {
                if n < 3 {
                    Err(Failure::Transient("connection reset\x1b[2J".into()))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(out.ok(), Some(3));
        assert_eq!(
            seen,
            [
                None,
                Some("retrying (2 of 3): connection reset\\u{1b}[2J".to_string()),
                Some("retrying (3 of 3): connection reset\\u{1b}[2J".to_string()),
            ]
        );
        assert_eq!(board.snapshot()[0].retrying, None);
    }

    #[test]
    fn jitter_stays_within_half_and_all_of_the_wait() {
        for _ in 0..100 {
            let d = jittered(1000);
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_millis(1000));
        }
        assert_eq!(jittered(0), Duration::ZERO);
    }
}
