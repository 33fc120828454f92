//! GuardDuty findings for the two incidents, in both shapes rolecall reads: the `get-findings`
//! API output (`{"Findings":[…]}`, PascalCase keys) and EventBridge events (camelCase `detail`).
//! The exfiltration finding comes in two revisions (later `updatedAt`, higher `count`), as
//! GuardDuty updates a finding in place.

use std::path::Path;

use super::clock::{MINUTE, iso, iso_millis};
use super::geo::{self, RANGES};
use super::json::JsonOut;
use super::walkthrough::{Facts, Seen, TRAIL};

/// The walkthrough finding's ID (fixed: the docs and `rolecall demo` name it).
pub const WALKTHROUGH_FINDING_ID: &str = "5ec1f0c5e2a7b8d94c0e6b1a3f2d7c81";
/// The exfiltration finding's ID.
pub const EXFIL_FINDING_ID: &str = "a4b2c9d07e3f1a6b8c5d2e9f0a1b3c47";
const DETECTOR: &str = "c2b5e8f1a4d7c0b3e6f9a2d5c8b1e4f7";

/// One finding revision to write.
#[derive(Debug, Clone)]
struct Spec<'a> {
    id: &'a str,
    kind: &'a str,
    severity: f64,
    title: String,
    description: String,
    seen: &'a Seen,
    created_ms: i64,
    updated_ms: i64,
    first_ms: i64,
    last_ms: i64,
    count: i64,
    api: &'a str,
    service: &'a str,
    range: usize,
    affected: Option<(String, String)>,
    instance_id: Option<&'a str>,
}

/// Writes `guardduty/get-findings.json` and `guardduty/eventbridge/*.json`. Returns the files.
pub fn write(root: &Path, facts: &Facts) -> std::io::Result<u64> {
    let mut latest = Vec::new();
    let mut events = Vec::new();
    if let Some(s) = &facts.stop_logging {
        let spec = Spec {
            id: WALKTHROUGH_FINDING_ID,
            kind: "Stealth:IAMUser/CloudTrailLoggingDisabled",
            severity: 2.0,
            title: format!("The CloudTrail trail {TRAIL} was disabled."),
            description: format!(
                "The CloudTrail trail {TRAIL} was disabled by {} calling StopLogging under unusual circumstances. This can be attackers attempt to cover their tracks by eliminating any trace of activity performed while they accessed your account.",
                s.role_name
            ),
            seen: s,
            created_ms: s.time_ms + 5 * MINUTE + 22_000,
            updated_ms: s.time_ms + 5 * MINUTE + 22_000,
            first_ms: s.time_ms,
            last_ms: s.time_ms,
            count: 1,
            api: "StopLogging",
            service: "cloudtrail.amazonaws.com",
            range: geo::BELLEVUE_MOBILE,
            affected: Some((
                "AWS::CloudTrail::Trail".into(),
                format!(
                    "arn:aws:cloudtrail:us-east-1:{}:trail/{TRAIL}",
                    s.account_id
                ),
            )),
            instance_id: None,
        };
        latest.push(spec.clone());
        events.push(spec);
    }
    if let (Some(s), Some(last)) = (&facts.exfil, facts.exfil_times.last()) {
        let first = Spec {
            id: EXFIL_FINDING_ID,
            kind: "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
            severity: 8.0,
            title: format!(
                "Credentials for instance role {} used from external IP address.",
                s.role_name
            ),
            description: format!(
                "Credentials created exclusively for an EC2 instance using instance role {} have been used from external IP address {}.",
                s.role_name, s.ip
            ),
            seen: s,
            created_ms: s.time_ms + 9 * MINUTE,
            updated_ms: s.time_ms + 9 * MINUTE,
            first_ms: s.time_ms,
            last_ms: s.time_ms,
            count: 1,
            api: "GetCallerIdentity",
            service: "sts.amazonaws.com",
            range: geo::AMSTERDAM_HOSTING,
            affected: None,
            instance_id: Some(&facts.exfil_instance_id),
        };
        let mut later = first.clone();
        later.updated_ms = last + 16 * MINUTE;
        later.last_ms = *last;
        later.count = facts.exfil_times.len() as i64;
        events.push(first);
        events.push(later.clone());
        latest.push(later);
    }
    let dir = root.join("guardduty");
    std::fs::create_dir_all(dir.join("eventbridge"))?;
    let mut j = JsonOut::new();
    j.open(None).open_array(Some("Findings"));
    for f in &latest {
        finding(&mut j, f, true);
    }
    j.close_array().close();
    std::fs::write(dir.join("get-findings.json"), j.finish() + "\n")?;
    for f in &events {
        let mut j = JsonOut::new();
        j.open(None)
            .str("version", "0")
            .str("id", &uuid_from(f.id, f.updated_ms))
            .str("detail-type", "GuardDuty Finding")
            .str("source", "aws.guardduty")
            .str("account", &f.seen.account_id)
            .str("time", &iso(f.updated_ms))
            .str("region", "us-east-1")
            .open_array(Some("resources"))
            .close_array();
        j.buf.push_str(",\"detail\":");
        // The `detail` object is a document of its own inside the envelope.
        let mut d = JsonOut::new();
        finding(&mut d, f, false);
        j.buf.push_str(&d.finish());
        j.close();
        let name = format!("{}_{}.json", iso(f.updated_ms).replace(':', "-"), f.id);
        std::fs::write(dir.join("eventbridge").join(name), j.finish() + "\n")?;
    }
    Ok(1 + events.len() as u64)
}

