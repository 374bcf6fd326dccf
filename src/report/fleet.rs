//! The fleet summary: one row per bundle, for pre-upgrade audits across many clusters.

use serde::Serialize;

use crate::finding::Severity;
use crate::report::Analysis;
use crate::snapshot::rfc3339;

/// One bundle at a glance.
#[derive(Clone, Debug, Serialize)]
pub struct FleetRow {
    /// The bundle.
    pub source: String,
    /// Worst severity (`none` when there are no findings).
    pub worst: String,
    /// Findings at error.
    pub errors: usize,
    /// Findings at warning.
    pub warnings: usize,
    /// Findings at info.
    pub infos: usize,
    /// The certificate that expires first (or expired), with its date and days from capture.
    pub earliest_expiry: String,
}

/// The fleet rows, in the order the bundles were given.
pub fn rows(analyses: &[Analysis]) -> Vec<FleetRow> {
    analyses
        .iter()
        .map(|a| {
            let count = |s: Severity| a.findings.iter().filter(|f| f.severity == s).count();
            let earliest = a
                .cert_spans
                .iter()
                .min_by_key(|c| (c.not_after, &c.label))
                .map_or_else(
                    || "no certificates".to_string(),
                    |c| {
                        let days = (c.not_after - a.captured).whole_days();
                        format!("{} {} ({days:+} days at capture)", rfc3339(c.not_after), c.label)
                    },
                );
            FleetRow {
                source: a.source.clone(),
                worst: if a.error.is_some() {
                    "unreadable"
                } else {
                    a.worst().map_or("none", Severity::as_str)
                }
                .to_string(),
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                infos: count(Severity::Info),
                earliest_expiry: earliest,
            }
        })
        .collect()
}
