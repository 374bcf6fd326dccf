//! What runs on a node, for the commands that act on it: its static pods with the node files
//! each one loads (so a renewal restarts only the pods that read the renewed files), and the
//! addresses of the node's own apiserver and etcd (so a check reaches this node's server,
//! not whichever one a load balancer picks).

use std::collections::{BTreeMap, BTreeSet};

use crate::artifact::PodOrigin;
use crate::artifact::k8s::{Container, PodSpec};
use crate::facts::config::Component;
use crate::facts::usage::node_path;
use crate::snapshot::Snapshot;

/// kubeadm's static pod folder, where its defaults apply.
pub const KUBEADM_MANIFESTS: &str = "/etc/kubernetes/manifests";

/// One static pod of a node, from its manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaticPod {
    /// The component (its first container's name, else the pod's name).
    pub component: String,
    /// The manifest's folder on the node.
    pub dir: String,
    /// The manifest's file name.
    pub file: String,
    /// Node paths its containers' flags name (through their hostPath mounts).
    pub loads: BTreeSet<String>,
    /// The control-plane component its command runs, when recognised.
    pub runs: Option<Component>,
}

/// The node's own servers, from its static pods' flags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Servers {
    /// `host:port` of the node's apiserver (`--advertise-address`, else `--bind-address`
    /// when it names one address; `--secure-port`, else 6443).
    pub apiserver: Option<String>,
    /// The node's etcd client URL (the first `https` URL of `--advertise-client-urls`).
    pub etcd_url: Option<String>,
    /// The CA etcd trusts for clients (`--trusted-ca-file`, a node path).
    pub etcd_ca: Option<String>,
}

/// The static pods of node `node` found in its kubelet's manifest folder, by file name.
pub fn static_pods(snap: &Snapshot, node: usize) -> Vec<StaticPod> {
    let mut out: Vec<StaticPod> =
        snap.pods
            .iter()
            .filter(|p| p.origin == PodOrigin::StaticManifest && p.node == Some(node))
            .map(|p| {
                let (_, abs) = node_path(snap, &p.path);
                let (dir, file) = abs.rsplit_once('/').unwrap_or(("", abs.as_str()));
                let component = p
                    .pod
                    .spec
                    .containers
                    .first()
                    .map(|c| c.name.clone())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| p.pod.metadata.name.clone());
                let loads = p
                    .pod
                    .spec
                    .containers
                    .iter()
                    .flat_map(|c| loaded_paths(&p.pod.spec, c))
                    .collect();
                let runs =
                    p.pod.spec.containers.iter().find_map(|c| {
                        Component::from_words(c.command.iter().chain(&c.args).map(String::as_str))
                    });
                StaticPod {
                    component,
                    dir: if dir.is_empty() {
                        "/".into()
                    } else {
                        dir.to_string()
                    },
                    file: file.to_string(),
                    loads,
                    runs,
                }
            })
            .collect();
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out.dedup_by(|a, b| a.file == b.file && a.dir == b.dir);
    out
}

/// The node's own apiserver and etcd, from the flags of its static pods.
pub fn servers(snap: &Snapshot, node: usize) -> Servers {
    let mut out = Servers::default();
    for p in snap
        .pods
        .iter()
        .filter(|p| p.origin == PodOrigin::StaticManifest && p.node == Some(node))
    {
        for c in &p.pod.spec.containers {
            let flags = c.flags();
            match Component::from_words(c.command.iter().chain(&c.args).map(String::as_str)) {
                Some(Component::Apiserver) if out.apiserver.is_none() => {
                    // The flags take IP addresses: a name here is not the apiserver's and must
                    // not steer a verify line to another host (hostile round 9, case 04).
                    let specific =
                        |a: &&String| a.parse::<std::net::IpAddr>().is_ok_and(|ip| !ip.is_unspecified());
                    let host = flags
                        .get("advertise-address")
                        .filter(specific)
                        .or_else(|| flags.get("bind-address").filter(specific));
                    let port = flags
                        .get("secure-port")
                        .filter(|p| p.parse::<u16>().is_ok_and(|n| n > 0))
                        .map_or("6443", String::as_str);
                    out.apiserver = host.map(|h| {
                        if h.contains(':') {
                            format!("[{h}]:{port}")
                        } else {
                            format!("{h}:{port}")
                        }
                    });
                }
                Some(Component::Etcd) if out.etcd_url.is_none() => {
                    // An IP address or localhost only (the node's own member), and the etcd CA
                    // under kubeadm's PKI folder: a manifest cannot point the health check at
                    // another host or make it trust the system's public CAs (hostile round 9).
                    out.etcd_url = flags.get("advertise-client-urls").and_then(|urls| {
                        urls.split(',')
                            .map(str::trim)
                            .find(|u| {
                                u.strip_prefix("https://")
                                    .and_then(|r| r.rsplit_once(':'))
                                    .is_some_and(|(h, _)| {
                                        h == "localhost"
                                            || h.trim_start_matches('[')
                                                .trim_end_matches(']')
                                                .parse::<std::net::IpAddr>()
                                                .is_ok()
                                    })
                            })
                            .map(str::to_string)
                    });
                    out.etcd_ca = flags
                        .get("trusted-ca-file")
                        .and_then(|f| host_path(&p.pod.spec, c, f))
                        .filter(|f| f.starts_with("/etc/kubernetes/pki/"));
                }
                _ => {}
            }
        }
    }
    out
}

