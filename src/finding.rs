//! Findings: what a check says about the bundle, already redacted, with a stable id.

pub use crate::model::{CertKey, KeyKind, Severity};
use crate::redact::Shown;
use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// One thing wrong (or worth knowing) in the bundle.
///
/// Checks fill `subject` with a key that names what the finding is about (a fingerprint, a
/// path, an object); the engine derives the stable `id` from rule + subject.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Unique within a report and stable for the same input: `<rule>:<8 hex digits>`.
    pub id: String,
    /// The catalogue rule that produced it.
    pub rule: String,
    /// Severity (the rule's default unless the check decided otherwise).
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// What is wrong and why, with the concrete names; redacted (only the redactor makes a
    /// [`Shown`]).
    pub message: Shown,
    /// Node name, or `None` for cluster-level findings.
    pub node: Option<String>,
    /// Bundle paths involved, as they stand in the bundle.
    pub paths: Vec<String>,
    /// Objects involved, as `namespace/Kind/name[#key]`.
    pub objects: Vec<String>,
    /// Structured, redacted evidence.
    pub evidence: BTreeMap<String, serde_json::Value>,
    /// Ids of root-cause findings that explain this one (set by the engine).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explained_by: Vec<String>,
    /// For the ids of `explained_by` linked by what the symptom names (not only by rule and
    /// node): the keys that matched (set by the engine).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub explained_by_keys: BTreeMap<String, Vec<CertKey>>,
    /// What a root-cause finding's certificate is, for matching what symptoms name: its
    /// validity bounds, SAN lists, the endpoints it is served at or trusted for, CA names.
    /// Sorted, unique. Not in the JSON report (a serving certificate has dozens of
    /// endpoint keys); the matched ones are in the symptom's `explained_by_keys`.
    #[serde(skip)]
    pub keys: Vec<CertKey>,
    /// What a symptom's log lines name, one group per distinct line shape (a notAfter with
    /// the server dialled, …). Sorted, unique, bounded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<Vec<CertKey>>,
    /// Whether the rule is a symptom class (a log rule, or a rule another rule explains):
    /// such a finding with no `explained_by` is an open question, not a root cause.
    #[serde(skip)]
    pub symptom: bool,
    /// What the finding is about; the id is derived from it.
    #[serde(skip)]
    pub subject: String,
    /// Values for the fix-step templates (`{path}`, `{secret}`, `{node}`, …).
    #[serde(skip)]
    pub vars: BTreeMap<String, String>,
    /// Which of the rule's fix steps apply to this finding: `None` (the default) means all of
    /// them; `Some(ids)` only those ids that the rule also lists (empty: none). A rule whose
    /// findings need different remedies (a self-hosted Deployment vs a static pod) lists every
    /// step, and each finding picks its own, so no plan step resolves a finding it cannot fix.
    #[serde(skip)]
    pub fixes: Option<Vec<String>>,
}

/// A JSON value with every string in it redacted.
fn redacted_value(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        // A whole value that is a certificate's or key's fingerprint (SHA-1 or SHA-256 hex),
        // as checks put them in evidence.
        Value::String(s) if matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Value::String(s)
        }
        Value::String(s) => Value::String(crate::redact::line(&s)),
        Value::Array(a) => Value::Array(a.into_iter().map(redacted_value).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (crate::redact::line(&k), redacted_value(v)))
                .collect(),
        ),
        other => other,
    }
}

impl Finding {
    /// A finding of `rule` about `subject`, with the rule's severity and title.
    pub fn new(rule: &crate::catalog::Rule, subject: impl Into<String>) -> Self {
        Finding {
            id: String::new(),
            rule: rule.id.clone(),
            severity: rule.severity,
            title: rule.title.clone(),
            message: Shown::default(),
            node: None,
            paths: Vec::new(),
            objects: Vec::new(),
            evidence: BTreeMap::new(),
            explained_by: Vec::new(),
            explained_by_keys: BTreeMap::new(),
            keys: Vec::new(),
            refs: Vec::new(),
            symptom: false,
            subject: subject.into(),
            vars: BTreeMap::new(),
            fixes: None,
        }
    }

    /// Sets the message.
    #[must_use]
    pub fn message(mut self, m: impl Into<String>) -> Self {
        self.message = Shown::redacted(&m.into());
        self
    }

