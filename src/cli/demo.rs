//! `rolecall demo`.

use std::process::ExitCode;

use super::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Build the cache and stop, without opening the console.
    #[arg(long)]
    no_tui: bool,
}

pub fn run(_ctx: &Ctx, _args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rolecall demo` is not built yet")
}
