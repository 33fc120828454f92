//! The phrases every screen repeats: who assumed a session, where a chain starts, how sure a
//! link is, whether a call worked, what a target is. Marks are symbols *and* words, so nothing
//! relies on colour (`NO_COLOR`, monochrome terminals, screen readers).

use crate::model::{Assumer, AssumerKind, Evidence, Origin, Target};
use crate::text::sanitize;

/// A log string made safe for a terminal, owned.
pub fn safe(s: &str) -> String {
    sanitize(s).into_owned()
}

/// An optional log string made safe, `-` when absent.
pub fn opt(s: Option<&str>) -> String {
    s.map_or_else(|| "-".to_string(), safe)
}

/// `✓ observed` / `~ inferred`.
pub fn evidence_mark(e: Evidence) -> &'static str {
    match e {
        Evidence::Observed => "✓ observed",
        Evidence::Inferred => "~ inferred",
    }
}

/// `✓ ok` / `✗ failed`.
pub fn result_mark(failed: bool) -> &'static str {
    if failed { "✗ failed" } else { "✓ ok" }
}

/// `SAMLUser sara via AssumeRoleWithSAML ✓ observed`; `AWSAccount AIDA… of 111122223333`
/// when only the role account's copy of a cross-account call names the caller.
pub fn assumer_text(a: &Assumer) -> String {
    let mut s = a.kind.as_str().to_string();
    if let Some(name) = &a.name {
        s.push(' ');
        s.push_str(&safe(name));
    }
    let show_account = matches!(
        a.kind,
        AssumerKind::AwsAccount | AssumerKind::IamUser | AssumerKind::Root
    );
    if let (true, Some(acct)) = (show_account, &a.account_id) {
        s.push_str(" of ");
        s.push_str(&safe(acct));
    }
    if let Some(via) = &a.via {
        s.push_str(" via ");
        s.push_str(&safe(via));
    }
    s.push(' ');
    s.push_str(evidence_mark(a.evidence));
    s
}

