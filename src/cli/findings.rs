//! `rolecall findings` and `rolecall finding ID`.

use std::process::ExitCode;

use super::Ctx;

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run_list(_ctx: &Ctx, _args: ListArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rolecall findings` is not built yet")
}

pub fn run_show(_ctx: &Ctx, _args: ShowArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rolecall finding` is not built yet")
}
