//! Which component wrote a log: from the pod log folder, the file name, or the journald
//! identifier of each line. Rules name components by the canonical names in [`KNOWN`].

/// Canonical component names and the aliases they are printed under, most specific first
/// (so that `cloud-controller-manager` is not read as `controller-manager`).
pub const KNOWN: &[(&str, &[&str])] = &[
    ("cloud-controller-manager", &["cloud-controller-manager"]),
    (
        "kube-controller-manager",
        &["kube-controller-manager", "controller-manager"],
    ),
    ("kube-apiserver", &["kube-apiserver", "apiserver"]),
    ("kube-scheduler", &["kube-scheduler", "scheduler"]),
    ("kube-proxy", &["kube-proxy"]),
    // OpenShift 4's journald identifier is `kubenswrapper` (`hyperkube` before 4.11).
    (
        "kubelet",
        &["kubelet-wrapper", "kubenswrapper", "kubelet", "hyperkube"],
    ),
    ("etcd", &["etcd-member", "etcd-wrapper", "etcd"]),
    ("flannel", &["kube-flannel", "flanneld", "flannel"]),
    ("coredns", &["coredns", "kube-dns", "kubedns", "dnsmasq"]),
    ("traefik", &["traefik"]),
    ("cert-manager", &["cert-manager"]),
    ("external-dns", &["external-dns"]),
    ("containerd", &["containerd"]),
    ("crio", &["crio", "cri-o"]),
    ("docker", &["dockerd", "docker"]),
    ("kernel", &["kernel"]),
];

/// Whether `name` is a canonical component name (what rules' `components:` may list).
pub fn is_known(name: &str) -> bool {
    name == "any" || KNOWN.iter().any(|(c, _)| *c == name)
}

/// The canonical name for an identifier that is exactly an alias (`kubelet-wrapper`,
/// `etcd-member.service`), ignoring case and a `.service` suffix.
pub fn canonical(ident: &str) -> Option<&'static str> {
    let ident = ident.strip_suffix(".service").unwrap_or(ident);
    KNOWN
        .iter()
        .find(|(_, aliases)| aliases.iter().any(|a| a.eq_ignore_ascii_case(ident)))
        .map(|(c, _)| *c)
}

/// The canonical name whose alias occurs in `text` (a file name, a pod name).
fn containing(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    KNOWN
        .iter()
        .find(|(_, aliases)| aliases.iter().any(|a| lower.contains(a)))
        .map(|(c, _)| *c)
}

/// Where a container's log says it came from: namespace (when the path names it), pod and
/// container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodLog<'a> {
    /// The pod's namespace.
    pub namespace: Option<&'a str>,
    /// The pod's name.
    pub pod: &'a str,
    /// The container's name (the pod's for `logs.txt`, which names none).
    pub container: &'a str,
}

