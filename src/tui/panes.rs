//! Each pane as a document (`doc::Doc`): what it says about its data, row by row, and what
//! each row opens. One function per pane; all text goes through `present` (sanitised) here.

mod behavior;
mod common;
mod entity;
mod events;
mod finding;
mod home;
mod session;

use super::app::Page;
use super::data::PageData;
use super::doc::{Class, Doc};
use crate::model::Scope;

pub use common::when;

/// The document of a page (its current tab).
pub fn document(page: &Page, scope: Option<Scope>) -> Doc {
    let mut doc = Doc::default();
    let Some(data) = &page.data else {
        if page.missing {
            doc.text(
                "Not in the cache: nothing by that identifier was ingested.",
                Class::Warn,
            );
            doc.text("Esc goes back; / jumps to something else.", Class::Dim);
        } else if let Some(e) = &page.error {
            doc.text(format!("Could not load this pane: {e}"), Class::Failed);
            doc.text("ctrl-r tries again.", Class::Dim);
        }
        return doc;
    };
    match data {
        PageData::Home(h) => home::doc(&mut doc, h),
        PageData::Finding(f) => finding::doc(&mut doc, f),
        PageData::Session(s) => session::doc(&mut doc, s, page.tab, scope),
        PageData::Role(r) => entity::role(&mut doc, r, page.tab, scope),
        PageData::Profile(p) => entity::profile(&mut doc, p),
        PageData::Events(e) => events::list(&mut doc, page, e),
        PageData::Event(r) => events::record(&mut doc, r, page.search.as_deref()),
    }
    doc
}
