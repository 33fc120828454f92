//! Who assumed a session, and what Enter on them opens: an assumer observed from an issuing
//! call, or inferred from the session's own calls when that call is not cached. Pure functions
//! over rows the callers load.

use super::link::{infer_origin, origin_of_caller};
use crate::model::{
    AccessKeyId, Arn, Assumer, AssumerKind, EventId, Evidence, Federation, InstanceId, Issuance,
    IssuanceRef, Origin, OriginKind, PrincipalId, Target,
};
use crate::store::SessionKey;

/// The exact reference of an observed issuance.
pub fn issuance_ref(i: &Issuance) -> IssuanceRef {
    IssuanceRef {
        access_key: i.issued_key.as_deref().map(AccessKeyId::new),
        principal_id: i.principal_id.as_deref().map(PrincipalId::new),
        issued_ms: i.issued_ms,
        issuing_event: Some(EventId::new(i.caller_event_id.as_str())),
    }
}

/// The reference of credentials known only from the calls they signed.
pub fn issuance_ref_of_key(k: &SessionKey) -> IssuanceRef {
    IssuanceRef {
        access_key: k.access_key.as_deref().map(AccessKeyId::new),
        principal_id: Some(PrincipalId::new(k.principal.as_str())),
        issued_ms: k.issued_ms(),
        issuing_event: None,
    }
}

/// What Enter on an origin opens. A service or an unknown origin opens nothing.
pub fn target_of_origin(o: &Origin) -> Option<Target> {
    let name = o.name.as_deref();
    match o.kind {
        OriginKind::IamUser | OriginKind::Root => o
            .arn
            .as_deref()
            .map(|a| Target::IamUser { arn: Arn::new(a) }),
        OriginKind::SamlUser | OriginKind::IdentityCenterUser => {
            name.map(|n| Target::ExternalUser {
                federation: Federation::Saml,
                name: n.to_string(),
                provider: None,
            })
        }
        OriginKind::WebIdentityUser => name.map(|n| Target::ExternalUser {
            federation: Federation::WebIdentity,
            name: n.to_string(),
            provider: None,
        }),
        OriginKind::Ec2Instance => name.map(|n| Target::Ec2Instance {
            id: InstanceId::new(n),
        }),
        OriginKind::AwsAccount => o.account_id.as_deref().map(Target::account),
        OriginKind::AwsService | OriginKind::Unknown => None,
    }
}

/// The direct assumer named by an observed issuance's caller: a principal, or — role chaining —
/// the parent session, with `parent` the exact issuance of it when linked.
pub fn assumer_of_issuance(i: &Issuance, parent: Option<&Issuance>) -> Assumer {
    let mut a = match origin_of_caller(i) {
        Some(o) => Assumer {
            kind: o.kind.into(),
            target: target_of_origin(&o),
            name: o.name,
            arn: o.arn,
            account_id: o.account_id,
            via: None,
            evidence: Evidence::Observed,
            event_id: None,
            parent: None,
            issuance: None,
        },
        None => {
            let c = &i.caller;
            let federated = c.user_type == Some(crate::model::UserType::FederatedUser);
            // Role chaining: the parent session, named `role/session` as its ARN ends.
            let name = c
                .arn
                .as_deref()
                .and_then(|a| {
                    a.split_once("assumed-role/")
                        .or_else(|| a.split_once("federated-user/"))
                })
                .map(|(_, n)| n.to_string());
            let target = if federated {
                c.arn
                    .as_deref()
                    .map(|a| Target::FederatedUser { arn: Arn::new(a) })
            } else {
                c.principal_id.as_deref().map(Target::session)
            };
            Assumer {
                kind: if federated {
                    AssumerKind::FederatedUser
                } else {
                    AssumerKind::AssumedRole
                },
                name: name.or_else(|| c.principal_id.clone()),
                arn: c.arn.clone(),
                account_id: c.account_id.clone(),
                via: None,
                evidence: Evidence::Observed,
                event_id: None,
                target,
                parent: parent.map(issuance_ref),
                issuance: None,
            }
        }
    };
    a.via = Some(i.via.clone());
    a.event_id = Some(i.caller_event_id.clone());
    a.issuance = Some(issuance_ref(i));
    a
}

/// The assumer of credentials known only from their calls: what the session's role, name and
/// source identity let us infer (an instance, an Identity Center user, the originator), never
/// more.
pub fn assumer_of_key(
    k: &SessionKey,
    account: Option<&str>,
    session_name: Option<&str>,
    source_identity: Option<&str>,
) -> Assumer {
    let o = infer_origin(k.role.as_deref(), account, session_name, source_identity);
    Assumer {
        kind: o.kind.into(),
        target: target_of_origin(&o),
        name: o.name,
        arn: o.arn,
        account_id: o.account_id,
        via: None,
        evidence: Evidence::Inferred,
        event_id: None,
        parent: None,
        issuance: Some(issuance_ref_of_key(k)),
    }
}
