//! Reports: the analysis as data, and its renderings (table, markdown, json).
//! Reports read findings and the plan; they never re-parse the bundle.

pub mod certs;
pub mod diff;
pub mod envelope;
pub mod escape;
pub mod fleet;
mod html;
mod junit;
pub mod markdown;
mod sarif;
mod table;
pub mod terminal;
pub mod timeline;
pub mod verdict;

use clap::ValueEnum;
use rayon::prelude::*;
use serde::Serialize;

use crate::artifact::InputProblem;
use crate::catalog::Catalog;
use crate::finding::{Finding, Severity};
use crate::model::Stats;
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
    /// A k3s/RKE2 node's role (`server`, `agent`), when the bundle proves it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// What proves the role: a path under the node, or the Node object's role label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_evidence: Option<String>,
    /// For a node the bundle holds no files of, known only from a dumped Node object (a
    /// troubleshoot or must-gather bundle): that dump's path. Its `root` is empty and its
    /// `layout` `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_from_api: Option<String>,
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
    /// The report shape's version ([`verdict::SCHEMA_VERSION`]).
    pub schema_version: &'static str,
    /// The tool and its version.
    pub tool: verdict::Tool,
    /// The verdict on the bundle (of what is shown, and the gaps).
    pub verdict: verdict::Verdict,
    /// Findings per severity, shown and total.
    pub counts: verdict::Counts,
    /// Checks that could not run, and why (never hidden by a filter).
    pub incomplete_reasons: Vec<verdict::IncompleteReason>,
    /// The input as given.
    pub source: String,
    /// Capture time, RFC 3339.
    pub captured_at: String,
    /// Where the capture time came from (`flag`, `newest-log`, `newest-mtime`, `unknown`).
    pub captured_at_source: String,
    /// What gave the capture time, in words (the file or log, or `--now`).
    pub captured_at_evidence: String,
    /// Nodes found.
    pub nodes: Vec<NodeSummary>,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// The ordered fix plan.
    pub plan: Vec<PlanStep>,
    /// Inputs that could not be read or parsed.
    pub problems: Vec<InputProblem>,
    /// Set when the input itself ended early or broke (a truncated archive): the report
    /// covers only what came before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    /// Set when the bundle could not be read at all (then nothing else is filled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The certificate that expires first (the fleet summary's column; `null` without
    /// certificates).
    pub earliest_expiry: Option<fleet::Expiry>,
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
    pub certificates: Vec<crate::facts::inventory::CertRow>,
    /// The expiry window (days) the certificate statuses were decided with: the checks' own.
    #[serde(skip)]
    pub window_days: i64,
}

impl envelope::Judged for Analysis {
    fn verdict(&self) -> verdict::Verdict {
        self.verdict
    }
    fn counts(&self) -> verdict::Counts {
        self.counts
    }
}

