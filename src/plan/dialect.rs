//! Which distribution's words a fix step speaks on each node: the node's detected layout,
//! its Kubernetes version where commands changed (`kubeadm alpha certs` before 1.20,
//! `super-admin.conf` from 1.29), whether a rancher node is a server or an agent, and the
//! variables the distribution's own steps need (`kubeadm_cert`, `service`, `backup_dir`).

use std::collections::{BTreeMap, BTreeSet};

use crate::bundle::distro::{Layout, Role};
use crate::facts::config::Component;
use crate::model::shell;
use crate::plan::runs::{self, Servers, StaticPod};
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
    /// The static pods found in the node's manifest folder (empty: none collected).
    pub static_pods: Vec<StaticPod>,
    /// The node's own apiserver and etcd.
    pub servers: Servers,
    /// kubeadm CA keys (`etcd/ca.key`, …) whose certificate the node holds but whose key it
    /// lacks although the bundle holds its other private keys (kubeadm's HA etcd guide keeps
    /// the etcd CA key on one host), each with the nodes that hold it.
    pub missing_ca_keys: Vec<(String, Vec<String>)>,
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
                    static_pods: runs::static_pods(snap, i),
                    servers: runs::servers(snap, i),
                    missing_ca_keys: if layout == Layout::Kubeadm {
                        missing_ca_keys(snap, i)
                    } else {
                        Vec::new()
                    },
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
                        ..NodeFacts::default()
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
                server: true,
                ..NodeFacts::default()
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

/// kubeadm's name for a file it manages (`/etc/kubernetes/pki/etcd/server.crt` →
/// `etcd-server`, `/etc/kubernetes/admin.conf` → `admin.conf`); CAs and other files: none.
pub fn kubeadm_cert(path: &str) -> Option<String> {
    let name = if let Some(rest) = path.strip_prefix("/etc/kubernetes/pki/") {
        rest.strip_suffix(".crt")?.replace("etcd/", "etcd-")
    } else {
        path.strip_prefix("/etc/kubernetes/")?.to_string()
    };
    crate::facts::usage::is_kubeadm_cert(&name).then_some(name)
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
/// (system:masters) beside `admin.conf` (kubeadm:cluster-admins) and `renew all` renews both.
/// `renewed` holds what the step renews on the node (`all` for `kubeadm certs renew all`).
pub fn version_notes(step: &str, facts: &NodeFacts, renewed: &BTreeSet<String>) -> Vec<String> {
    let super_admin = renewed.contains("all") || renewed.contains("super-admin.conf");
    match (step, facts.layout, facts.version) {
        ("kubeadm-certs-renew", Layout::Kubeadm, Some(v)) if v >= (1, 29) && super_admin => vec![
            "# kubeadm 1.29+: admin.conf is bound to kubeadm:cluster-admins; super-admin.conf (system:masters) is renewed too: keep it off shared machines".into(),
        ],
        _ => Vec::new(),
    }
}

/// kubeadm's CA key files, under `/etc/kubernetes/pki/`.
const KUBEADM_CA_KEYS: &[&str] = &["ca.key", "etcd/ca.key", "front-proxy-ca.key"];

/// The kubeadm CA keys node `i` lacks (see [`NodeFacts::missing_ca_keys`]): judged only when
/// the bundle holds the CA's certificate and another private key in the node's pki folder
/// (a bundle without keys says nothing about one key).
fn missing_ca_keys(snap: &crate::snapshot::Snapshot, i: usize) -> Vec<(String, Vec<String>)> {
    let Some(node) = snap.nodes.get(i) else {
        return Vec::new();
    };
    let pki = format!("{}etc/kubernetes/pki/", node.root);
    let has = |p: &str| snap.files.contains_key(&format!("{pki}{p}"));
    let keys_collected = snap
        .files
        .range(pki.clone()..)
        .take_while(|(p, _)| p.starts_with(&pki))
        .any(|(p, _)| p.ends_with(".key") && !KUBEADM_CA_KEYS.iter().any(|k| p.ends_with(&format!("/{k}"))));
    if !keys_collected {
        return Vec::new();
    }
    KUBEADM_CA_KEYS
        .iter()
        .filter(|k| !has(k) && has(&k.replace(".key", ".crt")))
        .map(|k| {
            let holders = snap
                .nodes
                .iter()
                .filter(|n| {
                    snap.files
                        .contains_key(&format!("{}etc/kubernetes/pki/{k}", n.root))
                })
                .map(|n| n.name.clone())
                .collect();
            ((*k).to_string(), holders)
        })
        .collect()
}

/// The CA key a kubeadm certificate name is signed with (`all`: every one).
fn ca_key_of(cert: &str) -> &'static str {
    if cert.starts_with("etcd-") || cert == "apiserver-etcd-client" {
        "etcd/ca.key"
    } else if cert == "front-proxy-client" {
        "front-proxy-ca.key"
    } else {
        "ca.key"
    }
}

