//! rolecall: an investigation console for AWS security incidents.
//!
//! Dependencies point one way (see ARCHITECTURE.md):
//! `cli` → `analysis` → `store` → `model`, and `ingest` → `store` → `model`.

pub mod analysis;
pub mod cli;
pub mod demo;
pub mod ingest;
pub mod model;
pub mod store;
pub mod text;
