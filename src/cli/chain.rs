//! `rolecall chain ID`: the chain of role sessions behind an event ID, a temporary access key,
//! a principal ID or an assumed-role ARN. `--json` is the contract in DESIGN.md.

use std::process::ExitCode;

use super::Ctx;
use super::table::{cell, not_found, open_for_analysis, opt, print_json, time};
use crate::analysis::build_chain;
use crate::model::Chain;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// An event ID, a temporary access key (ASIA…), a principal ID (AROA…:name) or an
    /// assumed-role ARN.
    #[arg(value_name = "ID")]
    id: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<ExitCode> {
    let store = open_for_analysis(ctx)?;
    let Some(chain) = build_chain(store.conn(), &args.id)? else {
        return not_found(&format!(
            "no event, access key, principal ID or assumed-role ARN {} in the cache",
            args.id
        ));
    };
    if args.json {
        return print_json(&chain);
    }
    print_chain(&chain);
    Ok(ExitCode::SUCCESS)
}

/// The chain as indented text, origin first.
pub fn print_chain(chain: &Chain) {
    let o = &chain.origin;
    println!("query:   {}", cell(&chain.query));
    println!(
        "origin:  {} {}{}{}",
        o.kind.as_str(),
        opt(o.name.as_deref()),
        o.arn
            .as_deref()
            .map_or(String::new(), |a| format!("  {}", cell(a))),
        o.account_id
            .as_deref()
            .map_or(String::new(), |a| format!("  (account {})", cell(a))),
    );
    if chain.hops.is_empty() {
        println!("         (not a role session: no roles assumed)");
    }
    for (n, h) in chain.hops.iter().enumerate() {
        let indent = "  ".repeat(n + 1);
        println!(
            "{indent}└─ {}  account {}{}  [{}]",
            opt(h.role_arn.as_deref()),
            opt(h.account_id.as_deref()),
            if h.cross_account {
                "  CROSS-ACCOUNT"
            } else {
                ""
            },
            h.evidence.as_str(),
        );
        println!(
            "{indent}   session {}  principal {}  key {}",
            opt(h.session_name.as_deref()),
            opt(h.principal_id.as_deref()),
            opt(h.access_key_id.as_deref()),
        );
        println!(
            "{indent}   issued {}  expires {}  via {}  source identity {}  event {}",
            time(h.issued_at),
            time(h.expires_at),
            opt(h.via.as_deref()),
            opt(h.source_identity.as_deref()),
            opt(h.issuing_event_id.as_deref()),
        );
    }
}
