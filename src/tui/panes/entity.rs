//! Role (Overview, New behavior, Resource interaction) and the pivot panes (IAM user,
//! federated user, SAML / web-identity user, EC2 instance, account, IP address).

use crate::analysis::Profile;
use crate::model::{Scope, Target};
use crate::present::{assumer_brief, opt, role_label, safe, short_arn};

use super::super::data::RoleData;
use super::super::doc::{Class, Col, Doc, Focus, Part, Row, seg};
use super::super::view::View;
use super::common::{By, breakdown_cols, breakdown_rows, day, failed_cell, when};
use super::finding::evidence_class;

pub fn role(doc: &mut Doc, d: &RoleData, tab: usize, _scope: Option<Scope>) {
    doc.line(vec![
        seg("role ", Class::Dim),
        seg(short_arn(&d.arn, 74), Class::Strong),
    ]);
    let of = Target::role(d.arn.as_str());
    match tab {
        0 => {
            if let Some(v) = &d.volume {
                doc.parts.push(Part::Chart(Box::new(v.clone())));
            }
            if let Some(a) = &d.activity {
                doc.heading(
                    "In scope: sessions of this role",
                    format!("{} ok · ✗ {} failed", a.total_ok, a.total_failed),
                );
                let rows = a
                    .by_caller
                    .iter()
                    .map(|l| {
                        let p = l.key.clone().unwrap_or_default();
                        let name = p.split_once(':').map_or(p.as_str(), |(_, n)| n);
                        Row {
                            cells: vec![
                                seg(safe(name), Class::Plain),
                                seg(safe(&p), Class::Dim),
                                seg(l.ok.to_string(), Class::Ok),
                                failed_cell(l.failed),
                            ],
                            focus: Focus::to(View::Session(p.clone()), p.clone()),
                        }
                    })
                    .collect();
                doc.table(
                    vec![
                        Col::flex("session", 8),
                        Col::id("principal ID", 12),
                        Col::num("ok"),
                        Col::num("failed"),
                    ],
                    rows,
                    "No calls in the scope.",
                );
                doc.heading("By API method", "");
                doc.table(
                    breakdown_cols(By::Api),
                    breakdown_rows(&a.by_api, By::Api, &of),
                    "-",
                );
                doc.heading("By IP address", "");
                doc.table(
                    breakdown_cols(By::Ip),
                    breakdown_rows(&a.by_source_ip, By::Ip, &of),
                    "-",
                );
            }
        }
        1 => super::behavior::doc(doc, &d.behavior),
        _ => interaction(doc, d),
    }
}

fn interaction(doc: &mut Doc, d: &RoleData) {
    let r = &d.interaction;
    doc.heading("Resources that assumed this role", "in scope");
    let rows = r
        .assumed_by
        .iter()
        .map(|l| Row {
            cells: vec![
                seg(
                    assumer_brief(&l.assumer),
                    evidence_class(l.assumer.evidence),
                ),
                seg(l.assumer.kind.as_str(), Class::Dim),
                seg(opt(l.assumer.account_id.as_deref()), Class::Dim),
                seg(day(l.first_seen), Class::Dim),
                seg(day(l.last_seen), Class::Dim),
                failed_cell(l.attempts),
            ],
            focus: l.assumer.target.as_ref().map(|t| Focus {
                open: Some(View::of(t)),
                copy: Some(t.id_text()),
            }),
        })
        .collect();
    doc.table(
        vec![
            Col::flex("principal", 12),
            Col::fixed("type"),
            Col::fixed("account"),
            Col::fixed("first"),
            Col::fixed("last"),
            Col::num("attempts"),
        ],
        rows,
        "None in the scope.",
    );
    doc.heading("Roles this role assumed", "in scope");
    let rows = r
        .roles_assumed
        .iter()
        .map(|l| Row {
            cells: vec![
                seg(
                    l.role_arn
                        .as_deref()
                        .map(|a| role_label(a, 60))
                        .unwrap_or_else(|| "-".into()),
                    Class::Plain,
                ),
                seg(day(l.first_seen), Class::Dim),
                seg(day(l.last_seen), Class::Dim),
                seg(l.assumptions.to_string(), Class::Ok),
                failed_cell(l.attempts),
            ],
            focus: l.target.as_ref().map(|t| Focus {
                open: Some(View::of(t)),
                copy: Some(t.id_text()),
            }),
        })
        .collect();
    doc.table(
        vec![
            Col::flex("role", 16),
            Col::fixed("first"),
            Col::fixed("last"),
            Col::num("ok"),
            Col::num("failed"),
        ],
        rows,
        "None in the scope.",
    );
    doc.heading("Sessions involved", "⇢ started from a session of this role");
    let rows = r
        .sessions
        .iter()
        .map(|l| Row {
            cells: vec![
                seg(
                    format!(
                        "{}{}",
                        if l.own { "" } else { "⇢ " },
                        opt(l.session_name.as_deref())
                    ),
                    Class::Plain,
                ),
                seg(
                    l.assumed_role
                        .as_deref()
                        .map(|a| role_label(a, 60))
                        .unwrap_or_else(|| "-".into()),
                    Class::Plain,
                ),
                seg(
                    assumer_brief(&l.assumed_by),
                    evidence_class(l.assumed_by.evidence),
                ),
                seg(day(l.start), Class::Dim),
                seg(day(l.end), Class::Dim),
            ],
            focus: l.target.as_ref().map(|t| Focus {
                open: Some(View::of(t)),
                copy: Some(t.id_text()),
            }),
        })
        .collect();
    doc.table(
        vec![
            Col::flex("session", 7),
            Col::flex("role", 12),
            Col::flex("assumed by", 10),
            Col::fixed("start"),
            Col::fixed("end"),
        ],
        rows,
        "None in the scope.",
    );
}

