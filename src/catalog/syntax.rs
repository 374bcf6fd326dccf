//! The catalogue as written in `rules/*.yaml`, before validation.

use serde::Deserialize;

use crate::logscan::LogSyntax;
use crate::model::Severity;

/// One `rules/*.yaml` file: rules and/or fix steps.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSyntax {
    /// Rules.
    #[serde(default)]
    pub rules: Vec<RuleSyntax>,
    /// Fix-step templates.
    #[serde(default)]
    pub fixes: Vec<FixSyntax>,
}

/// A rule entry as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSyntax {
    /// Kebab-case id naming the problem.
    pub id: String,
    /// Default severity.
    pub severity: Severity,
    /// One-line title.
    pub title: String,
    /// Built-in check id (`domain.snake_case`), for rules decided by code.
    #[serde(default)]
    pub check: Option<String>,
    /// Log patterns, for rules decided by log lines.
    #[serde(default)]
    pub log: Option<LogSyntax>,
    /// Why this matters; printed by `kubetriage explain`.
    pub why: String,
    /// Fix-step ids that resolve it.
    #[serde(default)]
    pub fix: Vec<String>,
    /// Rules whose findings this rule's findings explain (it is their root cause).
    #[serde(default)]
    pub explains: Vec<String>,
    /// Structural rules a log rule corroborates.
    #[serde(default)]
    pub corroborates: Vec<String>,
    /// Its findings explain only symptoms whose lines name one of their keys.
    #[serde(default)]
    pub explains_by_keys: bool,
    /// Its findings are explained by a certificate finding only through their keys.
    #[serde(default)]
    pub symptom_by_keys: bool,
    /// Specs and docs the rule enforces.
    #[serde(default)]
    pub references: Vec<String>,
}

/// A fix-step template as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixSyntax {
    /// Kebab-case id naming the action.
    pub id: String,
    /// Phase (see [`crate::catalog::Phase`]).
    pub phase: String,
    /// One-line title.
    pub title: String,
    /// Steps that must be done before this one.
    #[serde(default)]
    pub after: Vec<String>,
    /// Command templates; `{var}` placeholders are filled once per target.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Verification command templates.
    #[serde(default)]
    pub verify: Vec<String>,
    /// The caveat that applies.
    #[serde(default)]
    pub caveat: Option<String>,
    /// Where the commands come from (the distribution's own documentation).
    #[serde(default)]
    pub references: Vec<String>,
    /// Layout name (`kubeadm`, `k3s`, `rke2`, `bootkube`, `generic`) → the step that replaces
    /// this one on nodes of that layout (the distribution's own tool first).
    #[serde(default)]
    pub dialects: std::collections::BTreeMap<String, String>,
    /// The step that stands for this one on a k3s/RKE2 agent (an agent renews its
    /// certificates on every start: a restart, no rotation, no server folder).
    #[serde(default)]
    pub agent: Option<String>,
    /// Folders the step changes on a node: the plan backs each up before the first step
    /// that changes it.
    #[serde(default)]
    pub backup: Vec<String>,
    /// How to undo the step, shown as comments after its commands.
    #[serde(default)]
    pub rollback: Vec<String>,
    /// Checks to run between two nodes when the step applies to several (quorum: one member
    /// at a time).
    #[serde(default)]
    pub between_nodes: Vec<String>,
    /// One command that replaces this step's per-target commands on a node when there are
    /// three or more of them (`kubeadm certs renew all`).
    #[serde(default)]
    pub all_at_once: Option<String>,
}
