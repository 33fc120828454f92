//! What an input is, from its first decoded bytes: a JSON shape this reader knows, a VPC flow
//! log, a CloudTrail digest, nothing at all (blank), or something else, named by what it looks
//! like (binary data, a credentials file, a zip archive…) so that its reject can say so without
//! quoting a byte of it. The organisation's own IP-range CSV (`geo`'s format) is recognised by
//! its header line: it is not a log, but the cache keeps it to place the logs' addresses.

use super::{FileKind, json, vpcflow};

/// How many decoded bytes the format is decided from.
pub const HEAD: usize = 64 * 1024;

/// What the first bytes say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    Json(FileKind),
    VpcFlow,
    /// The organisation's address ranges (`network,country,region,city,…` CSV).
    IpRanges,
    /// A CloudTrail digest file: integrity metadata, no events.
    Digest,
    /// Empty or whitespace only.
    Blank,
    /// Not a log: what it looks like.
    Unknown(&'static str),
}

/// Decides from `head`, the first (up to `HEAD`) decoded bytes; `complete` when that is all.
pub fn sniff(head: &[u8], complete: bool) -> Sniffed {
    if head.iter().all(u8::is_ascii_whitespace) {
        return if complete {
            Sniffed::Blank
        } else {
            Sniffed::Unknown("whitespace only in its first 64 KiB")
        };
    }
    match json::detect(head) {
        Some(FileKind::CloudTrailDigest) => return Sniffed::Digest,
        Some(kind) => return Sniffed::Json(kind),
        None => {}
    }
    if vpcflow::detect(head) {
        return Sniffed::VpcFlow;
    }
    let first_line = head
        .split(|b| *b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace));
    if first_line
        .and_then(|l| std::str::from_utf8(l).ok())
        .is_some_and(crate::geo::is_ranges_header)
    {
        return Sniffed::IpRanges;
    }
    Sniffed::Unknown(what_it_looks_like(head))
}

/// A name for content that is not a log, for the reject (never the content itself).
fn what_it_looks_like(head: &[u8]) -> &'static str {
    const MAGIC: [(&[u8], &str); 9] = [
        (b"\x1f\x8b", "gzip data inside gzip"),
        (b"PK\x03\x04", "a zip archive"),
        (b"%PDF", "a PDF document"),
        (b"\x7fELF", "an executable (ELF)"),
        (b"SQLite format 3\0", "an SQLite database"),
        (b"\xff\xfe", "UTF-16 text (convert it to UTF-8)"),
        (b"\xfe\xff", "UTF-16 text (convert it to UTF-8)"),
        (b"BZh", "bzip2 data (decompress it first)"),
        (b"\xfd7zXZ\0", "xz data (decompress it first)"),
    ];
    if let Some((_, name)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return name;
    }
    if head.starts_with(b"\x28\xb5\x2f\xfd") {
        return "zstd data (decompress it first)";
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut by the head's end is still text.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return "binary data",
    };
    if text
        .bytes()
        .any(|b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
    {
        return "binary data";
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("aws_access_key_id")
        || lower.contains("aws_secret_access_key")
        || lower.contains("aws_session_token")
        || lower.contains("credential_process")
        || lower.contains("sso_start_url")
    {
        return "an AWS credentials or config file";
    }
    if text.trim_start().starts_with("-----BEGIN") {
        return "a PEM key or certificate";
    }
    let first = text.trim_start().lines().next().unwrap_or_default();
    if first.starts_with('[') && first.trim_end().ends_with(']') {
        return "an INI-style config file";
    }
    if first.starts_with('{') || first.starts_with('[') {
        return "text that is not JSON";
    }
    if first.matches(',').count() >= 2 {
        return "CSV or other delimited text";
    }
    "text"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_log_is_named_by_what_it_looks_like() {
        let cases: [(&[u8], &str); 7] = [
            (
                b"[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n",
                "an AWS credentials or config file",
            ),
            (&[0u8; 4096], "binary data"),
            (b"PK\x03\x04rest", "a zip archive"),
            (
                b"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n",
                "a PEM key or certificate",
            ),
            (
                b"[core]\n\trepositoryformatversion = 0\n",
                "an INI-style config file",
            ),
            (b"name,age,city\nx,1,y\n", "CSV or other delimited text"),
            (b"Dear responder,\nhello\n", "text"),
        ];
        for (head, want) in cases {
            assert_eq!(sniff(head, true), Sniffed::Unknown(want), "{head:?}");
        }
    }

    #[test]
    fn logs_blanks_and_digests_are_told_apart() {
        assert_eq!(sniff(b"  \n\t", true), Sniffed::Blank);
        assert_eq!(
            sniff(b"{\"Records\":[", false),
            Sniffed::Json(FileKind::Json(crate::ingest::JsonShape::Records))
        );
        assert_eq!(
            sniff(b"{\"digestStartTime\":\"2026-10-01T12:00:00Z\"}", true),
            Sniffed::Digest
        );
        assert_eq!(
            sniff(b"version account-id interface-id srcaddr dstaddr\n", true),
            Sniffed::VpcFlow
        );
    }

    #[test]
    fn the_organisations_ranges_csv_is_recognised_by_its_header() {
        let csv = b"\xef\xbb\xbfnetwork,country,region,city,latitude,longitude,asn,as_org\r\n\
                    198.51.100.0/27,US,WA,Bellevue,47.61,-122.2,64500,Example Corp\r\n";
        assert_eq!(sniff(csv, true), Sniffed::IpRanges);
        // Another CSV is still named for what it looks like.
        assert_eq!(
            sniff(b"network,country,city\n10.0.0.0/8,US,x\n", true),
            Sniffed::Unknown("CSV or other delimited text")
        );
    }
}