/// `kubeadm certs renew` signs with the CA key on the node itself; where the node lacks it,
/// the renewal lines become comments under a note saying where to make the certificates
/// (kubeadm's HA etcd guide: on the host holding the CA key, with that node's kubeadm config,
/// then copied over). Returns the note and the lines, rewritten.
pub fn without_ca_key(
    step: &str,
    facts: &NodeFacts,
    renewed: &BTreeSet<String>,
    main: Vec<String>,
) -> Vec<String> {
    if step != "kubeadm-certs-renew" || facts.layout != Layout::Kubeadm {
        return main;
    }
    let needed: BTreeSet<&str> = if renewed.contains("all") {
        KUBEADM_CA_KEYS.iter().copied().collect()
    } else {
        renewed.iter().map(|c| ca_key_of(c)).collect()
    };
    let missing: Vec<&(String, Vec<String>)> = facts
        .missing_ca_keys
        .iter()
        .filter(|(k, _)| needed.contains(k.as_str()))
        .collect();
    if missing.is_empty() {
        return main;
    }
    let mut out = Vec::new();
    for (key, holders) in &missing {
        let at = match holders.as_slice() {
            [] => "the host that holds it".to_string(),
            hs => hs
                .iter()
                .map(|h| shell::comment_text(h))
                .collect::<Vec<_>>()
                .join(" or "),
        };
        out.push(format!(
            "# this node holds no /etc/kubernetes/pki/{key} (kubeadm's HA etcd guide keeps a CA key on one host), so `kubeadm certs renew` fails here: make this node's certificates on {at} with this node's kubeadm config (`kubeadm init phase certs <cert> --config <its kubeadmcfg.yaml>`), copy the .crt/.key pairs to the same paths here, then go on below"
        ));
    }
    out.extend(main.into_iter().map(|l| {
        if l.starts_with("kubeadm certs renew ") {
            format!("# {l}   # needs the CA key: done on the key's host instead (above)")
        } else {
            l
        }
    }));
    out
}

/// The static pods a kubeadm command on this node can count on: the ones the bundle shows,
/// else kubeadm's own four (with `true`: assumed, not seen).
fn pods_of(facts: &NodeFacts) -> (Vec<StaticPod>, bool) {
    if facts.static_pods.is_empty() {
        (runs::kubeadm_default_pods(), true)
    } else {
        (facts.static_pods.clone(), false)
    }
}

/// The variables [`kubeadm_node_vars`] fills for each node a step acts on.
pub const NODE_VARS: &[&str] = &[
    "restart_command",
    "admin_command",
    "readyz_command",
    "etcd_health_command",
    "etcd_cluster_command",
];

