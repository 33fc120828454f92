//! Role session: Overview (who, the volume chart, the scope's calls by API / IP / key, its
//! issuances and findings), New behavior (`behavior`), Resource interaction (who started it, what it
//! started) and Chain (origin to here, per-hop calls in scope).

use crate::analysis::target_of_origin;
use crate::model::Scope;
use crate::present::{
    assumer_brief, evidence_mark, fit_middle, opt, origin_text, role_label, safe,
};

use super::super::data::SessionData;
use super::super::doc::{Class, Col, Doc, Focus, Part, Row, seg};
use super::super::view::View;
use super::common::{By, breakdown_cols, breakdown_rows, day, when};
use super::finding::evidence_class;

pub fn doc(doc: &mut Doc, d: &SessionData, tab: usize, scope: Option<Scope>) {
    header(doc, d);
    match tab {
        0 => overview(doc, d),
        1 => super::behavior::doc(doc, &d.behavior),
        2 => interaction(doc, d),
        _ => chain(doc, d, scope),
    }
}

fn header(doc: &mut Doc, d: &SessionData) {
    let s = &d.session;
    let role = s.role_arn.as_deref().map(|r| role_label(r, 70));
    doc.focus_line(
        vec![
            seg(safe(&s.session_name), Class::Strong),
            seg(" · ", Class::Dim),
            seg(role.unwrap_or_else(|| "-".into()), Class::Plain),
        ],
        s.role.as_ref().map(|t| Focus {
            open: Some(View::of(t)),
            copy: Some(t.id_text()),
        }),
    );
    let a = &s.assumed_by;
    let name = match (&a.name, &a.account_id) {
        (Some(n), _) => fit_middle(&safe(n), 34),
        (None, Some(acct)) => safe(acct),
        (None, None) => String::new(),
    };
    doc.focus_line(
        vec![
            seg(evidence_mark(a.evidence), evidence_class(a.evidence)),
            seg(format!(" by {} {name}", a.kind.as_str()), Class::Plain),
            seg(
                a.via
                    .as_deref()
                    .map(|v| format!(" via {}", safe(v)))
                    .unwrap_or_default(),
                Class::Dim,
            ),
            seg(format!(" · since {}", day(s.first_observed)), Class::Dim),
        ],
        a.target.as_ref().map(|t| Focus {
            open: Some(View::of(t)),
            copy: Some(t.id_text()),
        }),
    );
}

fn overview(doc: &mut Doc, d: &SessionData) {
    if let Some(v) = &d.volume {
        doc.parts.push(Part::Chart(Box::new(v.clone())));
    }
    let of = d.session.target.clone();
    match &d.activity {
        Some(a) => {
            doc.heading(
                "In scope: by API method",
                format!("{} ok · ✗ {} failed", a.total_ok, a.total_failed),
            );
            doc.table(
                breakdown_cols(By::Api),
                breakdown_rows(&a.by_api, By::Api, &of),
                "No calls in the scope: [ ] shift it, - widens it.",
            );
            doc.heading("By IP address", "");
            doc.table(
                breakdown_cols(By::Ip),
                breakdown_rows(&a.by_source_ip, By::Ip, &of),
                "-",
            );
            doc.heading("By access key", "");
            doc.table(
                breakdown_cols(By::Key),
                breakdown_rows(&a.by_access_key, By::Key, &of),
                "-",
            );
        }
        None => doc.text("No calls of this session are rolled up.", Class::Dim),
    }
    doc.heading(
        "Issuances in scope",
        format!("{} all time", d.session.issuances),
    );
    let rows = d
        .issuances
        .iter()
        .map(|i| Row {
            cells: vec![
                seg(
                    i.issuance
                        .access_key
                        .as_ref()
                        .map_or_else(|| "-".to_string(), |k| safe(k.as_str())),
                    Class::Plain,
                ),
                seg(when(i.issuance.issued_ms), Class::Dim),
                seg(
                    i.expires_at.map(when).unwrap_or_else(|| "-".into()),
                    Class::Dim,
                ),
                seg(opt(i.source_ip.as_deref()), Class::Plain),
                seg(evidence_mark(i.evidence), evidence_class(i.evidence)),
            ],
            focus: Some(Focus {
                open: i.assumed_by.target.as_ref().map(View::of),
                copy: i.issuance.access_key.as_ref().map(ToString::to_string),
            }),
        })
        .collect();
    doc.table(
        vec![
            Col::id("access key", 12),
            Col::fixed("issued"),
            Col::fixed("expires"),
            Col::id("IP", 8),
            Col::fixed("evidence"),
        ],
        rows,
        "None issued in or used in the scope.",
    );
    doc.heading("Findings about this session", "");
    let rows = d
        .findings
        .iter()
        .map(|f| Row {
            cells: vec![
                seg(format!("{:.1}", f.severity), Class::Warn),
                seg(safe(&f.finding_type), Class::Plain),
                seg(f.last_seen.map(when).unwrap_or_default(), Class::Dim),
            ],
            focus: Focus::to(View::Finding(f.finding_id.clone()), f.finding_id.clone()),
        })
        .collect();
    doc.table(
        vec![
            Col::num("sev"),
            Col::flex("type", 20),
            Col::fixed("last seen"),
        ],
        rows,
        "None.",
    );
}

