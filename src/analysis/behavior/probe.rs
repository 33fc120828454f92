//! Whether a value was seen in the baseline, from the roll-ups and as little else as possible.
//!
//! One value of one entity (`rollup_seen`: first and last call, all time): first seen in or
//! after the scope, it is not in the baseline; first seen inside the baseline, it is; last seen
//! before it, it is not. Only a value seen both before and after the baseline's start needs
//! more: the baseline's whole days (`rollup_days`, read once per dimension), then the hours at
//! the baseline's two ends (the entity's events, or an account's hourly roll-up, read once).
//! A target made of several entities had a value in its baseline when any of them did.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::super::Result;
use super::window::Window;
use crate::store::{self, Counts, Dim, Entity, Seen};

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The dimensions the behavior panels compare, in the order edge counts come back.
pub const DIMS: [Dim; 4] = [Dim::Api, Dim::SourceIp, Dim::UserAgent, Dim::Region];

fn dim_index(dim: Dim) -> usize {
    DIMS.iter().position(|d| *d == dim).unwrap_or(0)
}

/// Baseline look-ups for a set of entities, caching what it reads.
pub struct Probe<'c> {
    conn: &'c Connection,
    entities: Vec<Entity>,
    window: Window,
    seen: Map<(usize, Dim, i64), Option<Seen>>,
    days: Map<(usize, Dim), Map<i64, Counts>>,
    edges: Map<usize, Vec<Map<i64, Counts>>>,
}

impl<'c> Probe<'c> {
    pub fn new(conn: &'c Connection, entities: Vec<Entity>, window: Window) -> Probe<'c> {
        Probe {
            conn,
            entities,
            window,
            seen: Map::default(),
            days: Map::default(),
            edges: Map::default(),
        }
    }

    fn seen(&mut self, i: usize, dim: Dim, value: i64) -> Result<Option<Seen>> {
        if let Some(s) = self.seen.get(&(i, dim, value)) {
            return Ok(*s);
        }
        let s = store::load_seen_value(self.conn, self.entities[i], dim, value)?;
        self.seen.insert((i, dim, value), s);
        Ok(s)
    }

    /// Entity `i`'s values of `dim` over the baseline's whole days.
    fn day_values(&mut self, i: usize, dim: Dim) -> Result<&Map<i64, Counts>> {
        if !self.days.contains_key(&(i, dim)) {
            let mut values = Map::default();
            if let Some((from, to)) = self.window.whole_days() {
                for (v, c) in store::load_rollup_days(self.conn, self.entities[i], dim, from, to)? {
                    values.insert(v, c);
                }
            }
            self.days.insert((i, dim), values);
        }
        Ok(&self.days[&(i, dim)])
    }

    /// Entity `i`'s values of every dimension in the baseline's hours outside whole days.
    fn edge_values(&mut self, i: usize, dim: Dim) -> Result<&Map<i64, Counts>> {
        if !self.edges.contains_key(&i) {
            let (_, parts) = store::split_days(self.window.baseline());
            let counts = store::load_edge_counts(self.conn, self.entities[i], &parts, &DIMS)?;
            self.edges.insert(i, counts);
        }
        Ok(&self.edges[&i][dim_index(dim)])
    }

    /// Whether entity `i`, whose row for the value is `seen`, called with it in the baseline.
    fn member_had(&mut self, i: usize, dim: Dim, seen: Option<Seen>) -> Result<bool> {
        let Some(s) = seen else {
            return Ok(false);
        };
        let base = self.window.baseline();
        if s.first_ms >= base.end_ms || s.last_ms < base.start_ms {
            return Ok(false);
        }
        if s.first_ms >= base.start_ms {
            return Ok(true);
        }
        let present = |m: &Map<i64, Counts>| m.get(&s.value).is_some_and(|c| c.total() > 0);
        if present(self.day_values(i, dim)?) {
            return Ok(true);
        }
        Ok(present(self.edge_values(i, dim)?))
    }

    /// Whether any of the entities called with `value` of `dim` in the baseline.
    pub fn in_baseline(&mut self, dim: Dim, value: i64) -> Result<bool> {
        for i in 0..self.entities.len() {
            let seen = self.seen(i, dim, value)?;
            if self.member_had(i, dim, seen)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Every value of `dim` the entities called with in the baseline.
    pub fn baseline_values(&mut self, dim: Dim) -> Result<HashSet<i64>> {
        let mut out = HashSet::new();
        for i in 0..self.entities.len() {
            for s in store::load_rollup_seen(self.conn, self.entities[i], dim)? {
                if !out.contains(&s.value) && self.member_had(i, dim, Some(s))? {
                    out.insert(s.value);
                }
            }
        }
        Ok(out)
    }

    /// Calls per value of `dim` over the baseline's whole days, all entities summed.
    pub fn whole_day_counts(&mut self, dim: Dim) -> Result<Map<i64, i64>> {
        let mut out: Map<i64, i64> = Map::default();
        for i in 0..self.entities.len() {
            for (v, c) in self.day_values(i, dim)? {
                *out.entry(*v).or_default() += c.total();
            }
        }
        Ok(out)
    }

    /// The first call with `value` of `dim` inside the scope, over all entities.
    pub fn first_in_scope(&mut self, dim: Dim, value: i64) -> Result<Option<i64>> {
        let scope = self.window.scope;
        let mut first: Option<i64> = None;
        for i in 0..self.entities.len() {
            let Some(s) = self.seen(i, dim, value)? else {
                continue;
            };
            if s.first_ms >= scope.end_ms || s.last_ms < scope.start_ms {
                continue;
            }
            let t = if s.first_ms >= scope.start_ms {
                // All-time first, and inside the scope: nothing to read.
                Some(s.first_ms)
            } else {
                store::load_first_call_with(self.conn, self.entities[i], dim, value, scope)?
            };
            first = match (first, t) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(first)
    }
}
