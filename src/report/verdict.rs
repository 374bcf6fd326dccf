//! The verdict on one bundle, the counts behind it, and what kept checks from running.
//!
//! `healthy` is earned, never a default: it needs recognised content and no gap in the
//! analysis. A limit that stopped reading, an archive cut short, a file that could not be
//! parsed, evidence a collector scrubbed or never collected: each is an
//! [`IncompleteReason`], and a bundle with one and no error is `incomplete`, not `healthy`
//! or `degraded` (the errors may sit in what was not read).

use serde::Serialize;

use crate::artifact::InputProblem;
use crate::finding::{Finding, Severity};

/// The version of the JSON/YAML report's shape (`docs/report.schema.json`). Raised when a
/// field is removed or changes meaning; adding a field keeps it.
pub const SCHEMA_VERSION: &str = "2";

/// What kubetriage concludes about a bundle, worst first: `broken` > `incomplete` >
/// `degraded` > `healthy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Checks ran on recognised content and nothing shown is at warning or error.
    Healthy,
    /// Warnings shown, no errors, and every check ran.
    Degraded,
    /// No error shown, but some checks could not run (see `incomplete_reasons`): errors may
    /// hide in what was not read.
    Incomplete,
    /// At least one error shown.
    Broken,
}

impl Verdict {
    /// The verdict named `s` (as [`Verdict::as_str`] writes it); `failed` (a bundle that
    /// could not be read) counts as incomplete.
    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "healthy" => Some(Verdict::Healthy),
            "degraded" => Some(Verdict::Degraded),
            "incomplete" | "failed" => Some(Verdict::Incomplete),
            "broken" => Some(Verdict::Broken),
            _ => None,
        }
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::Degraded => "degraded",
            Verdict::Incomplete => "incomplete",
            Verdict::Broken => "broken",
        }
    }
}

/// Findings of one severity: how many the report shows (after `--only`, `--rule`,
/// `--skip-rule`) and how many the analysis found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Count {
    /// Shown in this report (and counted for the exit code).
    pub shown: usize,
    /// Found before the filters.
    pub total: usize,
}

/// Findings per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Counts {
    /// Errors.
    pub error: Count,
    /// Warnings.
    pub warning: Count,
    /// Infos.
    pub info: Count,
}

impl Counts {
    /// Counts of `shown` findings out of `all`.
    pub fn of(shown: &[Finding], all: &[Finding]) -> Self {
        Counts::of_severities(
            shown.iter().map(|f| Some(f.severity)),
            all.iter().map(|f| Some(f.severity)),
        )
    }

    /// Counts of the `shown` severities out of `all` (`None`: counted as nothing, e.g. a
    /// certificate that is fine).
    pub fn of_severities(
        shown: impl Iterator<Item = Option<Severity>> + Clone,
        all: impl Iterator<Item = Option<Severity>> + Clone,
    ) -> Self {
        let c = |s: Severity| Count {
            shown: shown.clone().filter(|x| *x == Some(s)).count(),
            total: all.clone().filter(|x| *x == Some(s)).count(),
        };
        Counts {
            error: c(Severity::Error),
            warning: c(Severity::Warning),
            info: c(Severity::Info),
        }
    }

    /// Shown findings of severity `s`.
    pub fn shown(&self, s: Severity) -> usize {
        match s {
            Severity::Error => self.error.shown,
            Severity::Warning => self.warning.shown,
            Severity::Info => self.info.shown,
        }
    }

    /// Findings the filters hid.
    pub fn hidden(&self) -> usize {
        [self.error, self.warning, self.info]
            .iter()
            .map(|c| c.total - c.shown)
            .sum()
    }
}

/// The sum of two counts (over several bundles).
impl std::ops::Add for Counts {
    type Output = Counts;
    fn add(self, other: Counts) -> Counts {
        let sum = |a: Count, b: Count| Count {
            shown: a.shown + b.shown,
            total: a.total + b.total,
        };
        Counts {
            error: sum(self.error, other.error),
            warning: sum(self.warning, other.warning),
            info: sum(self.info, other.info),
        }
    }
}

/// Why part of the analysis did not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapKind {
    /// A `--max-*` limit stopped reading.
    Limit,
    /// The archive ends early or is corrupt.
    ArchiveCut,
    /// A file could not be read or parsed.
    Unreadable,
    /// A collector replaced certificates, keys or secret values.
    Scrubbed,
    /// A collector left a folder out.
    NotCollected,
    /// Nothing in the input was recognised as a node tree, a dump or a certificate.
    NothingRecognised,
    /// Nothing in the bundle dates it but its files' modification times (or nothing at
    /// all): it is judged at that time, which may be long before it was made.
    CaptureTime,
}

/// One gap in the analysis: what could not be checked, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncompleteReason {
    /// The kind of gap.
    pub kind: GapKind,
    /// Rule ids that could not run on the missing part; empty when every check was affected
    /// (a limit or a cut archive stops reading everything after it).
    pub checks: Vec<String>,
    /// Bundle path where it happened, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What happened, in words.
    pub reason: String,
}

impl IncompleteReason {
    /// One line for text reports.
    pub fn line(&self) -> String {
        let checks = if self.checks.is_empty() {
            "every check on what was not read".to_string()
        } else {
            self.checks.join(", ")
        };
        let at = self.path.as_deref().map(|p| format!("{p}: ")).unwrap_or_default();
        format!("{at}{} (could not run: {checks})", self.reason)
    }
}

