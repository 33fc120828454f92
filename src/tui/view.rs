//! `View`: what one page of the navigation stack shows — the pane and the entity it is about —
//! and the tabs each pane has. Pure data; no loading, no drawing.

use crate::analysis::EventFilter;
use crate::model::Target;
use crate::present::{fit_middle, safe};

/// What a page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Home,
    Finding(String),
    /// A role session, by principal ID (`AROA…:name`).
    Session(String),
    /// A role, by ARN.
    Role(String),
    /// The pivots: IAM user, federated user, SAML / web-identity user, EC2 instance, account,
    /// IP address.
    Profile(Target),
    /// The calls behind a count.
    Events {
        of: Target,
        filter: EventFilter,
    },
    /// One event's original record.
    Event(String),
}

/// The tabs of a role session.
pub const SESSION_TABS: [&str; 4] = ["Overview", "New behavior", "Resource interaction", "Chain"];
/// The tabs of a role.
pub const ROLE_TABS: [&str; 3] = ["Overview", "New behavior", "Resource interaction"];

impl View {
    /// The pane that opens a target. An issuance opens its role session (the calls of that
    /// one key are a filter there); an issuance without a session lists its calls.
    pub fn of(target: &Target) -> View {
        match target {
            Target::Finding { id } => View::Finding(id.to_string()),
            Target::RoleSession { principal_id } => View::Session(principal_id.to_string()),
            Target::Issuance(r) => match &r.principal_id {
                Some(p) => View::Session(p.to_string()),
                None => View::Events {
                    of: target.clone(),
                    filter: EventFilter::default(),
                },
            },
            Target::Role { arn } => View::Role(arn.to_string()),
            Target::Event { id } => View::Event(id.to_string()),
            Target::IamUser { .. }
            | Target::FederatedUser { .. }
            | Target::ExternalUser { .. }
            | Target::Ec2Instance { .. }
            | Target::Account { .. }
            | Target::IpAddress { .. } => View::Profile(target.clone()),
        }
    }

    /// The tab names (empty: a pane without tabs).
    pub fn tabs(&self) -> &'static [&'static str] {
        match self {
            View::Session(_) => &SESSION_TABS,
            View::Role(_) => &ROLE_TABS,
            _ => &[],
        }
    }

    /// Whether its data depends on the scope (a finding and an event do not).
    pub fn uses_scope(&self) -> bool {
        !matches!(self, View::Home | View::Finding(_) | View::Event(_))
    }

    /// The identifier `y` copies when no row is focused (raw: copied, never drawn).
    pub fn id_text(&self) -> String {
        match self {
            View::Home => String::new(),
            View::Finding(id) | View::Session(id) | View::Role(id) | View::Event(id) => id.clone(),
            View::Profile(t) | View::Events { of: t, .. } => t.id_text(),
        }
    }

    /// The breadcrumb of this page, in at most `w` columns (sanitised).
    pub fn crumb(&self, w: usize) -> String {
        let s = match self {
            View::Home => "Home".to_string(),
            View::Finding(_) => "Finding".to_string(),
            View::Session(p) => {
                let name = p.split_once(':').map_or(p.as_str(), |(_, n)| n);
                safe(name)
            }
            View::Role(arn) => safe(arn.rsplit('/').next().unwrap_or(arn)),
            View::Profile(t) => safe(&short_id(t)),
            View::Events { filter, .. } => match &filter.api {
                Some(api) => format!("Events {}", safe(api)),
                None => "Events".to_string(),
            },
            View::Event(_) => "Event".to_string(),
        };
        fit_middle(&s, w)
    }

    /// A short name for file names (`session-sara`), ASCII only.
    pub fn file_stem(&self) -> String {
        let (kind, id) = match self {
            View::Home => ("home", String::new()),
            View::Finding(id) => ("finding", id.clone()),
            View::Session(p) => ("session", p.clone()),
            View::Role(a) => ("role", a.rsplit('/').next().unwrap_or(a).to_string()),
            View::Profile(t) => ("profile", t.id_text()),
            View::Events { of, .. } => ("events", of.id_text()),
            View::Event(id) => ("event", id.clone()),
        };
        let id: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(48)
            .collect();
        if id.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}-{id}")
        }
    }
}

/// A pivot's identifier as a crumb: a user's name rather than its whole ARN.
fn short_id(t: &Target) -> String {
    match t {
        Target::IamUser { arn } | Target::FederatedUser { arn } => arn.name().to_string(),
        other => other.id_text(),
    }
}
