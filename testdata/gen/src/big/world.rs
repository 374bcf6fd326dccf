//! The cluster the large logs describe: nodes with addresses and process ids, the pods on
//! each node (names, UIDs, container ids, images, IPs) and the services. Built once from the
//! seed and shared read-only by the per-file generators, so the kubelet, etcd and apiserver
//! logs of one bundle name the same objects.

use super::text::{Rng, hex_string, suffix, uuid_string};

/// Kubernetes version the components report (user agents, images).
pub const VERSION: &str = "v1.26.11";
/// Git commit in Kubernetes user agents.
pub const COMMIT: &str = "3cd242c51317aed8858119529ccab22079f523b1";

/// One node: its name, address, pod subnet and the ids its daemons run under.
pub struct Node {
    /// `node-N`.
    pub name: String,
    /// Node address, `10.0.0.(11+N)`.
    pub ip: [u8; 4],
    /// Third octet of its pod subnet `10.244.X.0/24`.
    pub subnet: u8,
    /// The kubelet's pid (journald) and klog thread id.
    pub kubelet_pid: u32,
    /// etcd member id (16 hex digits).
    pub member_id: String,
}

/// A container of a pod.
#[derive(Clone)]
pub struct Ctr {
    /// Container name.
    pub name: String,
    /// Current container id (64 hex digits).
    pub id: String,
    /// Index into [`Cluster::images`].
    pub image: usize,
    /// Port its probes hit.
    pub port: u16,
}

/// A pod scheduled on a node.
#[derive(Clone)]
pub struct Pod {
    /// Namespace.
    pub ns: &'static str,
    /// Pod name (`web-7d9f8b6c5d-x2k4p`, `etcd-node-0`, `redis-1`).
    pub name: String,
    /// Pod UID (a UUID, or a config hash for static pods).
    pub uid: String,
    /// Pod IP (the node's address for host-network pods).
    pub ip: [u8; 4],
    /// Containers.
    pub ctrs: Vec<Ctr>,
    /// Sandbox id (64 hex digits).
    pub sandbox: String,
    /// Index into [`WORKLOADS`].
    pub workload: usize,
    /// Suffix of its projected service-account volume (`kube-api-access-<5>`).
    pub vol: String,
}

/// A container image with its digest.
pub struct Image {
    /// Reference (`registry.k8s.io/etcd:3.5.6-0`).
    pub name: &'static str,
    /// Repository without tag, for the `imageID`.
    pub repo: &'static str,
    /// sha256 digest, 64 hex digits.
    pub digest: String,
}

/// A Service with its cluster IP.
pub struct Service {
    /// Namespace.
    pub ns: &'static str,
    /// Name.
    pub name: &'static str,
    /// Cluster IP in 10.96.0.0/12.
    pub ip: [u8; 4],
}

/// The whole cluster.
pub struct Cluster {
    /// Nodes (all control-plane nodes: each runs etcd and an apiserver).
    pub nodes: Vec<Node>,
    /// Pods per node.
    pub pods: Vec<Vec<Pod>>,
    /// Images by index.
    pub images: Vec<Image>,
    /// Services.
    pub services: Vec<Service>,
    /// Each workload's replica-set hash (the middle of a Deployment's pod names).
    pub hashes: Vec<String>,
}

/// How a workload names its pods.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    /// `<name>-<node>`, host network, config-hash UID.
    Static,
    /// `<name>-<5>`, one per node.
    DaemonSet,
    /// `<name>-<10>-<5>`.
    Deployment,
    /// `<name>-<ordinal>`.
    StatefulSet,
    /// `<name>-<8 digits>-<5>` (CronJob runs).
    Job,
}

/// A workload template: namespace, name, kind, pods per node, host network,
/// containers (name, image, port).
pub struct Workload {
    /// Namespace.
    pub ns: &'static str,
    /// Workload name.
    pub name: &'static str,
    /// How its pods are named.
    pub kind: Kind,
    /// Pods on each node.
    pub per_node: u8,
    /// Runs in the host's network namespace.
    pub host: bool,
    /// Containers: (name, image index, port).
    pub ctrs: &'static [(&'static str, usize, u16)],
}

