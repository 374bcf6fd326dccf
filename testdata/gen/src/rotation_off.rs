//! `kubeadm-worker-rotation-off`: a healthy kubeadm control-plane node `cp-1/` and a worker
//! `worker-1/` whose kubelet client certificate, issued when it joined on 2025-06-01, expired
//! on 2026-06-01T08:12:44Z because a hardening playbook had set `rotateCertificates: false`
//! in `/var/lib/kubelet/config.yaml`. The kubelet's self-signed serving pair `kubelet.crt`
//! was made at the same second and expired with it. The kubelet kept running, refused
//! (`Unauthorized`) by the apiserver, whose log names the expired date; restarted at 11:50,
//! it crash-loops because kubeadm deleted its bootstrap kubeconfig after the join.
//!
//! Log wording follows kubelet v1.30 (`controller.go` lease, `kubelet_node_status.go`,
//! `bootstrap.go:266`, `run.go:74`) and the apiserver's `authentication.go:73`; the lines are
//! generated test data in that wording.

use anyhow::Result;
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::certs::{Validity, kubelet_self_signed};
use crate::kube;
use crate::kubeadm::{self, CAPTURE, ClusterPki};
use crate::logs::{self, Sev, rfc3339};
use crate::tree::Tree;

const CLUSTER: &str = "kubeadm-worker-rotation-off";
/// When the worker joined (its kubelet's first start).
const JOINED: OffsetDateTime = datetime!(2025-06-01 08:12:44 UTC);
/// When its client certificate (one year, the signer's default) expired.
pub const EXPIRED: OffsetDateTime = datetime!(2026-06-01 08:12:44 UTC);

/// The whole bundle.
pub fn bundle() -> Result<(Tree, Value)> {
    let pki = ClusterPki::new(CLUSTER)?;
    let (mut cp, cp_fp) = kubeadm::control_plane_node(CLUSTER, &pki, "cp-1", "10.0.0.10")?;
    let uid = kube::hex_id(&format!("{CLUSTER}/apiserver-pod"), 32);
    cp.file(
        &format!("var/log/pods/kube-system_kube-apiserver-cp-1_{uid}/kube-apiserver/0.log"),
        apiserver_log(),
    );
    let mut t = Tree::new();
    t.merge_under("cp-1", cp);

    let host = "worker-1";
    let mut w = kubeadm::worker_base(&pki, host, "https://10.0.0.10:6443");
    let expired = kubeadm::kubelet_client(
        &pki,
        &format!("{CLUSTER}/{host}/kubelet-client"),
        host,
        Validity::new(JOINED - Duration::minutes(5), EXPIRED),
    )?;
    let pem_name = "kubelet-client-2025-06-01-08-12-44.pem";
    w.secret_file(
        &format!("var/lib/kubelet/pki/{pem_name}"),
        expired.cert_and_key_pem()?,
    );
    w.symlink("var/lib/kubelet/pki/kubelet-client-current.pem", pem_name);
    let (crt, key) = kubelet_self_signed(host, JOINED)?;
    w.file("var/lib/kubelet/pki/kubelet.crt", crt);
    w.secret_file("var/lib/kubelet/pki/kubelet.key", key);
    let mut config = kubeadm::kubelet_config();
    config["rotateCertificates"] = json!(false);
    w.file("var/lib/kubelet/config.yaml", kube::to_kubectl_yaml(&config));
    w.file("var/log/kubelet.log", worker_log(host));
    t.merge_under(host, w);

    let mut certs = serde_json::Map::new();
    for (k, v) in cp_fp {
        certs.insert(format!("cp-1/{k}"), json!(v));
    }
    certs.insert(
        format!("{host}/kubelet_client_expired"),
        json!(expired.fingerprint()),
    );
    Ok((t, json!({"capture_time": rfc3339(CAPTURE), "certs": certs})))
}

/// The refusals while the kubelet keeps running (10:00–11:49, once a minute).
const REFUSED_FROM: OffsetDateTime = datetime!(2026-06-15 10:00:07 UTC);
/// The operator restarts the kubelet.
const RESTARTED: OffsetDateTime = datetime!(2026-06-15 11:50:00 UTC);

