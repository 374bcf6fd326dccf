//! Distributions: which kind of cluster a node belongs to, from where it keeps its files
//! (and, for nodes seen only in dumps, from the kubelet version it reports).
//!
//! What a healthy node looks like differs by distribution, so checks ask this before they
//! expect a file or a pod:
//! - **kubeadm**: PKI in `/etc/kubernetes/pki`, kubeconfigs `admin.conf`, `kubelet.conf`, …,
//!   control plane as static pods in `/etc/kubernetes/manifests` (ANCHORS.md §4.1).
//! - **bootkube / Tectonic** (self-hosted): kubelet kubeconfig `/etc/kubernetes/kubeconfig`,
//!   pod checkpoints in `/etc/kubernetes/{manifests,inactive-manifests,checkpoint-secrets}`,
//!   control plane as DaemonSets/Deployments (ANCHORS.md §4.3).
//! - **k3s**: PKI in `/var/lib/rancher/k3s/server/tls`, config in `/etc/rancher/k3s`; the
//!   control plane (and etcd/kine) runs inside the one `k3s server` process, so there are no
//!   control-plane pods to expect. Its embedded flannel still writes `/run/flannel/subnet.env`
//!   (k3s `pkg/agent/flannel/flannel.go`: `subnetFile = "/run/flannel/subnet.env"`) and its
//!   CNI config lives in `/var/lib/rancher/k3s/agent/etc/cni/net.d`.
//! - **RKE2**: PKI in `/var/lib/rancher/rke2/server/tls`; etcd, kube-apiserver,
//!   kube-controller-manager and kube-scheduler are static pods in
//!   `/var/lib/rancher/rke2/agent/pod-manifests`.

use std::fmt;

use serde::Serialize;

/// Layout names a catalogue `dialects:` map may use (see [`Layout`]).
pub const LAYOUTS: &[&str] = &["kubeadm", "bootkube", "k3s", "rke2", "generic"];

/// A node's distribution (its layout on disk).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// kubeadm (`/etc/kubernetes/pki`, static pods in `/etc/kubernetes/manifests`).
    Kubeadm,
    /// bootkube / Tectonic self-hosted (checkpoints, `/etc/kubernetes/kubeconfig`).
    Bootkube,
    /// k3s (`/var/lib/rancher/k3s`; control plane in-process).
    K3s,
    /// RKE2 (`/var/lib/rancher/rke2`; static pods in `agent/pod-manifests`).
    Rke2,
    /// Nothing says which: files are read where they are found.
    #[default]
    Generic,
}

