//! The `incident-replay` bundle: the Tectonic/bootkube self-hosted cluster of the incident
//! report at 2026-11-21T09:30Z. The 2016 CA "kubernetes" (key A) expired on 2026-11-18; a
//! new CA with the same subject (key B) was made with tls_rotate and partly planted; etcd
//! on the host was rotated to a new "etcd-ca" (key D) but the apiserver Secret and its
//! checkpointed copy still hold the old etcd CA (key C) and an expired etcd client cert;
//! flannel's subnet.env is missing; Traefik's Route53 credentials are invalid.
//! Layout facts: ANCHORS.md §4.3 (bootkube/Tectonic), §4.4 (flannel), §4.6, §4.8.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::certs::{Ca, Cert, CertSpec, validity};
use crate::keys::{Key, KeyKind, seeded_bytes};
use crate::kube::{self, CState, CStatus, StatusIn};
use crate::logs::{self, Sev, rfc3339};
use crate::ojson::{self, O, arr, obj, strs};
use crate::tree::Tree;

pub const CAPTURE: OffsetDateTime = datetime!(2026-11-21 09:30:00 UTC);
const HOST: &str = "master-01";
const IP: &str = "10.0.0.10";
const HYPERKUBE: &str = "quay.io/coreos/hyperkube:v1.8.4_coreos.0";
const APISERVER_POD: &str = "kube-apiserver-7x2kq";
const CHECKPOINTER_POD: &str = "pod-checkpointer-9zk2p";
const TRAEFIK_POD: &str = "traefik-6d9f7c-x2x9z";
const FLANNEL_POD: &str = "kube-flannel-7kq2d";
const APP_POD: &str = "app-5d9c7f8b6-t2kxw";
/// Install time of the 2016 cluster.
const INSTALL: OffsetDateTime = datetime!(2016-11-18 10:04:00 UTC);
/// When etcd-member was restarted with the new (key D) certs.
const ETCD_RESTART: OffsetDateTime = datetime!(2026-11-21 08:50:03 UTC);
/// When the new apiserver cert (signed by B) was planted in the checkpoint.
const APISERVER_PLANT: OffsetDateTime = datetime!(2026-11-21 08:44:00 UTC);

struct Pki {
    old_ca: Ca,
    new_ca: Ca,
    old_etcd_ca: Ca,
    new_etcd_ca: Ca,
    sa: Key,
    kubelet: Cert,
    apiserver: Cert,
    stale_etcd_client: Cert,
    etcd_server: Cert,
    etcd_peer: Cert,
    etcd_client: Cert,
}

fn pki() -> Result<Pki> {
    let old = validity(2016, 11, 18, 2026, 11, 18);
    let new = validity(2026, 11, 20, 2036, 11, 20);
    let new_leaf = validity(2026, 11, 20, 2027, 11, 20);
    let old_ca = Ca::new("incident/ca-A-2016", CertSpec::ca("kubernetes", old))?;
    let new_ca = Ca::new("incident/ca-B-2026", CertSpec::ca("kubernetes", new))?;
    let old_etcd_ca = Ca::new("incident/etcd-ca-C-2016", CertSpec::ca("etcd-ca", old))?;
    let new_etcd_ca = Ca::new("incident/etcd-ca-D-2026", CertSpec::ca("etcd-ca", new))?;
    let rsa = KeyKind::Rsa2048;
    let etcd_sans = [HOST, IP, "127.0.0.1", "localhost"];
    Ok(Pki {
        kubelet: old_ca.issue(
            "incident/kubelet-2016",
            rsa,
            CertSpec::new("kubelet", old).org("system:masters"),
        )?,
        apiserver: new_ca.issue(
            "incident/apiserver-2026",
            rsa,
            CertSpec::new("kube-apiserver", new_leaf)
                .org("kube-master")
                .server_client()
                .sans(&[
                    "kubernetes",
                    "kubernetes.default",
                    "kubernetes.default.svc",
                    "kubernetes.default.svc.cluster.local",
                    "10.3.0.1",
                    IP,
                    HOST,
                ]),
        )?,
        stale_etcd_client: old_etcd_ca.issue(
            "incident/etcd-client-2016",
            rsa,
            CertSpec::new("etcd", old).org("etcd"),
        )?,
        etcd_server: new_etcd_ca.issue(
            "incident/etcd-server-2026",
            rsa,
            CertSpec::new("etcd", new_leaf)
                .org("etcd")
                .server_client()
                .sans(&etcd_sans),
        )?,
        etcd_peer: new_etcd_ca.issue(
            "incident/etcd-peer-2026",
            rsa,
            CertSpec::new("etcd", new_leaf)
                .org("etcd")
                .server_client()
                .sans(&etcd_sans),
        )?,
        etcd_client: new_etcd_ca.issue(
            "incident/etcd-client-2026",
            rsa,
            CertSpec::new("etcd", new_leaf).org("etcd"),
        )?,
        sa: Key::rsa("incident/service-account")?,
        old_ca,
        new_ca,
        old_etcd_ca,
        new_etcd_ca,
    })
}

/// The data keys of Secret kube-system/kube-apiserver (Tectonic variant), stale etcd part.
fn apiserver_secret_data(p: &Pki) -> Result<Vec<(&'static str, Vec<u8>)>> {
    Ok(vec![
        ("apiserver.crt", p.apiserver.pem().into_bytes()),
        ("apiserver.key", p.apiserver.key_pem()?.into_bytes()),
        ("ca.crt", p.new_ca.pem().into_bytes()),
        ("etcd-client-ca.crt", p.old_etcd_ca.pem().into_bytes()),
        ("etcd-client.crt", p.stale_etcd_client.pem().into_bytes()),
        ("etcd-client.key", p.stale_etcd_client.key_pem()?.into_bytes()),
        ("service-account.pub", p.sa.public_pem()?.into_bytes()),
    ])
}

/// The whole `incident-replay` bundle.
pub fn bundle() -> Result<(Tree, Value)> {
    let p = pki()?;
    let mut t = Tree::new();
    let n = |path: &str| format!("{HOST}/{path}");
    t.file(&n("etc/hostname"), format!("{HOST}\n"));
    t.file(&n("etc/systemd/system/kubelet.service"), KUBELET_SERVICE);
    t.secret_file(&n("etc/kubernetes/kubeconfig"), kubelet_kubeconfig(&p)?);
    t.file(&n("etc/kubernetes/ca.crt"), p.new_ca.pem());

    let secret_dir = format!("etc/kubernetes/checkpoint-secrets/kube-system/{APISERVER_POD}/kube-apiserver");
    t.file(
        &n(&format!(
            "etc/kubernetes/manifests/kube-system-{APISERVER_POD}.json"
        )),
        ojson::to_go_compact(&apiserver_checkpoint(&format!("/{secret_dir}")))?,
    );
    for (k, v) in apiserver_secret_data(&p)? {
        t.secret_file(&n(&format!("{secret_dir}/{k}")), v);
    }
    t.file(
        &n(&format!(
            "etc/kubernetes/inactive-manifests/kube-system-{CHECKPOINTER_POD}.json"
        )),
        ojson::to_go_compact(&checkpointer_checkpoint())?,
    );
    t.file(
        &n("etc/kubernetes/cni/net.d/10-flannel.conf"),
        ojson::to_pretty(&flannel_cni_conf(), "  ")?,
    );

    let ssl = "etc/ssl/etcd";
    t.file(&n(&format!("{ssl}/ca.crt")), p.new_etcd_ca.pem());
    for (name, c) in [
        ("server", &p.etcd_server),
        ("peer", &p.etcd_peer),
        ("client", &p.etcd_client),
    ] {
        t.file(&n(&format!("{ssl}/{name}.crt")), c.pem());
        t.secret_file(&n(&format!("{ssl}/{name}.key")), c.key_pem()?);
    }
    t.file(
        &n("etc/systemd/system/etcd-member.service.d/40-etcd-cluster.conf"),
        ETCD_DROPIN,
    );

    t.file(&n("var/log/kubelet.log"), kubelet_log());
    t.file(&n("var/log/etcd-member.log"), etcd_log());
    let api_uid = kube::uid(&format!("kube-system/{APISERVER_POD}"));
    t.file(
        &n(&format!(
            "var/log/pods/kube-system_{APISERVER_POD}_{api_uid}/kube-apiserver/0.log"
        )),
        apiserver_log(),
    );
    let traefik_uid = kube::uid(&format!("ingress/{TRAEFIK_POD}"));
    t.file(
        &n(&format!(
            "var/log/pods/ingress_{TRAEFIK_POD}_{traefik_uid}/traefik/0.log"
        )),
        traefik_log(),
    );

    cluster_dumps(&p, &mut t)?;

    let fp: BTreeMap<&str, String> = [
        ("old_ca", p.old_ca.fingerprint()),
        ("new_ca", p.new_ca.fingerprint()),
        ("old_etcd_ca", p.old_etcd_ca.fingerprint()),
        ("new_etcd_ca", p.new_etcd_ca.fingerprint()),
        ("apiserver", p.apiserver.fingerprint()),
        ("stale_etcd_client", p.stale_etcd_client.fingerprint()),
        ("kubelet_client", p.kubelet.fingerprint()),
        ("etcd_server", p.etcd_server.fingerprint()),
        ("etcd_peer", p.etcd_peer.fingerprint()),
        ("etcd_client", p.etcd_client.fingerprint()),
    ]
    .into_iter()
    .collect();
    Ok((t, json!({"capture_time": rfc3339(CAPTURE), "certs": fp})))
}

