//! Three-node kubeadm HA clusters (stacked etcd, a load-balancer `controlPlaneEndpoint`):
//! `kubeadm-ha` is healthy; `kubeadm-ha-etcd-rejoined` has `cp-3` re-joined under a
//! re-created etcd CA of the same name, so its etcd peers and the other members' no longer
//! trust each other. Each node dials its own apiserver from controller-manager.conf and
//! scheduler.conf, the load balancer from admin.conf and kubelet.conf, and every apiserver
//! its own etcd at `https://127.0.0.1:2379`.

use anyhow::Result;
use serde_json::{Map, Value, json};

use crate::certs::{Ca, CertSpec, validity};
use crate::kubeadm::{self, ClusterPki, NodeOpts};
use crate::logs::rfc3339;
use crate::tree::Tree;

/// The load balancer in front of the three apiservers.
pub const ENDPOINT: &str = "k8s-api.example.internal";
/// The members: (host, advertise address).
pub const MEMBERS: [(&str, &str); 3] = [
    ("cp-1", "10.0.0.11"),
    ("cp-2", "10.0.0.12"),
    ("cp-3", "10.0.0.13"),
];

/// The healthy `kubeadm-ha` bundle.
pub fn healthy() -> Result<(Tree, Value)> {
    build("kubeadm-ha", false)
}

/// `kubeadm-ha-etcd-rejoined`: cp-3's etcd certificates come from a re-created etcd CA.
pub fn etcd_rejoined() -> Result<(Tree, Value)> {
    build("kubeadm-ha-etcd-rejoined", true)
}

fn build(cluster: &str, rejoined: bool) -> Result<(Tree, Value)> {
    let pki = ClusterPki::new(cluster)?;
    let new_etcd_ca = Ca::new(
        &format!("{cluster}/etcd-ca-recreated"),
        CertSpec::ca("etcd-ca", validity(2026, 3, 1, 2036, 3, 1)),
    )?;
    let members = MEMBERS
        .iter()
        .map(|(h, ip)| format!("{h}=https://{ip}:2380"))
        .collect::<Vec<_>>()
        .join(",");
    let mut t = Tree::new();
    let mut certs = Map::new();
    for (host, ip) in MEMBERS {
        let opts = NodeOpts {
            endpoint: Some(ENDPOINT),
            etcd_ca: (rejoined && host == "cp-3").then_some(&new_etcd_ca),
            initial_cluster: Some(members.clone()),
            ..NodeOpts::default()
        };
        let (node, fp) = kubeadm::control_plane_node_opts(cluster, &pki, host, ip, &opts)?;
        t.merge_under(host, node);
        for (k, v) in fp {
            certs.insert(format!("{host}/{k}"), json!(v));
        }
    }
    let (host, ip) = MEMBERS[0];
    let dumps = kubeadm::cluster_dumps(cluster, &pki, host, ip)?;
    t.merge_under("cluster", dumps);
    Ok((
        t,
        json!({"capture_time": rfc3339(kubeadm::CAPTURE), "certs": certs}),
    ))
}
