//! `rolecall findings` and `rolecall finding ID`: findings with their default scope and the
//! actor resolved to its role session and chain.

use std::process::ExitCode;

use super::Ctx;
use super::chain::print_chain;
use super::sessions::assumer_text;
use super::table::{Table, cell, not_found, open_for_analysis, opt, print_json, time};
use crate::analysis::{FindingView, build_finding, build_findings};

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// At most this many findings, most recently seen first.
    #[arg(long, default_value_t = 200)]
    limit: i64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The finding ID.
    #[arg(value_name = "ID")]
    id: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run_list(ctx: &Ctx, args: ListArgs) -> anyhow::Result<ExitCode> {
    let store = open_for_analysis(ctx)?;
    let findings = build_findings(store.conn(), args.limit)?;
    if args.json {
        return print_json(&findings);
    }
    let mut t = Table::new(&["FINDING", "TYPE", "SEV", "ACCOUNT", "SCOPE", "ACTOR"]);
    for f in &findings {
        t.row(vec![
            cell(&f.finding_id),
            cell(&f.finding_type),
            format!("{:.1}", f.severity),
            opt(f.account_id.as_deref()),
            format!(
                "{} .. {}",
                time(Some(f.scope.start_ms)),
                time(Some(f.scope.end_ms))
            ),
            actor_text(f),
        ]);
    }
    if t.is_empty() {
        println!("no findings");
    } else {
        t.print();
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_show(ctx: &Ctx, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let store = open_for_analysis(ctx)?;
    let Some(f) = build_finding(store.conn(), &args.id)? else {
        return not_found(&format!("no finding {} in the cache", args.id));
    };
    if args.json {
        return print_json(&f);
    }
    println!("finding:   {}", cell(&f.finding_id));
    println!(
        "type:      {}  severity {:.1}",
        cell(&f.finding_type),
        f.severity
    );
    println!("title:     {}", opt(f.title.as_deref()));
    println!(
        "account:   {}  region {}",
        opt(f.account_id.as_deref()),
        opt(f.region.as_deref())
    );
    println!(
        "seen:      {} .. {}  ({} times)",
        time(f.first_seen),
        time(f.last_seen),
        f.count
    );
    println!(
        "scope:     {} .. {}",
        time(Some(f.scope.start_ms)),
        time(Some(f.scope.end_ms))
    );
    println!("resource:  {}", opt(f.resource_type.as_deref()));
    println!(
        "api:       {}  caller IP {}",
        opt(f.api.as_deref()),
        opt(f.caller_ip.as_deref())
    );
    println!(
        "actor:     {} {}  key {}  principal {}",
        opt(f.user_type.as_deref()),
        opt(f.user_name.as_deref()),
        opt(f.access_key_id.as_deref()),
        opt(f.principal_id.as_deref())
    );
    if let Some(s) = &f.session {
        println!(
            "session:   {} of {}  first observed {}  assumed by {}",
            cell(&s.session_name),
            opt(s.role_arn.as_deref()),
            time(Some(s.first_observed)),
            assumer_text(&s.assumed_by)
        );
    }
    println!();
    match &f.chain {
        Some(c) => print_chain(c),
        None => println!("chain:     the cache has no call or issuance of this actor"),
    }
    Ok(ExitCode::SUCCESS)
}

fn actor_text(f: &FindingView) -> String {
    match (&f.session, &f.chain) {
        (Some(s), Some(c)) => format!(
            "{} ← {} {}",
            cell(&s.principal_id),
            c.origin.kind.as_str(),
            opt(c.origin.name.as_deref())
        ),
        (None, Some(c)) => format!(
            "{} {}",
            c.origin.kind.as_str(),
            opt(c.origin.name.as_deref())
        ),
        _ => opt(f
            .access_key_id
            .as_deref()
            .or(f.principal_id.as_deref())
            .or(f.instance_id.as_deref())),
    }
}
