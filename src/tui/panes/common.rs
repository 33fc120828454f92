//! Rows every pane repeats: calls by API / IP / key with success and failure counts, times in a
//! narrow column, the marks for ok / failed.

use crate::analysis::{BreakdownLine, EventFilter};
use crate::model::Target;
use crate::present::{date_time, safe};

use super::super::doc::{Class, Col, Focus, Row, seg};
use super::super::view::View;

/// `11-18 14:09:41`: a time in 14 columns (the year is in the scope above).
pub fn when(ms: i64) -> String {
    let s = date_time(ms);
    s.get(5..).map_or(s.clone(), str::to_string)
}

/// `2026-11-18`.
pub fn day(ms: i64) -> String {
    crate::present::date(ms)
}

/// A count of failures: `✗ 3`, or `0`.
pub fn failed_cell(n: i64) -> crate::tui::doc::Seg {
    if n > 0 {
        seg(format!("✗ {n}"), Class::Failed)
    } else {
        seg("0", Class::Dim)
    }
}

/// What a breakdown is by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Api,
    Ip,
    Key,
}

/// Columns of a breakdown table.
pub fn breakdown_cols(by: By) -> Vec<Col> {
    match by {
        By::Api => vec![
            Col::flex("API method", 12),
            Col::flex("service", 8),
            Col::num("ok"),
            Col::num("failed"),
        ],
        By::Ip => vec![
            Col::id("IP address", 12),
            Col::num("ok"),
            Col::num("failed"),
        ],
        By::Key => vec![
            Col::id("access key", 12),
            Col::num("ok"),
            Col::num("failed"),
        ],
    }
}

/// A breakdown's rows: Enter lists those calls of `of` (filtered by the line's key).
pub fn breakdown_rows(lines: &[BreakdownLine], by: By, of: &Target) -> Vec<Row> {
    lines
        .iter()
        .map(|l| {
            let key = l.key.clone().unwrap_or_default();
            let mut filter = EventFilter::default();
            match by {
                By::Api => filter.api = l.key.clone(),
                By::Ip => filter.source_ip = l.key.clone(),
                By::Key => filter.access_key = l.key.clone(),
            }
            let mut cells = vec![seg(
                l.key.as_deref().map_or_else(|| "-".to_string(), safe),
                Class::Plain,
            )];
            if by == By::Api {
                let svc = l.service.as_deref().map(safe).unwrap_or_default();
                cells.push(seg(
                    svc.trim_end_matches(".amazonaws.com").to_string(),
                    Class::Dim,
                ));
            }
            cells.push(seg(l.ok.to_string(), Class::Ok));
            cells.push(failed_cell(l.failed));
            Row {
                cells,
                focus: Focus::to(
                    View::Events {
                        of: of.clone(),
                        filter,
                    },
                    key,
                ),
            }
        })
        .collect()
}
