//! A CloudTrail trail bucket: find the bucket's region, the accounts (under an organisation ID
//! or not) and regions it holds, list only the `…/CloudTrail/<region>/YYYY/MM/DD/` prefixes of
//! the days asked (several listings at once), and download the objects not yet ingested, several
//! at once. Each object goes through the pipeline as it is (gzip included); a mark remembers it
//! (key and ETag) once it is committed.

use std::sync::Arc;

use aws_sdk_s3::Client;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::client::{Profile, in_region};
use super::error::{Call, Failure, SyncError, classify};
use super::feed::{Item, Mark};
use super::pace::retrying;
use super::pages::each_page;
use super::plan::{S3Source, days};
use super::progress::Tally;
use super::run::TaskCtx;
use crate::ingest::Input;

/// An object listed and not yet ingested.
struct Object {
    key: String,
    etag: String,
}

/// Syncs one bucket.
pub async fn sync_bucket(
    ctx: Arc<TaskCtx>,
    profile: &Profile,
    source: &S3Source,
    tally: &Tally,
) -> Result<(), SyncError> {
    let base = match source.prefix.as_deref().map(|p| p.trim_matches('/')) {
        Some(p) if !p.is_empty() => format!("{p}/AWSLogs/"),
        _ => "AWSLogs/".to_string(),
    };
    let client = bucket_client(&ctx, profile, &source.bucket, &base, tally).await?;
    let region = client
        .config()
        .region()
        .map_or_else(String::new, |r| r.to_string());
    let call = Call {
        action: "s3:ListBucket",
        region: &region,
        profile: profile.name.as_deref(),
    };
    let done = ctx.remembered.objects(&source.bucket)?;
    let roots = account_roots(&ctx, &client, &call, tally, &source.bucket, &base, source).await?;
    if roots.is_empty() {
        return Err(SyncError::Config(format!(
            "no CloudTrail logs under s3://{}/{base} (is the trail prefix right? --prefix)",
            source.bucket
        )));
    }
    let (from, to) = source.window.resolve(ctx.now_ms);
    let day_list = days(from, to);
    let mut folders = Vec::new();
    for root in roots {
        let trail = format!("{root}CloudTrail/");
        let regions = if source.regions.is_empty() {
            let found =
                common_prefixes(&ctx, &client, &call, tally, &source.bucket, &trail).await?;
            found
                .into_iter()
                .map(|p| p[trail.len()..].trim_end_matches('/').to_string())
                .collect()
        } else {
            source.regions.clone()
        };
        for log_region in regions {
            for day in &day_list {
                folders.push(format!("{trail}{log_region}/{day}/"));
            }
        }
    }
    // A day's folder is one listing and holds a few objects: listed one after another, the
    // folders of an organisation (accounts × regions × days, thousands) would leave the
    // downloads waiting on one round trip at a time. So folders are listed several at once, and
    // each folder's objects are handed to the downloads as soon as its listing is back.
    let width = ctx.limits.downloads.max(1);
    let mut folders = folders.into_iter();
    let mut listings: JoinSet<Result<(String, Vec<Object>), SyncError>> = JoinSet::new();
    let slots = Arc::new(Semaphore::new(width));
    let mut downloads: JoinSet<Result<(), SyncError>> = JoinSet::new();
    let mut listed = 0u64;
    loop {
        while listings.len() < width {
            let Some(prefix) = folders.next() else { break };
            let (ctx, client, tally) = (ctx.clone(), client.clone(), tally.clone());
            let (bucket, region) = (source.bucket.clone(), region.clone());
            let profile = profile.name.clone();
            listings.spawn(async move {
                let call = Call {
                    action: "s3:ListBucket",
                    region: &region,
                    profile: profile.as_deref(),
                };
                let objects = list_objects(&ctx, &client, &call, &tally, &bucket, &prefix).await?;
                Ok((prefix, objects))
            });
        }
        let Some(r) = listings.join_next().await else {
            break;
        };
        let (prefix, objects) =
            r.map_err(|e| SyncError::Config(format!("a listing task failed: {e}")))??;
        let done_here = done.under(&source.bucket, &prefix)?;
        for o in objects {
            listed += 1;
            tally.objects_total(listed);
            if done_here.contains(&(o.key.clone(), o.etag.clone())) {
                tally.object_skipped();
                continue;
            }
            // A failed download ends the sync at once: surface it while listing.
            while let Some(r) = downloads.try_join_next() {
                joined(r)?;
            }
            let permit = slots
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| SyncError::Config(e.to_string()))?;
            let (ctx, client, tally) = (ctx.clone(), client.clone(), tally.clone());
            let bucket = source.bucket.clone();
            let region = region.clone();
            let profile = profile.name.clone();
            downloads.spawn(async move {
                let r = download(&ctx, &client, &bucket, o, &region, profile, &tally).await;
                drop(permit);
                r
            });
        }
    }
    while let Some(r) = downloads.join_next().await {
        joined(r)?;
    }
    Ok(())
}

fn joined(r: Result<Result<(), SyncError>, tokio::task::JoinError>) -> Result<(), SyncError> {
    r.map_err(|e| SyncError::Config(format!("a download task failed: {e}")))?
}

