//! The API calls the organisation makes: which service, read or write, which `eventVersion`
//! CloudTrail uses for it, and the mixes each kind of work draws from. Parameters and errors are
//! in `params`.

use super::rng::Rng;

/// One API operation as CloudTrail names it.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    pub source: &'static str,
    pub name: &'static str,
    pub read_only: bool,
    /// The `eventVersion` CloudTrail writes for this service (1.08 … 1.11 in the wild).
    pub version: &'static str,
}

impl Api {
    /// `ec2` for `ec2.amazonaws.com`.
    pub fn service(&self) -> &'static str {
        self.source.split('.').next().unwrap_or(self.source)
    }

    /// IAM, Organizations and Cost Explorer are global: CloudTrail logs them in us-east-1.
    pub fn is_global(&self) -> bool {
        matches!(self.service(), "iam" | "organizations" | "ce")
    }
}

macro_rules! api {
    ($src:expr, $name:expr, $ro:expr, $v:expr) => {
        Api {
            source: $src,
            name: $name,
            read_only: $ro,
            version: $v,
        }
    };
}

const EC2: &str = "ec2.amazonaws.com";
const IAM: &str = "iam.amazonaws.com";
const S3: &str = "s3.amazonaws.com";
const CT: &str = "cloudtrail.amazonaws.com";
const KMS: &str = "kms.amazonaws.com";
const SSM: &str = "ssm.amazonaws.com";

/// Every API the generator uses.
pub const APIS: &[Api] = &[
    api!(EC2, "DescribeInstances", true, "1.10"),
    api!(EC2, "DescribeSecurityGroups", true, "1.10"),
    api!(EC2, "DescribeVpcs", true, "1.10"),
    api!(EC2, "DescribeSubnets", true, "1.10"),
    api!(EC2, "DescribeTags", true, "1.10"),
    api!(EC2, "DescribeVolumes", true, "1.10"),
    api!(EC2, "DescribeSnapshots", true, "1.10"),
    api!(EC2, "RunInstances", false, "1.10"),
    api!(EC2, "CreateTags", false, "1.10"),
    api!(EC2, "AuthorizeSecurityGroupIngress", false, "1.10"),
    api!(EC2, "CreateSnapshot", false, "1.10"),
    api!(EC2, "StopInstances", false, "1.10"),
    api!(IAM, "ListRoles", true, "1.09"),
    api!(IAM, "GetRole", true, "1.09"),
    api!(IAM, "ListUsers", true, "1.09"),
    api!(IAM, "ListAttachedRolePolicies", true, "1.09"),
    api!(IAM, "GetAccountAuthorizationDetails", true, "1.09"),
    api!(IAM, "AttachRolePolicy", false, "1.09"),
    api!(IAM, "PutRolePolicy", false, "1.09"),
    api!("sts.amazonaws.com", "GetCallerIdentity", true, "1.08"),
    api!(S3, "ListBuckets", true, "1.10"),
    api!(S3, "GetBucketPolicy", true, "1.10"),
    api!(S3, "GetBucketAcl", true, "1.10"),
    api!(S3, "PutBucketPolicy", false, "1.10"),
    api!(CT, "DescribeTrails", true, "1.11"),
    api!(CT, "GetTrailStatus", true, "1.11"),
    api!(CT, "LookupEvents", true, "1.11"),
    api!(CT, "StopLogging", false, "1.11"),
    api!(KMS, "Decrypt", true, "1.08"),
    api!(KMS, "GenerateDataKey", true, "1.08"),
    api!(KMS, "ListKeys", true, "1.08"),
    api!(SSM, "GetParameter", true, "1.08"),
    api!(SSM, "GetParametersByPath", true, "1.08"),
    api!(SSM, "StartSession", false, "1.08"),
    api!(
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        true,
        "1.08"
    ),
    api!(
        "lambda.amazonaws.com",
        "ListFunctions20150331",
        true,
        "1.08"
    ),
    api!(
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        false,
        "1.08"
    ),
    api!("logs.amazonaws.com", "DescribeLogGroups", true, "1.08"),
    api!("logs.amazonaws.com", "CreateLogStream", false, "1.08"),
    api!("monitoring.amazonaws.com", "GetMetricData", true, "1.08"),
    api!("monitoring.amazonaws.com", "DescribeAlarms", true, "1.08"),
    api!("rds.amazonaws.com", "DescribeDBInstances", true, "1.09"),
    api!("rds.amazonaws.com", "CreateDBSnapshot", false, "1.09"),
    api!("organizations.amazonaws.com", "ListAccounts", true, "1.09"),
    api!(
        "organizations.amazonaws.com",
        "DescribeOrganization",
        true,
        "1.09"
    ),
    api!("ce.amazonaws.com", "GetCostAndUsage", true, "1.08"),
    api!("guardduty.amazonaws.com", "ListFindings", true, "1.08"),
    api!("guardduty.amazonaws.com", "GetFindings", true, "1.08"),
    api!("ecr.amazonaws.com", "GetAuthorizationToken", true, "1.08"),
    api!(
        "cloudformation.amazonaws.com",
        "DescribeStacks",
        true,
        "1.08"
    ),
    api!(
        "cloudformation.amazonaws.com",
        "CreateChangeSet",
        false,
        "1.08"
    ),
    api!(
        "cloudformation.amazonaws.com",
        "ExecuteChangeSet",
        false,
        "1.08"
    ),
    api!("dynamodb.amazonaws.com", "DescribeTable", true, "1.08"),
    api!("backup.amazonaws.com", "StartBackupJob", false, "1.08"),
    api!("backup.amazonaws.com", "ListBackupJobs", true, "1.08"),
];

