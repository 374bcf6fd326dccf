//! `rke2-node-ip-changed`: an RKE2 v1.30 server `rke2-1` whose address moved from 10.0.0.5 to
//! 10.0.0.9 (`node-ip` in `/etc/rancher/rke2/config.yaml`, the Node's InternalIP, the
//! apiserver's `--advertise-address` and etcd's URLs all say 10.0.0.9), while the serving
//! certificates under `/var/lib/rancher/rke2/server/tls` were issued at install for 10.0.0.5:
//! RKE2 renews its certificates on start only when they are near expiry, so a restart kept
//! their SANs. etcd's own gRPC gateway dials its client listener at 10.0.0.9:2379 and fails
//! the name check (`x509: certificate is valid for 127.0.0.1, ::1, 10.0.0.5, not 10.0.0.9`),
//! the listener rejects the handshake (`tls: bad certificate`), and etcd's restored
//! membership still carries the old peer URL `https://10.0.0.5:2380`.
//!
//! Log wording follows etcd v3.5 (zap JSON) and RKE2's logrus lines; the lines are generated
//! test data in that wording. Captured 2026-06-15T12:00:00Z.

use anyhow::Result;
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::certs::{Ca, CertSpec, Validity};
use crate::keys::KeyKind;
use crate::kube::{self, KubeUser};
use crate::kubeadm;
use crate::logs::{self, rfc3339};
use crate::tree::Tree;

/// When the bundle was captured.
pub const CAPTURE: OffsetDateTime = datetime!(2026-06-15 12:00:00 UTC);
const HOST: &str = "rke2-1";
const OLD_IP: &str = "10.0.0.5";
const NEW_IP: &str = "10.0.0.9";
const VERSION: &str = "v1.30.4+rke2r1";
/// When RKE2 was installed (the certificates' notBefore).
const INSTALLED: OffsetDateTime = datetime!(2026-02-02 09:30:00 UTC);
/// When rke2-server restarted on the new address.
const RESTARTED: OffsetDateTime = datetime!(2026-06-15 10:58:12 UTC);
const TLS: &str = "var/lib/rancher/rke2/server/tls";

