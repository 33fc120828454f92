//! `rolecall sessions [--role ARN] [--scope A..B]`: role sessions with who assumed them.

use std::process::ExitCode;

use super::Ctx;
use super::table::{Table, cell, open_for_analysis, opt, print_json, time};
use crate::analysis::{build_sessions, resolve_scope};
use crate::model::Assumer;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only sessions of this role (role ARN, with or without its path, or an assumed-role ARN).
    #[arg(long, value_name = "ARN")]
    role: Option<String>,
    /// Only sessions with calls in this scope, counted there: `A..B` (RFC 3339), `last:24h`,
    /// `finding:ID`. Default: all sessions, all-time counts.
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
    /// At most this many sessions, latest observed first.
    #[arg(long, default_value_t = 500)]
    limit: i64,
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
    let sessions = build_sessions(store.conn(), args.role.as_deref(), scope, args.limit)?;
    if args.json {
        return print_json(&serde_json::json!({ "scope": scope, "sessions": sessions }));
    }
    if let Some(s) = scope {
        println!(
            "scope: {} .. {}",
            time(Some(s.start_ms)),
            time(Some(s.end_ms))
        );
    }
    let mut t = Table::new(&[
        "PRINCIPAL ID",
        "ROLE",
        "ACCOUNT",
        "SESSION",
        "FIRST OBSERVED",
        "LAST OBSERVED",
        "ISSUED",
        "ASSUMED BY",
        "EVENTS",
        "FAILED",
    ]);
    for s in &sessions {
        t.row(vec![
            cell(&s.principal_id),
            opt(s.role_arn.as_deref()),
            opt(s.account_id.as_deref()),
            cell(&s.session_name),
            time(Some(s.first_observed)),
            time(Some(s.last_observed)),
            s.issuances.to_string(),
            assumer_text(&s.assumed_by),
            s.events.to_string(),
            s.failed.to_string(),
        ]);
    }
    if t.is_empty() {
        println!("no role sessions");
    } else {
        t.print();
    }
    Ok(ExitCode::SUCCESS)
}

/// `SAMLUser sara via AssumeRoleWithSAML (observed)`.
pub fn assumer_text(a: &Assumer) -> String {
    let mut s = format!("{} {}", cell(&a.kind), opt(a.name.as_deref()));
    if let Some(acct) = &a.account_id {
        s.push_str(&format!(" of {}", cell(acct)));
    }
    if let Some(via) = &a.via {
        s.push_str(&format!(" via {}", cell(via)));
    }
    s.push_str(&format!(" ({})", a.evidence.as_str()));
    s
}
