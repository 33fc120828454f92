//! Attribution (issuances, role sessions, chains), scope and baseline, activity series. Pure
//! functions over store queries; never touches the terminal or the clock (callers pass "now").