impl Analysis {
    /// The same analysis with its certificate statuses decided with `window` (the expiry
    /// window the checks ran with), so tables, pictures and findings agree.
    pub fn with_expiry_window(mut self, snap: &Snapshot, window: time::Duration) -> Self {
        self.certificates = crate::facts::inventory::rows_within(snap, window);
        self.window_days = window.whole_days();
        self
    }

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
                    node: snap.hit_node(h).unwrap_or_else(|| "cluster".to_string()),
                    count: h.count,
                    first_seen,
                    last_seen,
                    severity: catalog.rule(&h.rule).map_or(Severity::Info, |r| r.severity),
                }
            })
            .collect();
        let recognised = !snap.nodes.is_empty()
            || !snap.certs.certs.is_empty()
            || !snap.kubeconfigs.is_empty()
            || !snap.pods.is_empty()
            || !snap.workloads.is_empty()
            || !snap.secrets.is_empty()
            || !snap.configmaps.is_empty()
            || !snap.k8s_nodes.is_empty()
            || !snap.events.is_empty()
            || !snap.logs.hits.is_empty();
        let mut incomplete_reasons = verdict::incomplete_reasons(&snap.problems, &findings, recognised);
        incomplete_reasons.extend(verdict::capture_gap(snap).filter(|_| recognised));
        let counts = verdict::Counts::of(&findings, &findings);
        let mut certificates = crate::facts::inventory::rows(snap);
        certs::sort_rows(&mut certificates);
        Analysis {
            earliest_expiry: fleet::earliest_expiry(&cert_spans, snap.captured_at.at),
            schema_version: verdict::SCHEMA_VERSION,
            tool: verdict::TOOL,
            verdict: verdict::decide(&counts, &incomplete_reasons),
            counts,
            incomplete_reasons,
            certificates,
            window_days: 30,
            captured: snap.captured_at.at,
            cert_spans,
            event_spans,
            source: snap.source.clone(),
            captured_at: snap.captured_at.rfc3339(),
            captured_at_source: snap.captured_at.source.as_str().to_string(),
            captured_at_evidence: snap.captured_from.clone(),
            nodes: snap
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let l = snap.node_layouts.get(i).cloned().unwrap_or_default();
                    NodeSummary {
                        name: n.name.clone(),
                        root: n.root.clone(),
                        layout: l.layout.as_str().to_string(),
                        collector: l.collector.map(|c| c.as_str().to_string()),
                        role: l.role.as_ref().map(|(r, _)| r.as_str().to_string()),
                        role_evidence: l.role.map(|(_, e)| e),
                        known_from_api: None,
                    }
                })
                .chain(api_only_nodes(snap))
                .collect(),
            findings,
            plan,
            problems: snap.problems.clone(),
            incomplete: snap.cut.clone(),
            error: None,
            stats,
        }
    }

    /// Keeps only the findings `filter` selects: counts, verdict and plan follow (a plan
    /// step stays when it resolves a shown finding or the root cause of one); the gaps stay.
    pub fn apply_filter(&mut self, filter: &Filter) {
        if filter.is_empty() {
            return;
        }
        let all = std::mem::take(&mut self.findings);
        let shown: Vec<Finding> = all.iter().filter(|f| filter.keeps(f)).cloned().collect();
        self.counts = verdict::Counts::of(&shown, &all);
        self.verdict = verdict::decide(&self.counts, &self.incomplete_reasons);
        // A step stays when it fixes a shown finding, or a hidden root cause of a shown
        // symptom (`--skip-rule cert-expired` still shows the logs the renewal fixes). Its
        // `resolves` then names only shown findings: the symptom stands in for its hidden
        // cause, so every id a step names is one the report shows.
        let shown_ids: std::collections::BTreeSet<&str> = shown.iter().map(|f| f.id.as_str()).collect();
        for s in &mut self.plan {
            let resolves: std::collections::BTreeSet<&str> = s.resolves.iter().map(String::as_str).collect();
            s.resolves = shown
                .iter()
                .filter(|f| {
                    shown_ids.contains(f.id.as_str()) && resolves.contains(f.id.as_str())
                        || f.explained_by
                            .iter()
                            .any(|e| !shown_ids.contains(e.as_str()) && resolves.contains(e.as_str()))
                })
                .map(|f| f.id.clone())
                .collect();
        }
        self.plan.retain(|s| !s.resolves.is_empty());
        for (i, s) in self.plan.iter_mut().enumerate() {
            s.order = i + 1;
        }
        self.findings = shown;
    }

    /// The verdict as one sentence with its numbers.
    pub fn verdict_sentence(&self) -> String {
        verdict::sentence(
            self.verdict,
            &self.counts,
            &self.incomplete_reasons,
            self.plan.len(),
        )
    }

    /// The entry of a bundle that could not be read: its source and why, nothing else.
    pub fn failed(source: impl Into<String>, error: impl Into<String>, catalog: &Catalog) -> Self {
        let snap = Snapshot::empty(source, crate::snapshot::decide_capture_time(None, None, None));
        let mut a = Analysis::new(&snap, catalog, Vec::new(), Vec::new(), Stats::default());
        a.error = Some(error.into());
        a
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

/// `cp-1 (kubeadm)`, `cp-1 (kubeadm, sosreport)`: a node with its detected layout.
pub fn node_label(n: &NodeSummary) -> String {
    if n.known_from_api.is_some() {
        return format!("{} (known from the API only)", n.name);
    }
    match &n.collector {
        Some(c) => format!("{} ({}, {c})", n.name, n.layout),
        None => format!("{} ({})", n.name, n.layout),
    }
}

/// Node names a report's header shows; the rest are counted (`-o json` lists every node), so
/// thousands of dumped Node objects cannot push the findings and the plan out of a report
/// with a size budget (hostile round 10, case 11).
pub const NODES_SHOWN: usize = 50;

/// The header's node list, each rendered by `label`: nodes of the bundle's trees first, then
/// those known from the API only, at most [`NODES_SHOWN`] names and a count of the rest.
pub fn nodes_line(nodes: &[NodeSummary], label: impl Fn(&NodeSummary) -> String) -> String {
    if nodes.is_empty() {
        return "none found".to_string();
    }
    let ordered = nodes
        .iter()
        .filter(|n| n.known_from_api.is_none())
        .chain(nodes.iter().filter(|n| n.known_from_api.is_some()));
    let shown: Vec<String> = ordered.take(NODES_SHOWN).map(label).collect();
    let rest = nodes.len().saturating_sub(shown.len());
    if rest == 0 {
        shown.join(", ")
    } else {
        format!("{} and {rest} more (-o json lists them all)", shown.join(", "))
    }
}

/// The dumped Node objects no node tree of the bundle stands for: nodes known from the API
/// only, each once, by name.
fn api_only_nodes(snap: &Snapshot) -> Vec<NodeSummary> {
    let mut seen: std::collections::BTreeSet<&str> = snap.nodes.iter().map(|n| n.name.as_str()).collect();
    snap.k8s_nodes
        .iter()
        .filter(|n| !n.node.metadata.name.is_empty() && seen.insert(n.node.metadata.name.as_str()))
        .map(|n| NodeSummary {
            name: n.node.metadata.name.clone(),
            root: String::new(),
            layout: "unknown".to_string(),
            collector: None,
            role: None,
            role_evidence: None,
            known_from_api: Some(n.path.clone()),
        })
        .collect()
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A terminal table (the default on a terminal).
    Table,
    /// The terminal table with every finding's full text.
    Wide,
    /// Markdown for a ticket.
    Markdown,
    /// JSON for machines (`docs/report.schema.json`).
    Json,
    /// The JSON report as YAML.
    Yaml,
    /// JSON, one report per line, for pipelines.
    Jsonl,
    /// One self-contained HTML file with pictures.
    Html,
    /// SARIF 2.1.0, for code-scanning dashboards (reports with findings only).
    Sarif,
    /// JUnit XML, for CI test views (reports with findings only).
    Junit,
}

impl Format {
    /// The format a file name asks for by its extension: `.json`, `.yaml`/`.yml`, `.md`,
    /// `.html`/`.htm`, `.sarif`, `.xml` (JUnit), `.txt` (table).
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "yaml" | "yml" => Format::Yaml,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "sarif" => Format::Sarif,
            "xml" => Format::Junit,
            "txt" => Format::Table,
            _ => return None,
        })
    }

    /// Lowercase name, as `-o` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Wide => "wide",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Yaml => "yaml",
            Format::Html => "html",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
        }
    }
}

