//! Removing secrets (`sessionToken` values) from a record before it is stored.
