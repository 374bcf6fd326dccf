//! Reports: the analysis as data, and its renderings (table, markdown, json).
//! Reports read findings and the plan; they never re-parse the bundle.

pub mod certs;
pub mod escape;
pub mod fleet;
mod html;
mod json;
mod markdown;
mod table;
pub mod timeline;

use clap::ValueEnum;
use rayon::prelude::*;
use serde::Serialize;

use crate::artifact::InputProblem;
use crate::catalog::Catalog;
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
    /// Detected (or `--layout`) distribution: `kubeadm`, `bootkube`, `k3s`, `rke2`, `generic`.
    pub layout: String,
    /// The tool that collected it (`sosreport`, `kubetriage-collect`), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collector: Option<String>,
}

/// A certificate's validity span, for the pictures and the fleet summary.
#[derive(Clone, Debug, Serialize)]
pub struct CertSpan {
    /// CN (or subject) and where it sits, short.
    pub label: String,
    /// Short fingerprint.
    pub fingerprint: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: time::OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: time::OffsetDateTime,
    /// Whether it is a CA.
    pub is_ca: bool,
    /// Where it was found (first location).
    pub location: String,
    /// How many places hold it.
    pub locations: usize,
}

/// Log hits of one rule on one component and node, for the events-over-time picture.
#[derive(Clone, Debug, Serialize)]
pub struct EventSpan {
    /// Log rule id.
    pub rule: String,
    /// Component.
    pub component: String,
    /// Node name, `cluster` for cluster-level sources.
    pub node: String,
    /// Matching lines.
    pub count: u64,
    /// First match.
    pub first_seen: Option<time::OffsetDateTime>,
    /// Last match.
    pub last_seen: Option<time::OffsetDateTime>,
    /// Severity of the rule.
    pub severity: Severity,
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
    /// The capture instant.
    #[serde(skip)]
    pub captured: time::OffsetDateTime,
    /// Certificate validity spans, for pictures and the fleet summary.
    #[serde(skip)]
    pub cert_spans: Vec<CertSpan>,
    /// Log event spans, for pictures.
    #[serde(skip)]
    pub event_spans: Vec<EventSpan>,
    /// The certificate inventory (for the markdown report; `kubetriage certs` prints it alone).
    #[serde(skip)]
    pub certificates: Vec<crate::pki::inventory::CertRow>,
}

impl Analysis {
    /// Assembles the analysis of `snap`.
    pub fn new(
        snap: &Snapshot,
        catalog: &Catalog,
        findings: Vec<Finding>,
        plan: Vec<PlanStep>,
        stats: Stats,
    ) -> Self {
        let cert_spans = cert_spans(snap);
        let event_spans = snap
            .logs
            .hits
            .iter()
            .map(|h| {
                let (first_seen, last_seen) = crate::logscan::resolved_times(h, snap.captured_at.at);
                EventSpan {
                    rule: h.rule.clone(),
                    component: h.component.clone(),
                    node: snap.node_name(h.node).to_string(),
                    count: h.count,
                    first_seen,
                    last_seen,
                    severity: catalog.rule(&h.rule).map_or(Severity::Info, |r| r.severity),
                }
            })
            .collect();
        Analysis {
            certificates: crate::pki::inventory::rows(snap),
            captured: snap.captured_at.at,
            cert_spans,
            event_spans,
            source: snap.source.clone(),
            captured_at: snap.captured_at.rfc3339(),
            captured_at_source: snap.captured_at.source.as_str().to_string(),
            nodes: snap
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let l = snap.node_layouts.get(i).copied().unwrap_or_default();
                    NodeSummary {
                        name: n.name.clone(),
                        root: n.root.clone(),
                        layout: l.layout.as_str().to_string(),
                        collector: l.collector.map(|c| c.as_str().to_string()),
                    }
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

    /// Root-cause findings: not of a symptom class.
    pub fn root_causes(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.symptom)
    }

    /// Findings that `root` explains.
    pub fn symptoms_of<'a>(&'a self, root: &'a Finding) -> impl Iterator<Item = &'a Finding> {
        self.findings
            .iter()
            .filter(move |f| f.explained_by.contains(&root.id))
    }

    /// Symptoms that no finding explains: shown as open questions, never hidden.
    pub fn open_questions(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.symptom && f.explained_by.is_empty())
    }

    /// The finding with this id.
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }
}

/// The last part of a location, enough to tell copies apart in a picture: the file name,
/// or `Secret name#key`.
fn short_place(l: &crate::snapshot::Location) -> String {
    use crate::snapshot::Location;
    match l {
        Location::File { path } => path.rsplit('/').next().unwrap_or(path).to_string(),
        Location::Kubeconfig { path, field } => {
            format!(
                "{} {}",
                path.rsplit('/').next().unwrap_or(path),
                field.split('.').next().unwrap_or(field)
            )
        }
        Location::Object { object, key, .. } => format!("{} {}#{key}", object.kind, object.name),
    }
}

/// Turns a table's styling off when `NO_COLOR` is set (<https://no-color.org>).
pub(crate) fn no_color(t: &mut comfy_table::Table) {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        t.force_no_tty();
    }
}

/// `cp-1 (kubeadm)`, `cp-1 (kubeadm, sosreport)`: a node with its detected layout.
pub fn node_label(n: &NodeSummary) -> String {
    match &n.collector {
        Some(c) => format!("{} ({}, {c})", n.name, n.layout),
        None => format!("{} ({})", n.name, n.layout),
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
    /// One self-contained HTML file with pictures.
    Html,
}

/// Renders analyses (one per bundle) in `format`.
pub fn render(analyses: &[Analysis], format: Format, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => json::render(analyses, w),
        Format::Html => escape::visibly(w, |w| html::render(analyses, w)),
        Format::Markdown => escape::visibly(w, |w| {
            if analyses.len() > 1 {
                markdown::render_fleet(analyses, w)?;
            }
            for a in analyses {
                markdown::render(a, w)?;
            }
            Ok(())
        }),
        Format::Table => escape::visibly(w, |w| {
            if analyses.len() > 1 {
                table::render_fleet(analyses, w)?;
            }
            for a in analyses {
                table::render(a, w)?;
            }
            Ok(())
        }),
    }
}

/// Every certificate of `snap` as a span of the validity chart, in index order.
pub fn cert_spans(snap: &Snapshot) -> Vec<CertSpan> {
    snap.certs
        .certs
        .par_iter()
        .map(|c| CertSpan {
            label: match c.locations.first().map(short_place) {
                Some(place) => format!("{} · {place}", c.name()),
                None => c.name().to_string(),
            },
            fingerprint: c.fingerprint.short(),
            not_before: c.not_before,
            not_after: c.not_after,
            is_ca: c.is_ca,
            location: c.locations.first().map(ToString::to_string).unwrap_or_default(),
            locations: c.locations.len(),
        })
        .collect()
}
