//! `rolecall findings` and `rolecall finding ID`: findings with their default scope and the
//! actor resolved to its role session and chain.

use std::process::ExitCode;

use super::Ctx;
use super::chain::print_chain;
use super::layout::{Col, Shrink, Table, print_table, stamp};
use super::table::{open_for_analysis, print_json};
use super::target::{resolve_or_exit, wrong_kind};
use crate::analysis::{FindingView, build_finding, build_findings};
use crate::model::Target;
use crate::present::{assumer_text, date, date_time, opt, origin_text, safe, scope_text};

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
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run_list(ctx: &Ctx, args: ListArgs) -> anyhow::Result<ExitCode> {
    let store = open_for_analysis(ctx)?;
    let findings = build_findings(store.conn(), args.limit)?;
    if args.json {
        return print_json(&findings);
    }
    let mut t = Table::new(&[
        Col::shrink("FINDING", Shrink::Middle, 10),
        Col::shrink("TYPE", Shrink::End, 20),
        Col::keep("SEV"),
        Col::keep("ACCOUNT").droppable(2),
        Col::keep("SCOPE START"),
        Col::keep("SCOPE END").droppable(1),
        Col::shrink("ACTOR", Shrink::End, 16),
    ]);
    for f in &findings {
        t.row(vec![
            f.finding_id.clone(),
            f.finding_type.clone(),
            format!("{:.1}", f.severity),
            f.account_id.clone().unwrap_or_else(|| "-".into()),
            stamp(ctx.width, f.scope.start_ms),
            stamp(ctx.width, f.scope.end_ms),
            actor_text(f, ctx.width),
        ]);
    }
    print_table(&t, ctx.width, "no findings")?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_show(ctx: &Ctx, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let store = open_for_analysis(ctx)?;
    let conn = store.conn();
    let id = match resolve_or_exit(conn, &args.id, "no finding")? {
        Ok(Target::Finding { id }) => id,
        Ok(t) => return Ok(wrong_kind(&args.id, &t, "a finding")),
        Err(code) => return Ok(code),
    };
    let Some(f) = build_finding(conn, id.as_str())? else {
        eprintln!("rolecall: no finding {} in the cache", safe(&args.id));
        return Ok(ExitCode::from(1));
    };
    if args.json {
        return print_json(&f);
    }
    let seen = |t: Option<i64>| t.map_or("-".into(), date_time);
    sayln!(ctx.width, "finding:   {}", safe(&f.finding_id))?;
    sayln!(
        ctx.width,
        "type:      {}  severity {:.1}",
        safe(&f.finding_type),
        f.severity
    )?;
    sayln!(ctx.width, "title:     {}", opt(f.title.as_deref()))?;
    sayln!(
        ctx.width,
        "account:   {}  region {}",
        opt(f.account_id.as_deref()),
        opt(f.region.as_deref())
    )?;
    sayln!(
        ctx.width,
        "seen:      {} .. {}  ({} times)",
        seen(f.first_seen),
        seen(f.last_seen),
        f.count
    )?;
    sayln!(ctx.width, "scope:     {}", scope_text(&f.scope))?;
    sayln!(ctx.width, "resource:  {}", opt(f.resource_type.as_deref()))?;
    sayln!(
        ctx.width,
        "api:       {}  caller IP {}",
        opt(f.api.as_deref()),
        opt(f.caller_ip.as_deref())
    )?;
    sayln!(
        ctx.width,
        "actor:     {}",
        crate::present::finding_actor_text(&f).unwrap_or_else(|| "none named by GuardDuty".into())
    )?;
    if let Some(s) = &f.session {
        let role = match (ctx.width, s.role_arn.as_deref()) {
            (Some(w), Some(arn)) => crate::present::role_label(arn, w.saturating_sub(50)),
            (_, arn) => opt(arn),
        };
        sayln!(ctx.width, "session:   {} of {role}", safe(&s.session_name))?;
        sayln!(
            ctx.width,
            "           first observed {}",
            date(s.first_observed)
        )?;
        sayln!(
            ctx.width,
            "           assumed by {}",
            assumer_text(&s.assumed_by)
        )?;
    }
    sayln!(ctx.width, "")?;
    match &f.chain {
        Some(c) => print_chain(conn, c, ctx.width)?,
        None if crate::present::finding_actor_text(&f).is_none() => {
            sayln!(ctx.width, "chain:     none: GuardDuty named no actor")?
        }
        None => sayln!(
            ctx.width,
            "chain:     the cache has no call or issuance of this actor"
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `sara ← SAMLUser sara`: the actor's session (its principal ID in whole output, its name when
/// fitted to `width`) and the chain's origin.
fn actor_text(f: &FindingView, width: Option<usize>) -> String {
    match (&f.session, &f.chain) {
        (Some(s), Some(c)) => {
            let who = match width {
                Some(_) => &s.session_name,
                None => &s.principal_id,
            };
            format!("{} ← {}", safe(who), origin_text(&c.origin))
        }
        (None, Some(c)) => origin_text(&c.origin),
        _ => opt(f
            .access_key_id
            .as_deref()
            .or(f.principal_id.as_deref())
            .or(f.instance_id.as_deref())),
    }
}
