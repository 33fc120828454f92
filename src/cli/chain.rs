//! `rolecall chain ID`: the chain of role sessions behind an event ID, a temporary access key,
//! a principal ID, an assumed-role ARN (or anything else the resolver turns into a session, a
//! user or a finding's actor). `--json` is the contract in DESIGN.md.

use std::process::ExitCode;

use rusqlite::Connection;

use super::Ctx;

use super::table::{open_for_analysis, print_json};
use super::target::{resolve_or_exit, wrong_kind};
use crate::analysis::{build_started_from, chain_of_target};
use crate::model::{Chain, Evidence, Target};
use crate::present::{
    date_time, evidence_mark, opt, origin_text, result_mark, role_label, safe, short_arn,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// An event ID, a temporary access key (ASIA…), a principal ID (AROA…:name), an
    /// assumed-role ARN — or a session name, a user, a finding ID.
    #[arg(value_name = "ID")]
    id: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let store = open_for_analysis(ctx)?;
    let conn = store.conn();
    let target = match resolve_or_exit(
        conn,
        &args.id,
        "no event, access key, principal ID or assumed-role ARN",
    )? {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let Some(chain) = chain_of_target(conn, &args.id, &target)? else {
        if let Target::Finding { id } = &target {
            return no_chain_for_finding(conn, id.as_str());
        }
        return Ok(wrong_kind(
            &args.id,
            &target,
            "an event, an access key, a session, a user or a finding",
        ));
    };
    if args.json {
        return print_json(&chain);
    }
    print_chain(conn, &chain, ctx.width)?;
    if let Target::Event { id } = &target {
        print_attempt_note(conn, id.as_str())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A finding resolves, but its actor leads to no chain: say which actor it named (or that it
/// named none), so the user knows whether to ingest more or to look elsewhere.
fn no_chain_for_finding(conn: &Connection, id: &str) -> anyhow::Result<ExitCode> {
    let why = match crate::analysis::build_finding(conn, id)?
        .as_ref()
        .and_then(crate::present::finding_actor_text)
    {
        Some(actor) => format!("the cache has no call or issuance of its actor ({actor})"),
        None => "GuardDuty named no actor in it (no access key, principal or instance)".into(),
    };
    eprintln!("rolecall: finding {}: {why}; no chain to show", safe(id));
    Ok(ExitCode::from(1))
}

/// The chain as indented text, origin first, then what the last session started or tried to.
pub fn print_chain(conn: &Connection, chain: &Chain, width: Option<usize>) -> anyhow::Result<()> {
    let w = width.unwrap_or(usize::MAX);
    sayln!(width, "query:   {}", safe(&chain.query))?;
    sayln!(width, "origin:  {}", origin_text(&chain.origin))?;
    if let Some(arn) = &chain.origin.arn {
        sayln!(width, "         {}", short_arn(arn, w.saturating_sub(9)))?;
    }
    if chain.hops.is_empty() {
        sayln!(width, "         (not a role session: no roles assumed)")?;
    }
    for (n, h) in chain.hops.iter().enumerate() {
        let indent = "  ".repeat(n.min(6) + 1);
        let room = w.saturating_sub(indent.len() + 3);
        let cross = if h.cross_account {
            "  ⇄ cross-account"
        } else {
            ""
        };
        // Fitted: `Name (account)` then the marks; whole: the ARN and its account.
        let role = match (&h.role_arn, width) {
            (Some(arn), Some(_)) => role_label(arn, room.saturating_sub(12 + cross.len())),
            (Some(arn), None) => format!("{}  account {}", safe(arn), opt(h.account_id.as_deref())),
            (None, _) => "(no role: a federation token)".to_string(),
        };
        sayln!(
            width,
            "{indent}└─ {role}  {}{cross}",
            evidence_mark(h.evidence),
        )?;
        sayln!(
            width,
            "{indent}   session {}  principal {}  key {}",
            opt(h.session_name.as_deref()),
            opt(h.principal_id.as_deref()),
            opt(h.access_key_id.as_deref()),
        )?;
        let how = match h.evidence {
            Evidence::Observed => format!("via {}", opt(h.via.as_deref())),
            Evidence::Inferred => "no issuing call cached".to_string(),
        };
        sayln!(
            width,
            "{indent}   issued {}  expires {}  {how}",
            h.issued_at.map_or("-".into(), date_time),
            h.expires_at.map_or("-".into(), date_time),
        )?;
        if h.source_identity.is_some() || h.issuing_event_id.is_some() {
            sayln!(
                width,
                "{indent}   source identity {}  event {}",
                opt(h.source_identity.as_deref()),
                opt(h.issuing_event_id.as_deref()),
            )?;
        }
    }
    if let Some(p) = chain.hops.last().and_then(|h| h.principal_id.as_deref()) {
        // The latest few: `role` and the console list them all.
        const SHOWN: usize = 5;
        let started = build_started_from(conn, p, None, SHOWN as i64 + 1)?;
        if !started.is_empty() {
            sayln!(width, "started from this session (latest first):")?;
        }
        for s in started.iter().take(SHOWN) {
            sayln!(
                width,
                "  {}  {} {}  {}{}",
                date_time(s.issued_at),
                safe(&s.via),
                s.role_arn
                    .as_deref()
                    .map_or("-".into(), |a| role_label(a, 60)),
                if s.failed {
                    format!("{} {}", result_mark(true), opt(s.error_code.as_deref()))
                } else {
                    format!("session {}", opt(s.session_name.as_deref()))
                },
                if s.cross_account {
                    "  ⇄ cross-account"
                } else {
                    ""
                },
            )?;
        }
        if started.len() > SHOWN {
            sayln!(width, "  … and earlier ones")?;
        }
    }
    Ok(())
}

/// `chain <eventID>` of a failed assumption: the chain is its caller's; say what was tried.
fn print_attempt_note(conn: &Connection, event_id: &str) -> anyhow::Result<()> {
    if let Some(i) = crate::store::load_issuance_by_event_id(conn, event_id)? {
        if i.failed {
            outln!(
                "this event is a failed {} into {} ({}): an attempt, never a hop",
                safe(&i.via),
                opt(i.role_arn.as_deref()),
                opt(i.error_code.as_deref()),
            )?;
        }
    }
    Ok(())
}
