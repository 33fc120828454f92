//! Reading one file into memory, gunzipping when it starts with the gzip magic. A truncated or
//! corrupt gzip stream keeps every byte decoded before the damage and says where it broke.

use std::io::Read;
use std::path::Path;

/// A file's decoded bytes and, when decoding stopped early, why.
pub struct Loaded {
    pub data: Vec<u8>,
    pub size: u64,
    /// Set when a gzip stream was truncated or corrupt: `data` holds what came before.
    pub damage: Option<String>,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

pub fn load(path: &Path) -> std::io::Result<Loaded> {
    let raw = std::fs::read(path)?;
    let size = raw.len() as u64;
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(Loaded {
            data: raw,
            size,
            damage: None,
        });
    }
    // MultiGzDecoder: concatenated gzip members are one valid stream (some tools write them).
    // The `bufread` one reads the bytes in place (the `read` one copies them through a buffer
    // it allocates and zeroes for every file).
    let mut data = Vec::with_capacity(raw.len() * 8);
    let mut decoder = flate2::bufread::MultiGzDecoder::new(&raw[..]);
    let damage = match decoder.read_to_end(&mut data) {
        Ok(_) => None,
        // read_to_end keeps every byte read before the error in `data`.
        Err(e) => Some(format!(
            "gzip stream damaged after {} decoded bytes: {e}",
            data.len()
        )),
    };
    Ok(Loaded { data, size, damage })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn truncated_gzip_keeps_what_came_before_the_damage() {
        let text = "line one\n".repeat(10_000);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text.as_bytes()).expect("write");
        let gz = enc.finish().expect("finish");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("cut.gz");
        std::fs::write(&path, &gz[..gz.len() / 2]).expect("write");
        let loaded = load(&path).expect("load");
        assert!(loaded.damage.is_some());
        assert!(!loaded.data.is_empty());
        assert!(text.as_bytes().starts_with(&loaded.data));
    }

    #[test]
    fn plain_files_are_read_as_they_are() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plain.json");
        std::fs::write(&path, b"{}").expect("write");
        let loaded = load(&path).expect("load");
        assert_eq!(loaded.data, b"{}");
        assert!(loaded.damage.is_none());
    }
}