pub fn profile(doc: &mut Doc, p: &Profile) {
    doc.text(p.title.clone(), Class::Strong);
    for (label, value) in &p.facts {
        doc.line(vec![
            seg(format!("{label}: "), Class::Label),
            seg(value.clone(), Class::Plain),
        ]);
    }
    doc.text(
        format!(
            "seen {} → {}",
            p.first_seen.map(when).unwrap_or_else(|| "-".into()),
            p.last_seen.map(when).unwrap_or_else(|| "-".into())
        ),
        Class::Dim,
    );
    if let Some(n) = &p.note {
        doc.text(safe(n), Class::Warn);
    }
    if !p.sessions.is_empty() {
        doc.heading("Role sessions", "calls in scope");
        let rows = p
            .sessions
            .iter()
            .map(|s| Row {
                cells: vec![
                    seg(safe(&s.session_name), Class::Plain),
                    seg(
                        s.role_arn
                            .as_deref()
                            .map(|a| role_label(a, 60))
                            .unwrap_or_else(|| "-".into()),
                        Class::Dim,
                    ),
                    seg(day(s.last_ms), Class::Dim),
                    seg(s.ok.to_string(), Class::Ok),
                    failed_cell(s.failed),
                ],
                focus: Focus::to(View::of(&s.target), s.principal_id.clone()),
            })
            .collect();
        doc.table(
            vec![
                Col::flex("session", 8),
                Col::flex("role", 12),
                Col::fixed("last seen"),
                Col::num("ok"),
                Col::num("failed"),
            ],
            rows,
            "-",
        );
    }
    if !p.callers.is_empty() {
        doc.heading("Who used it", "in scope");
        let rows = p
            .callers
            .iter()
            .map(|c| Row {
                cells: vec![
                    seg(safe(&c.label), Class::Plain),
                    seg(c.ok.to_string(), Class::Ok),
                    failed_cell(c.failed),
                ],
                focus: c.target.as_ref().map(|t| Focus {
                    open: Some(View::of(t)),
                    copy: Some(t.id_text()),
                }),
            })
            .collect();
        doc.table(
            vec![Col::id("principal", 16), Col::num("ok"), Col::num("failed")],
            rows,
            "-",
        );
    }
    doc.heading("Calls in scope by API method", "");
    doc.table(
        breakdown_cols(By::Api),
        breakdown_rows(&p.by_api, By::Api, &p.target),
        "No calls in the scope: [ ] shift it, - widens it.",
    );
    if !p.by_source_ip.is_empty() {
        doc.heading("By IP address", "");
        doc.table(
            breakdown_cols(By::Ip),
            breakdown_rows(&p.by_source_ip, By::Ip, &p.target),
            "-",
        );
    }
}