/// The lines a kubeadm renewal runs on one node, from everything it renews there
/// (`renewed`: kubeadm's names, `all` for `kubeadm certs renew all`) and what the node runs:
/// `restart_command` restarts only the static pods whose flags name a renewed file;
/// `admin_command` refreshes `~/.kube/config` only when admin.conf was renewed;
/// `readyz_command` asks this node's own apiserver (its advertise address), never the load
/// balancer in front of several; `etcd_health_command` / `etcd_cluster_command` ask this
/// node's etcd member. A line the node has no use for is empty (left out of the plan).
pub fn kubeadm_node_vars(
    renewed: &BTreeSet<String>,
    node: Option<&str>,
    facts: &NodeFacts,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if renewed.is_empty() {
        return out;
    }
    let all = renewed.contains("all");
    let (pods, assumed) = pods_of(facts);
    let files: BTreeSet<String> = renewed.iter().flat_map(|n| runs::kubeadm_files(n)).collect();
    let restart: Vec<&StaticPod> = pods
        .iter()
        .filter(|p| all || !p.loads.is_disjoint(&files))
        .collect();
    let names = renewed.iter().cloned().collect::<Vec<_>>().join(", ");
    out.insert("restart_command".into(), restart_line(&restart, &names, assumed));
    let runs_apiserver = pods.iter().any(|p| p.runs == Some(Component::Apiserver));
    let runs_etcd = pods.iter().any(|p| p.runs == Some(Component::Etcd));
    let admin = renewed.contains("admin.conf") || (all && runs_apiserver);
    out.insert(
        "admin_command".into(),
        if admin {
            "mkdir -p \"$HOME/.kube\" && cp /etc/kubernetes/admin.conf \"$HOME/.kube/config\"   # refresh the admin kubeconfig; replace every copy of admin.conf kept elsewhere too".into()
        } else {
            String::new()
        },
    );
    let on = node
        .map(|n| format!(" on {}", shell::comment_text(n)))
        .unwrap_or_default();
    out.insert(
        "readyz_command".into(),
        if runs_apiserver {
            readyz_line(&facts.servers, &on)
        } else {
            String::new()
        },
    );
    let (health, cluster) = if runs_etcd {
        (
            etcd_line(&facts.servers, false, &on),
            etcd_line(&facts.servers, true, &on),
        )
    } else {
        (String::new(), String::new())
    };
    out.insert("etcd_health_command".into(), health);
    out.insert("etcd_cluster_command".into(), cluster);
    out
}

