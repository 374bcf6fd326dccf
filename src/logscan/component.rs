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

/// The component a log file belongs to, from its bundle path:
/// `var/log/pods/<ns>_<pod>_<uid>/<container>/0.log`,
/// `var/log/containers/<pod>_<ns>_<container>-<id>.log`, or a file name such as
/// `kubelet.log` / `etcd-member.log`. `None` when the path does not tell (`messages`,
/// `syslog`, `journal.log`): such a log is scanned with every rule and each line's journald
/// identifier names its component.
pub fn from_path(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(i) = segs.iter().position(|s| *s == "pods") {
        if let (Some(pod_dir), Some(container)) = (segs.get(i + 1), segs.get(i + 2)) {
            if segs.len() > i + 3 {
                let pod = pod_dir.split('_').nth(1).unwrap_or(pod_dir);
                return Some(label(container, pod));
            }
        }
    }
    let file = segs.last().copied().unwrap_or("");
    // `kubectl cluster-info dump --output-directory`: `<ns>/<pod>/logs.txt`.
    if file == "logs.txt" {
        if let Some(pod) = segs.iter().rev().nth(1) {
            return Some(label(pod, pod));
        }
    }
    if segs.iter().rev().nth(1) == Some(&"containers") {
        let stem = file.strip_suffix(".log").unwrap_or(file);
        let parts: Vec<&str> = stem.splitn(3, '_').collect();
        if let (Some(pod), Some(rest)) = (parts.first(), parts.get(2)) {
            let container = rest.rsplit_once('-').map_or(*rest, |(c, _)| c);
            return Some(label(container, pod));
        }
    }
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
