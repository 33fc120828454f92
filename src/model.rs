//! Domain types shared by every layer: events, identities, STS issuances, findings, flow records,
//! scopes and the ID newtypes. Owns no I/O and knows nothing about SQLite, serde mirrors of raw
//! logs, or the terminal.

mod event;
mod finding;
mod flow;
mod time;

pub use event::{Event, Identity, StsCall};
pub use finding::Finding;
pub use flow::FlowRecord;
pub use time::{format_ms, parse_ms};
