//! Reports: the analysis as data, and its renderings (table, markdown, json).
//! Reports read findings and the plan; they never re-parse the bundle.

mod json;
mod markdown;
mod table;

use clap::ValueEnum;
use serde::Serialize;

use crate::artifact::InputProblem;
use crate::engine::Stats;
use crate::finding::{Finding, Severity};
use crate::plan::PlanStep;
use crate::snapshot::Snapshot;

/// A node as reports name it.
#[derive(Clone, Debug, Serialize)]
pub struct NodeSummary {
    /// Node name.
    pub name: String,
    /// Bundle path prefix of its tree.
    pub root: String,
}

/// The result of analysing one bundle: what every report format renders.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// The input as given.
    pub source: String,
    /// Capture time, RFC 3339.
    pub captured_at: String,
    /// Where the capture time came from (`flag`, `newest-log`, `newest-mtime`, `unknown`).
    pub captured_at_source: String,
    /// Nodes found.
    pub nodes: Vec<NodeSummary>,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// The ordered fix plan.
    pub plan: Vec<PlanStep>,
    /// Inputs that could not be read or parsed.
    pub problems: Vec<InputProblem>,
    /// Stage timings (not serialised: they vary run to run).
    #[serde(skip)]
    pub stats: Stats,
}

impl Analysis {
    /// Assembles the analysis of `snap`.
    pub fn new(snap: &Snapshot, findings: Vec<Finding>, plan: Vec<PlanStep>, stats: Stats) -> Self {
        Analysis {
            source: snap.source.clone(),
            captured_at: snap.captured_at.rfc3339(),
            captured_at_source: snap.captured_at.source.as_str().to_string(),
            nodes: snap
                .nodes
                .iter()
                .map(|n| NodeSummary {
                    name: n.name.clone(),
                    root: n.root.clone(),
                })
                .collect(),
            findings,
            plan,
            problems: snap.problems.clone(),
            stats,
        }
    }

    /// The worst severity among findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Findings at or above `level`.
    pub fn count_at_least(&self, level: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity >= level).count()
    }

    /// The finding with this id.
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A terminal table (the default on a terminal).
    Table,
    /// Markdown for a ticket.
    Markdown,
    /// JSON for machines (schema in the README).
    Json,
}

/// Renders analyses (one per bundle) in `format`.
pub fn render(analyses: &[Analysis], format: Format, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => json::render(analyses, w),
        Format::Markdown => {
            for a in analyses {
                markdown::render(a, w)?;
            }
            Ok(())
        }
        Format::Table => {
            for a in analyses {
                table::render(a, w)?;
            }
            Ok(())
        }
    }
}
