//! Finding: what GuardDuty saw, the actor resolved to its role session (the first row, so
//! Enter goes straight to it), how the session was started, and the calls that are evidence.

use crate::analysis::target_of_origin;
use crate::model::Target;
use crate::present::{assumer_text, evidence_mark, opt, origin_text, result_mark, safe};

use super::super::data::FindingData;
use super::super::doc::{Class, Col, Doc, Focus, Row, seg};
use super::super::view::View;
use super::common::when;

pub fn doc(doc: &mut Doc, d: &FindingData) {
    let f = &d.finding;
    doc.line(vec![
        seg(safe(&f.finding_type), Class::Strong),
        seg(format!("  severity {:.1}", f.severity), Class::Warn),
    ]);
    if let Some(t) = &f.title {
        doc.text(safe(t), Class::Plain);
    }
    let seen = match (f.first_seen, f.last_seen) {
        (Some(a), Some(b)) if a != b => format!("seen {} → {}", when(a), when(b)),
        (Some(a), _) | (None, Some(a)) => format!("seen {}", when(a)),
        _ => "seen -".to_string(),
    };
    doc.text(
        format!(
            "account {} · {} · {seen} ({}×)",
            opt(f.account_id.as_deref()),
            opt(f.region.as_deref()),
            f.count
        ),
        Class::Dim,
    );
    doc.heading("Actor", "⏎ opens");
    match (&f.session, &f.actor) {
        (Some(s), _) => {
            let role = s
                .role_arn
                .as_deref()
                .map(|r| safe(r.rsplit('/').next().unwrap_or(r)))
                .unwrap_or_else(|| "-".into());
            doc.focus_line(
                vec![
                    seg("session  ", Class::Label),
                    seg(format!("{} @ {role}", safe(&s.session_name)), Class::Strong),
                    seg(
                        format!("  {}", evidence_mark(s.assumed_by.evidence)),
                        evidence_class(s.assumed_by.evidence),
                    ),
                ],
                Focus::to(
                    View::Session(s.principal_id.clone()),
                    s.principal_id.clone(),
                ),
            );
            doc.focus_line(
                vec![
                    seg("by       ", Class::Label),
                    seg(assumer_text(&s.assumed_by), Class::Plain),
                ],
                s.assumed_by.target.as_ref().map(|t| Focus {
                    open: Some(View::of(t)),
                    copy: Some(t.id_text()),
                }),
            );
        }
        (None, Some(t)) => doc.focus_line(
            vec![
                seg("actor    ", Class::Label),
                seg(crate::present::target_text(t), Class::Strong),
            ],
            Focus::to(View::of(t), t.id_text()),
        ),
        (None, None) => match crate::present::finding_actor_text(f) {
            Some(named) => doc.text(format!("actor    {named} (not in the cache)"), Class::Warn),
            None => doc.text(
                match &f.resource_type {
                    Some(r) => format!("actor    none named by GuardDuty (resource {})", safe(r)),
                    None => "actor    none named by GuardDuty".to_string(),
                },
                Class::Dim,
            ),
        },
    }
    if let Some(c) = &f.chain {
        if c.hops.len() > 1 {
            doc.focus_line(
                vec![
                    seg("origin   ", Class::Label),
                    seg(origin_text(&c.origin), Class::Plain),
                    seg(format!("  ({} hops)", c.hops.len()), Class::Dim),
                ],
                target_of_origin(&c.origin).map(|t| Focus {
                    open: Some(View::of(&t)),
                    copy: Some(t.id_text()),
                }),
            );
        }
    }
    if let Some(k) = &f.access_key_id {
        doc.focus_line(
            vec![seg("key      ", Class::Label), seg(safe(k), Class::Plain)],
            Some(Focus {
                open: f.actor.as_ref().map(|a| View::Events {
                    of: a.clone(),
                    filter: crate::analysis::EventFilter {
                        access_key: Some(k.clone()),
                        ..Default::default()
                    },
                }),
                copy: Some(k.clone()),
            }),
        );
    }
    if let Some(ip) = &f.caller_ip {
        doc.focus_line(
            vec![seg("IP       ", Class::Label), seg(safe(ip), Class::Plain)],
            Target::ip(ip).map(|t| Focus {
                open: Some(View::of(&t)),
                copy: Some(ip.clone()),
            }),
        );
    }
    if let Some(api) = &f.api {
        doc.text(format!("API      {}", safe(api)), Class::Plain);
    }
    doc.heading(
        "Evidence",
        "the actor's calls of this API in the finding's window",
    );
    let rows = d
        .evidence
        .iter()
        .map(|e| Row {
            cells: vec![
                seg(when(e.time_ms), Class::Dim),
                seg(safe(&e.event_name), Class::Plain),
                seg(
                    result_mark(e.error_code.is_some()),
                    if e.error_code.is_some() {
                        Class::Failed
                    } else {
                        Class::Ok
                    },
                ),
                seg(opt(e.source_ip.as_deref()), Class::Plain),
                seg(opt(e.user_agent.as_deref()), Class::Dim),
            ],
            focus: Focus::to(View::Event(e.event_id.clone()), e.event_id.clone()),
        })
        .collect();
    doc.table(
        vec![
            Col::fixed("time"),
            Col::flex("API", 10),
            Col::fixed("result"),
            Col::fixed("IP"),
            Col::flex("user agent", 8),
        ],
        rows,
        if f.actor.is_none() && crate::present::finding_actor_text(f).is_none() {
            "No actor named: no call to match."
        } else {
            "No matching call in the cache."
        },
    );
}

/// The class of an evidence mark.
pub fn evidence_class(e: crate::model::Evidence) -> Class {
    match e {
        crate::model::Evidence::Observed => Class::Observed,
        crate::model::Evidence::Inferred => Class::Inferred,
    }
}
