//! SARIF 2.1.0 (OASIS): one run per bundle, one result per shown finding, for code-scanning
//! dashboards. Bundle paths are artifact locations (percent-encoded URI references relative
//! to the bundle); nodes and objects are logical locations; the stable finding id is a
//! partial fingerprint, so a dashboard tracks the same finding across runs.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

use crate::finding::{Finding, Severity};
use crate::report::Analysis;
use crate::report::escape::visible;
use crate::report::verdict::TOOL;

/// Characters a path keeps out of a URI reference (RFC 3986), `/` kept.
const URI_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b':');

/// A bundle path as a relative URI reference.
pub(crate) fn uri(path: &str) -> String {
    utf8_percent_encode(path.trim_start_matches('/'), URI_UNSAFE).to_string()
}

/// The SARIF level of a severity.
pub(crate) fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// One SARIF result for `f`, with `baseline` (`new`, `unchanged`, `absent`) when the report
/// compares two bundles.
pub(crate) fn result(f: &Finding, rule_index: usize, baseline: Option<&str>) -> Value {
    let mut locations: Vec<Value> = f
        .paths
        .iter()
        .map(|p| json!({"physicalLocation": {"artifactLocation": {"uri": uri(p)}}}))
        .collect();
    let mut logical: Vec<Value> = f
        .objects
        .iter()
        .map(|o| json!({"fullyQualifiedName": visible(o), "kind": "object"}))
        .collect();
    if let Some(n) = &f.node {
        logical.push(json!({"name": visible(n), "kind": "node"}));
    }
    if !logical.is_empty() {
        if let Some(first) = locations.first_mut() {
            first["logicalLocations"] = Value::Array(logical);
        } else {
            locations.push(json!({"logicalLocations": logical}));
        }
    }
    // A SARIF viewer decodes `\u001b` back to ESC: bundle text is shown escaped, as in a table.
    let text = visible(&if f.message.is_empty() {
        f.title.clone()
    } else {
        format!("{}: {}", f.title, f.message)
    });
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": locations,
        "partialFingerprints": {"kubetriageFindingId/v1": f.id},
        "properties": {"findingId": f.id, "explainedBy": f.explained_by},
    });
    if let Some(b) = baseline {
        r["baselineState"] = json!(b);
    }
    r
}

/// The rules of `findings` (each rule once, in first-seen order) and the index of each.
pub(crate) fn rules<'a>(
    findings: impl Iterator<Item = &'a Finding>,
) -> (Vec<Value>, BTreeMap<String, usize>) {
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for f in findings {
        if !index.contains_key(&f.rule) {
            index.insert(f.rule.clone(), out.len());
            out.push(json!({
                "id": f.rule,
                "shortDescription": {"text": f.title},
                "help": {"text": format!("kubetriage explain {}", f.rule)},
                "defaultConfiguration": {"level": level(f.severity)},
            }));
        }
    }
    (out, index)
}

/// The `tool` object of a run.
pub(crate) fn tool(rules: Vec<Value>) -> Value {
    json!({"driver": {"name": TOOL.name, "version": TOOL.version, "semanticVersion": TOOL.version, "rules": rules}})
}

/// Writes the SARIF log of every analysis.
pub fn render(analyses: &[Analysis], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let runs: Vec<Value> = analyses
        .iter()
        .map(|a| {
            let (rules, index) = rules(a.findings.iter());
            let results: Vec<Value> = a
                .findings
                .iter()
                .map(|f| result(f, index.get(&f.rule).copied().unwrap_or(0), None))
                .collect();
            json!({
                "tool": tool(rules),
                "automationDetails": {"id": format!("kubetriage/{}/", visible(&a.source))},
                "invocations": [{
                    "executionSuccessful": true,
                    "toolExecutionNotifications": a.incomplete_reasons.iter().map(|r| json!({
                        "level": "warning",
                        "message": {"text": visible(&r.line())},
                    })).collect::<Vec<_>>(),
                    "properties": {"verdict": a.verdict, "capturedAt": a.captured_at, "source": visible(&a.source)},
                }],
                "results": results,
                "properties": {"verdict": a.verdict, "counts": a.counts},
            })
        })
        .collect();
    write(runs, w)
}

/// Writes a SARIF log of `runs`.
pub(crate) fn write(runs: Vec<Value>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    });
    serde_json::to_writer_pretty(&mut *w, &log).map_err(std::io::Error::other)?;
    writeln!(w)
}
