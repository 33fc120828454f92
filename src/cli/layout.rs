//! Tables for people: on a terminal, fitted to its width — long ARNs shortened in the middle,
//! other long cells cut, the least useful columns dropped last of all, with a note saying which
//! and that `--wide` shows them. Piped output is never fitted (scripts see every column whole).
//! Every cell is sanitised here, whatever the caller did.

use crate::present::{fit, fit_middle, short_arn, width};
use crate::text::sanitize;

/// How a column gives up room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shrink {
    /// An ARN: partition and path go first, then the middle of the name.
    Arn,
    /// IDs, names: cut in the middle (both ends stay).
    Middle,
    /// Free text: cut at the end.
    End,
    /// Never cut (counts, short codes, times).
    Keep,
}

/// One column: its title, how it shrinks, the narrowest it may get, and when it is dropped
/// (`0`: never; otherwise the highest number is dropped first).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub title: &'static str,
    pub shrink: Shrink,
    pub min: usize,
    pub drop: u8,
}

impl Col {
    /// A column that is never cut nor dropped.
    pub const fn keep(title: &'static str) -> Col {
        Col {
            title,
            shrink: Shrink::Keep,
            min: 0,
            drop: 0,
        }
    }

    /// A column that shrinks `shrink`-wise to `min` columns.
    pub const fn shrink(title: &'static str, shrink: Shrink, min: usize) -> Col {
        Col {
            title,
            shrink,
            min,
            drop: 0,
        }
    }

    /// The same column, dropped when the table cannot fit otherwise (higher drops first).
    pub const fn droppable(self, rank: u8) -> Col {
        Col { drop: rank, ..self }
    }
}

/// Columns between cells.
const GAP: usize = 2;

