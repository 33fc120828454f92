//! `rolecall role ARN [--scope A..B]`: a role's resource interaction.

use std::process::ExitCode;

use super::Ctx;
use super::sessions::assumer_text;
use super::table::{Table, not_found, open_for_analysis, opt, print_json, time};
use crate::analysis::{build_role, resolve_scope};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The role: its ARN (with or without path) or an assumed-role ARN of one of its sessions.
    #[arg(value_name = "ARN")]
    arn: String,
    /// Only this scope: `A..B` (RFC 3339), `last:24h`, `finding:ID`. Default: all time.
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let store = open_for_analysis(ctx)?;
    let scope = match &args.scope {
        Some(s) => Some(resolve_scope(store.conn(), Some(s), ctx.now_ms)?),
        None => None,
    };
    let Some(r) = build_role(store.conn(), &args.arn, scope)? else {
        return not_found(&format!("no role {} in the cache", args.arn));
    };
    if args.json {
        return print_json(&r);
    }
    for arn in &r.role_arns {
        println!("role: {}", opt(Some(arn)));
    }
    if let Some(s) = scope {
        println!(
            "scope: {} .. {}",
            time(Some(s.start_ms)),
            time(Some(s.end_ms))
        );
    }
    println!("\nResources that assumed this role");
    let mut t = Table::new(&[
        "ASSUMED BY",
        "ARN",
        "FIRST SEEN",
        "LAST SEEN",
        "OK",
        "ATTEMPTS",
    ]);
    for a in &r.assumed_by {
        t.row(vec![
            assumer_text(&a.assumer),
            opt(a.assumer.arn.as_deref()),
            time(Some(a.first_seen)),
            time(Some(a.last_seen)),
            a.assumptions.to_string(),
            a.attempts.to_string(),
        ]);
    }
    print_or_none(&t);
    println!("\nRoles this role assumed");
    let mut t = Table::new(&[
        "ROLE",
        "ACCOUNT",
        "FIRST SEEN",
        "LAST SEEN",
        "OK",
        "ATTEMPTS",
    ]);
    for a in &r.roles_assumed {
        t.row(vec![
            opt(a.role_arn.as_deref()),
            opt(a.account_id.as_deref()),
            time(Some(a.first_seen)),
            time(Some(a.last_seen)),
            a.assumptions.to_string(),
            a.attempts.to_string(),
        ]);
    }
    print_or_none(&t);
    println!("\nSessions involved");
    let mut t = Table::new(&[
        "SESSION",
        "ASSUMED ROLE",
        "ASSUMED BY",
        "ACCOUNT",
        "START",
        "END",
    ]);
    for s in &r.sessions {
        t.row(vec![
            opt(s.session_name.as_deref()),
            opt(s.assumed_role.as_deref()),
            assumer_text(&s.assumed_by),
            opt(s.account_id.as_deref()),
            time(Some(s.start)),
            time(Some(s.end)),
        ]);
    }
    print_or_none(&t);
    Ok(ExitCode::SUCCESS)
}

fn print_or_none(t: &Table) {
    if t.is_empty() {
        println!("  (none)");
    } else {
        t.print();
    }
}
