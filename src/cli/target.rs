//! Resolving a command's ID argument through the one resolver, and saying what it did not find
//! or which entities it could mean.

use std::process::ExitCode;

use rusqlite::Connection;

use crate::analysis::{Candidate, Resolution, resolve};
use crate::model::Target;
use crate::present::{candidate_text, safe};

/// The target `id` names, or the exit status after saying on stderr that it names nothing
/// (`nothing`: what was looked for) or which entities it could mean.
pub fn resolve_or_exit(
    conn: &Connection,
    id: &str,
    nothing: &str,
) -> anyhow::Result<Result<Target, ExitCode>> {
    Ok(match resolve(conn, id)? {
        Resolution::Found(t) => Ok(t),
        Resolution::NotFound => {
            eprintln!(
                "rolecall: {}",
                safe(&format!("{nothing} {id} in the cache"))
            );
            Err(ExitCode::from(1))
        }
        Resolution::Ambiguous(c) => Err(ambiguous(id, &c)),
    })
}

/// Lists the candidates of an ambiguous input on stderr; exit status 1.
pub fn ambiguous(id: &str, candidates: &[Candidate]) -> ExitCode {
    eprintln!(
        "rolecall: {} names {} entities; give one of these:",
        safe(id),
        candidates.len()
    );
    for c in candidates {
        // The identifier to give instead, then what it is.
        eprintln!("  {}  {}", safe(&c.target.id_text()), candidate_text(c));
    }
    ExitCode::from(1)
}

/// A one-line refusal for a target the command has no answer for.
pub fn wrong_kind(id: &str, t: &Target, wanted: &str) -> ExitCode {
    eprintln!(
        "rolecall: {} is {} {}; this command needs {wanted}",
        safe(id),
        article(t.kind().label()),
        t.kind().label()
    );
    ExitCode::from(1)
}

fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'I' | 'E' | 'A') => "an",
        _ => "a",
    }
}