/// Images: (reference, repository).
const IMAGES: &[(&str, &str)] = &[
    ("registry.k8s.io/etcd:3.5.6-0", "registry.k8s.io/etcd"),
    (
        "registry.k8s.io/kube-apiserver:v1.26.11",
        "registry.k8s.io/kube-apiserver",
    ),
    (
        "registry.k8s.io/kube-controller-manager:v1.26.11",
        "registry.k8s.io/kube-controller-manager",
    ),
    (
        "registry.k8s.io/kube-scheduler:v1.26.11",
        "registry.k8s.io/kube-scheduler",
    ),
    (
        "registry.k8s.io/kube-proxy:v1.26.11",
        "registry.k8s.io/kube-proxy",
    ),
    ("docker.io/flannel/flannel:v0.22.3", "docker.io/flannel/flannel"),
    (
        "registry.k8s.io/coredns/coredns:v1.9.3",
        "registry.k8s.io/coredns/coredns",
    ),
    (
        "quay.io/prometheus/node-exporter:v1.6.1",
        "quay.io/prometheus/node-exporter",
    ),
    (
        "cr.fluentbit.io/fluent/fluent-bit:2.1.10",
        "cr.fluentbit.io/fluent/fluent-bit",
    ),
    ("docker.io/library/nginx:1.25.3", "docker.io/library/nginx"),
    (
        "registry.example.com/shop/api:4.12.0",
        "registry.example.com/shop/api",
    ),
    (
        "registry.example.com/shop/checkout:2.3.1",
        "registry.example.com/shop/checkout",
    ),
    (
        "registry.example.com/shop/cart:2.3.1",
        "registry.example.com/shop/cart",
    ),
    (
        "registry.example.com/shop/catalog:1.9.4",
        "registry.example.com/shop/catalog",
    ),
    (
        "registry.example.com/shop/payments:3.0.2",
        "registry.example.com/shop/payments",
    ),
    (
        "registry.example.com/shop/search:1.4.0",
        "registry.example.com/shop/search",
    ),
    ("docker.io/library/redis:7.2.3", "docker.io/library/redis"),
    ("docker.io/library/postgres:15.5", "docker.io/library/postgres"),
    (
        "quay.io/prometheus/prometheus:v2.47.2",
        "quay.io/prometheus/prometheus",
    ),
    (
        "registry.k8s.io/metrics-server/metrics-server:v0.6.4",
        "registry.k8s.io/metrics-server/metrics-server",
    ),
    ("docker.io/traefik:v2.10.5", "docker.io/traefik"),
    ("docker.io/envoyproxy/envoy:v1.28.0", "docker.io/envoyproxy/envoy"),
    (
        "registry.example.com/ops/backup:1.2.0",
        "registry.example.com/ops/backup",
    ),
    ("docker.io/bitnami/kafka:3.6.0", "docker.io/bitnami/kafka"),
];

