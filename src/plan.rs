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
/// plan fixes their root cause instead. A finding gets each of its rule's fix steps unless it
/// narrowed them with [`Finding::fixes`].
pub fn build(findings: &[Finding], catalog: &Catalog) -> Vec<PlanStep> {
    let mut by_step: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.explained_by.is_empty()) {
        let Some(rule) = catalog.rule(&f.rule) else {
            continue;
        };
        for step in rule.fix.iter().filter(|s| f.wants_fix(s)) {
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

    use crate::catalog::Catalog;

    const CAT: &str = r#"
rules:
  - {id: net-broken, severity: error, title: N, check: input.problems, why: "the node network is broken here", fix: [write-net]}
fixes:
  - {id: fix-etcd, phase: etcd-trust, title: E, commands: ["renew {path}"]}
  - {id: write-net, phase: node-network, title: W, after: [restart-kubelet], commands: ["write {node}", "sync"]}
  - {id: restart-kubelet, phase: kubeconfig-kubelet, title: K, after: [fix-etcd], commands: ["systemctl restart kubelet"]}
  - {id: late-but-early, phase: hygiene, title: L, commands: ["x"]}
"#;

    fn finding(rule: &str, subject: &str, vars: &[(&str, &str)]) -> Finding {
        let cat = Catalog::from_texts(&[("t.yaml".into(), CAT.into())]).unwrap();
        let r = cat.rule("net-broken").unwrap().clone();
        let mut f = Finding::new(&crate::catalog::Rule { id: rule.into(), ..r }, subject);
        f.id = format!("{rule}:{subject}");
        for (k, v) in vars {
            f = f.var(k, *v);
        }
        f
    }

    fn catalog_with(fixes: &[(&str, &[&str])]) -> Catalog {
        let mut cat = Catalog::from_texts(&[("t.yaml".into(), CAT.into())]).unwrap();
        for (rule, steps) in fixes {
            let mut r = cat.rules[0].clone();
            r.id = (*rule).into();
            r.fix = steps.iter().map(|s| (*s).to_string()).collect();
            cat.rules.push(r);
        }
        cat
    }

    #[test]
    fn one_step_covers_every_target_and_fills_commands_per_target() {
        let cat = catalog_with(&[("a", &["write-net"])]);
        let fs = [
            finding("a", "n1", &[("node", "n1")]),
            finding("a", "n2", &[("node", "n2")]),
        ];
        let plan = build(&fs, &cat);
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].resolves, ["a:n1", "a:n2"]);
        assert_eq!(plan[0].commands, ["write n1", "write n2", "sync"]);
    }

    #[test]
    fn after_edges_order_steps_even_through_steps_not_in_the_plan() {
        // write-net runs after restart-kubelet, which runs after fix-etcd; restart-kubelet is
        // not needed, but the order etcd → network still holds.
        let cat = catalog_with(&[
            ("a", &["write-net"]),
            ("b", &["fix-etcd"]),
            ("c", &["late-but-early"]),
        ]);
        let fs = [
            finding("a", "x", &[("node", "n")]),
            finding("c", "z", &[]),
            finding("b", "y", &[("path", "p")]),
        ];
        let plan = build(&fs, &cat);
        let ids: Vec<&str> = plan.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["fix-etcd", "write-net", "late-but-early"]);
        assert_eq!(plan[1].after, ["fix-etcd"]);
        assert_eq!(plan[0].order, 1);
    }

    #[test]
    fn symptoms_do_not_add_steps_and_unfilled_placeholders_show_holes() {
        let cat = catalog_with(&[("a", &["write-net"]), ("b", &["fix-etcd"])]);
        let mut symptom = finding("b", "y", &[]);
        symptom.explained_by = vec!["a:x".into()];
        let plan = build(&[finding("a", "x", &[]), symptom], &cat);
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].commands, ["write <node>", "sync"]);
    }

    #[test]
    fn a_finding_gets_only_the_fix_steps_it_selects() {
        let cat = catalog_with(&[("a", &["write-net", "fix-etcd"])]);
        let all = finding("a", "all", &[("node", "n1"), ("path", "p1")]);
        let net = finding("a", "net", &[("node", "n2")]).fixes(["write-net"]);
        let none = finding("a", "none", &[("node", "n3")]).fixes(Vec::<String>::new());
        // A step the rule does not list is never added, whatever the finding asks for.
        let stray = finding("a", "stray", &[]).fixes(["late-but-early"]);
        let by_var = finding("a", "var", &[("path", "p2")]).fixes(["fix-etcd"]);
        let plan = build(&[all, net, none, stray, by_var], &cat);
        let steps: Vec<(&str, &[String])> = plan
            .iter()
            .map(|s| (s.id.as_str(), s.resolves.as_slice()))
            .collect();
        assert_eq!(
            steps,
            [
                ("fix-etcd", &["a:all".to_string(), "a:var".to_string()][..]),
                ("write-net", &["a:all".to_string(), "a:net".to_string()][..]),
            ]
        );
        assert_eq!(plan[1].commands, ["write n1", "write n2", "sync"]);
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(
            placeholders("kubectl -n {ns} get secret {name} {not a var}"),
            ["ns", "name"]
        );
    }
}
