//! The generated organisation: accounts, regions, roles, people and workloads, and the plans
//! their work sessions follow. Built once from the seed; small, and never changed by the run.

use super::apis::Mix;
use super::clock::utc;
use super::geo;
use super::record::Actor;
use super::rng::Rng;
use super::ua::Ua;

/// Regions events are spread over, busiest first.
pub const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];

/// Indices of the fixed accounts (the walkthrough needs them); extra ones follow.
pub const MANAGEMENT: usize = 0;
pub const SECURITY: usize = 1;
pub const PROD: usize = 2;
pub const DEV: usize = 3;
pub const VENDOR: usize = 4;

/// The walkthrough's SSO role (its name is fixed by DESIGN.md).
pub const SARA_ROLE: &str = "AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5";
pub const SSO_PATH: &str = "/aws-reserved/sso.amazonaws.com/";

/// An AWS account of the organisation (or the vendor's, whose logs we do not have).
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    /// Whether its CloudTrail is in the generated data.
    pub collected: bool,
}

/// An IAM role: where it lives, its path, and its stable `AROA…` ID.
#[derive(Debug, Clone)]
pub struct Role {
    pub account: usize,
    pub name: String,
    pub path: &'static str,
    pub id: String,
}

/// How a person signs in.
#[derive(Debug, Clone)]
pub enum Login {
    /// IAM Identity Center: `AssumeRoleWithSAML` into an `AWSReservedSSO_*` role.
    Sso,
    /// An IAM user with a long-term access key.
    IamUser {
        account: usize,
        user_id: String,
        key: String,
    },
}

/// What a work session starts from.
#[derive(Debug, Clone, Copy)]
pub enum Start {
    Saml { role: usize },
    AccessKey,
}

/// One step of a work session.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// About `mean` API calls (scaled) from the mix, with the current credentials.
    Calls { mix: Mix, mean: f64 },
    /// Role chaining: `AssumeRole` with the current credentials, then use the new ones.
    Assume {
        role: usize,
        source_identity: Option<&'static str>,
    },
    /// An `AssumeRole` that is denied: an attempt, never a hop.
    Denied { role: usize },
    /// Go back to the credentials before the last `Assume`.
    Pop,
    /// `AssumeRoleWithSAML` through IAM Identity Center (the person's sign-in).
    Saml { role: usize },
    /// `AssumeRoleWithWebIdentity` with a GitHub Actions OIDC token.
    WebIdentity { role: usize },
    /// `AssumeRole` by a principal of the (uncollected) vendor account.
    FromVendor { role: usize },
}

/// A weighted work-session plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub weight: f64,
    pub start: Start,
    pub steps: Vec<Step>,
}

/// A person: how they sign in, where from, with what tools, when, and what they do.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: &'static str,
    pub login: Login,
    /// Their usual addresses (a few per range) with weights.
    pub addresses: Vec<(String, f64)>,
    /// Where they go on an occasional trip.
    pub travel: Option<usize>,
    pub uas: Vec<(Ua, f64)>,
    /// Offset of their working day from UTC, hours.
    pub utc_offset_h: i64,
    pub sessions_per_workday: f64,
    pub plans: Vec<Plan>,
    /// First day they work in the data.
    pub active_from_ms: i64,
    pub region: usize,
}

/// An EC2 instance with an instance profile.
#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub role: usize,
    pub region: usize,
    /// The NAT gateway's public address its API calls come from.
    pub public_ip: String,
    pub private_ip: String,
    pub eni: String,
    pub calls_per_hour: f64,
    pub mix: Mix,
}

/// A Lambda function and its execution role.
#[derive(Debug, Clone)]
pub struct Function {
    pub name: &'static str,
    pub role: usize,
    pub region: usize,
    pub calls_per_hour: f64,
    pub mix: Mix,
}

/// The whole organisation.
#[derive(Debug, Clone)]
pub struct Org {
    pub accounts: Vec<Account>,
    pub roles: Vec<Role>,
    pub people: Vec<Person>,
    pub instances: Vec<Instance>,
    pub functions: Vec<Function>,
    /// The IAM Identity Center SAML provider name (per organisation).
    pub saml_provider: String,
    /// The SAML identity provider's ID as CloudTrail shows it in `SAMLUser` principal IDs.
    pub saml_idp: String,
    pub vendor_principal: String,
}

