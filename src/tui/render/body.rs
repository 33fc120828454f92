//! Laying a pane's document out in lines of a given width: tables fitted column by column
//! (identifiers cut in the middle), headings drawn as rules, the chart, and the focused row
//! marked with `▶` and reverse video (visible without colour).

use ratatui::text::{Line, Span};

use super::super::doc::{Class, Col, Doc, Part, Seg};
use super::super::theme::Theme;
use super::{chart, map};
use crate::present::{fit, fit_middle, width};

/// A laid-out line and the focusable row it draws, if any.
pub struct Laid {
    pub line: Line<'static>,
    pub focus: Option<usize>,
}

/// The document in lines of `w` columns, the row `sel` marked.
pub fn lay_out(doc: &Doc, w: usize, sel: usize, theme: Theme) -> Vec<Laid> {
    let mut out = Vec::new();
    let mut n = 0usize;
    let inner = w.saturating_sub(1);
    for part in &doc.parts {
        match part {
            Part::Line { segs, focus } => {
                let idx = focus.as_ref().map(|_| {
                    n += 1;
                    n - 1
                });
                out.push(row_line(segs_line(segs, inner, theme), idx, sel, theme));
            }
            Part::Heading { title, note } => out.push(Laid {
                line: heading(title, note, w, theme),
                focus: None,
            }),
            Part::Table { cols, rows, empty } => {
                if rows.is_empty() {
                    out.push(Laid {
                        line: Line::from(Span::styled(
                            format!(" {}", fit(empty, inner)),
                            theme.style(Class::Dim),
                        )),
                        focus: None,
                    });
                    continue;
                }
                let cells: Vec<&[Seg]> = rows.iter().map(|r| r.cells.as_slice()).collect();
                let widths = fit_columns(cols, &cells, inner);
                let head: Vec<Seg> = cols
                    .iter()
                    .map(|c| Seg {
                        text: c.head.to_string(),
                        class: Class::Label,
                    })
                    .collect();
                out.push(Laid {
                    line: prefixed(table_line(cols, &widths, &head, theme), false, theme),
                    focus: None,
                });
                for r in rows {
                    let idx = r.focus.as_ref().map(|_| {
                        n += 1;
                        n - 1
                    });
                    out.push(row_line(
                        table_line(cols, &widths, &r.cells, theme),
                        idx,
                        sel,
                        theme,
                    ));
                }
            }
            Part::Chart(v) => {
                for line in chart::lines(v, w, theme) {
                    out.push(Laid { line, focus: None });
                }
            }
            Part::Map(m) => {
                for line in map::lines(m, w, theme) {
                    out.push(Laid { line, focus: None });
                }
            }
            Part::Blank => out.push(Laid {
                line: Line::default(),
                focus: None,
            }),
        }
    }
    out
}

fn row_line(spans: Vec<Span<'static>>, idx: Option<usize>, sel: usize, theme: Theme) -> Laid {
    let focused = idx == Some(sel);
    let mut line = prefixed(spans, focused, theme);
    if focused {
        line = line.patch_style(theme.selected());
    }
    Laid { line, focus: idx }
}

fn prefixed(spans: Vec<Span<'static>>, focused: bool, theme: Theme) -> Line<'static> {
    let mut v = vec![Span::styled(
        if focused { "▶" } else { " " },
        theme.style(Class::Strong),
    )];
    v.extend(spans);
    Line::from(v)
}

fn segs_line(segs: &[Seg], w: usize, theme: Theme) -> Vec<Span<'static>> {
    let mut left = w;
    let mut out = Vec::new();
    for s in segs {
        if left == 0 {
            break;
        }
        let t = fit(&s.text, left);
        left -= width(&t);
        out.push(Span::styled(t, theme.style(s.class)));
    }
    out
}

/// `─ Title ──────── note ─`.
pub fn heading(title: &str, note: &str, w: usize, theme: Theme) -> Line<'static> {
    let title = fit(title, w.saturating_sub(4));
    let used = width(&title) + 3;
    let note = if note.is_empty() {
        String::new()
    } else {
        fit(note, w.saturating_sub(used + 4))
    };
    let note_w = if note.is_empty() { 0 } else { width(&note) + 2 };
    let rule = w.saturating_sub(used + note_w + 1);
    let mut spans = vec![
        Span::styled("─ ", theme.style(Class::Dim)),
        Span::styled(title, theme.style(Class::Strong)),
        Span::styled(format!(" {}", "─".repeat(rule)), theme.style(Class::Dim)),
    ];
    if !note.is_empty() {
        spans.push(Span::styled(format!(" {note} "), theme.style(Class::Dim)));
    }
    Line::from(spans)
}

/// Column widths for `avail` columns (two spaces between columns): natural widths when they
/// fit; else flexible columns give way first, widest first, down to their minimum.
pub fn fit_columns(cols: &[Col], rows: &[&[Seg]], avail: usize) -> Vec<usize> {
    let mut w: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|s| width(&s.text))
                .chain([width(c.head)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let gaps = 2 * cols.len().saturating_sub(1);
    let total = |w: &[usize]| w.iter().sum::<usize>() + gaps;
    while total(&w) > avail {
        let flex = (0..cols.len())
            .filter(|&i| cols[i].flex && w[i] > usize::from(cols[i].min).max(1))
            .max_by_key(|&i| w[i]);
        let any = (0..cols.len()).filter(|&i| w[i] > 1).max_by_key(|&i| w[i]);
        match flex.or(any) {
            Some(i) => w[i] -= 1,
            None => break,
        }
    }
    w
}

fn table_line(cols: &[Col], widths: &[usize], cells: &[Seg], theme: Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
        let s = cells.get(i);
        let text = s.map(|s| s.text.as_str()).unwrap_or("");
        let cut = if c.middle {
            fit_middle(text, *w)
        } else {
            fit(text, *w)
        };
        let pad = w.saturating_sub(width(&cut));
        let cell = if c.right {
            format!("{}{cut}", " ".repeat(pad))
        } else {
            format!("{cut}{}", " ".repeat(pad))
        };
        let class = s.map_or(Class::Plain, |s| s.class);
        out.push(Span::styled(cell, theme.style(class)));
        if i + 1 < cols.len() {
            out.push(Span::raw("  "));
        }
    }
    out
}
