//! What the snapshot knows about where its trees came from: each node's distribution and
//! collector, the roots of support bundles, and the collection time collectors recorded.

use crate::bundle::collector::{self, Collector};
use crate::bundle::distro::{self, Layout, Role};
use crate::bundle::troubleshoot;
use crate::snapshot::{NodeLayout, Snapshot};

/// Fills [`Snapshot::collectors`] and [`Snapshot::node_layouts`]; `forced` (`--layout`)
/// replaces every node's detected distribution.
pub fn describe(snap: &mut Snapshot, forced: Option<Layout>) {
    let roots: Vec<&str> = snap.nodes.iter().map(|n| n.root.as_str()).collect();
    snap.collectors = collector::roots(&snap.files, &roots);
    // Each node's paths, relative to its root, in one pass over the files (one pass per
    // node was quadratic: 16k kind nodes took 30 s).
    // A node rooted at a folder other than its `/` (a PKI folder on its own) is judged by the
    // node paths its files stand for.
    let mut relative: Vec<Vec<(std::borrow::Cow<'_, str>, u64)>> = vec![Vec::new(); snap.nodes.len()];
    for (p, f) in &snap.files {
        if let Some(i) = f.node.filter(|&i| i < snap.nodes.len()) {
            let n = &snap.nodes[i];
            if let Some(r) = p.strip_prefix(n.root.as_str()) {
                let r = match n.base {
                    None => std::borrow::Cow::Borrowed(r),
                    Some(_) => std::borrow::Cow::Owned(n.abs_path(r).trim_start_matches('/').to_string()),
                };
                relative[i].push((r, f.size));
            }
        }
    }
    let collectors: std::collections::HashMap<&str, Collector> =
        snap.collectors.iter().map(|(r, c)| (r.as_str(), *c)).collect();
    let mut layouts = Vec::with_capacity(snap.nodes.len());
    for (i, node) in snap.nodes.iter().enumerate() {
        let dumped = || {
            snap.k8s_nodes
                .iter()
                .filter(|n| n.node.metadata.name == node.name)
        };
        let mut layout = distro::detect(relative[i].iter().map(|(p, _)| p.as_ref()));
        if layout == Layout::Generic {
            // A node seen in the dumps under the same name says which distribution it runs.
            layout = dumped()
                .find_map(|n| distro::from_kubelet_version(&n.node.status.node_info.kubelet_version))
                .unwrap_or_default();
        }
        let collector = collectors.get(node.root.as_str()).copied();
        // kind nodes are made by kubeadm (`kind` runs `kubeadm init`/`join` in each node).
        if layout == Layout::Generic && collector == Some(Collector::Kind) {
            layout = Layout::Kubeadm;
        }
        let layout = forced.unwrap_or(layout);
        let role = distro::role(layout, relative[i].iter().map(|(p, s)| (p.as_ref(), *s))).or_else(|| {
            // The Node object's role label, where the node's own files do not say.
            if !matches!(layout, Layout::K3s | Layout::Rke2) {
                return None;
            }
            dumped().find_map(|n| {
                [
                    "node-role.kubernetes.io/control-plane",
                    "node-role.kubernetes.io/master",
                ]
                .into_iter()
                .find(|l| n.node.metadata.labels.contains_key(*l))
                .map(|l| (Role::Server, format!("label {l} on Node {}", node.name)))
            })
        });
        layouts.push(NodeLayout {
            layout,
            collector,
            role,
        });
    }
    snap.node_layouts = layouts;
}

/// The collection time collectors recorded: the newest of the manifests' times (`from_files`)
/// and of the support bundles' folder names.
pub fn metadata_time(
    snap: &Snapshot,
    from_files: impl IntoIterator<Item = (time::OffsetDateTime, String)>,
) -> Option<(time::OffsetDateTime, String)> {
    let folders = snap
        .collectors
        .iter()
        .filter(|(_, c)| *c == Collector::Troubleshoot)
        .filter_map(|(root, _)| {
            troubleshoot::folder_time(root).map(|t| (t, format!("the folder name {root}")))
        });
    from_files.into_iter().chain(folders).max()
}
