//! One MaxMind-format database (City or ASN), read whole into memory by the `maxminddb` crate
//! and probed once at opening, so a broken file is an error naming it rather than a failure in
//! the middle of an analysis.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use maxminddb::{Reader, geoip2};

use super::{GeoError, Network, Place};

pub(super) struct Db {
    pub(super) path: PathBuf,
    reader: Reader<Vec<u8>>,
}

impl Db {
    pub(super) fn open(path: &Path) -> Result<Db, GeoError> {
        let broken = |reason: String| GeoError::BrokenDatabase {
            path: path.to_path_buf(),
            reason,
        };
        if let Err(e) = std::fs::metadata(path) {
            return Err(GeoError::Io {
                path: path.to_path_buf(),
                source: e,
            });
        }
        let reader = Reader::open_readfile(path).map_err(|e| broken(e.to_string()))?;
        // A file can open and still be unreadable: decode the first records of its tree
        // (every record of a small file; a sample of a big one, cheap at opening).
        let options = maxminddb::WithinOptions::default();
        for found in reader
            .networks(options)
            .map_err(|e| broken(e.to_string()))?
            .take(64)
        {
            let result = found.map_err(|e| broken(e.to_string()))?;
            result
                .decode::<serde_json::Value>()
                .map_err(|e| broken(e.to_string()))?;
        }
        Ok(Db {
            path: path.to_path_buf(),
            reader,
        })
    }

    pub(super) fn place(&self, ip: IpAddr) -> Option<Place> {
        let city: geoip2::City<'_> = self.reader.lookup(ip).ok()?.decode().ok()??;
        let place = Place {
            city: city.city.names.english.map(str::to_string),
            region: city
                .subdivisions
                .first()
                .and_then(|s| s.iso_code.or(s.names.english))
                .map(str::to_string),
            country: city.country.iso_code.map(str::to_string),
            latitude: city.location.latitude,
            longitude: city.location.longitude,
        };
        let known = place.city.is_some() || place.country.is_some() || place.latitude.is_some();
        known.then_some(place)
    }

    pub(super) fn network(&self, ip: IpAddr) -> Option<Network> {
        let asn: geoip2::Asn<'_> = self.reader.lookup(ip).ok()?.decode().ok()??;
        (asn.autonomous_system_number.is_some() || asn.autonomous_system_organization.is_some())
            .then(|| Network {
                asn: asn.autonomous_system_number,
                organisation: asn.autonomous_system_organization.map(str::to_string),
            })
    }
}
