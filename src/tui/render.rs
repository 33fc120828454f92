//! Drawing the console: one function per screen area (header, tabs, body, footer, overlays),
//! a pure function of `App`. Below 80×24 a notice says so instead of a broken layout.

mod body;
mod chart;
mod map;
mod overlay;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::action::Action;
use super::app::{App, Overlay};
use super::doc::Class;
use super::theme::Theme;
use super::view::View;
use crate::present::{fit, scope_text, width};

pub use body::lay_out;

/// The smallest terminal the console draws on.
pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App, theme: Theme) {
    let area = f.area();
    if area.width < MIN_W || area.height < MIN_H {
        too_small(f, area, theme);
        return;
    }
    let tabs = !app.top().view.tabs().is_empty();
    let [head, tab_row, main, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(tabs)),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header(f, head, app, theme);
    if tabs {
        tab_bar(f, tab_row, app, theme);
    }
    match &app.overlay {
        Some(Overlay::Help) => overlay::help(f, main, app, theme),
        _ => body(f, main, app, theme),
    }
    footer(f, foot, app, theme);
    if let Some(Overlay::Pick {
        candidates, sel, ..
    }) = &app.overlay
    {
        overlay::pick(f, main, candidates, *sel, theme);
    }
}

fn too_small(f: &mut Frame, area: Rect, theme: Theme) {
    let text = vec![
        Line::from(Span::styled(
            "rolecall needs 80×24",
            theme.style(Class::Strong),
        )),
        Line::from(format!("this terminal is {}×{}", area.width, area.height)),
        Line::from("enlarge it, or q to quit"),
    ];
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// `rolecall ▸ Finding ▸ sara ▸ DemoRole1` on the left, the scope on the right.
fn header(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let w = usize::from(area.width);
    let top = app.top();
    let mut right = match app.scope {
        Some(s) => format!("scope {}", scope_text(&s)),
        None => "scope -".to_string(),
    };
    if top.loading {
        right = format!("{} {right}", SPINNER[app.spin % SPINNER.len()]);
    }
    let right = fit(&right, w / 2 + 8);
    let room = w.saturating_sub(width(&right) + 3);
    // The newest crumb gets the most room; older ones are shortened; then the program's name
    // gives way, then the oldest crumbs.
    let pages: Vec<&crate::tui::app::Page> = app.stack().iter().skip(1).collect();
    let n = pages.len();
    let crumbs: Vec<String> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| p.crumb(if i + 1 == n { 28 } else { 16 }))
        .collect();
    let fits = |prefix: &str, first: usize| {
        let total = crumbs[first..].iter().map(|c| width(c) + 3).sum::<usize>()
            + width(prefix)
            + if first > 0 { 4 } else { 0 };
        total <= room
    };
    let mut prefix = "rolecall";
    let mut first = 0;
    if n > 0 && !fits(prefix, 0) {
        prefix = "";
    }
    while first < n && !fits(prefix, first) {
        first += 1;
    }
    let mut left = prefix.to_string();
    if first > 0 {
        left.push_str(" ▸ …");
    }
    for c in &crumbs[first..] {
        if !left.is_empty() {
            left.push_str(" ▸ ");
        }
        left.push_str(c);
    }
    if app.top().view == View::Home && app.stack().len() == 1 {
        left.push_str(" ▸ Home");
    }
    let left = fit(&left, room);
    let pad = w.saturating_sub(width(&left) + width(&right) + 2);
    let line = Line::from(vec![
        Span::raw(" "),
        Span::styled(left, theme.bar().patch(theme.style(Class::Strong))),
        Span::styled(" ".repeat(pad), theme.bar()),
        Span::styled(right, theme.bar()),
        Span::raw(" "),
    ])
    .style(theme.bar());
    f.render_widget(Paragraph::new(line).style(theme.bar()), area);
}