/// bootkube's kubelet kubeconfig template (text/template output, so not key-sorted).
fn kubelet_kubeconfig(p: &Pki) -> Result<String> {
    use crate::pem::b64;
    Ok(format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: https://{IP}:443\n    certificate-authority-data: {}\nusers:\n- name: kubelet\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\ncontexts:\n- context:\n    cluster: local\n    user: kubelet\n",
        b64(p.old_ca.pem()),
        b64(p.kubelet.pem()),
        b64(p.kubelet.key_pem()?)
    ))
}

const KUBELET_SERVICE: &str = r#"[Unit]
Description=Kubernetes Kubelet
Wants=rpc-statd.service

[Service]
Environment=KUBELET_IMAGE_URL=quay.io/coreos/hyperkube
Environment=KUBELET_IMAGE_TAG=v1.8.4_coreos.0
Environment="RKT_RUN_ARGS=--uuid-file-save=/var/cache/kubelet-pod.uuid \
  --volume var-lib-cni,kind=host,source=/var/lib/cni \
  --volume var-log,kind=host,source=/var/log \
  --mount volume=var-lib-cni,target=/var/lib/cni \
  --mount volume=var-log,target=/var/log"
EnvironmentFile=/etc/environment
ExecStartPre=/bin/mkdir -p /etc/kubernetes/manifests
ExecStartPre=/bin/mkdir -p /etc/kubernetes/cni/net.d
ExecStartPre=/bin/mkdir -p /etc/kubernetes/checkpoint-secrets
ExecStartPre=/bin/mkdir -p /etc/kubernetes/inactive-manifests
ExecStartPre=/bin/mkdir -p /var/lib/cni
ExecStartPre=/bin/mkdir -p /var/lib/kubelet/pki
ExecStartPre=-/usr/bin/rkt rm --uuid-file=/var/cache/kubelet-pod.uuid
ExecStart=/usr/lib/coreos/kubelet-wrapper \
  --kubeconfig=/etc/kubernetes/kubeconfig \
  --require-kubeconfig \
  --client-ca-file=/etc/kubernetes/ca.crt \
  --anonymous-auth=false \
  --cni-conf-dir=/etc/kubernetes/cni/net.d \
  --network-plugin=cni \
  --lock-file=/var/run/lock/kubelet.lock \
  --exit-on-lock-contention \
  --pod-manifest-path=/etc/kubernetes/manifests \
  --cert-dir=/var/lib/kubelet/pki \
  --allow-privileged \
  --node-labels=node-role.kubernetes.io/master \
  --register-with-taints=node-role.kubernetes.io/master=:NoSchedule \
  --minimum-container-ttl-duration=6m0s \
  --cluster-dns=10.3.0.10 \
  --cluster-domain=cluster.local
ExecStop=-/usr/bin/rkt stop --uuid-file=/var/cache/kubelet-pod.uuid
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
"#;

const ETCD_DROPIN: &str = r#"[Service]
Environment="ETCD_IMAGE_TAG=v3.3.25"
Environment="RKT_RUN_ARGS=--volume etcd-ssl,kind=host,source=/etc/ssl/etcd,readOnly=true --mount volume=etcd-ssl,target=/etc/ssl/certs/etcd"
Environment="ETCD_NAME=master-01"
Environment="ETCD_DATA_DIR=/var/lib/etcd"
Environment="ETCD_ADVERTISE_CLIENT_URLS=https://10.0.0.10:2379"
Environment="ETCD_LISTEN_CLIENT_URLS=https://0.0.0.0:2379"
Environment="ETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.0.0.10:2380"
Environment="ETCD_LISTEN_PEER_URLS=https://0.0.0.0:2380"
Environment="ETCD_INITIAL_CLUSTER=master-01=https://10.0.0.10:2380"
Environment="ETCD_CERT_FILE=/etc/ssl/certs/etcd/server.crt"
Environment="ETCD_KEY_FILE=/etc/ssl/certs/etcd/server.key"
Environment="ETCD_TRUSTED_CA_FILE=/etc/ssl/certs/etcd/ca.crt"
Environment="ETCD_CLIENT_CERT_AUTH=true"
Environment="ETCD_PEER_CERT_FILE=/etc/ssl/certs/etcd/peer.crt"
Environment="ETCD_PEER_KEY_FILE=/etc/ssl/certs/etcd/peer.key"
Environment="ETCD_PEER_TRUSTED_CA_FILE=/etc/ssl/certs/etcd/ca.crt"
Environment="ETCD_PEER_CLIENT_CERT_AUTH=true"
"#;

fn apiserver_command() -> Vec<&'static str> {
    vec![
        "/hyperkube",
        "apiserver",
        "--admission-control=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota,DefaultTolerationSeconds,PodNodeSelector",
        "--advertise-address=10.0.0.10",
        "--allow-privileged=true",
        "--anonymous-auth=false",
        "--authorization-mode=Node,RBAC",
        "--bind-address=0.0.0.0",
        "--client-ca-file=/etc/kubernetes/secrets/ca.crt",
        "--cloud-provider=",
        "--etcd-cafile=/etc/kubernetes/secrets/etcd-client-ca.crt",
        "--etcd-certfile=/etc/kubernetes/secrets/etcd-client.crt",
        "--etcd-keyfile=/etc/kubernetes/secrets/etcd-client.key",
        "--etcd-quorum-read=true",
        "--etcd-servers=https://10.0.0.10:2379",
        "--insecure-port=0",
        "--kubelet-client-certificate=/etc/kubernetes/secrets/apiserver.crt",
        "--kubelet-client-key=/etc/kubernetes/secrets/apiserver.key",
        "--secure-port=443",
        "--service-account-key-file=/etc/kubernetes/secrets/service-account.pub",
        "--service-cluster-ip-range=10.3.0.0/16",
        "--storage-backend=etcd3",
        "--tls-ca-file=/etc/kubernetes/secrets/ca.crt",
        "--tls-cert-file=/etc/kubernetes/secrets/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/secrets/apiserver.key",
    ]
}

fn master_tolerations() -> O {
    arr(vec![obj(vec![
        ("key", "node-role.kubernetes.io/master".into()),
        ("operator", "Exists".into()),
        ("effect", "NoSchedule".into()),
    ])])
}

fn host_path(name: &str, path: &str) -> O {
    obj(vec![
        ("name", name.into()),
        ("hostPath", obj(vec![("path", path.into()), ("type", "".into())])),
    ])
}

fn vmount(name: &str, ro: bool, path: &str) -> O {
    let mut v = vec![("name", O::from(name))];
    if ro {
        v.push(("readOnly", true.into()));
    }
    v.push(("mountPath", path.into()));
    obj(v)
}

/// Checkpoint of the apiserver pod, as pod-checkpointer writes it (`json.Marshal` of a
/// sanitised v1.Pod: Go field order, secret volume rewritten to a hostPath).
fn apiserver_checkpoint(secret_dir: &str) -> O {
    let container = checkpoint_container(
        "kube-apiserver",
        HYPERKUBE,
        &apiserver_command(),
        vec![field_env("POD_IP", "status.podIP")],
        vec![
            vmount("ssl-certs-host", true, "/etc/ssl/certs"),
            vmount("secrets", true, "/etc/kubernetes/secrets"),
        ],
        "IfNotPresent",
    );
    checkpoint_pod(
        APISERVER_POD,
        "kube-apiserver",
        vec![
            host_path("ssl-certs-host", "/usr/share/ca-certificates"),
            host_path("secrets", secret_dir),
        ],
        container,
        obj(vec![("runAsNonRoot", true.into()), ("runAsUser", 65534.into())]),
    )
}

