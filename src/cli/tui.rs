//! `rolecall` (no arguments) and `rolecall tui [--finding ID] [--session ID] [--scope A..B]`:
//! open the console on the cache.

use std::process::ExitCode;

use super::Ctx;
use crate::tui::{Options, run};

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Open on this GuardDuty finding (its window becomes the scope).
    #[arg(long, value_name = "ID")]
    finding: Option<String>,
    /// Open on this role session (principal ID, access key, assumed-role ARN or name).
    #[arg(long, value_name = "ID")]
    session: Option<String>,
    /// `A..B` (RFC 3339), `last:24h`, `finding:ID`. Default: the last 24 hours of the data.
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
}

pub fn run_tui(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    run(Options {
        db: ctx.db.clone(),
        finding: args.finding,
        session: args.session,
        scope: args.scope,
    })?;
    Ok(ExitCode::SUCCESS)
}
