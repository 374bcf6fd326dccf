//! The shape matrix: one scenario packed the ways real collectors pack it. Each shape is a
//! pure rewrite of a [`Tree`], so a test can render every scenario in every shape at test
//! time (in a temporary folder) and assert that the diagnosis does not change.
//!
//! A node folder is any folder holding `etc/kubernetes` or `var/log`; a cluster dump is a
//! file under a `cluster/` folder (the generator's own layout).
//!
//! Every shape applies to every scenario. Plain, NodeLogs, NoRun, PodDumpOnly, JsonDumps,
//! Repacked and MultiNode carry all the evidence a scenario rests on, so its diagnosis must
//! not change. Sosreport and Troubleshoot are lossy ([`Shape::is_lossy`]): what they drop,
//! per scenario of `tests/shapes.rs` today,
//! - `incident-replay`: sos keeps the journals and `/etc/kubernetes` scrubbed, loses `/etc/ssl/etcd`,
//!   the pod logs and (no `admin.conf`) every dump; troubleshoot keeps dumps and pod logs and
//!   the kubelet journal, loses every node file;
//! - `kubeadm-healthy`, `kubeadm-ha-etcd-rejoined`: both lose the PKI, so a `ca-mismatch`
//!   becomes a "not collected" gap (`incomplete`);
//! - `two-nodes`: both lose the worker's kubelet client certificate; sos keeps the worker's
//!   kubelet journal (its expired-certificate lines stay errors on `worker-1`), troubleshoot
//!   runs its host collectors on `cp-1` only.

use anyhow::{Context, Result};
use serde_json::Value;

use crate::tree::{Entry, Tree};

pub mod multinode;
pub mod nodes;
pub mod sos;
pub mod troubleshoot;

/// One way of packing a bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// As the generator writes it: logs under `<node>/var/log`.
    Plain,
    /// Logs under `<node>/logs/…` and `<node>/logs/pods/…` instead of `var/log`.
    NodeLogs,
    /// `/run` and `/var/run` not collected.
    NoRun,
    /// A Pod dump but no Deployment, DaemonSet, StatefulSet or ReplicaSet dump.
    PodDumpOnly,
    /// Every YAML dump as JSON.
    JsonDumps,
    /// The seed incident's other packing: node logs under `logs/`, no `/run`, a Pod dump
    /// only, JSON dumps.
    Repacked,
    /// Each node as `sos report` writes it (see [`sos`]): loses the PKI, the kubelet's
    /// files, container logs and `/etc/ssl`, and the dumps where no node has `admin.conf`.
    Sosreport,
    /// The cluster as a troubleshoot `support-bundle` (see [`troubleshoot`]): dumps, pod logs
    /// and one host's kubelet journal, no node files.
    Troubleshoot,
    /// Every node under a folder named after its host in one archive, a healthy peer beside
    /// a lone node (see [`multinode`]).
    MultiNode,
}

impl Shape {
    /// Every shape, plain first.
    pub const ALL: [Shape; 9] = [
        Shape::Plain,
        Shape::NodeLogs,
        Shape::NoRun,
        Shape::PodDumpOnly,
        Shape::JsonDumps,
        Shape::Repacked,
        Shape::Sosreport,
        Shape::Troubleshoot,
        Shape::MultiNode,
    ];

    /// Whether the shape drops evidence a scenario may rest on (then its diagnosis is
    /// judged by [`Shape::ALL`]'s lossy rules: no error the plain shape lacks, never
    /// healthy, gaps said as "not collected"), rather than required to be the same.
    pub fn is_lossy(self) -> bool {
        matches!(self, Shape::Sosreport | Shape::Troubleshoot)
    }

    /// The tree packed in this shape.
    pub fn apply(self, tree: &Tree) -> Result<Tree> {
        match self {
            Shape::Plain => Ok(tree.clone()),
            Shape::NodeLogs => Ok(node_logs(tree)),
            Shape::NoRun => Ok(no_run(tree)),
            Shape::PodDumpOnly => Ok(pod_dump_only(tree)),
            Shape::JsonDumps => json_dumps(tree),
            Shape::Repacked => json_dumps(&pod_dump_only(&no_run(&node_logs(tree)))),
            Shape::Sosreport => sos::apply(tree),
            Shape::Troubleshoot => troubleshoot::apply(tree),
            Shape::MultiNode => Ok(multinode::apply(tree)),
        }
    }
}

fn rewrite(tree: &Tree, f: impl Fn(&str) -> Option<String>) -> Tree {
    let mut out = Tree::new();
    for (p, e) in &tree.entries {
        if let Some(np) = f(p) {
            out.entries.insert(np, e.clone());
        }
    }
    out
}

/// `<node>/var/log/x` → `<node>/logs/x` (the top of the bundle counts as a node folder).
fn node_logs(tree: &Tree) -> Tree {
    rewrite(tree, |p| {
        let segs: Vec<&str> = p.split('/').collect();
        match segs.windows(2).position(|w| w == ["var", "log"]) {
            Some(i) => {
                let mut v: Vec<&str> = segs[..i].to_vec();
                v.push("logs");
                v.extend_from_slice(&segs[i + 2..]);
                Some(v.join("/"))
            }
            None => Some(p.to_string()),
        }
    })
}

/// Drops every file under a `run/` folder (`/run`, `/var/run`: the generator names no other
/// folder `run`).
fn no_run(tree: &Tree) -> Tree {
    rewrite(tree, |p| {
        let segs: Vec<&str> = p.split('/').collect();
        let folders = &segs[..segs.len().saturating_sub(1)];
        (!folders.contains(&"run")).then(|| p.to_string())
    })
}

use nodes::is_dump;

/// Drops workload dumps; keeps Pods, Secrets, ConfigMaps, Nodes, events.
fn pod_dump_only(tree: &Tree) -> Tree {
    rewrite(tree, |p| {
        let name = p.rsplit('/').next().unwrap_or(p);
        let workload = ["deployments", "daemonsets", "statefulsets", "replicasets"]
            .iter()
            .any(|w| name.starts_with(w));
        (!(is_dump(p) && workload)).then(|| p.to_string())
    })
}

/// Every `cluster/*.yaml` dump rewritten as pretty JSON under `.json`.
fn json_dumps(tree: &Tree) -> Result<Tree> {
    let mut out = Tree::new();
    for (p, e) in &tree.entries {
        match (e, p.strip_suffix(".yaml")) {
            (Entry::File { data, mode }, Some(stem)) if is_dump(p) => {
                let v: Value = serde_yaml::from_slice(data).with_context(|| format!("YAML dump {p}"))?;
                let json = serde_json::to_vec_pretty(&v)?;
                out.file_mode(&format!("{stem}.json"), json, *mode);
            }
            _ => {
                out.entries.insert(p.clone(), e.clone());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_move_logs_drop_run_and_workloads() {
        let mut t = Tree::new();
        t.file("b/n/var/log/kubelet.log", "x");
        t.file("b/n/var/log/pods/a_b_c/d/0.log", "x");
        t.file("b/n/run/flannel/subnet.env", "x");
        t.file("b/n/var/run/flannel/subnet.env", "x");
        t.file("b/cluster/deployments.yaml", "items: []\n");
        t.file("b/cluster/pods.yaml", "items: []\n");
        let r = Shape::Repacked.apply(&t).unwrap();
        let paths: Vec<&str> = r.entries.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "b/cluster/pods.json",
                "b/n/logs/kubelet.log",
                "b/n/logs/pods/a_b_c/d/0.log"
            ]
        );
    }
}
