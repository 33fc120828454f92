//! `rolecall role ROLE [--scope A..B]`: a role's resource interaction.

use std::process::ExitCode;

use super::Ctx;
use super::layout::assumer_cell;
use super::layout::{Col, Shrink, Table, day, print_table};
use super::table::{open_for_analysis, print_json};
use super::target::{resolve_or_exit, wrong_kind};
use crate::analysis::{build_role, resolve_scope};
use crate::model::Target;
use crate::present::{safe, scope_text};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The role: its ARN (with or without path), an assumed-role ARN of one of its sessions,
    /// or its name.
    #[arg(value_name = "ROLE")]
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
    let conn = store.conn();
    let scope = match &args.scope {
        Some(s) => Some(resolve_scope(conn, Some(s), ctx.now_ms)?),
        None => None,
    };
    let arn = match resolve_or_exit(conn, &args.arn, "no role")? {
        Ok(Target::Role { arn }) => arn.into_string(),
        // An assumed-role ARN or a principal ID names a session: its role is meant.
        Ok(Target::RoleSession { principal_id }) => {
            match crate::store::load_principal(conn, principal_id.as_str())?
                .and_then(|p| p.issuer_arn)
            {
                Some(role) => role,
                None => {
                    return Ok(wrong_kind(
                        &args.arn,
                        &Target::RoleSession { principal_id },
                        "a role",
                    ));
                }
            }
        }
        Ok(t) => return Ok(wrong_kind(&args.arn, &t, "a role")),
        Err(code) => return Ok(code),
    };
    let Some(r) = build_role(conn, &arn, scope)? else {
        eprintln!("rolecall: no role {} in the cache", safe(&args.arn));
        return Ok(ExitCode::from(1));
    };
    if args.json {
        return print_json(&r);
    }
    for arn in &r.role_arns {
        let shown = match ctx.width {
            Some(w) => crate::present::short_arn(arn, w.saturating_sub(6)),
            None => safe(arn),
        };
        outln!("role: {shown}")?;
    }
    if let Some(s) = scope {
        outln!("scope: {}", scope_text(&s))?;
    }
    let w = ctx.width;
    outln!("\nResources that assumed this role")?;
    let mut t = Table::new(&[
        Col::shrink("ASSUMED BY", Shrink::End, 20),
        Col::shrink("ARN", Shrink::Arn, 24).droppable(3),
        Col::keep("FIRST SEEN").droppable(1),
        Col::keep("LAST SEEN"),
        Col::keep("OK"),
        Col::keep("INFERRED").droppable(2),
        Col::keep("ATTEMPTS"),
    ]);
    for a in &r.assumed_by {
        t.row(vec![
            assumer_cell(ctx.width, &a.assumer),
            a.assumer.arn.clone().unwrap_or_else(|| "-".into()),
            day(w, a.first_seen),
            day(w, a.last_seen),
            a.assumptions.to_string(),
            a.inferred.to_string(),
            a.attempts.to_string(),
        ]);
    }
    print_table(&t, w, "  (none)")?;
    outln!("\nRoles this role assumed")?;
    let mut t = Table::new(&[
        Col::shrink("ROLE", Shrink::Arn, 20),
        Col::keep("ACCOUNT").droppable(2),
        Col::keep("FIRST SEEN").droppable(1),
        Col::keep("LAST SEEN"),
        Col::keep("OK"),
        Col::keep("ATTEMPTS"),
    ]);
    for a in &r.roles_assumed {
        t.row(vec![
            a.role_arn.clone().unwrap_or_else(|| "-".into()),
            a.account_id.clone().unwrap_or_else(|| "-".into()),
            day(w, a.first_seen),
            day(w, a.last_seen),
            a.assumptions.to_string(),
            a.attempts.to_string(),
        ]);
    }
    print_table(&t, w, "  (none)")?;
    outln!("\nSessions involved")?;
    let mut t = Table::new(&[
        Col::shrink("SESSION", Shrink::Middle, 10),
        Col::shrink("ASSUMED ROLE", Shrink::Arn, 14),
        Col::shrink("ASSUMED BY", Shrink::End, 16),
        Col::keep("ACCOUNT").droppable(2),
        Col::keep("START"),
        Col::keep("END").droppable(1),
    ]);
    for s in &r.sessions {
        t.row(vec![
            s.session_name.clone().unwrap_or_else(|| "-".into()),
            s.assumed_role.clone().unwrap_or_else(|| "-".into()),
            assumer_cell(ctx.width, &s.assumed_by),
            s.account_id.clone().unwrap_or_else(|| "-".into()),
            day(w, s.start),
            day(w, s.end),
        ]);
    }
    print_table(&t, w, "  (none)")?;
    Ok(ExitCode::SUCCESS)
}
