//! The organisation's own address ranges met among the inputs (a CSV in `geo`'s format, e.g.
//! the generated organisation's `geo/ip-ranges.csv`): read whole (a ranges file is small; one
//! larger than a record may be is refused), validated line by line, and handed to the writer
//! as text, which the cache keeps so that every reader places the organisation's addresses.

use super::Bad;
use super::open::Reading;

/// The CSV text and how many ranges it holds, or why it is refused (a bad line names itself).
pub(super) fn read_ranges(reading: &mut Reading, max: usize) -> Result<(String, usize), Bad> {
    reading.fill_to(max.saturating_add(1));
    if !reading.eof || reading.window.len() > max {
        return Err(Bad::new(
            "file",
            format!("an IP-ranges CSV larger than {max} bytes: not read"),
        ));
    }
    if reading.damage.is_some() {
        // The damage itself is recorded at the end of the input; half a map of the
        // organisation's addresses is not kept.
        return Err(Bad::new(
            "file",
            "IP-ranges CSV damaged: its ranges are not kept",
        ));
    }
    let text = std::str::from_utf8(&reading.window).map_err(|e| {
        Bad::new(
            format!("byte {}", e.valid_up_to()),
            "IP-ranges CSV: not UTF-8",
        )
    })?;
    match crate::geo::parse_ranges(text) {
        Ok(ranges) => Ok((text.to_string(), ranges.len())),
        Err((line, reason)) => Err(Bad::new(
            format!("line {line}"),
            format!("IP-ranges CSV: {reason}; none of its ranges are kept"),
        )),
    }
}
