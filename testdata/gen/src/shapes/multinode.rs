//! The multi-node shape: every node of the scenario in a folder named after its host, side by
//! side in one archive (as a lead gathers several nodes' tarballs into one), the cluster
//! dumps beside them under `cluster/`. A scenario of one node gets a second control-plane
//! node, `<host>-peer`, collected while healthy: its hostname and a quiet kubelet journal
//! only (its other files not collected), so the faulty node's diagnosis must stay on the
//! faulty node and the peer must add no error.

use super::nodes::{self, NodeRoot};
use crate::tree::Tree;

/// A quiet kubelet journal (`short-iso`) at the scenario's capture time.
fn quiet_kubelet(host: &str, date: &str, clock: &str) -> String {
    let mmdd: String = date.get(5..).unwrap_or("01-01").replace('-', "");
    format!(
        "{date}T{clock}+0000 {host} systemd[1]: Started kubelet.service - kubelet: The Kubernetes Node Agent.\n\
         {date}T{clock}+0000 {host} kubelet[901]: I{mmdd} {clock}.000000     901 server.go:484] \"Kubelet version\" kubeletVersion=\"v1.30.2\"\n"
    )
}

/// The scenario's nodes side by side, each under its host's name.
pub fn apply(tree: &Tree) -> Tree {
    let all = nodes::nodes(tree);
    let mut out = Tree::new();
    for (p, e) in &tree.entries {
        if nodes::is_dump(p) {
            let name = p.rsplit('/').next().unwrap_or(p);
            out.entries.insert(format!("cluster/{name}"), e.clone());
        }
    }
    for node in &all {
        let mut t = Tree::new();
        for (p, e) in nodes::files_of(tree, node) {
            t.entries.insert(p, e.clone());
        }
        out.merge_under(&node.host, t);
    }
    if let [NodeRoot { host, .. }] = all.as_slice() {
        let (date, clock) = nodes::capture_time(tree);
        let peer = format!("{host}-peer");
        out.file(&format!("{peer}/etc/hostname"), format!("{peer}\n"));
        out.file(
            &format!("{peer}/var/log/kubelet.log"),
            quiet_kubelet(&peer, &date, &clock),
        );
    }
    out
}
