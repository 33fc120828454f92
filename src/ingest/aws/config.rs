//! The sources file (`$XDG_CONFIG_HOME/rolecall/sources.toml`, else
//! `~/.config/rolecall/sources.toml`): what `rolecall sync` with no arguments, and the
//! console's sync key, run. Read into a `SyncPlan`; never written (the user's file is theirs).
//! A mistyped key fails loudly, naming it.
//!
//! ```toml
//! profiles = ["prod-readonly", "dev-readonly"]   # every source, unless it names its own
//!
//! [cloudtrail]
//! regions = ["us-east-1", "eu-west-1"]           # or: all_regions = true
//! since = "7d"                                   # or: from = "2026-10-01", to = "2026-10-08"
//! lookup = "Username=sara"                       # optional
//!
//! [[s3]]
//! bucket = "org-cloudtrail-logs"
//! prefix = "trails"                              # the trail's key prefix, if any
//! profile = "log-archive"
//! accounts = ["111122223333"]                    # default: every account in the bucket
//! regions = ["us-east-1"]                        # default: every region found
//! since = "30d"
//!
//! [guardduty]
//! regions = ["us-east-1"]
//! ```

use std::path::{Path, PathBuf};

use super::plan::{
    CloudTrailSource, GuardDutySource, Lookup, Regions, S3Source, Source, SyncPlan, parse_window,
};
use crate::model::DAY_MS;

