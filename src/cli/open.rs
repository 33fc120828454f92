//! Opening the cache for a command: read commands open it read-only (reading never writes) and
//! hear, in one line, when its derived tables are behind; `ingest`, `db refresh` and `demo` open
//! it for writing. Errors name the path once and say what to run. No business logic.

use anyhow::Context;

use super::Ctx;
use crate::store::{Store, StoreError, load_freshness};
use crate::text::sanitize;

/// Opens the cache for an analysis: read-only, one snapshot for the whole command (answers stay
/// consistent while an ingest commits beside it), and a one-line note on stderr when events
/// were cached after the last derivation — the answers leave those out.
pub fn open_for_analysis(ctx: &Ctx) -> anyhow::Result<Store> {
    let store = open_read_only(ctx)?;
    store.hold_snapshot().context("reading the cache")?;
    let fresh = load_freshness(store.conn()).context("reading the cache")?;
    if fresh.behind() > 0 {
        eprintln!(
            "rolecall: {} events cached since the last derivation are not in sessions, chains \
             or activity yet (an ingest derives them when it ends; `{}` does it now)",
            fresh.behind(),
            sanitize(&command(ctx, "db refresh"))
        );
    }
    Ok(store)
}

/// Opens an existing cache read-only. An older schema says how to upgrade it.
pub fn open_read_only(ctx: &Ctx) -> anyhow::Result<Store> {
    match Store::open_read_only(&ctx.db) {
        Ok(store) => Ok(store),
        Err(StoreError::Outdated { found, wanted, .. }) => anyhow::bail!(
            "the cache {} has schema version {found}, this rolecall reads version {wanted}: \
             `{}` upgrades it",
            ctx.db.display(),
            command(ctx, "db refresh")
        ),
        Err(e) => Err(with_path(ctx, e)),
    }
}

/// Opens the cache for writing, creating it if it does not exist, migrating an older schema.
pub fn open_for_writing(ctx: &Ctx) -> anyhow::Result<Store> {
    Store::open(&ctx.db).map_err(|e| with_path(ctx, e))
}

/// Opens an existing cache for writing (migrating an older schema); never creates one.
pub fn open_existing_for_writing(ctx: &Ctx) -> anyhow::Result<Store> {
    Store::open_existing(&ctx.db).map_err(|e| with_path(ctx, e))
}

/// Errors that do not name the cache get its path as context; the others already do.
fn with_path(ctx: &Ctx, e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Missing(_)
        | StoreError::NotACache { .. }
        | StoreError::Outdated { .. }
        | StoreError::Io { .. } => e.into(),
        e => anyhow::Error::new(e).context(format!("cannot open the cache {}", ctx.db.display())),
    }
}

/// `rolecall SUB` as the user should type it for this cache: with `--db` when the cache is not
/// the default one.
pub fn command(ctx: &Ctx, sub: &str) -> String {
    if ctx.db == super::default_db_path() {
        format!("rolecall {sub}")
    } else {
        format!(
            "rolecall --db {} {sub}",
            shell_quote(&ctx.db.display().to_string())
        )
    }
}

/// Single-quotes `s` for a POSIX shell when it holds anything but plain path characters.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_stay_bare_and_others_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("/tmp/rolecall.db"), "/tmp/rolecall.db");
        assert_eq!(shell_quote("/tmp/my cache.db"), "'/tmp/my cache.db'");
        assert_eq!(shell_quote("it's.db"), r"'it'\''s.db'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn the_hint_names_the_cache_only_when_it_is_not_the_default() {
        let default = Ctx {
            db: super::super::default_db_path(),
            now_ms: 0,
            width: None,
        };
        assert_eq!(command(&default, "db refresh"), "rolecall db refresh");
        let other = Ctx {
            db: "/srv/case 7/rolecall.db".into(),
            now_ms: 0,
            width: None,
        };
        assert_eq!(
            command(&other, "db refresh"),
            "rolecall --db '/srv/case 7/rolecall.db' db refresh"
        );
    }
}
