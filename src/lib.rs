//! rolecall: an investigation console for AWS security incidents.
//!
//! Dependencies point one way (see ARCHITECTURE.md):
//! `cli` → `analysis` → `store` → `model`, and `ingest` → `store` → `model`; `present` (text
//! both `cli` and the console show) sits beside `analysis`, over `model`.

pub mod analysis;
pub mod cli;
pub mod demo;
pub mod geo;
pub mod ingest;
pub mod log;
pub mod model;
pub mod present;
pub mod store;
pub mod text;
pub mod tui;