/// `--since` when a CloudTrail source gives none: a week (LookupEvents keeps 90 days).
pub const CLOUDTRAIL_DEFAULT_SINCE_MS: i64 = 7 * DAY_MS;
/// `--since` when an S3 source gives none.
pub const S3_DEFAULT_SINCE_MS: i64 = 30 * DAY_MS;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profiles: Vec<String>,
    endpoint_url: Option<String>,
    cloudtrail: Option<CloudTrailEntry>,
    #[serde(default)]
    s3: Vec<S3Entry>,
    guardduty: Option<GuardDutyEntry>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CloudTrailEntry {
    profiles: Option<Vec<String>>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    all_regions: bool,
    since: Option<String>,
    from: Option<String>,
    to: Option<String>,
    lookup: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct S3Entry {
    bucket: String,
    prefix: Option<String>,
    profile: Option<String>,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
    since: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GuardDutyEntry {
    profiles: Option<Vec<String>>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    all_regions: bool,
}

/// Where the sources file is looked for.
pub fn sources_path() -> PathBuf {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    config.join("rolecall").join("sources.toml")
}

/// Reads the sources file at `path` into a plan (default limits, the real transport).
pub fn load_sources(path: &Path) -> Result<SyncPlan, String> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "no sources file at {} (give a source: `rolecall sync cloudtrail|s3|guardduty …`, \
             or write that file: the README shows one)",
            path.display()
        ),
        _ => format!("{}: {e}", path.display()),
    })?;
    parse_sources(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses a sources file's text.
pub fn parse_sources(text: &str) -> Result<SyncPlan, String> {
    let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let mut sources = Vec::new();
    let profiles_or = |own: Option<Vec<String>>| own.unwrap_or_else(|| file.profiles.clone());
    if let Some(c) = file.cloudtrail {
        sources.push(Source::CloudTrail(CloudTrailSource {
            profiles: profiles_or(c.profiles),
            regions: regions(c.regions, c.all_regions),
            window: parse_window(
                c.since.as_deref(),
                c.from.as_deref(),
                c.to.as_deref(),
                CLOUDTRAIL_DEFAULT_SINCE_MS,
            )
            .map_err(|e| format!("[cloudtrail]: {e}"))?,
            lookup: c
                .lookup
                .as_deref()
                .map(Lookup::parse)
                .transpose()
                .map_err(|e| format!("[cloudtrail] lookup: {e}"))?,
        }));
    }
    for s in file.s3 {
        let window = parse_window(
            s.since.as_deref(),
            s.from.as_deref(),
            s.to.as_deref(),
            S3_DEFAULT_SINCE_MS,
        )
        .map_err(|e| format!("[[s3]] {}: {e}", s.bucket))?;
        sources.push(Source::S3(S3Source {
            profile: s.profile.or_else(|| file.profiles.first().cloned()),
            bucket: s.bucket,
            prefix: s.prefix,
            accounts: s.accounts,
            regions: s.regions,
            window,
        }));
    }
    if let Some(g) = file.guardduty {
        sources.push(Source::GuardDuty(GuardDutySource {
            profiles: profiles_or(g.profiles),
            regions: regions(g.regions, g.all_regions),
        }));
    }
    if sources.is_empty() {
        return Err("no source: add a [cloudtrail], [[s3]] or [guardduty] table".into());
    }
    Ok(SyncPlan {
        sources,
        endpoint_url: file.endpoint_url,
        ..SyncPlan::default()
    })
}

fn regions(list: Vec<String>, all: bool) -> Regions {
    if all {
        Regions::All
    } else if list.is_empty() {
        Regions::Default
    } else {
        Regions::List(list)
    }
}

/// What a plan would run, one line per source (`--print-config`).
pub fn describe(plan: &SyncPlan) -> Vec<String> {
    let mut out = Vec::new();
    let profiles = |p: &[String]| {
        if p.is_empty() {
            "default credentials".to_string()
        } else {
            format!("profiles {}", p.join(", "))
        }
    };
    let regions = |r: &Regions| match r {
        Regions::Default => "the profile's region".to_string(),
        Regions::List(l) => format!("regions {}", l.join(", ")),
        Regions::All => "every enabled region".to_string(),
    };
    for s in &plan.sources {
        out.push(match s {
            Source::CloudTrail(c) => format!(
                "cloudtrail: LookupEvents, {}, {}, {}{}",
                profiles(&c.profiles),
                regions(&c.regions),
                c.window.describe(),
                c.lookup
                    .as_ref()
                    .map(|l| format!(", only {}", l.text()))
                    .unwrap_or_default()
            ),
            Source::S3(b) => format!(
                "s3: s3://{}/{}AWSLogs/, {}, accounts {}, regions {}, {}",
                b.bucket,
                b.prefix
                    .as_deref()
                    .map(|p| format!("{}/", p.trim_matches('/')))
                    .unwrap_or_default(),
                b.profile
                    .as_deref()
                    .map_or("default credentials".to_string(), |p| format!(
                        "profile {p}"
                    )),
                if b.accounts.is_empty() {
                    "all".to_string()
                } else {
                    b.accounts.join(", ")
                },
                if b.regions.is_empty() {
                    "all".to_string()
                } else {
                    b.regions.join(", ")
                },
                b.window.describe()
            ),
            Source::GuardDuty(g) => format!(
                "guardduty: every detector's findings, {}, {}",
                profiles(&g.profiles),
                regions(&g.regions)
            ),
        });
    }
    if let Some(url) = &plan.endpoint_url {
        out.push(format!("endpoint: {url}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::aws::plan::Window;

    #[test]
    fn a_sources_file_gives_every_source_its_profiles_regions_and_window() {
        let plan = parse_sources(
            r#"
            profiles = ["prod", "dev"]
            [cloudtrail]
            regions = ["us-east-1", "eu-west-1"]
            since = "3d"
            lookup = "Username=sara"
            [[s3]]
            bucket = "org-trail"
            prefix = "trails/"
            [guardduty]
            all_regions = true
            profiles = ["security"]
            "#,
        )
        .expect("parses");
        assert_eq!(plan.sources.len(), 3);
        let Source::CloudTrail(c) = &plan.sources[0] else {
            panic!("cloudtrail first");
        };
        assert_eq!(c.profiles, ["prod", "dev"]);
        assert_eq!(c.window, Window::Since(3 * DAY_MS));
        assert_eq!(
            c.lookup.as_ref().map(Lookup::text).as_deref(),
            Some("Username=sara")
        );
        let Source::S3(b) = &plan.sources[1] else {
            panic!("s3 second");
        };
        // An S3 source is read with one profile: its own, else the first.
        assert_eq!(b.profile.as_deref(), Some("prod"));
        assert_eq!(b.window, Window::Since(S3_DEFAULT_SINCE_MS));
        let Source::GuardDuty(g) = &plan.sources[2] else {
            panic!("guardduty third");
        };
        assert_eq!(g.regions, Regions::All);
        assert_eq!(g.profiles, ["security"]);
        let lines = describe(&plan);
        assert!(
            lines[1].starts_with("s3: s3://org-trail/trails/AWSLogs/"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_mistyped_key_is_named() {
        let e = parse_sources("[cloudtrail]\nregion = [\"us-east-1\"]\n").expect_err("fails");
        assert!(e.contains("region"), "{e}");
    }

    #[test]
    fn a_file_without_sources_says_what_to_add() {
        assert!(parse_sources("profiles = [\"p\"]\n").is_err());
    }
}