/// The pod and container of a container log path: CRI
/// `pods/<ns>_<pod>_<uid>/<container>/0.log`, must-gather
/// `namespaces/<ns>/pods/<pod>/<container>/<container>/logs/current.log`,
/// `containers/<pod>_<ns>_<container>-<id>.log`, cluster-info dump `<ns>/<pod>/logs.txt`,
/// troubleshoot `pods/logs/<ns>/<pod>/<container>.log`. `None` for a host's own logs.
pub fn pod_of(path: &str) -> Option<PodLog<'_>> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let n = segs.len();
    // must-gather: `namespaces/<ns>/pods/<pod>/<container>/…`, anchored on `namespaces`
    // (a namespace may itself be named `pods`).
    if let Some(i) = (0..n)
        .rev()
        .find(|&i| segs.get(i) == Some(&"namespaces") && segs.get(i + 2) == Some(&"pods") && n > i + 5)
    {
        return Some(PodLog {
            namespace: segs.get(i + 1).copied(),
            pod: segs.get(i + 3)?,
            container: segs.get(i + 4)?,
        });
    }
    let file = segs.last().copied().unwrap_or("");
    // CRI: `<ns>_<pod>_<uid>/<container>/<n>.log`, under `pods/` or a collector's folder.
    // The file is `<restart count>.log` (rotated: `0.log.20260101-…`); the uid is hex and
    // dashes.
    let cri_file = file
        .split_once(".log")
        .is_some_and(|(count, _)| !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()));
    if n >= 3 && cri_file {
        let mut parts = segs[n - 3].splitn(3, '_');
        if let (Some(ns), Some(pod), Some(uid)) = (parts.next(), parts.next(), parts.next()) {
            let under_pods = n >= 4 && segs[n - 4] == "pods";
            let uid_like =
                under_pods || !uid.is_empty() && uid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
            if !ns.is_empty() && !pod.is_empty() && uid_like {
                return Some(PodLog {
                    namespace: Some(ns),
                    pod,
                    container: segs[n - 2],
                });
            }
        }
    }
    // troubleshoot: `cluster-resources/pods/logs/<ns>/<pod>/<container>[-previous].log`.
    if n >= 5 && segs[n - 5] == "pods" && segs[n - 4] == "logs" {
        if let Some(stem) = file.strip_suffix(".log") {
            return Some(PodLog {
                namespace: Some(segs[n - 3]),
                pod: segs[n - 2],
                container: stem.strip_suffix("-previous").unwrap_or(stem),
            });
        }
    }
    if file == "logs.txt" && n >= 3 {
        let (ns, pod) = (segs[n - 3], segs[n - 2]);
        return Some(PodLog {
            namespace: Some(ns),
            pod,
            container: pod,
        });
    }
    if segs.iter().rev().nth(1) == Some(&"containers") {
        let stem = file.strip_suffix(".log").unwrap_or(file);
        let parts: Vec<&str> = stem.splitn(3, '_').collect();
        if let (Some(pod), Some(ns), Some(rest)) = (parts.first(), parts.get(1), parts.get(2)) {
            let container = rest.rsplit_once('-').map_or(*rest, |(c, _)| c);
            return Some(PodLog {
                namespace: Some(ns),
                pod,
                container,
            });
        }
    }
    None
}

/// Whether pods of namespace `ns` run the cluster's own components: the namespaces
/// Kubernetes and the distributions create for them (`kube-system`, `kube-flannel`, the CNI
/// and Rancher ones) and OpenShift's own ([`OPENSHIFT_SYSTEM`]). Any other `kube-…` name is
/// a tenant's choice, and so is any other `openshift-…` one: OpenShift forbids users that
/// prefix, but other clusters do not, so a tenant of a kind or kubeadm cluster may call a
/// namespace `openshift-payments` (hostile: its pod's log then spoke as the control plane).
/// A fixed list rather than "any `openshift-*` on an OpenShift bundle": the log scanner names
/// components from a path alone, with no view of the bundle's layout.
pub fn system_namespace(ns: &str) -> bool {
    OPENSHIFT_SYSTEM.contains(&ns)
        || matches!(
            ns,
            "kube-system"
                | "kube-flannel"
                | "kube-public"
                | "kube-node-lease"
                | "calico-system"
                | "tigera-operator"
                | "cattle-system"
        )
}

