//! Writes: ingest runs, and transactions of whole inputs (one or many) for their events,
//! findings, flow records and rejects. An input is either wholly in the cache or not at all, so
//! a killed ingest leaves nothing half-written and the next run completes it without
//! duplicates. A reject is recorded once per input content, position and reason: re-reading
//! the same bad input counts its rejects again but stores none twice.

use rusqlite::{Connection, OptionalExtension, Statement, params};

use super::intern::Interner;
use super::raw::{BlockBuilder, EventBlock, insert_compressed_block, raw_ref};
use super::{Result, Store, event_id_hash};
use crate::model::{DAY_MS, Event, Finding, FlowRecord, UserType};

/// What became of one record offered to the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    New,
    Duplicate,
    /// A different event ID with the same 64-bit hash: not stored; the caller rejects it.
    HashCollision,
}

/// Counts for a run or a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunTotals {
    pub files: u64,
    pub events_new: u64,
    pub events_dup: u64,
    pub findings_new: u64,
    pub findings_dup: u64,
    pub flows_new: u64,
    pub flows_dup: u64,
    /// Rejects found (records, inputs, tree entries), recorded now or before.
    pub rejected: u64,
    /// Of those, the ones an earlier run had already recorded for the same content.
    pub rejects_already_recorded: u64,
}

impl RunTotals {
    pub fn add(&mut self, other: &RunTotals) {
        self.files += other.files;
        self.events_new += other.events_new;
        self.events_dup += other.events_dup;
        self.findings_new += other.findings_new;
        self.findings_dup += other.findings_dup;
        self.flows_new += other.flows_new;
        self.flows_dup += other.flows_dup;
        self.rejected += other.rejected;
        self.rejects_already_recorded += other.rejects_already_recorded;
    }

    fn records_new(&self) -> u64 {
        self.events_new + self.findings_new + self.flows_new
    }

    fn records_dup(&self) -> u64 {
        self.events_dup + self.findings_dup + self.flows_dup
    }
}

#[derive(Default, Clone, Copy)]
struct DayCount {
    events: i64,
    first_ms: i64,
    last_ms: i64,
}

impl Store {
    /// Records the start of an ingest run; returns its id.
    pub fn insert_run(&self, paths: &str, started_ms: i64) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO ingest_runs (started_ms, paths) VALUES (?1, ?2)",
            params![started_ms, paths],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records the end of an ingest run with its totals.
    pub fn finish_run(&self, run_id: i64, finished_ms: i64, t: &RunTotals) -> Result<()> {
        self.conn.execute(
            "UPDATE ingest_runs SET finished_ms = ?2, files = ?3, events_new = ?4, events_dup = ?5,
                 findings = ?6, flows = ?7, rejected = ?8 WHERE id = ?1",
            params![
                run_id,
                finished_ms,
                t.files as i64,
                t.events_new as i64,
                t.events_dup as i64,
                t.findings_new as i64,
                t.flows_new as i64,
                t.rejected as i64
            ],
        )?;
        Ok(())
    }

    /// Starts a transaction for one file.
    pub fn file_writer(&mut self, run_id: i64, file: &str, format: &str) -> Result<FileWriter<'_>> {
        let mut w = self.batch_writer(run_id)?;
        w.next_file(file, format, None)?;
        Ok(w)
    }

    /// Starts a transaction for a group of files (`next_file` before each). Grouping many small
    /// files in one transaction saves a commit per file (CloudTrail writes thousands of files of
    /// a few events each); a group is still all-or-nothing, so a killed ingest loses no committed
    /// group and the next run redoes the rest.
    pub fn batch_writer(&mut self, run_id: i64) -> Result<FileWriter<'_>> {
        let Store { conn, interner, .. } = self;
        // Prepared once per transaction, not looked up per row in the statement cache (which
        // hashes the SQL text every time).
        let insert_event = conn.prepare(INSERT_EVENT)?;
        let insert_file = conn.prepare(INSERT_FILE)?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let next_block: i64 =
            match conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM raw_blocks", [], |r| {
                r.get(0)
            }) {
                Ok(n) => n,
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(e.into());
                }
            };
        Ok(FileWriter {
            conn,
            interner,
            insert_event,
            insert_file,
            run_id,
            file: None,
            files: 0,
            block: BlockBuilder::default(),
            next_block,
            days: foldhash::HashMap::default(),
            totals: RunTotals::default(),
            done: false,
        })
    }
}

/// The file being written inside a transaction.
struct OpenFile {
    path: String,
    format: String,
    size: Option<u64>,
    records_at_start: u64,
    rejected_at_start: u64,
    /// The first reject row written for this file.
    first_reject: Option<i64>,
    content_key: Option<[u8; 16]>,
}