/// Moves the manifests of `pods` out of their folder and back (the kubelet stops each pod
/// and starts it again), or says that nothing loads the renewed files.
fn restart_line(pods: &[&StaticPod], names: &str, assumed: bool) -> String {
    if pods.is_empty() {
        return format!(
            "# no static pod on this node loads {}: nothing to restart",
            shell::comment_text(names)
        );
    }
    const PARK: &str = "/root/kubetriage-manifests";
    let out: Vec<String> = pods
        .iter()
        .map(|p| format!("{}/{}", p.dir.trim_end_matches('/'), p.file))
        .collect();
    let back: Vec<Option<String>> = pods
        .iter()
        .map(|p| {
            shell::join([
                "mv",
                &format!("{PARK}/{}", p.file),
                &format!("{}/", p.dir.trim_end_matches('/')),
            ])
        })
        .collect();
    let first = shell::join(
        ["mv"]
            .into_iter()
            .chain(out.iter().map(String::as_str))
            .chain([&*format!("{PARK}/")]),
    );
    let (Some(first), Some(back)) = (first, back.into_iter().collect::<Option<Vec<_>>>()) else {
        return shell::check_by_hand("a static pod manifest", shell::Kind::Path);
    };
    let components = pods
        .iter()
        .map(|p| p.component.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let whose = if assumed {
        " (kubeadm's defaults: the node's manifests were not collected)"
    } else {
        ""
    };
    format!(
        "mkdir -p {PARK} && {first} && sleep 20 && {}   # restart {}: the static pods that load the renewed files{whose}",
        back.join(" && "),
        shell::comment_text(&components)
    )
}

/// `kubectl get --raw /readyz` against this node's own apiserver.
fn readyz_line(s: &Servers, on: &str) -> String {
    let server = s
        .apiserver
        .as_deref()
        .filter(|a| {
            let host = a.rsplit_once(':').map_or(*a, |(h, _)| h);
            shell::valid(
                shell::Kind::Host,
                host.trim_start_matches('[').trim_end_matches(']'),
            )
        })
        .and_then(|a| shell::quote(&format!("https://{a}")));
    match server {
        Some(url) => format!(
            "kubectl --kubeconfig /etc/kubernetes/admin.conf --server {url} get --raw /readyz   # the apiserver{on} itself, not a load balancer in front of several"
        ),
        None => format!(
            "kubectl --kubeconfig /etc/kubernetes/admin.conf --server https://127.0.0.1:6443 --tls-server-name kubernetes get --raw /readyz   # the apiserver{on} itself (its address is not in the bundle), not a load balancer"
        ),
    }
}

/// `etcdctl endpoint health` against this node's own etcd member (`--cluster`: every member
/// it lists).
fn etcd_line(s: &Servers, cluster: bool, on: &str) -> String {
    let url = s
        .etcd_url
        .as_deref()
        .filter(|u| {
            u.strip_prefix("https://")
                .and_then(|r| r.rsplit_once(':'))
                .is_some_and(|(h, p)| {
                    p.parse::<u16>().is_ok()
                        && shell::valid(shell::Kind::Host, h.trim_start_matches('[').trim_end_matches(']'))
                })
        })
        .unwrap_or("https://127.0.0.1:2379");
    let ca = s
        .etcd_ca
        .as_deref()
        .filter(|c| shell::valid(shell::Kind::Path, c))
        .unwrap_or("/etc/kubernetes/pki/etcd/ca.crt");
    let what = if cluster { " --cluster" } else { "" };
    let (Some(url), Some(ca)) = (shell::quote(url), shell::quote(ca)) else {
        return shell::check_by_hand("etcd's client URL", shell::Kind::Host);
    };
    // kubeadm installs no etcdctl on the host: the etcd static pod's image has it, and its
    // container mounts /etc/kubernetes/pki/etcd at the same path.
    format!(
        "crictl exec \"$(crictl ps -q --name '^etcd$' | head -n1)\" etcdctl --endpoints={url} --cacert={ca} --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key endpoint health{what}   # the etcd member{on}{}, with the etcdctl of its own container",
        if cluster { " and every member it knows" } else { "" }
    )
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
            ..NodeFacts::default()
        };
        assert_eq!(
            versioned("kubeadm certs renew all", &old),
            "kubeadm alpha certs renew all"
        );
    }

    /// kubeadm 1.29+ renews super-admin.conf only with `renew all` (or by name): renewing one
    /// serving certificate says nothing about it (newuser4 L1).
    #[test]
    fn the_super_admin_note_follows_what_is_renewed() {
        let facts = NodeFacts {
            layout: Layout::Kubeadm,
            version: Some((1, 30)),
            ..NodeFacts::default()
        };
        let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
        assert!(version_notes("kubeadm-certs-renew", &facts, &set(&["front-proxy-client"])).is_empty());
        assert_eq!(
            version_notes("kubeadm-certs-renew", &facts, &set(&["all"])).len(),
            1
        );
        // An external etcd host: nothing loads admin.conf there, and only etcd restarts.
        let etcd = NodeFacts {
            static_pods: vec![StaticPod {
                component: "etcd".into(),
                dir: "/etc/kubernetes/manifests".into(),
                file: "etcd.yaml".into(),
                loads: runs::kubeadm_files("etcd-server").into_iter().collect(),
                runs: Some(Component::Etcd),
            }],
            ..facts
        };
        let v = kubeadm_node_vars(&set(&["etcd-server"]), Some("etcd-2"), &etcd);
        assert!(v["restart_command"].contains("# restart etcd:"), "{v:#?}");
        assert_eq!(v["admin_command"], "");
        assert_eq!(v["readyz_command"], "");
        assert!(
            v["etcd_health_command"].contains("--endpoints=https://127.0.0.1:2379"),
            "{v:#?}"
        );
    }

    /// A k3s/RKE2 node whose role the bundle does not prove: the restarting step says which
    /// role it assumed and what to use on the other; a proven role needs no note.
    #[test]
    fn an_unproven_rancher_role_is_said() {
        let cmds = vec!["systemctl stop rke2-agent".to_string()];
        let mut facts = NodeFacts {
            layout: Layout::Rke2,
            ..NodeFacts::default()
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
