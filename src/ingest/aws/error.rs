//! The errors a responder meets when syncing, each one line that says what to do, and how SDK
//! errors are sorted into them: what is worth another try (throttling, the network, a server
//! error) and what is final (credentials, permissions, a region). SDK error types are read here
//! and go no further.

use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};

/// Why a sync (or one source of it) stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error(
        "no AWS credentials{}: set AWS_PROFILE, pass --profile, or run on a host with a role \
         (checked: environment, profiles, SSO, web identity, container and instance roles)",
        for_profile(.profile)
    )]
    NoCredentials { profile: Option<String> },
    #[error("the SSO session{} has expired: run `{}`", for_profile(.profile), sso_login(.profile))]
    SsoExpired { profile: Option<String> },
    #[error(
        "the credentials{} have expired: refresh them (for an SSO profile: `{}`)",
        for_profile(.profile),
        sso_login(.profile)
    )]
    CredentialsExpired { profile: Option<String> },
    #[error("access denied in {region}: the policy must allow {action} ({detail})")]
    AccessDenied {
        action: String,
        region: String,
        detail: String,
    },
    #[error(
        "region {region} is not enabled for this account (or does not exist): enable it, or \
         leave it out"
    )]
    RegionNotEnabled { region: String },
    #[error(
        "{action} in {region} was still throttled after {attempts} attempt{}: stopped; what was \
         fetched is kept, run the sync again later to resume",
        plural(*attempts)
    )]
    Throttled {
        action: String,
        region: String,
        attempts: u32,
    },
    #[error(
        "{action} in {region}: network failure after {attempts} attempt{} ({detail}); what \
         was fetched is kept, run the sync again to resume",
        plural(*attempts)
    )]
    Network {
        action: String,
        region: String,
        attempts: u32,
        detail: String,
    },
    #[error("bucket {bucket} does not exist")]
    NoSuchBucket { bucket: String },
    #[error("{action} in {region}: {detail}")]
    Service {
        action: String,
        region: String,
        detail: String,
    },
    #[error("{0}")]
    Config(String),
    #[error("the cache: {0}")]
    Store(String),
}

impl SyncError {
    /// The process exit status a command returns for it (the README lists them).
    pub fn exit_status(&self) -> u8 {
        match self {
            SyncError::NoCredentials { .. }
            | SyncError::SsoExpired { .. }
            | SyncError::CredentialsExpired { .. } => 3,
            SyncError::AccessDenied { .. } => 4,
            SyncError::RegionNotEnabled { .. } | SyncError::NoSuchBucket { .. } => 5,
            SyncError::Throttled { .. } | SyncError::Network { .. } => 6,
            SyncError::Service { .. } | SyncError::Config(_) | SyncError::Store(_) => 1,
        }
    }
}

impl From<crate::store::StoreError> for SyncError {
    fn from(e: crate::store::StoreError) -> SyncError {
        SyncError::Store(e.to_string())
    }
}

fn for_profile(profile: &Option<String>) -> String {
    profile
        .as_deref()
        .map(|p| format!(" for profile {p}"))
        .unwrap_or_default()
}

fn sso_login(profile: &Option<String>) -> String {
    match profile {
        Some(p) => format!("aws sso login --profile {p}"),
        None => "aws sso login".to_string(),
    }
}

/// What a failed request calls for.
#[derive(Debug)]
pub enum Failure {
    /// Worth another try after a wait: throttling.
    Throttled(String),
    /// Worth another try: the network, a timeout, a server error.
    Transient(String),
    /// Final.
    Fatal(SyncError),
}

/// Where a request was going: named in every message.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The IAM action, e.g. `cloudtrail:LookupEvents`.
    pub action: &'a str,
    pub region: &'a str,
    pub profile: Option<&'a str>,
}

/// Sorts an SDK error into what to do about it.
pub fn classify<E, R>(err: &SdkError<E, R>, call: &Call<'_>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let profile = call.profile.map(str::to_string);
    let text = chain_text(err);
    if let Some(found) = credentials_problem(err, &text, &profile) {
        return Failure::Fatal(found);
    }
    match err {
        SdkError::ServiceError(ctx) => {
            let e = ctx.err();
            service_failure(e.code(), e.message(), call)
        }
        SdkError::TimeoutError(_) => Failure::Transient("timed out".into()),
        SdkError::DispatchFailure(_) => Failure::Transient(text),
        SdkError::ResponseError(_) => Failure::Transient(text),
        _ => Failure::Fatal(SyncError::Service {
            action: call.action.to_string(),
            region: call.region.to_string(),
            detail: text,
        }),
    }
}