    /// Sets the title (when the rule's title is too generic for this case).
    #[must_use]
    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.title = crate::redact::line(&t.into());
        self
    }

    /// Overrides the severity.
    #[must_use]
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }

    /// Sets the node.
    #[must_use]
    pub fn node(mut self, n: Option<&str>) -> Self {
        self.node = n.map(str::to_string);
        self
    }

    /// Adds a bundle path (kept unique).
    #[must_use]
    pub fn path(mut self, p: impl Into<String>) -> Self {
        let p = p.into();
        if !self.paths.contains(&p) {
            self.paths.push(p);
        }
        self
    }

    /// Adds an object name (kept unique).
    #[must_use]
    pub fn object(mut self, o: impl Into<String>) -> Self {
        let o = o.into();
        if !self.objects.contains(&o) {
            self.objects.push(o);
        }
        self
    }

    /// Adds a piece of evidence. Callers pass only redacted values (see [`crate::redact`]).
    #[must_use]
    pub fn evidence(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.evidence
            .insert(key.to_string(), redacted_value(value.into()));
        self
    }

    /// Sets a fix-template variable.
    #[must_use]
    pub fn var(mut self, key: &str, value: impl Into<String>) -> Self {
        self.vars.insert(key.to_string(), value.into());
        self
    }

    /// Adds certificate keys (kept sorted and unique). See [`Finding::keys`].
    #[must_use]
    pub fn keys(mut self, keys: impl IntoIterator<Item = CertKey>) -> Self {
        self.keys.extend(keys);
        self.keys.sort();
        self.keys.dedup();
        self
    }

    /// Sets what the symptom's lines name. See [`Finding::refs`].
    #[must_use]
    pub fn refs(mut self, refs: Vec<Vec<CertKey>>) -> Self {
        self.refs = refs;
        self
    }

    /// The keys that linked this symptom to root-cause finding `root`, as a report shows
    /// them (`the log names notAfter 2026-03-02T11:00:00Z, server 10.0.0.10:6443`); `None`
    /// when the link is by rule and node only.
    pub fn link_text(&self, root: &str) -> Option<String> {
        let keys = self.explained_by_keys.get(root).filter(|k| !k.is_empty())?;
        Some(format!("{} {}", self.source_names(), keys_text(keys.iter())))
    }

    /// Every key the symptom's lines name, as a report shows them (`the log names
    /// notAfter …, server …`); `None` when they name none.
    pub fn refs_text(&self) -> Option<String> {
        let keys: std::collections::BTreeSet<&CertKey> = self.refs.iter().flatten().collect();
        (!keys.is_empty()).then(|| format!("{} {}", self.source_names(), keys_text(keys.into_iter())))
    }

    fn source_names(&self) -> &'static str {
        if self.evidence.get("component").and_then(|c| c.as_str()) == Some("events") {
            "the events name"
        } else {
            "the log names"
        }
    }

    /// Restricts the fix steps of this finding to `steps` (a subset of the rule's `fix:`
    /// list; empty: the finding needs no step). See [`Finding::fixes`].
    #[must_use]
    pub fn fixes<S: Into<String>>(mut self, steps: impl IntoIterator<Item = S>) -> Self {
        self.fixes = Some(steps.into_iter().map(Into::into).collect());
        self
    }

    /// Whether fix step `step` of the rule applies to this finding: those of
    /// [`Finding::fixes`] when set, else every step of the rule.
    pub fn wants_fix(&self, step: &str) -> bool {
        self.fixes.as_ref().is_none_or(|f| f.iter().any(|s| s == step))
    }

    /// The order findings are shown in: severity (worst first), rule, node, subject.
    pub fn order_key(&self) -> (std::cmp::Reverse<Severity>, &str, Option<&str>, &str) {
        (
            std::cmp::Reverse(self.severity),
            &self.rule,
            self.node.as_deref(),
            &self.subject,
        )
    }

    /// Derives the stable id from rule, node and subject.
    pub fn derive_id(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.rule.as_bytes());
        h.update([0]);
        h.update(self.node.as_deref().unwrap_or("").as_bytes());
        h.update([0]);
        h.update(self.subject.as_bytes());
        let d = h.finalize();
        format!("{}:{:02x}{:02x}{:02x}{:02x}", self.rule, d[0], d[1], d[2], d[3])
    }
}

/// Keys as a report lists them: at most eight, then how many more.
fn keys_text<'a>(keys: impl Iterator<Item = &'a CertKey>) -> String {
    const SHOWN: usize = 8;
    let all: Vec<String> = keys.map(ToString::to_string).collect();
    let mut text = all.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > SHOWN {
        text.push_str(&format!(" and {} more", all.len() - SHOWN));
    }
    text
}