/// A table of raw cells, rendered fitted or whole.
pub struct Table {
    cols: Vec<Col>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(cols: &[Col]) -> Table {
        Table {
            cols: cols.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row. Cells may be raw log strings: rendering sanitises them.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text: whole when `width` is `None`, else fitted to it.
    pub fn render(&self, width: Option<usize>) -> String {
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| sanitize(c).into_owned()).collect())
            .collect();
        let natural: Vec<usize> = self
            .cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                rows.iter()
                    .filter_map(|r| r.get(i))
                    .map(|s| self::width(s))
                    .chain([self::width(c.title)])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let (shown, widths) = match width {
            None => ((0..self.cols.len()).collect(), natural.clone()),
            Some(w) => self.fit_columns(&natural, w),
        };
        let mut out = String::new();
        let mut line = |cells: Vec<String>| {
            let mut text = String::new();
            let last = shown.len().saturating_sub(1);
            for (n, (&i, cell)) in shown.iter().zip(cells).enumerate() {
                let w = widths[i];
                let fitted = match self.cols[i].shrink {
                    _ if self::width(&cell) <= w => cell,
                    Shrink::Arn => short_arn(&cell, w),
                    Shrink::Middle => fit_middle(&cell, w),
                    Shrink::End | Shrink::Keep => fit(&cell, w),
                };
                let pad = if n < last {
                    w.saturating_sub(self::width(&fitted)) + GAP
                } else {
                    0
                };
                text.push_str(&fitted);
                text.push_str(&" ".repeat(pad));
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(
            shown
                .iter()
                .map(|&i| self.cols[i].title.to_string())
                .collect(),
        );
        for r in &rows {
            line(
                shown
                    .iter()
                    .map(|&i| r.get(i).cloned().unwrap_or_default())
                    .collect(),
            );
        }
        let hidden: Vec<&str> = (0..self.cols.len())
            .filter(|i| !shown.contains(i))
            .map(|i| self.cols[i].title)
            .collect();
        if !hidden.is_empty() {
            let note = format!("(hidden to fit: {}; --wide shows all)", hidden.join(", "));
            out.push_str(&fit(&note, width.unwrap_or(usize::MAX)));
            out.push('\n');
        }
        out
    }

    /// Which columns to show and how wide: shrink what may shrink toward its minimum, evenly
    /// (the widest gives first); drop columns, highest rank first, only when that is not enough.
    fn fit_columns(&self, natural: &[usize], total: usize) -> (Vec<usize>, Vec<usize>) {
        let mut shown: Vec<usize> = (0..self.cols.len()).collect();
        loop {
            let gaps = GAP * shown.len().saturating_sub(1);
            let floor = |i: usize| -> usize {
                let c = &self.cols[i];
                match c.shrink {
                    Shrink::Keep => natural[i],
                    _ => natural[i].min(c.min.max(self::width(c.title))),
                }
            };
            let need_min: usize = shown.iter().map(|&i| floor(i)).sum::<usize>() + gaps;
            if need_min <= total || !shown.iter().any(|&i| self.cols[i].drop > 0) {
                let widths = water_fill(natural, &shown, floor, total.saturating_sub(gaps));
                return (shown, widths);
            }
            // Drop the highest-ranked droppable column (the last such, on ties).
            let (pos, _) = shown
                .iter()
                .enumerate()
                .filter(|(_, i)| self.cols[**i].drop > 0)
                .max_by_key(|(n, i)| (self.cols[**i].drop, *n))
                .unwrap_or((0, &0));
            shown.remove(pos);
        }
    }
}

/// Widths for `shown` columns summing to at most `room`: each at least its floor, at most its
/// natural width, the extra shared by raising one level across the shrinkable columns.
fn water_fill(
    natural: &[usize],
    shown: &[usize],
    floor: impl Fn(usize) -> usize,
    room: usize,
) -> Vec<usize> {
    let mut widths = natural.to_vec();
    let total = |level: usize| -> usize {
        shown
            .iter()
            .map(|&i| natural[i].min(floor(i).max(level)))
            .sum()
    };
    if total(usize::MAX) <= room {
        return widths;
    }
    // The highest level that fits (binary search: `total` grows with the level).
    let (mut lo, mut hi) = (0usize, natural.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if total(mid) <= room {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    for &i in shown {
        widths[i] = natural[i].min(floor(i).max(lo));
    }
    // Hand out what the level left, one column at a time, to columns still cut.
    let mut left = room.saturating_sub(shown.iter().map(|&i| widths[i]).sum());
    for &i in shown {
        if left == 0 {
            break;
        }
        if widths[i] < natural[i] {
            widths[i] += 1;
            left -= 1;
        }
    }
    widths
}

/// A time for a table cell: RFC 3339 in whole (scriptable) output, `2026-11-18 14:09` when
/// fitted to a terminal.
pub fn stamp(width: Option<usize>, ms: i64) -> String {
    match width {
        None => crate::model::format_ms(ms),
        Some(_) => crate::present::date_time(ms).chars().take(16).collect(),
    }
}

/// A date for a table cell: RFC 3339 in whole output, `2026-11-18` when fitted.
pub fn day(width: Option<usize>, ms: i64) -> String {
    match width {
        None => crate::model::format_ms(ms),
        Some(_) => crate::present::date(ms),
    }
}

/// An assumer for a table cell: the whole phrase in whole output, the brief one when fitted.
pub fn assumer_cell(width: Option<usize>, a: &crate::model::Assumer) -> String {
    match width {
        None => crate::present::assumer_text(a),
        Some(_) => crate::present::assumer_brief(a),
    }
}

/// Prints one line of text (already sanitised), cut to the width when fitted: the last resort
/// for free-form lines, which callers keep short.
pub fn say(width: Option<usize>, text: &str) -> std::io::Result<()> {
    match width {
        Some(w) => outln!("{}", fit(text, w)),
        None => outln!("{text}"),
    }
}

/// Prints a table (or `none` when it has no rows) fitted to `width`.
pub fn print_table(t: &Table, width: Option<usize>, none: &str) -> std::io::Result<()> {
    if t.is_empty() {
        return outln!("{none}");
    }
    use std::io::Write as _;
    std::io::stdout()
        .lock()
        .write_all(t.render(width).as_bytes())
}

/// The width to fit tables to: `None` for `--wide` and for output that is not a terminal;
/// else the terminal's width (`COLUMNS` when the terminal does not say).
pub fn output_width(wide: bool) -> Option<usize> {
    use std::io::IsTerminal;
    if wide || !std::io::stdout().is_terminal() {
        return None;
    }
    ratatui::crossterm::terminal::size()
        .ok()
        .map(|(w, _)| w as usize)
        .filter(|w| *w > 0)
        .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
        .or(Some(80))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(&[
            Col::shrink("ROLE", Shrink::Arn, 20),
            Col::keep("EVENTS"),
            Col::shrink("ASSUMED BY", Shrink::End, 12),
            Col::shrink("USER AGENT", Shrink::End, 10).droppable(1),
        ]);
        t.row(vec![
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5".into(),
            "1234".into(),
            "SAMLUser sara via AssumeRoleWithSAML ✓ observed".into(),
            "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2".into(),
        ]);
        t
    }

    #[test]
    fn a_fitted_table_never_exceeds_the_width() {
        for w in [60, 80, 100, 120] {
            let text = sample().render(Some(w));
            for line in text.lines() {
                assert!(width(line) <= w, "{w}: {line:?} is {} wide", width(line));
            }
        }
    }

    #[test]
    fn whole_output_keeps_every_cell_whole() {
        let text = sample().render(None);
        assert!(text.contains("AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5"));
        assert!(text.contains("exe/x86_64.amzn.2"));
    }

    #[test]
    fn columns_are_dropped_only_when_shrinking_is_not_enough_and_the_table_says_so() {
        let roomy = sample().render(Some(120));
        assert!(roomy.contains("USER AGENT"), "{roomy}");
        let shrunk = sample().render(Some(60));
        assert!(shrunk.contains("USER AGENT"), "{shrunk}");
        let tight = sample().render(Some(50));
        assert!(!tight.lines().next().unwrap_or("").contains("USER AGENT"));
        assert!(
            tight.contains("(hidden to fit: USER AGENT; --wide shows all)"),
            "{tight}"
        );
    }

    #[test]
    fn cells_are_sanitised_whatever_the_caller_did() {
        let mut t = Table::new(&[Col::shrink("NAME", Shrink::Middle, 4)]);
        t.row(vec!["evil\u{1b}[2J\u{202e}".into()]);
        let text = t.render(Some(80));
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
    }
}
