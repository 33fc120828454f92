//! Reaching AWS: one SDK configuration per profile (the standard credential chain: environment,
//! profiles, SSO, `credential_process`, web identity, container and instance roles), clients per
//! region from it, the caller's account from STS, and the test doors (`Transport::Test`: every
//! request to a recorded-exchange client, fixed test credentials, no profile files read).

use aws_config::BehaviorVersion;
use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_cloudtrail::config::{Region, SharedHttpClient};

use super::error::{Call, Failure, SyncError, classify};
use super::plan::Limits;

/// How requests leave the process.
#[derive(Clone, Default)]
pub enum Transport {
    /// The SDK's own HTTPS client.
    #[default]
    Https,
    /// Tests and benchmarks: every request goes to this client (e.g. `StaticReplayClient` with
    /// recorded exchanges), signed with fixed test credentials; no profile or credential files
    /// are read and nothing reaches the network.
    Test(SharedHttpClient),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Https => f.write_str("Https"),
            Transport::Test(_) => f.write_str("Test"),
        }
    }
}

/// The region used when neither the profile nor the environment names one.
pub const FALLBACK_REGION: &str = "us-east-1";

/// One profile's SDK configuration, and the profile's name for messages.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: Option<String>,
    pub sdk: SdkConfig,
}

impl Profile {
    /// The profile's own region (or `FALLBACK_REGION`).
    pub fn region(&self) -> String {
        self.sdk
            .region()
            .map_or_else(|| FALLBACK_REGION.to_string(), |r| r.to_string())
    }
}

/// Loads the configuration of `profile` (`None`: the default chain, `AWS_PROFILE` included).
/// Credentials are resolved lazily, at the first request, whose error says what is missing.
pub async fn load_profile(
    profile: Option<&str>,
    endpoint_url: Option<&str>,
    transport: &Transport,
    limits: &Limits,
) -> Profile {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(if limits.sdk_retries {
            RetryConfig::standard().with_max_attempts(3)
        } else {
            RetryConfig::disabled()
        })
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(10))
                .operation_attempt_timeout(std::time::Duration::from_secs(120))
                .build(),
        );
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    match transport {
        Transport::Https => {
            if let Some(p) = profile {
                loader = loader.profile_name(p);
            }
        }
        Transport::Test(client) => {
            loader = loader
                .empty_test_environment()
                .test_credentials()
                .http_client(client.clone())
                .region(Region::from_static(FALLBACK_REGION));
        }
    }
    let mut sdk = loader.load().await;
    if sdk.region().is_none() {
        sdk = sdk
            .into_builder()
            .region(Region::from_static(FALLBACK_REGION))
            .build();
    }
    // Without --profile, the chain reads `AWS_PROFILE`: name it, so that an expired SSO session
    // says which `aws sso login --profile …` to run.
    let from_env = match transport {
        Transport::Https => std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()),
        Transport::Test(_) => None,
    };
    Profile {
        name: profile.map(str::to_string).or(from_env),
        sdk,
    }
}

/// `profile`'s configuration for `region`.
pub fn in_region(profile: &Profile, region: &str) -> SdkConfig {
    profile
        .sdk
        .clone()
        .into_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// The account the profile's credentials belong to (`sts:GetCallerIdentity`, which needs no
/// permission). Also the first request of a sync, so missing or expired credentials are named
/// before anything else is tried.
pub async fn caller_account(profile: &Profile) -> Result<String, SyncError> {
    let region = profile.region();
    let call = Call {
        action: "sts:GetCallerIdentity",
        region: &region,
        profile: profile.name.as_deref(),
    };
    let sts = aws_sdk_sts::Client::new(&profile.sdk);
    match sts.get_caller_identity().send().await {
        Ok(out) => out.account().map(str::to_string).ok_or_else(|| {
            SyncError::Config("STS did not say which account the credentials belong to".into())
        }),
        Err(e) => Err(match classify(&e, &call) {
            Failure::Fatal(e) => e,
            // Nothing has been fetched yet: a network failure here is reported as it is.
            Failure::Throttled(d) | Failure::Transient(d) => SyncError::Network {
                action: call.action.into(),
                region,
                attempts: 1,
                detail: crate::text::sanitize(&d).into_owned(),
            },
        }),
    }
}

/// The commercial regions `--all-regions` tries. Those not enabled for an account (opt-in
/// regions) answer that they do not know the credentials, and are skipped and named. A fixed
/// list rather than `ec2:DescribeRegions`: the EC2 SDK crate alone would add minutes to a cold
/// build, and the policy one more action.
pub const ALL_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
];
