//! Domain types shared by every layer: events, identities, STS issuances, role sessions, chains,
//! findings, flow records, scopes and the ID newtypes. Owns no I/O and knows nothing about
//! SQLite, serde mirrors of raw logs, or the terminal.

mod chain;
mod event;
mod finding;
mod flow;
mod ids;
mod kinds;
mod scope;
mod session;
mod target;
mod time;

pub use chain::{Chain, Evidence, Hop, Origin, OriginKind, rfc3339};
pub use event::{Event, Identity, StsCall};
pub use finding::Finding;
pub use flow::FlowRecord;
pub use ids::{
    AccessKeyId, AccountId, Arn, EventId, FindingId, InstanceId, PrincipalId, RoleArn, arn_account,
};
pub use kinds::{AssumerKind, UserType};
pub use scope::{
    DAY_MS, HOUR_MS, MAX_SCOPE_MS, Scope, ScopeError, ScopeSpec, ceil_hour, floor_hour,
    parse_duration_ms, parse_scope_spec,
};
pub use session::{Assumer, Issuance, RoleSession};
pub use target::{EntityKind, Federation, IssuanceRef, Target};
pub use time::{format_ms, parse_ms};
