//! Home: the findings, the busiest and the most failing role sessions of the last day of the
//! data, and what the cache covers; on an empty cache, how to fill it.

use crate::analysis::Home;
use crate::model::RoleSession;
use crate::present::{fit_middle, opt, role_label, safe, scope_text};

use super::super::doc::{Class, Col, Doc, Focus, Row, seg};
use super::super::view::View;
use super::common::{day, failed_cell, when};

pub fn doc(doc: &mut Doc, h: &Home) {
    let c = &h.coverage;
    if c.events == 0 && h.findings.is_empty() {
        empty(doc);
        return;
    }
    doc.heading("Findings", format!("{} cached", c.findings));
    let rows = h
        .findings
        .iter()
        .map(|f| Row {
            cells: vec![
                seg(format!("{:.1}", f.severity), severity_class(f.severity)),
                seg(safe(&f.finding_type), Class::Strong),
                seg(
                    f.session
                        .as_ref()
                        .map(|s| safe(&s.session_name))
                        .or_else(|| {
                            f.user_name
                                .as_deref()
                                .or(f.instance_id.as_deref())
                                .or(f.access_key_id.as_deref())
                                .or(f.principal_id.as_deref())
                                .map(safe)
                        })
                        .unwrap_or_else(|| "-".into()),
                    Class::Plain,
                ),
                seg(f.last_seen.map(when).unwrap_or_default(), Class::Dim),
            ],
            focus: Focus::to(View::Finding(f.finding_id.clone()), f.finding_id.clone()),
        })
        .collect();
    doc.table(
        vec![
            Col::num("sev"),
            Col::flex("type", 20),
            Col::flex("actor", 8),
            Col::fixed("last seen"),
        ],
        rows,
        "No findings cached: GuardDuty exports load with `rolecall ingest`.",
    );
    let within = h
        .scope
        .map(|s| format!("calls in {}", scope_text(&s)))
        .unwrap_or_default();
    doc.heading("Most active role sessions", within.clone());
    doc.table(
        session_cols(),
        sessions(&h.busiest),
        "No calls in the last day of the data.",
    );
    doc.heading("Most failing role sessions", within);
    let failing: Vec<RoleSession> = h.failing.iter().filter(|s| s.failed > 0).cloned().collect();
    doc.table(
        session_cols(),
        sessions(&failing),
        "No failed calls in the last day of the data.",
    );
    doc.heading("Coverage", "");
    doc.line(vec![
        seg(format!("{} events", c.events), Class::Strong),
        seg(
            format!(
                " · {} accounts · {} regions · {} days with data",
                c.accounts, c.regions, c.days
            ),
            Class::Plain,
        ),
    ]);
    if let (Some(a), Some(b)) = (c.first_ms, c.last_ms) {
        doc.text(format!("from {} to {} UTC", day(a), day(b)), Class::Plain);
    }
    doc.text(
        format!(
            "last ingest {}",
            c.last_ingest_ms
                .map(|t| format!("{} UTC", crate::present::date_time(t)))
                .unwrap_or_else(|| "-".into())
        ),
        Class::Dim,
    );
    for r in &c.rows {
        doc.text(
            format!(
                "  {}  {}  {} events  {} → {}",
                opt(Some(&r.account)),
                fit_middle(&safe(&r.region), 14),
                r.events,
                day(r.first_ms),
                day(r.last_ms)
            ),
            Class::Dim,
        );
    }
}

fn severity_class(s: f64) -> Class {
    if s >= 7.0 {
        Class::Failed
    } else if s >= 4.0 {
        Class::Warn
    } else {
        Class::Plain
    }
}

fn session_cols() -> Vec<Col> {
    vec![
        Col::flex("session", 8),
        Col::flex("role", 14),
        Col::num("calls"),
        Col::num("failed"),
    ]
}

fn sessions(list: &[RoleSession]) -> Vec<Row> {
    list.iter()
        .map(|s| Row {
            cells: vec![
                seg(safe(&s.session_name), Class::Plain),
                seg(
                    s.role_arn
                        .as_deref()
                        .map(|r| role_label(r, 60))
                        .unwrap_or_else(|| "-".into()),
                    Class::Dim,
                ),
                seg(s.events.to_string(), Class::Ok),
                failed_cell(s.failed),
            ],
            focus: Focus::to(
                View::Session(s.principal_id.clone()),
                s.principal_id.clone(),
            ),
        })
        .collect()
}

fn empty(doc: &mut Doc) {
    doc.heading("The cache is empty", "");
    doc.text("Nothing has been loaded yet. To start:", Class::Plain);
    doc.line(vec![]);
    doc.line(vec![
        seg("  rolecall ingest PATH…    ", Class::Strong),
        seg("CloudTrail, GuardDuty and VPC flow files", Class::Plain),
    ]);
    doc.line(vec![
        seg("  rolecall sync            ", Class::Strong),
        seg("pull from AWS (not available yet)", Class::Dim),
    ]);
    doc.line(vec![
        seg("  rolecall demo            ", Class::Strong),
        seg("a generated organisation and its incident", Class::Plain),
    ]);
    doc.line(vec![]);
    doc.text(
        "This console reloads by itself when an ingest fills the cache.",
        Class::Dim,
    );
}
