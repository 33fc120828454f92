//! Attribution (issuances, role sessions, chains), scope and baseline, activity series. Pure
//! functions over store queries; never touches the terminal or the clock (callers pass "now").
//!
//! `refresh` derives the attribution tables after an ingest; the `build_*` functions answer the
//! CLI and the TUI alike, so what the tests check through the CLI is what the responder sees.
//! `build_behavior` (new behavior against the baseline) also takes the caller's `geo::Geo`.

mod activity;
mod assumer;
mod behavior;
mod breakdown;
mod chain;
mod chain_view;
mod events;
mod findings;
mod home;
pub mod link;
mod profile;
mod refresh;
mod resolve;
mod role;
mod scope;
mod sessions;
mod started;
mod volume;

pub use activity::{
    Activity, ActivityEntity, Baseline, BreakdownLine, SeriesPoint, build_activity,
    default_bucket_ms,
};
pub use assumer::{issuance_ref, issuance_ref_of_key, target_of_origin};
pub use behavior::{
    BaselineWindow, Behavior, BehaviorEntity, DEFAULT_BASELINE_DAYS, GeoStatus, History, InScope,
    IncreasedVolume, KnownGeolocation, MIN_HISTORY_DAYS, MIN_SPIKE_CALLS, NewApiCall, NewAso,
    NewGeolocation, NewRegion, NewSourceIp, NewUserAgent, SPIKE_FACTOR, build_behavior, org_ranges,
    tool_of,
};
pub use chain::{
    build_chain, chain_of_actor, chain_of_call, chain_of_issuance, chain_of_issuance_ref,
    chain_of_session, chain_of_session_before, chain_of_target, issuing_event_id,
};
pub use chain_view::{ChainView, HopCounts, build_chain_view};
pub use events::{EventCursor, EventFilter, EventPage, EventRow, build_events, load_event_record};
pub use findings::{FindingView, build_finding, build_findings, build_findings_of};
pub use home::{Coverage, Home, build_home};
pub use profile::{CallerLine, Profile, ProfileSession, build_profile};
pub use refresh::{RefreshReport, refresh};
pub use resolve::{Candidate, Resolution, resolve, target_of_principal};
pub use role::{AssumedRoleLine, AssumerLine, RoleInteraction, SessionLine, build_role};
pub use scope::resolve_scope;
pub use sessions::{
    LatestIssuance, SessionIssuance, assumer_of_session, build_session_issuances, build_sessions,
    latest_issuance, latest_issuance_before, load_session, observed_assumer,
};
pub use started::{StartedLine, build_started_from};
pub use volume::{Volume, build_volume};

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
    /// The input names several entities: the caller lists them.
    #[error("{input:?} names {} entities: be more specific", candidates.len())]
    Ambiguous {
        input: String,
        candidates: Vec<Candidate>,
    },
}

/// Result of the analysis layer.
pub type Result<T> = std::result::Result<T, AnalysisError>;
