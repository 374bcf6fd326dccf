//! A YAML emitter that reproduces what `kubectl get -o yaml` (and kubeadm, and client-go's
//! kubeconfig writer) print: sigs.k8s.io/yaml converts JSON to YAML with go-yaml v2, so keys
//! are sorted with go-yaml's natural order, sequences in mappings are not indented, strings
//! that would resolve to another type are double-quoted, strings that can't be plain are
//! single-quoted, multi-line strings are literal blocks, and long plain or quoted scalars are
//! folded at spaces past column 80 with the continuation indented two more columns.

use std::cmp::Ordering;

use serde_json::Value;

const BEST_WIDTH: usize = 80;

/// Render a JSON value as kubectl-style YAML (ends with a newline).
pub fn to_yaml(v: &Value) -> String {
    let mut e = Emitter { out: String::new() };
    match v {
        Value::Object(m) if !m.is_empty() => e.mapping(v, 0, true),
        Value::Array(a) if !a.is_empty() => e.sequence(v, 0, true),
        _ => {
            e.scalar(v, 0);
        }
    }
    e.out.push('\n');
    e.out
}

struct Emitter {
    out: String,
}

impl Emitter {
    fn column(&self) -> usize {
        let line_start = self.out.rfind('\n').map_or(0, |i| i + 1);
        self.out[line_start..].chars().count()
    }

    fn newline_indent(&mut self, indent: usize) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    fn mapping(&mut self, v: &Value, indent: usize, first_inline: bool) {
        let Value::Object(m) = v else { return };
        let mut keys: Vec<&String> = m.keys().collect();
        keys.sort_by(|a, b| natural_cmp(a, b));
        for (i, k) in keys.into_iter().enumerate() {
            if !(i == 0 && first_inline) {
                self.newline_indent(indent);
            }
            self.key(k);
            self.out.push(':');
            self.value(&m[k], indent);
        }
    }

    fn sequence(&mut self, v: &Value, indent: usize, first_inline: bool) {
        let Value::Array(a) = v else { return };
        for (i, item) in a.iter().enumerate() {
            if !(i == 0 && first_inline) {
                self.newline_indent(indent);
            }
            self.out.push('-');
            match item {
                Value::Object(m) if !m.is_empty() => {
                    self.out.push(' ');
                    self.mapping(item, indent + 2, true);
                }
                Value::Array(a) if !a.is_empty() => {
                    self.out.push(' ');
                    self.sequence(item, indent + 2, true);
                }
                _ => {
                    self.out.push(' ');
                    self.scalar(item, indent + 2);
                }
            }
        }
    }

