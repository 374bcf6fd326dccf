//! The fix plan: the catalogue's fix steps needed by the root-cause findings, in
//! topological order of their `after:` edges, phases breaking ties.
//!
//! Each step speaks the dialect of the nodes it acts on ([`dialect`]): a step with a
//! `dialects:` entry for a node's layout is replaced there by the distribution's own step
//! (`kubeadm certs renew`, `k3s certificate rotate`). A step that applies to several nodes
//! lists each node with its own filled commands, one node at a time with the step's
//! `between_nodes` checks in between (etcd quorum). The first step that changes a folder on a
//! node backs it up first, and says how to put it back. Every value from the bundle is
//! validated and shell-quoted ([`shell`]).

pub mod dialect;
pub mod runs;
pub use crate::model::shell;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use dialect::PlanContext;

use crate::catalog::{Catalog, FixStep, PHASES};
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
    /// Commands for this bundle, placeholders filled (node by node when several).
    pub commands: Vec<String>,
    /// How to check that the step worked.
    pub verify: Vec<String>,
    /// How to undo the step (restore the backup taken before it), if there is a way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rollback: Vec<String>,
    /// What can undo the step or must be known before doing it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
}

/// A finding with the variables it fills on its node.
struct Member<'a> {
    finding: &'a Finding,
    node: Option<String>,
    vars: BTreeMap<String, String>,
}

/// Builds the plan from findings with no knowledge of the nodes (every node generic).
pub fn build(findings: &[Finding], catalog: &Catalog) -> Vec<PlanStep> {
    build_with(findings, catalog, &PlanContext::default())
}

/// Builds the plan from findings. Findings explained by another finding are symptoms: the
/// plan fixes their root cause instead. A finding gets each of its rule's fix steps unless it
/// narrowed them with [`Finding::fixes`], in the dialect of its node.
pub fn build_with(findings: &[Finding], catalog: &Catalog, cx: &PlanContext) -> Vec<PlanStep> {
    let mut by_step: BTreeMap<&str, Vec<Member<'_>>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.explained_by.is_empty()) {
        let Some(rule) = catalog.rule(&f.rule) else {
            continue;
        };
        let node = f.node.clone().or_else(|| f.vars.get("node").cloned());
        let facts = cx.facts(node.as_deref());
        let mut vars = dialect::derived_vars(&f.vars, &facts, cx);
        if let Some(n) = &node {
            vars.entry("node".into()).or_insert_with(|| n.clone());
        }
        for step in rule.fix.iter().filter(|s| f.wants_fix(s)) {
            let chosen = speak(catalog, step, &facts, &vars);
            by_step.entry(chosen).or_default().push(Member {
                finding: f,
                node: node.clone(),
                vars: vars.clone(),
            });
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
            .min_by_key(|s| {
                (
                    catalog.fixes.get(**s).map_or(usize::MAX, |f| f.phase),
                    std::cmp::Reverse(worst(by_step.get(**s))),
                    **s,
                )
            })
            .or_else(|| left.iter().next())
            .copied();
        let Some(next) = next else { break };
        left.remove(next);
        done.push(next);
    }
    let mut backed_up: BackedUp = BTreeMap::new();
    done.iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let step = catalog.fixes.get(*id)?;
            let ms = by_step.get(id).map(Vec::as_slice).unwrap_or_default();
            let mut after: Vec<String> = deps
                .get(id)
                .map(|d| d.iter().map(|s| (*s).to_string()).collect())
                .unwrap_or_default();
            after.sort();
            let (commands, verify, rollback) = render(step, ms, cx, &mut backed_up);
            Some(PlanStep {
                order: i + 1,
                id: step.id.clone(),
                phase: PHASES.get(step.phase).copied().unwrap_or("hygiene").to_string(),
                title: step.title.clone(),
                resolves: dedup(ms.iter().map(|m| m.finding.id.clone())),
                after,
                targets: dedup(ms.iter().map(|m| target_of(m.finding))),
                commands,
                verify,
                rollback,
                caveat: step.caveat.clone(),
            })
        })
        .collect()
}

