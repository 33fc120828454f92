//! Attribution (issuances, role sessions, chains), scope and baseline, activity series. Pure
//! functions over store queries; never touches the terminal or the clock (callers pass "now").
//!
//! `refresh` derives the attribution tables after an ingest; the `build_*` functions answer the
//! CLI and the TUI alike, so what the tests check through the CLI is what the responder sees.

mod activity;
mod chain;
mod findings;
pub mod link;
mod refresh;
mod role;
mod scope;
mod sessions;

pub use activity::{
    Activity, ActivityEntity, Baseline, BreakdownLine, SeriesPoint, build_activity,
};
pub use chain::{build_chain, chain_of_actor, chain_of_call, chain_of_issuance, issuing_event_id};
pub use findings::{FindingView, build_finding, build_findings};
pub use refresh::{RefreshReport, refresh};
pub use role::{AssumedRoleLine, AssumerLine, RoleInteraction, SessionLine, build_role};
pub use scope::resolve_scope;
pub use sessions::{assumer_of_issuance, assumer_of_session, build_sessions, load_session};

/// Errors of the analysis layer.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Scope(#[from] crate::model::ScopeError),
    #[error("{0}")]
    NotFound(String),
}

/// Result of the analysis layer.
pub type Result<T> = std::result::Result<T, AnalysisError>;