/// An open transaction for one file or a group of files. Dropped without `commit`, it rolls
/// back.
pub struct FileWriter<'a> {
    conn: &'a Connection,
    interner: &'a mut Interner,
    insert_event: Statement<'a>,
    insert_file: Statement<'a>,
    run_id: i64,
    file: Option<OpenFile>,
    files: u64,
    block: BlockBuilder,
    next_block: i64,
    days: foldhash::HashMap<(Option<i64>, Option<i64>, i64), DayCount>,
    totals: RunTotals,
    done: bool,
}

impl FileWriter<'_> {
    /// Counts so far in this transaction.
    pub fn totals(&self) -> RunTotals {
        self.totals
    }

    /// Ends the current file (if any) and starts the next; rejects are recorded against it.
    pub fn next_file(&mut self, path: &str, format: &str, size: Option<u64>) -> Result<()> {
        self.finish_file(None)?;
        self.file = Some(OpenFile {
            path: path.to_string(),
            format: format.to_string(),
            size,
            records_at_start: self.totals.records_new() + self.totals.records_dup(),
            rejected_at_start: self.totals.rejected,
            first_reject: None,
            content_key: None,
        });
        Ok(())
    }

    /// Ends the current file: `records` good records found in it, and the key of its content.
    /// Its rejects are filed under that key; those an earlier run already recorded for the same
    /// content and position are dropped (and counted as such).
    pub fn end_file(&mut self, records: u64, content_key: &[u8; 16]) -> Result<()> {
        let Some(f) = self.file.as_mut() else {
            return Ok(());
        };
        if let Some(first) = f.first_reject {
            // Only a file with rejects needs its key kept (a run's summary finds them by it).
            f.content_key = Some(*content_key);
            let key = &content_key[..];
            self.conn
                .prepare_cached(
                    "UPDATE OR IGNORE rejects SET content_key = ?1
                     WHERE id >= ?2 AND content_key IS NULL",
                )?
                .execute(params![key, first])?;
            let known = self
                .conn
                .prepare_cached("DELETE FROM rejects WHERE id >= ?1 AND content_key IS NULL")?
                .execute([first])?;
            self.totals.rejects_already_recorded += known as u64;
        }
        self.finish_file(Some(records))
    }

    /// The current file's size on disk, recorded with its file row.
    pub fn set_size(&mut self, size: u64) {
        if let Some(f) = &mut self.file {
            f.size = Some(size);
        }
    }

    /// Writes the current file's row. `records` is how many good records the reader found in
    /// it (their new / duplicate split is counted per transaction: blocks span files); without
    /// it, the records this writer saw since the file started.
    pub fn finish_file(&mut self, records: Option<u64>) -> Result<()> {
        let Some(f) = self.file.take() else {
            return Ok(());
        };
        let seen = self.totals.records_new() + self.totals.records_dup() - f.records_at_start;
        self.insert_file.execute(params![
            self.run_id,
            f.path,
            f.format,
            f.size.map(|s| s as i64),
            records.unwrap_or(seen) as i64,
            (self.totals.rejected - f.rejected_at_start) as i64,
            f.content_key.as_ref().map(|k| &k[..]),
        ])?;
        self.files += 1;
        Ok(())
    }

    /// Inserts one event unless its `eventID` is already cached. Its original record joins the
    /// block being built here.
    pub fn insert_event(&mut self, ev: &Event) -> Result<Inserted> {
        let inserted = self.insert_row(ev, raw_ref(self.next_block, self.block.len()))?;
        if inserted == Inserted::New {
            self.block.push(ev.raw.as_bytes());
            if self.block.is_full() {
                self.block.flush(self.conn, self.next_block)?;
                self.next_block += 1;
            }
        }
        Ok(inserted)
    }

    /// Inserts a block of events whose original records were compressed together beforehand
    /// (on the reader thread). The block is stored only if at least one of its events is new.
    pub fn insert_block(&mut self, block: &EventBlock) -> Result<Vec<Inserted>> {
        if self.block.len() > 0 {
            self.block.flush(self.conn, self.next_block)?;
            self.next_block += 1;
        }
        let id = self.next_block;
        let mut out = Vec::with_capacity(block.events.len());
        for (i, ev) in block.events.iter().enumerate() {
            out.push(self.insert_row(ev, raw_ref(id, i))?);
        }
        if out.contains(&Inserted::New) {
            insert_compressed_block(self.conn, id, &block.compressed)?;
            self.next_block += 1;
        }
        Ok(out)
    }

    /// The events row (and STS row) of one event, pointing at `raw_ref`.
    fn insert_row(&mut self, ev: &Event, raw_ref: i64) -> Result<Inserted> {
        let conn = self.conn;
        let i = &mut *self.interner;
        let hash = event_id_hash(&ev.event_id);
        let id = &ev.identity;
        let account = i.opt(conn, ev.account_id.as_deref())?;
        let region = i.opt(conn, ev.region.as_deref())?;
        let row = params![
            ev.time_ms,
            hash,
            ev.event_id,
            account,
            region,
            i.id(conn, &ev.event_source)?,
            i.id(conn, &ev.event_name)?,
            i.opt(conn, ev.error_code.as_deref())?,
            ev.read_only,
            i.opt(conn, id.user_type.as_ref().map(UserType::as_str))?,
            i.opt(conn, id.principal_id.as_deref())?,
            i.opt(conn, id.arn.as_deref())?,
            i.opt(conn, id.account_id.as_deref())?,
            i.opt(conn, id.access_key_id.as_deref())?,
            i.opt(conn, id.user_name.as_deref())?,
            i.opt(conn, id.issuer_arn.as_deref())?,
            id.session_created_ms,
            i.opt(conn, id.source_identity.as_deref())?,
            i.opt(conn, id.invoked_by.as_deref())?,
            i.opt(conn, ev.source_ip.as_deref())?,
            i.opt(conn, ev.user_agent.as_deref())?,
            ev.shared_event_id,
            raw_ref,
        ];
        let changed = self.insert_event.execute(row)?;
        if changed == 0 {
            let existing: Option<String> = conn
                .prepare_cached("SELECT event_id FROM events WHERE id_hash = ?1")?
                .query_row([hash], |r| r.get(0))
                .optional()?;
            if existing.as_deref() == Some(ev.event_id.as_str()) {
                self.totals.events_dup += 1;
                return Ok(Inserted::Duplicate);
            }
            return Ok(Inserted::HashCollision);
        }
        let rowid = conn.last_insert_rowid();
        if let Some(sts) = &ev.sts {
            conn.prepare_cached(
                "INSERT INTO sts_calls (event, role_arn, role_session_name, source_identity,
                    issued_key, assumed_role_id, assumed_role_arn, expires_ms, provider_arn,
                    subject, caller_provider)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                rowid,
                i.opt(conn, sts.role_arn.as_deref())?,
                sts.role_session_name,
                sts.source_identity,
                i.opt(conn, sts.issued_access_key.as_deref())?,
                i.opt(conn, sts.assumed_role_id.as_deref())?,
                i.opt(conn, sts.assumed_role_arn.as_deref())?,
                sts.expires_ms,
                sts.provider_arn,
                sts.subject,
                id.identity_provider,
            ])?;
        }
        // Keyed by interned ids: no allocation per event; resolved to text at commit.
        let key = (account, region, ev.time_ms.div_euclid(DAY_MS));
        let day = self.days.entry(key).or_insert(DayCount {
            events: 0,
            first_ms: ev.time_ms,
            last_ms: ev.time_ms,
        });
        day.events += 1;
        day.first_ms = day.first_ms.min(ev.time_ms);
        day.last_ms = day.last_ms.max(ev.time_ms);
        self.totals.events_new += 1;
        Ok(Inserted::New)
    }

    /// Inserts one finding revision unless that revision is already cached.
    pub fn insert_finding(&mut self, f: &Finding) -> Result<Inserted> {
        let changed = self
            .conn
            .prepare_cached(
                "INSERT INTO findings (finding_id, updated_ms, count, type, severity, title,
                    description, account, region, created_ms, first_seen_ms, last_seen_ms,
                    resource_type, access_key, principal_id, user_name, user_type, instance_id,
                    api, service_name, caller_ip, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22)
                 ON CONFLICT (finding_id, updated_ms, count) DO NOTHING",
            )?
            .execute(params![
                f.finding_id,
                f.updated_ms,
                f.count,
                f.finding_type,
                f.severity,
                f.title,
                f.description,
                f.account_id,
                f.region,
                f.created_ms,
                f.first_seen_ms,
                f.last_seen_ms,
                f.resource_type,
                f.access_key_id,
                f.principal_id,
                f.user_name,
                f.user_type,
                f.instance_id,
                f.api,
                f.service_name,
                f.caller_ip,
                f.raw,
            ])?;
        Ok(if changed == 0 {
            self.totals.findings_dup += 1;
            Inserted::Duplicate
        } else {
            self.totals.findings_new += 1;
            Inserted::New
        })
    }

    /// Inserts one flow record unless an identical one is already cached.
    pub fn insert_flow(&mut self, r: &FlowRecord) -> Result<Inserted> {
        let mut key = String::new();
        for (k, v) in &r.fields {
            key.push_str(k);
            key.push('=');
            key.push_str(v);
            key.push('\u{1f}');
        }
        let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes()) as i64;
        // The line's fields in the log's own order, as `[["name", "value"], …]`.
        let fields = serde_json::to_string(&r.fields).unwrap_or_default();
        let changed = self
            .conn
            .prepare_cached(
                "INSERT INTO flows (line_hash, version, account, interface_id, src_addr, dst_addr,
                    src_port, dst_port, protocol, packets, bytes, start_ms, end_ms, action,
                    log_status, vpc_id, instance_id, region, fields)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19)
                 ON CONFLICT (line_hash) DO NOTHING",
            )?
            .execute(params![
                hash,
                r.version,
                r.account_id,
                r.interface_id,
                r.src_addr,
                r.dst_addr,
                r.src_port,
                r.dst_port,
                r.protocol,
                r.packets,
                r.bytes,
                r.start_ms,
                r.end_ms,
                r.action,
                r.log_status,
                r.vpc_id,
                r.instance_id,
                r.region,
                fields,
            ])?;
        Ok(if changed == 0 {
            self.totals.flows_dup += 1;
            Inserted::Duplicate
        } else {
            self.totals.flows_new += 1;
            Inserted::New
        })
    }

    /// Keeps the organisation's address ranges read from the current file (replacing those of
    /// an earlier file of the same name): `text` is the CSV, already validated.
    pub fn insert_ip_ranges(&mut self, text: &str, ranges: usize) -> Result<()> {
        let name = self.file.as_ref().map_or("", |f| f.path.as_str());
        super::ranges::insert_ip_ranges(self.conn, self.run_id, name, text, ranges)
    }

    /// Records a rejected record of this file. `excerpt` is kept short: it is evidence, not data.
    pub fn reject(&mut self, position: &str, reason: &str, excerpt: Option<&str>) -> Result<()> {
        let excerpt = excerpt.map(|e| truncate(e, 200));
        let file = self.file.as_ref().map_or("", |f| f.path.as_str());
        insert_reject(self.conn, self.run_id, file, position, reason, excerpt)?;
        if let Some(f) = self.file.as_mut() {
            f.first_reject.get_or_insert(self.conn.last_insert_rowid());
        }
        self.totals.rejected += 1;
        Ok(())
    }

    /// Writes the last block, the coverage counts and the file row, and commits.
    pub fn commit(mut self) -> Result<RunTotals> {
        self.finish_file(None)?;
        let conn = self.conn;
        self.block.flush(conn, self.next_block)?;
        for ((account, region, day), c) in &self.days {
            let text = |id: &Option<i64>| -> Result<String> {
                Ok(match id {
                    Some(id) => super::load_string(conn, *id)?.unwrap_or_default(),
                    None => String::new(),
                })
            };
            let (account, region) = (text(account)?, text(region)?);
            conn.prepare_cached(
                "INSERT INTO coverage (account, region, day, events, first_ms, last_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (account, region, day) DO UPDATE SET
                    events = events + excluded.events,
                    first_ms = MIN(first_ms, excluded.first_ms),
                    last_ms = MAX(last_ms, excluded.last_ms)",
            )?
            .execute(params![
                account, region, day, c.events, c.first_ms, c.last_ms
            ])?;
        }
        conn.execute_batch("COMMIT")?;
        self.done = true;
        let mut totals = self.totals;
        totals.files = self.files;
        Ok(totals)
    }
}

impl Drop for FileWriter<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.interner.forget();
        }
    }
}

const INSERT_EVENT: &str = "INSERT INTO events (time_ms, id_hash, event_id, account, region,
        source, name, error_code, read_only, user_type, principal, arn, caller_account, access_key,
        user_name, issuer_arn, session_created_ms, source_identity, invoked_by, source_ip,
        user_agent, shared_event_id, raw_ref)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
        ?20, ?21, ?22, ?23)
     ON CONFLICT (id_hash) DO NOTHING";

const INSERT_FILE: &str = "INSERT INTO files (run_id, path, format, size, records, rejected,
        content_key)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

fn insert_reject(
    conn: &Connection,
    run_id: i64,
    file: &str,
    position: &str,
    reason: &str,
    excerpt: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO rejects (run_id, file, position, reason, excerpt)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![run_id, file, position, reason, excerpt])?;
    Ok(())
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
