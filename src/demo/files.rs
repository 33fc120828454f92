//! CloudTrail's S3 layout: `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
//! <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`, one `{"Records":[…]}` file
//! per account, region and delivery period (about 5 minutes, as CloudTrail does).
//!
//! Events arrive in time order; each (account, region) stream buffers only its current period
//! and writes it out when a later one starts, so memory stays flat at any total size.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::clock::{MINUTE, parts};
use super::rng::{Rng, label_hash};

/// Writes the trail files of every account and region.
#[derive(Debug)]
pub struct TrailFiles {
    root: PathBuf,
    period_ms: i64,
    seed: u64,
    streams: BTreeMap<(String, &'static str), Stream>,
    pub files: u64,
    pub bytes: u64,
}

#[derive(Debug, Default)]
struct Stream {
    period: i64,
    records: Vec<String>,
}

impl TrailFiles {
    /// Files under `root/AWSLogs`, one per `period_minutes`.
    pub fn new(root: &Path, period_minutes: u32, seed: u64) -> TrailFiles {
        TrailFiles {
            root: root.to_path_buf(),
            period_ms: i64::from(period_minutes.max(1)) * MINUTE,
            seed,
            streams: BTreeMap::new(),
            files: 0,
            bytes: 0,
        }
    }

    /// Adds one rendered record of `account`'s trail in `region`.
    pub fn push(
        &mut self,
        account: &str,
        region: &'static str,
        time_ms: i64,
        record: String,
    ) -> std::io::Result<()> {
        let period = time_ms.div_euclid(self.period_ms);
        let key = (account.to_string(), region);
        let stream = self.streams.entry(key).or_default();
        if stream.period != period && !stream.records.is_empty() {
            let done = std::mem::take(&mut stream.records);
            let done_period = stream.period;
            stream.period = period;
            stream.records.push(record);
            return self.write(account, region, done_period, done);
        }
        stream.period = period;
        stream.records.push(record);
        Ok(())
    }

    /// Writes every stream's last period.
    pub fn finish(&mut self) -> std::io::Result<()> {
        let streams = std::mem::take(&mut self.streams);
        for ((account, region), s) in streams {
            if !s.records.is_empty() {
                self.write(&account, region, s.period, s.records)?;
            }
        }
        Ok(())
    }

    fn write(
        &mut self,
        account: &str,
        region: &str,
        period: i64,
        mut records: Vec<String>,
    ) -> std::io::Result<()> {
        // Delivered at the end of the period: the name and the day folder use that time.
        let delivered = (period + 1) * self.period_ms;
        let p = parts(delivered);
        let mut rng = Rng::new(
            self.seed,
            label_hash(&format!("{account}/{region}/{period}")),
        );
        // CloudTrail does not promise order inside a file: swap a few neighbours.
        for i in 1..records.len() {
            if rng.chance(0.03) {
                records.swap(i - 1, i);
            }
        }
        let dir = self.root.join(format!(
            "AWSLogs/{account}/CloudTrail/{region}/{:04}/{:02}/{:02}",
            p.year, p.month, p.day
        ));
        std::fs::create_dir_all(&dir)?;
        let name = format!(
            "{account}_CloudTrail_{region}_{:04}{:02}{:02}T{:02}{:02}Z_{}.json.gz",
            p.year,
            p.month,
            p.day,
            p.hour,
            p.minute,
            rng.alnum(16)
        );
        let file = std::fs::File::create(dir.join(name))?;
        let mut gz = GzEncoder::new(
            std::io::BufWriter::with_capacity(1 << 16, file),
            Compression::fast(),
        );
        gz.write_all(b"{\"Records\":[")?;
        for (i, r) in records.iter().enumerate() {
            if i > 0 {
                gz.write_all(b",")?;
            }
            gz.write_all(r.as_bytes())?;
            self.bytes += r.len() as u64;
        }
        gz.write_all(b"]}")?;
        gz.finish()?.flush()?;
        self.files += 1;
        Ok(())
    }
}

/// Gzips `text` into `path` (creating its folder), for the smaller outputs.
pub fn write_gz(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::File::create(path)?;
    let mut gz = GzEncoder::new(std::io::BufWriter::new(file), Compression::fast());
    gz.write_all(text.as_bytes())?;
    gz.finish()?.flush()
}

/// Writes `text` into `path` (creating its folder).
pub fn write_text(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}