/// The whole bundle: the node at the bundle root plus `cluster/nodes.yaml`.
pub fn bundle() -> Result<(Tree, Value)> {
    let mut t = Tree::new();
    let mut certs = serde_json::Map::new();
    t.file("etc/hostname", format!("{HOST}\n"));
    t.file(
        "etc/rancher/rke2/config.yaml",
        format!("node-ip: {NEW_IP}\nwrite-kubeconfig-mode: \"0600\"\n"),
    );
    let stamp = INSTALLED.unix_timestamp();
    let ca_v = Validity::new(INSTALLED, INSTALLED + Duration::days(3650));
    let leaf_v = Validity::new(INSTALLED, INSTALLED + Duration::days(365));
    let ca = |name: &str| -> Result<Ca> {
        Ca::new(
            &format!("rke2-ip/{name}"),
            CertSpec::ca(&format!("rke2-{name}@{stamp}"), ca_v),
        )
    };
    let server_ca = ca("server-ca")?;
    let client_ca = ca("client-ca")?;
    let etcd_server_ca = ca("etcd-server-ca")?;
    let etcd_peer_ca = ca("etcd-peer-ca")?;
    let put_ca = |t: &mut Tree, path: &str, c: &Ca| -> Result<()> {
        t.file(&format!("{TLS}/{path}.crt"), c.pem());
        t.secret_file(&format!("{TLS}/{path}.key"), c.cert.key.private_pem()?);
        Ok(())
    };
    put_ca(&mut t, "server-ca", &server_ca)?;
    put_ca(&mut t, "client-ca", &client_ca)?;
    put_ca(&mut t, "etcd/server-ca", &etcd_server_ca)?;
    put_ca(&mut t, "etcd/peer-ca", &etcd_peer_ca)?;
    let apiserver_sans = [
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
        "localhost",
        HOST,
        "10.43.0.1",
        "127.0.0.1",
        "::1",
        OLD_IP,
    ];
    let etcd_sans = ["localhost", HOST, "127.0.0.1", "::1", OLD_IP];
    let leaves: Vec<(&str, &Ca, CertSpec)> = vec![
        (
            "serving-kube-apiserver",
            &server_ca,
            CertSpec::new("kube-apiserver", leaf_v)
                .server()
                .sans(&apiserver_sans),
        ),
        (
            "client-kube-apiserver",
            &client_ca,
            CertSpec::new("system:apiserver", leaf_v).org("system:masters"),
        ),
        (
            "client-admin",
            &client_ca,
            CertSpec::new("system:admin", leaf_v).org("system:masters"),
        ),
        (
            "client-controller",
            &client_ca,
            CertSpec::new("system:kube-controller-manager", leaf_v),
        ),
        (
            "client-scheduler",
            &client_ca,
            CertSpec::new("system:kube-scheduler", leaf_v),
        ),
        (
            "etcd/server-client",
            &etcd_server_ca,
            CertSpec::new("etcd-server", leaf_v)
                .server_client()
                .sans(&etcd_sans),
        ),
        (
            "etcd/peer-server-client",
            &etcd_peer_ca,
            CertSpec::new("etcd-peer", leaf_v)
                .server_client()
                .sans(&etcd_sans),
        ),
        (
            "etcd/client",
            &etcd_server_ca,
            CertSpec::new("etcd-client", leaf_v),
        ),
    ];
    let mut admin = None;
    for (name, issuer, spec) in leaves {
        let c = issuer.issue(&format!("rke2-ip/{name}"), KeyKind::EcP256, spec)?;
        // RKE2 writes each leaf followed by its CA.
        t.file(
            &format!("{TLS}/{name}.crt"),
            format!("{}{}", c.pem(), issuer.pem()),
        );
        t.secret_file(&format!("{TLS}/{name}.key"), c.key_pem()?);
        certs.insert(name.replace(['/', '-'], "_"), json!(c.fingerprint()));
        if name == "client-admin" {
            admin = Some((format!("{}{}", c.pem(), issuer.pem()), c.key_pem()?));
        }
    }
    if let Some((cert_pem, key_pem)) = admin {
        let kc = kube::kubeconfig(
            "default",
            "https://127.0.0.1:6443",
            &server_ca.pem(),
            "default",
            "default",
            KubeUser::Embedded {
                cert_pem: &cert_pem,
                key_pem: &key_pem,
            },
        );
        t.secret_file("etc/rancher/rke2/rke2.yaml", kube::to_kubectl_yaml(&kc));
    }
    let manifests = "var/lib/rancher/rke2/agent/pod-manifests";
    t.secret_file(
        &format!("{manifests}/kube-apiserver.yaml"),
        kube::to_kubectl_yaml(&apiserver_pod()),
    );
    t.secret_file(
        &format!("{manifests}/etcd.yaml"),
        kube::to_kubectl_yaml(&etcd_pod()),
    );
    t.file("var/lib/rancher/rke2/server/db/etcd/config", etcd_config());
    let uid = kube::hex_id("rke2-ip/etcd-pod", 32);
    t.file(
        &format!("var/log/pods/kube-system_etcd-{HOST}_{uid}/etcd/0.log"),
        etcd_log(),
    );
    t.file("journald/rke2-server", server_journal());
    let mut node = kubeadm::node(HOST, NEW_IP, true);
    node["status"]["nodeInfo"]["kubeletVersion"] = json!(VERSION);
    node["status"]["nodeInfo"]["kubeProxyVersion"] = json!(VERSION);
    node["status"]["nodeInfo"]["containerRuntimeVersion"] = json!("containerd://1.7.20-k3s1");
    node["metadata"]["labels"]["node-role.kubernetes.io/etcd"] = json!("true");
    node["metadata"]["labels"]["node-role.kubernetes.io/master"] = json!("true");
    node["metadata"]["annotations"] = json!({
        "etcd.rke2.cattle.io/node-address": NEW_IP,
        "etcd.rke2.cattle.io/node-name": format!("{HOST}-{}", kube::hex_id("rke2-ip/member", 8)),
        "rke2.io/node-args": format!("[\"server\",\"--node-ip\",\"{NEW_IP}\"]"),
        "rke2.io/internal-ip": NEW_IP,
        "rke2.io/hostname": HOST,
    });
    t.file(
        "cluster/nodes.yaml",
        kube::to_kubectl_yaml(&kube::list(vec![node])),
    );
    Ok((t, json!({"capture_time": rfc3339(CAPTURE), "certs": certs})))
}

