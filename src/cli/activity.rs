//! `rolecall activity ID [--scope A..B] [--bucket 1h]`: API call volume against the baseline;
//! with `--events`, the calls behind the counts, newest first, a page at a time.

use std::process::ExitCode;

use super::Ctx;
use super::layout::{Col, Shrink, Table, print_table, stamp};
use super::table::{open_for_analysis, print_json};
use super::target::{resolve_or_exit, wrong_kind};
use crate::analysis::{
    BreakdownLine, EventCursor, EventFilter, build_activity, build_events, default_bucket_ms,
    resolve_scope,
};
use crate::model::{HOUR_MS, Scope, ceil_hour, floor_hour, format_ms, parse_duration_ms};
use crate::present::{date_time, safe, scope_text};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A role session (principal ID, assumed-role ARN, session name), a role (ARN or name), an
    /// IAM or federated user (ARN), or an access key (its session).
    #[arg(value_name = "ID")]
    id: String,
    /// `A..B` (RFC 3339), `last:24h`, `finding:ID`. Default: the last 24 hours of the data.
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
    /// Bucket width: `5m`, `1h`, `1d`, … Default: hours for up to three days, six hours up to
    /// three weeks, days beyond.
    #[arg(long)]
    bucket: Option<String>,
    /// List the calls behind the counts (newest first) instead of counting them.
    #[arg(long)]
    events: bool,
    /// With --events: only calls of this API (`eventName`).
    #[arg(long, value_name = "NAME", requires = "events")]
    api: Option<String>,
    /// With --events: only failed calls.
    #[arg(long, requires = "events", conflicts_with = "ok")]
    failed: bool,
    /// With --events: only successful calls.
    #[arg(long, requires = "events")]
    ok: bool,
    /// With --events: only calls from this source IP.
    #[arg(long, value_name = "IP", requires = "events")]
    ip: Option<String>,
    /// With --events: only calls signed with this access key.
    #[arg(long, value_name = "KEY", requires = "events")]
    key: Option<String>,
    /// With --events: calls per page.
    #[arg(long, default_value_t = 50, requires = "events")]
    limit: usize,
    /// With --events: the page after this cursor (`TIME_MS:ROW`, printed under a full page).
    #[arg(long, value_name = "CURSOR", requires = "events")]
    after: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let bucket_ms = match &args.bucket {
        Some(b) => match parse_duration_ms(b) {
            Some(ms) => Some(ms),
            None => anyhow::bail!("bucket {b:?}: expected a duration such as 5m, 1h or 1d"),
        },
        None => None,
    };
    let store = open_for_analysis(ctx)?;
    let conn = store.conn();
    let target = match resolve_or_exit(conn, &args.id, "no session, role or principal")? {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let scope = resolve_scope(conn, args.scope.as_deref(), ctx.now_ms)?;
    if args.events {
        return events(ctx, conn, &target, scope, &args);
    }
    let bucket_ms = bucket_ms.unwrap_or_else(|| default_bucket_ms(scope));
    let Some(a) = build_activity(conn, &target, scope, bucket_ms)? else {
        return Ok(wrong_kind(
            &args.id,
            &target,
            "a role session, a role, a user, an account or an IP address",
        ));
    };
    if args.json {
        return print_json(&a);
    }
    sayln!(
        ctx.width,
        "{} {}  ({})",
        a.entity.kind,
        safe(&a.entity.name),
        safe(&a.entity.id)
    )?;
    outln!(
        "scope: {}  ({} ok, {} failed)",
        scope_text(&scope),
        a.total_ok,
        a.total_failed
    )?;
    if args.scope.is_none() && a.total_ok + a.total_failed == 0 {
        if let Some(last) = a.last_active {
            let around = Scope {
                start_ms: floor_hour(last) - 23 * HOUR_MS,
                end_ms: ceil_hour(last + 1),
            };
            outln!(
                "no calls in the last 24 hours of the data; last active {} UTC\n\
                 --scope {}..{} shows its last day",
                date_time(last),
                format_ms(around.start_ms),
                format_ms(around.end_ms)
            )?;
        }
    }
    match (a.baseline.mean_per_bucket, &a.baseline.note) {
        (Some(m), _) => outln!(
            "baseline: {m:.2} calls per {} bucket over {:.1} days before the scope",
            duration_text(bucket_ms),
            a.baseline.history_days
        )?,
        (None, Some(note)) => outln!("baseline: {note}")?,
        (None, None) => outln!("baseline: -")?,
    }
    outln!()?;
    let mut t = Table::new(&[Col::keep("BUCKET"), Col::keep("OK"), Col::keep("FAILED")]);
    for p in a.series.iter().filter(|p| p.ok + p.failed > 0) {
        t.row(vec![
            stamp(ctx.width, p.start),
            p.ok.to_string(),
            p.failed.to_string(),
        ]);
    }
    section(ctx, "Calls per bucket (empty buckets left out)", &t)?;
    section(ctx, "By API method", &lines(&a.by_api, "API"))?;
    section(ctx, "By source IP", &lines(&a.by_source_ip, "SOURCE IP"))?;
    if !matches!(a.entity.kind, "account" | "ip") {
        section(ctx, "By access key", &lines(&a.by_access_key, "ACCESS KEY"))?;
    }
    section(ctx, "By user agent", &lines(&a.by_user_agent, "USER AGENT"))?;
    section(ctx, "By region", &lines(&a.by_region, "REGION"))?;
    match a.entity.kind {
        "role" => section(ctx, "By session", &lines(&a.by_caller, "SESSION"))?,
        "account" | "ip" => section(ctx, "By principal", &lines(&a.by_caller, "PRINCIPAL"))?,
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// `1h`, `6h`, `1d`, `5m`: a bucket width as `--bucket` spells it.
fn duration_text(ms: i64) -> String {
    const DAY: i64 = 24 * HOUR_MS;
    match ms {
        n if n % DAY == 0 => format!("{}d", n / DAY),
        n if n % HOUR_MS == 0 => format!("{}h", n / HOUR_MS),
        n if n % 60_000 == 0 => format!("{}m", n / 60_000),
        n => format!("{}s", n / 1000),
    }
}

/// `--events`: one page of the calls behind the counts, newest first.
fn events(
    ctx: &Ctx,
    conn: &rusqlite::Connection,
    target: &crate::model::Target,
    scope: Scope,
    args: &Args,
) -> anyhow::Result<ExitCode> {
    let after = match &args.after {
        Some(c) => {
            let parsed = c
                .split_once(':')
                .and_then(|(t, r)| Some((t.parse().ok()?, r.parse().ok()?)));
            let Some((time_ms, row)) = parsed else {
                anyhow::bail!("cursor {c:?}: expected TIME_MS:ROW as printed under a page");
            };
            Some(EventCursor { time_ms, row })
        }
        None => None,
    };
    let filter = EventFilter {
        api: args.api.clone(),
        failed: match (args.failed, args.ok) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        source_ip: args.ip.clone(),
        access_key: args.key.clone(),
    };
    let Some(page) = build_events(conn, target, scope, &filter, after, args.limit.max(1))? else {
        return Ok(wrong_kind(&args.id, target, "an entity that makes calls"));
    };
    if args.json {
        return print_json(&page);
    }
    let mut t = Table::new(&[
        Col::keep("TIME"),
        Col::shrink("API", Shrink::End, 12),
        Col::keep("RESULT"),
        Col::shrink("SOURCE IP", Shrink::Middle, 9),
        Col::shrink("PRINCIPAL", Shrink::Middle, 12),
        Col::shrink("EVENT ID", Shrink::Middle, 12),
    ]);
    for r in &page.rows {
        t.row(vec![
            stamp(ctx.width, r.time_ms),
            r.event_name.clone(),
            r.error_code.clone().unwrap_or_else(|| "ok".into()),
            r.source_ip.clone().unwrap_or_else(|| "-".into()),
            r.principal_id.clone().unwrap_or_else(|| "-".into()),
            r.event_id.clone(),
        ]);
    }
    outln!("calls in {}, newest first", scope_text(&scope))?;
    print_table(&t, ctx.width, "  (none)")?;
    if let Some(next) = page.next {
        outln!("more: --after {}:{}", next.time_ms, next.row)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A breakdown as a table; a SERVICE column when its lines have one (APIs).
fn lines(rows: &[BreakdownLine], title: &'static str) -> Table {
    let service = rows.iter().any(|r| r.service.is_some());
    let mut cols = vec![Col::shrink(title, Shrink::Middle, 16)];
    if service {
        cols.push(Col::shrink("SERVICE", Shrink::End, 10));
    }
    cols.extend([Col::keep("OK"), Col::keep("FAILED")]);
    let mut t = Table::new(&cols);
    for r in rows {
        let mut cells = vec![r.key.clone().unwrap_or_else(|| "-".into())];
        if service {
            cells.push(r.service.clone().unwrap_or_else(|| "-".into()));
        }
        cells.push(r.ok.to_string());
        cells.push(r.failed.to_string());
        t.row(cells);
    }
    t
}

fn section(ctx: &Ctx, title: &str, t: &Table) -> anyhow::Result<()> {
    outln!("{title}")?;
    print_table(t, ctx.width, "  (none)")?;
    outln!()?;
    Ok(())
}
