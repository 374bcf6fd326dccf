//! The troubleshoot shape: the scenario as `support-bundle` (replicatedhq/troubleshoot) writes
//! it with the `clusterResources` collector, pod logs and a `journald` host collector for the
//! kubelet, reusing the layout facts of the `troubleshoot-kubeadm` fixture
//! (`crate::troubleshoot`).
//!
//! - `support-bundle-<time>/cluster-resources/<resource>/<ns>.json` per namespace (pods,
//!   configmaps, events, deployments, daemonsets, …) and `nodes.json`; Secrets are not among
//!   them (only the `secret` collector, asked per Secret, writes one);
//! - each container log as `kubectl logs` prints it (the CRI prefix gone) under
//!   `cluster-resources/pods/logs/<ns>/<pod>/<container>.log`;
//! - host collectors run on the one host `support-bundle` runs on (the first node with an
//!   `admin.conf`, else the first node): `host-collectors/journald/kubelet.txt`
//!   (`journalctl -u kubelet --no-pager`, the `short` format) and its `kubelet-info.json`.
//!
//! What it does not collect: every node file (certificates, keys, kubeconfigs, manifests,
//! CNI configuration, `/run`), the other nodes' journals, and any unit's journal but the
//! kubelet's.

use anyhow::Result;
use serde_json::{Value, json};

use super::nodes;
use crate::sosreport::lists_by_namespace;
use crate::tree::{Entry, Tree};

/// A CRI log line's message (`<time> <stream> <tag> <message>`), as `kubectl logs` prints it.
fn cri_message(line: &str) -> &str {
    let mut parts = line.splitn(4, ' ');
    let (Some(time), Some(stream), Some(_tag), Some(msg)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return line;
    };
    if time.contains('T') && matches!(stream, "stdout" | "stderr") {
        msg
    } else {
        line
    }
}

/// `<ns>_<pod>_<uid>/<container>/<n>.log` → (ns, pod, container).
fn pod_log_names(p: &str) -> Option<(String, String, String)> {
    let rest = p.strip_prefix("var/log/pods/")?;
    let mut segs = rest.split('/');
    let (dir, container) = (segs.next()?, segs.next()?);
    let mut parts = dir.splitn(3, '_');
    let (ns, pod) = (parts.next()?, parts.next()?);
    Some((ns.to_string(), pod.to_string(), container.to_string()))
}

/// The support bundle of the whole scenario.
pub fn apply(tree: &Tree) -> Result<Tree> {
    let (date, clock) = nodes::capture_time(tree);
    let mut t = Tree::new();
    t.file(
        "version.yaml",
        "apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\nspec:\n  versionNumber: v0.117.0\n",
    );
    let objects = nodes::dumped_objects(tree)?;
    let mut by_resource: std::collections::BTreeMap<&str, Vec<Value>> = Default::default();
    for (res, o) in &objects {
        by_resource.entry(res.as_str()).or_default().push(o.clone());
    }
    for (res, items) in by_resource {
        if res == "secrets" {
            continue;
        }
        let kind = items
            .first()
            .and_then(|i| i["kind"].as_str())
            .unwrap_or("Object")
            .to_string();
        if res == "nodes" {
            let list = json!({"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": items});
            t.file(
                "cluster-resources/nodes.json",
                serde_json::to_string_pretty(&list)?,
            );
            continue;
        }
        for (ns, list) in lists_by_namespace(&kind, &items) {
            t.file(
                &format!("cluster-resources/{res}/{ns}.json"),
                serde_json::to_string_pretty(&list)?,
            );
        }
        t.file(&format!("cluster-resources/{res}-errors.json"), "[]");
    }
    let all = nodes::nodes(tree);
    let host = all
        .iter()
        .find(|n| {
            tree.get(&format!("{}etc/kubernetes/admin.conf", n.root))
                .is_some()
        })
        .or(all.first());
    for node in &all {
        for (p, e) in nodes::files_of(tree, node) {
            let Entry::File { data, .. } = e else { continue };
            let text = String::from_utf8_lossy(data);
            if let Some((ns, pod, container)) = pod_log_names(&p) {
                let body: String = text.lines().map(|l| format!("{}\n", cri_message(l))).collect();
                t.file(
                    &format!("cluster-resources/pods/logs/{ns}/{pod}/{container}.log"),
                    body,
                );
            } else if p == "var/log/kubelet.log" && Some(node) == host {
                t.file(
                    "host-collectors/journald/kubelet.txt",
                    nodes::short_journal(&text),
                );
                t.file(
                    "host-collectors/journald/kubelet-info.json",
                    r#"{"command":"/usr/bin/journalctl -u kubelet --no-pager","exitCode":"0"}"#,
                );
            }
        }
    }
    let folder = format!("support-bundle-{date}T{}", clock.replace(':', "_"));
    let mut out = Tree::new();
    out.merge_under(&folder, t);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cri_lines_lose_their_prefix() {
        assert_eq!(cri_message("2026-11-21T08:02:10.41Z stderr F I1121 x"), "I1121 x");
        assert_eq!(cri_message("plain line"), "plain line");
        assert_eq!(
            pod_log_names("var/log/pods/kube-system_etcd-cp-1_ab/etcd/0.log"),
            Some(("kube-system".into(), "etcd-cp-1".into(), "etcd".into()))
        );
    }
}
