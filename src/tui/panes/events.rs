//! Events: the calls behind a count (newest first, paged, filtered), and the viewer of one
//! event's original record.

use crate::present::{opt, result_mark, safe, target_text};

use super::super::app::{Page, filter_text};
use super::super::data::{EventRecord, EventsData};
use super::super::doc::{Class, Col, Doc, Focus, Row, seg};
use super::super::view::View;
use super::common::when;

pub fn list(doc: &mut Doc, page: &Page, d: &EventsData) {
    let (of, filter) = match &page.view {
        View::Events { of, filter } => (of, filter),
        _ => return,
    };
    let f = filter_text(filter);
    doc.line(vec![
        seg("calls of ", Class::Dim),
        seg(target_text(of), Class::Strong),
        seg(
            if f.is_empty() {
                "  (all; f filters)".to_string()
            } else {
                format!("  filter: {}", safe(&f))
            },
            Class::Label,
        ),
    ]);
    let rows = d
        .rows
        .iter()
        .map(|e| {
            let failed = e.error_code.is_some();
            Row {
                cells: vec![
                    seg(when(e.time_ms), Class::Dim),
                    seg(safe(&e.event_name), Class::Plain),
                    seg(
                        safe(e.event_source.trim_end_matches(".amazonaws.com")),
                        Class::Dim,
                    ),
                    if failed {
                        seg(format!("✗ {}", opt(e.error_code.as_deref())), Class::Failed)
                    } else {
                        seg(result_mark(false), Class::Ok)
                    },
                    seg(opt(e.source_ip.as_deref()), Class::Plain),
                    seg(opt(e.user_agent.as_deref()), Class::Dim),
                ],
                focus: Focus::to(View::Event(e.event_id.clone()), e.event_id.clone()),
            }
        })
        .collect();
    doc.table(
        vec![
            Col::fixed("time"),
            Col::flex("API", 10),
            Col::flex("service", 6),
            Col::flex("result", 6),
            Col::fixed("IP"),
            Col::flex("user agent", 6),
        ],
        rows,
        "No calls in the scope with this filter: [ ] shift the scope, - widens it.",
    );
    let n = d.rows.len();
    if page.loading_more {
        doc.text(format!("{n} shown, loading more…"), Class::Dim);
    } else if d.next.is_some() {
        doc.text(
            format!("{n} shown; more below (↓ at the end loads them)"),
            Class::Dim,
        );
    } else if n > 0 {
        doc.text(format!("{n} calls, all shown"), Class::Dim);
    }
}

pub fn record(doc: &mut Doc, r: &EventRecord, search: Option<&str>) {
    let needle = search.map(str::to_lowercase);
    for l in &r.lines {
        let hit = needle
            .as_deref()
            .is_some_and(|n| !n.is_empty() && l.to_lowercase().contains(n));
        doc.focus_line(
            vec![seg(l.clone(), if hit { Class::Warn } else { Class::Plain })],
            Some(Focus {
                open: None,
                copy: Some(value_of(l)),
            }),
        );
    }
    if r.lines.is_empty() {
        doc.text(
            format!("event {}: empty record", safe(&r.event_id)),
            Class::Dim,
        );
    }
}

/// The value on a JSON line (`"key": "value",` → `value`), for `y`.
fn value_of(line: &str) -> String {
    let v = line.split_once("\": ").map_or(line, |(_, v)| v).trim();
    let v = v
        .trim_end_matches(',')
        .trim_end_matches('{')
        .trim_end_matches('[');
    v.trim().trim_matches('"').to_string()
}