/// The worker's kubelet: refused while it runs, then crash-looping (systemd's
/// `RestartSec=10`) after the restart. `journalctl -u kubelet -o short-iso`.
fn worker_log(host: &str) -> String {
    let mut lines = Vec::new();
    let pid = 1187;
    let k = |sev, at: OffsetDateTime, pid: u32, src: &str, msg: &str| {
        logs::short_iso(
            at,
            host,
            "kubelet",
            Some(pid),
            &logs::klog(sev, at, pid, src, msg),
        )
    };
    let mut t = REFUSED_FROM;
    while t < RESTARTED {
        lines.push(k(
            Sev::E,
            t + Duration::microseconds(412_004),
            pid,
            "controller.go:145",
            "\"Failed to ensure lease exists, will retry\" err=\"Unauthorized\" interval=\"7s\"",
        ));
        lines.push(k(Sev::E, t + Duration::microseconds(512_317), pid, "kubelet_node_status.go:544", &format!("\"Error updating node status, will retry\" err=\"error getting node \\\"{host}\\\": Unauthorized\"")));
        lines.push(k(Sev::E, t + Duration::microseconds(733_090), pid, "reflector.go:150", "k8s.io/client-go/informers/factory.go:160: Failed to watch *v1.Service: failed to list *v1.Service: Unauthorized"));
        t += Duration::seconds(60);
    }
    lines.push(logs::short_iso(
        RESTARTED,
        host,
        "systemd",
        Some(1),
        "Stopping kubelet.service - kubelet: The Kubernetes Node Agent...",
    ));
    lines.push(logs::short_iso(
        RESTARTED + Duration::milliseconds(200),
        host,
        "systemd",
        Some(1),
        "kubelet.service: Deactivated successfully.",
    ));
    let mut t = RESTARTED + Duration::seconds(1);
    let mut pid = 51_204;
    while t < CAPTURE - Duration::seconds(5) {
        lines.push(logs::short_iso(
            t,
            host,
            "systemd",
            Some(1),
            "Started kubelet.service - kubelet: The Kubernetes Node Agent.",
        ));
        lines.push(k(
            Sev::I,
            t + Duration::microseconds(402_551),
            pid,
            "server.go:484",
            &format!("\"Kubelet version\" kubeletVersion=\"{}\"", kubeadm::K8S_VERSION),
        ));
        lines.push(k(Sev::E, t + Duration::microseconds(404_918), pid, "bootstrap.go:266", &format!("part of the existing bootstrap client certificate in /etc/kubernetes/kubelet.conf is expired: {}", logs::go_time(EXPIRED))));
        lines.push(k(Sev::E, t + Duration::microseconds(405_207), pid, "run.go:74", "\"command failed\" err=\"failed to run Kubelet: unable to load bootstrap kubeconfig: stat /etc/kubernetes/bootstrap-kubelet.conf: no such file or directory\""));
        let end = t + Duration::milliseconds(430);
        lines.push(logs::short_iso(
            end,
            host,
            "systemd",
            Some(1),
            "kubelet.service: Main process exited, code=exited, status=1/FAILURE",
        ));
        lines.push(logs::short_iso(
            end,
            host,
            "systemd",
            Some(1),
            "kubelet.service: Failed with result 'exit-code'.",
        ));
        t += Duration::seconds(10);
        pid += 23;
    }
    logs::join(&lines)
}

/// cp-1's apiserver refusing the worker's expired client certificate (CRI log).
fn apiserver_log() -> String {
    let mut lines = vec![logs::cri(
        datetime!(2026-06-15 09:58:41.201337 UTC),
        "stderr",
        &logs::klog(
            Sev::I,
            datetime!(2026-06-15 09:58:41.201337 UTC),
            1,
            "controller.go:615",
            "quota admission added evaluator for: leases.coordination.k8s.io",
        ),
    )];
    let mut t = REFUSED_FROM + Duration::microseconds(413_100);
    while t < RESTARTED {
        let now = rfc3339(t - Duration::microseconds(413_100));
        let err = format!(
            "x509: certificate has expired or is not yet valid: current time {now} is after {}",
            rfc3339(EXPIRED)
        );
        let msg = format!(
            "\"Unable to authenticate the request\" err=\"[{err}, verifying certificate SN=5196237426093409857, SKID=, AKID= failed: {err}]\""
        );
        lines.push(logs::cri(
            t,
            "stderr",
            &logs::klog(Sev::E, t, 1, "authentication.go:73", &msg),
        ));
        t += Duration::seconds(60);
    }
    logs::join(&lines)
}