/// A kind of work: the APIs it calls, weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    Admin,
    DemoRole,
    Network,
    ReadOnly,
    Dev,
    Billing,
    Security,
    Forensics,
    Deploy,
    Migrator,
    Backup,
    WebApp,
    Batch,
    Builder,
    Lambda,
    Scanner,
    Vendor,
}

impl Mix {
    fn weights(self) -> &'static [(&'static str, f64)] {
        match self {
            // sara's administration: never StopLogging (that is new in the incident).
            Mix::Admin => &[
                ("DescribeInstances", 6.0),
                ("DescribeSecurityGroups", 3.0),
                ("ListRoles", 3.0),
                ("GetRole", 2.0),
                ("DescribeTrails", 2.0),
                ("GetTrailStatus", 1.0),
                ("ListBuckets", 2.0),
                ("GetBucketPolicy", 1.0),
                ("DescribeDBInstances", 1.0),
                ("CreateTags", 1.0),
                ("LookupEvents", 1.0),
                ("DescribeAlarms", 1.0),
            ],
            // DemoRole1 before the incident: reads and the odd tag, never AttachRolePolicy.
            Mix::DemoRole => &[
                ("DescribeInstances", 5.0),
                ("DescribeVolumes", 2.0),
                ("DescribeSubnets", 1.0),
                ("ListAttachedRolePolicies", 1.0),
                ("CreateTags", 1.0),
            ],
            Mix::Network => &[
                ("DescribeVpcs", 3.0),
                ("DescribeSubnets", 3.0),
                ("DescribeSecurityGroups", 4.0),
                ("AuthorizeSecurityGroupIngress", 1.0),
            ],
            Mix::ReadOnly => &[
                ("DescribeInstances", 4.0),
                ("ListRoles", 2.0),
                ("ListUsers", 1.0),
                ("DescribeTrails", 1.0),
                ("ListBuckets", 2.0),
                ("GetBucketAcl", 1.0),
                ("DescribeLogGroups", 1.0),
                ("GetMetricData", 2.0),
                ("DescribeDBInstances", 1.0),
                ("GetCallerIdentity", 1.0),
            ],
            Mix::Dev => &[
                ("DescribeInstances", 4.0),
                ("ListFunctions20150331", 2.0),
                ("UpdateFunctionCode20150331v2", 1.0),
                ("DescribeStacks", 2.0),
                ("CreateChangeSet", 0.5),
                ("GetParameter", 2.0),
                ("DescribeLogGroups", 2.0),
                ("GetAuthorizationToken", 1.0),
                ("DescribeTable", 1.0),
                ("GetCallerIdentity", 1.0),
                ("RunInstances", 0.3),
                ("StopInstances", 0.3),
                ("CreateTags", 0.5),
            ],
            Mix::Billing => &[
                ("GetCostAndUsage", 5.0),
                ("ListAccounts", 1.0),
                ("DescribeOrganization", 1.0),
            ],
            Mix::Security => &[
                ("ListFindings", 3.0),
                ("GetFindings", 3.0),
                ("LookupEvents", 2.0),
                ("GetAccountAuthorizationDetails", 0.5),
                ("DescribeTrails", 1.0),
            ],
            Mix::Forensics => &[
                ("DescribeInstances", 2.0),
                ("DescribeSnapshots", 2.0),
                ("CreateSnapshot", 1.0),
                ("DescribeVolumes", 2.0),
                ("LookupEvents", 2.0),
            ],
            Mix::Deploy => &[
                ("DescribeStacks", 3.0),
                ("CreateChangeSet", 1.0),
                ("ExecuteChangeSet", 1.0),
                ("GetAuthorizationToken", 2.0),
                ("UpdateFunctionCode20150331v2", 1.0),
                ("GetRole", 2.0),
                ("DescribeInstances", 2.0),
                ("GetCallerIdentity", 1.0),
                ("CreateTags", 1.0),
                ("PutRolePolicy", 0.2),
            ],
            Mix::Migrator => &[
                ("DescribeDBInstances", 2.0),
                ("CreateDBSnapshot", 1.0),
                ("GetSecretValue", 2.0),
            ],
            Mix::Backup => &[
                ("StartBackupJob", 2.0),
                ("ListBackupJobs", 3.0),
                ("DescribeVolumes", 1.0),
            ],
            Mix::WebApp => &[
                ("GetParameter", 3.0),
                ("GetSecretValue", 2.0),
                ("Decrypt", 4.0),
                ("DescribeTags", 1.0),
                ("CreateLogStream", 1.0),
            ],
            Mix::Batch => &[
                ("GenerateDataKey", 3.0),
                ("Decrypt", 2.0),
                ("GetParametersByPath", 1.0),
                ("DescribeTable", 1.0),
            ],
            Mix::Builder => &[
                ("GetAuthorizationToken", 3.0),
                ("DescribeInstances", 1.0),
                ("GetParameter", 2.0),
            ],
            Mix::Lambda => &[
                ("Decrypt", 3.0),
                ("GetParameter", 2.0),
                ("GetSecretValue", 1.0),
                ("CreateLogStream", 1.0),
            ],
            Mix::Scanner => &[
                ("DescribeInstances", 2.0),
                ("DescribeSecurityGroups", 2.0),
                ("ListRoles", 1.0),
                ("GetAccountAuthorizationDetails", 0.3),
                ("ListBuckets", 1.0),
                ("GetBucketAcl", 1.0),
                ("DescribeTrails", 1.0),
                ("ListKeys", 1.0),
            ],
            Mix::Vendor => &[
                ("GetMetricData", 4.0),
                ("DescribeInstances", 2.0),
                ("DescribeAlarms", 1.0),
                ("DescribeDBInstances", 1.0),
            ],
        }
    }

    const ALL: [Mix; 17] = [
        Mix::Admin,
        Mix::DemoRole,
        Mix::Network,
        Mix::ReadOnly,
        Mix::Dev,
        Mix::Billing,
        Mix::Security,
        Mix::Forensics,
        Mix::Deploy,
        Mix::Migrator,
        Mix::Backup,
        Mix::WebApp,
        Mix::Batch,
        Mix::Builder,
        Mix::Lambda,
        Mix::Scanner,
        Mix::Vendor,
    ];
}

