//! GuardDuty for one account and region: every detector, `ListFindings` from the detector's
//! cursor (findings updated since the last sync, oldest update first), `GetFindings` in batches
//! of 50. The SDK turns responses into Rust structs that cannot be written back as JSON, so the
//! response body itself is kept (an interceptor copies it): each finding goes to the pipeline
//! as the service wrote it (the camelCase shape the ingest side reads), one JSON line each. A
//! finding's every revision is kept by the store (keyed by ID, `updatedAt` and count).

use std::sync::{Arc, Mutex};

use aws_sdk_guardduty::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_guardduty::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_guardduty::error::BoxError;
use aws_sdk_guardduty::types::{Condition, FindingCriteria, OrderBy, SortCriteria};

use super::error::{Call, Failure, SyncError, classify};
use super::feed::{Item, Mark};
use super::pace::retrying;
use super::pages::each_page;
use super::progress::Tally;
use super::run::TaskCtx;
use crate::ingest::Input;

/// Finding IDs per `GetFindings` (the API's maximum).
pub const BATCH: i32 = 50;

/// Copies each response body the SDK has read into memory (non-streaming operations only).
#[derive(Debug, Clone, Default)]
pub struct KeepBody(Arc<Mutex<Option<Vec<u8>>>>);

impl KeepBody {
    fn take(&self) -> Option<Vec<u8>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl Intercept for KeepBody {
    fn name(&self) -> &'static str {
        "KeepBody"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context.response().body().bytes().map(<[u8]>::to_vec);
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = body;
        Ok(())
    }
}

/// Builds the region's client with the body-keeping interceptor.
pub fn client(sdk: &aws_config::SdkConfig, keep: &KeepBody) -> aws_sdk_guardduty::Client {
    let conf = aws_sdk_guardduty::config::Builder::from(sdk)
        .interceptor(keep.clone())
        .build();
    aws_sdk_guardduty::Client::from_conf(conf)
}

/// Fetches every detector's findings updated since its cursor.
pub async fn findings_region(
    ctx: &TaskCtx,
    client: &aws_sdk_guardduty::Client,
    keep: &KeepBody,
    profile: Option<&str>,
    account: &str,
    region: &str,
    tally: &Tally,
) -> Result<(), SyncError> {
    let list_detectors = Call {
        action: "guardduty:ListDetectors",
        region,
        profile,
    };
    let mut detectors = Vec::new();
    each_page(
        &ctx.limits,
        &list_detectors,
        tally,
        |token| {
            let req = client.list_detectors().set_next_token(token);
            async move { req.send().await.map_err(|e| classify(&e, &list_detectors)) }
        },
        |out| out.next_token(),
        |out| detectors.extend(out.detector_ids().iter().cloned()),
    )
    .await?;
    for detector in detectors {
        detector_findings(
            ctx, client, keep, profile, account, region, &detector, tally,
        )
        .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn detector_findings(
    ctx: &TaskCtx,
    client: &aws_sdk_guardduty::Client,
    keep: &KeepBody,
    profile: Option<&str>,
    account: &str,
    region: &str,
    detector: &str,
    tally: &Tally,
) -> Result<(), SyncError> {
    let list = Call {
        action: "guardduty:ListFindings",
        region,
        profile,
    };
    let get = Call {
        action: "guardduty:GetFindings",
        ..list
    };
    let cursor = ctx
        .remembered
        .cursor("guardduty", account, region, detector)
        .unwrap_or(0);
    // Findings updated at the cursor or later (at: a finding updated in the same millisecond as
    // the last one fetched is fetched again, and its revision found to be a duplicate).
    let criteria = FindingCriteria::builder()
        .criterion(
            "updatedAt",
            Condition::builder().greater_than_or_equal(cursor).build(),
        )
        .build();
    let sort = SortCriteria::builder()
        .attribute_name("updatedAt")
        .order_by(OrderBy::Asc)
        .build();
    let mut token: Option<String> = None;
    let mut batch = 0u64;
    loop {
        let out = retrying(&ctx.limits, &list, tally, None, || {
            let req = client
                .list_findings()
                .detector_id(detector)
                .finding_criteria(criteria.clone())
                .sort_criteria(sort.clone())
                .max_results(BATCH)
                .set_next_token(token.clone());
            async move { req.send().await.map_err(|e| classify(&e, &list)) }
        })
        .await?;
        let ids = out.finding_ids().to_vec();
        token = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if !ids.is_empty() {
            let body = retrying(&ctx.limits, &get, tally, None, || {
                let req = client
                    .get_findings()
                    .detector_id(detector)
                    .set_finding_ids(Some(ids.clone()));
                async move {
                    req.send().await.map_err(|e| classify(&e, &get))?;
                    keep.take().ok_or_else(|| {
                        Failure::Transient("the GetFindings response body was not kept".into())
                    })
                }
            })
            .await?;
            let (data, count, newest) = finding_lines(&body).map_err(|e| SyncError::Service {
                action: get.action.into(),
                region: region.into(),
                detail: e,
            })?;
            tally.records(count);
            batch += 1;
            let mark = newest.map(|value_ms| Mark::Cursor {
                source: "guardduty",
                account: account.to_string(),
                region: region.to_string(),
                key: detector.to_string(),
                value_ms,
            });
            if !data.is_empty() {
                let name = format!("guardduty {account} {region} {detector} batch {batch}");
                ctx.send(Item::Input(Input::Bytes { name, data }, mark))
                    .await?;
            }
        }
        if token.is_none() {
            break;
        }
    }
    Ok(())
}

/// A `GetFindings` response body (`{"findings": […]}`) as one finding per line, how many, and
/// the newest `updatedAt` among them (epoch milliseconds).
pub fn finding_lines(body: &[u8]) -> Result<(Vec<u8>, u64, Option<i64>), String> {
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(default)]
        findings: Vec<serde_json::Value>,
    }
    let mut page: Page = serde_json::from_slice(body)
        .map_err(|e| format!("the GetFindings response is not the expected JSON: {e}"))?;
    let mut out = Vec::new();
    let mut newest: Option<i64> = None;
    for f in &mut page.findings {
        if let Some(t) = f
            .get("updatedAt")
            .and_then(|v| v.as_str())
            .and_then(crate::model::parse_ms)
        {
            newest = Some(newest.map_or(t, |n| n.max(t)));
        }
        // Compact JSON, one finding per line, keys sorted whatever serde_json's features (test
        // builds turn on `preserve_order`): the same bytes in every build.
        f.sort_all_objects();
        out.extend(f.to_string().into_bytes());
        out.push(b'\n');
    }
    Ok((out, page.findings.len() as u64, newest))
}

#[cfg(test)]
mod tests {
    use super::finding_lines;

    #[test]
    fn a_get_findings_body_becomes_one_line_per_finding_with_the_newest_update() {
        let body = br#"{"findings":[
            {"id":"a","updatedAt":"2026-10-01T13:00:00.000Z","type":"Recon:EC2/Portscan"},
            {"id":"b","updatedAt":"2026-10-02T13:00:00.000Z","type":"Recon:EC2/Portscan"}],
            "unprocessedFindings":[]}"#;
        let (data, n, newest) = finding_lines(body).expect("parses");
        assert_eq!(n, 2);
        assert_eq!(String::from_utf8(data).expect("utf8").lines().count(), 2);
        assert_eq!(newest, crate::model::parse_ms("2026-10-02T13:00:00Z"));
    }
}