fn interaction(doc: &mut Doc, d: &SessionData) {
    let s = &d.session;
    doc.heading(
        "Who started this session",
        format!("{} issuances", s.issuances),
    );
    let mut assumers: Vec<&crate::model::Assumer> = vec![&s.assumed_by];
    for i in &d.issuances {
        if !assumers
            .iter()
            .any(|a| a.kind == i.assumed_by.kind && a.name == i.assumed_by.name)
        {
            assumers.push(&i.assumed_by);
        }
    }
    let rows = assumers
        .into_iter()
        .map(|a| Row {
            cells: vec![
                seg(assumer_brief(a), evidence_class(a.evidence)),
                seg(opt(a.via.as_deref()), Class::Dim),
                seg(opt(a.account_id.as_deref()), Class::Dim),
            ],
            focus: a.target.as_ref().map(|t| Focus {
                open: Some(View::of(t)),
                copy: Some(t.id_text()),
            }),
        })
        .collect();
    doc.table(
        vec![
            Col::flex("assumed by", 16),
            Col::fixed("via"),
            Col::fixed("account"),
        ],
        rows,
        "-",
    );
    doc.heading(
        "Sessions started from this session",
        format!("{} (all time)", d.started.len()),
    );
    doc.table(
        started_cols(),
        started_rows(&d.started),
        "None: it assumed no role.",
    );
}

fn started_cols() -> Vec<Col> {
    vec![
        Col::fixed("when"),
        Col::flex("role", 12),
        Col::flex("session", 6),
        Col::fixed("result"),
    ]
}

fn started_rows(list: &[crate::analysis::StartedLine]) -> Vec<Row> {
    list.iter()
        .map(|l| {
            let role = l
                .role_arn
                .as_deref()
                .map(|r| role_label(r, 60))
                .unwrap_or_else(|| "-".into());
            let cross = if l.cross_account { " ⇄" } else { "" };
            Row {
                cells: vec![
                    seg(when(l.issued_at), Class::Dim),
                    seg(format!("{role}{cross}"), Class::Plain),
                    seg(opt(l.session_name.as_deref()), Class::Plain),
                    if l.failed {
                        seg(format!("✗ {}", opt(l.error_code.as_deref())), Class::Failed)
                    } else {
                        seg("✓ ok", Class::Ok)
                    },
                ],
                focus: l.target.as_ref().or(l.role.as_ref()).map(|t| Focus {
                    open: Some(View::of(t)),
                    copy: Some(t.id_text()),
                }),
            }
        })
        .collect()
}

fn chain(doc: &mut Doc, d: &SessionData, scope: Option<Scope>) {
    let Some(cv) = &d.chain else {
        doc.text(
            "No chain: the cache holds no issuance of this session.",
            Class::Dim,
        );
        return;
    };
    let c = &cv.chain;
    let origin = target_of_origin(&c.origin);
    doc.focus_line(
        vec![seg(origin_text(&c.origin), Class::Strong)],
        origin.as_ref().map(|t| Focus {
            open: Some(View::of(t)),
            copy: Some(t.id_text()),
        }),
    );
    let last = c.hops.len().saturating_sub(1);
    for (n, h) in c.hops.iter().enumerate() {
        let how = format!(
            " │ {} {}",
            opt(h.via.as_deref()),
            h.issued_at.map(when).unwrap_or_default()
        );
        doc.line(vec![
            seg(how, Class::Dim),
            seg(
                format!("  {}", evidence_mark(h.evidence)),
                evidence_class(h.evidence),
            ),
            seg(
                if h.cross_account {
                    "  ⇄ cross-account"
                } else {
                    ""
                },
                Class::Warn,
            ),
        ]);
        doc.text(" ▼", Class::Dim);
        let role = h
            .role_arn
            .as_deref()
            .map(|r| role_label(r, 48))
            .unwrap_or_else(|| "-".into());
        let here = if n == last { "  ◀ here" } else { "" };
        doc.focus_line(
            vec![
                seg(role, Class::Strong),
                seg(
                    format!("  session {}", opt(h.session_name.as_deref())),
                    Class::Plain,
                ),
                seg(here, Class::Label),
            ],
            h.principal_id.as_ref().map(|p| Focus {
                open: Some(View::Session(p.clone())),
                copy: Some(p.clone()),
            }),
        );
        if let Some(k) = cv.hops.get(n) {
            let mut segs = vec![seg(
                format!(" │ in scope: {} calls, ", k.ok + k.failed),
                Class::Dim,
            )];
            segs.push(if k.failed > 0 {
                seg(format!("✗ {} failed", k.failed), Class::Failed)
            } else {
                seg("0 failed", Class::Dim)
            });
            if !k.failures.is_empty() {
                let list: Vec<String> = k
                    .failures
                    .iter()
                    .take(3)
                    .map(|(api, err, n)| format!("{} {} ×{n}", safe(api), safe(err)))
                    .collect();
                segs.push(seg(format!("  ({})", list.join(", ")), Class::Failed));
            }
            doc.line(segs);
        }
    }
    let within = scope
        .map(|s| crate::present::scope_text(&s))
        .unwrap_or_default();
    doc.heading("Started from this session in scope", within);
    doc.table(
        started_cols(),
        started_rows(&cv.started),
        "None: no role assumed, no attempt.",
    );
}