impl Org {
    /// The `userIdentity` a person's own calls show: their IAM user with its long-term key, or
    /// (for Identity Center people) the SAML user.
    pub fn person_actor(&self, p: usize) -> Actor<'_> {
        let person = &self.people[p];
        match &person.login {
            Login::IamUser {
                account,
                user_id,
                key,
            } => Actor::IamUser {
                account_id: self.account_id(*account),
                name: person.name,
                user_id,
                key,
            },
            Login::Sso => Actor::Saml { user: person.name },
        }
    }

    /// Index of the role `name` in account `account`. Panics only on a generator bug (a role
    /// referenced by the plans below but never created), so it is an internal invariant.
    pub fn role(&self, account: usize, name: &str) -> usize {
        self.roles
            .iter()
            .position(|r| r.account == account && r.name == name)
            .unwrap_or_else(|| panic!("generator bug: no role {name} in account {account}"))
    }

    pub fn role_arn(&self, role: usize) -> String {
        let r = &self.roles[role];
        format!(
            "arn:aws:iam::{}:role{}{}",
            self.accounts[r.account].id, r.path, r.name
        )
    }

    pub fn account_id(&self, account: usize) -> &str {
        &self.accounts[account].id
    }

    /// The SAML provider ARN in `account`, as `requestParameters.principalArn` names it.
    pub fn saml_provider_arn(&self, account: usize) -> String {
        format!(
            "arn:aws:iam::{}:saml-provider/{}",
            self.accounts[account].id, self.saml_provider
        )
    }

    pub fn person(&self, name: &str) -> usize {
        self.people.iter().position(|p| p.name == name).unwrap_or(0)
    }
}

/// Builds the organisation for `accounts` accounts (at least 5) from `rng`.
pub fn build(rng: &mut Rng, accounts: usize) -> Org {
    let mut accts = vec![
        acct("123456789012", "management", true),
        acct("444455556666", "security", true),
        acct("111122223333", "prod", true),
        acct("777788889999", "dev", true),
        acct("999988887777", "vendor", false),
    ];
    for n in 5..accounts.max(5) {
        let id = format!("3{:011}", rng.next_u64() % 100_000_000_000);
        accts.push(acct(&id, &format!("workload-{}", n - 4), true));
    }
    let mut roles = Vec::new();
    let mut add = |account: usize, name: String, path: &'static str, rng: &mut Rng| {
        roles.push(Role {
            account,
            name,
            path,
            id: rng.aws_id("AROA", 17),
        });
    };
    let sso = |set: &str, rng: &mut Rng| format!("AWSReservedSSO_{set}_{}", rng.hex(16));
    add(PROD, SARA_ROLE.into(), SSO_PATH, rng);
    for name in ["DemoRole1", "BreakGlass"] {
        add(PROD, name.into(), "/", rng);
    }
    add(PROD, "NetworkAdmin".into(), "/ops/", rng);
    add(PROD, "web-app-role".into(), "/app/", rng);
    add(PROD, "batch-worker-role".into(), "/app/", rng);
    add(PROD, "order-processor-role".into(), "/service-role/", rng);
    add(PROD, "TerraformDeploy".into(), "/ci/", rng);
    add(PROD, "prod-db-migrator".into(), "/ci/", rng);
    add(PROD, "VendorMonitoringRole".into(), "/external/", rng);
    add(PROD, "ForensicsReadOnly".into(), "/security/", rng);
    add(PROD, "SnapshotExporter".into(), "/security/", rng);
    let prod_ro = sso("ReadOnlyAccess", rng);
    add(PROD, prod_ro.clone(), SSO_PATH, rng);
    let mgmt_billing = sso("Billing", rng);
    add(MANAGEMENT, mgmt_billing.clone(), SSO_PATH, rng);
    add(MANAGEMENT, "OrganizationAccountAccessRole".into(), "/", rng);
    add(MANAGEMENT, "ReadOnlyAuditor".into(), "/audit/", rng);
    let sec_audit = sso("SecurityAudit", rng);
    add(SECURITY, sec_audit.clone(), SSO_PATH, rng);
    add(SECURITY, "SecurityEngineer".into(), "/security/", rng);
    add(
        SECURITY,
        "SecurityScannerRole".into(),
        "/service-role/",
        rng,
    );
    let dev_power = sso("PowerUserAccess", rng);
    add(DEV, dev_power.clone(), SSO_PATH, rng);
    add(DEV, "GitHubActionsDeploy".into(), "/ci/", rng);
    add(DEV, "dev-builder-role".into(), "/app/", rng);
    add(DEV, "thumbnailer-role".into(), "/service-role/", rng);
    for (i, a) in accts.iter().enumerate() {
        if a.collected {
            add(i, "SecurityAudit".into(), "/security/", rng);
        }
        if i > VENDOR {
            add(i, "app-role".into(), "/app/", rng);
        }
    }
    let mut org = Org {
        accounts: accts,
        roles,
        people: Vec::new(),
        instances: Vec::new(),
        functions: Vec::new(),
        saml_provider: format!("AWSSSO_{}_DO_NOT_DELETE", rng.hex(16)),
        saml_idp: format!("{}=", rng.alnum(27)),
        vendor_principal: rng.aws_id("AIDA", 17),
    };
    org.people = super::people::build(rng, &org, &prod_ro, &mgmt_billing, &sec_audit, &dev_power);
    build_workloads(rng, &mut org);
    org
}

