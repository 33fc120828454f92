//! The New behavior map: ratatui's world map (`MapResolution::Low`, braille) drawn into a
//! buffer of the pane's width and copied out as lines, so it scrolls with the tables under it.
//! Places are marked with their own symbols — `●` known, `◉` known and seen in scope, `✚` new —
//! so the map reads without colour; a new place drawn over a known one stays visible.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Map, MapResolution};

use super::super::doc::{Class, MapPart};
use super::super::theme::Theme;

/// Latitudes drawn: the inhabited world (Antarctica and the high Arctic only cost rows).
const SOUTH: f64 = -58.0;
const NORTH: f64 = 78.0;

/// The widest map drawn: the low-resolution outline is a set of points, and wider than this
/// they scatter instead of drawing coasts.
const MAX_COLUMNS: usize = 100;

/// Columns and rows of map for a pane `w` columns wide: 79×8 at 80 columns (the tables start
/// on the first screen), 100×10 at most.
pub fn size(w: usize) -> (usize, usize) {
    let cols = w.saturating_sub(1).min(MAX_COLUMNS);
    (cols, (cols / 10).max(8))
}

/// The map in lines of `w` columns.
pub fn lines(m: &MapPart, w: usize, theme: Theme) -> Vec<Line<'static>> {
    let (inner, h) = size(w);
    let (Ok(cols), Ok(rows)) = (u16::try_from(inner), u16::try_from(h)) else {
        return Vec::new();
    };
    let area = Rect::new(0, 0, cols, rows);
    let mut buf = Buffer::empty(area);
    // Each mark is a class; the colour the canvas gives it is ignored when copying out (the
    // theme decides, and draws none under NO_COLOR).
    const KNOWN: Color = Color::Indexed(1);
    const SEEN: Color = Color::Indexed(2);
    const NEW: Color = Color::Indexed(3);
    Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([-180.0, 180.0])
        .y_bounds([SOUTH, NORTH])
        .paint(|ctx| {
            ctx.draw(&Map {
                resolution: MapResolution::Low,
                color: Color::Reset,
            });
            ctx.layer();
            // Known places first: a new place in the same cell is drawn over them.
            let mut points: Vec<_> = m.points.iter().collect();
            points.sort_by_key(|p| (p.new, p.in_scope));
            for p in points {
                let (mark, color) = match (p.new, p.in_scope) {
                    (true, _) => ("✚", NEW),
                    (false, true) => ("◉", SEEN),
                    (false, false) => ("●", KNOWN),
                };
                let lat = p.lat.clamp(SOUTH, NORTH);
                ctx.print(p.lon, lat, Span::styled(mark, Style::default().fg(color)));
            }
        })
        .render(area, &mut buf);
    let mut out = Vec::with_capacity(h);
    for y in 0..rows {
        let mut spans = vec![Span::raw(" ")];
        let mut run = String::new();
        let mut run_class = Class::Dim;
        for x in 0..cols {
            let Some(cell) = buf.cell((x, y)) else {
                continue;
            };
            let class = match cell.fg {
                NEW => Class::Failed,
                SEEN => Class::Ok,
                KNOWN => Class::Label,
                _ => Class::Dim,
            };
            if class != run_class && !run.is_empty() {
                spans.push(Span::styled(
                    std::mem::take(&mut run),
                    theme.style(run_class),
                ));
            }
            run_class = class;
            run.push_str(cell.symbol());
        }
        if !run.is_empty() {
            spans.push(Span::styled(run, theme.style(run_class)));
        }
        out.push(Line::from(spans));
    }
    out
}
