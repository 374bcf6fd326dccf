//! The fix plan: the catalogue's fix steps needed by the root-cause findings, in
//! topological order of their `after:` edges, phases breaking ties.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalog::{Catalog, PHASES};
use crate::finding::Finding;

/// One action of the plan, covering every target that needs it.
#[derive(Clone, Debug, Serialize)]
pub struct PlanStep {
    /// 1-based position in the plan.
    pub order: usize,
    /// Fix-step id from the catalogue.
    pub id: String,
    /// Phase name.
    pub phase: String,
    /// Title.
    pub title: String,
    /// Ids of the findings this step resolves.
    pub resolves: Vec<String>,
    /// Ids of the plan steps that must be done first.
    pub after: Vec<String>,
    /// What the step acts on (paths, objects, nodes), one entry per target.
    pub targets: Vec<String>,
    /// Commands for this bundle, placeholders filled.
    pub commands: Vec<String>,
    /// How to check that the step worked.
    pub verify: Vec<String>,
    /// What can undo the step or must be known before doing it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
}

/// Builds the plan from findings. Findings explained by another finding are symptoms: the
/// plan fixes their root cause instead.
pub fn build(findings: &[Finding], catalog: &Catalog) -> Vec<PlanStep> {
    let mut by_step: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.explained_by.is_empty()) {
        let Some(rule) = catalog.rule(&f.rule) else {
            continue;
        };
        for step in &rule.fix {
            by_step.entry(step.as_str()).or_default().push(f);
        }
    }
    let included: BTreeSet<&str> = by_step
        .keys()
        .copied()
        .filter(|s| catalog.fixes.contains_key(*s))
        .collect();
    // Dependencies among included steps, through steps that are not included too.
    let deps: BTreeMap<&str, BTreeSet<&str>> = included
        .iter()
        .map(|s| {
            (
                *s,
                reachable(catalog, s)
                    .into_iter()
                    .filter(|d| included.contains(d))
                    .collect(),
            )
        })
        .collect();
    let mut done: Vec<&str> = Vec::new();
    let mut left: BTreeSet<&str> = included.clone();
    while !left.is_empty() {
        let next = left
            .iter()
            .filter(|s| deps.get(*s).is_none_or(|d| d.iter().all(|x| done.contains(x))))
            .min_by_key(|s| (catalog.fixes.get(**s).map_or(usize::MAX, |f| f.phase), **s))
            .or_else(|| left.iter().next())
            .copied();
        let Some(next) = next else { break };
        left.remove(next);
        done.push(next);
    }
    done.iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let step = catalog.fixes.get(*id)?;
            let fs = by_step.get(id).map(Vec::as_slice).unwrap_or_default();
            let mut after: Vec<String> = deps
                .get(id)
                .map(|d| d.iter().map(|s| (*s).to_string()).collect())
                .unwrap_or_default();
            after.sort();
            Some(PlanStep {
                order: i + 1,
                id: step.id.clone(),
                phase: PHASES.get(step.phase).copied().unwrap_or("hygiene").to_string(),
                title: step.title.clone(),
                resolves: fs.iter().map(|f| f.id.clone()).collect(),
                after,
                targets: dedup(fs.iter().map(|f| target_of(f))),
                commands: expand_all(&step.commands, fs),
                verify: expand_all(&step.verify, fs),
                caveat: step.caveat.clone(),
            })
        })
        .collect()
}

/// Every step reachable through `after:` edges from `id` (not including `id`).
fn reachable<'a>(catalog: &'a Catalog, id: &str) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<&str> = catalog
        .fixes
        .get(id)
        .map(|s| s.after.iter().map(String::as_str).collect())
        .unwrap_or_default();
    while let Some(s) = stack.pop() {
        if let Some(step) = catalog.fixes.get(s) {
            if out.insert(step.id.as_str()) {
                stack.extend(step.after.iter().map(String::as_str));
            }
        }
    }
    out
}

fn target_of(f: &Finding) -> String {
    if let Some(t) = f.vars.get("target") {
        return t.clone();
    }
    let what = f
        .objects
        .first()
        .or(f.paths.first())
        .cloned()
        .unwrap_or_else(|| f.subject.clone());
    match &f.node {
        Some(n) => format!("{what} ({n})"),
        None => what,
    }
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items.filter(|s| seen.insert(s.clone())).collect()
}

/// Expands each template once per finding that fills all its placeholders; a template
/// without placeholders appears once; one that no finding fills shows `<name>` holes.
fn expand_all(templates: &[String], findings: &[&Finding]) -> Vec<String> {
    let mut out = Vec::new();
    for t in templates {
        let names = placeholders(t);
        if names.is_empty() {
            out.push(t.clone());
            continue;
        }
        let filled = dedup(findings.iter().filter_map(|f| fill(t, &names, &f.vars)));
        if filled.is_empty() {
            let mut s = t.clone();
            for n in &names {
                s = s.replace(&format!("{{{n}}}"), &format!("<{n}>"));
            }
            out.push(s);
        } else {
            out.extend(filled);
        }
    }
    dedup(out.into_iter())
}

fn placeholders(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            out.push(name.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

fn fill(t: &str, names: &[String], vars: &BTreeMap<String, String>) -> Option<String> {
    let mut s = t.to_string();
    for n in names {
        s = s.replace(&format!("{{{n}}}"), vars.get(n)?);
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found() {
        assert_eq!(
            placeholders("kubectl -n {ns} get secret {name} {not a var}"),
            ["ns", "name"]
        );
    }
}