/// The worst severity among the findings a step resolves: within a phase the step that
/// ends an outage goes before one for a warning.
fn worst(members: Option<&Vec<Member<'_>>>) -> Option<crate::model::Severity> {
    members?.iter().map(|m| m.finding.severity).max()
}

/// The step that stands for `step` on a node: its dialect for the node's layout when that
/// step's commands can all be filled from the finding (a kubeadm renewal needs a file
/// kubeadm manages), else `step` itself.
fn speak<'c>(
    catalog: &'c Catalog,
    step: &'c str,
    facts: &dialect::NodeFacts,
    vars: &BTreeMap<String, String>,
) -> &'c str {
    let Some(s) = catalog.fixes.get(step) else {
        return step;
    };
    let Some(to) = s.dialects.get(facts.layout.as_str()) else {
        return step;
    };
    let Some(mut t) = catalog.fixes.get(to) else {
        return step;
    };
    // A k3s/RKE2 agent: its own form of the step, when it has one.
    if !facts.server {
        if let Some(a) = t.agent.as_ref().and_then(|a| catalog.fixes.get(a)) {
            t = a;
        }
    }
    let fillable = t
        .commands
        .iter()
        .flat_map(|c| shell::placeholders(c))
        .all(|n| vars.contains_key(&n) || dialect::NODE_VARS.contains(&n.as_str()));
    if fillable { t.id.as_str() } else { step }
}

/// The folders backed up so far, per (node, folder), with the step that backed each up.
type BackedUp = BTreeMap<(Option<String>, String), String>;

