//! Findings: what a check says about the bundle, already redacted, with a stable id.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is broken.
    Info,
    /// Will break, or may be breaking something.
    Warning,
    /// Broken.
    Error,
}

impl Severity {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    /// What is wrong and why, with the concrete names.
    pub message: String,
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

impl Finding {
    /// A finding of `rule` about `subject`, with the rule's severity and title.
    pub fn new(rule: &crate::catalog::Rule, subject: impl Into<String>) -> Self {
        Finding {
            id: String::new(),
            rule: rule.id.clone(),
            severity: rule.severity,
            title: rule.title.clone(),
            message: String::new(),
            node: None,
            paths: Vec::new(),
            objects: Vec::new(),
            evidence: BTreeMap::new(),
            explained_by: Vec::new(),
            symptom: false,
            subject: subject.into(),
            vars: BTreeMap::new(),
            fixes: None,
        }
    }

    /// Sets the message.
    #[must_use]
    pub fn message(mut self, m: impl Into<String>) -> Self {
        self.message = m.into();
        self
    }

    /// Sets the title (when the rule's title is too generic for this case).
    #[must_use]
    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.title = t.into();
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
        self.evidence.insert(key.to_string(), value.into());
        self
    }

    /// Sets a fix-template variable.
    #[must_use]
    pub fn var(mut self, key: &str, value: impl Into<String>) -> Self {
        self.vars.insert(key.to_string(), value.into());
        self
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