impl Layout {
    /// Lowercase name used in reports and by `--layout`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Kubeadm => "kubeadm",
            Layout::Bootkube => "bootkube",
            Layout::K3s => "k3s",
            Layout::Rke2 => "rke2",
            Layout::Generic => "generic",
        }
    }

    /// Whether the control plane runs inside one host process (no control-plane pods).
    pub fn in_process_control_plane(self) -> bool {
        self == Layout::K3s
    }

    /// Folders (under the node root) where the kubelet reads static pod manifests.
    pub fn static_pod_dirs(self) -> &'static [&'static str] {
        match self {
            Layout::Rke2 => &["var/lib/rancher/rke2/agent/pod-manifests/"],
            Layout::K3s => &["var/lib/rancher/k3s/agent/pod-manifests/"],
            _ => &["etc/kubernetes/manifests/"],
        }
    }

    /// Folders (under the node root) where the distribution keeps its PKI.
    pub fn pki_dirs(self) -> &'static [&'static str] {
        match self {
            Layout::K3s => &["var/lib/rancher/k3s/server/tls/", "var/lib/rancher/k3s/agent/"],
            Layout::Rke2 => &["var/lib/rancher/rke2/server/tls/", "var/lib/rancher/rke2/agent/"],
            Layout::Bootkube => &["etc/kubernetes/", "var/lib/kubelet/pki/"],
            Layout::Kubeadm | Layout::Generic => &["etc/kubernetes/pki/", "var/lib/kubelet/pki/"],
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The layout of one node from the paths of its files, relative to its root. The most
/// specific evidence wins: a rancher tree beats `/etc/kubernetes` (RKE2 agents also keep
/// a kubelet config there), and bootkube checkpoints beat kubeadm-looking kubeconfigs.
pub fn detect<'a>(relative_paths: impl IntoIterator<Item = &'a str>) -> Layout {
    let mut seen = [false; 4];
    for p in relative_paths {
        // Rancher's logs collector names the distribution by its own folders (see `rancher`).
        if p.starts_with("var/lib/rancher/k3s/")
            || p.starts_with("etc/rancher/k3s/")
            || p.starts_with("k3s/crictl/")
            || p == "k3s/check-config"
            || p == "journald/k3s"
            || p == "journald/k3s-agent"
        {
            seen[0] = true;
        } else if p.starts_with("var/lib/rancher/rke2/")
            || p.starts_with("etc/rancher/rke2/")
            || p.starts_with("rke2/crictl/")
            || p == "rke2/version"
            || p.starts_with("journald/rke2-")
        {
            seen[1] = true;
        } else if p.starts_with("etc/kubernetes/checkpoint-secrets/")
            || p.starts_with("etc/kubernetes/inactive-manifests/")
            || p.starts_with("etc/kubernetes/bootstrap-secrets/")
            || p.starts_with("etc/kubernetes/checkpoint-configmaps/")
            || p == "etc/kubernetes/kubeconfig"
        {
            seen[2] = true;
        } else if matches!(
            p,
            "etc/kubernetes/admin.conf"
                | "etc/kubernetes/kubelet.conf"
                | "etc/kubernetes/super-admin.conf"
                | "etc/kubernetes/bootstrap-kubelet.conf"
                | "etc/kubernetes/pki/ca.crt"
                // kubeadm's PKI names: an external etcd host made by kubeadm ("Set up a High
                // Availability etcd cluster with kubeadm") holds only these and etcd.yaml.
                | "etc/kubernetes/pki/etcd/ca.crt"
                | "etc/kubernetes/pki/front-proxy-ca.crt"
                | "etc/kubernetes/pki/apiserver-etcd-client.crt"
                | "var/lib/kubelet/kubeadm-flags.env"
                | "kubeadm/staticpodlist"
        ) || p.ends_with("kubelet.service.d/10-kubeadm.conf")
            || p.ends_with("kubelet.service.d/20-etcd-service-manager.conf")
            || p.starts_with("kubeadm/pki/")
        {
            seen[3] = true;
        }
    }
    match seen {
        [true, ..] => Layout::K3s,
        [_, true, ..] => Layout::Rke2,
        [_, _, true, _] => Layout::Bootkube,
        [_, _, _, true] => Layout::Kubeadm,
        _ => Layout::Generic,
    }
}

/// Whether a k3s/RKE2 node runs the server (control plane) or only the agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `k3s server` / `rke2 server`: runs the apiserver, holds `server/tls`.
    Server,
    /// `k3s agent` / `rke2 agent`: a kubelet only.
    Agent,
}

impl Role {
    /// Lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Server => "server",
            Role::Agent => "agent",
        }
    }
}