/// The pod-checkpointer's own (inactive) checkpoint.
fn checkpointer_checkpoint() -> O {
    let container = checkpoint_container(
        "pod-checkpointer",
        "quay.io/coreos/pod-checkpointer:e22cc0e3714378de92f45326474874eb602ca0ac",
        &[
            "/checkpoint",
            "--lock-file=/var/run/lock/pod-checkpointer.lock",
            "--kubeconfig=/etc/checkpointer/kubeconfig",
        ],
        vec![
            field_env("NODE_NAME", "spec.nodeName"),
            field_env("POD_NAME", "metadata.name"),
            field_env("POD_NAMESPACE", "metadata.namespace"),
        ],
        vec![
            vmount("kubeconfig", false, "/etc/checkpointer"),
            vmount("etc-kubernetes", false, "/etc/kubernetes"),
            vmount("var-run", false, "/var/run"),
        ],
        "Always",
    );
    checkpoint_pod(
        CHECKPOINTER_POD,
        "pod-checkpointer",
        vec![
            host_path(
                "kubeconfig",
                &format!(
                    "/etc/kubernetes/checkpoint-configmaps/kube-system/{CHECKPOINTER_POD}/kubeconfig-in-cluster"
                ),
            ),
            host_path("etc-kubernetes", "/etc/kubernetes"),
            host_path("var-run", "/var/run"),
        ],
        container,
        obj::<&str>(vec![]),
    )
}

/// An environment variable from the downward API (`fieldRef`).
fn field_env(name: &str, path: &str) -> O {
    obj(vec![
        ("name", name.into()),
        (
            "valueFrom",
            obj(vec![(
                "fieldRef",
                obj(vec![("apiVersion", "v1".into()), ("fieldPath", path.into())]),
            )]),
        ),
    ])
}

/// A container as the checkpointer writes it (its fields in the checkpointer's order).
fn checkpoint_container(
    name: &str,
    image: &str,
    command: &[&str],
    env: Vec<O>,
    mounts: Vec<O>,
    pull: &str,
) -> O {
    obj(vec![
        ("name", name.into()),
        ("image", image.into()),
        ("command", strs(command)),
        ("env", arr(env)),
        ("resources", obj::<&str>(vec![])),
        ("volumeMounts", arr(mounts)),
        ("terminationMessagePath", "/dev/termination-log".into()),
        ("terminationMessagePolicy", "File".into()),
        ("imagePullPolicy", pull.into()),
    ])
}

/// A bootkube checkpoint of the master pod `name` (label `k8s-app: app`), as pod-checkpointer
/// writes it under inactive-manifests/.
fn checkpoint_pod(name: &str, app: &str, volumes: Vec<O>, container: O, security: O) -> O {
    obj(vec![
        ("kind", "Pod".into()),
        ("apiVersion", "v1".into()),
        (
            "metadata",
            obj(vec![
                ("name", name.into()),
                ("namespace", "kube-system".into()),
                ("creationTimestamp", O::Null),
                (
                    "labels",
                    obj(vec![
                        ("k8s-app", app.into()),
                        ("pod-template-generation", "1".into()),
                        ("tier", "control-plane".into()),
                    ]),
                ),
                (
                    "annotations",
                    obj(vec![("checkpointer.alpha.coreos.com/checkpoint-of", name.into())]),
                ),
            ]),
        ),
        (
            "spec",
            obj(vec![
                ("volumes", arr(volumes)),
                ("containers", arr(vec![container])),
                ("restartPolicy", "Always".into()),
                ("terminationGracePeriodSeconds", 30.into()),
                ("dnsPolicy", "ClusterFirst".into()),
                (
                    "nodeSelector",
                    obj(vec![("node-role.kubernetes.io/master", "".into())]),
                ),
                ("hostNetwork", true.into()),
                ("securityContext", security),
                ("schedulerName", "default-scheduler".into()),
                ("tolerations", master_tolerations()),
            ]),
        ),
        ("status", obj::<&str>(vec![])),
    ])
}

fn flannel_cni_conf() -> O {
    obj(vec![
        ("name", "cbr0".into()),
        ("type", "flannel".into()),
        ("delegate", obj(vec![("isDefaultGateway", true.into())])),
    ])
}

fn flannel_net_conf() -> O {
    obj(vec![
        ("Network", "10.2.0.0/16".into()),
        ("Backend", obj(vec![("Type", "vxlan".into())])),
    ])
}

const OLD_EXPIRY: &str = "2026-11-18T00:00:00Z";

fn expired(now: OffsetDateTime) -> String {
    format!(
        "x509: certificate has expired or is not yet valid: current time {} is after {OLD_EXPIRY}",
        rfc3339(now)
    )
}

fn unknown_authority(cn: &str) -> String {
    format!(
        "x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"{cn}\")"
    )
}

const SUBNET_ENV_ERR: &str = "open /run/flannel/subnet.env: no such file or directory";

/// `journalctl -u kubelet -o short-precise`, 08:00 → 09:29.
fn kubelet_log() -> String {
    let pid = 1234;
    let mut lines = vec![
        "-- Logs begin at Fri 2016-11-18 10:02:11 UTC, end at Sat 2026-11-21 09:29:58 UTC. --".to_owned(),
    ];
    let wrap =
        |t: OffsetDateTime, msg: String| logs::short_precise(t, HOST, "kubelet-wrapper", Some(pid), &msg);
    let k = |sev, t: OffsetDateTime, src: &str, msg: &str| {
        wrap(t, logs::klog(sev, t - Duration::microseconds(56), pid, src, msg))
    };
    let t0 = datetime!(2026-11-21 08:00:01.318204 UTC);
    lines.push(logs::short_precise(
        t0,
        HOST,
        "systemd",
        Some(1),
        "Started Kubernetes Kubelet.",
    ));
    lines.push(wrap(t0 + Duration::milliseconds(402), "+ exec /usr/bin/rkt run --uuid-file-save=/var/cache/kubelet-pod.uuid --volume var-lib-cni,kind=host,source=/var/lib/cni --volume var-log,kind=host,source=/var/log --mount volume=var-lib-cni,target=/var/lib/cni --mount volume=var-log,target=/var/log --volume coreos-etc-kubernetes,kind=host,source=/etc/kubernetes,readOnly=false --stage1-from-dir=stage1-fly.aci quay.io/coreos/hyperkube:v1.8.4_coreos.0 --exec=/kubelet -- --kubeconfig=/etc/kubernetes/kubeconfig".to_owned()));
    let t = t0 + Duration::milliseconds(3_120);
    for (sev, ms, src, msg) in [
        (Sev::I, 0, "feature_gate.go:156", "feature gates: map[]"),
        (
            Sev::I,
            1,
            "controller.go:114",
            "kubelet config controller: starting controller",
        ),
        (Sev::I, 2, "server.go:182", "Version: v1.8.4+coreos.0"),
        (
            Sev::I,
            90,
            "certificate_manager.go:361",
            "Requesting new certificate.",
        ),
        (
            Sev::I,
            91,
            "certificate_manager.go:284",
            "Certificate rotation is enabled.",
        ),
        (
            Sev::I,
            512,
            "server.go:391",
            "Using root directory: /var/lib/kubelet",
        ),
        (
            Sev::W,
            804,
            "cni.go:196",
            "Unable to update cni config: No networks found in /etc/kubernetes/cni/net.d",
        ),
        (
            Sev::I,
            1_201,
            "kubelet.go:1779",
            "Starting kubelet main sync loop.",
        ),
        (
            Sev::E,
            1_202,
            "kubelet.go:2095",
            "Container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized",
        ),
    ] {
        lines.push(k(sev, t + Duration::milliseconds(ms), src, msg));
    }
    // Before 08:44 the apiserver serves its old, expired cert; afterwards the new one (signed by B).
    let mut minute = datetime!(2026-11-21 08:01:12 UTC);
    let mut i = 0;
    while minute < datetime!(2026-11-21 09:29:00 UTC) {
        let tls = if minute < APISERVER_PLANT {
            expired(minute)
        } else {
            unknown_authority("kubernetes")
        };
        let m = minute + Duration::microseconds(123_456 + i * 1_111);
        match i % 6 {
            0 => lines.push(k(Sev::E, m, "kubelet_node_status.go:106", &format!("Unable to register node \"{HOST}\" with API server: Post https://{IP}:443/api/v1/nodes: {tls}"))),
            1 => lines.push(k(Sev::E, m, "reflector.go:205", &format!("k8s.io/kubernetes/pkg/kubelet/kubelet.go:413: Failed to list *v1.Node: Get https://{IP}:443/api/v1/nodes?fieldSelector=metadata.name%3D{HOST}&limit=500&resourceVersion=0: {tls}"))),
            2 => {
                lines.push(k(Sev::E, m, "cni.go:259", &format!("Error adding network: {SUBNET_ENV_ERR}")));
                lines.push(k(Sev::E, m + Duration::microseconds(310), "cni.go:227", &format!("Error while adding to cni network: {SUBNET_ENV_ERR}")));
            }
            3 => lines.push(k(Sev::E, m, "kubelet.go:2095", "Container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized")),
            4 => {
                let app_uid = kube::uid(&format!("default/{APP_POD}"));
                let sandbox = kube::hex_id(&format!("sandbox/{i}"), 64);
                lines.push(k(Sev::E, m, "pod_workers.go:182", &format!("Error syncing pod {app_uid} (\"{APP_POD}_default({app_uid})\"), skipping: failed to \"CreatePodSandbox\" for \"{APP_POD}_default({app_uid})\" with CreatePodSandboxError: \"CreatePodSandbox for pod \\\"{APP_POD}_default({app_uid})\\\" failed: rpc error: code = Unknown desc = failed to set up sandbox container \\\"{sandbox}\\\" network for pod \\\"{APP_POD}\\\": plugin type=\\\"flannel\\\" failed (add): loadFlannelSubnetEnv failed: {SUBNET_ENV_ERR}\"")));
            }
            _ => {
                let fl_uid = kube::uid(&format!("kube-system/{FLANNEL_POD}"));
                lines.push(k(Sev::E, m, "pod_workers.go:182", &format!("Error syncing pod {fl_uid} (\"{FLANNEL_POD}_kube-system({fl_uid})\"), skipping: failed to \"StartContainer\" for \"kube-flannel\" with CrashLoopBackOff: \"Back-off 5m0s restarting failed container=kube-flannel pod={FLANNEL_POD}_kube-system({fl_uid})\"")));
            }
        }
        if i == 20 {
            lines.push(k(
                Sev::I,
                m + Duration::seconds(4),
                "kubelet.go:1837",
                &format!("SyncLoop (ADD, \"file\"): \"{APISERVER_POD}_kube-system(checkpoint)\""),
            ));
        }
        minute += Duration::seconds(97);
        i += 1;
    }
    logs::join(&lines)
}