/// `✓ SAML sara`, `~ EC2 i-0abc…`, `✓ AWSReservedSSO_Admin…/sara`: an assumer in few columns,
/// the evidence mark first so that cutting the end never loses it.
pub fn assumer_brief(a: &Assumer) -> String {
    let mark = match a.evidence {
        Evidence::Observed => "✓",
        Evidence::Inferred => "~",
    };
    let kind = match a.kind {
        AssumerKind::IamUser => "IAM user",
        AssumerKind::Root => "root",
        AssumerKind::SamlUser => "SAML",
        AssumerKind::WebIdentityUser => "OIDC",
        AssumerKind::IdentityCenterUser => "SSO",
        AssumerKind::Ec2Instance => "EC2",
        AssumerKind::AwsAccount => "account",
        AssumerKind::FederatedUser => "federated",
        AssumerKind::Unknown => "unknown",
        // The name says it: a service principal, or `Role/session`.
        AssumerKind::AwsService | AssumerKind::AssumedRole => "",
    };
    let name = match a.kind {
        AssumerKind::AwsAccount => a.account_id.as_deref().or(a.name.as_deref()),
        _ => a.name.as_deref(),
    };
    [mark, kind, &name.map(safe).unwrap_or_default()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `IAMUser bob (111122223333)`, `SAMLUser sara`, `Unknown`.
pub fn origin_text(o: &Origin) -> String {
    let mut s = o.kind.as_str().to_string();
    if let Some(name) = &o.name {
        s.push(' ');
        s.push_str(&safe(name));
    }
    if let Some(acct) = &o.account_id {
        s.push_str(&format!(" ({})", safe(acct)));
    }
    s
}

/// `role session AROA…:sara`, `IP address 198.51.100.34`: a target's kind and identifier.
pub fn target_text(t: &Target) -> String {
    format!("{} {}", t.kind().label(), safe(&t.id_text()))
}

/// One line of a pick list, as a person tells the candidates apart: `role session sara @
/// DemoRole1 (111122223333) · last seen 2026-11-21`, `IAM user bob (111122223333)`.
pub fn candidate_text(c: &crate::analysis::Candidate) -> String {
    use crate::model::Target;
    let what = match &c.target {
        Target::RoleSession { principal_id } => {
            let name = safe(principal_id.session_name().unwrap_or(principal_id.as_str()));
            match c.context.as_deref() {
                Some(role) => format!("{name} @ {}", super::role_label(role, 60)),
                None => name,
            }
        }
        Target::Role { arn } => super::role_label(arn.as_str(), 60),
        Target::IamUser { arn } | Target::FederatedUser { arn } => {
            format!("{} ({})", safe(arn.name()), opt(arn.account()))
        }
        other => {
            let mut s = safe(&other.id_text());
            if let Some(ctx) = &c.context {
                s.push_str(&format!(" ({})", safe(ctx)));
            }
            s
        }
    };
    let mut s = format!("{} {what}", c.target.kind().label());
    if let Some(t) = c.last_seen_ms {
        s.push_str(&format!(" · last seen {}", super::date(t)));
    }
    s
}

/// Where a source address is, in a few words: `Bellevue, WA, US (Example Wireless)`, `private
/// address`, `AWS service` (the names come from the organisation's CSV or a database, not the
/// logs; still sanitised).
pub fn located_text(l: &crate::geo::Located) -> String {
    use crate::geo::Located;
    let text = match l {
        Located::Found { place, network, .. } => {
            let place = place.as_ref().map(|p| p.label());
            let org = network.as_ref().and_then(|n| n.organisation.clone());
            match (place, org) {
                (Some(p), Some(o)) => format!("{p} ({o})"),
                (Some(p), None) => p,
                (None, Some(o)) => o,
                (None, None) => "-".into(),
            }
        }
        Located::Private => "private address".into(),
        Located::Service => "AWS service".into(),
        Located::Unknown => "not in any source".into(),
        Located::NoDatabase => "no database".into(),
    };
    safe(&text)
}

/// The actor as a finding names it, for when the cache cannot say more: `AssumedRole IAMRole,
/// key ASIA…, principal AROA…:name`, `instance i-…`; `None` when GuardDuty named none.
pub fn finding_actor_text(f: &crate::analysis::FindingView) -> Option<String> {
    let mut parts = Vec::new();
    match (&f.user_type, &f.user_name) {
        (Some(t), Some(n)) => parts.push(format!("{} {}", safe(t), safe(n))),
        (Some(x), None) | (None, Some(x)) => parts.push(safe(x)),
        (None, None) => {}
    }
    if let Some(k) = &f.access_key_id {
        parts.push(format!("key {}", safe(k)));
    }
    if let Some(p) = &f.principal_id {
        parts.push(format!("principal {}", safe(p)));
    }
    if let Some(i) = &f.instance_id {
        parts.push(format!("instance {}", safe(i)));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OriginKind;

    #[test]
    fn assumers_read_as_a_phrase_with_their_evidence() {
        let a = Assumer {
            kind: AssumerKind::SamlUser,
            name: Some("sara".into()),
            arn: None,
            account_id: None,
            via: Some("AssumeRoleWithSAML".into()),
            evidence: Evidence::Observed,
            event_id: None,
            target: None,
            parent: None,
            issuance: None,
        };
        assert_eq!(
            assumer_text(&a),
            "SAMLUser sara via AssumeRoleWithSAML ✓ observed"
        );
        let stranger = Assumer {
            kind: AssumerKind::AwsAccount,
            name: Some("AIDAEXAMPLE".into()),
            account_id: Some("111122223333".into()),
            via: None,
            evidence: Evidence::Inferred,
            ..a
        };
        assert_eq!(
            assumer_text(&stranger),
            "AWSAccount AIDAEXAMPLE of 111122223333 ~ inferred"
        );
    }

    #[test]
    fn hostile_names_arrive_escaped() {
        let o = Origin {
            kind: OriginKind::IamUser,
            name: Some("bob\u{1b}]52;c;x\u{7}".into()),
            arn: None,
            account_id: None,
        };
        let s = origin_text(&o);
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "{s}");
    }
}