/// The node paths a container's flags name: each absolute path in a flag's value (lists
/// split at commas), mapped through the container's hostPath mounts.
fn loaded_paths(spec: &PodSpec, c: &Container) -> BTreeSet<String> {
    c.flags()
        .values()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| v.starts_with('/'))
        .filter_map(|v| host_path(spec, c, v))
        .collect()
}

/// The node path behind a path inside the container, through its longest hostPath mount.
fn host_path(spec: &PodSpec, c: &Container, path: &str) -> Option<String> {
    let m = c
        .volume_mounts
        .iter()
        .filter(|m| {
            let mp = m.mount_path.trim_end_matches('/');
            !mp.is_empty() && (path == mp || path.starts_with(&format!("{mp}/")))
        })
        .max_by_key(|m| m.mount_path.len())?;
    let hp = spec
        .volumes
        .iter()
        .find(|v| v.name == m.name)?
        .host_path
        .as_ref()?;
    let rest = path[m.mount_path.trim_end_matches('/').len()..].trim_start_matches('/');
    let mut base = hp.path.trim_end_matches('/').to_string();
    if !m.sub_path.is_empty() {
        base = format!("{base}/{}", m.sub_path.trim_matches('/'));
    }
    Some(if rest.is_empty() {
        base
    } else {
        format!("{base}/{rest}")
    })
}

/// The node files kubeadm's certificate `name` (as `kubeadm certs renew` spells it) is
/// written to: a kubeconfig, or a certificate and its key.
pub fn kubeadm_files(name: &str) -> Vec<String> {
    if name.ends_with(".conf") {
        return vec![format!("/etc/kubernetes/{name}")];
    }
    let stem = match name.strip_prefix("etcd-") {
        Some(rest) => format!("etcd/{rest}"),
        None => name.to_string(),
    };
    ["crt", "key"]
        .iter()
        .map(|ext| format!("/etc/kubernetes/pki/{stem}.{ext}"))
        .collect()
}

/// kubeadm's own static pods and the certificates each loads, for a node whose manifests
/// the bundle lacks (kubeadm's defaults; `etcd-healthcheck-client`, `admin.conf` and
/// `super-admin.conf` are loaded by no static pod).
pub fn kubeadm_default_pods() -> Vec<StaticPod> {
    let pods: BTreeMap<&str, &[&str]> = BTreeMap::from([
        (
            "kube-apiserver",
            &[
                "apiserver",
                "apiserver-kubelet-client",
                "apiserver-etcd-client",
                "front-proxy-client",
            ][..],
        ),
        ("kube-controller-manager", &["controller-manager.conf"][..]),
        ("kube-scheduler", &["scheduler.conf"][..]),
        ("etcd", &["etcd-server", "etcd-peer"][..]),
    ]);
    pods.into_iter()
        .map(|(component, certs)| StaticPod {
            component: component.to_string(),
            dir: KUBEADM_MANIFESTS.to_string(),
            file: format!("{component}.yaml"),
            loads: certs.iter().flat_map(|c| kubeadm_files(c)).collect(),
            runs: Component::from_words([component]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeadm_names_map_to_their_files() {
        assert_eq!(
            kubeadm_files("etcd-server"),
            [
                "/etc/kubernetes/pki/etcd/server.crt",
                "/etc/kubernetes/pki/etcd/server.key"
            ]
        );
        assert_eq!(kubeadm_files("admin.conf"), ["/etc/kubernetes/admin.conf"]);
        let pods = kubeadm_default_pods();
        let loading = |f: &str| -> Vec<&str> {
            pods.iter()
                .filter(|p| p.loads.contains(f))
                .map(|p| p.component.as_str())
                .collect()
        };
        assert_eq!(
            loading("/etc/kubernetes/pki/front-proxy-client.crt"),
            ["kube-apiserver"]
        );
        assert!(loading("/etc/kubernetes/pki/etcd/healthcheck-client.crt").is_empty());
    }
}
