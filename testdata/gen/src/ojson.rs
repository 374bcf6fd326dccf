//! Order-preserving JSON values, for files whose key order is a Go struct's field order
//! (pod-checkpointer's `json.Marshal(pod)`) or a hand-written template (CNI configs).
//! kubectl output, which sorts keys, uses plain `serde_json::Value` instead.

use serde::ser::{Serialize, SerializeMap as _, SerializeSeq as _, Serializer};

/// An ordered JSON value.
#[derive(Clone, Debug)]
pub enum O {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<O>),
    Obj(Vec<(String, O)>),
}

/// An object from `(key, value)` pairs, in that order.
pub fn obj<K: Into<String>>(pairs: Vec<(K, O)>) -> O {
    O::Obj(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

/// An array.
pub fn arr(items: Vec<O>) -> O {
    O::Arr(items)
}

/// An array of strings.
pub fn strs(items: &[&str]) -> O {
    O::Arr(items.iter().map(|s| O::from(*s)).collect())
}

impl From<&str> for O {
    fn from(s: &str) -> O {
        O::Str(s.to_owned())
    }
}

impl From<String> for O {
    fn from(s: String) -> O {
        O::Str(s)
    }
}

impl From<bool> for O {
    fn from(b: bool) -> O {
        O::Bool(b)
    }
}

impl From<i64> for O {
    fn from(n: i64) -> O {
        O::Int(n)
    }
}

impl Serialize for O {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            O::Null => s.serialize_unit(),
            O::Bool(b) => s.serialize_bool(*b),
            O::Int(n) => s.serialize_i64(*n),
            O::Str(v) => s.serialize_str(v),
            O::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            O::Obj(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Compact JSON like Go's `json.Marshal` (HTML-escaped), no trailing newline.
pub fn to_go_compact(v: &O) -> anyhow::Result<String> {
    Ok(go_html_escape(&serde_json::to_string(v)?))
}

/// Indented JSON (`indent` per level) with a trailing newline.
pub fn to_pretty(v: &impl Serialize, indent: &str) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    v.serialize(&mut ser)?;
    buf.push(b'\n');
    Ok(String::from_utf8(buf)?)
}

/// Go's encoding/json escapes `<`, `>` and `&` inside strings; outside strings they can't
/// occur in JSON, so a plain replacement is exact.
pub fn go_html_escape(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
