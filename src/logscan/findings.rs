//! What the scan kept, turned into findings: one per (rule, node, component).

use time::OffsetDateTime;

use crate::catalog::RuleKind;
use crate::checks::Ctx;
use crate::finding::Finding;
use crate::logscan::LogHits;
use crate::snapshot::{duration_text, rfc3339};

/// Evidence key of a log finding silent for its rule's `history_after` before its log ended:
/// the time of its last line.
pub const QUIET_SINCE: &str = "quiet_since";

/// Placeholders every log rule's message may use besides its captures.
pub const BUILTIN_PLACEHOLDERS: &[&str] = &["count", "component", "node", "first_seen", "last_seen"];

/// The `{name}` placeholders of a message template.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let after = rest.get(i + 1..).unwrap_or_default();
        let Some(j) = after.find('}') else { break };
        let name = after.get(..j).unwrap_or_default();
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(name);
        }
        rest = after.get(j + 1..).unwrap_or_default();
    }
    out
}

/// First and last seen of a hit, year-less times fixed against `captured_at`.
pub fn resolved_times(
    h: &LogHits,
    captured_at: OffsetDateTime,
) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let fy = h.first_yearless.and_then(|y| y.resolve(captured_at));
    let ly = h.last_yearless.and_then(|y| y.resolve(captured_at));
    let first = match (h.first_seen, fy) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let last = match (h.last_seen, ly) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    (first, last)
}

/// Fills `{name}` placeholders. A `[…]` clause is dropped whole when a placeholder in it
/// has no value (`Container crash-looping[: {container}]`); outside clauses a missing
/// value reads `unknown`.
fn fill(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('[') {
        out.push_str(&fill_plain(rest.get(..i).unwrap_or_default(), lookup));
        let after = rest.get(i + 1..).unwrap_or_default();
        match after.find(']') {
            Some(j) => {
                let clause = after.get(..j).unwrap_or_default();
                if placeholders(clause).iter().all(|p| lookup(p).is_some()) {
                    out.push_str(&fill_plain(clause, lookup));
                }
                rest = after.get(j + 1..).unwrap_or_default();
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(&fill_plain(rest, lookup));
    out
}

fn fill_plain(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + 1..).unwrap_or_default();
        match after.find('}') {
            Some(j) => {
                let name = after.get(..j).unwrap_or_default();
                out.push_str(&lookup(name).unwrap_or_else(|| "unknown".to_string()));
                rest = after.get(j + 1..).unwrap_or_default();
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Findings of one log rule: one per (node, component) that matched, with
/// `evidence.count`, `evidence.first_seen`, `evidence.last_seen` (RFC 3339),
/// `evidence.component`, `evidence.samples` and `evidence.captures`; the paths are the logs
/// that matched and the message is the rule's template filled with the captures. `refs`
/// holds the certificate keys the lines name, for the engine's correlation.
pub fn findings(cx: &Ctx<'_>) -> Vec<Finding> {
    let RuleKind::Log(log) = &cx.rule.kind else {
        return Vec::new();
    };
    let snap = cx.snap;
    snap.logs
        .of_rule(&cx.rule.id)
        .map(|h| {
            let node = h.node.map(|i| snap.node_name(Some(i)).to_string());
            let (first, last) = resolved_times(h, snap.captured_at.at);
            let first_s = first.map(rfc3339);
            let last_s = last.map(rfc3339);
            let where_ = node.clone().unwrap_or_else(|| "cluster".to_string());
            let lookup = |name: &str| -> Option<String> {
                match name {
                    "count" => Some(h.count.to_string()),
                    "component" => Some(h.component.clone()),
                    "node" => Some(where_.clone()),
                    "first_seen" => first_s.clone(),
                    "last_seen" => last_s.clone(),
                    other => h.captures.get(other).cloned(),
                }
            };
            let head = log
                .message
                .as_deref()
                .map_or_else(|| cx.rule.title.clone(), |t| fill(t, &lookup));
            let span = match (&first_s, &last_s) {
                (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
                (Some(a), _) => format!(", at {a}"),
                _ => String::new(),
            };
            let message = format!(
                "{head} ({} line{} from {} on {where_}{span})",
                h.count,
                if h.count == 1 { "" } else { "s" },
                h.component
            );
            let mut f = cx
                .finding(format!(
                    "{}\0{}",
                    h.node.map_or(String::new(), |n| n.to_string()),
                    h.component
                ))
                .message(message)
                .node(node.as_deref())
                .evidence("count", h.count)
                .evidence("component", h.component.clone())
                .evidence("samples", h.samples.clone())
                .evidence(
                    "captures",
                    serde_json::Value::Object(
                        h.captures
                            .iter()
                            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                            .collect(),
                    ),
                )
                .var("component", h.component.clone())
                .refs(h.refs.clone());
            if let Some(n) = &node {
                f = f.var("node", n.clone());
            }
            if let Some(a) = first_s {
                f = f.evidence("first_seen", a);
            }
            if let Some(b) = last_s {
                f = f.evidence("last_seen", b);
            }
            for p in &h.paths {
                f = f.path(p.clone());
            }
            // Silent long before its log ends while the log went on: a candidate past episode
            // (a node's start-up noise, a hiccup since recovered). The engine decides once it
            // knows whether a cause that still holds at capture explains it.
            let quiet = log.history_after().ok().flatten();
            let end = snap.logs.end_of(&h.paths, snap.captured_at.at);
            if let (Some(last), Some(after), Some(end)) = (last, quiet, end) {
                if end - last >= after {
                    f = f
                        .evidence(QUIET_SINCE, rfc3339(last))
                        .evidence("log_end", rfc3339(end))
                        .evidence("quiet_for", duration_text(end - last));
                }
            }
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(placeholders("a {x} b {count} {not a name}"), ["x", "count"]);
        let s = fill("expired at {not_after}, {missing}", &|n| {
            (n == "not_after").then(|| "T".to_string())
        });
        assert_eq!(s, "expired at T, unknown");
        let s = fill("crash-looping[: {c} in {p}][ ({x})]", &|n| {
            (n != "p").then(|| n.to_uppercase())
        });
        assert_eq!(s, "crash-looping (X)");
    }
}
