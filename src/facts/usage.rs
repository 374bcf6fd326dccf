//! Small facts about certificates that several rules share: where a copy sits on its
//! node, whether anything uses a certificate, and what a certificate is used as.

use std::collections::{BTreeMap, BTreeSet};

use crate::pki::trust::TrustEdge;
use crate::snapshot::{Location, Snapshot};

/// A bundle path as the node sees it: (node index, absolute path on the node).
pub fn node_path(snap: &Snapshot, bundle_path: &str) -> (Option<usize>, String) {
    let node = snap.node_of(bundle_path);
    match node.and_then(|i| snap.nodes.get(i)) {
        Some(n) => (
            node,
            n.abs_path(bundle_path.strip_prefix(n.root.as_str()).unwrap_or(bundle_path)),
        ),
        None => (node, format!("/{}", bundle_path.trim_start_matches('/'))),
    }
}

/// Whether a path looks like a copy nobody reads: `*.old`, `*.bak`, kubeadm's upgrade
/// backups, editor leftovers.
pub fn is_backup_path(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    let name = p.rsplit('/').next().unwrap_or(&p);
    [
        ".old",
        ".bak",
        ".backup",
        ".orig",
        ".save",
        "~",
        ".dpkg-old",
        ".rpmsave",
    ]
    .iter()
    .any(|s| name.ends_with(s) || name.contains(&format!("{s}.")))
        || p.contains("/tmp/kubeadm-backup")
        || p.contains("kubeadm-backup-")
        || p.contains("/backup/")
        || p.contains("/backups/")
}

/// Whether a path is one of the kubelet's dated rotation files
/// (`kubelet-client-2026-01-10-09-00-00.pem`).
fn is_rotated_kubelet_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    ["kubelet-client-", "kubelet-server-"].iter().any(|pre| {
        name.strip_prefix(pre)
            .is_some_and(|rest| rest.as_bytes().first().is_some_and(u8::is_ascii_digit))
    })
}

/// Which certificates are in use: referenced by a trust edge, or found anywhere but in a
/// backup copy, a superseded kubelet rotation file or only outside every node's tree.
pub struct Usage {
    referenced: BTreeSet<usize>,
    link_targets: BTreeSet<String>,
}

impl Usage {
    /// Computes the references of `snap`.
    pub fn new(snap: &Snapshot) -> Self {
        let mut referenced = BTreeSet::new();
        for e in &snap.trust {
            referenced.insert(e.peer);
            referenced.extend(e.trusted.iter().copied());
        }
        let link_targets = snap
            .files
            .iter()
            .filter(|(_, f)| f.link_target.is_some())
            .filter_map(|(p, f)| snap.resolve(f.node, &node_path(snap, p).1))
            .collect();
        Usage {
            referenced,
            link_targets,
        }
    }

    /// Whether certificate `i` is in use (see [`Usage`]).
    pub fn in_use(&self, snap: &Snapshot, i: usize) -> bool {
        if self.referenced.contains(&i) {
            return true;
        }
        let Some(c) = snap.certs.certs.get(i) else {
            return false;
        };
        if loose(snap, c) {
            return false;
        }
        c.locations.iter().any(|l| match l {
            Location::File { path } => {
                !(is_backup_path(path)
                    || (is_rotated_kubelet_file(path) && !self.link_targets.contains(path)))
            }
            Location::Kubeconfig { path, .. } => !is_backup_path(path),
            Location::Object { .. } => true,
        })
    }
}

/// Whether every copy of `c` is a file outside every node's tree (a pod-copy collector's
/// output, an old backup kept in the ticket): nothing ties it to a node's live PKI.
pub fn loose(snap: &Snapshot, c: &crate::pki::cert::CertRecord) -> bool {
    !c.locations.is_empty()
        && c.locations
            .iter()
            .all(|l| matches!(l, Location::File { path } if snap.node_of(path).is_none()))
}

/// What each certificate is presented as on the trust edges: index → (as a server, as a
/// client).
pub fn roles(edges: &[TrustEdge]) -> BTreeMap<usize, (bool, bool)> {
    let mut out: BTreeMap<usize, (bool, bool)> = BTreeMap::new();
    for e in edges {
        let r = out.entry(e.peer).or_default();
        r.0 |= e.purpose.server();
        r.1 |= e.purpose.client();
    }
    out
}

/// kubeadm's certificate names that `kubeadm certs renew <name>` accepts.
const KUBEADM_CERTS: &[&str] = &[
    "apiserver",
    "apiserver-etcd-client",
    "apiserver-kubelet-client",
    "front-proxy-client",
    "etcd-healthcheck-client",
    "etcd-peer",
    "etcd-server",
    "admin.conf",
    "super-admin.conf",
    "controller-manager.conf",
    "scheduler.conf",
];

/// Whether `kubeadm certs renew <name>` knows `name` (`apiserver`, `etcd-peer`, `admin.conf`, …).
pub fn is_kubeadm_cert(name: &str) -> bool {
    KUBEADM_CERTS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_and_rotations() {
        assert!(is_backup_path("n/etc/kubernetes/pki/apiserver.crt.old"));
        assert!(is_backup_path(
            "n/etc/kubernetes/tmp/kubeadm-backup-certs-2026/apiserver.crt"
        ));
        assert!(!is_backup_path("n/etc/kubernetes/pki/apiserver.crt"));
        assert!(is_rotated_kubelet_file(
            "n/var/lib/kubelet/pki/kubelet-client-2026-01-10-09-00-00.pem"
        ));
        assert!(!is_rotated_kubelet_file(
            "n/var/lib/kubelet/pki/kubelet-client-current.pem"
        ));
    }
}
