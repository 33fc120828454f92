//! The people of the organisation: IAM Identity Center users (sara among them), IAM users with
//! access keys, their places, tools, hours, and work-session plans.

use super::apis::Mix;
use super::clock::{WINDOW_END_MS, utc};
use super::geo;
use super::org::{
    DEV, Login, MANAGEMENT, Org, PROD, Person, Plan, SARA_ROLE, SECURITY, Start, Step,
};
use super::rng::Rng;
use super::ua::Ua;

fn addresses(rng: &mut Rng, ranges: &[(usize, f64)]) -> Vec<(String, f64)> {
    // A few stable addresses per range: people come back from the same places.
    let mut out = Vec::new();
    for &(r, w) in ranges {
        for _ in 0..3 {
            out.push((geo::address(rng, r), w / 3.0));
        }
    }
    out
}

fn calls(mix: Mix, mean: f64) -> Step {
    Step::Calls { mix, mean }
}

/// Everyone, in a fixed order (sara first).
pub fn build(
    rng: &mut Rng,
    org: &Org,
    prod_ro: &str,
    billing: &str,
    sec_audit: &str,
    dev_power: &str,
) -> Vec<Person> {
    let sara_role = org.role(PROD, SARA_ROLE);
    let demo1 = org.role(PROD, "DemoRole1");
    let network = org.role(PROD, "NetworkAdmin");
    let auditor = org.role(MANAGEMENT, "ReadOnlyAuditor");
    let breakglass = org.role(PROD, "BreakGlass");
    let prod_ro = org.role(PROD, prod_ro);
    let dev_power = org.role(DEV, dev_power);
    let sec_audit = org.role(SECURITY, sec_audit);
    let billing = org.role(MANAGEMENT, billing);
    let window_start = WINDOW_END_MS - 365 * super::clock::DAY;
    let saml = |role| Start::Saml { role };
    let plan = |weight, start, steps| Plan {
        weight,
        start,
        steps,
    };
    let iam = |rng: &mut Rng, account| Login::IamUser {
        account,
        user_id: rng.aws_id("AIDA", 17),
        key: rng.aws_id("AKIA", 16),
    };
    vec![
        Person {
            name: "sara",
            login: Login::Sso,
            addresses: addresses(
                rng,
                &[
                    (geo::BELLEVUE_OFFICE, 0.7),
                    (geo::ASHBURN_CLOUD_DESKTOP, 0.3),
                ],
            ),
            travel: None,
            uas: vec![(Ua::ChromeWindows, 1.0)],
            utc_offset_h: -8,
            sessions_per_workday: 1.2,
            plans: vec![
                plan(0.65, saml(sara_role), vec![calls(Mix::Admin, 12.0)]),
                plan(
                    0.2,
                    saml(sara_role),
                    vec![
                        calls(Mix::Admin, 5.0),
                        Step::Assume {
                            role: demo1,
                            source_identity: None,
                        },
                        calls(Mix::DemoRole, 6.0),
                    ],
                ),
                plan(
                    0.1,
                    saml(sara_role),
                    vec![
                        calls(Mix::Admin, 4.0),
                        Step::Assume {
                            role: network,
                            source_identity: None,
                        },
                        calls(Mix::Network, 5.0),
                    ],
                ),
                plan(
                    0.05,
                    saml(sara_role),
                    vec![
                        calls(Mix::Admin, 3.0),
                        Step::Assume {
                            role: auditor,
                            source_identity: None,
                        },
                        calls(Mix::ReadOnly, 5.0),
                    ],
                ),
            ],
            active_from_ms: super::org::sara_since(),
            region: 0,
        },
        Person {
            name: "bob",
            login: Login::Sso,
            addresses: addresses(rng, &[(geo::SAN_FRANCISCO, 1.0)]),
            travel: Some(geo::LONDON),
            uas: vec![(Ua::CliMac, 0.6), (Ua::SafariMac, 0.4)],
            utc_offset_h: -8,
            sessions_per_workday: 2.0,
            plans: vec![
                plan(0.6, saml(dev_power), vec![calls(Mix::Dev, 15.0)]),
                plan(0.37, saml(prod_ro), vec![calls(Mix::ReadOnly, 10.0)]),
                plan(
                    0.03,
                    saml(prod_ro),
                    vec![calls(Mix::ReadOnly, 3.0), Step::Denied { role: breakglass }],
                ),
            ],
            active_from_ms: window_start,
            region: 1,
        },
        Person {
            name: "li",
            login: Login::Sso,
            addresses: addresses(rng, &[(geo::NEW_YORK, 1.0)]),
            travel: None,
            uas: vec![(Ua::FirefoxLinux, 0.8), (Ua::CliLinux, 0.2)],
            utc_offset_h: -5,
            sessions_per_workday: 1.5,
            plans: vec![
                plan(0.5, saml(sec_audit), vec![calls(Mix::ReadOnly, 12.0)]),
                plan(0.5, saml(prod_ro), vec![calls(Mix::ReadOnly, 10.0)]),
            ],
            active_from_ms: window_start,
            region: 0,
        },
        Person {
            name: "maria",
            login: Login::Sso,
            addresses: addresses(rng, &[(geo::AUSTIN, 1.0)]),
            travel: None,
            uas: vec![(Ua::ChromeWindows, 1.0)],
            utc_offset_h: -6,
            sessions_per_workday: 0.6,
            plans: vec![plan(1.0, saml(billing), vec![calls(Mix::Billing, 8.0)])],
            active_from_ms: window_start,
            region: 0,
        },
        Person {
            name: "carlos",
            login: Login::Sso,
            addresses: addresses(rng, &[(geo::TORONTO, 1.0)]),
            travel: Some(geo::SINGAPORE),
            uas: vec![
                (Ua::CliWindows, 0.5),
                (Ua::Terraform, 0.3),
                (Ua::ChromeWindows, 0.2),
            ],
            utc_offset_h: -5,
            sessions_per_workday: 2.5,
            plans: vec![plan(1.0, saml(dev_power), vec![calls(Mix::Dev, 18.0)])],
            active_from_ms: window_start,
            region: 0,
        },
        Person {
            name: "priya",
            login: Login::Sso,
            addresses: addresses(
                rng,
                &[(geo::AUSTIN, 0.8), (geo::ASHBURN_CLOUD_DESKTOP, 0.2)],
            ),
            travel: None,
            uas: vec![(Ua::CliLinux, 0.7), (Ua::FirefoxLinux, 0.3)],
            utc_offset_h: -6,
            sessions_per_workday: 2.0,
            plans: vec![plan(1.0, saml(dev_power), vec![calls(Mix::Dev, 14.0)])],
            active_from_ms: utc(2026, 9, 1, 0, 0, 0),
            region: 1,
        },
        {
            let login = iam(rng, SECURITY);
            alice(rng, org, login)
        },
        Person {
            name: "terraform-legacy",
            login: iam(rng, DEV),
            addresses: addresses(rng, &[(geo::CI_RUNNERS, 1.0)]),
            travel: None,
            uas: vec![(Ua::Terraform, 1.0)],
            utc_offset_h: 0,
            sessions_per_workday: 0.4,
            plans: vec![plan(1.0, Start::AccessKey, vec![calls(Mix::Deploy, 20.0)])],
            active_from_ms: window_start,
            region: 0,
        },
        Person {
            name: "backup-bot",
            login: iam(rng, MANAGEMENT),
            addresses: addresses(rng, &[(geo::NAT_US_EAST_1, 1.0)]),
            travel: None,
            uas: vec![(Ua::Boto3Linux, 1.0)],
            utc_offset_h: 0,
            sessions_per_workday: 1.0,
            plans: vec![plan(1.0, Start::AccessKey, vec![calls(Mix::Backup, 10.0)])],
            active_from_ms: window_start,
            region: 0,
        },
    ]
}

