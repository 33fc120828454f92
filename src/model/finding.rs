//! A GuardDuty finding revision, normalised.

/// One revision of a GuardDuty finding. GuardDuty updates a finding in place (`updatedAt` moves,
/// `service.count` grows); every revision seen is kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Finding {
    pub finding_id: String,
    pub finding_type: String,
    pub severity: f64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub created_ms: Option<i64>,
    pub updated_ms: i64,
    /// `service.eventFirstSeen` / `service.eventLastSeen`.
    pub first_seen_ms: Option<i64>,
    pub last_seen_ms: Option<i64>,
    /// `service.count`.
    pub count: i64,
    /// `resource.resourceType`, e.g. `AccessKey`, `Instance`.
    pub resource_type: Option<String>,
    /// `resource.accessKeyDetails`.
    pub access_key_id: Option<String>,
    pub principal_id: Option<String>,
    pub user_name: Option<String>,
    pub user_type: Option<String>,
    /// `resource.instanceDetails.instanceId`.
    pub instance_id: Option<String>,
    /// `service.action.awsApiCallAction`.
    pub api: Option<String>,
    pub service_name: Option<String>,
    pub caller_ip: Option<String>,
    /// The original finding as JSON.
    pub raw: String,
}
