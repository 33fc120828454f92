//! `rolecall sessions [--role ARN] [--scope A..B]`: role sessions with who assumed them.

use std::process::ExitCode;

use super::Ctx;
use super::layout::assumer_cell;
use super::layout::{Col, Shrink, Table, day, print_table};
use super::table::{open_for_analysis, print_json};
use super::target::{resolve_or_exit, wrong_kind};
use crate::analysis::{build_sessions, resolve_scope};
use crate::model::Target;
use crate::present::scope_text;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only sessions of this role (role ARN, with or without its path, an assumed-role ARN, or
    /// a role name).
    #[arg(long, value_name = "ROLE")]
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
    let conn = store.conn();
    let scope = match &args.scope {
        Some(s) => Some(resolve_scope(conn, Some(s), ctx.now_ms)?),
        None => None,
    };
    let role = match &args.role {
        None => None,
        Some(r) => match resolve_or_exit(conn, r, "no role")? {
            Ok(Target::Role { arn }) => Some(arn.into_string()),
            Ok(t) => return Ok(wrong_kind(r, &t, "a role")),
            Err(code) => return Ok(code),
        },
    };
    let sessions = build_sessions(conn, role.as_deref(), scope, args.limit)?;
    if args.json {
        return print_json(&serde_json::json!({ "scope": scope, "sessions": sessions }));
    }
    if let Some(s) = scope {
        outln!("scope: {}", scope_text(&s))?;
    }
    let mut t = Table::new(&[
        Col::shrink("SESSION", Shrink::Middle, 10),
        Col::shrink("ROLE", Shrink::Arn, 14),
        Col::keep("ACCOUNT").droppable(4),
        Col::keep("FIRST SEEN").droppable(3),
        Col::keep("LAST SEEN"),
        Col::keep("ISSUED").droppable(2),
        Col::shrink("ASSUMED BY", Shrink::End, 16),
        Col::keep("EVENTS"),
        Col::keep("FAILED").droppable(1),
        Col::shrink("PRINCIPAL ID", Shrink::Middle, 12).droppable(5),
    ]);
    for s in &sessions {
        let issued = if s.issuances_inferred > 0 {
            format!("{} ({}~)", s.issuances, s.issuances_inferred)
        } else {
            s.issuances.to_string()
        };
        t.row(vec![
            s.session_name.clone(),
            s.role_arn.clone().unwrap_or_else(|| "-".into()),
            s.account_id.clone().unwrap_or_else(|| "-".into()),
            day(ctx.width, s.first_observed),
            day(ctx.width, s.last_observed),
            issued,
            assumer_cell(ctx.width, &s.assumed_by),
            s.events.to_string(),
            s.failed.to_string(),
            s.principal_id.clone(),
        ]);
    }
    print_table(&t, ctx.width, "no role sessions")?;
    Ok(ExitCode::SUCCESS)
}
