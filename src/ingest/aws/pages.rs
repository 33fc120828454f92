//! Every page of a paginated listing, each request retried: the loop `ListObjectsV2` and
//! `ListDetectors` share. A store that hands back the token it was given (a broken
//! S3-compatible server) would page forever: that is a named failure instead.

use std::future::Future;

use super::error::{Call, Failure, SyncError};
use super::pace::retrying;
use super::plan::Limits;
use super::progress::Tally;

/// Sends `send(token)` from no token until a page names no next one (an empty token counts as
/// none), handing each page to `each`.
pub async fn each_page<P, F, Fut>(
    limits: &Limits,
    call: &Call<'_>,
    tally: &Tally,
    mut send: F,
    next: impl Fn(&P) -> Option<&str>,
    mut each: impl FnMut(P),
) -> Result<(), SyncError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<P, Failure>>,
{
    let mut token: Option<String> = None;
    loop {
        let page = retrying(limits, call, tally, None, || send(token.clone())).await?;
        let following = next(&page).filter(|t| !t.is_empty()).map(str::to_string);
        each(page);
        match following {
            None => return Ok(()),
            Some(t) if token.as_deref() == Some(t.as_str()) => {
                return Err(SyncError::Service {
                    action: call.action.to_string(),
                    region: call.region.to_string(),
                    detail: "the service returned the page token it was sent: stopped instead \
                             of asking for the same page forever"
                        .into(),
                });
            }
            Some(t) => token = Some(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::aws::progress::Board;

    fn call() -> Call<'static> {
        Call {
            action: "s3:ListBucket",
            region: "us-east-1",
            profile: None,
        }
    }

    #[tokio::test]
    async fn every_page_is_taken_with_the_token_the_last_one_gave() {
        let board = Board::default();
        let tally = board.task("s3", None, "bucket", "us-east-1", None);
        let pages = [("a", Some("t1")), ("b", Some("t2")), ("c", Some(""))];
        let mut sent = Vec::new();
        let mut got = Vec::new();
        each_page(
            &Limits::default(),
            &call(),
            &tally,
            |token| {
                sent.push(token.clone());
                let page = pages[sent.len() - 1];
                async move { Ok(page) }
            },
            |p| p.1,
            |p| got.push(p.0),
        )
        .await
        .expect("pages");
        assert_eq!(got, ["a", "b", "c"]);
        assert_eq!(sent, [None, Some("t1".into()), Some("t2".into())]);
    }

    #[tokio::test]
    async fn a_token_handed_back_unchanged_stops_with_a_named_failure() {
        let board = Board::default();
        let tally = board.task("s3", None, "bucket", "us-east-1", None);
        let mut requests = 0;
        let err = each_page(
            &Limits::default(),
            &call(),
            &tally,
            |_| {
                requests += 1;
                async { Ok("same") }
            },
            |p| Some(*p),
            |_| {},
        )
        .await
        .expect_err("loop");
        assert_eq!(requests, 2);
        assert!(err.to_string().contains("page token it was sent"), "{err}");
    }
}