/// What an error code from a service means here.
pub fn service_failure(code: Option<&str>, message: Option<&str>, call: &Call<'_>) -> Failure {
    let detail = match (code, message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        (None, Some(m)) => m.to_string(),
        (None, None) => "no error code".to_string(),
    };
    let profile = call.profile.map(str::to_string);
    let region = call.region.to_string();
    match code.unwrap_or_default() {
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "SlowDown"
        | "RequestLimitExceeded"
        | "RequestThrottled"
        | "RequestThrottledException" => Failure::Throttled(detail),
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "AuthorizationError"
        | "Forbidden" => Failure::Fatal(SyncError::AccessDenied {
            action: call.action.to_string(),
            region,
            detail: crate::text::sanitize(&detail).into_owned(),
        }),
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            Failure::Fatal(SyncError::CredentialsExpired { profile })
        }
        // The credentials worked for STS (the caller's identity was read before any of this),
        // so a region that does not know them is one the account has not enabled.
        "UnrecognizedClientException" | "InvalidClientTokenId" | "OptInRequired" => {
            Failure::Fatal(SyncError::RegionNotEnabled { region })
        }
        "InternalServerError"
        | "InternalServerException"
        | "InternalFailure"
        | "ServiceUnavailable"
        | "ServiceUnavailableException"
        | "InternalError" => Failure::Transient(detail),
        _ => Failure::Fatal(SyncError::Service {
            action: call.action.to_string(),
            region,
            detail: crate::text::sanitize(&detail).into_owned(),
        }),
    }
}

/// Credentials that could not be had: none anywhere, or an SSO session that has run out. They
/// surface as a dispatch failure (the request was never signed) with the provider's error
/// inside.
fn credentials_problem<E, R>(
    err: &SdkError<E, R>,
    text: &str,
    profile: &Option<String>,
) -> Option<SyncError>
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_credential_types::provider::error::CredentialsError;
    let lower = text.to_ascii_lowercase();
    // The SSO token provider's words for an expired token that cannot be refreshed, and the
    // SSO portal's answer to a token it no longer knows (legacy SSO profiles).
    if lower.contains("sso token has expired")
        || lower.contains("sso session") && lower.contains("expired")
        || lower.contains("session token not found or invalid")
        || lower.contains("sso") && lower.contains("refresh") && lower.contains("failed")
    {
        return Some(SyncError::SsoExpired {
            profile: profile.clone(),
        });
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(CredentialsError::CredentialsNotLoaded(_)) =
            e.downcast_ref::<CredentialsError>()
        {
            return Some(SyncError::NoCredentials {
                profile: profile.clone(),
            });
        }
        source = e.source();
    }
    // A named profile that does not exist, or has nothing usable in it.
    if lower.contains("profile") && (lower.contains("not defined") || lower.contains("no profile"))
    {
        return Some(SyncError::Config(format!(
            "the AWS profile{} could not be used: {}",
            for_profile(profile),
            crate::text::sanitize(text)
        )));
    }
    if lower.contains("failed to load credentials")
        || lower.contains("no providers in chain provided credentials")
        || lower.contains("credentials provider was not enabled")
    {
        return Some(SyncError::NoCredentials {
            profile: profile.clone(),
        });
    }
    None
}

/// An error and all its sources on one line (SDK errors nest the useful part deep).
pub fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let t = e.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        source = e.source();
    }
    out
}

/// `s` after a count other than one.
fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> Call<'static> {
        Call {
            action: "cloudtrail:LookupEvents",
            region: "eu-west-1",
            profile: Some("prod"),
        }
    }

    #[test]
    fn throttling_codes_call_for_another_try() {
        for code in [
            "ThrottlingException",
            "SlowDown",
            "TooManyRequestsException",
        ] {
            assert!(matches!(
                service_failure(Some(code), Some("Rate exceeded"), &call()),
                Failure::Throttled(_)
            ));
        }
    }

    #[test]
    fn access_denied_names_the_missing_permission() {
        let Failure::Fatal(e) = service_failure(
            Some("AccessDeniedException"),
            Some("User: arn:aws:sts::111122223333:assumed-role/R/s is not authorized"),
            &call(),
        ) else {
            panic!("fatal expected");
        };
        assert_eq!(e.exit_status(), 4);
        assert!(e.to_string().contains("must allow cloudtrail:LookupEvents"));
    }

    #[test]
    fn an_unknown_client_in_one_region_is_a_region_not_enabled() {
        let Failure::Fatal(e) = service_failure(
            Some("UnrecognizedClientException"),
            Some("The security token included in the request is invalid."),
            &call(),
        ) else {
            panic!("fatal expected");
        };
        assert_eq!(
            e,
            SyncError::RegionNotEnabled {
                region: "eu-west-1".into()
            }
        );
    }

    #[test]
    fn an_expired_sso_session_says_which_login_to_run() {
        let e = SyncError::SsoExpired {
            profile: Some("prod".into()),
        };
        assert_eq!(
            e.to_string(),
            "the SSO session for profile prod has expired: run `aws sso login --profile prod`"
        );
        assert_eq!(e.exit_status(), 3);
    }
}