fn static_pod(name: &str, command: Vec<String>, paths: &[(&str, &str)]) -> Value {
    let mounts: Vec<Value> = paths
        .iter()
        .map(|(n, p)| json!({"mountPath": p, "name": n}))
        .collect();
    let volumes: Vec<Value> = paths
        .iter()
        .map(|(n, p)| json!({"hostPath": {"path": p, "type": "DirectoryOrCreate"}, "name": n}))
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "creationTimestamp": null,
            "labels": {"component": name, "tier": "control-plane"},
            "name": name,
            "namespace": "kube-system",
        },
        "spec": {
            "containers": [{
                "command": command,
                "image": format!("index.docker.io/rancher/hardened-{name}:{}-build20240814", VERSION.replace("+rke2r1", "")),
                "imagePullPolicy": "IfNotPresent",
                "name": name,
                "volumeMounts": mounts,
            }],
            "hostNetwork": true,
            "priorityClassName": "system-cluster-critical",
            "volumes": volumes,
        },
        "status": {},
    })
}

fn apiserver_pod() -> Value {
    let tls = "/var/lib/rancher/rke2/server/tls";
    let args = [
        format!("--advertise-address={NEW_IP}"),
        "--allow-privileged=true".into(),
        "--authorization-mode=Node,RBAC".into(),
        "--bind-address=0.0.0.0".into(),
        format!("--client-ca-file={tls}/client-ca.crt"),
        format!("--etcd-cafile={tls}/etcd/server-ca.crt"),
        format!("--etcd-certfile={tls}/etcd/client.crt"),
        format!("--etcd-keyfile={tls}/etcd/client.key"),
        "--etcd-servers=https://127.0.0.1:2379".into(),
        format!("--kubelet-client-certificate={tls}/client-kube-apiserver.crt"),
        format!("--kubelet-client-key={tls}/client-kube-apiserver.key"),
        "--secure-port=6443".into(),
        "--service-cluster-ip-range=10.43.0.0/16".into(),
        format!("--tls-cert-file={tls}/serving-kube-apiserver.crt"),
        format!("--tls-private-key-file={tls}/serving-kube-apiserver.key"),
    ];
    let mut command = vec!["kube-apiserver".to_string()];
    command.extend(args);
    static_pod("kube-apiserver", command, &[("dir0", tls)])
}

fn etcd_pod() -> Value {
    let command = vec![
        "etcd".to_string(),
        "--config-file=/var/lib/rancher/rke2/server/db/etcd/config".to_string(),
    ];
    static_pod(
        "etcd",
        command,
        &[
            ("dir0", "/var/lib/rancher/rke2/server/db/etcd"),
            ("dir1", "/var/lib/rancher/rke2/server/tls/etcd"),
        ],
    )
}

/// The etcd configuration file RKE2 writes on every start, from the current node IP.
fn etcd_config() -> String {
    let tls = "/var/lib/rancher/rke2/server/tls/etcd";
    let member = format!("{HOST}-{}", kube::hex_id("rke2-ip/member", 8));
    format!(
        "advertise-client-urls: https://{NEW_IP}:2379\n\
         client-transport-security:\n  cert-file: {tls}/server-client.crt\n  client-cert-auth: true\n  key-file: {tls}/server-client.key\n  trusted-ca-file: {tls}/server-ca.crt\n\
         data-dir: /var/lib/rancher/rke2/server/db/etcd\n\
         election-timeout: 5000\n\
         experimental-initial-corrupt-check: true\n\
         heartbeat-interval: 500\n\
         listen-client-urls: https://127.0.0.1:2379,https://{NEW_IP}:2379\n\
         listen-metrics-urls: http://127.0.0.1:2381\n\
         listen-peer-urls: https://127.0.0.1:2380,https://{NEW_IP}:2380\n\
         log-outputs:\n- stderr\n\
         logger: zap\n\
         name: {member}\n\
         peer-transport-security:\n  cert-file: {tls}/peer-server-client.crt\n  client-cert-auth: true\n  key-file: {tls}/peer-server-client.key\n  trusted-ca-file: {tls}/peer-ca.crt\n\
         snapshot-count: 10000\n"
    )
}

