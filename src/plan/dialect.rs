//! Which distribution's words a fix step speaks on each node: the node's detected layout,
//! its Kubernetes version where commands changed (`kubeadm alpha certs` before 1.20,
//! `super-admin.conf` from 1.29), whether a rancher node is a server or an agent, and the
//! variables the distribution's own steps need (`kubeadm_cert`, `service`, `backup_dir`).

use std::collections::BTreeMap;

use crate::bundle::distro::{Layout, Role};
use crate::snapshot::Snapshot;

pub use crate::bundle::distro::LAYOUTS;

/// What the plan knows about one node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeFacts {
    /// The node's distribution.
    pub layout: Layout,
    /// Kubernetes `(major, minor)` from the node's reported kubelet version.
    pub version: Option<(u32, u32)>,
    /// A rancher (k3s/RKE2) server rather than an agent.
    pub server: bool,
    /// Whether the bundle proves [`NodeFacts::server`] (k3s/RKE2 only; otherwise it is
    /// assumed and the plan says so).
    pub role_proven: bool,
    /// A kind node: a container on the host, where the commands run through `docker exec`.
    pub kind: bool,
}

/// What the plan needs from the bundle besides findings.
#[derive(Clone, Debug, Default)]
pub struct PlanContext {
    /// Capture date (`YYYY-MM-DD`), naming backup folders.
    pub capture_date: String,
    /// Facts by node name.
    pub nodes: BTreeMap<String, NodeFacts>,
    /// The cluster's layout, for findings without a node.
    pub cluster: Layout,
    /// How many node trees the bundle holds (not Node objects of a dump).
    pub trees: usize,
}

