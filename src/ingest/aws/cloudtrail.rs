//! `LookupEvents` for one account and region: the window's gaps (what the cache does not hold
//! yet), newest first, every page, paced by a token bucket at the API's limit. Each page's
//! `CloudTrailEvent` strings (whole CloudTrail records) become one input of JSON lines, so a
//! synced event and an ingested one are the same row; after each page, a mark records the span
//! now complete.

use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};

use super::error::{Call, SyncError, classify};
use super::feed::{Item, Mark};
use super::pace::{Bucket, retrying};
use super::plan::{CloudTrailSource, SETTLE_MS, gaps};
use super::progress::Tally;
use super::run::TaskCtx;
use crate::ingest::Input;
use crate::store::SyncSpan;

/// Events per `LookupEvents` page (the API's maximum).
pub const PAGE_EVENTS: i32 = 50;

/// Fetches what the cache lacks of `source`'s window in one account and region.
pub async fn lookup_region(
    ctx: &TaskCtx,
    client: &aws_sdk_cloudtrail::Client,
    source: &CloudTrailSource,
    profile: Option<&str>,
    account: &str,
    region: &str,
    tally: &Tally,
) -> Result<(), SyncError> {
    let filter = source.lookup.as_ref().map(|l| l.text()).unwrap_or_default();
    let (from, to) = source.window.resolve(ctx.now_ms);
    let done = ctx.remembered.spans(account, region, &filter);
    let todo = gaps(from, to, &done);
    // Recorded spans stop short of the last quarter-hour: CloudTrail may still deliver events
    // there.
    let settled = ctx.now_ms - SETTLE_MS;
    let total_ms: i64 = todo.iter().map(|(lo, hi)| hi - lo).sum();
    let mut paged_ms = 0i64;
    let attribute = match &source.lookup {
        Some(l) => Some(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::from(l.key.as_str()))
                .attribute_value(&l.value)
                .build()
                .map_err(|e| SyncError::Config(e.to_string()))?,
        ),
        None => None,
    };
    let call = Call {
        action: "cloudtrail:LookupEvents",
        region,
        profile,
    };
    let mut bucket = Bucket::new(ctx.limits.lookup_per_second);
    for (lo, hi) in todo {
        let mut token: Option<String> = None;
        let mut page = 0u64;
        loop {
            let page_out = retrying(&ctx.limits, &call, tally, Some(&mut bucket), || {
                let mut req = client
                    .lookup_events()
                    .start_time(DateTime::from_millis(lo))
                    .end_time(DateTime::from_millis(hi))
                    .max_results(PAGE_EVENTS);
                if let Some(a) = &attribute {
                    req = req.lookup_attributes(a.clone());
                }
                if let Some(t) = &token {
                    req = req.next_token(t);
                }
                async move { req.send().await.map_err(|e| classify(&e, &call)) }
            })
            .await?;
            let mut data = Vec::new();
            let mut oldest: Option<i64> = None;
            let events = page_out.events();
            for e in events {
                if let Some(record) = e.cloud_trail_event() {
                    // CloudTrail's records are compact JSON; a line break could only be
                    // whitespace between tokens (inside strings it is escaped), so a space
                    // keeps one record per line.
                    data.extend(record.bytes().map(|b| match b {
                        b'\n' | b'\r' => b' ',
                        b => b,
                    }));
                    data.push(b'\n');
                }
                if let Some(t) = e.event_time().and_then(|t| t.to_millis().ok()) {
                    oldest = Some(oldest.map_or(t, |o| o.min(t)));
                }
            }
            tally.records(events.len() as u64);
            token = page_out.next_token().map(str::to_string);
            // Pages run newest first: after this one, every event later than its oldest is
            // fetched (events of that same second may continue on the next page).
            let done_from = match (&token, oldest) {
                (None, _) => lo,
                (Some(_), Some(t)) => (t + 1).max(lo),
                (Some(_), None) => hi,
            };
            let top = hi.min(settled);
            let mark = (done_from < top).then(|| Mark::Span {
                account: account.to_string(),
                region: region.to_string(),
                filter: filter.clone(),
                span: SyncSpan {
                    from_ms: done_from,
                    to_ms: top,
                },
            });
            if !data.is_empty() {
                let name = format!(
                    "lookup-events {account} {region} {}..{} page {}",
                    crate::model::format_ms(lo),
                    crate::model::format_ms(hi),
                    page + 1
                );
                ctx.send(Item::Input(Input::Bytes { name, data }, mark))
                    .await?;
            } else if let Some(mark) = mark {
                ctx.send(Item::Mark(mark)).await?;
            }
            if total_ms > 0 {
                tally.fraction((paged_ms + (hi - done_from)) as f64 / total_ms as f64);
            }
            if token.is_none() {
                break;
            }
            page += 1;
        }
        paged_ms += hi - lo;
    }
    Ok(())
}
