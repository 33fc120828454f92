//! A pane as a small document: lines, headings, tables and a chart, each row that names an
//! entity carrying what Enter opens and what `y` copies. Panes build one from their data (pure,
//! width-free); `render` draws it and `App` reads the same rows for Enter, so what is drawn
//! focused is what opens. Every text here is already sanitised.

use super::view::View;
use crate::analysis::Volume;

/// How a piece of text is drawn. Colour is a hint only: every class that means something
/// (ok/failed, observed/inferred, new/known) also carries a mark in its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Plain,
    Dim,
    Strong,
    Label,
    Ok,
    Failed,
    Observed,
    Inferred,
    Warn,
}

/// A piece of text with its class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub text: String,
    pub class: Class,
}

/// A piece of text.
pub fn seg(text: impl Into<String>, class: Class) -> Seg {
    Seg {
        text: text.into(),
        class,
    }
}

/// What a focused row offers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Focus {
    /// What Enter opens.
    pub open: Option<View>,
    /// What `y` copies (raw identifier).
    pub copy: Option<String>,
}

impl Focus {
    /// A row that opens `view` and copies `copy`.
    pub fn to(view: View, copy: impl Into<String>) -> Option<Focus> {
        Some(Focus {
            open: Some(view),
            copy: Some(copy.into()),
        })
    }
}

/// A column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Col {
    pub head: &'static str,
    /// Columns it never shrinks below.
    pub min: u16,
    /// Takes the room left over.
    pub flex: bool,
    pub right: bool,
    /// Cut in the middle (IDs, ARNs) rather than at the end.
    pub middle: bool,
}

impl Col {
    /// A column sized to its content.
    pub const fn fixed(head: &'static str) -> Col {
        Col {
            head,
            min: 0,
            flex: false,
            right: false,
            middle: false,
        }
    }
    /// A number column, right-aligned.
    pub const fn num(head: &'static str) -> Col {
        Col {
            head,
            min: 0,
            flex: false,
            right: true,
            middle: false,
        }
    }
    /// A column that shares the room left, down to `min`.
    pub const fn flex(head: &'static str, min: u16) -> Col {
        Col {
            head,
            min,
            flex: true,
            right: false,
            middle: false,
        }
    }
    /// A flexible column of identifiers, cut in the middle.
    pub const fn id(head: &'static str, min: u16) -> Col {
        Col {
            head,
            min,
            flex: true,
            right: false,
            middle: true,
        }
    }
}

/// A row of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<Seg>,
    pub focus: Option<Focus>,
}

/// One part of a pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// A line; focusable when `focus` is set.
    Line {
        segs: Vec<Seg>,
        focus: Option<Focus>,
    },
    /// `─ Title ─────── note ─`.
    Heading {
        title: String,
        note: String,
    },
    Table {
        cols: Vec<Col>,
        rows: Vec<Row>,
        /// What an empty table says.
        empty: String,
    },
    Chart(Box<Volume>),
    /// A world map with places marked (New behavior).
    Map(Box<MapPart>),
    Blank,
}

/// A place on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    pub lat: f64,
    pub lon: f64,
    /// Not seen in the baseline (drawn `✚`; known places `●`, or `◉` when seen in scope too).
    pub new: bool,
    pub in_scope: bool,
}

/// A world map and the places marked on it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPart {
    pub points: Vec<MapPoint>,
}

/// A pane's document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Doc {
    pub parts: Vec<Part>,
}

impl Doc {
    /// A line of text, not focusable.
    pub fn line(&mut self, segs: Vec<Seg>) {
        self.parts.push(Part::Line { segs, focus: None });
    }
    /// A line that opens something.
    pub fn focus_line(&mut self, segs: Vec<Seg>, focus: Option<Focus>) {
        self.parts.push(Part::Line { segs, focus });
    }
    /// A plain line of text.
    pub fn text(&mut self, text: impl Into<String>, class: Class) {
        self.line(vec![seg(text, class)]);
    }
    /// A section heading.
    pub fn heading(&mut self, title: impl Into<String>, note: impl Into<String>) {
        self.parts.push(Part::Heading {
            title: title.into(),
            note: note.into(),
        });
    }
    /// A table.
    pub fn table(&mut self, cols: Vec<Col>, rows: Vec<Row>, empty: impl Into<String>) {
        self.parts.push(Part::Table {
            cols,
            rows,
            empty: empty.into(),
        });
    }

    /// The focusable rows, in drawing order.
    pub fn focusables(&self) -> Vec<&Focus> {
        let mut out = Vec::new();
        for p in &self.parts {
            match p {
                Part::Line { focus: Some(f), .. } => out.push(f),
                Part::Table { rows, .. } => {
                    out.extend(rows.iter().filter_map(|r| r.focus.as_ref()));
                }
                _ => {}
            }
        }
        out
    }
}
