//! Styles of the document classes, with colour or without (`NO_COLOR`). Without colour the
//! marks in the text (✓ ✗ ~ ▶) carry the meaning and only bold, underline and reverse are used.

use ratatui::style::{Color, Modifier, Style};

use super::doc::Class;

/// Whether colour is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    /// The style of a class.
    pub fn style(self, c: Class) -> Style {
        let s = Style::default();
        if !self.color {
            return match c {
                Class::Strong => s.add_modifier(Modifier::BOLD),
                Class::Failed => s.add_modifier(Modifier::BOLD),
                Class::Label => s.add_modifier(Modifier::UNDERLINED),
                _ => s,
            };
        }
        match c {
            Class::Plain => s,
            Class::Dim => s.fg(Color::DarkGray),
            Class::Strong => s.add_modifier(Modifier::BOLD),
            Class::Label => s.fg(Color::Cyan),
            Class::Ok => s.fg(Color::Green),
            Class::Failed => s.fg(Color::Red).add_modifier(Modifier::BOLD),
            Class::Observed => s.fg(Color::Green),
            Class::Inferred => s.fg(Color::Yellow),
            Class::Warn => s.fg(Color::Yellow),
        }
    }

    /// The focused row.
    pub fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    /// Header and footer bars.
    pub fn bar(self) -> Style {
        if self.color {
            Style::default().fg(Color::Black).bg(Color::Gray)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }

    /// The scope's columns in the chart.
    pub fn scope(self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }
}
