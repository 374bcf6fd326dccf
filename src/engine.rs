//! Runs every rule of the catalogue over the snapshot in parallel, then orders, identifies
//! and correlates the findings and plans the fixes.

use std::collections::BTreeMap;
use std::time::Duration;

use rayon::prelude::*;

use crate::Options;
use crate::catalog::{Catalog, RuleKind};
use crate::checks::{self, Ctx};
use crate::finding::{CertKey, Finding};
use crate::report::Analysis;
use crate::snapshot::Snapshot;

/// Time and bytes per stage, for `--stats`.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Bytes read from the source (compressed, as stored).
    pub bytes_read: u64,
    /// Bytes after decompression.
    pub bytes_unpacked: u64,
    /// Entries seen.
    pub entries: u64,
    /// Reading, decompressing and scanning logs (pipelined: wall time of the whole stream).
    pub read: Duration,
    /// Of which scanning logs: busy time summed over the threads that scan.
    pub scan: Duration,
    /// Parsing structured artifacts and indexing.
    pub parse: Duration,
    /// Signature checks and trust edges.
    pub pki: Duration,
    /// Running the checks.
    pub checks: Duration,
    /// Correlating findings, ordering the fix plan and assembling the analysis.
    pub plan: Duration,
}

impl Stats {
    /// Unpacked megabytes per second of the read stage (0 when it took no time).
    pub fn mb_per_s(&self) -> f64 {
        let secs = self.read.as_secs_f64();
        if secs > 0.0 {
            self.bytes_unpacked as f64 / 1e6 / secs
        } else {
            0.0
        }
    }
}

/// Evaluates the catalogue over `snap` and assembles the analysis.
pub fn run(snap: &Snapshot, catalog: &Catalog, opts: &Options, mut stats: Stats) -> Analysis {
    let started = std::time::Instant::now();
    let mut findings = evaluate(snap, catalog, opts);
    stats.checks = started.elapsed();
    let started = std::time::Instant::now();
    correlate(&mut findings, catalog);
    let plan = crate::plan::build_with(&findings, catalog, &crate::plan::PlanContext::of(snap));
    let mut analysis = Analysis::new(snap, catalog, findings, plan, stats);
    analysis.stats.plan = started.elapsed();
    analysis
}

/// Runs every rule (built-in checks and log rules) in parallel; findings come back sorted
/// by [`Finding::order_key`] with unique, stable ids.
pub fn evaluate(snap: &Snapshot, catalog: &Catalog, opts: &Options) -> Vec<Finding> {
    let mut findings: Vec<Finding> = catalog
        .rules
        .par_iter()
        .flat_map_iter(|rule| {
            let cx = Ctx { snap, rule, opts };
            match &rule.kind {
                RuleKind::Check(id) => checks::find(id).map(|c| c.run(&cx)).unwrap_or_default(),
                RuleKind::Log(_) => crate::logscan::findings(&cx),
            }
        })
        .collect();
    findings.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for f in &mut findings {
        let base = f.derive_id();
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        f.id = if *n == 1 { base } else { format!("{base}-{n}") };
    }
    findings
}

/// Marks symptom findings with the root-cause findings that explain them: a finding of rule
/// R explains a finding of rule S when R's entry lists S in `explains` (or S corroborates R)
/// and they share a node, or either is cluster-level.
///
/// When the symptom's lines name certificate keys ([`Finding::refs`]: a notAfter, the server
/// dialled, SANs, a CA name) the certificate findings among those candidates
/// ([`Finding::keys`] not empty) are narrowed to the ones whose keys match: for each line
/// shape, the candidates matching most of its keys; the matched keys are kept in
/// [`Finding::explained_by_keys`]. Candidates that are not about a certificate stay linked.
/// When no key matches any candidate, every candidate stays linked (rule and node only).
pub fn correlate(findings: &mut [Finding], catalog: &Catalog) {
    let explains = |root: &str, symptom: &str| {
        catalog
            .rule(root)
            .is_some_and(|r| r.explains.iter().any(|x| x == symptom))
            || catalog
                .rule(symptom)
                .is_some_and(|s| s.corroborates.iter().any(|x| x == root))
    };
    let roots: Vec<Root> = findings
        .iter()
        .map(|f| Root {
            id: f.id.clone(),
            rule: f.rule.clone(),
            node: f.node.clone(),
            keys: f.keys.clone(),
        })
        .collect();
    let symptom_rules: std::collections::BTreeSet<&str> = catalog
        .rules
        .iter()
        .flat_map(|r| r.explains.iter().map(String::as_str))
        .chain(
            catalog
                .rules
                .iter()
                .filter(|r| matches!(r.kind, RuleKind::Log(_)))
                .map(|r| r.id.as_str()),
        )
        .collect();
    for f in findings.iter_mut() {
        f.symptom = symptom_rules.contains(f.rule.as_str());
        let candidates: Vec<&Root> = roots
            .iter()
            .filter(|r| {
                r.id != f.id
                    && explains(&r.rule, &f.rule)
                    && (r.node.is_none() || f.node.is_none() || r.node == f.node)
            })
            .collect();
        let matched = match_keys(&f.refs, &candidates);
        f.explained_by = candidates
            .iter()
            .filter(|r| r.keys.is_empty() || matched.is_empty() || matched.contains_key(&r.id))
            .map(|r| r.id.clone())
            .collect();
        f.explained_by_keys = matched;
    }
}

/// What correlation needs of a finding that may explain others.
struct Root {
    id: String,
    rule: String,
    node: Option<String>,
    keys: Vec<CertKey>,
}

/// For each key group of a symptom, the candidates whose keys match most of the group's
/// keys (at least one); the result maps each such candidate's id to the keys it matched.
fn match_keys(refs: &[Vec<CertKey>], candidates: &[&Root]) -> BTreeMap<String, Vec<CertKey>> {
    let mut out: BTreeMap<String, Vec<CertKey>> = BTreeMap::new();
    for group in refs {
        let scored: Vec<(&Root, Vec<&CertKey>)> = candidates
            .iter()
            .filter(|r| !r.keys.is_empty())
            .map(|r| {
                let hit: Vec<&CertKey> = group.iter().filter(|k| r.keys.contains(k)).collect();
                (*r, hit)
            })
            .collect();
        let best = scored.iter().map(|(_, hit)| hit.len()).max().unwrap_or(0);
        if best == 0 {
            continue;
        }
        for (r, hit) in scored.into_iter().filter(|(_, hit)| hit.len() == best) {
            let keys = out.entry(r.id.clone()).or_default();
            keys.extend(hit.into_iter().cloned());
            keys.sort();
            keys.dedup();
        }
    }
    out
}
