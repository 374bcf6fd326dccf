//! The `two-nodes` bundle: a healthy kubeadm control-plane node `cp-1/` (same generator as
//! `kubeadm-healthy`, its own cluster keys) and a worker `worker-1/` whose rotated kubelet
//! client certificate expired on 2026-05-01 (ANCHORS.md §4.2).

use anyhow::Result;
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::certs::Validity;
use crate::kube;
use crate::kubeadm::{self, ClusterPki};
use crate::logs::{self, Sev, rfc3339};
use crate::tree::Tree;

pub const CAPTURE: OffsetDateTime = datetime!(2026-06-15 12:00:00 UTC);
const CLUSTER: &str = "two-nodes";

/// The whole `two-nodes` bundle.
pub fn bundle() -> Result<(Tree, Value)> {
    let pki = ClusterPki::new(CLUSTER)?;
    let (cp, cp_fp) = kubeadm::control_plane_node(CLUSTER, &pki, "cp-1", "10.0.0.10")?;
    let mut t = Tree::new();
    t.merge_under("cp-1", cp);

    let host = "worker-1";
    let mut w = kubeadm::worker_base(&pki, host, "https://10.0.0.10:6443");
    let expired = kubeadm::kubelet_client(
        &pki,
        &format!("{CLUSTER}/{host}/kubelet-client-2025"),
        host,
        Validity::new(
            datetime!(2025-05-01 09:55:00 UTC),
            datetime!(2026-05-01 10:00:00 UTC),
        ),
    )?;
    let pem_name = "kubelet-client-2025-05-01-10-00-00.pem";
    w.secret_file(
        &format!("var/lib/kubelet/pki/{pem_name}"),
        expired.cert_and_key_pem()?,
    );
    w.symlink("var/lib/kubelet/pki/kubelet-client-current.pem", pem_name);
    w.file(
        "var/lib/kubelet/config.yaml",
        kube::to_kubectl_yaml(&kubeadm::kubelet_config()),
    );
    w.file("var/log/kubelet.log", worker_log(host));
    t.merge_under(host, w);

    let mut certs = serde_json::Map::new();
    for (k, v) in cp_fp {
        certs.insert(format!("cp-1/{k}"), json!(v));
    }
    certs.insert(
        "worker-1/kubelet_client_expired".into(),
        json!(expired.fingerprint()),
    );
    Ok((t, json!({"capture_time": rfc3339(CAPTURE), "certs": certs})))
}

/// The worker's kubelet crash-looping on its expired client cert (short-iso, last hour).
fn worker_log(host: &str) -> String {
    let mut lines = Vec::new();
    let mut t = datetime!(2026-06-15 11:00:03 UTC);
    let mut pid = 40_112;
    while t < datetime!(2026-06-15 11:59:00 UTC) {
        let k = |sev, dt: i64, src: &str, msg: &str| {
            let at = t + Duration::microseconds(dt);
            logs::short_iso(
                at,
                host,
                "kubelet",
                Some(pid),
                &logs::klog(sev, at, pid, src, msg),
            )
        };
        lines.push(logs::short_iso(
            t,
            host,
            "systemd",
            Some(1),
            "Started kubelet.service - kubelet: The Kubernetes Node Agent.",
        ));
        lines.push(k(
            Sev::I,
            412_004,
            "server.go:484",
            &format!("\"Kubelet version\" kubeletVersion=\"{}\"", kubeadm::K8S_VERSION),
        ));
        lines.push(k(
            Sev::I,
            413_550,
            "server.go:927",
            "\"Client rotation is on, will bootstrap in background\"",
        ));
        lines.push(k(Sev::E, 414_102, "bootstrap.go:266", "part of the existing bootstrap client certificate in /etc/kubernetes/kubelet.conf is expired: 2026-05-01 10:00:00 +0000 UTC"));
        lines.push(k(Sev::E, 414_388, "run.go:74", "\"command failed\" err=\"failed to run Kubelet: unable to load bootstrap kubeconfig: stat /etc/kubernetes/bootstrap-kubelet.conf: no such file or directory\""));
        lines.push(logs::short_iso(
            t + Duration::milliseconds(450),
            host,
            "systemd",
            Some(1),
            "kubelet.service: Main process exited, code=exited, status=1/FAILURE",
        ));
        lines.push(logs::short_iso(
            t + Duration::milliseconds(451),
            host,
            "systemd",
            Some(1),
            "kubelet.service: Failed with result 'exit-code'.",
        ));
        t += Duration::seconds(600);
        pid += 57;
    }
    logs::join(&lines)
}