/// The workloads of the cluster.
pub const WORKLOADS: &[Workload] = &[
    w("kube-system", "etcd", Kind::Static, 1, true, &[("etcd", 0, 2381)]),
    w(
        "kube-system",
        "kube-apiserver",
        Kind::Static,
        1,
        true,
        &[("kube-apiserver", 1, 6443)],
    ),
    w(
        "kube-system",
        "kube-controller-manager",
        Kind::Static,
        1,
        true,
        &[("kube-controller-manager", 2, 10257)],
    ),
    w(
        "kube-system",
        "kube-scheduler",
        Kind::Static,
        1,
        true,
        &[("kube-scheduler", 3, 10259)],
    ),
    w(
        "kube-system",
        "kube-proxy",
        Kind::DaemonSet,
        1,
        true,
        &[("kube-proxy", 4, 10256)],
    ),
    w(
        "kube-flannel",
        "kube-flannel-ds",
        Kind::DaemonSet,
        1,
        true,
        &[("kube-flannel", 5, 0)],
    ),
    w(
        "monitoring",
        "node-exporter",
        Kind::DaemonSet,
        1,
        true,
        &[("node-exporter", 7, 9100)],
    ),
    w(
        "logging",
        "fluent-bit",
        Kind::DaemonSet,
        1,
        false,
        &[("fluent-bit", 8, 2020)],
    ),
    w(
        "kube-system",
        "coredns",
        Kind::Deployment,
        1,
        false,
        &[("coredns", 6, 8181)],
    ),
    w(
        "kube-system",
        "metrics-server",
        Kind::Deployment,
        1,
        false,
        &[("metrics-server", 19, 10250)],
    ),
    w(
        "kube-system",
        "traefik",
        Kind::Deployment,
        1,
        false,
        &[("traefik", 20, 9000)],
    ),
    w("shop", "web", Kind::Deployment, 3, false, &[("nginx", 9, 8080)]),
    w(
        "shop",
        "api",
        Kind::Deployment,
        3,
        false,
        &[("api", 10, 8080), ("envoy", 21, 9901)],
    ),
    w(
        "shop",
        "checkout",
        Kind::Deployment,
        2,
        false,
        &[("checkout", 11, 8080), ("envoy", 21, 9901)],
    ),
    w("shop", "cart", Kind::Deployment, 2, false, &[("cart", 12, 8080)]),
    w(
        "shop",
        "catalog",
        Kind::Deployment,
        2,
        false,
        &[("catalog", 13, 8080)],
    ),
    w(
        "shop",
        "payments",
        Kind::Deployment,
        1,
        false,
        &[("payments", 14, 8443), ("envoy", 21, 9901)],
    ),
    w(
        "shop",
        "search",
        Kind::Deployment,
        2,
        false,
        &[("search", 15, 9200)],
    ),
    w(
        "shop",
        "redis",
        Kind::StatefulSet,
        1,
        false,
        &[("redis", 16, 6379)],
    ),
    w(
        "shop",
        "postgres",
        Kind::StatefulSet,
        1,
        false,
        &[("postgres", 17, 5432)],
    ),
    w(
        "data",
        "kafka",
        Kind::StatefulSet,
        1,
        false,
        &[("kafka", 23, 9092)],
    ),
    w(
        "monitoring",
        "prometheus-k8s",
        Kind::StatefulSet,
        1,
        false,
        &[("prometheus", 18, 9090)],
    ),
    w("ops", "backup", Kind::Job, 1, false, &[("backup", 22, 0)]),
];

const fn w(
    ns: &'static str,
    name: &'static str,
    kind: Kind,
    per_node: u8,
    host: bool,
    ctrs: &'static [(&'static str, usize, u16)],
) -> Workload {
    Workload {
        ns,
        name,
        kind,
        per_node,
        host,
        ctrs,
    }
}

/// Service names that get cluster IPs (namespace, name).
const SERVICES: &[(&str, &str)] = &[
    ("default", "kubernetes"),
    ("kube-system", "kube-dns"),
    ("kube-system", "metrics-server"),
    ("kube-system", "traefik"),
    ("shop", "web"),
    ("shop", "api"),
    ("shop", "checkout"),
    ("shop", "cart"),
    ("shop", "catalog"),
    ("shop", "payments"),
    ("shop", "search"),
    ("shop", "redis"),
    ("shop", "postgres"),
    ("data", "kafka"),
    ("monitoring", "prometheus-k8s"),
    ("monitoring", "node-exporter"),
    ("logging", "fluent-bit"),
];

