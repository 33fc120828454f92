//! `requestParameters`, `responseElements` and errors for the generated API calls: small but
//! real shapes, with resource names drawn from a few plausible pools.

use super::apis::Api;
use super::json::JsonOut;
use super::rng::Rng;

const BUCKETS: &[&str] = &[
    "example-app-assets",
    "example-logs-archive",
    "example-terraform-state",
    "example-data-lake",
];
const PARAMS: &[&str] = &[
    "/app/db/host",
    "/app/db/user",
    "/app/feature-flags",
    "/ci/artifact-bucket",
];
const SECRETS: &[&str] = &[
    "prod/app/db-password",
    "prod/app/stripe-key",
    "dev/app/db-password",
];
const ROLES: &[&str] = &[
    "web-app-role",
    "batch-worker-role",
    "DemoRole1",
    "TerraformDeploy",
];
const STACKS: &[&str] = &["app-network", "app-service", "app-database", "monitoring"];
const FUNCTIONS: &[&str] = &["order-processor", "thumbnailer", "nightly-report"];
const INSTANCE_TYPES: &[&str] = &["t3.micro", "t3.large", "m6i.xlarge", "c6i.2xlarge"];

/// `requestParameters` for a call of `api` in `account`/`region`, as JSON text (`null` for the
/// calls that have none).
pub fn request(rng: &mut Rng, api: &Api, account: &str, region: &str) -> String {
    let mut j = JsonOut::new();
    j.open(None);
    match api.name {
        "DescribeInstances" => {
            j.open(Some("instancesSet")).close();
            j.open(Some("filterSet")).open_array(Some("items"));
            j.open(None).str("name", "instance-state-name");
            j.open(Some("valueSet")).open_array(Some("items"));
            j.open(None).str("value", "running").close();
            j.close_array().close().close();
            j.close_array().close();
        }
        "DescribeSecurityGroups" | "DescribeVpcs" | "DescribeSubnets" | "DescribeVolumes" => {
            j.open(Some("filterSet")).close();
        }
        "DescribeSnapshots" => {
            j.open(Some("ownersSet")).open_array(Some("items"));
            j.open(None).str("owner", "self").close();
            j.close_array().close();
        }
        "DescribeTags" => {
            j.open(Some("filterSet")).open_array(Some("items"));
            j.open(None).str("name", "resource-id");
            j.open(Some("valueSet")).open_array(Some("items"));
            j.open(None).str("value", &rng.instance_id()).close();
            j.close_array().close().close();
            j.close_array().close();
        }
        "CreateTags" => {
            j.open(Some("resourcesSet")).open_array(Some("items"));
            j.open(None).str("resourceId", &rng.instance_id()).close();
            j.close_array().close();
            j.open(Some("tagSet")).open_array(Some("items"));
            j.open(None)
                .str("key", "owner")
                .str("value", "platform")
                .close();
            j.close_array().close();
        }
        "RunInstances" => run_instances(&mut j, rng, account, region),
        "StopInstances" => {
            j.open(Some("instancesSet")).open_array(Some("items"));
            j.open(None).str("instanceId", &rng.instance_id()).close();
            j.close_array().close();
            j.bool("force", false);
        }
        "CreateSnapshot" => {
            j.str("volumeId", &format!("vol-0{}", rng.hex(16)));
            j.str("description", "forensic copy");
        }
        "AuthorizeSecurityGroupIngress" => {
            j.str("groupId", &format!("sg-0{}", rng.hex(16)));
            j.open(Some("ipPermissions")).open_array(Some("items"));
            j.open(None)
                .str("ipProtocol", "tcp")
                .num("fromPort", 443)
                .num("toPort", 443);
            j.open(Some("ipRanges")).open_array(Some("items"));
            j.open(None).str("cidrIp", "10.0.0.0/16").close();
            j.close_array().close().close();
            j.close_array().close();
        }
        "GetRole" | "ListAttachedRolePolicies" => {
            j.str("roleName", rng.pick_str(ROLES));
        }
        "AttachRolePolicy" => {
            j.str("roleName", rng.pick_str(ROLES));
            j.str("policyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess");
        }
        "PutRolePolicy" => {
            j.str("roleName", rng.pick_str(ROLES));
            j.str("policyName", "inline-deploy");
            j.str("policyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}");
        }
        "GetAccountAuthorizationDetails" => {
            j.open_array(Some("filter"))
                .item("Role")
                .item("User")
                .close_array();
        }
        "GetBucketPolicy" | "GetBucketAcl" | "PutBucketPolicy" => {
            let b = rng.pick_str(BUCKETS);
            j.str("bucketName", b)
                .str("Host", &format!("{b}.s3.{region}.amazonaws.com"));
            j.str(
                if api.name == "GetBucketAcl" {
                    "acl"
                } else {
                    "policy"
                },
                "",
            );
        }
        "ListBuckets" => {
            j.str("Host", &format!("s3.{region}.amazonaws.com"));
        }
        "GetTrailStatus" => {
            j.str(
                "name",
                &format!("arn:aws:cloudtrail:{region}:{account}:trail/org-trail"),
            );
        }
        "DescribeTrails" => {
            j.bool("includeShadowTrails", true);
        }
        "LookupEvents" => {
            j.num("maxResults", 50);
            j.open_array(Some("lookupAttributes"));
            j.open(None)
                .str("attributeKey", "EventName")
                .str("attributeValue", "ConsoleLogin")
                .close();
            j.close_array();
        }
        "Decrypt" | "GenerateDataKey" => {
            j.str("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
            if api.name == "GenerateDataKey" {
                j.str("keySpec", "AES_256");
                j.str(
                    "keyId",
                    &format!("arn:aws:kms:{region}:{account}:alias/app"),
                );
            }
        }
        "GetParameter" => {
            j.str("name", rng.pick_str(PARAMS))
                .bool("withDecryption", true);
        }
        "GetParametersByPath" => {
            j.str("path", "/app/")
                .bool("recursive", true)
                .bool("withDecryption", true);
        }
        "StartSession" => {
            j.str("target", &rng.instance_id());
        }
        "GetSecretValue" => {
            j.str("secretId", rng.pick_str(SECRETS));
        }
        "UpdateFunctionCode20150331v2" => {
            j.str("functionName", rng.pick_str(FUNCTIONS))
                .bool("publish", true);
        }
        "CreateLogStream" => {
            j.str(
                "logGroupName",
                &format!("/aws/app/{}", rng.pick_str(FUNCTIONS)),
            );
            j.str("logStreamName", &format!("2026/11/{}", rng.hex(32)));
        }
        "GetMetricData" => {
            j.open_array(Some("metricDataQueries"));
            j.open(None)
                .str("id", "cpu")
                .bool("returnData", true)
                .close();
            j.close_array();
            j.str("startTime", "Nov 1, 2026, 12:00:00 AM");
        }
        "CreateDBSnapshot" => {
            j.str(
                "dBSnapshotIdentifier",
                &format!("pre-migration-{}", rng.hex(8)),
            );
            j.str("dBInstanceIdentifier", "app-db");
        }
        "GetCostAndUsage" => {
            j.str("granularity", "MONTHLY");
            j.open_array(Some("metrics"))
                .item("UnblendedCost")
                .close_array();
        }
        "DescribeStacks" | "CreateChangeSet" | "ExecuteChangeSet" => {
            j.str("stackName", rng.pick_str(STACKS));
            if api.name == "CreateChangeSet" {
                j.str("changeSetName", &format!("deploy-{}", rng.hex(8)));
            }
        }
        "DescribeTable" => {
            j.str("tableName", "orders");
        }
        "ListFindings" | "GetFindings" => {
            j.str("detectorId", &rng.hex(32));
        }
        "StartBackupJob" => {
            j.str("backupVaultName", "Default");
            j.str(
                "resourceArn",
                &format!("arn:aws:ec2:{region}:{account}:volume/vol-0{}", rng.hex(16)),
            );
        }
        _ => {
            // The calls without parameters (ListRoles, ListKeys…): CloudTrail writes null.
            return "null".into();
        }
    }
    j.close();
    j.finish()
}

fn run_instances(j: &mut JsonOut, rng: &mut Rng, account: &str, region: &str) {
    j.open(Some("instancesSet")).open_array(Some("items"));
    j.open(None)
        .str("imageId", &format!("ami-0{}", rng.hex(16)))
        .num("minCount", 1)
        .num("maxCount", 1)
        .close();
    j.close_array().close();
    j.str("instanceType", rng.pick_str(INSTANCE_TYPES));
    j.open(Some("blockDeviceMapping")).close();
    j.open(Some("monitoring")).bool("enabled", false).close();
    j.bool("disableApiTermination", false);
    j.open(Some("iamInstanceProfile"))
        .str(
            "arn",
            &format!("arn:aws:iam::{account}:instance-profile/{region}-app"),
        )
        .close();
}

/// `responseElements` for a successful call (`null` for most reads, as CloudTrail writes it).
pub fn response(rng: &mut Rng, api: &Api) -> String {
    match api.name {
        "RunInstances" => format!(
            "{{\"requestId\":\"{}\",\"reservationId\":\"r-0{}\",\"instancesSet\":{{\"items\":[{{\"instanceId\":\"{}\",\"currentState\":{{\"code\":0,\"name\":\"pending\"}}}}]}}}}",
            rng.uuid(),
            rng.hex(16),
            rng.instance_id()
        ),
        "CreateTags" | "AuthorizeSecurityGroupIngress" => {
            format!("{{\"requestId\":\"{}\",\"_return\":true}}", rng.uuid())
        }
        "CreateSnapshot" => format!(
            "{{\"requestId\":\"{}\",\"snapshotId\":\"snap-0{}\",\"status\":\"pending\"}}",
            rng.uuid(),
            rng.hex(16)
        ),
        "StopLogging" | "AttachRolePolicy" | "PutRolePolicy" | "PutBucketPolicy" => "null".into(),
        "CreateChangeSet" => format!(
            "{{\"id\":\"arn:aws:cloudformation:us-east-1:000000000000:changeSet/deploy/{}\"}}",
            rng.uuid()
        ),
        "StartSession" => format!("{{\"sessionId\":\"session-{}\"}}", rng.hex(17)),
        _ => "null".into(),
    }
}

/// The permission error of `api` for `actor_arn`: `(errorCode, errorMessage)`.
pub fn denied(api: &Api, actor_arn: &str) -> (String, String) {
    let action = format!(
        "{}:{}",
        api.service(),
        api.name.trim_end_matches(char::is_numeric)
    );
    let message = format!(
        "User: {actor_arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action"
    );
    if api.service() == "ec2" {
        // EC2 names the same failure its own way.
        return (
            "Client.UnauthorizedOperation".into(),
            format!("You are not authorized to perform this operation. {message}"),
        );
    }
    ("AccessDenied".into(), message)
}

/// An error a call of `api` by `actor_arn` might get: `(errorCode, errorMessage)`.
pub fn error(rng: &mut Rng, api: &Api, actor_arn: &str) -> (String, String) {
    let denied = denied(api, actor_arn).1;
    let pick = rng.f64();
    match api.service() {
        "ec2" if pick < 0.6 => ("Client.UnauthorizedOperation".into(), denied),
        "ec2" => (
            "Client.RequestLimitExceeded".into(),
            "Request limit exceeded.".into(),
        ),
        "iam" if pick < 0.5 => (
            "NoSuchEntityException".into(),
            "The role with name web-app-role-old cannot be found.".into(),
        ),
        "iam" | "s3" | "sts" | "organizations" => ("AccessDenied".into(), denied),
        _ if pick < 0.6 => ("AccessDenied".into(), denied),
        _ if pick < 0.85 => ("ThrottlingException".into(), "Rate exceeded".into()),
        _ => (
            "ResourceNotFoundException".into(),
            "The requested resource was not found.".into(),
        ),
    }
}

/// Whether a call of `api` fails: about 1.5% of reads and 4% of writes.
pub fn fails(rng: &mut Rng, api: &Api) -> bool {
    rng.chance(if api.read_only { 0.015 } else { 0.04 })
}
