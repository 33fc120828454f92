//! Source IPs as places and networks: each address located once (the organisation's ranges
//! first, then the databases; service names and private addresses never placed), and the keys
//! two places or two autonomous-system organisations are compared by.

use std::collections::HashMap;

use rusqlite::Connection;

use super::super::Result;
use crate::geo::{Geo, Located, Network, Place};
use crate::store::load_string;

/// One `sourceIPAddress` value and what is known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    pub text: String,
    pub located: Located,
}

impl Address {
    /// Where it is on a map, when anything says so.
    pub fn place(&self) -> Option<&Place> {
        match &self.located {
            Located::Found { place, .. } => place.as_ref(),
            _ => None,
        }
    }

    /// Who routes it, when anything says so.
    pub fn network(&self) -> Option<&Network> {
        match &self.located {
            Located::Found { network, .. } => network.as_ref(),
            _ => None,
        }
    }

    /// An address no source could place (no database, or none covers it).
    pub fn unplaced(&self) -> bool {
        matches!(self.located, Located::NoDatabase | Located::Unknown)
    }
}

/// Two places are the same place when country, region and city agree (coordinates differ
/// between sources for one city).
pub type PlaceKey = (Option<String>, Option<String>, Option<String>);

pub fn place_key(p: &Place) -> PlaceKey {
    (p.country.clone(), p.region.clone(), p.city.clone())
}

/// An autonomous-system organisation is known by its name (one organisation may route several
/// AS numbers), else by its number.
pub fn aso_key(n: &Network) -> Option<String> {
    n.organisation
        .clone()
        .or_else(|| n.asn.map(|a| format!("AS{a}")))
}

/// Addresses by `strings.id`, each located once.
pub struct Addresses<'g> {
    geo: &'g Geo,
    known: HashMap<i64, Option<Address>>,
}

impl<'g> Addresses<'g> {
    pub fn new(geo: &'g Geo) -> Addresses<'g> {
        Addresses {
            geo,
            known: HashMap::new(),
        }
    }

    /// The address a source-IP value names (`None` for no value).
    pub fn get(&mut self, conn: &Connection, value: i64) -> Result<Option<&Address>> {
        if !self.known.contains_key(&value) {
            let found = if value == 0 {
                None
            } else {
                load_string(conn, value)?.map(|text| Address {
                    located: self.geo.locate(&text),
                    text,
                })
            };
            self.known.insert(value, found);
        }
        Ok(self.known.get(&value).and_then(Option::as_ref))
    }

    /// How many of the addresses looked at no source could place.
    pub fn unplaced(&self) -> usize {
        self.known
            .values()
            .flatten()
            .filter(|a| a.unplaced())
            .count()
    }
}