/// alice, the security engineer: an IAM user whose investigations chain four roles deep across
/// three accounts, with `sourceIdentity` set at the first hop.
fn alice(rng: &mut Rng, org: &Org, login: Login) -> Person {
    let engineer = org.role(SECURITY, "SecurityEngineer");
    let orgaccess = org.role(MANAGEMENT, "OrganizationAccountAccessRole");
    let forensics = org.role(PROD, "ForensicsReadOnly");
    let exporter = org.role(PROD, "SnapshotExporter");
    let si = Some("alice");
    Person {
        name: "alice",
        login,
        addresses: addresses(rng, &[(geo::NEW_YORK, 1.0)]),
        travel: Some(geo::LONDON),
        uas: vec![(Ua::CliLinux, 1.0)],
        utc_offset_h: -5,
        sessions_per_workday: 1.0,
        plans: vec![
            Plan {
                weight: 0.6,
                start: Start::AccessKey,
                steps: vec![
                    calls(Mix::ReadOnly, 3.0),
                    Step::Assume {
                        role: engineer,
                        source_identity: si,
                    },
                    calls(Mix::Security, 8.0),
                ],
            },
            Plan {
                weight: 0.4,
                start: Start::AccessKey,
                steps: vec![
                    Step::Assume {
                        role: engineer,
                        source_identity: si,
                    },
                    calls(Mix::Security, 3.0),
                    Step::Assume {
                        role: orgaccess,
                        source_identity: None,
                    },
                    calls(Mix::ReadOnly, 3.0),
                    Step::Assume {
                        role: forensics,
                        source_identity: None,
                    },
                    calls(Mix::Forensics, 4.0),
                    Step::Assume {
                        role: exporter,
                        source_identity: None,
                    },
                    calls(Mix::Forensics, 3.0),
                ],
            },
        ],
        active_from_ms: WINDOW_END_MS - 365 * super::clock::DAY,
        region: 0,
    }
}