/// etcd-member (etcd 3.3 capnslog text under journald short-iso).
fn etcd_log() -> String {
    let pid_old = 871;
    let pid_new = 2101;
    let mut lines = Vec::new();
    let e = |t: OffsetDateTime, pid: u32, lvl: char, pkg: &str, msg: &str| {
        let fmt = time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]"
        );
        let inner = format!("{} {lvl} | {pkg}: {msg}", t.format(&fmt).unwrap_or_default());
        logs::short_iso(t, HOST, "etcd-wrapper", Some(pid), &inner)
    };
    let rejected = |port: u32| {
        format!(
            "rejected connection from \"{IP}:{port}\" (error \"remote error: tls: bad certificate\", ServerName \"\")"
        )
    };
    let mut port = 49_100;
    let mut t = datetime!(2026-11-21 08:02:12.201733 UTC);
    while t < ETCD_RESTART - Duration::seconds(10) {
        lines.push(e(t, pid_old, 'I', "embed", &rejected(port)));
        port += 37;
        t += Duration::seconds(293);
    }
    let s = ETCD_RESTART - Duration::seconds(2);
    lines.push(logs::short_iso(
        s,
        HOST,
        "systemd",
        Some(1),
        "Stopping etcd (System Application Container)...",
    ));
    lines.push(e(
        s + Duration::milliseconds(40),
        pid_old,
        'N',
        "osutil",
        "received terminated signal, shutting down...",
    ));
    lines.push(logs::short_iso(
        s + Duration::seconds(1),
        HOST,
        "systemd",
        Some(1),
        "Stopped etcd (System Application Container).",
    ));
    lines.push(logs::short_iso(
        ETCD_RESTART,
        HOST,
        "systemd",
        Some(1),
        "Starting etcd (System Application Container)...",
    ));
    let r = ETCD_RESTART + Duration::milliseconds(1_512);
    let startup = [
        (
            'I',
            "pkg/flags",
            "recognized and used environment variable ETCD_ADVERTISE_CLIENT_URLS=https://10.0.0.10:2379",
        ),
        (
            'I',
            "pkg/flags",
            "recognized and used environment variable ETCD_CERT_FILE=/etc/ssl/certs/etcd/server.crt",
        ),
        (
            'I',
            "pkg/flags",
            "recognized and used environment variable ETCD_CLIENT_CERT_AUTH=true",
        ),
        (
            'I',
            "pkg/flags",
            "recognized and used environment variable ETCD_TRUSTED_CA_FILE=/etc/ssl/certs/etcd/ca.crt",
        ),
        ('I', "etcdmain", "etcd Version: 3.3.25"),
        ('I', "etcdmain", "Git SHA: 2b4c0ed7a"),
        (
            'I',
            "embed",
            "peerTLS: cert = /etc/ssl/certs/etcd/peer.crt, key = /etc/ssl/certs/etcd/peer.key, ca = , trusted-ca = /etc/ssl/certs/etcd/ca.crt, client-cert-auth = true, crl-file = ",
        ),
        ('I', "embed", "listening for peers on https://0.0.0.0:2380"),
        ('I', "embed", "listening for client requests on 0.0.0.0:2379"),
        ('I', "etcdserver", "name = master-01"),
        ('I', "etcdserver", "data dir = /var/lib/etcd"),
        (
            'I',
            "embed",
            "ClientTLS: cert = /etc/ssl/certs/etcd/server.crt, key = /etc/ssl/certs/etcd/server.key, ca = , trusted-ca = /etc/ssl/certs/etcd/ca.crt, client-cert-auth = true, crl-file = ",
        ),
        ('I', "raft", "2a3f6c1d8e9b4a75 became leader at term 412"),
        (
            'I',
            "etcdserver",
            "published {Name:master-01 ClientURLs:[https://10.0.0.10:2379]} to cluster 6b4d5f1a3c2e9d87",
        ),
        ('I', "embed", "ready to serve client requests"),
        ('I', "embed", "serving client requests on [::]:2379"),
    ];
    for (j, (lvl, pkg, msg)) in startup.iter().enumerate() {
        lines.push(e(
            r + Duration::microseconds(j as i64 * 2_417),
            pid_new,
            *lvl,
            pkg,
            msg,
        ));
    }
    lines.push(logs::short_iso(
        r + Duration::milliseconds(60),
        HOST,
        "systemd",
        Some(1),
        "Started etcd (System Application Container).",
    ));
    let mut t = ETCD_RESTART + Duration::seconds(41) + Duration::microseconds(77_123);
    while t < datetime!(2026-11-21 09:29:30 UTC) {
        lines.push(e(t, pid_new, 'I', "embed", &rejected(port)));
        port += 41;
        t += Duration::seconds(211);
    }
    logs::join(&lines)
}

/// kube-apiserver container log (CRI format).
fn apiserver_log() -> String {
    let mut lines = Vec::new();
    let k = |sev, t: OffsetDateTime, src: &str, msg: &str| {
        logs::cri(
            t + Duration::nanoseconds(789),
            "stderr",
            &logs::klog(sev, t, 1, src, msg),
        )
    };
    let t0 = datetime!(2026-11-21 08:02:10.412233 UTC);
    lines.push(k(Sev::I, t0, "server.go:114", "Version: v1.8.4+coreos.0"));
    lines.push(k(
        Sev::I,
        t0 + Duration::milliseconds(610),
        "plugins.go:101",
        "No cloud provider specified.",
    ));
    lines.push(k(
        Sev::I,
        t0 + Duration::milliseconds(902),
        "feature_gate.go:156",
        "feature gates: map[]",
    ));
    let mut t = t0 + Duration::seconds(2);
    let mut i = 0;
    while t < datetime!(2026-11-21 09:29:00 UTC) {
        let err = if t < ETCD_RESTART {
            expired(t)
        } else {
            unknown_authority("etcd-ca")
        };
        lines.push(k(Sev::W, t, "clientconn.go:1331", &format!("grpc: addrConn.createTransport failed to connect to {{https://{IP}:2379 0  <nil>}}. Err :connection error: desc = \"transport: authentication handshake failed: {err}\". Reconnecting...")));
        if i % 4 == 3 {
            lines.push(k(Sev::E, t + Duration::milliseconds(12), "reflector.go:205", "k8s.io/kubernetes/pkg/client/informers/informers_generated/internalversion/factory.go:73: Failed to list *api.Namespace: the server could not find the requested resource"));
        }
        t += Duration::seconds(263) + Duration::microseconds(1_117 * i);
        i += 1;
    }
    logs::join(&lines)
}

/// An AWS-shaped (but fake) access key id: `AKIA` + 16 base32 characters from the seed.
fn aws_access_key_id() -> String {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let b = seeded_bytes("incident/aws-access-key-id", 16);
    let tail: String = b.iter().map(|x| B32[usize::from(x % 32)] as char).collect();
    format!("AKIA{tail}")
}

/// 40 characters from the AWS secret-key alphabet.
fn aws_secret_access_key() -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    seeded_bytes("incident/aws-secret-access-key", 40)
        .iter()
        .map(|x| ALPHA[usize::from(x % 64)] as char)
        .collect()
}

