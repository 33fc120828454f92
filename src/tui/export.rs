//! `x`: the pane as Markdown — every tab of it, every row (not only what fits on screen), each
//! row citing the identifier it names (event IDs for calls), with the path and the scope on
//! top. Pure: the shell writes the file.

use super::app::{App, Page};
use super::doc::{Doc, Part};
use super::panes;
use crate::present::scope_text;

/// The Markdown of the page on top, or `None` before it has loaded.
pub fn markdown(app: &App) -> Option<String> {
    let top = app.top();
    top.data.as_ref()?;
    let mut out = String::new();
    out.push_str("# rolecall: ");
    out.push_str(&app.path_text().replace('\n', "\n\n"));
    out.push_str("\n\n");
    if let Some(s) = app.scope {
        out.push_str(&format!("Scope: {} (times in UTC)\n\n", scope_text(&s)));
    }
    let tabs = top.view.tabs();
    if tabs.is_empty() {
        write_doc(&mut out, &panes::document(top, app.scope));
    } else {
        for (i, name) in tabs.iter().enumerate() {
            let page = Page {
                tab: i,
                ..top.clone()
            };
            out.push_str(&format!("## {name}\n\n"));
            write_doc(&mut out, &panes::document(&page, app.scope));
        }
    }
    Some(out)
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

fn write_doc(out: &mut String, doc: &Doc) {
    for part in &doc.parts {
        match part {
            Part::Line { segs, focus } => {
                let text: String = segs.iter().map(|s| s.text.as_str()).collect();
                let id = focus
                    .as_ref()
                    .and_then(|f| f.copy.as_deref())
                    .map(|c| format!(" (`{}`)", cell(c)))
                    .unwrap_or_default();
                if !text.trim().is_empty() {
                    out.push_str(&format!("{}{id}  \n", cell(text.trim_end())));
                }
            }
            Part::Heading { title, note } => {
                out.push_str(&format!("\n### {title}"));
                if !note.is_empty() {
                    out.push_str(&format!(" ({note})"));
                }
                out.push_str("\n\n");
            }
            Part::Table { cols, rows, empty } => {
                if rows.is_empty() {
                    out.push_str(&format!("{empty}\n\n"));
                    continue;
                }
                let ids = rows
                    .iter()
                    .any(|r| r.focus.as_ref().is_some_and(|f| f.copy.is_some()));
                let mut head: Vec<&str> = cols.iter().map(|c| c.head).collect();
                if ids {
                    head.push("ID");
                }
                out.push_str(&format!("| {} |\n", head.join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for r in rows {
                    let mut cells: Vec<String> = r.cells.iter().map(|c| cell(&c.text)).collect();
                    if ids {
                        cells.push(
                            r.focus
                                .as_ref()
                                .and_then(|f| f.copy.as_deref())
                                .map(|c| format!("`{}`", cell(c)))
                                .unwrap_or_default(),
                        );
                    }
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
            Part::Chart(v) => {
                out.push_str("\n### API calls per bucket (non-empty buckets)\n\n");
                out.push_str(
                    "| bucket start (UTC) | ok | failed | in scope |\n|---|---|---|---|\n",
                );
                for p in v.series.iter().filter(|p| p.ok + p.failed > 0) {
                    out.push_str(&format!(
                        "| {} | {} | {} | {} |\n",
                        crate::present::date_time(p.start),
                        p.ok,
                        p.failed,
                        if v.scope.contains(p.start) { "yes" } else { "" }
                    ));
                }
                match (v.baseline_per_bucket, &v.baseline_note) {
                    (Some(b), _) => {
                        out.push_str(&format!("\nBaseline: {b:.2} calls per bucket.\n\n"))
                    }
                    (None, Some(n)) => out.push_str(&format!("\nBaseline: {}.\n\n", cell(n))),
                    _ => out.push('\n'),
                }
            }
            Part::Map(m) => {
                // The map as a list: the places are named in the tables around it.
                out.push_str("| latitude | longitude | mark |\n|---|---|---|\n");
                for p in &m.points {
                    let mark = match (p.new, p.in_scope) {
                        (true, _) => "new",
                        (false, true) => "known, in scope",
                        (false, false) => "known",
                    };
                    out.push_str(&format!("| {:.2} | {:.2} | {mark} |\n", p.lat, p.lon));
                }
                out.push('\n');
            }
            Part::Blank => out.push('\n'),
        }
    }
}
