//! Plain-text tables for the analysis commands. Every cell that came from a log goes through
//! `text::sanitize`, so escape sequences, control bytes and bidi overrides arrive escaped.

use std::process::ExitCode;

use crate::model::format_ms;
use crate::text::sanitize;

/// A table: a header row and rows of cells, printed with columns padded to their widest cell.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row of already-sanitised cells (use `cell`, `opt`, `time`).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Prints the table to stdout. A closed pipe (`| head`) ends the output quietly.
    pub fn print(&self) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        let mut line = |cells: &[String]| -> std::io::Result<()> {
            let mut text = String::new();
            for (i, c) in cells.iter().enumerate() {
                let w = widths.get(i).copied().unwrap_or(0);
                text.push_str(c);
                if i + 1 < cells.len() {
                    text.push_str(&" ".repeat(w.saturating_sub(c.chars().count()) + 2));
                }
            }
            writeln!(out, "{}", text.trim_end())
        };
        if line(&self.header).is_err() {
            return;
        }
        for r in &self.rows {
            if line(r).is_err() {
                return;
            }
        }
    }
}

/// A log string made safe for the terminal.
pub fn cell(s: &str) -> String {
    sanitize(s).into_owned()
}

/// An optional log string, `-` when absent.
pub fn opt(s: Option<&str>) -> String {
    s.map_or_else(|| "-".to_string(), cell)
}

/// A time as RFC 3339, `-` when absent.
pub fn time(ms: Option<i64>) -> String {
    ms.map_or_else(|| "-".to_string(), format_ms)
}

/// Prints `value` as pretty JSON (log strings stay as they were, JSON-escaped).
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(ExitCode::SUCCESS)
}

// Opening the cache lives in `open.rs`; the commands import it from here.
pub use super::open::open_for_analysis;

/// A one-line "not found" on stderr and exit status 1.
pub fn not_found(what: &str) -> anyhow::Result<ExitCode> {
    eprintln!("rolecall: {}", sanitize(what));
    Ok(ExitCode::from(1))
}