/// Traefik container log (CRI format).
fn traefik_log() -> String {
    let mut lines = Vec::new();
    let l = |t: OffsetDateTime, level: &str, msg: &str, extra: &str| {
        let body = format!(
            "time=\"{}\" level={level} msg={}{extra}",
            rfc3339(t),
            serde_json::to_string(msg).unwrap_or_default()
        );
        logs::cri(t + Duration::nanoseconds(345_678_901), "stdout", &body)
    };
    let t0 = datetime!(2026-11-21 08:05:12 UTC);
    lines.push(l(
        t0,
        "info",
        "Traefik version v1.7.34 built on 2021-12-10_04:59:11PM",
        "",
    ));
    lines.push(l(
        t0,
        "info",
        "Using TOML configuration file /config/traefik.toml",
        "",
    ));
    lines.push(l(t0 + Duration::seconds(1), "info", "Preparing server http &{Address::80 TLS:<nil> Redirect:<nil> Auth:<nil> WhitelistSourceRange:[] WhiteList:<nil> Compress:false ProxyProtocol:<nil> ForwardedHeaders:0xc0004d2a20} with readTimeout=0s writeTimeout=0s idleTimeout=3m0s", ""));
    lines.push(l(
        t0 + Duration::seconds(1),
        "info",
        "Starting provider configuration.ProviderAggregator {}",
        "",
    ));
    lines.push(l(
        t0 + Duration::seconds(1),
        "info",
        "Starting server on :443",
        "",
    ));
    lines.push(l(t0 + Duration::seconds(2), "info", "Starting provider *acme.Provider {\"Email\":\"ops@example.com\",\"ACMELogging\":false,\"CAServer\":\"https://acme-v02.api.letsencrypt.org/directory\",\"Storage\":\"/acme/acme.json\",\"EntryPoint\":\"https\",\"KeyType\":\"\",\"OnHostRule\":true,\"OnDemand\":false,\"DNSChallenge\":{\"Provider\":\"route53\",\"DelayBeforeCheck\":0,\"Resolvers\":null,\"DisablePropagationCheck\":false},\"HTTPChallenge\":null,\"TLSChallenge\":null,\"Domains\":null,\"Store\":null}", ""));
    lines.push(l(
        t0 + Duration::seconds(2),
        "info",
        "Testing certificate renew...",
        "",
    ));
    let mut t = t0 + Duration::seconds(9);
    let mut i = 0;
    while t < datetime!(2026-11-21 09:29:00 UTC) {
        let request_id = kube::uid(&format!("incident/route53-request/{i}"));
        let msg = format!(
            "Unable to obtain ACME certificate for domains \"app.example.com\" : unable to generate a certificate for the domains [app.example.com]: acme: error presenting token: route53: failed to determine hosted zone ID: InvalidClientTokenId: The security token included in the request is invalid.\n\tstatus code: 403, request id: {request_id}"
        );
        lines.push(l(t, "error", &msg, " providerName=route53.acme"));
        t += Duration::seconds(601);
        i += 1;
    }
    logs::join(&lines)
}

fn cluster_dumps(p: &Pki, t: &mut Tree) -> Result<()> {
    let old_ca = p.old_ca.pem();
    // Secrets.
    let mut apiserver = kube::secret(
        "kube-system",
        "kube-apiserver",
        "Opaque",
        &apiserver_secret_data(p)?,
        INSTALL,
    );
    apiserver["metadata"]["resourceVersion"] = json!("14820331");
    let cm = kube::secret(
        "kube-system",
        "kube-controller-manager",
        "Opaque",
        &[
            ("ca.crt", old_ca.clone().into_bytes()),
            ("service-account.key", p.sa.private_pem()?.into_bytes()),
        ],
        INSTALL,
    );
    let mut secrets = vec![apiserver, cm];
    for (ns, sa, name) in [
        ("kube-system", "default", "default-token-4x9kq"),
        ("kube-system", "kube-dns", "kube-dns-token-8qz2m"),
        (
            "kube-system",
            "kube-controller-manager",
            "kube-controller-manager-token-lm2fz",
        ),
        ("default", "default", "default-token-p8s7d"),
    ] {
        secrets.push(kube::sa_token_secret(
            &p.sa,
            ns,
            sa,
            name,
            &old_ca,
            INSTALL + Duration::minutes(3),
        )?);
    }
    secrets.push(kube::secret(
        "ingress",
        "traefik-route53",
        "Opaque",
        &[
            ("AWS_ACCESS_KEY_ID", aws_access_key_id().into_bytes()),
            ("AWS_REGION", b"us-east-1".to_vec()),
            ("AWS_SECRET_ACCESS_KEY", aws_secret_access_key().into_bytes()),
        ],
        datetime!(2019-03-12 14:21:07 UTC),
    ));
    secrets.sort_by_key(|s| {
        (
            s["metadata"]["namespace"].as_str().unwrap_or("").to_owned(),
            s["metadata"]["name"].as_str().unwrap_or("").to_owned(),
        )
    });
    t.file(
        "cluster/secrets.yaml",
        kube::to_kubectl_yaml(&kube::list(secrets)),
    );

    // ConfigMaps (JSON).
    let mut flannel_cfg = kube::configmap(
        "kube-system",
        "kube-flannel-cfg",
        &[
            ("cni-conf.json", ojson::to_pretty(&flannel_cni_conf(), "  ")?),
            ("net-conf.json", ojson::to_pretty(&flannel_net_conf(), "  ")?),
        ],
        INSTALL,
    );
    kube::set_map(
        &mut flannel_cfg,
        "labels",
        &[("app", "flannel"), ("tier", "node")],
    );
    t.file(
        "cluster/configmaps.json",
        kube::to_kubectl_json(&kube::list(vec![flannel_cfg]))?,
    );

    t.file("cluster/pods.yaml", kube::to_kubectl_yaml(&kube::list(pods())));
    t.file(
        "cluster/deployments.yaml",
        kube::to_kubectl_yaml(&kube::list(deployments())),
    );
    t.file(
        "cluster/daemonsets.yaml",
        kube::to_kubectl_yaml(&kube::list(daemonsets())),
    );
    t.file(
        "cluster/nodes.yaml",
        kube::to_kubectl_yaml(&kube::list(vec![master_node(), node02()])),
    );
    t.file(
        "cluster/events.yaml",
        kube::to_kubectl_yaml(&kube::list(events())),
    );
    Ok(())
}

fn master_toleration_v() -> Value {
    json!([{"effect": "NoSchedule", "key": "node-role.kubernetes.io/master", "operator": "Exists"}])
}

fn apiserver_spec() -> Value {
    json!({
        "containers": [{
            "command": apiserver_command(),
            "env": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}],
            "image": HYPERKUBE,
            "name": "kube-apiserver",
            "volumeMounts": [
                {"mountPath": "/etc/ssl/certs", "name": "ssl-certs-host", "readOnly": true},
                {"mountPath": "/etc/kubernetes/secrets", "name": "secrets", "readOnly": true},
            ],
        }],
        "hostNetwork": true,
        "nodeSelector": {"node-role.kubernetes.io/master": ""},
        "securityContext": {"runAsNonRoot": true, "runAsUser": 65534},
        "tolerations": master_toleration_v(),
        "volumes": [
            {"hostPath": {"path": "/usr/share/ca-certificates", "type": ""}, "name": "ssl-certs-host"},
            {"name": "secrets", "secret": {"defaultMode": 420, "secretName": "kube-apiserver"}},
        ],
    })
}

