//! Rancher's logs collector (`rancher2_logs_collector.sh`) archives.
//!
//! Layout facts, from rancherlabs/support-tools
//! (`collection/rancher/v2.x/logs-collector/rancher2_logs_collector.sh`):
//! - one node per archive, `<hostname>-<%Y-%m-%d_%H_%M_%S>.tar.gz`, its folders at the
//!   archive's top (`tar --directory $TMPDIR .`);
//! - `systeminfo/` holds command outputs, `systeminfo/hostname` the node's name;
//! - `journald/<unit>` is `journalctl --unit=<unit>` (kubelet, rke2-server, rke2-agent, k3s,
//!   containerd, docker, …), without an extension;
//! - `k8s/containerlogs/<container>` and `k8s/podlogs/<container>` (RKE1) are `docker logs -t`;
//!   `rke2/podlogs/<ns>-<pod>` and `k3s/podlogs/…` are `kubectl logs --all-containers` (or, on
//!   agents, copies of `/var/log/pods/<ns>_…`); `rke2/agent-logs/`, `rke2/server-logs/` copy the
//!   data-dir's own logs; `systemlogs/` copies syslog, messages and kern logs;
//! - certificates are `openssl x509 -text -noout` dumps, not PEM: `rke2/certs/{agent,server}/`,
//!   `k3s/certs/{agent,server}/`, `k8s/certs/`, `k8s/tmpcerts/`, `kubeadm/pki/{server,kubelet}/`;
//! - `networking/cni/` copies `/etc/cni/net.d`; `rke2/config.yaml` is the config without token
//!   lines.

/// Where the collector writes the node's name.
pub const HOSTNAME: &str = "systeminfo/hostname";

/// The collector's top folders: at a node root they belong to that node.
pub const NODE_FOLDERS: &[&str] = &[
    "systeminfo",
    "journald",
    "systemlogs",
    "networking",
    "rke2",
    "k3s",
    "k8s",
    "kubeadm",
    "rancher",
];

/// Folders whose files are logs whatever their names (`journald/kubelet`).
pub const LOG_FOLDERS: &[&str] = &[
    "journald",
    "containerlogs",
    "podlogs",
    "systemlogs",
    "agent-logs",
    "server-logs",
];