/// The namespaces OpenShift 4 itself creates for the control plane, its network, nodes and
/// core operators (`oc get ns` on a fresh cluster), not the ones of optional operators
/// (`openshift-operators`, `openshift-logging`), where third-party code runs.
pub const OPENSHIFT_SYSTEM: &[&str] = &[
    "openshift-apiserver",
    "openshift-apiserver-operator",
    "openshift-authentication",
    "openshift-authentication-operator",
    "openshift-cloud-controller-manager",
    "openshift-cloud-controller-manager-operator",
    "openshift-cloud-credential-operator",
    "openshift-cluster-machine-approver",
    "openshift-cluster-node-tuning-operator",
    "openshift-cluster-storage-operator",
    "openshift-cluster-version",
    "openshift-config-operator",
    "openshift-controller-manager",
    "openshift-controller-manager-operator",
    "openshift-dns",
    "openshift-dns-operator",
    "openshift-etcd",
    "openshift-etcd-operator",
    "openshift-image-registry",
    "openshift-infra",
    "openshift-ingress",
    "openshift-ingress-operator",
    "openshift-kni-infra",
    "openshift-kube-apiserver",
    "openshift-kube-apiserver-operator",
    "openshift-kube-controller-manager",
    "openshift-kube-controller-manager-operator",
    "openshift-kube-proxy",
    "openshift-kube-scheduler",
    "openshift-kube-scheduler-operator",
    "openshift-kube-storage-version-migrator",
    "openshift-kube-storage-version-migrator-operator",
    "openshift-machine-api",
    "openshift-machine-config-operator",
    "openshift-monitoring",
    "openshift-multus",
    "openshift-network-diagnostics",
    "openshift-network-node-identity",
    "openshift-network-operator",
    "openshift-node",
    "openshift-nutanix-infra",
    "openshift-oauth-apiserver",
    "openshift-openstack-infra",
    "openshift-ovirt-infra",
    "openshift-ovn-kubernetes",
    "openshift-sdn",
    "openshift-service-ca",
    "openshift-service-ca-operator",
    "openshift-vsphere-infra",
];

/// Components a tenant's pod cannot stand for: a container of another namespace named
/// `kubelet` or a pod named `etcd-backup` is that tenant's, not the cluster's.
const CORE: &[&str] = &[
    "kubelet",
    "kube-apiserver",
    "etcd",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-proxy",
    "cloud-controller-manager",
    "flannel",
    "coredns",
    "containerd",
    "crio",
    "docker",
    "kernel",
];

/// The component a log file belongs to, from its bundle path: a container log's container
/// (or pod) name, or a file name such as `kubelet.log` / `etcd-member.log`. A cluster
/// component's name from a pod of a non-system namespace is `<namespace>/<container>`
/// (hostile round 7). `None` when the path does not tell (`messages`, `syslog`,
/// `journal.log`): such a log is scanned with every rule and each line's journald identifier
/// names its component.
pub fn from_path(path: &str) -> Option<String> {
    if let Some(p) = pod_of(path) {
        let name = label(p.container, p.pod);
        return Some(match p.namespace {
            Some(ns) if CORE.contains(&name.as_str()) && !system_namespace(ns) => {
                format!("{ns}/{}", p.container)
            }
            _ => name,
        });
    }
    let file = path.rsplit('/').next().unwrap_or("");
    containing(file).map(str::to_string)
}

