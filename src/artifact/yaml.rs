//! Structured documents (YAML, multi-document YAML, JSON) read safely into JSON values.
//!
//! Safety: serde_json stops at 128 levels of nesting; serde_yaml 0.9 also stops at 128 levels
//! (flow nesting is pre-scanned, see [`crate::artifact::yamldepth`], because the YAML scanner
//! is quadratic in it before that limit is reached) and caps alias expansion (at most 100 alias jumps per event of the document, which stops a
//! billion-laughs document). Because that cap still allows quadratic work on a large
//! document, a YAML text that uses anchors and is bigger than [`MAX_YAML_WITH_ANCHORS`] is
//! refused, and so is any document bigger than the caller's entry cap.

use serde::Deserialize;
use serde_json::Value;

/// Deepest nesting read (serde_json's and serde_yaml's own recursion limit).
pub const MAX_DEPTH: usize = 128;

/// Largest YAML text read when it uses anchors and aliases.
pub const MAX_YAML_WITH_ANCHORS: usize = 1 << 20;

/// Whether `bytes` looks like a YAML or JSON document (by its first meaningful line).
pub fn looks_structured(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l == "---" {
            continue;
        }
        if l.starts_with('{') || (l.starts_with('[') && !bracket_tag(l)) {
            return true;
        }
        return text.lines().any(|l| {
            ["apiVersion:", "kind:", "\"apiVersion\"", "\"kind\""]
                .iter()
                .any(|k| l.starts_with(k))
        });
    }
    false
}

/// Whether a line opens with a bracketed tag followed by prose (`[must-gather      ] OUT …`,
/// `[INFO] started`): a text log's line, not a JSON or YAML flow sequence.
fn bracket_tag(line: &str) -> bool {
    line.split_once(']').is_some_and(|(_, rest)| {
        rest.starts_with([' ', '\t']) && rest.trim_start().starts_with(|c: char| c.is_alphabetic())
    })
}

/// Every document of `bytes` as a JSON value (empty documents skipped). The error is a
/// short lowercase description with the line where known.
pub fn documents(bytes: &[u8]) -> Result<Vec<Value>, String> {
    documents_of("", bytes)
}

/// Like [`documents`]; a `.json` path is always read as JSON.
pub fn documents_of(path: &str, bytes: &[u8]) -> Result<Vec<Value>, String> {
    if is_json(path, bytes) {
        return serde_json::from_slice::<Value>(bytes)
            .map(|v| vec![strip_nulls(v)])
            .map_err(|e| format!("invalid json: {e}"));
    }
    if bytes.len() > MAX_YAML_WITH_ANCHORS && uses_anchors(bytes) {
        return Err(format!(
            "yaml with anchors larger than {MAX_YAML_WITH_ANCHORS} bytes not parsed (alias expansion cap)"
        ));
    }
    if crate::artifact::yamldepth::flow_depth_exceeds(bytes, MAX_DEPTH) {
        return Err(format!("invalid yaml: nested deeper than {MAX_DEPTH} levels"));
    }
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_slice(bytes) {
        let v = Value::deserialize(doc).map_err(|e| format!("invalid yaml: {e}"))?;
        if !v.is_null() {
            out.push(strip_nulls(v));
        }
    }
    Ok(out)
}

/// Whether the document at `path` is JSON (by name, or by its first byte).
pub fn is_json(path: &str, bytes: &[u8]) -> bool {
    let trimmed = trim_start(bytes);
    path.ends_with(".json") || trimmed.starts_with(b"{") || trimmed.starts_with(b"[")
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let rest = bytes.get(skip..).unwrap_or_default();
    rest.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(rest)
}

/// Whether a YAML text defines anchors (`&name`) that aliases could expand.
fn uses_anchors(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|w| matches!(w, [b' ' | b'\n' | b'[' | b',' | b'-' | b':', b'&']))
}

/// Drops `null` members so that `#[serde(default)]` fields take their defaults.
pub(crate) fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// `v[key]` as a string ("" when absent or not a string).
pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_doc_and_json() {
        let docs = documents(b"---\nkind: A\n---\n---\nkind: B\nx: null\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(str_of(&docs[1], "kind"), "B");
        assert!(docs[1].get("x").is_none());
        assert_eq!(documents(b" {\"kind\":\"List\",\"items\":[]}").unwrap().len(), 1);
        assert!(documents(b"a: [").is_err());
    }

    #[test]
    fn deep_json_and_billion_laughs_stop() {
        let deep = "[".repeat(100_000);
        assert!(documents(deep.as_bytes()).is_err());
        let mut lol =
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (i, c) in ('b'..='i').enumerate() {
            let prev = char::from(b'a' + i as u8);
            lol.push_str(&format!(
                "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
        }
        let started = std::time::Instant::now();
        assert!(documents(lol.as_bytes()).is_err());
        assert!(started.elapsed().as_secs() < 5);
    }
}