/// What a report shows: `--only`, `--rule`, `--skip-rule`.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Lowest severity shown.
    pub only: Option<Severity>,
    /// When not empty, only these rule ids.
    pub rules: Vec<String>,
    /// Rule ids never shown.
    pub skip_rules: Vec<String>,
}

impl Filter {
    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self.only.is_none() && self.rules.is_empty() && self.skip_rules.is_empty()
    }

    /// Whether `f` is shown.
    pub fn keeps(&self, f: &Finding) -> bool {
        self.only.is_none_or(|o| f.severity >= o)
            && (self.rules.is_empty() || self.rules.contains(&f.rule))
            && !self.skip_rules.contains(&f.rule)
    }
}

/// `--fail-on`: what makes the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A shown finding at info or above.
    Info,
    /// A shown finding at warning or above.
    Warning,
    /// A shown error (the default).
    Error,
    /// A shown error, or a check that could not run (verdict `incomplete`, or `broken` with
    /// gaps).
    Incomplete,
    /// Never (exit 0 unless the tool fails).
    Never,
}

impl FailOn {
    /// The lowest severity that fails, if severities decide.
    pub fn severity(self) -> Option<Severity> {
        match self {
            FailOn::Info => Some(Severity::Info),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Error | FailOn::Incomplete => Some(Severity::Error),
            FailOn::Never => None,
        }
    }

