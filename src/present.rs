//! Text both the command line and the console show: assumer and actor phrases, times, evidence
//! and result marks, width-aware cells, ARNs shortened in the middle so the account and the role
//! name stay. Every function here takes raw log strings and sanitises them itself, so a caller
//! cannot forget; nothing here does I/O.

mod arn;
mod cells;
mod time;
mod words;

pub use arn::{role_label, short_arn};
pub use cells::{fit, fit_middle, pad, width, wrap};
pub use time::{date, date_time, hour_minute, scope_text, time_of_day};
pub use words::{
    assumer_brief, assumer_text, candidate_text, evidence_mark, finding_actor_text, located_text,
    opt, origin_text, result_mark, safe, target_text,
};
