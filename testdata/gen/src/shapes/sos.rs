//! The sosreport shape: each node as `sos report` writes it today (sos 4.8 and later,
//! `-o kubernetes,containerd,systemd,logs,host -k kubernetes.all=on`), reusing the layout
//! facts of the `sosreport-*` fixtures (`crate::sosreport`: command names, scrubbing).
//!
//! What sos collects, from `sos/report/plugins/{kubernetes,containerd,systemd,logs,host}.py`:
//! - `/etc/kubernetes` and `/run/flannel` (kubernetes), `/etc/cni/net.d` (containerd),
//!   `/etc/systemd` (systemd); `/etc/kubernetes/pki` is a forbidden path, and every PEM block
//!   and base64 PEM in what the kubernetes plugin copies is scrubbed;
//! - the kubelet unit's journal (`sos_commands/kubernetes/journalctl_--no-pager_--unit_kubelet`)
//!   and the whole journal (`sos_commands/logs/journalctl_--no-pager`), journalctl's `short`
//!   format; every `var/log/*.log` of a scenario is a unit's journal export, so all of them
//!   go to the whole journal;
//! - `kubectl get -o json` of every namespaced resource, per namespace, and of the nodes,
//!   only on a node with `/etc/kubernetes/admin.conf` (`check_is_master`), PEM blocks in
//!   the output scrubbed (`do_cmd_private_sub`).
//!
//! What it does not collect: `/var/lib/kubelet` (the kubelet's client certificate and its
//! config), `/var/log/pods` (container logs need `podlogs=on` and a working apiserver),
//! `/etc/ssl`, and the cluster dumps of a cluster whose nodes have no `admin.conf`
//! (bootkube's `/etc/kubernetes/kubeconfig` is not one sos knows).

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::Value;

use super::nodes::{self, NodeRoot};
use crate::sosreport::{KUBECTL, lists_by_namespace, mangle, scrub_base64_pem, scrub_pem};
use crate::tree::{Entry, Tree};

/// Whether sos copies the node file at `p` (a path inside the node), and scrubs it.
fn copied(p: &str) -> Option<bool> {
    if p.starts_with("etc/kubernetes/pki/") {
        return None;
    }
    if p.starts_with("etc/kubernetes/") {
        return Some(true);
    }
    let kept =
        p.starts_with("run/flannel/") || p.starts_with("etc/cni/net.d/") || p.starts_with("etc/systemd/");
    kept.then_some(false)
}

fn scrub(e: &Entry) -> Entry {
    match e {
        Entry::File { data, mode } => Entry::File {
            data: scrub_base64_pem(&scrub_pem(&String::from_utf8_lossy(data))).into_bytes(),
            mode: *mode,
        },
        other => other.clone(),
    }
}

/// The whole journal: every unit's lines, in time order.
fn whole_journal(journals: &[String]) -> String {
    let mut lines: Vec<&str> = journals
        .iter()
        .flat_map(|j| j.lines())
        .filter(|l| nodes::short_key(l).is_some())
        .collect();
    lines.sort_by_key(|l| nodes::short_key(l));
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// `kubectl get -o json` outputs of the cluster dumps, as the kubernetes plugin names them.
fn kubectl_outputs(objects: &[(String, Value)]) -> Result<Tree> {
    let mut t = Tree::new();
    let mut by_resource: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for (res, o) in objects {
        by_resource.entry(res.as_str()).or_default().push(o.clone());
    }
    for (res, items) in by_resource {
        let kind = items
            .first()
            .and_then(|i| i["kind"].as_str())
            .unwrap_or("Object")
            .to_string();
        if res == "nodes" {
            let list = serde_json::json!({"kind": "NodeList", "apiVersion": "v1",
                "metadata": {"resourceVersion": "1"}, "items": items});
            let body = scrub_pem(&serde_json::to_string_pretty(&list)?);
            t.file(&format!("cluster-info/{KUBECTL}_get_-o_json_nodes"), body + "\n");
            continue;
        }
        for (ns, list) in lists_by_namespace(&kind, &items) {
            let body = scrub_pem(&serde_json::to_string_pretty(&list)?);
            t.file(
                &format!("cluster-info/{ns}/{KUBECTL}_get_-o_json_--namespace_{ns}_{res}"),
                body + "\n",
            );
        }
    }
    Ok(t)
}

/// One sosreport per node, side by side.
pub fn apply(tree: &Tree) -> Result<Tree> {
    let (date, clock) = nodes::capture_time(tree);
    let objects = nodes::dumped_objects(tree)?;
    let mut out = Tree::new();
    let mut dumps_taken = false;
    for node in nodes::nodes(tree) {
        let files = nodes::files_of(tree, &node);
        let mut t = Tree::new();
        let mut journals = Vec::new();
        for (p, e) in &files {
            match copied(p) {
                Some(true) => {
                    t.entries.insert(p.clone(), scrub(e));
                }
                Some(false) => {
                    t.entries.insert(p.clone(), (*e).clone());
                }
                None => {}
            }
            let unit_journal = p.starts_with("var/log/")
                && p.ends_with(".log")
                && !p.starts_with("var/log/pods/")
                && !p.starts_with("var/log/containers/");
            if let (true, Entry::File { data, .. }) = (unit_journal, e) {
                let j = nodes::short_journal(&String::from_utf8_lossy(data));
                if p == "var/log/kubelet.log" {
                    t.file(
                        &format!(
                            "sos_commands/kubernetes/{}",
                            mangle("journalctl --no-pager  --unit kubelet")
                        ),
                        j.clone(),
                    );
                }
                journals.push(j);
            }
        }
        t.file(
            &format!("sos_commands/logs/{}", mangle("journalctl --no-pager ")),
            whole_journal(&journals),
        );
        t.file("sos_commands/host/hostname", format!("{}\n", node.host));
        t.symlink("hostname", "sos_commands/host/hostname");
        t.file("version.txt", "2.3\n");
        t.file(
            "sos_reports/manifest.json",
            serde_json::to_string_pretty(&serde_json::json!({
                "version": "4.8.2",
                "cmdline": "sos report --batch -o kubernetes,containerd,systemd,logs,host -k kubernetes.all=on",
                "start_time": format!("{date} {clock}.000000"),
                "end_time": format!("{date} {clock}.000000"),
                "compression": "xz",
            }))? + "\n",
        );
        if !dumps_taken && files.contains_key("etc/kubernetes/admin.conf") {
            dumps_taken = true;
            t.merge_under("sos_commands/kubernetes", kubectl_outputs(&objects)?);
        }
        out.merge_under(&folder(&node, &date), t);
    }
    Ok(out)
}

/// `sosreport-<host>-<date>-<random>` (sos's own name, the random part fixed).
fn folder(node: &NodeRoot, date: &str) -> String {
    let parent = node.root.trim_end_matches('/');
    let parent = parent
        .rsplit_once('/')
        .map(|(p, _)| format!("{p}/"))
        .unwrap_or_default();
    format!("{parent}sosreport-{}-{date}-kxvqzta", node.host)
}
