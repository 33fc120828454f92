//! The overall API call volume chart, drawn with block characters so it reads without colour:
//! `█▇▆…` successful calls, `▒` failed calls (at least one cell when there are any), `┄` the
//! baseline per bucket, and under the axis `━` marks the scope's buckets.

use ratatui::text::{Line, Span};

use super::super::doc::Class;
use super::super::theme::Theme;
use super::body::heading;
use crate::analysis::Volume;
use crate::model::{DAY_MS, HOUR_MS};
use crate::present::{date, hour_minute};

/// Rows of bars.
const ROWS: usize = 4;
const EIGHTHS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The chart in lines of `w` columns: a heading, the bars, the axis, the labels.
pub fn lines(v: &Volume, w: usize, theme: Theme) -> Vec<Line<'static>> {
    let n = v.series.len().max(1);
    let per = ((w.saturating_sub(2)) / n).max(1);
    let unit = bucket_text(v.bucket_ms);
    let base = match (v.baseline_per_bucket, &v.baseline_note) {
        (Some(b), _) => format!("┄ baseline {b:.2}/{unit}"),
        (None, Some(note)) => format!("baseline: {note}"),
        (None, None) => String::new(),
    };
    let mut out = vec![heading(
        &format!("API calls per {unit}"),
        &format!("█ ok  ▒ failed  {base}"),
        w,
        theme,
    )];
    let max = v
        .series
        .iter()
        .map(|p| p.ok + p.failed)
        .max()
        .unwrap_or(0)
        .max(v.baseline_per_bucket.map_or(0, |b| b.ceil() as i64))
        .max(1) as f64;
    let levels = (ROWS * 8) as f64;
    let base_row = v
        .baseline_per_bucket
        .filter(|b| *b > 0.0)
        .map(|b| (((b / max) * levels).ceil() as usize).saturating_sub(1) / 8);
    let in_scope = |start: i64| start >= v.scope.start_ms && start < v.scope.end_ms;
    for row in (0..ROWS).rev() {
        let mut spans = vec![Span::raw(" ")];
        for p in &v.series {
            let total = p.ok + p.failed;
            let h = if total > 0 {
                (((total as f64) / max * levels).ceil() as usize).max(1)
            } else {
                0
            };
            let hf_cells = if p.failed > 0 {
                (((p.failed as f64) / max * levels).ceil() as usize)
                    .div_ceil(8)
                    .max(1)
            } else {
                0
            };
            let (ch, class) = if row < hf_cells {
                ('▒', Class::Failed)
            } else {
                let rest = h.saturating_sub(hf_cells * 8);
                let here = rest.saturating_sub((row - hf_cells) * 8).min(8);
                if here > 0 {
                    (EIGHTHS[here], Class::Ok)
                } else if base_row == Some(row) {
                    ('┄', Class::Dim)
                } else {
                    (' ', Class::Plain)
                }
            };
            let mut style = theme.style(class);
            if in_scope(p.start) && ch != ' ' && ch != '┄' {
                style = style.patch(theme.scope());
            }
            spans.push(Span::styled(ch.to_string().repeat(per), style));
        }
        out.push(Line::from(spans));
    }
    // The axis: the scope's buckets marked.
    let mut axis = vec![Span::raw(" ")];
    for p in &v.series {
        let (s, style) = if in_scope(p.start) {
            ("━", theme.scope())
        } else {
            ("─", theme.style(Class::Dim))
        };
        axis.push(Span::styled(s.repeat(per), style));
    }
    out.push(Line::from(axis));
    out.push(labels(v, per, n, theme));
    out
}

fn bucket_text(ms: i64) -> String {
    if ms % DAY_MS == 0 {
        format!("{}d", ms / DAY_MS).replace("1d", "day")
    } else if ms % HOUR_MS == 0 {
        format!("{}h", ms / HOUR_MS).replace("1h", "hour")
    } else {
        format!("{}m", ms / 60_000)
    }
}

/// Labels under the axis at round times — midnights as dates (`11-17`), other steps as hours
/// (`12:00`) — as many as fit with room between them, and `▲ scope` under the scope's first
/// bucket.
fn labels(v: &Volume, per: usize, n: usize, theme: Theme) -> Line<'static> {
    // The smallest round step that leaves at least 7 columns between labels.
    let steps = [
        HOUR_MS,
        3 * HOUR_MS,
        6 * HOUR_MS,
        12 * HOUR_MS,
        DAY_MS,
        2 * DAY_MS,
        7 * DAY_MS,
        14 * DAY_MS,
        30 * DAY_MS,
        91 * DAY_MS,
    ];
    let bucket = v.bucket_ms.max(1);
    let step = steps
        .iter()
        .copied()
        .filter(|s| s % bucket == 0 || *s > bucket)
        .find(|s| (s / bucket).max(1) as usize * per >= 7)
        .unwrap_or(91 * DAY_MS);
    let scope_at = v
        .series
        .iter()
        .position(|p| v.scope.contains(p.start))
        .map(|i| i * per);
    let mark = "▲ scope";
    let mut spans = vec![Span::raw(" ")];
    let mut col = 0usize;
    let mut marked = false;
    let place =
        |spans: &mut Vec<Span<'static>>, col: &mut usize, at: usize, text: String, style| {
            if at >= *col {
                spans.push(Span::raw(" ".repeat(at - *col)));
                *col = at + text.chars().count() + 1;
                spans.push(Span::styled(text, style));
                spans.push(Span::raw(" "));
                true
            } else {
                false
            }
        };
    for (i, p) in v.series.iter().enumerate().take(n) {
        let at = i * per;
        if let (Some(s), false) = (scope_at, marked) {
            if s == at {
                marked = place(&mut spans, &mut col, s, mark.to_string(), theme.scope());
                continue;
            }
        }
        if p.start.rem_euclid(step) != 0 {
            continue;
        }
        let text = if p.start.rem_euclid(DAY_MS) == 0 {
            date(p.start).get(5..).unwrap_or_default().to_string()
        } else {
            hour_minute(p.start)
        };
        // Keep room for the scope mark ahead.
        if let (Some(s), false) = (scope_at, marked) {
            if at < s && at + text.chars().count() + 1 > s {
                continue;
            }
        }
        place(&mut spans, &mut col, at, text, theme.style(Class::Dim));
    }
    Line::from(spans)
}