    /// Whether a finding of severity `s` fails.
    pub fn fails_at(self, s: Severity) -> bool {
        self.severity().is_some_and(|min| s >= min)
    }

    /// Whether `a` makes the exit code 1.
    pub fn fails(self, a: &Analysis) -> bool {
        a.findings.iter().any(|f| self.fails_at(f.severity))
            || (self == FailOn::Incomplete && !a.incomplete_reasons.is_empty())
    }
}

/// The default markdown size budget, in characters.
pub const DEFAULT_MARKDOWN_BUDGET: usize = markdown::DEFAULT_BUDGET;

/// How to render, beyond the format.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// The subcommand the report is for (JSON and YAML name it).
    pub command: &'static str,
    /// Largest markdown report in characters before sections are left out (0: no limit).
    pub markdown_budget: usize,
    /// What fails: JUnit marks those findings as failures.
    pub fail_on: FailOn,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            command: "analyze",
            markdown_budget: markdown::DEFAULT_BUDGET,
            fail_on: FailOn::Error,
        }
    }
}

/// Renders analyses (one per bundle) in `format` with default options.
pub fn render(analyses: &[Analysis], format: Format, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    render_with(analyses, format, &RenderOptions::default(), w)
}

/// Renders analyses (one per bundle) in `format`.
pub fn render_with(
    analyses: &[Analysis],
    format: Format,
    opts: &RenderOptions,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => envelope::json(&envelope::Envelope::new(opts.command, analyses), w),
        Format::Jsonl => envelope::jsonl(analyses, w),
        Format::Yaml => envelope::yaml(&envelope::Envelope::new(opts.command, analyses), w),
        Format::Html => escape::visibly(w, |w| html::render(analyses, w)),
        Format::Sarif => sarif::render(analyses, w),
        Format::Junit => junit::render(analyses, opts.fail_on, w),
        Format::Markdown => escape::visibly(w, |w| markdown::render_all(analyses, opts.markdown_budget, w)),
        Format::Table | Format::Wide => escape::visibly(w, |w| {
            if analyses.len() > 1 {
                table::render_fleet(&fleet::rows(analyses), w)?;
            }
            for a in analyses {
                table::render_as(a, format == Format::Wide, w)?;
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
        .chain(snap.cert_texts.par_iter().map(|(path, _, c)| CertSpan {
            label: format!(
                "{} · {} (text dump)",
                c.name(),
                path.rsplit('/').next().unwrap_or(path)
            ),
            fingerprint: crate::facts::inventory::TEXT_DUMP.to_string(),
            not_before: c.not_before,
            not_after: c.not_after,
            is_ca: false,
            location: path.clone(),
            locations: 1,
        }))
        .collect()
}