/// etcd's log since the restart (CRI, zap JSON): the restored member with its old peer URL,
/// then the gateway's handshake failures against its own listener, every two minutes.
fn etcd_log() -> String {
    let member_id = kube::hex_id("rke2-ip/member-id", 16);
    let cluster_id = kube::hex_id("rke2-ip/cluster-id", 16);
    let ts = |t: OffsetDateTime| {
        let s = logs::rfc3339_nano(t);
        format!("{}Z", &s[..23])
    };
    let line = |t: OffsetDateTime, body: String| logs::cri(t, "stderr", &body);
    let t0 = RESTARTED + Duration::seconds(9);
    let mut lines = vec![
        line(
            t0,
            format!(
                r#"{{"level":"info","ts":"{}","caller":"embed/etcd.go:127","msg":"configuring peer listeners","listen-peer-urls":["https://127.0.0.1:2380","https://{NEW_IP}:2380"]}}"#,
                ts(t0)
            ),
        ),
        line(
            t0 + Duration::milliseconds(4),
            format!(
                r#"{{"level":"info","ts":"{}","caller":"embed/etcd.go:135","msg":"configuring client listeners","listen-client-urls":["https://127.0.0.1:2379","https://{NEW_IP}:2379"]}}"#,
                ts(t0 + Duration::milliseconds(4))
            ),
        ),
        line(
            t0 + Duration::milliseconds(212),
            format!(
                r#"{{"level":"info","ts":"{}","caller":"membership/cluster.go:421","msg":"added member","cluster-id":"{cluster_id}","local-member-id":"{member_id}","added-peer-id":"{member_id}","added-peer-peer-urls":["https://{OLD_IP}:2380"]}}"#,
                ts(t0 + Duration::milliseconds(212))
            ),
        ),
        line(
            t0 + Duration::milliseconds(1_730),
            format!(
                r#"{{"level":"info","ts":"{}","caller":"etcdserver/server.go:2068","msg":"published local member to cluster through raft","local-member-id":"{member_id}","local-member-attributes":"{{Name:{HOST}-{} ClientURLs:[https://{NEW_IP}:2379]}}","request-path":"/0/members/{member_id}/attributes","cluster-id":"{cluster_id}","publish-timeout":"15s"}}"#,
                ts(t0 + Duration::milliseconds(1_730)),
                kube::hex_id("rke2-ip/member", 8)
            ),
        ),
    ];
    let mut t = t0 + Duration::seconds(2);
    let mut port = 40_512;
    while t < CAPTURE - Duration::seconds(30) {
        let t2 = t + Duration::milliseconds(1);
        lines.push(line(t, format!(r#"{{"level":"warn","ts":"{}","caller":"embed/config_logging.go:287","msg":"rejected connection","remote-addr":"{NEW_IP}:{port}","server-name":"","error":"remote error: tls: bad certificate"}}"#, ts(t))));
        lines.push(line(t2, format!(r#"{{"level":"warn","ts":"{}","logger":"etcd-client","caller":"v3@v3.5.13/logger.go:59","msg":"[core] [Channel #4 SubChannel #5] grpc: addrConn.createTransport failed to connect to {{Addr: \"{NEW_IP}:2379\", ServerName: \"{NEW_IP}:2379\", }}. Err: connection error: desc = \"transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate is valid for 127.0.0.1, ::1, {OLD_IP}, not {NEW_IP}\""}}"#, ts(t2))));
        t += Duration::seconds(120);
        port += 17;
    }
    logs::join(&lines)
}

/// `journalctl -u rke2-server` since the restart on the new address.
fn server_journal() -> String {
    let j = |t: OffsetDateTime, level: &str, msg: &str| {
        logs::short_iso(
            t,
            HOST,
            "rke2",
            Some(2211),
            &format!("time=\"{}\" level={level} msg=\"{msg}\"", rfc3339(t)),
        )
    };
    let t = RESTARTED;
    let lines = vec![
        logs::short_iso(
            t,
            HOST,
            "systemd",
            Some(1),
            "Starting rke2-server.service - Rancher Kubernetes Engine v2 (server)...",
        ),
        j(
            t + Duration::seconds(1),
            "info",
            &format!("Starting rke2 {VERSION} (3f5b3a9c8f1e0b2d7a6c4e5f9d8b7a6c5e4d3f2a)"),
        ),
        j(
            t + Duration::seconds(1),
            "info",
            "Managed etcd cluster bootstrap already complete and initialized",
        ),
        j(
            t + Duration::seconds(2),
            "info",
            "Starting etcd for existing cluster member",
        ),
        j(t + Duration::seconds(21), "info", "etcd data store connection OK"),
        j(
            t + Duration::seconds(34),
            "info",
            &format!(
                "Running kube-apiserver --advertise-address={NEW_IP} --etcd-servers=https://127.0.0.1:2379 --tls-cert-file=/var/lib/rancher/rke2/server/tls/serving-kube-apiserver.crt"
            ),
        ),
        logs::short_iso(
            t + Duration::seconds(40),
            HOST,
            "systemd",
            Some(1),
            "Started rke2-server.service - Rancher Kubernetes Engine v2 (server).",
        ),
    ];
    logs::join(&lines)
}