    /// The value after `key:` of a mapping at `indent`.
    fn value(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Object(m) if !m.is_empty() => self.mapping(v, indent + 2, false),
            // Sequences inside mappings are "indentless" in go-yaml.
            Value::Array(a) if !a.is_empty() => self.sequence(v, indent, false),
            _ => {
                self.out.push(' ');
                self.scalar(v, indent + 2);
            }
        }
    }

    fn key(&mut self, k: &str) {
        match string_style(k) {
            Style::Plain => self.out.push_str(k),
            Style::Single | Style::Literal => self.single_quoted(k, 0, false),
            Style::Double => self.double_quoted(k, 0, false),
        }
    }

    /// A scalar (or empty collection); `indent` is where continuation lines start.
    fn scalar(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => self.out.push_str(&n.to_string()),
            Value::Object(_) => self.out.push_str("{}"),
            Value::Array(_) => self.out.push_str("[]"),
            Value::String(s) => match string_style(s) {
                Style::Plain => self.plain(s, indent),
                Style::Single => self.single_quoted(s, indent, true),
                Style::Double => self.double_quoted(s, indent, true),
                Style::Literal => self.literal(s, indent),
            },
        }
    }

    fn plain(&mut self, s: &str, indent: usize) {
        let chars: Vec<char> = s.chars().collect();
        let mut col = self.column();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if !spaces && col > BEST_WIDTH && !next_space {
                    self.newline_indent(indent);
                    col = indent;
                } else {
                    self.out.push(c);
                    col += 1;
                }
                spaces = true;
            } else {
                self.out.push(c);
                col += 1;
                spaces = false;
            }
        }
    }

    fn single_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.out.push('\'');
        let chars: Vec<char> = s.chars().collect();
        let mut col = self.column();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && col > BEST_WIDTH
                    && i != 0
                    && i != chars.len() - 1
                    && !next_space
                {
                    self.newline_indent(indent);
                    col = indent;
                } else {
                    self.out.push(c);
                    col += 1;
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.out.push('\'');
                    col += 1;
                }
                self.out.push(c);
                col += 1;
                spaces = false;
            }
        }
        self.out.push('\'');
    }

    fn double_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.out.push('"');
        let chars: Vec<char> = s.chars().collect();
        let mut col = self.column();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks && !spaces && col > BEST_WIDTH && i != 0 && i != chars.len() - 1 {
                    self.newline_indent(indent);
                    col = indent;
                    if chars.get(i + 1) == Some(&' ') {
                        self.out.push('\\');
                        col += 1;
                    }
                } else {
                    self.out.push(c);
                    col += 1;
                }
                spaces = true;
                continue;
            }
            spaces = false;
            let esc = match c {
                '"' => Some("\\\"".to_owned()),
                '\\' => Some("\\\\".to_owned()),
                '\n' => Some("\\n".to_owned()),
                '\t' => Some("\\t".to_owned()),
                '\r' => Some("\\r".to_owned()),
                '\0' => Some("\\0".to_owned()),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => Some(format!("\\x{:02X}", c as u32)),
                _ => None,
            };
            match esc {
                Some(e) => {
                    col += e.len();
                    self.out.push_str(&e);
                }
                None => {
                    self.out.push(c);
                    col += 1;
                }
            }
        }
        self.out.push('"');
    }

    fn literal(&mut self, s: &str, indent: usize) {
        let trailing = s.len() - s.trim_end_matches('\n').len();
        self.out.push('|');
        match trailing {
            0 => self.out.push('-'),
            1 => {}
            _ => self.out.push('+'),
        }
        let body = if trailing == 1 { &s[..s.len() - 1] } else { s };
        let body = body.strip_suffix('\n').unwrap_or(body);
        for line in body.split('\n') {
            if line.is_empty() {
                self.out.push('\n');
            } else {
                self.newline_indent(indent);
                self.out.push_str(line);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// The style go-yaml v2 ends up with for a Go string.
fn string_style(s: &str) -> Style {
    if s.chars()
        .any(|c| (c as u32) < 0x20 && c != '\n' || c as u32 == 0x7f)
    {
        return Style::Double;
    }
    if s.contains('\n') {
        let literal_ok = !s.starts_with(' ')
            && !s.lines().any(|l| l.ends_with(' '))
            && !s.contains('\t')
            && !s.starts_with('\n');
        return if literal_ok { Style::Literal } else { Style::Double };
    }
    if resolves_to_non_string(s) {
        return Style::Double;
    }
    if plain_allowed(s) {
        Style::Plain
    } else {
        Style::Single
    }
}

/// go-yaml v2's `resolve`: would this plain scalar read back as something else than a string?
fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On",
        "ON", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", ".nan", ".NaN",
        ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || first == '+' || first == '-' || first == '.') {
        return false;
    }
    let plain = s.replace('_', "");
    if parse_go_int(&plain) || plain.parse::<f64>().is_ok() && !plain.contains(char::is_alphabetic) {
        return true;
    }
    if plain.len() > 2 && (plain.starts_with("0b") || plain.starts_with("-0b")) {
        return true;
    }
    is_timestamp(s)
}

/// strconv.ParseInt(s, 0, 64) / ParseUint: decimal, 0x hex, 0 octal.
fn parse_go_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        return !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit());
    }
    if body.len() > 1 && body.starts_with('0') {
        return body.chars().all(|c| ('0'..='7').contains(&c));
    }
    body.chars().all(|c| c.is_ascii_digit())
}

/// go-yaml v2 recognises YYYY-MM-DD and RFC 3339-like timestamps.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 10 {
        return false;
    }
    let date = b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    date && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '))
}

/// libyaml's analysis for block-context plain scalars.
fn plain_allowed(s: &str) -> bool {
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.first() == Some(&' ') || chars.last() == Some(&' ') {
        return false;
    }
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let followed_by_blank = next.is_none_or(|n| n == ' ');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@'
                | '`' => return false,
                '?' | ':' | '-' if followed_by_blank => return false,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_blank => return false,
                '#' if chars[i - 1] == ' ' => return false,
                _ => {}
            }
        }
        if (c as u32) > 0x7e && !c.is_alphanumeric() {
            return false;
        }
    }
    true
}

/// go-yaml v2's `keyList.Less`: letters and digit runs compare "naturally".
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            digits = ar[i].is_ascii_digit();
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            let a_less = if digits { al } else { bl };
            return if a_less { Ordering::Less } else { Ordering::Greater };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .saturating_mul(10)
                .saturating_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .saturating_mul(10)
                .saturating_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kubectl_shapes() {
        let v = json!({
            "apiVersion": "v1",
            "items": [{"kind": "Secret", "data": {"a": "b"}}],
            "kind": "List",
            "metadata": {"resourceVersion": ""},
            "t": "2026-11-21T09:30:00Z",
            "num": "10",
            "m": "a: b",
            "e": {},
            "pem": "x\ny\n"
        });
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "apiVersion: v1\ne: {}\nitems:\n- data:\n    a: b\n  kind: Secret\nkind: List\nm: 'a: b'\nmetadata:\n  resourceVersion: \"\"\nnum: \"10\"\npem: |\n  x\n  y\nt: \"2026-11-21T09:30:00Z\"\n"
        );
    }

    #[test]
    fn folds_long_plain() {
        let long = "word ".repeat(30);
        let v = json!({"message": long.trim_end()});
        let y = to_yaml(&v);
        assert!(y.lines().count() > 1);
        assert!(y.lines().nth(1).is_some_and(|l| l.starts_with("  word")));
    }
}
