//! VPC flow logs: the default v2 format and custom field orders (the header line names the
//! fields), one record per line.

use super::Sink;

/// Whether `data` looks like a VPC flow log (its first line is a header of known field names).
pub fn detect(data: &[u8]) -> bool {
    // Placeholder until the flow log reader lands.
    let _ = data;
    false
}

/// Parses every line of a flow log into `FlowRecord`s, rejecting malformed lines.
pub fn parse(data: &[u8], sink: &mut Sink) -> Result<(), crate::store::StoreError> {
    let _ = (data, sink);
    Ok(())
}