/// A k3s/RKE2 node's role from the paths of its files (relative to its root), with the path
/// that proves it. Server evidence wins: a server also runs an agent (`agent/` exists on
/// both). Proof of a server: the data dir's `server/` folder, the Rancher collector's
/// `<d>/certs/server/` or `<d>/server-logs/`, the server unit's journal (`journald/rke2-server`,
/// `journald/k3s`), an apiserver static pod (RKE2). Proof of an agent: the agent unit's journal
/// (`journald/rke2-agent`, `journald/k3s-agent`). `None`: the bundle does not say.
pub fn role<'a>(layout: Layout, files: impl IntoIterator<Item = (&'a str, u64)>) -> Option<(Role, String)> {
    let d = match layout {
        Layout::K3s => "k3s",
        Layout::Rke2 => "rke2",
        _ => return None,
    };
    let server_unit = if layout == Layout::K3s {
        "journald/k3s".to_string()
    } else {
        format!("journald/{d}-server")
    };
    let agent_unit = format!("journald/{d}-agent");
    let server_dirs = [
        format!("var/lib/rancher/{d}/server/"),
        format!("{d}/certs/server/"),
        format!("{d}/server-logs/"),
    ];
    let apiserver = format!("var/lib/rancher/{d}/agent/pod-manifests/kube-apiserver.yaml");
    let mut agent = None;
    // A unit's journal proves the unit ran only when it holds entries: journalctl writes
    // `-- No entries --` (17 bytes) for a unit that never logged.
    let ran = |size: u64| size > NO_ENTRIES;
    for (p, size) in files {
        if (p == server_unit && ran(size))
            || p == apiserver
            || server_dirs.iter().any(|s| p.starts_with(s.as_str()))
        {
            return Some((Role::Server, p.to_string()));
        }
        if agent.is_none() && p == agent_unit && ran(size) {
            agent = Some((Role::Agent, p.to_string()));
        }
    }
    agent
}

/// The size at or below which a unit's journal holds no entry (`-- No entries --` and a
/// journal header at most).
const NO_ENTRIES: u64 = 64;

/// The distribution a kubelet version string names (`v1.30.2+k3s1`, `v1.29.4+rke2r1`).
pub fn from_kubelet_version(version: &str) -> Option<Layout> {
    let build = version.split_once('+')?.1;
    if build.starts_with("k3s") {
        Some(Layout::K3s)
    } else if build.starts_with("rke2") {
        Some(Layout::Rke2)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_most_specific_tree() {
        assert_eq!(
            detect(["etc/kubernetes/pki/ca.crt", "var/log/x"]),
            Layout::Kubeadm
        );
        assert_eq!(
            detect([
                "etc/kubernetes/kubeconfig",
                "etc/kubernetes/inactive-manifests/a.json"
            ]),
            Layout::Bootkube
        );
        assert_eq!(
            detect([
                "var/lib/rancher/k3s/server/tls/server-ca.crt",
                "run/flannel/subnet.env"
            ]),
            Layout::K3s
        );
        assert_eq!(
            detect([
                "var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml",
                "etc/kubernetes/x"
            ]),
            Layout::Rke2
        );
        assert_eq!(detect(["var/log/syslog"]), Layout::Generic);
        // A kubeadm-made external etcd host: its PKI and etcd.yaml, no cluster CA.
        assert_eq!(
            detect([
                "etc/kubernetes/pki/etcd/ca.crt",
                "etc/kubernetes/manifests/etcd.yaml"
            ]),
            Layout::Kubeadm
        );
    }

    #[test]
    fn kubelet_versions() {
        assert_eq!(from_kubelet_version("v1.30.2+k3s1"), Some(Layout::K3s));
        assert_eq!(from_kubelet_version("v1.29.4+rke2r1"), Some(Layout::Rke2));
        assert_eq!(from_kubelet_version("v1.30.2"), None);
    }

    /// A server unit's journal that says `-- No entries --` proves nothing; the agent's
    /// journal with entries decides (hostile round 4).
    #[test]
    fn an_empty_unit_journal_proves_no_role() {
        let files = [("journald/rke2-server", 17), ("journald/rke2-agent", 900)];
        assert_eq!(
            role(Layout::Rke2, files),
            Some((Role::Agent, "journald/rke2-agent".to_string()))
        );
        assert_eq!(role(Layout::Rke2, [("journald/rke2-server", 17)]), None);
        assert_eq!(
            role(Layout::Rke2, [("rke2/certs/server/x.crt", 10)]).map(|r| r.0),
            Some(Role::Server)
        );
    }
}
