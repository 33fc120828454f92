//! A tiny JSON writer that keeps keys in the order written. CloudTrail records have a familiar
//! key order (`eventVersion`, `userIdentity`, `eventTime`…); `serde_json::Value` would sort them,
//! and turning on `preserve_order` would change map behaviour for the whole crate.

use std::fmt::Write as _;

/// Writes one JSON document into a `String`. Callers pair `open`/`close` correctly; the writer
/// tracks only where commas go.
#[derive(Debug, Default)]
pub struct JsonOut {
    pub buf: String,
    /// One entry per open container: whether it already has a member.
    filled: Vec<bool>,
}

impl JsonOut {
    pub fn new() -> JsonOut {
        JsonOut::default()
    }

    fn comma(&mut self) {
        if let Some(f) = self.filled.last_mut() {
            if *f {
                self.buf.push(',');
            }
            *f = true;
        }
    }

    fn key(&mut self, k: &str) {
        self.comma();
        escape_into(&mut self.buf, k);
        self.buf.push(':');
    }

    /// Opens an object as a member (`Some(key)`) or as an array element / the document (`None`).
    pub fn open(&mut self, key: Option<&str>) -> &mut Self {
        match key {
            Some(k) => self.key(k),
            None => self.comma(),
        }
        self.buf.push('{');
        self.filled.push(false);
        self
    }

    pub fn close(&mut self) -> &mut Self {
        self.buf.push('}');
        self.filled.pop();
        self
    }

    pub fn open_array(&mut self, key: Option<&str>) -> &mut Self {
        match key {
            Some(k) => self.key(k),
            None => self.comma(),
        }
        self.buf.push('[');
        self.filled.push(false);
        self
    }

    pub fn close_array(&mut self) -> &mut Self {
        self.buf.push(']');
        self.filled.pop();
        self
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        escape_into(&mut self.buf, v);
        self
    }

    /// A string member, or `null` when absent.
    pub fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(k, v),
            None => self.null(k),
        }
    }

    /// A string array element.
    pub fn item(&mut self, v: &str) -> &mut Self {
        self.comma();
        escape_into(&mut self.buf, v);
        self
    }

    pub fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k);
        self.buf.push_str(if v { "true" } else { "false" });
        self
    }

    pub fn num(&mut self, k: &str, v: i64) -> &mut Self {
        self.key(k);
        let _ = write!(self.buf, "{v}");
        self
    }

    pub fn float(&mut self, k: &str, v: f64) -> &mut Self {
        self.key(k);
        let _ = write!(self.buf, "{v:?}");
        self
    }

    pub fn null(&mut self, k: &str) -> &mut Self {
        self.key(k);
        self.buf.push_str("null");
        self
    }

    /// A member whose value is already JSON text.
    pub fn raw(&mut self, k: &str, json: &str) -> &mut Self {
        self.key(k);
        self.buf.push_str(json);
        self
    }

    pub fn finish(self) -> String {
        self.buf
    }
}

/// Appends `s` as a JSON string literal.
pub fn escape_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_their_order_and_escape() {
        let mut j = JsonOut::new();
        j.open(None)
            .str("b", "q\"uote")
            .num("a", 3)
            .open(Some("o"))
            .null("n")
            .close()
            .open_array(Some("l"))
            .item("x")
            .item("y")
            .close_array()
            .bool("t", true)
            .close();
        let s = j.finish();
        assert_eq!(
            s,
            r#"{"b":"q\"uote","a":3,"o":{"n":null},"l":["x","y"],"t":true}"#
        );
        let v: serde_json::Value = serde_json::from_str(&s).expect("valid JSON");
        assert_eq!(v["b"], "q\"uote");
    }
}
