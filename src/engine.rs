//! Runs every rule of the catalogue over the snapshot in parallel, then orders, identifies
//! and correlates the findings and plans the fixes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use crate::Options;
use crate::catalog::{Catalog, RuleKind};
use crate::checks::{self, Ctx};
use crate::finding::{CertKey, Finding};
use crate::report::Analysis;
use crate::snapshot::Snapshot;

pub use crate::model::Stats;

/// Evaluates the catalogue over `snap` and assembles the analysis.
pub fn run(snap: &Snapshot, catalog: &Catalog, opts: &Options, mut stats: Stats) -> Analysis {
    let started = std::time::Instant::now();
    let mut findings = evaluate(snap, catalog, opts);
    stats.checks = started.elapsed();
    let started = std::time::Instant::now();
    correlate(&mut findings, catalog);
    settle_history(&mut findings);
    let plan = crate::plan::build_with(&findings, catalog, &crate::plan::PlanContext::of(snap));
    let mut analysis =
        Analysis::new(snap, catalog, findings, plan, stats).with_expiry_window(snap, opts.expiry_window);
    analysis.stats.plan = started.elapsed();
    analysis
}

/// Runs every rule (built-in checks and log rules) in parallel; findings come back sorted
/// by [`Finding::order_key`] with unique, stable ids.
pub fn evaluate(snap: &Snapshot, catalog: &Catalog, opts: &Options) -> Vec<Finding> {
    let facts = crate::facts::Facts::derive(snap);
    let facts = &facts;
    let mut findings: Vec<Finding> = catalog
        .rules
        .par_iter()
        .flat_map_iter(|rule| {
            let cx = Ctx {
                snap,
                facts,
                rule,
                opts,
            };
            match &rule.kind {
                RuleKind::Check(id) => checks::find(id).map(|c| c.run(&cx)).unwrap_or_default(),
                RuleKind::Log(_) => checks::logs::findings(&cx),
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
    // Rule ids that may explain a symptom rule: its `explains` lists, read backwards, and
    // its own `corroborates` list. Built once, so each finding costs lookups, not a scan of
    // every other finding (200,000 findings would otherwise be 4·10¹⁰ comparisons).
    let mut explainers: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for r in &catalog.rules {
        for symptom in &r.explains {
            explainers
                .entry(symptom.as_str())
                .or_default()
                .insert(r.id.as_str());
        }
        for root in &r.corroborates {
            explainers.entry(r.id.as_str()).or_default().insert(root.as_str());
        }
    }
    let roots: Vec<Root> = findings
        .iter()
        .map(|f| Root {
            id: f.id.clone(),
            rule: f.rule.clone(),
            node: f.node.clone(),
            keys: f.keys.clone(),
            by_keys: catalog.rule(&f.rule).is_some_and(|r| r.explains_by_keys),
        })
        .collect();
    // Findings by rule, then by node (`None`: cluster-level), in finding order.
    let mut by_rule: HashMap<&str, BTreeMap<Option<&str>, Vec<usize>>> = HashMap::new();
    for (i, r) in roots.iter().enumerate() {
        by_rule
            .entry(r.rule.as_str())
            .or_default()
            .entry(r.node.as_deref())
            .or_default()
            .push(i);
    }
    let mut postings: HashMap<&CertKey, Vec<usize>> = HashMap::new();
    for (i, r) in roots.iter().enumerate() {
        for k in &r.keys {
            let list = postings.entry(k).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let symptom_rules: BTreeSet<&str> = catalog
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
    for (at, f) in findings.iter_mut().enumerate() {
        f.symptom = symptom_rules.contains(f.rule.as_str());
        let keyed = catalog.rule(&f.rule).is_some_and(|r| r.symptom_by_keys);
        let Some(rules) = explainers.get(f.rule.as_str()) else {
            f.explained_by.clear();
            f.explained_by_keys.clear();
            continue;
        };
        let mut picked: Vec<usize> = Vec::new();
        for rule in rules {
            let Some(nodes) = by_rule.get(rule) else { continue };
            match f.node.as_deref() {
                // A cluster-level symptom: every finding of the rule, whatever its node.
                None => picked.extend(nodes.values().flatten().copied()),
                Some(n) => {
                    for key in [None, Some(n)] {
                        picked.extend(nodes.get(&key).into_iter().flatten().copied());
                    }
                }
            }
        }
        picked.sort_unstable();
        picked.dedup();
        picked.retain(|&i| i != at && roots.get(i).is_some_and(|r| r.id != f.id));
        // A certificate on another node explains the symptom only through the keys its lines
        // name (an agent's kubelet rejecting the notAfter of a server's serving certificate),
        // and only when none of the node's own certificates matches them.
        let local = match_keys(&f.refs, &picked, &roots, &postings);
        let mut remote: Vec<usize> = Vec::new();
        if local.is_empty() {
            remote = f
                .refs
                .iter()
                .flatten()
                .flat_map(|k| postings.get(k).into_iter().flatten().copied())
                .filter(|&i| {
                    roots.get(i).is_some_and(|r| {
                        r.node.is_some()
                            && r.node != f.node
                            && rules.contains(r.rule.as_str())
                            && r.id != f.id
                    })
                })
                .collect();
            remote.sort_unstable();
            remote.dedup();
        }
        let (candidates, matched) = if remote.is_empty() {
            (picked, local)
        } else {
            let mut all = picked;
            all.extend(remote.iter().copied());
            all.sort_unstable();
            all.dedup();
            let matched = match_keys(&f.refs, &all, &roots, &postings);
            (all, matched)
        };
        f.explained_by = candidates
            .iter()
            .filter_map(|&i| Some((remote.binary_search(&i).is_ok(), roots.get(i)?)))
            .filter(|(far, r)| {
                if *far || r.by_keys || (keyed && !r.keys.is_empty()) {
                    matched.contains_key(&r.id)
                } else {
                    r.keys.is_empty() || matched.is_empty() || matched.contains_key(&r.id)
                }
            })
            .map(|(_, r)| r.id.clone())
            .collect();
        f.explained_by_keys = matched;
    }
}

/// Log symptoms that went silent long before their logs ended ([`crate::checks::logs::QUIET_SINCE`]):
/// a past episode (info) when nothing in the bundle that still holds at capture explains
/// them; otherwise ongoing, their cause unchanged, and the report says why.
pub fn settle_history(findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        let Some(since) = f
            .evidence
            .get(crate::checks::logs::QUIET_SINCE)
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        let text = |k: &str| {
            f.evidence
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_string()
        };
        let (since, quiet, end) = (since.to_string(), text("quiet_for"), text("log_end"));
        // Undated lines: how many lines of the log follow them is the only measure.
        let lines_after = f
            .evidence
            .get(crate::checks::logs::LINES_AFTER)
            .and_then(serde_json::Value::as_u64);
        let recovered = f
            .evidence
            .get(crate::checks::logs::RECOVERED)
            .and_then(|v| v.as_str())
            .map(|r| format!("; {r}"))
            .unwrap_or_default();
        let seen = match lines_after {
            Some(0) if since == "undated" => "its lines carry no time".to_string(),
            Some(0) => format!("last seen {since}"),
            Some(n) if since == "undated" => {
                format!("its lines carry no time and {n} other lines of its log follow them")
            }
            Some(n) => format!("last seen {since}, and {n} other lines of its log follow them"),
            None => format!("last seen {since}, {quiet} before its log ends ({end})"),
        };
        let note = if f.explained_by.is_empty() {
            format!(
                "{}; {seen}{recovered}, and nothing in the bundle that holds at capture explains it: a past \
                 episode, not an ongoing fault",
                f.message
            )
        } else if lines_after.is_some() {
            format!(
                "{}; {seen}, but its cause still holds at capture: ongoing",
                f.message
            )
        } else {
            format!(
                "{}; last seen {since}, {quiet} before its log ends ({end}), but its cause still holds \
                 at capture: ongoing",
                f.message
            )
        };
        f.message = crate::redact::Shown::redacted(&note);
        if f.explained_by.is_empty() {
            f.severity = crate::finding::Severity::Info;
            f.evidence
                .insert("history".to_string(), serde_json::Value::Bool(true));
            // A past episode needs no step of its own.
            f.fixes = Some(Vec::new());
        }
    }
}

/// What correlation needs of a finding that may explain others.
struct Root {
    id: String,
    rule: String,
    node: Option<String>,
    keys: Vec<CertKey>,
    /// Explains only symptoms whose lines name one of its keys (`explains_by_keys`).
    by_keys: bool,
}

/// For each key group of a symptom, the candidates (indexes into `roots`, sorted) whose keys
/// match most of the group's keys (at least one); the result maps each such candidate's id to
/// the keys it matched. `postings` lists, per key, the roots holding it (sorted), so a group
/// costs the length of its keys' lists rather than a pass over every candidate.
fn match_keys(
    refs: &[Vec<CertKey>],
    candidates: &[usize],
    roots: &[Root],
    postings: &HashMap<&CertKey, Vec<usize>>,
) -> BTreeMap<String, Vec<CertKey>> {
    let mut out: BTreeMap<String, Vec<CertKey>> = BTreeMap::new();
    for group in refs {
        let mut hits: BTreeMap<usize, Vec<&CertKey>> = BTreeMap::new();
        for k in group {
            for &i in postings.get(k).into_iter().flatten() {
                if candidates.binary_search(&i).is_ok() {
                    hits.entry(i).or_default().push(k);
                }
            }
        }
        let best = hits.values().map(Vec::len).max().unwrap_or(0);
        if best == 0 {
            continue;
        }
        for (i, hit) in hits.into_iter().filter(|(_, hit)| hit.len() == best) {
            let Some(r) = roots.get(i) else { continue };
            let keys = out.entry(r.id.clone()).or_default();
            keys.extend(hit.into_iter().cloned());
            keys.sort();
            keys.dedup();
        }
    }
    out
}