fn tab_bar(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let top = app.top();
    let mut spans = vec![Span::raw(" ")];
    for (i, name) in top.view.tabs().iter().enumerate() {
        let label = format!("{} {name}", i + 1);
        if i == top.tab {
            spans.push(Span::styled(
                format!("[{label}]"),
                theme.style(Class::Strong).patch(theme.selected()),
            ));
        } else {
            spans.push(Span::styled(format!(" {label} "), theme.style(Class::Dim)));
        }
        spans.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn body(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let top = app.top();
    let doc = app.doc();
    let w = usize::from(area.width);
    let h = usize::from(area.height);
    if doc.parts.is_empty() {
        let msg = if top.loading {
            "loading…"
        } else {
            "nothing to show"
        };
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(
                format!(" {msg}"),
                theme.style(Class::Dim),
            ))),
            area,
        );
        return;
    }
    let laid = lay_out(&doc, w, top.sel, theme);
    let sel_line = laid
        .iter()
        .position(|l| l.focus == Some(top.sel))
        .unwrap_or(0);
    // Keep the focused row in view with a line of what follows it.
    let offset = if sel_line + 2 > h {
        (sel_line + 2 - h).min(laid.len().saturating_sub(h))
    } else {
        0
    };
    let mut lines: Vec<Line> = laid
        .into_iter()
        .skip(offset)
        .take(h)
        .map(|l| l.line)
        .collect();
    if offset > 0 {
        if let Some(first) = lines.first_mut() {
            *first = Line::from(Span::styled(
                format!(" ↑ {offset} more above"),
                theme.style(Class::Dim),
            ));
        }
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The keys that work here, from the keymap; or the prompt; or the status line.
fn footer(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let w = usize::from(area.width);
    if let Some(Overlay::Prompt { kind, text }) = &app.overlay {
        let label = format!(" {}: ", kind.label());
        let room = w.saturating_sub(width(&label) + 2);
        // Typed text may be long: show its end, where the cursor is.
        let shown: String = {
            let chars: Vec<char> = text.chars().collect();
            let skip = chars.len().saturating_sub(room);
            chars[skip..].iter().collect()
        };
        let line = Line::from(vec![
            Span::styled(label, theme.style(Class::Label)),
            Span::styled(crate::present::safe(&shown), theme.style(Class::Strong)),
            Span::styled("█", theme.style(Class::Plain)),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    if let Some(status) = &app.status {
        let job = job_text(app);
        let line = Line::from(vec![
            Span::styled(
                format!(" {}", fit(status, w.saturating_sub(2 + width(&job)))),
                theme.style(Class::Warn),
            ),
            Span::styled(job, theme.style(Class::Dim)),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let hints = hints(app);
    let job = job_text(app);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1 + width(&job);
    let help = format!("{} help", app.keymap.key_text(Action::Help));
    for (keys, word) in hints {
        let item = format!("{keys} {word}  ");
        if used + width(&item) + width(&help) + 1 > w {
            break;
        }
        used += width(&item);
        spans.push(Span::styled(keys, theme.style(Class::Strong)));
        spans.push(Span::styled(format!(" {word}  "), theme.style(Class::Dim)));
    }
    spans.push(Span::styled(help, theme.style(Class::Dim)));
    spans.push(Span::styled(job, theme.style(Class::Dim)));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn job_text(app: &App) -> String {
    match app.job {
        Some(super::app::Job::Refresh) => format!(
            "  {} refreshing derived tables",
            SPINNER[app.spin % SPINNER.len()]
        ),
        Some(super::app::Job::Sync(ref line)) => {
            format!("  {} sync: {line}", SPINNER[app.spin % SPINNER.len()])
        }
        None => String::new(),
    }
}

/// The footer's key hints for the page on top, most useful first.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let view = &app.top().view;
    let mut list: Vec<Vec<Action>> = vec![vec![Action::Open], vec![Action::Back]];
    if !view.tabs().is_empty() {
        list.push(vec![Action::NextTab]);
    }
    match view {
        View::Session(_) | View::Role(_) | View::Profile(_) | View::Finding(_) => {
            list.push(vec![Action::Events])
        }
        View::Events { .. } => {
            list.push(vec![Action::Find]);
            list.push(vec![Action::FailedOnly]);
        }
        View::Event(_) => {
            list.push(vec![Action::Find]);
            list.push(vec![Action::NextMatch]);
        }
        View::Home => {}
    }
    list.push(vec![Action::Jump]);
    if view.uses_scope() {
        list.push(vec![Action::ScopeEarlier, Action::ScopeLater]);
        list.push(vec![Action::ScopeWider, Action::ScopeNarrower]);
        list.push(vec![Action::ScopeReset]);
    }
    list.push(vec![Action::Copy]);
    list.push(vec![Action::Export]);
    list.push(vec![Action::Quit]);
    list.into_iter()
        .filter_map(|group| {
            let keys: Vec<String> = group
                .iter()
                .map(|a| app.keymap.key_text(*a))
                .filter(|k| !k.is_empty())
                .collect();
            (!keys.is_empty()).then(|| (keys.join(" "), group[0].hint()))
        })
        .collect()
}