/// `_name` documents which account is which; only the ID appears in logs.
fn acct(id: &str, _name: &str, collected: bool) -> Account {
    Account {
        id: id.into(),
        collected,
    }
}

fn build_workloads(rng: &mut Rng, org: &mut Org) {
    let mut instances = Vec::new();
    let mut add = |rng: &mut Rng, role: usize, region: usize, rate: f64, mix: Mix| {
        let nat = if region == 1 {
            geo::NAT_US_WEST_2
        } else {
            geo::NAT_US_EAST_1
        };
        instances.push(Instance {
            id: rng.instance_id(),
            role,
            region,
            public_ip: geo::address(rng, nat),
            private_ip: format!(
                "10.{}.{}.{}",
                rng.range(0, 4),
                rng.range(0, 255),
                rng.range(4, 250)
            ),
            eni: format!("eni-0{}", rng.hex(16)),
            calls_per_hour: rate,
            mix,
        });
    };
    let web = org.role(PROD, "web-app-role");
    let batch = org.role(PROD, "batch-worker-role");
    let builder = org.role(DEV, "dev-builder-role");
    for _ in 0..4 {
        add(rng, web, 0, 6.0, Mix::WebApp);
    }
    for _ in 0..2 {
        add(rng, batch, 1, 4.0, Mix::Batch);
    }
    for _ in 0..2 {
        add(rng, builder, 0, 3.0, Mix::Builder);
    }
    for a in VENDOR + 1..org.accounts.len() {
        let role = org.role(a, "app-role");
        add(rng, role, [0, 2][a % 2], 3.0, Mix::WebApp);
    }
    org.instances = instances;
    org.functions = vec![
        Function {
            name: "order-processor",
            role: org.role(PROD, "order-processor-role"),
            region: 0,
            calls_per_hour: 8.0,
            mix: Mix::Lambda,
        },
        Function {
            name: "thumbnailer",
            role: org.role(DEV, "thumbnailer-role"),
            region: 1,
            calls_per_hour: 2.0,
            mix: Mix::Lambda,
        },
        Function {
            name: "security-scanner",
            role: org.role(SECURITY, "SecurityScannerRole"),
            region: 0,
            calls_per_hour: 1.0,
            mix: Mix::Scanner,
        },
    ];
}

/// The day sara first uses her SSO role (DESIGN: "first observed months earlier (October)").
pub fn sara_since() -> i64 {
    utc(2026, 10, 6, 0, 0, 0)
}
