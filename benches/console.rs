//! Console benchmark (filled in below).
fn main() {}
