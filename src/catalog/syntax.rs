//! The catalogue as written in `rules/*.yaml`, before validation.

use serde::Deserialize;

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

/// The log part of a log rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSyntax {
    /// Components whose logs the rule applies to (`any` or absent: all).
    #[serde(default)]
    pub components: Vec<String>,
    /// Literal strings, one of which every matching line contains (the prefilter).
    #[serde(default)]
    pub literals: Vec<String>,
    /// Regexes; a line matching any of them is a hit. Named captures feed the message.
    pub patterns: Vec<String>,
    /// Regexes that veto a hit (benign look-alikes).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Message template with `{capture}` placeholders.
    #[serde(default)]
    pub message: Option<String>,
    /// Lines that must match (checked by `rules check` and the tests).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Lines that must not match.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// How long the condition must have been silent, while its log went on, to be a past
    /// episode instead of an ongoing fault (`15m`, `2h`, `1d`; `never` where silence proves
    /// nothing, e.g. a retry every day). Default [`DEFAULT_HISTORY_AFTER`].
    #[serde(default)]
    pub history_after: Option<String>,
}

/// How long a log condition must be silent, while its log goes on, to be history: longer
/// than the kubelet's and controllers' retry back-offs (5 minutes at most).
pub const DEFAULT_HISTORY_AFTER: &str = "15m";

impl LogSyntax {
    /// The silence after which a hit is a past episode; `None` for `never`. `Err` says why a
    /// value is not a duration.
    pub fn history_after(&self) -> Result<Option<time::Duration>, String> {
        let text = self
            .history_after
            .as_deref()
            .unwrap_or(DEFAULT_HISTORY_AFTER)
            .trim();
        if text == "never" {
            return Ok(None);
        }
        let (n, unit) = text.split_at(text.len().saturating_sub(1));
        let n: i64 = n.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            format!("history_after `{text}` is not a positive duration such as 15m, 2h, 1d or never")
        })?;
        match unit {
            "m" => Ok(Some(time::Duration::minutes(n))),
            "h" => Ok(Some(time::Duration::hours(n))),
            "d" => Ok(Some(time::Duration::days(n))),
            _ => Err(format!(
                "history_after `{text}` needs a unit: m, h or d (or never)"
            )),
        }
    }
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

#[cfg(test)]
mod history_tests {
    use super::*;

    fn with(v: Option<&str>) -> LogSyntax {
        LogSyntax {
            components: Vec::new(),
            literals: Vec::new(),
            patterns: Vec::new(),
            exclude: Vec::new(),
            message: None,
            examples: Vec::new(),
            negative_examples: Vec::new(),
            history_after: v.map(str::to_string),
        }
    }

    #[test]
    fn history_after_reads_durations_and_never() {
        assert_eq!(with(None).history_after(), Ok(Some(time::Duration::minutes(15))));
        assert_eq!(
            with(Some("2h")).history_after(),
            Ok(Some(time::Duration::hours(2)))
        );
        assert_eq!(
            with(Some("1d")).history_after(),
            Ok(Some(time::Duration::days(1)))
        );
        assert_eq!(with(Some("never")).history_after(), Ok(None));
        for bad in ["15", "0m", "-1h", "5s", "soon"] {
            assert!(with(Some(bad)).history_after().is_err(), "{bad}");
        }
    }
}
