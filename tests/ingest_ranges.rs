//! The organisation's IP-range CSV among the inputs: recognised by its header, validated, kept
//! in the cache (one copy per file name, an edited file replacing its earlier ranges), and a
//! bad line a reject naming the line, with none of that file's ranges kept.

use rolecall::ingest::{IngestOptions, ingest_paths};
use rolecall::store::{Store, load_all_rejects, load_ip_ranges};

const HEADER: &str = "network,country,region,city,latitude,longitude,asn,as_org\n";

fn ingest(store: &mut Store, path: &std::path::Path) -> rolecall::ingest::IngestReport {
    ingest_paths(store, &[path.to_path_buf()], &IngestOptions::default(), 0).expect("ingest")
}

#[test]
fn a_ranges_csv_is_kept_and_an_edited_one_replaces_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("geo").join("ip-ranges.csv");
    std::fs::create_dir_all(csv.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &csv,
        format!("{HEADER}198.51.100.0/27,US,WA,Bellevue,47.61,-122.20,64500,Example Corp\n"),
    )
    .expect("write");
    let mut store = Store::open_in_memory().expect("cache");
    let r = ingest(&mut store, dir.path());
    assert_eq!(r.totals.rejected, 0);
    let kept = load_ip_ranges(store.conn()).expect("ranges");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].ranges, 1);
    assert!(kept[0].name.ends_with("ip-ranges.csv"));
    // Again, unchanged: still one copy.
    ingest(&mut store, dir.path());
    assert_eq!(load_ip_ranges(store.conn()).expect("ranges").len(), 1);
    // Edited: its ranges replace the earlier ones.
    std::fs::write(
        &csv,
        format!(
            "{HEADER}198.51.100.0/27,US,WA,Bellevue,47.61,-122.20,64500,Example Corp\n\
             203.0.113.0/27,US,VA,Ashburn,39.04,-77.49,14618,AMAZON-AES\n"
        ),
    )
    .expect("write");
    ingest(&mut store, dir.path());
    let kept = load_ip_ranges(store.conn()).expect("ranges");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].ranges, 2);
    assert!(kept[0].text.contains("Ashburn"));
    let parsed = rolecall::analysis::org_ranges(store.conn()).expect("parse");
    assert_eq!(parsed.len(), 2);
}

#[test]
fn a_bad_line_is_a_reject_naming_it_and_keeps_none_of_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("ranges.csv");
    std::fs::write(
        &csv,
        format!(
            "{HEADER}198.51.100.0/27,US,WA,Bellevue,47.61,-122.20,64500,Example Corp\n\
             10.0.0.0/99,,,,,,,Office VPN\n"
        ),
    )
    .expect("write");
    let mut store = Store::open_in_memory().expect("cache");
    let r = ingest(&mut store, &csv);
    assert_eq!(r.totals.rejected, 1);
    assert!(load_ip_ranges(store.conn()).expect("ranges").is_empty());
    let rejects = load_all_rejects(store.conn()).expect("rejects");
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    let text = &rejects[0];
    assert!(text.contains("line 3") && text.contains("prefix"), "{text}");
}

#[test]
fn another_csv_is_still_not_a_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "name,age,city\nx,1,y\n").expect("write");
    let mut store = Store::open_in_memory().expect("cache");
    let r = ingest(&mut store, &csv);
    assert_eq!(r.totals.rejected, 1);
    assert!(load_ip_ranges(store.conn()).expect("ranges").is_empty());
}
