//! Making attacker-controlled strings safe for a terminal. Every string from a log passes through
//! `sanitize` before it is printed in a table or drawn in a pane (JSON output keeps the original,
//! escaped by the JSON encoder).

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as itself: C0/C1 controls (ESC starts escape sequences),
/// DEL, bidirectional overrides and isolates (which reorder what the reader sees), and zero-width
/// or line-separating characters that hide or break text.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{061C}'
        )
}

/// Replaces every unsafe character with a visible escape (`\u{1b}`, `\n`, `\u{202e}`), leaving
/// the rest untouched. Borrowed when nothing needed escaping.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_control_bytes_and_bidi_overrides_are_made_visible() {
        let cases = [
            ("plain-name", "plain-name"),
            ("\u{1b}[31mred\u{1b}[0m", "\\u{1b}[31mred\\u{1b}[0m"),
            ("a\nb\tc\r", "a\\nb\\tc\\r"),
            ("admin\u{202e}txt.exe", "admin\\u{202e}txt.exe"),
            ("x\u{2066}y\u{2069}", "x\\u{2066}y\\u{2069}"),
            ("bell\u{7}", "bell\\u{7}"),
            ("c1\u{9b}31m", "c1\\u{9b}31m"),
            ("zero\u{200b}width", "zero\\u{200b}width"),
            ("Ashburn, VA ✓ é", "Ashburn, VA ✓ é"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "input {input:?}");
        }
    }
}
