//! What the snapshot knows about where its trees came from: each node's distribution and
//! collector, the roots of support bundles, and the collection time collectors recorded.

use crate::bundle::collector::{self, Collector};
use crate::bundle::distro::{self, Layout};
use crate::bundle::troubleshoot;
use crate::snapshot::{NodeLayout, Snapshot};

/// Fills [`Snapshot::collectors`] and [`Snapshot::node_layouts`]; `forced` (`--layout`)
/// replaces every node's detected distribution.
pub fn describe(snap: &mut Snapshot, forced: Option<Layout>) {
    let roots: Vec<&str> = snap.nodes.iter().map(|n| n.root.as_str()).collect();
    snap.collectors = collector::roots(&snap.files, &roots);
    let mut layouts = Vec::with_capacity(snap.nodes.len());
    for (i, node) in snap.nodes.iter().enumerate() {
        let relative = snap
            .files
            .iter()
            .filter(|(_, f)| f.node == Some(i))
            .filter_map(|(p, _)| p.strip_prefix(node.root.as_str()));
        let mut layout = distro::detect(relative);
        if layout == Layout::Generic {
            // A node seen in the dumps under the same name says which distribution it runs.
            layout = snap
                .k8s_nodes
                .iter()
                .filter(|n| n.node.metadata.name == node.name)
                .find_map(|n| distro::from_kubelet_version(&n.node.status.node_info.kubelet_version))
                .unwrap_or_default();
        }
        layouts.push(NodeLayout {
            layout: forced.unwrap_or(layout),
            collector: snap
                .collectors
                .iter()
                .find(|(r, _)| *r == node.root)
                .map(|(_, c)| *c),
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
