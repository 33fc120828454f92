//! The command line: one file per subcommand. Tables for people (log strings sanitised), `--json`
//! for scripts. No business logic here: commands call `ingest`, `store` and `analysis`.

/// `writeln!` to standard output, returning the I/O error (a closed pipe ends the command
/// quietly in `main`, as Unix tools do, instead of panicking like `println!`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// A line of free text (already sanitised) to standard output, cut to the table width when
/// output is fitted.
macro_rules! sayln {
    ($width:expr, $($arg:tt)*) => {
        $crate::cli::layout::say($width, &format!($($arg)*))
    };
}

mod activity;
mod behavior;
mod chain;
mod completions;
mod db;
mod demo;
mod findings;
mod ingest;
mod layout;
mod open;
mod role;
mod sessions;
mod sync;
mod table;
mod target;
mod tui;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// rolecall: who really did this, what else did they do, and is it normal for them.
#[derive(Debug, Parser)]
#[command(name = "rolecall", version, about)]
pub struct Cli {
    /// The cache (default: $ROLECALL_DB, else ~/.local/share/rolecall/rolecall.db).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Log more (to stderr).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Tables at their natural width (on a terminal they are fitted to it; piped output is
    /// never fitted).
    #[arg(long, global = true)]
    wide: bool,
    /// Fit tables to this many columns, even when piped (default: the terminal's width).
    #[arg(long, global = true, value_name = "COLUMNS", conflicts_with = "wide")]
    width: Option<usize>,
    /// Without a command: the console.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load CloudTrail, GuardDuty and VPC flow log files or directories into the cache.
    Ingest(ingest::Args),
    /// Pull from AWS (the CloudTrail API, a trail bucket, GuardDuty) into the cache: read-only,
    /// incremental, resumable.
    Sync(sync::Args),
    /// Inspect the cache.
    Db(db::Args),
    /// Build the bundled demo cache (or generate an organisation's logs) and open it.
    Demo(demo::Args),
    /// The chain of roles behind an event ID, access key, principal ID or assumed-role ARN.
    Chain(chain::Args),
    /// Role sessions: who assumed them, how, and how busy they were.
    Sessions(sessions::Args),
    /// A role's resource interaction: who assumed it, what it assumed, sessions involved.
    Role(role::Args),
    /// API call volume of a role session, role or user, against its baseline.
    Activity(activity::Args),
    /// Is the scope normal for them? New geolocations, AS organisations, user agents, API
    /// calls, regions, source IPs and APIs with increased volume, against the baseline.
    Behavior(behavior::Args),
    /// GuardDuty findings with their scope and resolved actor.
    Findings(findings::ListArgs),
    /// One finding, its scope, and its actor resolved to a role session and chain.
    Finding(findings::ShowArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Args),
    /// Open the console (also what `rolecall` alone does).
    Tui(tui::Args),
}

/// What every command gets: where the cache is, what time it is, how wide tables may be.
pub struct Ctx {
    pub db: PathBuf,
    pub now_ms: i64,
    /// Fit tables to this many columns (`None`: whole, for `--wide` and piped output).
    pub width: Option<usize>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    // The store's notices (waiting for another writer, a cache others can read) go to stderr as
    // one line each, like every other message.
    crate::store::set_notice_handler(|n| {
        eprintln!("rolecall: {}", crate::text::sanitize(&n.to_string()));
    });
    let ctx = Ctx {
        db: cli.db.clone().unwrap_or_else(default_db_path),
        now_ms: chrono::Utc::now().timestamp_millis(),
        width: cli.width.or_else(|| layout::output_width(cli.wide)),
    };
    let result = match cli.command.unwrap_or(Command::Tui(tui::Args::default())) {
        Command::Ingest(a) => ingest::run(&ctx, a),
        Command::Sync(a) => sync::run(&ctx, a),
        Command::Db(a) => db::run(&ctx, a),
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Chain(a) => chain::run(&ctx, a),
        Command::Sessions(a) => sessions::run(&ctx, a),
        Command::Role(a) => role::run(&ctx, a),
        Command::Activity(a) => activity::run(&ctx, a),
        Command::Behavior(a) => behavior::run(&ctx, a),
        Command::Findings(a) => findings::run_list(&ctx, a),
        Command::Finding(a) => findings::run_show(&ctx, a),
        Command::Completions(a) => completions::run(a),
        Command::Tui(a) => tui::run_tui(&ctx, a),
    };
    match result {
        Ok(code) => code,
        // `rolecall … | head -1`: the reader left; stop quietly.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the error and its causes, sanitised (paths and IDs may come from logs).
            eprintln!("rolecall: {}", crate::text::sanitize(&one_line(&e)));
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line, each cause named once. Layers that wrap an error often
/// repeat its text (SQLite's `database is locked` came out three times): a cause whose text
/// contains, or is contained in, the one before it adds nothing and is left out.
fn one_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    let mut previous: Option<String> = None;
    for cause in e.chain() {
        let text = cause.to_string();
        let repeats = previous
            .as_deref()
            .is_some_and(|p| p.contains(text.as_str()) || text.contains(p));
        if !repeats && !text.is_empty() {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        previous = Some(text);
    }
    out
}

/// `$ROLECALL_DB`, else `$XDG_DATA_HOME/rolecall/rolecall.db`, else
/// `~/.local/share/rolecall/rolecall.db`.
pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("ROLECALL_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("rolecall").join("rolecall.db")
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::layer::{Layer, SubscriberExt};
    use tracing_subscriber::util::SubscriberInitExt;
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    // The AWS SDK and its HTTP stack warn about what rolecall handles itself (no region from
    // the instance metadata service off EC2: rolecall falls back to a default region; a retried
    // request: the progress line says so). Their lines show from `-vv` on.
    let libraries = if verbose >= 2 {
        level
    } else {
        tracing::Level::ERROR
    };
    // Targets match as prefixes: `aws_` is every SDK crate, `hyper` hyper and hyper_util.
    let filter = tracing_subscriber::filter::Targets::new()
        .with_default(level)
        .with_target("aws_", libraries)
        .with_target("hyper", libraries)
        .with_target("rustls", libraries);
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(|| crate::log::Gate)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .without_time();
    let _ = tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn an_error_names_its_cause_once() {
        let locked = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(5),
            Some("database is locked".into()),
        );
        let e = anyhow::Error::new(crate::store::StoreError::from(locked))
            .context("cannot open the cache /tmp/c.db");
        assert_eq!(
            one_line(&e),
            "cannot open the cache /tmp/c.db: database is locked"
        );
    }

    #[test]
    fn distinct_causes_are_all_kept() {
        let e = anyhow::anyhow!("file is not a database")
            .context("reading the cache")
            .context("db info");
        assert_eq!(
            one_line(&e),
            "db info: reading the cache: file is not a database"
        );
    }
}