/// The mixes resolved to indices into [`APIS`], once per run.
#[derive(Debug, Clone)]
pub struct Catalog {
    mixes: Vec<(Vec<usize>, Vec<f64>)>,
}

impl Default for Catalog {
    fn default() -> Catalog {
        Catalog::new()
    }
}

impl Catalog {
    pub fn new() -> Catalog {
        let mixes = Mix::ALL
            .iter()
            .map(|m| {
                let mut idx = Vec::new();
                let mut w = Vec::new();
                for (name, weight) in m.weights() {
                    if let Some(i) = api_index(name) {
                        idx.push(i);
                        w.push(*weight);
                    }
                }
                (idx, w)
            })
            .collect();
        Catalog { mixes }
    }

    /// An API of `mix`, drawn by weight.
    pub fn draw(&self, rng: &mut Rng, mix: Mix) -> &'static Api {
        let pos = Mix::ALL.iter().position(|m| *m == mix).unwrap_or(0);
        let (idx, w) = &self.mixes[pos];
        &APIS[idx[rng.weighted(w)]]
    }
}

/// The index of the API called `name` in [`APIS`].
pub fn api_index(name: &str) -> Option<usize> {
    APIS.iter().position(|a| a.name == name)
}

/// The API called `name` (used by the scripted incidents).
pub fn api(name: &str) -> &'static Api {
    api_index(name).map_or(&APIS[0], |i| &APIS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mix_names_only_known_apis() {
        for m in Mix::ALL {
            for (name, _) in m.weights() {
                assert!(api_index(name).is_some(), "{m:?} names unknown API {name}");
            }
        }
    }

    #[test]
    fn sara_never_stops_logging_in_her_usual_work() {
        assert!(
            Mix::Admin
                .weights()
                .iter()
                .all(|(n, _)| *n != "StopLogging")
        );
        assert!(
            Mix::DemoRole
                .weights()
                .iter()
                .all(|(n, _)| *n != "AttachRolePolicy")
        );
    }
}