impl PlanContext {
    /// The context of a snapshot.
    pub fn of(snap: &Snapshot) -> PlanContext {
        let mut nodes = BTreeMap::new();
        for (i, n) in snap.nodes.iter().enumerate() {
            let layout = snap.layout(Some(i));
            let version = snap
                .k8s_nodes
                .iter()
                .find(|r| r.node.metadata.name == n.name)
                .and_then(|r| parse_version(&r.node.status.node_info.kubelet_version));
            // A k3s/RKE2 node whose role the bundle does not prove is taken as an agent.
            let role = snap.node_layouts.get(i).and_then(|l| l.role.as_ref());
            let (server, role_proven) = match layout {
                Layout::K3s | Layout::Rke2 => (role.is_some_and(|(r, _)| *r == Role::Server), role.is_some()),
                _ => (true, true),
            };
            let kind = snap.node_layouts.get(i).and_then(|l| l.collector)
                == Some(crate::bundle::collector::Collector::Kind);
            nodes.insert(
                n.name.clone(),
                NodeFacts {
                    layout,
                    version,
                    server,
                    role_proven,
                    kind,
                },
            );
        }
        for r in &snap.k8s_nodes {
            let name = &r.node.metadata.name;
            if !nodes.contains_key(name) {
                nodes.insert(
                    name.clone(),
                    NodeFacts {
                        layout: snap.cluster_layout(),
                        version: parse_version(&r.node.status.node_info.kubelet_version),
                        server: true,
                        role_proven: false,
                        kind: false,
                    },
                );
            }
        }
        let date = snap.captured_at.at.date();
        PlanContext {
            capture_date: format!(
                "{:04}-{:02}-{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            ),
            nodes,
            cluster: snap.cluster_layout(),
            trees: snap.nodes.len(),
        }
    }

    /// Where backups go: `/root/kubetriage-backup-<capture date>`.
    pub fn backup_dir(&self) -> String {
        if self.capture_date.is_empty() {
            "/root/kubetriage-backup".into()
        } else {
            format!("/root/kubetriage-backup-{}", self.capture_date)
        }
    }

    /// The facts of a node (the cluster's layout for an unknown or absent node).
    pub fn facts(&self, node: Option<&str>) -> NodeFacts {
        node.and_then(|n| self.nodes.get(n))
            .cloned()
            .unwrap_or(NodeFacts {
                layout: self.cluster,
                version: None,
                server: true,
                role_proven: false,
                kind: false,
            })
    }
}

/// `v1.30.2`, `v1.28.5+k3s1` → `(1, 30)`.
pub fn parse_version(v: &str) -> Option<(u32, u32)> {
    let v = v.trim().strip_prefix('v').unwrap_or(v.trim());
    let mut it = v.split(['.', '+', '-']);
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    Some((major, minor))
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

/// kubeadm's name for a file it manages (`/etc/kubernetes/pki/etcd/server.crt` →
/// `etcd-server`, `/etc/kubernetes/admin.conf` → `admin.conf`); CAs and other files: none.
pub fn kubeadm_cert(path: &str) -> Option<String> {
    let name = if let Some(rest) = path.strip_prefix("/etc/kubernetes/pki/") {
        rest.strip_suffix(".crt")?.replace("etcd/", "etcd-")
    } else {
        path.strip_prefix("/etc/kubernetes/")?.to_string()
    };
    KUBEADM_CERTS.contains(&name.as_str()).then_some(name)
}

/// The variables a finding's own ones are completed with on a node: `kubeadm_cert` (from
/// `path` or `kubeconfig`), `service` (the k3s/RKE2 unit), `backup_dir`.
pub fn derived_vars(
    vars: &BTreeMap<String, String>,
    facts: &NodeFacts,
    cx: &PlanContext,
) -> BTreeMap<String, String> {
    let mut out = vars.clone();
    if !out.contains_key("kubeadm_cert") {
        if let Some(n) = ["path", "kubeconfig"]
            .iter()
            .filter_map(|k| vars.get(*k))
            .find_map(|p| kubeadm_cert(p))
        {
            out.insert("kubeadm_cert".into(), n);
        }
    }
    let service = match (facts.layout, facts.server) {
        (Layout::K3s, true) => Some("k3s"),
        (Layout::K3s, false) => Some("k3s-agent"),
        (Layout::Rke2, true) => Some("rke2-server"),
        (Layout::Rke2, false) => Some("rke2-agent"),
        _ => None,
    };
    if let Some(s) = service {
        out.entry("service".into()).or_insert_with(|| s.into());
        let side = if facts.server { "server/tls" } else { "agent" };
        out.entry("tls_dir".into())
            .or_insert_with(|| format!("/var/lib/rancher/{}/{side}", facts.layout.as_str()));
    }
    if !out.contains_key("cert_dir") {
        if let Some(dir) = vars.get("path").and_then(|p| p.strip_suffix("/kubelet.crt")) {
            out.insert("cert_dir".into(), dir.to_string());
        }
    }
    out.insert("backup_dir".into(), cx.backup_dir());
    out
}

/// A template in the words of the node's version: `kubeadm alpha certs` before 1.20.
pub fn versioned(template: &str, facts: &NodeFacts) -> String {
    match (facts.layout, facts.version) {
        (Layout::Kubeadm, Some(v)) if v < (1, 20) => {
            template.replace("kubeadm certs ", "kubeadm alpha certs ")
        }
        _ => template.to_string(),
    }
}

/// The line a step that restarts k3s/RKE2 starts with on a node whose role the bundle does
/// not prove: which role the commands assume, and what to use on the other.
pub fn role_note(commands: &[String], facts: &NodeFacts) -> Option<String> {
    let (server_unit, d) = match facts.layout {
        Layout::K3s => ("k3s", "k3s"),
        Layout::Rke2 => ("rke2-server", "rke2"),
        _ => return None,
    };
    if facts.role_proven || !commands.iter().any(|c| c.contains("systemctl")) {
        return None;
    }
    let (assumed, instead) = if facts.server {
        (
            "a server",
            format!("systemctl restart {d}-agent (an agent renews its own certificates)"),
        )
    } else {
        (
            "an agent",
            format!(
                "systemctl stop {server_unit}; {d} certificate rotate; systemctl start {server_unit}, backing up /var/lib/rancher/{d}/server/tls"
            ),
        )
    };
    Some(format!(
        "# the bundle does not show whether this node is a {d} server or agent: these lines assume {assumed}; on the other instead: {instead}"
    ))
}

/// The line a step starts with on a kind node: its commands run inside the node's container.
pub fn kind_note(node: Option<&str>, facts: &NodeFacts) -> Option<String> {
    let node = node.filter(|_| facts.kind)?;
    let exec = crate::model::shell::join(["docker", "exec", "-it", node, "bash"])
        .unwrap_or_else(|| "docker exec -it <node container> bash".to_string());
    Some(format!(
        "# kind: {} is a container on the host; run these inside it ({}), or delete and recreate the cluster with kind",
        crate::model::shell::comment_text(node),
        crate::model::shell::comment_text(&exec)
    ))
}

/// Lines a step adds on a node of this version: from 1.29 kubeadm writes `super-admin.conf`
/// (system:masters) beside `admin.conf` (kubeadm:cluster-admins) and renews both.
pub fn version_notes(step: &str, facts: &NodeFacts) -> Vec<String> {
    match (step, facts.layout, facts.version) {
        ("kubeadm-certs-renew", Layout::Kubeadm, Some(v)) if v >= (1, 29) => vec![
            "# kubeadm 1.29+: admin.conf is bound to kubeadm:cluster-admins; super-admin.conf (system:masters) is renewed too: keep it off shared machines".into(),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_kubeadm_names() {
        assert_eq!(parse_version("v1.28.5+k3s1"), Some((1, 28)));
        assert_eq!(parse_version("v1.19.16"), Some((1, 19)));
        assert_eq!(
            kubeadm_cert("/etc/kubernetes/pki/etcd/server.crt").as_deref(),
            Some("etcd-server")
        );
        assert_eq!(
            kubeadm_cert("/etc/kubernetes/pki/apiserver-etcd-client.crt").as_deref(),
            Some("apiserver-etcd-client")
        );
        assert_eq!(
            kubeadm_cert("/etc/kubernetes/admin.conf").as_deref(),
            Some("admin.conf")
        );
        assert_eq!(kubeadm_cert("/etc/kubernetes/pki/ca.crt"), None);
        assert_eq!(kubeadm_cert("/etc/kubernetes/kubelet.conf"), None);
        let old = NodeFacts {
            layout: Layout::Kubeadm,
            version: Some((1, 19)),
            server: true,
            role_proven: true,
            kind: false,
        };
        assert_eq!(
            versioned("kubeadm certs renew all", &old),
            "kubeadm alpha certs renew all"
        );
    }

    /// A k3s/RKE2 node whose role the bundle does not prove: the restarting step says which
    /// role it assumed and what to use on the other; a proven role needs no note.
    #[test]
    fn an_unproven_rancher_role_is_said() {
        let cmds = vec!["systemctl stop rke2-agent".to_string()];
        let mut facts = NodeFacts {
            layout: Layout::Rke2,
            version: None,
            server: false,
            role_proven: false,
            kind: false,
        };
        let note = role_note(&cmds, &facts).unwrap();
        assert!(
            note.contains("assume an agent")
                && note.contains("rke2 certificate rotate; systemctl start rke2-server")
                && note.contains("/var/lib/rancher/rke2/server/tls"),
            "{note}"
        );
        facts.role_proven = true;
        assert_eq!(role_note(&cmds, &facts), None);
        facts.layout = Layout::Kubeadm;
        facts.role_proven = false;
        assert_eq!(role_note(&cmds, &facts), None);
    }
}
