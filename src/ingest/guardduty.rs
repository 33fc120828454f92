//! Normalising one GuardDuty finding, in the API's PascalCase (`aws guardduty get-findings`
//! elements) or the camelCase of EventBridge `detail` objects and S3 exports, into
//! `model::Finding`. Finding the objects inside a file (arrays, `{"Findings": […]}`, JSON lines,
//! EventBridge envelopes) is the JSON reader's job; this module sees one object at a time and
//! never touches the store.
//!
//! Findings come in many families (IAM, EC2, S3, EKS / Kubernetes, RDS, Runtime, Lambda,
//! Malware Protection, attack sequences) whose `resource` and `service.action` sections differ.
//! Only `id`, `type` and `updatedAt` are required; every other section is optional and read
//! where that family keeps it.

mod lookup;

use serde_json::Value;

use crate::model::Finding;
use lookup::{Casing, Node, compact, number, timestamp_ms};

/// Normalises one GuardDuty finding object (PascalCase API shape or camelCase EventBridge /
/// S3-export shape; an EventBridge envelope is unwrapped to its `detail`). `Err` carries the
/// reason it was rejected, naming what is missing or wrong.
pub fn parse_finding(obj: &[u8]) -> Result<Finding, String> {
    let value: Value =
        serde_json::from_slice(obj).map_err(|e| format!("finding is not valid JSON: {e}"))?;
    let map = value.as_object().ok_or("finding is not a JSON object")?;
    // Tolerate being handed the whole EventBridge event instead of its `detail`.
    // Its bytes are re-read as written, so `raw` keeps the detail's own key order.
    if map.get("detail").is_some_and(Value::is_object) && map.contains_key("detail-type") {
        let envelope: Envelope =
            serde_json::from_slice(obj).map_err(|e| format!("EventBridge envelope: {e}"))?;
        return parse_finding(envelope.detail.get().as_bytes());
    }
    let f = Node::new(&value, Casing::of(map));
    let finding_id = f.text(&["id"]);
    let finding_type = f.text(&["type"]);
    let updated = f.get(&["updatedAt"]);
    let missing: Vec<&str> = [
        ("id", finding_id.is_none()),
        ("type", finding_type.is_none()),
        ("updatedAt", updated.is_none()),
    ]
    .iter()
    .filter(|(_, absent)| *absent)
    .map(|(name, _)| *name)
    .collect();
    if !missing.is_empty() {
        return Err(format!("GuardDuty finding without {}", missing.join(", ")));
    }
    let updated_ms = updated
        .and_then(timestamp_ms)
        .ok_or_else(|| format!("updatedAt is not a timestamp: {}", clip(updated)))?;
    let severity = match f.get(&["severity"]) {
        None => 0.0,
        Some(v) => {
            severity(v).ok_or_else(|| format!("severity is not a number: {}", clip(Some(v))))?
        }
    };
    let time = |path: &[&str]| f.get(path).and_then(timestamp_ms);
    let actor = actor(&f);
    let api_call = f.node(&["service", "action", "awsApiCallAction"]);
    let api_text = |key: &str| api_call.as_ref().and_then(|a| a.text(&[key]));
    Ok(Finding {
        finding_id: finding_id.unwrap_or_default(),
        finding_type: finding_type.unwrap_or_default(),
        severity,
        title: f.text(&["title"]),
        description: f.text(&["description"]),
        account_id: f.text(&["accountId"]),
        region: f.text(&["region"]),
        created_ms: time(&["createdAt"]),
        updated_ms,
        first_seen_ms: time(&["service", "eventFirstSeen"]),
        last_seen_ms: time(&["service", "eventLastSeen"]),
        // A finding is at least one observation; `service.count` grows as GuardDuty sees more.
        count: f
            .get(&["service", "count"])
            .and_then(number)
            .map_or(1, |c| c as i64),
        resource_type: f.text(&["resource", "resourceType"]),
        access_key_id: actor.access_key_id,
        principal_id: actor.principal_id,
        user_name: actor.user_name,
        user_type: actor.user_type,
        instance_id: f.text(&["resource", "instanceDetails", "instanceId"]),
        api: api_text("api"),
        service_name: api_text("serviceName"),
        caller_ip: caller_ip(&f),
        raw: compact(obj),
    })
}