/// A client for the bucket's own region. The first listing tells: S3 answers a request sent to
/// the wrong region with a redirect that names the bucket's region in a header, and the client
/// follows it. A listing rather than `HeadBucket`, which a policy that limits `s3:ListBucket` to
/// the trail's prefix refuses (it carries no prefix).
async fn bucket_client(
    ctx: &TaskCtx,
    profile: &Profile,
    bucket: &str,
    base: &str,
    tally: &Tally,
) -> Result<Client, SyncError> {
    let asked = profile.region();
    let client = s3_client(ctx, &in_region(profile, &asked));
    let call = Call {
        action: "s3:ListBucket",
        region: &asked,
        profile: profile.name.as_deref(),
    };
    let found = retrying(&ctx.limits, &call, tally, None, || {
        let req = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(base)
            .max_keys(1);
        async move {
            match req.send().await {
                Ok(_) => Ok(None),
                Err(e) => {
                    let raw = e.raw_response();
                    let status = raw.map(|r| r.status().as_u16());
                    let header = raw
                        .and_then(|r| r.headers().get("x-amz-bucket-region"))
                        .map(str::to_string);
                    match (status, header) {
                        // A redirect to the bucket's region.
                        (Some(301 | 307 | 400), Some(region)) => Ok(Some(region)),
                        (Some(404), _) => Err(Failure::Fatal(SyncError::NoSuchBucket {
                            bucket: bucket.to_string(),
                        })),
                        _ => Err(classify(&e, &call)),
                    }
                }
            }
        }
    })
    .await?;
    Ok(match found {
        Some(region) if region != asked => {
            tracing::info!(bucket, %region, "the bucket is in another region; following it");
            s3_client(ctx, &in_region(profile, &region))
        }
        _ => client,
    })
}

fn s3_client(ctx: &TaskCtx, sdk: &aws_config::SdkConfig) -> Client {
    let conf = aws_sdk_s3::config::Builder::from(sdk)
        // An endpoint of one's own (tests, S3-compatible stores) is addressed by path: its
        // host name is not the bucket's.
        .force_path_style(ctx.endpoint_url.is_some())
        .build();
    Client::from_conf(conf)
}

/// `AWSLogs/<account>/` and `AWSLogs/o-…/<account>/` folders, those asked for or all.
async fn account_roots(
    ctx: &TaskCtx,
    client: &Client,
    call: &Call<'_>,
    tally: &Tally,
    bucket: &str,
    base: &str,
    source: &S3Source,
) -> Result<Vec<String>, SyncError> {
    let mut roots = Vec::new();
    for p in common_prefixes(ctx, client, call, tally, bucket, base).await? {
        let name = p[base.len()..].trim_end_matches('/');
        if name.starts_with("o-") {
            // An organisation trail: one more level, the member accounts.
            for q in common_prefixes(ctx, client, call, tally, bucket, &p).await? {
                let account = q[p.len()..].trim_end_matches('/');
                if source.accounts.is_empty() || source.accounts.iter().any(|a| a == account) {
                    roots.push(q.clone());
                }
            }
        } else if source.accounts.is_empty() || source.accounts.iter().any(|a| a == name) {
            roots.push(p.clone());
        }
    }
    Ok(roots)
}

/// The "folders" directly under `prefix`.
async fn common_prefixes(
    ctx: &TaskCtx,
    client: &Client,
    call: &Call<'_>,
    tally: &Tally,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<String>, SyncError> {
    let mut out = Vec::new();
    each_page(
        &ctx.limits,
        call,
        tally,
        |token| {
            let req = client
                .list_objects_v2()
                .bucket(bucket)
                .prefix(prefix)
                .delimiter("/")
                .set_continuation_token(token);
            async move { req.send().await.map_err(|e| classify(&e, call)) }
        },
        |page| page.next_continuation_token(),
        |page| {
            out.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_string)),
            )
        },
    )
    .await?;
    Ok(out)
}

/// Every object under `prefix`.
async fn list_objects(
    ctx: &TaskCtx,
    client: &Client,
    call: &Call<'_>,
    tally: &Tally,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<Object>, SyncError> {
    let mut out = Vec::new();
    each_page(
        &ctx.limits,
        call,
        tally,
        |token| {
            let req = client
                .list_objects_v2()
                .bucket(bucket)
                .prefix(prefix)
                .set_continuation_token(token);
            async move { req.send().await.map_err(|e| classify(&e, call)) }
        },
        |page| page.next_continuation_token(),
        |page| {
            out.extend(page.contents().iter().filter_map(|o| {
                Some(Object {
                    key: o.key()?.to_string(),
                    etag: o.e_tag().unwrap_or_default().to_string(),
                })
            }))
        },
    )
    .await?;
    Ok(out)
}

/// Downloads one object into the pipeline, then its mark.
async fn download(
    ctx: &TaskCtx,
    client: &Client,
    bucket: &str,
    object: Object,
    region: &str,
    profile: Option<String>,
    tally: &Tally,
) -> Result<(), SyncError> {
    let call = Call {
        action: "s3:GetObject",
        region,
        profile: profile.as_deref(),
    };
    let data = retrying(&ctx.limits, &call, tally, None, || {
        let req = client.get_object().bucket(bucket).key(&object.key);
        async move {
            let out = req.send().await.map_err(|e| classify(&e, &call))?;
            let body = out
                .body
                .collect()
                .await
                .map_err(|e| Failure::Transient(format!("reading the object: {e}")))?;
            Ok(body.into_bytes().to_vec())
        }
    })
    .await?;
    let name = format!("s3://{bucket}/{}", object.key);
    let mark = Mark::Object {
        bucket: bucket.to_string(),
        key: object.key,
        etag: object.etag,
    };
    ctx.send(Item::Input(Input::Bytes { name, data }, Some(mark)))
        .await?;
    tally.object_done();
    Ok(())
}