fn flannel_spec() -> Value {
    json!({
        "containers": [
            {
                "command": ["/opt/bin/flanneld", "--ip-masq", "--kube-subnet-mgr", "--iface=$(POD_IP)"],
                "env": [
                    {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
                    {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
                ],
                "image": "quay.io/coreos/flannel:v0.9.1-amd64",
                "name": "kube-flannel",
                "securityContext": {"privileged": true},
                "volumeMounts": [
                    {"mountPath": "/run", "name": "run"},
                    {"mountPath": "/etc/kube-flannel/", "name": "flannel-cfg"},
                ],
            },
            {
                "command": ["/bin/sh", "-c", "set -e -x; TMP=/etc/cni/net.d/.tmp-flannel-cfg; cp /etc/kube-flannel/cni-conf.json ${TMP}; mv ${TMP} /etc/cni/net.d/10-flannel.conf; while :; do sleep 3600; done"],
                "image": "quay.io/coreos/flannel-cni:v0.3.0",
                "name": "install-cni",
                "volumeMounts": [
                    {"mountPath": "/etc/cni/net.d", "name": "cni"},
                    {"mountPath": "/etc/kube-flannel/", "name": "flannel-cfg"},
                ],
            },
        ],
        "hostNetwork": true,
        "serviceAccountName": "flannel",
        "tolerations": [{"effect": "NoSchedule", "operator": "Exists"}],
        "volumes": [
            {"hostPath": {"path": "/run", "type": ""}, "name": "run"},
            {"hostPath": {"path": "/etc/kubernetes/cni/net.d", "type": ""}, "name": "cni"},
            {"configMap": {"defaultMode": 420, "name": "kube-flannel-cfg"}, "name": "flannel-cfg"},
        ],
    })
}

fn checkpointer_spec() -> Value {
    let env = |n: &str, p: &str| json!({"name": n, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": p}}});
    json!({
        "containers": [{
            "command": ["/checkpoint", "--lock-file=/var/run/lock/pod-checkpointer.lock", "--kubeconfig=/etc/checkpointer/kubeconfig"],
            "env": [env("NODE_NAME", "spec.nodeName"), env("POD_NAME", "metadata.name"), env("POD_NAMESPACE", "metadata.namespace")],
            "image": "quay.io/coreos/pod-checkpointer:e22cc0e3714378de92f45326474874eb602ca0ac",
            "imagePullPolicy": "Always",
            "name": "pod-checkpointer",
            "volumeMounts": [
                {"mountPath": "/etc/checkpointer", "name": "kubeconfig"},
                {"mountPath": "/etc/kubernetes", "name": "etc-kubernetes"},
                {"mountPath": "/var/run", "name": "var-run"},
            ],
        }],
        "hostNetwork": true,
        "nodeSelector": {"node-role.kubernetes.io/master": ""},
        "serviceAccountName": "pod-checkpointer",
        "tolerations": master_toleration_v(),
        "volumes": [
            {"configMap": {"defaultMode": 420, "name": "kubeconfig-in-cluster"}, "name": "kubeconfig"},
            {"hostPath": {"path": "/etc/kubernetes", "type": ""}, "name": "etc-kubernetes"},
            {"hostPath": {"path": "/var/run", "type": ""}, "name": "var-run"},
        ],
    })
}

fn proxy_spec() -> Value {
    json!({
        "containers": [{
            "command": ["./hyperkube", "proxy", "--cluster-cidr=10.2.0.0/16", "--hostname-override=$(NODE_NAME)", "--kubeconfig=/etc/kubernetes/kubeconfig", "--proxy-mode=iptables"],
            "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
            "image": HYPERKUBE,
            "name": "kube-proxy",
            "securityContext": {"privileged": true},
            "volumeMounts": [
                {"mountPath": "/etc/ssl/certs", "name": "ssl-certs-host", "readOnly": true},
                {"mountPath": "/etc/kubernetes", "name": "etc-kubernetes", "readOnly": true},
            ],
        }],
        "hostNetwork": true,
        "serviceAccountName": "kube-proxy",
        "tolerations": [{"effect": "NoSchedule", "operator": "Exists"}],
        "volumes": [
            {"hostPath": {"path": "/usr/share/ca-certificates", "type": ""}, "name": "ssl-certs-host"},
            {"hostPath": {"path": "/etc/kubernetes", "type": ""}, "name": "etc-kubernetes"},
        ],
    })
}

fn traefik_spec() -> Value {
    let secret_env =
        |n: &str| json!({"name": n, "valueFrom": {"secretKeyRef": {"key": n, "name": "traefik-route53"}}});
    json!({
        "containers": [{
            "args": [
                "--configfile=/config/traefik.toml",
                "--acme",
                "--acme.dnschallenge",
                "--acme.dnschallenge.provider=route53",
                "--acme.email=ops@example.com",
                "--acme.entrypoint=https",
                "--acme.onhostrule=true",
                "--acme.storage=/acme/acme.json",
            ],
            "env": [secret_env("AWS_ACCESS_KEY_ID"), secret_env("AWS_SECRET_ACCESS_KEY"), {"name": "AWS_REGION", "value": "us-east-1"}],
            "image": "traefik:v1.7.34",
            "name": "traefik",
            "ports": [{"containerPort": 80, "name": "http", "protocol": "TCP"}, {"containerPort": 443, "name": "https", "protocol": "TCP"}],
            "volumeMounts": [{"mountPath": "/config", "name": "config"}, {"mountPath": "/acme", "name": "acme"}],
        }],
        "serviceAccountName": "traefik",
        "volumes": [
            {"configMap": {"defaultMode": 420, "name": "traefik"}, "name": "config"},
            {"emptyDir": {}, "name": "acme"},
        ],
    })
}

fn scheduler_spec() -> Value {
    json!({
        "containers": [{
            "command": ["./hyperkube", "scheduler", "--leader-elect=true"],
            "image": HYPERKUBE,
            "livenessProbe": {"failureThreshold": 3, "httpGet": {"path": "/healthz", "port": 10251, "scheme": "HTTP"}, "initialDelaySeconds": 15, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 15},
            "name": "kube-scheduler",
        }],
        "nodeSelector": {"node-role.kubernetes.io/master": ""},
        "securityContext": {"runAsNonRoot": true, "runAsUser": 65534},
        "tolerations": master_toleration_v(),
    })
}

fn controller_manager_spec() -> Value {
    json!({
        "containers": [{
            "command": [
                "./hyperkube", "controller-manager",
                "--allocate-node-cidrs=true",
                "--cloud-provider=",
                "--cluster-cidr=10.2.0.0/16",
                "--configure-cloud-routes=false",
                "--leader-elect=true",
                "--root-ca-file=/etc/kubernetes/secrets/ca.crt",
                "--service-account-private-key-file=/etc/kubernetes/secrets/service-account.key",
            ],
            "image": HYPERKUBE,
            "livenessProbe": {"failureThreshold": 3, "httpGet": {"path": "/healthz", "port": 10252, "scheme": "HTTP"}, "initialDelaySeconds": 15, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 15},
            "name": "kube-controller-manager",
            "volumeMounts": [
                {"mountPath": "/etc/kubernetes/secrets", "name": "secrets", "readOnly": true},
                {"mountPath": "/etc/ssl/certs", "name": "ssl-host", "readOnly": true},
            ],
        }],
        "nodeSelector": {"node-role.kubernetes.io/master": ""},
        "securityContext": {"runAsNonRoot": true, "runAsUser": 65534},
        "tolerations": master_toleration_v(),
        "volumes": [
            {"name": "secrets", "secret": {"defaultMode": 420, "secretName": "kube-controller-manager"}},
            {"hostPath": {"path": "/usr/share/ca-certificates", "type": ""}, "name": "ssl-host"},
        ],
    })
}

fn kube_dns_spec() -> Value {
    json!({
        "containers": [
            {"args": ["--domain=cluster.local.", "--dns-port=10053", "--config-dir=/kube-dns-config", "--v=2"], "image": "gcr.io/google_containers/k8s-dns-kube-dns-amd64:1.14.5", "name": "kubedns",
             "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}}},
            {"args": ["-v=2", "-logtostderr", "-configDir=/etc/k8s/dns/dnsmasq-nanny", "-restartDnsmasq=true", "--", "-k", "--cache-size=1000", "--log-facility=-", "--server=/cluster.local/127.0.0.1#10053"], "image": "gcr.io/google_containers/k8s-dns-dnsmasq-nanny-amd64:1.14.5", "name": "dnsmasq",
             "resources": {"requests": {"cpu": "150m", "memory": "20Mi"}}},
            {"args": ["--v=2", "--logtostderr", "--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,A"], "image": "gcr.io/google_containers/k8s-dns-sidecar-amd64:1.14.5", "name": "sidecar",
             "resources": {"requests": {"cpu": "10m", "memory": "20Mi"}}},
        ],
        "dnsPolicy": "Default",
        "serviceAccountName": "kube-dns",
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
    })
}

fn with_defaults(mut spec: Value) -> Value {
    kube::pod_spec_defaults(&mut spec);
    spec
}

#[allow(clippy::too_many_arguments)]
fn pod(
    ns: &str,
    name: &str,
    labels: &[(&str, &str)],
    owner: (&str, &str),
    spec: Value,
    node: Option<&str>,
    status: Value,
    created: OffsetDateTime,
) -> Value {
    let mut meta = kube::meta(Some(ns), name, created);
    meta["labels"] = Value::Object(labels.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect());
    meta["generateName"] = json!(format!("{}-", owner.1));
    meta["ownerReferences"] = json!([{"apiVersion": "extensions/v1beta1", "blockOwnerDeletion": true, "controller": true, "kind": owner.0, "name": owner.1, "uid": kube::uid(&format!("{ns}/{}", owner.1))}]);
    let mut spec = with_defaults(spec);
    if let Some(n) = node {
        spec["nodeName"] = json!(n);
    }
    let sa = spec
        .get("serviceAccountName")
        .cloned()
        .unwrap_or(json!("default"));
    spec["serviceAccountName"] = sa.clone();
    spec["serviceAccount"] = sa;
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status})
}

fn pods() -> Vec<Value> {
    let started = datetime!(2026-11-21 08:02:10 UTC);
    let crash = |name: &str, restarts: u32, last_start: OffsetDateTime| {
        let mut c = CStatus::running(name, HYPERKUBE, last_start);
        c.runtime = "docker";
        c.restarts = restarts;
        c.last_terminated = Some((
            255,
            "Error".into(),
            last_start - Duration::seconds(300),
            last_start - Duration::seconds(10),
        ));
        c
    };
    let mut out = Vec::new();

    let mut api = pod(
        "kube-system",
        APISERVER_POD,
        &[
            ("k8s-app", "kube-apiserver"),
            ("pod-template-generation", "1"),
            ("tier", "control-plane"),
        ],
        ("DaemonSet", "kube-apiserver"),
        apiserver_spec(),
        Some(HOST),
        kube::pod_status(StatusIn {
            pod_id: APISERVER_POD,
            phase: "Running",
            host_ip: Some(IP),
            pod_ip: Some(IP),
            start: Some(INSTALL + Duration::minutes(2)),
            qos: "BestEffort",
            containers: vec![crash("kube-apiserver", 143, datetime!(2026-11-21 09:24:51 UTC))],
            transition: datetime!(2026-11-21 09:24:53 UTC),
            conditions: None,
            modern: false,
        }),
        INSTALL + Duration::minutes(2),
    );
    kube::set_map(
        &mut api,
        "annotations",
        &[("checkpointer.alpha.coreos.com/checkpoint", "true")],
    );
    out.push(api);

    let mut fl = crash("kube-flannel", 37, started);
    fl.image = "quay.io/coreos/flannel:v0.9.1-amd64".into();
    fl.state = CState::Waiting {
        reason: "CrashLoopBackOff".into(),
        message: Some(format!(
            "Back-off 5m0s restarting failed container=kube-flannel pod={FLANNEL_POD}_kube-system({})",
            kube::uid(&format!("kube-system/{FLANNEL_POD}"))
        )),
    };
    fl.last_terminated = Some((
        1,
        "Error".into(),
        datetime!(2026-11-21 09:22:40 UTC),
        datetime!(2026-11-21 09:23:11 UTC),
    ));
    let mut install = CStatus::running("install-cni", "quay.io/coreos/flannel-cni:v0.3.0", started);
    install.runtime = "docker";
    out.push(pod(
        "kube-system",
        FLANNEL_POD,
        &[
            ("app", "flannel"),
            ("pod-template-generation", "1"),
            ("tier", "node"),
        ],
        ("DaemonSet", "kube-flannel"),
        flannel_spec(),
        Some(HOST),
        kube::pod_status(StatusIn {
            pod_id: FLANNEL_POD,
            phase: "Running",
            host_ip: Some(IP),
            pod_ip: Some(IP),
            start: Some(INSTALL + Duration::minutes(3)),
            qos: "BestEffort",
            containers: vec![install, fl],
            transition: datetime!(2026-11-21 08:02:40 UTC),
            conditions: None,
            modern: false,
        }),
        INSTALL + Duration::minutes(3),
    ));

    let mut ck = CStatus::running(
        "pod-checkpointer",
        "quay.io/coreos/pod-checkpointer:e22cc0e3714378de92f45326474874eb602ca0ac",
        started,
    );
    ck.runtime = "docker";
    ck.restarts = 12;
    out.push(pod(
        "kube-system",
        CHECKPOINTER_POD,
        &[
            ("k8s-app", "pod-checkpointer"),
            ("pod-template-generation", "1"),
            ("tier", "control-plane"),
        ],
        ("DaemonSet", "pod-checkpointer"),
        checkpointer_spec(),
        Some(HOST),
        kube::pod_status(StatusIn {
            pod_id: CHECKPOINTER_POD,
            phase: "Running",
            host_ip: Some(IP),
            pod_ip: Some(IP),
            start: Some(INSTALL + Duration::minutes(2)),
            qos: "BestEffort",
            containers: vec![ck],
            transition: started,
            conditions: None,
            modern: false,
        }),
        INSTALL + Duration::minutes(2),
    ));

    let mut px = CStatus::running("kube-proxy", HYPERKUBE, started);
    px.runtime = "docker";
    px.restarts = 4;
    out.push(pod(
        "kube-system",
        "kube-proxy-r7m2w",
        &[
            ("k8s-app", "kube-proxy"),
            ("pod-template-generation", "1"),
            ("tier", "node"),
        ],
        ("DaemonSet", "kube-proxy"),
        proxy_spec(),
        Some(HOST),
        kube::pod_status(StatusIn {
            pod_id: "kube-proxy-r7m2w",
            phase: "Running",
            host_ip: Some(IP),
            pod_ip: Some(IP),
            start: Some(INSTALL + Duration::minutes(3)),
            qos: "BestEffort",
            containers: vec![px],
            transition: started,
            conditions: None,
            modern: false,
        }),
        INSTALL + Duration::minutes(3),
    ));

    for name in ["kube-dns-5c8b9d6f47-q8xzv", "kube-dns-5c8b9d6f47-zl5tn"] {
        out.push(pod(
            "kube-system",
            name,
            &[("k8s-app", "kube-dns"), ("pod-template-hash", "1746582903")],
            ("ReplicaSet", "kube-dns-5c8b9d6f47"),
            kube_dns_spec(),
            None,
            json!({"phase": "Pending", "qosClass": "Burstable"}),
            datetime!(2026-11-19 22:14:03 UTC),
        ));
    }

    let mut tr = CStatus::running("traefik", "traefik:v1.7.34", datetime!(2026-11-21 08:05:11 UTC));
    tr.runtime = "docker";
    tr.restarts = 2;
    let mut traefik_spec_v = traefik_spec();
    traefik_spec_v["tolerations"] = json!([]);
    out.push(pod(
        "ingress",
        TRAEFIK_POD,
        &[("app", "traefik"), ("pod-template-hash", "2859373")],
        ("ReplicaSet", "traefik-6d9f7c"),
        traefik_spec_v,
        Some(HOST),
        kube::pod_status(StatusIn {
            pod_id: TRAEFIK_POD,
            phase: "Running",
            host_ip: Some(IP),
            pod_ip: Some("10.2.0.14"),
            start: Some(datetime!(2026-11-19 23:40:12 UTC)),
            qos: "BestEffort",
            containers: vec![tr],
            transition: datetime!(2026-11-21 08:05:13 UTC),
            conditions: None,
            modern: false,
        }),
        datetime!(2026-11-19 23:40:10 UTC),
    ));

    let app = CStatus {
        name: "app".into(),
        image: "registry.example.com/app:2.4.1".into(),
        state: CState::Waiting {
            reason: "ContainerCreating".into(),
            message: None,
        },
        restarts: 0,
        last_terminated: None,
        runtime: "docker",
    };
    out.push(pod(
        "default",
        APP_POD,
        &[("app", "app"), ("pod-template-hash", "1857397462")],
        ("ReplicaSet", "app-5d9c7f8b6"),
        json!({"containers": [{"image": "registry.example.com/app:2.4.1", "name": "app", "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]}),
        Some(HOST),
        kube::pod_status(StatusIn { pod_id: APP_POD, phase: "Pending", host_ip: Some(IP), pod_ip: None, start: Some(datetime!(2026-11-21 07:58:30 UTC)), qos: "BestEffort", containers: vec![app], transition: datetime!(2026-11-21 07:58:30 UTC), conditions: None, modern: false }),
        datetime!(2026-11-21 07:58:29 UTC),
    ));
    out.sort_by_key(|p| {
        (
            p["metadata"]["namespace"].as_str().unwrap_or("").to_owned(),
            p["metadata"]["name"].as_str().unwrap_or("").to_owned(),
        )
    });
    out
}

fn deployment(
    ns: &str,
    name: &str,
    labels: &[(&str, &str)],
    spec: Value,
    replicas: u32,
    ready: u32,
    created: OffsetDateTime,
) -> Value {
    let mut meta = kube::meta(Some(ns), name, created);
    let l: serde_json::Map<String, Value> = labels.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    meta["labels"] = Value::Object(l.clone());
    meta["annotations"] = json!({"deployment.kubernetes.io/revision": "1"});
    meta["generation"] = json!(1);
    let mut status = json!({
        "conditions": [{
            "lastTransitionTime": if ready == replicas { rfc3339(created + Duration::minutes(1)) } else { "2026-11-18T00:07:31Z".to_owned() },
            "lastUpdateTime": if ready == replicas { rfc3339(created + Duration::minutes(1)) } else { "2026-11-18T00:07:31Z".to_owned() },
            "message": if ready == replicas { "Deployment has minimum availability." } else { "Deployment does not have minimum availability." },
            "reason": if ready == replicas { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
            "status": if ready == replicas { "True" } else { "False" },
            "type": "Available",
        }],
        "observedGeneration": 1,
        "replicas": replicas,
        "updatedReplicas": replicas,
    });
    if ready > 0 {
        status["readyReplicas"] = json!(ready);
        status["availableReplicas"] = json!(ready);
    }
    if ready < replicas {
        status["unavailableReplicas"] = json!(replicas - ready);
    }
    json!({
        "apiVersion": "extensions/v1beta1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": l},
            "strategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}, "type": "RollingUpdate"},
            "template": {"metadata": {"creationTimestamp": null, "labels": l}, "spec": with_defaults(spec)},
        },
        "status": status,
    })
}

fn deployments() -> Vec<Value> {
    vec![
        deployment(
            "ingress",
            "traefik",
            &[("app", "traefik")],
            traefik_spec(),
            1,
            1,
            datetime!(2019-03-12 14:21:09 UTC),
        ),
        deployment(
            "kube-system",
            "kube-controller-manager",
            &[("k8s-app", "kube-controller-manager"), ("tier", "control-plane")],
            controller_manager_spec(),
            2,
            0,
            INSTALL + Duration::minutes(1),
        ),
        deployment(
            "kube-system",
            "kube-dns",
            &[("k8s-app", "kube-dns")],
            kube_dns_spec(),
            2,
            0,
            INSTALL + Duration::minutes(1),
        ),
        deployment(
            "kube-system",
            "kube-scheduler",
            &[("k8s-app", "kube-scheduler"), ("tier", "control-plane")],
            scheduler_spec(),
            2,
            0,
            INSTALL + Duration::minutes(1),
        ),
    ]
}

fn daemonset(
    name: &str,
    labels: &[(&str, &str)],
    spec: Value,
    template_ann: Option<(&str, &str)>,
    ready: u32,
) -> Value {
    let mut meta = kube::meta(Some("kube-system"), name, INSTALL + Duration::minutes(1));
    let l: serde_json::Map<String, Value> = labels.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    meta["labels"] = Value::Object(l.clone());
    meta["generation"] = json!(1);
    let mut tmeta = json!({"creationTimestamp": null, "labels": l});
    if let Some((k, v)) = template_ann {
        tmeta["annotations"] = json!({ k: v });
    }
    let mut status = json!({
        "currentNumberScheduled": 1,
        "desiredNumberScheduled": 1,
        "numberMisscheduled": 0,
        "numberReady": ready,
        "observedGeneration": 1,
        "updatedNumberScheduled": 1,
    });
    if ready > 0 {
        status["numberAvailable"] = json!(ready);
    } else {
        status["numberUnavailable"] = json!(1);
    }
    json!({
        "apiVersion": "extensions/v1beta1",
        "kind": "DaemonSet",
        "metadata": meta,
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": l},
            "template": {"metadata": tmeta, "spec": with_defaults(spec)},
            "templateGeneration": 1,
            "updateStrategy": {"rollingUpdate": {"maxUnavailable": 1}, "type": "RollingUpdate"},
        },
        "status": status,
    })
}

fn daemonsets() -> Vec<Value> {
    vec![
        daemonset(
            "kube-apiserver",
            &[("k8s-app", "kube-apiserver"), ("tier", "control-plane")],
            apiserver_spec(),
            Some(("checkpointer.alpha.coreos.com/checkpoint", "true")),
            1,
        ),
        daemonset(
            "kube-flannel",
            &[("app", "flannel"), ("tier", "node")],
            flannel_spec(),
            None,
            0,
        ),
        daemonset(
            "kube-proxy",
            &[("k8s-app", "kube-proxy"), ("tier", "node")],
            proxy_spec(),
            None,
            1,
        ),
        daemonset(
            "pod-checkpointer",
            &[("k8s-app", "pod-checkpointer"), ("tier", "control-plane")],
            checkpointer_spec(),
            Some(("checkpointer.alpha.coreos.com/checkpoint", "true")),
            1,
        ),
    ]
}

fn node_obj(
    name: &str,
    ip: &str,
    cidr: &str,
    labels: Value,
    taints: Option<Value>,
    conditions: Value,
) -> Value {
    let mut meta = kube::meta(None, name, INSTALL);
    meta["labels"] = labels;
    meta["annotations"] = json!({"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"});
    let mut spec = json!({"externalID": name, "podCIDR": cidr});
    if let Some(t) = taints {
        spec["taints"] = t;
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta,
        "spec": spec,
        "status": {
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
            "allocatable": {"cpu": "4", "memory": "16328352Ki", "pods": "110"},
            "capacity": {"cpu": "4", "memory": "16430752Ki", "pods": "110"},
            "conditions": conditions,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": kube::uid(&format!("boot/{name}")),
                "containerRuntimeVersion": "docker://1.12.6",
                "kernelVersion": "4.13.16-coreos-r2",
                "kubeProxyVersion": "v1.8.4+coreos.0",
                "kubeletVersion": "v1.8.4+coreos.0",
                "machineID": kube::hex_id(&format!("machine/{name}"), 32),
                "operatingSystem": "linux",
                "osImage": "Container Linux by CoreOS 1576.4.0 (Ladybug)",
                "systemUUID": kube::uid(&format!("system/{name}")).to_uppercase(),
            },
        },
    })
}

fn master_node() -> Value {
    let hb = "2026-11-21T09:29:41Z";
    let c = |typ: &str, status: &str, reason: &str, msg: &str, since: &str| json!({"lastHeartbeatTime": hb, "lastTransitionTime": since, "message": msg, "reason": reason, "status": status, "type": typ});
    node_obj(
        HOST,
        IP,
        "10.2.0.0/24",
        json!({"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/hostname": HOST, "node-role.kubernetes.io/master": ""}),
        None,
        json!([
            c(
                "OutOfDisk",
                "False",
                "KubeletHasSufficientDisk",
                "kubelet has sufficient disk space available",
                "2016-11-18T10:05:12Z"
            ),
            c(
                "MemoryPressure",
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
                "2016-11-18T10:05:12Z"
            ),
            c(
                "DiskPressure",
                "False",
                "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure",
                "2016-11-18T10:05:12Z"
            ),
            c(
                "Ready",
                "False",
                "KubeletNotReady",
                "runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized",
                "2026-11-21T08:02:14Z"
            ),
        ]),
    )
}

fn node02() -> Value {
    let hb = "2026-11-17T23:58:12Z";
    let since = "2026-11-18T00:00:55Z";
    let c = |typ: &str| json!({"lastHeartbeatTime": hb, "lastTransitionTime": since, "message": "Kubelet stopped posting node status.", "reason": "NodeStatusUnknown", "status": "Unknown", "type": typ});
    node_obj(
        "node-02",
        "10.0.0.11",
        "10.2.1.0/24",
        json!({"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/hostname": "node-02", "node-role.kubernetes.io/node": ""}),
        Some(json!([{"effect": "NoSchedule", "key": "node.kubernetes.io/unreachable", "timeAdded": since}])),
        json!([c("OutOfDisk"), c("MemoryPressure"), c("DiskPressure"), c("Ready")]),
    )
}

#[allow(clippy::too_many_arguments)]
fn event(
    ns: &str,
    pod: &str,
    reason: &str,
    msg: &str,
    count: u32,
    first: OffsetDateTime,
    last: OffsetDateTime,
    field: Option<&str>,
) -> Value {
    let name = format!("{pod}.{}", kube::hex_id(&format!("event/{pod}/{reason}"), 16));
    let mut involved = json!({"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": ns, "resourceVersion": kube::resource_version(&format!("{ns}/{pod}")), "uid": kube::uid(&format!("{ns}/{pod}"))});
    if let Some(f) = field {
        involved["fieldPath"] = json!(f);
    }
    json!({
        "apiVersion": "v1",
        "count": count,
        "firstTimestamp": rfc3339(first),
        "involvedObject": involved,
        "kind": "Event",
        "lastTimestamp": rfc3339(last),
        "message": msg,
        "metadata": kube::meta(Some(ns), &name, first),
        "reason": reason,
        "reportingComponent": "",
        "reportingInstance": "",
        "source": {"component": "kubelet", "host": HOST},
        "type": "Warning",
    })
}

fn events() -> Vec<Value> {
    let sandbox = kube::hex_id("sandbox/event", 64);
    vec![
        event(
            "default",
            APP_POD,
            "FailedCreatePodSandBox",
            &format!(
                "Failed create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container \"{sandbox}\" network for pod \"{APP_POD}\": plugin type=\"flannel\" failed (add): loadFlannelSubnetEnv failed: {SUBNET_ENV_ERR}"
            ),
            58,
            datetime!(2026-11-21 08:02:31 UTC),
            datetime!(2026-11-21 09:27:44 UTC),
            None,
        ),
        event(
            "default",
            APP_POD,
            "FailedMount",
            &format!(
                "MountVolume.SetUp failed for volume \"default-token-p8s7d\" : Get https://{IP}:443/api/v1/namespaces/default/secrets/default-token-p8s7d: {}",
                unknown_authority("kubernetes")
            ),
            31,
            datetime!(2026-11-21 08:45:02 UTC),
            datetime!(2026-11-21 09:26:10 UTC),
            None,
        ),
        event(
            "kube-system",
            FLANNEL_POD,
            "BackOff",
            "Back-off restarting failed container",
            214,
            datetime!(2026-11-21 08:03:40 UTC),
            datetime!(2026-11-21 09:28:55 UTC),
            Some("spec.containers{kube-flannel}"),
        ),
        event(
            "kube-system",
            FLANNEL_POD,
            "FailedSync",
            "Error syncing pod",
            216,
            datetime!(2026-11-21 08:03:40 UTC),
            datetime!(2026-11-21 09:28:55 UTC),
            None,
        ),
    ]
}