/// The gaps of an analysis, from its input problems and `evidence-scrubbed` findings
/// (all findings, before any filter: a filter never hides a gap). `recognised` is false
/// when no node, object or certificate was found at all.
pub fn incomplete_reasons(
    problems: &[InputProblem],
    findings: &[Finding],
    recognised: bool,
) -> Vec<IncompleteReason> {
    let mut out: Vec<IncompleteReason> = problems
        .iter()
        .map(|p| {
            let e = p.error.to_ascii_lowercase();
            let kind = if e.contains("max_") && e.contains("reached") || e.contains("limit") {
                GapKind::Limit
            } else if e.contains("archive ends early") || e.contains("corrupt") || e.contains("truncated") {
                GapKind::ArchiveCut
            } else {
                GapKind::Unreadable
            };
            IncompleteReason {
                kind,
                checks: Vec::new(),
                path: Some(p.path.clone()),
                reason: p.error.clone(),
            }
        })
        .collect();
    for f in findings.iter().filter(|f| f.rule == "evidence-scrubbed") {
        let checks: Vec<String> = f
            .evidence
            .get("checks_not_run")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let not_collected = f
            .evidence
            .get("scrubbed")
            .and_then(|v| v.as_array())
            .is_some_and(|a| {
                a.iter()
                    .all(|s| s.as_str().is_some_and(|s| s.contains("not collected")))
            });
        let collector = f
            .evidence
            .get("collector")
            .and_then(|v| v.as_str())
            .unwrap_or("a collector");
        let on = f.node.as_deref().map(|n| format!(" on {n}")).unwrap_or_default();
        out.push(IncompleteReason {
            kind: if not_collected {
                GapKind::NotCollected
            } else {
                GapKind::Scrubbed
            },
            checks,
            path: None,
            reason: if not_collected {
                format!(
                    "{collector} did not collect the certificates and keys{on} (finding {})",
                    f.id
                )
            } else {
                format!(
                    "{collector} scrubbed certificates, keys or secret values{on} (finding {})",
                    f.id
                )
            },
        });
    }
    // Checks a finding says could not run on what the bundle did not collect.
    for f in findings
        .iter()
        .filter(|f| f.rule != "evidence-scrubbed" && f.evidence.contains_key("not_collected"))
    {
        let checks = match f.evidence.get("checks_not_run") {
            Some(serde_json::Value::String(c)) => vec![c.clone()],
            Some(serde_json::Value::Array(a)) => {
                a.iter().filter_map(|c| c.as_str().map(str::to_string)).collect()
            }
            _ => Vec::new(),
        };
        out.push(IncompleteReason {
            kind: GapKind::NotCollected,
            checks,
            path: f.paths.first().cloned(),
            reason: format!(
                "files it names were not collected, so they could not be checked (finding {})",
                f.id
            ),
        });
    }
    if !recognised {
        out.push(IncompleteReason {
            kind: GapKind::NothingRecognised,
            checks: Vec::new(),
            path: None,
            reason: "no node tree, cluster dump or certificate was recognised in the input".to_string(),
        });
    }
    out
}

/// The gap a bundle dated only by its files' modification times has (a `tar` of
/// `/etc/kubernetes/pki` keeps the time the certificates were last written): a certificate
/// that expired between then and when the bundle was made is not seen. `None` for a bundle
/// dated by `--now`, its logs or its collector.
pub fn capture_gap(snap: &crate::snapshot::Snapshot) -> Option<IncompleteReason> {
    use crate::snapshot::CaptureSource;
    let what = match snap.captured_at.source {
        CaptureSource::NewestMtime => format!(
            "nothing in the bundle dates it but its newest file modification time ({}), so it is judged then",
            snap.captured_at.rfc3339()
        ),
        CaptureSource::Unknown => "nothing in the bundle dates it".to_string(),
        _ => return None,
    };
    Some(IncompleteReason {
        kind: GapKind::CaptureTime,
        checks: ["cert-expired", "cert-expiring-soon", "cert-not-yet-valid"]
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
        path: None,
        reason: format!(
            "{what}: a certificate that expired after that and before the bundle was made is not seen; pass \
             --now <when the bundle was made>"
        ),
    })
}

/// The verdict from what is shown and the gaps.
pub fn decide(counts: &Counts, reasons: &[IncompleteReason]) -> Verdict {
    if counts.error.shown > 0 {
        Verdict::Broken
    } else if !reasons.is_empty() {
        Verdict::Incomplete
    } else if counts.warning.shown > 0 {
        Verdict::Degraded
    } else {
        Verdict::Healthy
    }
}

/// One sentence: the verdict with its numbers, for every text format.
pub fn sentence(
    verdict: Verdict,
    counts: &Counts,
    reasons: &[IncompleteReason],
    plan_steps: usize,
) -> String {
    let (e, w) = (counts.error.shown, counts.warning.shown);
    let mut s = match verdict {
        Verdict::Healthy => "healthy: no errors or warnings".to_string(),
        Verdict::Degraded => format!("degraded: {w} warning(s), no errors"),
        Verdict::Incomplete => format!(
            "incomplete: {} gap(s) kept checks from running; {w} warning(s) and no errors in what was read",
            reasons.len()
        ),
        Verdict::Broken => {
            format!("broken: {e} error(s), {w} warning(s); {plan_steps} step(s) in the fix plan")
        }
    };
    if verdict == Verdict::Broken && !reasons.is_empty() {
        s.push_str(&format!("; also incomplete ({} gap(s))", reasons.len()));
    }
    let hidden = counts.hidden();
    if hidden > 0 {
        s.push_str(&format!("; {hidden} finding(s) hidden by filters"));
    }
    s
}

/// The tool that wrote a report.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// `kubetriage`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

/// This build of kubetriage.
pub const TOOL: Tool = Tool {
    name: "kubetriage",
    version: env!("CARGO_PKG_VERSION"),
};