/// An EventBridge event around a finding: only its `detail` matters here.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    detail: &'a serde_json::value::RawValue,
}

/// Severity as GuardDuty writes it (a number, sometimes in a string), or the console's label.
fn severity(v: &Value) -> Option<f64> {
    if let Some(n) = number(v) {
        return Some(n);
    }
    // Labels turn up in hand-written and SIEM-re-exported findings. The values are the lower
    // bounds of GuardDuty's documented ranges (low 1.0–3.9, medium 4.0–6.9, high 7.0–8.9,
    // critical 9.0–10.0), so a label never ranks above a finding that scored in its range.
    match v.as_str()?.trim().to_ascii_uppercase().as_str() {
        "LOW" => Some(1.0),
        "MEDIUM" => Some(4.0),
        "HIGH" => Some(7.0),
        "CRITICAL" => Some(9.0),
        _ => None,
    }
}

/// The principal a finding is about.
#[derive(Default)]
struct Actor {
    access_key_id: Option<String>,
    principal_id: Option<String>,
    user_name: Option<String>,
    user_type: Option<String>,
}

/// `resource.accessKeyDetails` (IAM, S3, EKS findings whose caller used AWS credentials), else,
/// for attack sequences, the one IAM actor of `service.detection.sequence.actors` — with several
/// actors the finding has no single principal and none is picked.
fn actor(f: &Node) -> Actor {
    if let Some(k) = f.node(&["resource", "accessKeyDetails"]) {
        let actor = Actor {
            access_key_id: k.text(&["accessKeyId"]),
            principal_id: k.text(&["principalId"]),
            user_name: k.text(&["userName"]),
            user_type: k.text(&["userType"]),
        };
        if actor.access_key_id.is_some() || actor.principal_id.is_some() {
            return actor;
        }
    }
    let users: Vec<Node> = f
        .items(&["service", "detection", "sequence", "actors"])
        .iter()
        .filter_map(|a| a.node(&["user"]))
        .collect();
    match users.as_slice() {
        [user] => Actor {
            access_key_id: user.text(&["credentialUid"]),
            principal_id: user.text(&["uid"]),
            user_name: user.text(&["name"]),
            user_type: user.text(&["type"]),
        },
        _ => Actor::default(),
    }
}

/// The remote IP behind the finding: the API caller's for `AWS_API_CALL`, else the remote end of
/// whichever action the family uses (Kubernetes API call, RDS login, network connection, port
/// probe). IPv4 first, then IPv6.
fn caller_ip(f: &Node) -> Option<String> {
    let action = f.node(&["service", "action"])?;
    let from = |details: Option<Node>| {
        let d = details?;
        d.text(&["ipAddressV4"])
            .or_else(|| d.text(&["ipAddressV6"]))
    };
    let actions = [
        "awsApiCallAction",
        "kubernetesApiCallAction",
        "rdsLoginAttemptAction",
        "networkConnectionAction",
    ];
    actions
        .iter()
        .find_map(|a| from(action.node(&[a, "remoteIpDetails"])))
        .or_else(|| {
            action
                .items(&["portProbeAction", "portProbeDetails"])
                .into_iter()
                .find_map(|p| from(p.node(&["remoteIpDetails"])))
        })
        .or_else(|| {
            // Kubernetes audit events list the client addresses even without geo details.
            action
                .items(&["kubernetesApiCallAction", "sourceIps"])
                .into_iter()
                .chain(action.items(&["kubernetesApiCallAction", "sourceIPs"]))
                .find_map(|ip| ip.text(&[]))
        })
}

/// A value quoted in a reject reason, cut short.
fn clip(v: Option<&Value>) -> String {
    let s = v.map_or_else(|| "null".to_string(), Value::to_string);
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests;