impl Cluster {
    /// A cluster of `nodes` control-plane nodes, deterministic for `rng`'s seed.
    pub fn new(nodes: usize, rng: &mut Rng) -> Cluster {
        let images = IMAGES
            .iter()
            .map(|(name, repo)| Image {
                name,
                repo,
                digest: hex_string(rng, 64),
            })
            .collect();
        let nodes: Vec<Node> = (0..nodes)
            .map(|n| Node {
                name: format!("node-{n}"),
                ip: [10, 0, 0, 11 + n as u8],
                subnet: n as u8,
                kubelet_pid: rng.range(600, 4000) as u32,
                member_id: hex_string(rng, 16),
            })
            .collect();
        // Replica-set hashes are per workload, shared by all nodes.
        let hashes: Vec<String> = WORKLOADS.iter().map(|_| suffix(rng, 10)).collect();
        let mut ordinal = vec![0u32; WORKLOADS.len()];
        let mut pods = Vec::new();
        for node in &nodes {
            let mut mine = Vec::new();
            let mut next_ip = 2u8;
            for (wi, wl) in WORKLOADS.iter().enumerate() {
                for _ in 0..wl.per_node {
                    let ip = if wl.host {
                        node.ip
                    } else {
                        next_ip += 1;
                        [10, 244, node.subnet, next_ip]
                    };
                    let name = pod_name(wl, &hashes[wi], &node.name, &mut ordinal[wi], rng);
                    mine.push(new_pod(wi, name, ip, rng));
                }
            }
            pods.push(mine);
        }
        let services = SERVICES
            .iter()
            .enumerate()
            .map(|(i, (ns, name))| Service {
                ns,
                name,
                ip: if i == 0 {
                    [10, 96, 0, 1]
                } else if i == 1 {
                    [10, 96, 0, 10]
                } else {
                    [
                        10,
                        96 + rng.below(16) as u8,
                        rng.below(256) as u8,
                        1 + rng.below(254) as u8,
                    ]
                },
            })
            .collect();
        Cluster {
            nodes,
            pods,
            images,
            services,
            hashes,
        }
    }
}

/// A pod name as its controller would make it.
pub fn pod_name(wl: &Workload, hash: &str, node: &str, ordinal: &mut u32, rng: &mut Rng) -> String {
    match wl.kind {
        Kind::Static => format!("{}-{node}", wl.name),
        Kind::DaemonSet => format!("{}-{}", wl.name, suffix(rng, 5)),
        Kind::Deployment => format!("{}-{hash}-{}", wl.name, suffix(rng, 5)),
        Kind::StatefulSet => {
            *ordinal += 1;
            format!("{}-{}", wl.name, *ordinal - 1)
        }
        Kind::Job => format!(
            "{}-{}-{}",
            wl.name,
            29_380_000 + rng.below(20_000),
            suffix(rng, 5)
        ),
    }
}

/// A fresh pod of workload `wi`: new UID, sandbox and container ids.
pub fn new_pod(wi: usize, name: String, ip: [u8; 4], rng: &mut Rng) -> Pod {
    let wl = &WORKLOADS[wi];
    let uid = if wl.kind == Kind::Static {
        hex_string(rng, 32)
    } else {
        uuid_string(rng)
    };
    Pod {
        ns: wl.ns,
        name,
        uid,
        ip,
        ctrs: wl
            .ctrs
            .iter()
            .map(|(n, image, port)| Ctr {
                name: (*n).to_string(),
                id: hex_string(rng, 64),
                image: *image,
                port: *port,
            })
            .collect(),
        sandbox: hex_string(rng, 64),
        workload: wi,
        vol: suffix(rng, 5),
    }
}

/// The name of the `res` object that goes with `pod` (its ReplicaSet, Service, Secret, …),
/// as an etcd key or a URI names it.
pub fn object_name(cluster: &Cluster, pod: &Pod, res: &str) -> String {
    let wl = &WORKLOADS[pod.workload];
    let hash = cluster.hashes.get(pod.workload).map_or("", String::as_str);
    match res {
        "serviceaccounts" => "default".to_string(),
        "configmaps" => "kube-root-ca.crt".to_string(),
        "secrets" => format!("{}-tls", wl.name),
        "deployments" | "services/endpoints" => wl.name.to_string(),
        "replicasets" => format!("{}-{hash}", wl.name),
        "endpointslices" => format!("{}-{}", wl.name, hash.get(..5).unwrap_or(hash)),
        _ => pod.name.clone(),
    }
}
