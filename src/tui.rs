//! The console: a terminal UI over the analyses. `App` (pure state and `update`) is the
//! functional core; `shell` is the imperative edge (terminal, input, signals, clipboard, export
//! files); `worker` owns the read-only SQLite connection. Panes are documents built from
//! `crate::analysis` answers and drawn by `render`. Never SQL here, never a blocking query on
//! the UI thread, never a log string on screen without `present` / `text::sanitize`.

pub mod action;
pub mod app;
pub mod data;
pub mod doc;
pub mod export;
pub mod keymap;
pub mod msg;
pub mod panes;
pub mod render;
mod shell;
pub mod sync_job;
pub mod theme;
pub mod view;
pub mod worker;

pub use action::Action;
pub use app::App;
pub use keymap::Keymap;
pub use msg::{Msg, Request};
pub use shell::{Options, clipboard_sequence, run};
pub use theme::Theme;
pub use view::View;
