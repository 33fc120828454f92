//! What covers the pane: help (generated from the keymap) and the pick list of an ambiguous
//! jump.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::action::Action;
use super::super::app::App;
use super::super::doc::Class;
use super::super::theme::Theme;
use crate::analysis::Candidate;
use crate::present::{candidate_text, fit, fit_middle, pad};

/// Every action with its keys, in two columns when the screen is narrow.
pub fn help(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let w = usize::from(area.width);
    let h = usize::from(area.height).saturating_sub(2);
    let items: Vec<(String, &str)> = Action::ALL
        .iter()
        .map(|a| {
            let keys: Vec<String> = app
                .keymap
                .keys(*a)
                .iter()
                .map(ToString::to_string)
                .collect();
            (keys.join(" "), a.description())
        })
        .collect();
    let columns = items.len().div_ceil(h.max(1)).max(1);
    let col_w = w / columns;
    let per_col = items.len().div_ceil(columns);
    let mut lines = vec![Line::from(vec![
        Span::styled(" Keys", theme.style(Class::Strong)),
        Span::styled(
            "  (any key closes; your own in ~/.config/rolecall/keymap.toml)",
            theme.style(Class::Dim),
        ),
    ])];
    for r in 0..per_col {
        let mut spans = Vec::new();
        for c in 0..columns {
            if let Some((keys, desc)) = items.get(c * per_col + r) {
                let k = pad(&fit(keys, 11), 11);
                spans.push(Span::styled(format!(" {k} "), theme.style(Class::Strong)));
                spans.push(Span::raw(pad(desc, col_w.saturating_sub(14))));
            }
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Clear, area);
    f.render_widget(Paragraph::new(lines), area);
}

/// The candidates of an ambiguous jump.
pub fn pick(f: &mut Frame, area: Rect, candidates: &[Candidate], sel: usize, theme: Theme) {
    let n = candidates
        .len()
        .min(usize::from(area.height).saturating_sub(4))
        .max(1);
    let h = (n + 2) as u16;
    let rect = Rect {
        x: area.x + 2,
        y: area.y + 1,
        width: area.width.saturating_sub(4),
        height: h.min(area.height),
    };
    let inner_w = usize::from(rect.width).saturating_sub(4);
    let first = sel.saturating_sub(n - 1);
    let lines: Vec<Line> = candidates
        .iter()
        .enumerate()
        .skip(first)
        .take(n)
        .map(|(i, c)| {
            let text = fit_middle(&candidate_text(c), inner_w);
            if i == sel {
                Line::from(Span::styled(format!("▶ {text}"), theme.selected()))
            } else {
                Line::from(format!("  {text}"))
            }
        })
        .collect();
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" which one? ⏎ open · esc cancel "),
        ),
        rect,
    );
}
