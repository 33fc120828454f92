//! `rolecall activity ID [--scope A..B] [--bucket 1h]`: API call volume against the baseline.

use std::process::ExitCode;

use super::Ctx;
use super::table::{Table, not_found, open_for_analysis, opt, print_json, time};
use crate::analysis::{BreakdownLine, build_activity, resolve_scope};
use crate::model::parse_duration_ms;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A role session (principal ID or assumed-role ARN), a role (ARN) or a user (ARN or
    /// principal ID).
    #[arg(value_name = "ID")]
    id: String,
    /// `A..B` (RFC 3339), `last:24h`, `finding:ID`. Default: the last 24 hours of the data.
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
    /// Bucket width: `5m`, `1h`, `1d`, …
    #[arg(long, default_value = "1h")]
    bucket: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let Some(bucket_ms) = parse_duration_ms(&args.bucket) else {
        anyhow::bail!(
            "bucket {:?}: expected a duration such as 5m, 1h or 1d",
            args.bucket
        );
    };
    let store = open_for_analysis(ctx)?;
    let scope = resolve_scope(store.conn(), args.scope.as_deref(), ctx.now_ms)?;
    let Some(a) = build_activity(store.conn(), &args.id, scope, bucket_ms)? else {
        return not_found(&format!(
            "no session, role or principal {} in the cache",
            args.id
        ));
    };
    if args.json {
        return print_json(&a);
    }
    println!("{} {}", a.entity.kind, opt(Some(&a.entity.id)));
    println!(
        "scope: {} .. {}  ({} ok, {} failed)",
        time(Some(scope.start_ms)),
        time(Some(scope.end_ms)),
        a.total_ok,
        a.total_failed
    );
    match (a.baseline.mean_per_bucket, &a.baseline.note) {
        (Some(m), _) => println!(
            "baseline: {m:.2} calls per {} bucket over {:.1} days before the scope",
            args.bucket, a.baseline.history_days
        ),
        (None, Some(note)) => println!("baseline: {note}"),
        (None, None) => println!("baseline: -"),
    }
    println!();
    let mut t = Table::new(&["BUCKET", "OK", "FAILED"]);
    for p in a.series.iter().filter(|p| p.ok + p.failed > 0) {
        t.row(vec![
            time(Some(p.start)),
            p.ok.to_string(),
            p.failed.to_string(),
        ]);
    }
    section("Calls per bucket (empty buckets left out)", &t);
    section("By API method", &lines(&a.by_api, "API", true));
    section("By source IP", &lines(&a.by_source_ip, "SOURCE IP", false));
    section(
        "By access key",
        &lines(&a.by_access_key, "ACCESS KEY", false),
    );
    Ok(ExitCode::SUCCESS)
}

fn lines(rows: &[BreakdownLine], title: &str, service: bool) -> Table {
    let mut t = if service {
        Table::new(&[title, "SERVICE", "OK", "FAILED"])
    } else {
        Table::new(&[title, "OK", "FAILED"])
    };
    for r in rows {
        let mut cells = vec![opt(r.key.as_deref())];
        if service {
            cells.push(opt(r.service.as_deref()));
        }
        cells.push(r.ok.to_string());
        cells.push(r.failed.to_string());
        t.row(cells);
    }
    t
}

fn section(title: &str, t: &Table) {
    println!("{title}");
    if t.is_empty() {
        println!("  (none)");
    } else {
        t.print();
    }
    println!();
}
