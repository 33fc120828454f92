//! Identifier newtypes: the IDs and ARNs that cross module borders (targets, analysis rows,
//! the resolver). Each wraps the text exactly as the log wrote it and serialises as that text,
//! so the JSON contracts are unchanged; the type says which kind of identifier it is.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps the text as it came (no validation: logs are what they are).
            pub fn new(s: impl Into<String>) -> $name {
                $name(s.into())
            }

            /// The identifier's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The identifier's text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> $name {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name(s.to_string())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_newtype!(
    /// A 12-digit AWS account ID.
    AccountId
);
id_newtype!(
    /// A role ARN, with its path when the log gave one (`arn:aws:iam::A:role/path/Name`).
    RoleArn
);
id_newtype!(
    /// Any other ARN: an IAM user, a federated user, an assumed-role session.
    Arn
);
id_newtype!(
    /// A principal ID: `AROA…:sessionName` for a role session, `AIDA…` for an IAM user.
    PrincipalId
);
id_newtype!(
    /// An access key ID: `ASIA…` (temporary credentials) or `AKIA…` (an IAM user's long-term key).
    AccessKeyId
);
id_newtype!(
    /// A CloudTrail `eventID`.
    EventId
);
id_newtype!(
    /// A GuardDuty finding ID.
    FindingId
);
id_newtype!(
    /// An EC2 instance ID (`i-…`).
    InstanceId
);

impl RoleArn {
    /// The account in the ARN.
    pub fn account(&self) -> Option<&str> {
        arn_account(&self.0)
    }

    /// The role's name, path dropped.
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}

impl Arn {
    /// The account in the ARN.
    pub fn account(&self) -> Option<&str> {
        arn_account(&self.0)
    }

    /// The last path segment: a user's name, a federated user's name, a session's name.
    pub fn name(&self) -> &str {
        self.0.rsplit(['/', ':']).next().unwrap_or(&self.0)
    }
}

impl PrincipalId {
    /// The session name of a role session's principal ID (`AROA…:name` → `name`).
    pub fn session_name(&self) -> Option<&str> {
        self.0.split_once(':').map(|(_, n)| n)
    }

    /// The unique ID part (`AROA…` of `AROA…:name`, or the whole ID).
    pub fn unique_id(&self) -> &str {
        self.0.split_once(':').map_or(&self.0, |(id, _)| id)
    }
}

impl AccessKeyId {
    /// Whether the key belongs to temporary credentials (`ASIA…`), which STS issued and which
    /// can repeat: such a key names a session only together with a time.
    pub fn is_temporary(&self) -> bool {
        self.0.starts_with("ASIA")
    }
}

/// The account in an ARN (`arn:aws:iam::111122223333:role/x` → `111122223333`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialise_as_their_text() {
        let p = PrincipalId::new("AROAEXAMPLE:sara");
        assert_eq!(
            serde_json::to_string(&p).expect("json"),
            "\"AROAEXAMPLE:sara\""
        );
        assert_eq!(p.session_name(), Some("sara"));
        assert_eq!(p.unique_id(), "AROAEXAMPLE");
    }

    #[test]
    fn role_arns_name_their_account_and_role_without_the_path() {
        let r = RoleArn::new("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/Admin");
        assert_eq!(r.account(), Some("111122223333"));
        assert_eq!(r.name(), "Admin");
        let u = Arn::new("arn:aws:sts::111122223333:federated-user/bob");
        assert_eq!(u.name(), "bob");
        assert_eq!(Arn::new("arn:aws:iam::111122223333:root").name(), "root");
    }

    #[test]
    fn only_asia_keys_are_temporary() {
        assert!(AccessKeyId::new("ASIAVJISRALFL3OSLYLV").is_temporary());
        assert!(!AccessKeyId::new("AKIAIOSFODNN7EXAMPLE").is_temporary());
    }
}