fn uuid_from(id: &str, t: i64) -> String {
    let h = format!("{:016x}{}", t, id);
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// `camelCase` for EventBridge and S3 exports, `PascalCase` for the API.
fn k(pascal: bool, key: &str) -> String {
    if !pascal {
        return key.into();
    }
    let mut c = key.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn country_name(code: &str) -> &'static str {
    match code {
        "US" => "United States",
        "NL" => "Netherlands",
        "GB" => "United Kingdom",
        "DE" => "Germany",
        _ => "Unknown",
    }
}

fn finding(j: &mut JsonOut, f: &Spec, p: bool) {
    let s = f.seen;
    let range = &RANGES[f.range];
    j.open(None)
        .str(&k(p, "schemaVersion"), "2.0")
        .str(&k(p, "accountId"), &s.account_id)
        .str(&k(p, "region"), "us-east-1")
        .str(&k(p, "partition"), "aws")
        .str(&k(p, "id"), f.id)
        .str(
            &k(p, "arn"),
            &format!(
                "arn:aws:guardduty:us-east-1:{}:detector/{DETECTOR}/finding/{}",
                s.account_id, f.id
            ),
        )
        .str(&k(p, "type"), f.kind);
    j.open(Some(&k(p, "resource")));
    j.open(Some(&k(p, "accessKeyDetails")))
        .str(&k(p, "accessKeyId"), &s.access_key)
        .str(&k(p, "principalId"), &s.principal_id)
        .str(&k(p, "userName"), &s.role_name)
        .str(&k(p, "userType"), "AssumedRole")
        .close();
    if let Some(id) = f.instance_id {
        j.open(Some(&k(p, "instanceDetails")))
            .str(&k(p, "instanceId"), id)
            .str(&k(p, "instanceType"), "t3.large")
            .str(&k(p, "instanceState"), "running")
            .open(Some(&k(p, "iamInstanceProfile")))
            .str(
                &k(p, "arn"),
                &format!(
                    "arn:aws:iam::{}:instance-profile/{}",
                    s.account_id, s.role_name
                ),
            )
            .close()
            .close();
    }
    j.str(&k(p, "resourceType"), "AccessKey").close();
    j.open(Some(&k(p, "service")))
        .str(&k(p, "serviceName"), "guardduty")
        .str(&k(p, "detectorId"), DETECTOR);
    j.open(Some(&k(p, "action")))
        .str(&k(p, "actionType"), "AWS_API_CALL")
        .open(Some(&k(p, "awsApiCallAction")))
        .str(&k(p, "api"), f.api)
        .str(&k(p, "serviceName"), f.service)
        .str(&k(p, "callerType"), "Remote IP");
    j.open(Some(&k(p, "remoteIpDetails")))
        .str(&k(p, "ipAddressV4"), &s.ip)
        .open(Some(&k(p, "organization")))
        .str(&k(p, "asn"), &range.asn.to_string())
        .str(&k(p, "asnOrg"), range.as_org)
        .str(&k(p, "isp"), range.as_org)
        .str(&k(p, "org"), range.as_org)
        .close()
        .open(Some(&k(p, "country")))
        .str(&k(p, "countryName"), country_name(range.country))
        .close()
        .open(Some(&k(p, "city")))
        .str(&k(p, "cityName"), range.city)
        .close()
        .open(Some(&k(p, "geoLocation")))
        .float(&k(p, "lat"), range.lat)
        .float(&k(p, "lon"), range.lon)
        .close()
        .close();
    j.open(Some(&k(p, "affectedResources")));
    if let Some((kind, arn)) = &f.affected {
        j.str(kind, arn);
    }
    j.close().close().close();
    j.str(&k(p, "resourceRole"), "TARGET")
        .open(Some(&k(p, "additionalInfo")))
        .str(
            &k(p, "value"),
            &format!(
                "{{\"userAgent\":{{\"fullUserAgent\":{}}}}}",
                serde_json::Value::from(s.user_agent.as_str())
            ),
        )
        .str(&k(p, "type"), "default")
        .close()
        .str(&k(p, "eventFirstSeen"), &iso_millis(f.first_ms))
        .str(&k(p, "eventLastSeen"), &iso_millis(f.last_ms))
        .bool(&k(p, "archived"), false)
        .num(&k(p, "count"), f.count)
        .close();
    j.float(&k(p, "severity"), f.severity)
        .str(&k(p, "createdAt"), &iso_millis(f.created_ms))
        .str(&k(p, "updatedAt"), &iso_millis(f.updated_ms))
        .str(&k(p, "title"), &f.title)
        .str(&k(p, "description"), &f.description)
        .close();
}
