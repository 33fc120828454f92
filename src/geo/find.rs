//! Where the geolocation sources are: explicit paths, a folder, the config file, the usual
//! system folders (where `geoipupdate` and distribution packages put GeoLite2 files).
//!
//! Precedence, first found wins: `ROLECALL_GEOIP_CITY` / `ROLECALL_GEOIP_ASN` (files),
//! `ROLECALL_GEOIP_DIR` (a folder), the `[geoip]` table of `$XDG_CONFIG_HOME/rolecall/
//! config.toml` (`city`, `asn`, `dir`, `ranges`), then [`SEARCHED_DIRS`]. Range CSVs come from
//! `ROLECALL_IP_RANGES` (paths separated by `:`) and the config's `ranges`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Folders searched for GeoLite2 / GeoIP2 files when nothing says where they are.
pub const SEARCHED_DIRS: &[&str] = &[
    "/usr/share/GeoIP",
    "/var/lib/GeoIP",
    "/usr/local/share/GeoIP",
    "/opt/homebrew/var/GeoIP",
    "/usr/local/var/GeoIP",
];

/// File names of city databases, most precise first.
const CITY_FILES: &[&str] = &["GeoIP2-City.mmdb", "GeoLite2-City.mmdb"];
/// File names of AS databases.
const ASN_FILES: &[&str] = &["GeoIP2-ISP.mmdb", "GeoLite2-ASN.mmdb"];

/// Where to look.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeoConfig {
    pub city: Option<PathBuf>,
    pub asn: Option<PathBuf>,
    pub dir: Option<PathBuf>,
    /// The organisation's range CSVs.
    pub ranges: Vec<PathBuf>,
    /// Whether to search [`SEARCHED_DIRS`] (off in tests).
    pub search_system: bool,
}

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    geoip: GeoSection,
}

#[derive(Debug, Default, Deserialize)]
struct GeoSection {
    city: Option<PathBuf>,
    asn: Option<PathBuf>,
    dir: Option<PathBuf>,
    #[serde(default)]
    ranges: Vec<PathBuf>,
}

/// `$XDG_CONFIG_HOME/rolecall/config.toml`, else `~/.config/rolecall/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("rolecall").join("config.toml"))
}

impl GeoConfig {
    /// From the environment and the config file. A config file that cannot be read or parsed
    /// is an error naming it (a user who wrote one wants to know).
    pub fn from_env() -> Result<GeoConfig, String> {
        let file = match config_path() {
            Some(p) if p.exists() => {
                let text =
                    std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                toml::from_str::<ConfigFile>(&text).map_err(|e| format!("{}: {e}", p.display()))?
            }
            _ => ConfigFile::default(),
        };
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let mut ranges: Vec<PathBuf> = std::env::var_os("ROLECALL_IP_RANGES")
            .map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        ranges.extend(file.geoip.ranges);
        Ok(GeoConfig {
            city: env("ROLECALL_GEOIP_CITY").or(file.geoip.city),
            asn: env("ROLECALL_GEOIP_ASN").or(file.geoip.asn),
            dir: env("ROLECALL_GEOIP_DIR").or(file.geoip.dir),
            ranges,
            search_system: true,
        })
    }

    /// The city and AS databases to open.
    pub fn databases(&self) -> (Option<PathBuf>, Option<PathBuf>) {
        let mut dirs: Vec<&Path> = self.dir.iter().map(PathBuf::as_path).collect();
        if self.search_system {
            dirs.extend(SEARCHED_DIRS.iter().map(Path::new));
        }
        let find = |names: &[&str]| {
            dirs.iter()
                .flat_map(|d| names.iter().map(move |n| d.join(n)))
                .find(|p| p.is_file())
        };
        (
            self.city.clone().or_else(|| find(CITY_FILES)),
            self.asn.clone().or_else(|| find(ASN_FILES)),
        )
    }
}

/// What to tell a user who has no database.
pub fn how_to_add() -> String {
    format!(
        "no geolocation database: put GeoLite2-City.mmdb and GeoLite2-ASN.mmdb (free from MaxMind, \
         or `geoipupdate`) in one of {} or in $ROLECALL_GEOIP_DIR, or name them in \
         ~/.config/rolecall/config.toml under [geoip]; your own ranges go in a CSV \
         (network,country,region,city,latitude,longitude,asn,as_org) named by $ROLECALL_IP_RANGES",
        SEARCHED_DIRS.join(", ")
    )
}