/// Commands, verification and rollback of one step: node by node when it acts on several.
fn render(
    step: &FixStep,
    members: &[Member<'_>],
    cx: &PlanContext,
    backed_up: &mut BackedUp,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut groups: BTreeMap<Option<&str>, Vec<&Member<'_>>> = BTreeMap::new();
    for m in members {
        groups.entry(m.node.as_deref()).or_default().push(m);
    }
    if groups.is_empty() {
        groups.insert(None, Vec::new());
    }
    let several = groups.keys().filter(|k| k.is_some()).count() > 1;
    // In a bundle of several nodes even one node's commands say where they run (an HA
    // cluster's one expired node: run elsewhere, they renew a healthy one).
    let named = several || cx.trees > 1;
    let total = groups.len();
    // Servers before agents (k3s/RKE2), then by name: one node at a time.
    let mut groups: Vec<(Option<&str>, Vec<&Member<'_>>)> = groups.into_iter().collect();
    groups.sort_by_key(|(n, _)| (!cx.facts(*n).server, *n));
    let (mut commands, mut verify, mut rollback) = (Vec::new(), Vec::new(), Vec::new());
    // One node at a time keeps etcd's quorum only while a majority of members still run:
    // when the certificates have already expired on so many nodes that the rest are no
    // majority, the cluster is down and no health check can pass until every node is
    // fixed, so the gates move to the end.
    let expired_nodes = groups
        .iter()
        .filter(|(n, ms)| n.is_some() && ms.iter().any(|m| m.finding.rule == "cert-expired"))
        .count();
    let quorum_lost = several && !step.between_nodes.is_empty() && total - expired_nodes < total / 2 + 1;
    if quorum_lost {
        commands.push(format!(
            "# the certificates have expired on {expired_nodes} of {total} nodes: etcd has no quorum and the \
             apiserver is down already, so there is nothing to keep running; fix every node below, then check health"
        ));
    }
    for (i, (node, ms)) in groups.iter().enumerate() {
        let facts = cx.facts(*node);
        let header = node.filter(|_| named).map(|n| match total {
            // One node: a count of one says nothing (newuser round 9).
            1 => format!("# on {}", shell::comment_text(n)),
            _ => format!("# on {} ({}/{total})", shell::comment_text(n), i + 1),
        });
        let mut cmds = Vec::new();
        // Back up each folder the step changes before the first change to it on this node.
        let sets = dedup(ms.iter().flat_map(|m| expand(&step.backup, &[*m], &facts)));
        let backup_dir = ms
            .first()
            .and_then(|m| m.vars.get("backup_dir").cloned())
            .unwrap_or_else(|| cx.backup_dir());
        let mut undo = Vec::new();
        for set in sets.iter().filter(|s| !s.starts_with('#') && !s.contains('<')) {
            if !shell::valid(shell::Kind::Path, set) {
                cmds.push(shell::check_by_hand("a folder to back up", shell::Kind::Path));
                continue;
            }
            let set = set.trim_end_matches('/').to_string();
            let key = (node.map(str::to_string), set.clone());
            // A folder this step already backed up on this node covers what lies inside it;
            // one an earlier step backed up holds the state before that step, so this step
            // keeps its own copy (its rollback must not undo the earlier step).
            let covered_by = backed_up
                .iter()
                .find(|((n, s), _)| *n == key.0 && (set == *s || set.starts_with(&format!("{s}/"))))
                .map(|(_, by)| by.clone());
            let dir = match covered_by.as_deref() {
                Some(by) if by != step.id => format!("{backup_dir}/before-{}", step.id),
                _ => backup_dir.clone(),
            };
            if covered_by.as_deref() != Some(step.id.as_str()) {
                backed_up.entry(key).or_insert_with(|| step.id.clone());
                // A backup already there is kept: it holds the state before the first run, and
                // running the step again must not overwrite it with the changed files.
                let first_copy = format!("{dir}{set}");
                if let (Some(have), Some(mk), Some(cp)) = (
                    shell::join(["test", "-e", first_copy.as_str()]),
                    shell::join(["mkdir", "-p", dir.as_str()]),
                    shell::join(["cp", "-a", "--parents", set.as_str(), &format!("{dir}/")]),
                ) {
                    cmds.push(format!(
                        "{have} || {{ {mk} && {cp}; }}   # back up before changing it (an earlier backup is kept)"
                    ));
                }
            }
            let copy = format!("{dir}{set}");
            let parent = set
                .rsplit_once('/')
                .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
            if let Some(back) = shell::join([
                "cp",
                "-a",
                copy.as_str(),
                &format!("{}/", parent.trim_end_matches('/')),
            ]) {
                undo.push(format!(
                    "{back}   # put {} back as it was",
                    shell::comment_text(&set)
                ));
            }
        }
        // What the step renews on this node (kubeadm's names; `all` when it renews all at
        // once) decides which pods restart and what is checked on this node.
        let all_at_once = step.all_at_once.as_ref().is_some_and(|_| {
            step.commands
                .iter()
                .find(|t| !shell::placeholders(t).is_empty())
                .is_some_and(|first| expand(std::slice::from_ref(first), ms, &facts).len() >= 3)
        });
        let renewed: BTreeSet<String> = if all_at_once {
            BTreeSet::from(["all".to_string()])
        } else {
            ms.iter()
                .filter_map(|m| m.vars.get("kubeadm_cert").cloned())
                .collect()
        };
        let extra = dialect::kubeadm_node_vars(&renewed, *node, &facts);
        let owned: Vec<Member<'_>> = ms
            .iter()
            .map(|m| {
                let mut vars = m.vars.clone();
                for (k, v) in &extra {
                    vars.entry(k.clone()).or_insert_with(|| v.clone());
                }
                Member {
                    finding: m.finding,
                    node: m.node.clone(),
                    vars,
                }
            })
            .collect();
        let ms: Vec<&Member<'_>> = owned.iter().collect();
        let ms = ms.as_slice();
        let mut main = expand(&step.commands, ms, &facts);
        if let Some(all) = &step.all_at_once {
            if let Some(first) = step.commands.iter().find(|t| !shell::placeholders(t).is_empty()) {
                let per_target = expand(std::slice::from_ref(first), ms, &facts);
                if per_target.len() >= 3 {
                    let all = dialect::versioned(all, &facts);
                    main = main
                        .into_iter()
                        .map(|l| if per_target.contains(&l) { all.clone() } else { l })
                        .collect();
                    main = dedup(main.into_iter());
                }
            }
        }
        if let Some(note) = dialect::role_note(&main, &facts) {
            cmds.insert(0, note);
        }
        if let Some(note) = dialect::kind_note(*node, &facts) {
            cmds.insert(0, note);
        }
        main = dialect::without_ca_key(&step.id, &facts, &renewed, main);
        if quorum_lost {
            main = main.into_iter().map(|l| no_block(&l)).collect();
        }
        cmds.extend(main);
        cmds.extend(dialect::version_notes(&step.id, &facts, &renewed));
        let checks = expand(&step.verify, ms, &facts);
        undo.extend(expand(&step.rollback, ms, &facts));
        // Files put back are not loaded by what already runs on the renewed ones.
        if !undo.is_empty() && main_restarts(&cmds) {
            undo.push(
                "# then run this step's restart line again, so the running processes load the files put back"
                    .into(),
            );
        }
        if named {
            commands.extend(header.clone());
            if !checks.is_empty() {
                verify.extend(header.clone());
            }
            if !undo.is_empty() {
                rollback.extend(header);
            }
        }
        commands.extend(cmds);
        verify.extend(checks);
        rollback.extend(undo);
        if several && i + 1 < total && !step.between_nodes.is_empty() && !quorum_lost {
            commands.push("# before the next node, wait until these pass:".into());
            commands.extend(expand(&step.between_nodes, ms, &facts));
        }
        if quorum_lost && i + 1 == total {
            commands.push(format!(
                "# once all {total} nodes are done, wait until these pass (etcd is back when a majority of members run):"
            ));
            commands.extend(expand(&step.between_nodes, ms, &facts));
        }
    }
    if !several {
        commands = dedup(commands.into_iter());
        verify = dedup(verify.into_iter());
        rollback = dedup(rollback.into_iter());
    }
    (commands, verify, rollback)
}

/// A service start that must not wait: without etcd quorum a k3s/RKE2 server (a systemd
/// `Type=notify` unit) reports ready only once a majority of members run, so a blocking
/// `systemctl start` on the first node would never return before the others are started.
fn no_block(line: &str) -> String {
    for verb in ["systemctl start ", "systemctl restart "] {
        if let Some(rest) = line.strip_prefix(verb) {
            if !rest.starts_with("--no-block") {
                let why = "returns at once: the service is ready only once a majority of etcd members run";
                return match rest.split_once("   # ") {
                    Some((cmd, note)) => format!("{verb}--no-block {cmd}   # {note}; {why}"),
                    None => format!("{verb}--no-block {rest}   # {why}"),
                };
            }
        }
    }
    line.to_string()
}

/// Whether a step's commands restart something (a service, a static pod, a container).
fn main_restarts(cmds: &[String]) -> bool {
    cmds.iter().any(|c| {
        let c = c.split("   #").next().unwrap_or(c);
        c.contains("systemctl restart")
            || c.contains("systemctl start")
            || c.contains("/etc/kubernetes/manifests/")
            || c.contains("crictl stop")
            || c.contains("crictl rm")
    })
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

/// Expands each template once per member that fills all its placeholders (values validated
/// and quoted); a template without placeholders appears once; one that no member fills shows
/// `<name>` holes in a comment; a value that fails validation shows the "check it by hand" line.
fn expand(templates: &[String], members: &[&Member<'_>], facts: &dialect::NodeFacts) -> Vec<String> {
    let mut out = Vec::new();
    for t in templates {
        let t = dialect::versioned(t, facts);
        let names = shell::placeholders(&t);
        if names.is_empty() {
            out.push(t);
            continue;
        }
        let filled =
            dedup(
                members
                    .iter()
                    .filter_map(|m| match shell::fill(&t, |n| m.vars.get(n).cloned()) {
                        shell::Filled::Command(c) | shell::Filled::Invalid(c) => Some(c),
                        shell::Filled::Missing(_) => None,
                    }),
            );
        if filled.is_empty() {
            // Only the values the bundle lacks are holes; those it has are filled in.
            let partial = dedup(members.iter().map(|m| with_holes(&t, &names, &m.vars)));
            if partial.is_empty() {
                out.push(with_holes(&t, &names, &BTreeMap::new()));
            }
            out.extend(partial);
        } else {
            // A whole-command value left empty: the line has no use on this node.
            out.extend(filled.into_iter().filter(|c| !c.trim().is_empty()));
        }
    }
    dedup(out.into_iter())
}

/// `t` filled with the values in `vars` (validated and quoted as [`shell::fill`] does), each
/// placeholder without one shown as a `<name>` hole; commented out to adapt by hand (a
/// `<name>` hole is a redirection to the shell), a command of several lines line by line.
fn with_holes(t: &str, names: &[String], vars: &BTreeMap<String, String>) -> String {
    let mut holed = t.to_string();
    for n in names.iter().filter(|n| !vars.contains_key(*n)) {
        holed = holed.replace(&format!("{{{n}}}"), &format!("<{n}>"));
    }
    let s = match shell::fill(&holed, |n| vars.get(n).cloned()) {
        shell::Filled::Command(c) => c,
        // A value that fails its check: the line that says so, as for a whole fill.
        shell::Filled::Invalid(c) => return c,
        // Every missing name is a hole already: nothing is left to miss.
        shell::Filled::Missing(_) => holed,
    };
    if s.trim_start().starts_with('#') {
        return s.lines().collect::<Vec<_>>().join(" ↵ ");
    }
    // A command of several lines (a here-document) keeps its lines, each commented out, so
    // that it can be pasted once the holes are filled and the `# ` taken off.
    match s.lines().count() {
        0 | 1 => format!("# fill in the <…> by hand: {s}"),
        _ => {
            let body: Vec<String> = s.lines().map(|l| format!("# {l}")).collect();
            format!(
                "# fill in the <…> by hand, then run these lines without their leading '# ':\n{}",
                body.join("\n")
            )
        }
    }
}

/// Placeholder names of a template, in order.
pub fn placeholders(t: &str) -> Vec<String> {
    shell::placeholders(t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn without_quorum_services_start_without_waiting() {
        assert_eq!(
            no_block("systemctl start rke2-server"),
            "systemctl start --no-block rke2-server   # returns at once: the service is ready only once a majority of etcd members run"
        );
        assert_eq!(
            no_block("systemctl restart k3s   # on each server"),
            "systemctl restart --no-block k3s   # on each server; returns at once: the service is ready only once a majority of etcd members run"
        );
        assert_eq!(no_block("systemctl stop k3s"), "systemctl stop k3s");
    }

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
        // One node at a time, each with its own filled commands.
        assert_eq!(
            plan[0].commands,
            [
                "# on n1 (1/2)",
                "write n1",
                "sync",
                "# on n2 (2/2)",
                "write n2",
                "sync"
            ]
        );
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
        assert_eq!(
            plan[0].commands,
            ["# fill in the <…> by hand: write <node>", "sync"]
        );
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
        assert_eq!(
            plan[1].commands,
            [
                "# on n1 (1/2)",
                "write n1",
                "sync",
                "# on n2 (2/2)",
                "write n2",
                "sync"
            ]
        );
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(
            placeholders("kubectl -n {ns} get secret {name} {not a var}"),
            ["ns", "name"]
        );
    }
}