/// A container's component: its canonical name if the container or pod name tells, else the
/// container name as written.
fn label(container: &str, pod: &str) -> String {
    canonical(container)
        .or_else(|| containing(container))
        .or_else(|| containing(pod))
        .map_or_else(|| container.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tenant's pod stands for no cluster component, whatever its names say (hostile
    /// round 7): `tenant-a/kubelet`, `tenant-a/backup`; a system namespace's pod does.
    #[test]
    fn a_tenant_pod_is_no_cluster_component() {
        let c = |p: &str| from_path(p);
        assert_eq!(
            c("var/log/pods/tenant-a_kubelet-exporter-x1_0a1b/kubelet/0.log").as_deref(),
            Some("tenant-a/kubelet")
        );
        assert_eq!(
            c("var/log/pods/tenant-a_etcd-backup-7d9f_0a1b/backup/0.log").as_deref(),
            Some("tenant-a/backup")
        );
        assert_eq!(
            c("mg/img/namespaces/tenant-a/pods/etcd-0/etcd/etcd/logs/current.log").as_deref(),
            Some("tenant-a/etcd")
        );
        assert_eq!(
            c("dump/tenant-a/coredns-x/logs.txt").as_deref(),
            Some("tenant-a/coredns-x")
        );
        assert_eq!(
            c("sb/cluster-resources/pods/logs/tenant-a/etcd-0/etcd-previous.log").as_deref(),
            Some("tenant-a/etcd")
        );
        assert_eq!(
            c("sb/cluster-resources/pods/logs/kube-system/etcd-cp-1/etcd.log").as_deref(),
            Some("etcd")
        );
        assert_eq!(
            c("mg/img/namespaces/openshift-etcd/pods/etcd-m0/etcd/etcd/logs/current.log").as_deref(),
            Some("etcd")
        );
        // Only OpenShift's own `openshift-…` namespaces: another is a tenant's (any cluster
        // but OpenShift lets a tenant pick the name).
        assert_eq!(
            c("var/log/pods/openshift-payments_payments-apiserver-7d9f_0a1b/apiserver/0.log").as_deref(),
            Some("openshift-payments/apiserver")
        );
        // Not a cluster component: its own name wherever it runs.
        assert_eq!(
            c("var/log/pods/ingress_traefik-5d8f_0a1b/traefik/0.log").as_deref(),
            Some("traefik")
        );
        // A tenant namespace named `pods` (hostile round 8) or `kube-backup` is a tenant's.
        assert_eq!(
            c("mg/img/namespaces/pods/pods/etcd-backup-7d9f/backup/backup/logs/current.log").as_deref(),
            Some("pods/backup")
        );
        assert_eq!(
            c("var/log/pods/kube-backup_etcd-backup-7d9f_0a1b/backup/0.log").as_deref(),
            Some("kube-backup/backup")
        );
        // A collector's copy of the CRI folder under another name.
        assert_eq!(
            c("cp-2/kubeadm/podlogs/kube-system_kube-apiserver-cp-2_0485cd2a/kube-apiserver/0.log")
                .as_deref(),
            Some("kube-apiserver")
        );
        assert_eq!(
            pod_of("mg/img/namespaces/ns1/pods/p1/c1/c1/logs/current.log"),
            Some(PodLog {
                namespace: Some("ns1"),
                pod: "p1",
                container: "c1"
            })
        );
    }

    #[test]
    fn paths_name_components() {
        let c = |p: &str| from_path(p);
        assert_eq!(
            c("node1/var/log/pods/kube-system_kube-apiserver-m1_0a1b/kube-apiserver/0.log").as_deref(),
            Some("kube-apiserver")
        );
        assert_eq!(
            c("var/log/pods/kube-system_kube-flannel-ds-x7_uid/kube-flannel/3.log").as_deref(),
            Some("flannel")
        );
        assert_eq!(
            c("var/log/containers/traefik-5d8f_kube-system_traefik-0123abcd.log").as_deref(),
            Some("traefik")
        );
        assert_eq!(c("var/log/kubelet.log").as_deref(), Some("kubelet"));
        assert_eq!(c("logs/etcd-member.log").as_deref(), Some("etcd"));
        assert_eq!(
            c("var/log/cloud-controller-manager.log").as_deref(),
            Some("cloud-controller-manager")
        );
        assert_eq!(c("var/log/messages"), None);
        assert_eq!(
            c("dump/kube-system/kube-controller-manager-m1/logs.txt").as_deref(),
            Some("kube-controller-manager")
        );
        assert_eq!(c("journal.log"), None);
        assert_eq!(
            c("var/log/pods/default_web-1_uid/app/0.log").as_deref(),
            Some("app"),
            "unknown containers keep their name"
        );
    }

    #[test]
    fn identifiers() {
        assert_eq!(canonical("kubelet-wrapper"), Some("kubelet"));
        assert_eq!(canonical("etcd-member.service"), Some("etcd"));
        assert_eq!(canonical("dockerd"), Some("docker"));
        assert_eq!(canonical("sshd"), None);
    }
}
