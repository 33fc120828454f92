//! Width-aware cells: terminal columns, not bytes or chars (CJK and emoji take two).

use unicode_width::UnicodeWidthChar;

/// The columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` cut to at most `w` columns, `…` marking the cut.
pub fn fit(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > w - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// `s` cut in the middle to at most `w` columns: both ends stay (IDs and names differ at their
/// ends more than in the middle).
pub fn fit_middle(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w < 3 {
        return fit(s, w);
    }
    let budget = w - 1;
    let head_w = budget.div_ceil(2);
    let tail_w = budget - head_w;
    let mut head = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > head_w {
            break;
        }
        head.push(c);
        used += cw;
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let cw = c.width().unwrap_or(0);
        if used + cw > tail_w {
            break;
        }
        tail.push(c);
        used += cw;
    }
    tail.reverse();
    format!("{head}…{}", tail.into_iter().collect::<String>())
}

/// `s` padded with spaces to `w` columns (cut first when longer).
pub fn pad(s: &str, w: usize) -> String {
    let s = fit(s, w);
    let n = w.saturating_sub(width(&s));
    format!("{s}{}", " ".repeat(n))
}

/// Words of `text` in lines of at most `w` columns (a longer word gets a line of its own).
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && width(&line) + 1 + width(word) > w {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_count_terminal_columns_not_bytes() {
        assert_eq!(width("sara"), 4);
        assert_eq!(width("東京"), 4);
        assert_eq!(fit("東京都庁", 5), "東京…");
        assert_eq!(pad("é", 3), "é  ");
    }

    #[test]
    fn cutting_keeps_the_ends_in_the_middle_and_the_start_at_the_end() {
        assert_eq!(fit("abcdefgh", 5), "abcd…");
        assert_eq!(fit_middle("abcdefgh", 5), "ab…gh");
        assert_eq!(fit_middle("abcdefgh", 6), "abc…gh");
        assert_eq!(fit_middle("abc", 8), "abc");
        assert_eq!(fit("", 0), "");
    }
}
