//! A kubeadm v1.30 control-plane node: the PKI tree under `/etc/kubernetes/pki`, the
//! kubeconfigs, the static pod manifests, the kubelet's rotated client cert and config,
//! and the cluster dumps of a healthy single-node cluster (ANCHORS.md §4.1, §4.2, §4.5,
//! §4.6). Reused by the `two-nodes` bundle.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::certs::{Ca, CertSpec, Validity, kubelet_self_signed, validity};
use crate::keys::{Key, KeyKind};
use crate::kube::{self, CStatus, KubeUser, StatusIn};
use crate::logs::{self, Sev, rfc3339};
use crate::ojson::{self, arr, obj};
use crate::tree::Tree;

pub const K8S_VERSION: &str = "v1.30.2";
pub const CAPTURE: OffsetDateTime = datetime!(2026-06-15 12:00:00 UTC);
/// When `kubeadm init` ran.
pub const INIT: OffsetDateTime = datetime!(2026-01-10 09:00:00 UTC);

/// The cluster-wide key material of a kubeadm cluster.
pub struct ClusterPki {
    pub ca: Ca,
    pub front_proxy_ca: Ca,
    pub etcd_ca: Ca,
    pub sa: Key,
}

impl ClusterPki {
    /// CAs valid 2025-01-01 → 2035-01-01, keys derived from `cluster` + role.
    pub fn new(cluster: &str) -> Result<ClusterPki> {
        let v = validity(2025, 1, 1, 2035, 1, 1);
        Ok(ClusterPki {
            ca: Ca::new(&format!("{cluster}/ca"), CertSpec::ca("kubernetes", v))?,
            front_proxy_ca: Ca::new(
                &format!("{cluster}/front-proxy-ca"),
                CertSpec::ca("front-proxy-ca", v),
            )?,
            etcd_ca: Ca::new(&format!("{cluster}/etcd-ca"), CertSpec::ca("etcd-ca", v))?,
            sa: Key::rsa(&format!("{cluster}/sa"))?,
        })
    }
}

/// Leaf validity for `kubeadm init` certs.
pub fn leaf_validity() -> Validity {
    validity(2026, 1, 10, 2027, 1, 10)
}

/// How a control-plane node differs from a lone `kubeadm init` node (an HA member).
#[derive(Default)]
pub struct NodeOpts<'a> {
    /// `controlPlaneEndpoint` (a load-balancer name): in the apiserver's SANs and the
    /// `server:` of admin.conf, super-admin.conf and kubelet.conf; controller-manager.conf
    /// and scheduler.conf keep dialling the node's own apiserver, as kubeadm writes them.
    pub endpoint: Option<&'a str>,
    /// The etcd CA this node's etcd certificates come from (a re-created one), else the
    /// cluster's.
    pub etcd_ca: Option<&'a Ca>,
    /// etcd `--initial-cluster` (every member), else this node alone.
    pub initial_cluster: Option<String>,
    /// The key type of the leaves and kubeconfig client certificates (kubeadm's
    /// `encryptionAlgorithm`), else RSA 2048.
    pub leaf_key: Option<KeyKind>,
    /// One leaf under `pki/` (`front-proxy-client`, `etcd/server`, …) issued for another
    /// window than the others: the one an operator's renewal left out.
    pub left_out: Option<(&'a str, Validity)>,
}

/// Write a control-plane node (`host`, advertise address `ip`) into a new tree rooted at
/// the node's `/`. Returns the tree and the fingerprints of its notable certs.
pub fn control_plane_node(
    cluster: &str,
    pki: &ClusterPki,
    host: &str,
    ip: &str,
) -> Result<(Tree, BTreeMap<String, String>)> {
    control_plane_node_opts(cluster, pki, host, ip, &NodeOpts::default())
}

/// [`control_plane_node`] with the differences of an HA member.
pub fn control_plane_node_opts(
    cluster: &str,
    pki: &ClusterPki,
    host: &str,
    ip: &str,
    opts: &NodeOpts<'_>,
) -> Result<(Tree, BTreeMap<String, String>)> {
    let etcd_ca = opts.etcd_ca.unwrap_or(&pki.etcd_ca);
    let mut t = Tree::new();
    let mut fp = BTreeMap::new();
    let s = |role: &str| format!("{cluster}/{host}/{role}");
    let v = leaf_validity();
    let rsa = opts.leaf_key.unwrap_or(KeyKind::Rsa2048);

    t.file("etc/hostname", format!("{host}\n"));
    let pkid = "etc/kubernetes/pki";
    let put_ca = |t: &mut Tree, name: &str, ca: &Ca| -> Result<()> {
        t.file(&format!("{pkid}/{name}.crt"), ca.pem());
        t.secret_file(&format!("{pkid}/{name}.key"), ca.cert.key.private_pem()?);
        Ok(())
    };
    put_ca(&mut t, "ca", &pki.ca)?;
    put_ca(&mut t, "front-proxy-ca", &pki.front_proxy_ca)?;
    put_ca(&mut t, "etcd/ca", etcd_ca)?;
    fp.insert("ca".to_owned(), pki.ca.fingerprint());
    fp.insert("front_proxy_ca".to_owned(), pki.front_proxy_ca.fingerprint());
    fp.insert("etcd_ca".to_owned(), etcd_ca.fingerprint());

    let mut apiserver_sans = vec![
        host,
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
        "10.96.0.1",
        ip,
    ];
    apiserver_sans.extend(opts.endpoint);
    let etcd_sans = [host, "localhost", ip, "127.0.0.1", "::1"];
    let vfor = |name: &str| opts.left_out.filter(|(n, _)| *n == name).map_or(v, |(_, w)| w);
    let leaves: Vec<(&str, &Ca, CertSpec)> = vec![
        (
            "apiserver",
            &pki.ca,
            CertSpec::new("kube-apiserver", vfor("apiserver"))
                .server()
                .sans(&apiserver_sans),
        ),
        (
            "apiserver-kubelet-client",
            &pki.ca,
            CertSpec::new("kube-apiserver-kubelet-client", vfor("apiserver-kubelet-client"))
                .org("kubeadm:cluster-admins"),
        ),
        (
            "front-proxy-client",
            &pki.front_proxy_ca,
            CertSpec::new("front-proxy-client", vfor("front-proxy-client")),
        ),
        (
            "etcd/server",
            etcd_ca,
            CertSpec::new(host, vfor("etcd/server"))
                .server_client()
                .sans(&etcd_sans),
        ),
        (
            "etcd/peer",
            etcd_ca,
            CertSpec::new(host, vfor("etcd/peer"))
                .server_client()
                .sans(&etcd_sans),
        ),
        (
            "etcd/healthcheck-client",
            etcd_ca,
            CertSpec::new("kube-etcd-healthcheck-client", vfor("etcd/healthcheck-client")),
        ),
        (
            "apiserver-etcd-client",
            etcd_ca,
            CertSpec::new("kube-apiserver-etcd-client", vfor("apiserver-etcd-client")),
        ),
    ];
    for (name, ca, spec) in leaves {
        let c = ca.issue(&s(name), rsa, spec)?;
        t.file(&format!("{pkid}/{name}.crt"), c.pem());
        t.secret_file(&format!("{pkid}/{name}.key"), c.key_pem()?);
        fp.insert(name.replace(['/', '-'], "_"), c.fingerprint());
    }
    t.secret_file(&format!("{pkid}/sa.key"), pki.sa.private_pem()?);
    t.file(&format!("{pkid}/sa.pub"), pki.sa.public_pem()?);

    // Kubeconfigs with embedded client certs.
    let local = format!("https://{ip}:6443");
    let server = opts
        .endpoint
        .map_or_else(|| local.clone(), |e| format!("https://{e}:6443"));
    let confs: [(&str, &str, Option<&str>); 4] = [
        ("admin.conf", "kubernetes-admin", Some("kubeadm:cluster-admins")),
        (
            "super-admin.conf",
            "kubernetes-super-admin",
            Some("system:masters"),
        ),
        ("controller-manager.conf", "system:kube-controller-manager", None),
        ("scheduler.conf", "system:kube-scheduler", None),
    ];
    for (file, cn, org) in confs {
        let mut spec = CertSpec::new(cn, v);
        if let Some(o) = org {
            spec = spec.org(o);
        }
        let c = pki.ca.issue(&s(file), rsa, spec)?;
        let dials = if file.starts_with("controller-manager") || file.starts_with("scheduler") {
            &local
        } else {
            &server
        };
        let kc = kube::kubeconfig(
            "kubernetes",
            dials,
            &pki.ca.pem(),
            cn,
            &format!("{cn}@kubernetes"),
            KubeUser::Embedded {
                cert_pem: &c.pem(),
                key_pem: &c.key_pem()?,
            },
        );
        t.secret_file(&format!("etc/kubernetes/{file}"), kube::to_kubectl_yaml(&kc));
        fp.insert(file.trim_end_matches(".conf").replace('-', "_"), c.fingerprint());
    }
    let node_user = format!("system:node:{host}");
    let current = "/var/lib/kubelet/pki/kubelet-client-current.pem";
    let kc = kube::kubeconfig(
        "kubernetes",
        &server,
        &pki.ca.pem(),
        &node_user,
        &format!("{node_user}@kubernetes"),
        KubeUser::Files {
            cert: current,
            key: current,
        },
    );
    t.secret_file("etc/kubernetes/kubelet.conf", kube::to_kubectl_yaml(&kc));

    // Static pod manifests.
    for (name, mut pod) in static_pods(host, ip) {
        if let (Some(members), Some(args)) = (
            &opts.initial_cluster,
            pod.pointer_mut("/spec/containers/0/command")
                .and_then(Value::as_array_mut),
        ) {
            for a in args.iter_mut() {
                if a.as_str().is_some_and(|a| a.starts_with("--initial-cluster=")) {
                    *a = Value::String(format!("--initial-cluster={members}"));
                }
            }
        }
        t.secret_file(
            &format!("etc/kubernetes/manifests/{name}.yaml"),
            kube::to_kubectl_yaml(&pod),
        );
    }

    // Kubelet: rotated client cert (ECDSA key, as the kubelet's CSR uses), self-signed serving cert.
    let rotated = datetime!(2026-05-01 10:00:00 UTC);
    let kcert = kubelet_client(
        pki,
        &s("kubelet-client"),
        host,
        Validity::new(
            rotated - time::Duration::minutes(5),
            datetime!(2027-05-01 10:00:00 UTC),
        ),
    )?;
    let pem_name = "kubelet-client-2026-05-01-10-00-00.pem";
    t.secret_file(
        &format!("var/lib/kubelet/pki/{pem_name}"),
        kcert.cert_and_key_pem()?,
    );
    t.symlink("var/lib/kubelet/pki/kubelet-client-current.pem", pem_name);
    fp.insert("kubelet_client".to_owned(), kcert.fingerprint());
    let (crt, key) = kubelet_self_signed(host, INIT + time::Duration::minutes(1))?;
    t.file("var/lib/kubelet/pki/kubelet.crt", crt);
    t.secret_file("var/lib/kubelet/pki/kubelet.key", key);
    t.file(
        "var/lib/kubelet/config.yaml",
        kube::to_kubectl_yaml(&kubelet_config()),
    );
    t.file("etc/cni/net.d/10-calico.conflist", calico_conflist(host)?);
    t.file("var/log/kubelet.log", kubelet_log(host));
    Ok((t, fp))
}

/// A kubelet client cert (`system:node:<host>`, O=system:nodes) with an ECDSA P-256 key.
pub fn kubelet_client(pki: &ClusterPki, seed: &str, host: &str, v: Validity) -> Result<crate::certs::Cert> {
    pki.ca.issue(
        seed,
        KeyKind::EcP256,
        CertSpec::new(&format!("system:node:{host}"), v).org("system:nodes"),
    )
}

fn host_path_volume(name: &str, path: &str, typ: &str) -> Value {
    json!({"hostPath": {"path": path, "type": typ}, "name": name})
}

fn mount(name: &str, path: &str, ro: bool) -> Value {
    let mut m = json!({"mountPath": path, "name": name});
    if ro {
        m["readOnly"] = json!(true);
    }
    m
}

fn probe(
    host: &str,
    path: &str,
    port: u16,
    scheme: &str,
    failure: u32,
    initial: Option<u32>,
    period: u32,
) -> Value {
    let mut p = json!({
        "failureThreshold": failure,
        "httpGet": {"host": host, "path": path, "port": port, "scheme": scheme},
        "periodSeconds": period,
        "timeoutSeconds": 15,
    });
    if let Some(i) = initial {
        p["initialDelaySeconds"] = json!(i);
    }
    p
}

fn static_pod(
    name: &str,
    annotations: Option<(&str, String)>,
    container: Value,
    volumes: Vec<Value>,
) -> Value {
    let mut meta = json!({
        "creationTimestamp": null,
        "labels": {"component": name, "tier": "control-plane"},
        "name": name,
        "namespace": "kube-system",
    });
    if let Some((k, v)) = annotations {
        meta["annotations"] = json!({ k: v });
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "containers": [container],
            "hostNetwork": true,
            "priority": 2000001000,
            "priorityClassName": "system-node-critical",
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "volumes": volumes,
        },
        "status": {},
    })
}

/// The four static pod manifests as kubeadm v1.30 writes them.
pub fn static_pods(host: &str, ip: &str) -> Vec<(&'static str, Value)> {
    let ca_mounts = || {
        vec![
            (
                mount("ca-certs", "/etc/ssl/certs", true),
                host_path_volume("ca-certs", "/etc/ssl/certs", "DirectoryOrCreate"),
            ),
            (
                mount("etc-ca-certificates", "/etc/ca-certificates", true),
                host_path_volume("etc-ca-certificates", "/etc/ca-certificates", "DirectoryOrCreate"),
            ),
            (
                mount("k8s-certs", "/etc/kubernetes/pki", true),
                host_path_volume("k8s-certs", "/etc/kubernetes/pki", "DirectoryOrCreate"),
            ),
            (
                mount(
                    "usr-local-share-ca-certificates",
                    "/usr/local/share/ca-certificates",
                    true,
                ),
                host_path_volume(
                    "usr-local-share-ca-certificates",
                    "/usr/local/share/ca-certificates",
                    "DirectoryOrCreate",
                ),
            ),
            (
                mount("usr-share-ca-certificates", "/usr/share/ca-certificates", true),
                host_path_volume(
                    "usr-share-ca-certificates",
                    "/usr/share/ca-certificates",
                    "DirectoryOrCreate",
                ),
            ),
        ]
    };
    let pki = "/etc/kubernetes/pki";
    let etcd = static_pod(
        "etcd",
        Some((
            "kubeadm.kubernetes.io/etcd.advertise-client-urls",
            format!("https://{ip}:2379"),
        )),
        json!({
            "command": [
                "etcd",
                format!("--advertise-client-urls=https://{ip}:2379"),
                format!("--cert-file={pki}/etcd/server.crt"),
                "--client-cert-auth=true",
                "--data-dir=/var/lib/etcd",
                "--experimental-initial-corrupt-check=true",
                "--experimental-watch-progress-notify-interval=5s",
                format!("--initial-advertise-peer-urls=https://{ip}:2380"),
                format!("--initial-cluster={host}=https://{ip}:2380"),
                format!("--key-file={pki}/etcd/server.key"),
                format!("--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379"),
                "--listen-metrics-urls=http://127.0.0.1:2381",
                format!("--listen-peer-urls=https://{ip}:2380"),
                format!("--name={host}"),
                format!("--peer-cert-file={pki}/etcd/peer.crt"),
                "--peer-client-cert-auth=true",
                format!("--peer-key-file={pki}/etcd/peer.key"),
                format!("--peer-trusted-ca-file={pki}/etcd/ca.crt"),
                "--snapshot-count=10000",
                format!("--trusted-ca-file={pki}/etcd/ca.crt"),
            ],
            "image": "registry.k8s.io/etcd:3.5.12-0",
            "imagePullPolicy": "IfNotPresent",
            "livenessProbe": probe("127.0.0.1", "/health?exclude=NOSPACE&serializable=true", 2381, "HTTP", 8, Some(10), 10),
            "name": "etcd",
            "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}},
            "startupProbe": probe("127.0.0.1", "/health?serializable=false", 2381, "HTTP", 24, Some(10), 10),
            "volumeMounts": [mount("etcd-data", "/var/lib/etcd", false), mount("etcd-certs", "/etc/kubernetes/pki/etcd", false)],
        }),
        vec![
            host_path_volume("etcd-certs", "/etc/kubernetes/pki/etcd", "DirectoryOrCreate"),
            host_path_volume("etcd-data", "/var/lib/etcd", "DirectoryOrCreate"),
        ],
    );

    let (m, vols): (Vec<Value>, Vec<Value>) = ca_mounts().into_iter().unzip();
    let apiserver = static_pod(
        "kube-apiserver",
        Some((
            "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint",
            format!("{ip}:6443"),
        )),
        json!({
            "command": [
                "kube-apiserver",
                format!("--advertise-address={ip}"),
                "--allow-privileged=true",
                "--authorization-mode=Node,RBAC",
                format!("--client-ca-file={pki}/ca.crt"),
                "--enable-admission-plugins=NodeRestriction",
                "--enable-bootstrap-token-auth=true",
                format!("--etcd-cafile={pki}/etcd/ca.crt"),
                format!("--etcd-certfile={pki}/apiserver-etcd-client.crt"),
                format!("--etcd-keyfile={pki}/apiserver-etcd-client.key"),
                "--etcd-servers=https://127.0.0.1:2379",
                format!("--kubelet-client-certificate={pki}/apiserver-kubelet-client.crt"),
                format!("--kubelet-client-key={pki}/apiserver-kubelet-client.key"),
                "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                format!("--proxy-client-cert-file={pki}/front-proxy-client.crt"),
                format!("--proxy-client-key-file={pki}/front-proxy-client.key"),
                "--requestheader-allowed-names=front-proxy-client",
                format!("--requestheader-client-ca-file={pki}/front-proxy-ca.crt"),
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-username-headers=X-Remote-User",
                "--secure-port=6443",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                format!("--service-account-key-file={pki}/sa.pub"),
                format!("--service-account-signing-key-file={pki}/sa.key"),
                "--service-cluster-ip-range=10.96.0.0/12",
                format!("--tls-cert-file={pki}/apiserver.crt"),
                format!("--tls-private-key-file={pki}/apiserver.key"),
            ],
            "image": format!("registry.k8s.io/kube-apiserver:{K8S_VERSION}"),
            "imagePullPolicy": "IfNotPresent",
            "livenessProbe": probe(ip, "/livez", 6443, "HTTPS", 8, Some(10), 10),
            "name": "kube-apiserver",
            "readinessProbe": probe(ip, "/readyz", 6443, "HTTPS", 3, None, 1),
            "resources": {"requests": {"cpu": "250m"}},
            "startupProbe": probe(ip, "/livez", 6443, "HTTPS", 24, Some(10), 10),
            "volumeMounts": m,
        }),
        vols,
    );

    let mut cm_pairs = ca_mounts();
    cm_pairs.insert(
        2,
        (
            mount(
                "flexvolume-dir",
                "/usr/libexec/kubernetes/kubelet-plugins/volume/exec",
                false,
            ),
            host_path_volume(
                "flexvolume-dir",
                "/usr/libexec/kubernetes/kubelet-plugins/volume/exec",
                "DirectoryOrCreate",
            ),
        ),
    );
    cm_pairs.insert(
        4,
        (
            mount("kubeconfig", "/etc/kubernetes/controller-manager.conf", true),
            host_path_volume(
                "kubeconfig",
                "/etc/kubernetes/controller-manager.conf",
                "FileOrCreate",
            ),
        ),
    );
    let (m, vols): (Vec<Value>, Vec<Value>) = cm_pairs.into_iter().unzip();
    let cm_conf = "/etc/kubernetes/controller-manager.conf";
    let controller_manager = static_pod(
        "kube-controller-manager",
        None,
        json!({
            "command": [
                "kube-controller-manager",
                "--allocate-node-cidrs=true",
                format!("--authentication-kubeconfig={cm_conf}"),
                format!("--authorization-kubeconfig={cm_conf}"),
                "--bind-address=127.0.0.1",
                format!("--client-ca-file={pki}/ca.crt"),
                "--cluster-cidr=10.244.0.0/16",
                "--cluster-name=kubernetes",
                format!("--cluster-signing-cert-file={pki}/ca.crt"),
                format!("--cluster-signing-key-file={pki}/ca.key"),
                "--controllers=*,bootstrapsigner,tokencleaner",
                format!("--kubeconfig={cm_conf}"),
                "--leader-elect=true",
                format!("--requestheader-client-ca-file={pki}/front-proxy-ca.crt"),
                format!("--root-ca-file={pki}/ca.crt"),
                format!("--service-account-private-key-file={pki}/sa.key"),
                "--service-cluster-ip-range=10.96.0.0/12",
                "--use-service-account-credentials=true",
            ],
            "image": format!("registry.k8s.io/kube-controller-manager:{K8S_VERSION}"),
            "imagePullPolicy": "IfNotPresent",
            "livenessProbe": probe("127.0.0.1", "/healthz", 10257, "HTTPS", 8, Some(10), 10),
            "name": "kube-controller-manager",
            "resources": {"requests": {"cpu": "200m"}},
            "startupProbe": probe("127.0.0.1", "/healthz", 10257, "HTTPS", 24, Some(10), 10),
            "volumeMounts": m,
        }),
        vols,
    );

    let sched_conf = "/etc/kubernetes/scheduler.conf";
    let scheduler = static_pod(
        "kube-scheduler",
        None,
        json!({
            "command": [
                "kube-scheduler",
                format!("--authentication-kubeconfig={sched_conf}"),
                format!("--authorization-kubeconfig={sched_conf}"),
                "--bind-address=127.0.0.1",
                format!("--kubeconfig={sched_conf}"),
                "--leader-elect=true",
            ],
            "image": format!("registry.k8s.io/kube-scheduler:{K8S_VERSION}"),
            "imagePullPolicy": "IfNotPresent",
            "livenessProbe": probe("127.0.0.1", "/healthz", 10259, "HTTPS", 8, Some(10), 10),
            "name": "kube-scheduler",
            "resources": {"requests": {"cpu": "100m"}},
            "startupProbe": probe("127.0.0.1", "/healthz", 10259, "HTTPS", 24, Some(10), 10),
            "volumeMounts": [mount("kubeconfig", sched_conf, true)],
        }),
        vec![host_path_volume("kubeconfig", sched_conf, "FileOrCreate")],
    );
    vec![
        ("etcd", etcd),
        ("kube-apiserver", apiserver),
        ("kube-controller-manager", controller_manager),
        ("kube-scheduler", scheduler),
    ]
}

/// `/var/lib/kubelet/config.yaml` as kubeadm v1.30 writes it.
pub fn kubelet_config() -> Value {
    json!({
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "authentication": {
            "anonymous": {"enabled": false},
            "webhook": {"cacheTTL": "0s", "enabled": true},
            "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"},
        },
        "authorization": {"mode": "Webhook", "webhook": {"cacheAuthorizedTTL": "0s", "cacheUnauthorizedTTL": "0s"}},
        "cgroupDriver": "systemd",
        "clusterDNS": ["10.96.0.10"],
        "clusterDomain": "cluster.local",
        "containerRuntimeEndpoint": "",
        "cpuManagerReconcilePeriod": "0s",
        "evictionPressureTransitionPeriod": "0s",
        "fileCheckFrequency": "0s",
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": 10248,
        "httpCheckFrequency": "0s",
        "imageMaximumGCAge": "0s",
        "imageMinimumGCAge": "0s",
        "kind": "KubeletConfiguration",
        "logging": {"flushFrequency": 0, "options": {"json": {"infoBufferSize": "0"}, "text": {"infoBufferSize": "0"}}, "verbosity": 0},
        "memorySwap": {},
        "nodeStatusReportFrequency": "0s",
        "nodeStatusUpdateFrequency": "0s",
        "rotateCertificates": true,
        "runtimeRequestTimeout": "0s",
        "shutdownGracePeriod": "0s",
        "shutdownGracePeriodCriticalPods": "0s",
        "staticPodPath": "/etc/kubernetes/manifests",
        "streamingConnectionIdleTimeout": "0s",
        "syncFrequency": "0s",
        "volumeStatsAggPeriod": "0s",
    })
}

/// Calico's CNI conflist as calico-node's install-cni writes it.
fn calico_conflist(host: &str) -> Result<String> {
    let v = obj(vec![
        ("name", "k8s-pod-network".into()),
        ("cniVersion", "0.3.1".into()),
        (
            "plugins",
            arr(vec![
                obj(vec![
                    ("type", "calico".into()),
                    ("log_level", "info".into()),
                    ("log_file_path", "/var/log/calico/cni/cni.log".into()),
                    ("datastore_type", "kubernetes".into()),
                    ("nodename", host.into()),
                    ("mtu", 0.into()),
                    ("ipam", obj(vec![("type", "calico-ipam".into())])),
                    ("policy", obj(vec![("type", "k8s".into())])),
                    (
                        "kubernetes",
                        obj(vec![("kubeconfig", "/etc/cni/net.d/calico-kubeconfig".into())]),
                    ),
                ]),
                obj(vec![
                    ("type", "portmap".into()),
                    ("snat", true.into()),
                    ("capabilities", obj(vec![("portMappings", true.into())])),
                ]),
                obj(vec![
                    ("type", "bandwidth".into()),
                    ("capabilities", obj(vec![("bandwidth", true.into())])),
                ]),
            ]),
        ),
    ]);
    ojson::to_pretty(&v, "  ")
}

/// Benign kubelet journal (`journalctl -u kubelet -o short-iso`), newest 2026-06-15T11:58:00.
fn kubelet_log(host: &str) -> String {
    let pid = 812;
    let t0 = datetime!(2026-05-01 09:59:48.000000 UTC);
    let ms = |t: OffsetDateTime, n: i64| t + time::Duration::microseconds(n);
    let mut lines = Vec::new();
    let j = |t: OffsetDateTime, msg: String| logs::short_iso(t, host, "kubelet", Some(pid), &msg);
    lines.push(logs::short_iso(
        t0,
        host,
        "systemd",
        Some(1),
        "Started kubelet.service - kubelet: The Kubernetes Node Agent.",
    ));
    let k = |sev, t: OffsetDateTime, src: &str, msg: &str| j(t, logs::klog(sev, t, pid, src, msg));
    let t = ms(t0, 412_335);
    lines.push(j(t, "Flag --container-runtime-endpoint has been deprecated, This parameter should be set via the config file specified by the Kubelet's --config flag. See https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/ for more information.".into()));
    lines.push(k(Sev::I, ms(t0, 455_201), "server.go:205", "\"--pod-infra-container-image will not be pruned by the image garbage collector in kubelet and should also be set in the remote runtime\""));
    lines.push(k(
        Sev::I,
        ms(t0, 471_019),
        "server.go:484",
        &format!("\"Kubelet version\" kubeletVersion=\"{K8S_VERSION}\""),
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 471_102),
        "server.go:486",
        "\"Golang settings\" GOGC=\"\" GOMAXPROCS=\"\" GOTRACEBACK=\"\"",
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 471_933),
        "server.go:927",
        "\"Client rotation is on, will bootstrap in background\"",
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 474_820),
        "certificate_store.go:130",
        "Loading cert/key pair from \"/var/lib/kubelet/pki/kubelet-client-current.pem\".",
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 475_551),
        "dynamic_cafile_content.go:157",
        "\"Starting controller\" name=\"client-ca-bundle::/etc/kubernetes/pki/ca.crt\"",
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 476_002),
        "certificate_manager.go:356",
        "kubernetes.io/kube-apiserver-client-kubelet: Certificate rotation is enabled",
    ));
    lines.push(k(Sev::I, ms(t0, 476_390), "certificate_manager.go:572", "kubernetes.io/kube-apiserver-client-kubelet: Certificate expiration is 2026-05-01 10:00:00 +0000 UTC, rotation deadline is 2026-04-02 17:25:10.442915 +0000 UTC"));
    lines.push(k(
        Sev::I,
        ms(t0, 476_422),
        "certificate_manager.go:356",
        "kubernetes.io/kube-apiserver-client-kubelet: Rotating certificates",
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 913_004),
        "kubelet.go:2337",
        "\"Starting kubelet main sync loop\"",
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 1_120_317),
        "server.go:163",
        "\"Starting to listen\" address=\"0.0.0.0\" port=10250",
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 1_348_802),
        "kubelet_node_status.go:73",
        &format!("\"Attempting to register node\" node=\"{host}\""),
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 1_402_115),
        "kubelet_node_status.go:112",
        &format!("\"Node was previously registered\" node=\"{host}\""),
    ));
    lines.push(k(
        Sev::I,
        ms(t0, 1_402_300),
        "kubelet_node_status.go:76",
        &format!("\"Successfully registered node\" node=\"{host}\""),
    ));
    let t1 = datetime!(2026-05-01 10:00:00.104228 UTC);
    lines.push(k(
        Sev::I,
        t1,
        "csr.go:261",
        "certificate signing request csr-7b9dq is approved, waiting to be issued",
    ));
    lines.push(k(
        Sev::I,
        ms(t1, 19_447),
        "csr.go:257",
        "certificate signing request csr-7b9dq is issued",
    ));
    lines.push(k(Sev::I, ms(t1, 20_911), "certificate_manager.go:572", "kubernetes.io/kube-apiserver-client-kubelet: Certificate expiration is 2027-05-01 10:00:00 +0000 UTC, rotation deadline is 2027-02-09 03:12:45.81533 +0000 UTC"));
    lines.push(k(Sev::I, ms(t1, 21_004), "certificate_manager.go:356", "kubernetes.io/kube-apiserver-client-kubelet: Waiting 6809h12m45.79422s for next certificate rotation"));
    lines.push(k(Sev::I, ms(t1, 5_800_441), "kubelet.go:2382", "\"SyncLoop ADD\" source=\"api\" pods=[\"kube-system/coredns-7db6d8ff4d-8xk2p\",\"kube-system/coredns-7db6d8ff4d-w6n4c\"]"));
    lines.push(k(Sev::I, ms(t1, 9_300_120), "pod_startup_latency_tracker.go:104", "\"Observed pod startup duration\" pod=\"kube-system/coredns-7db6d8ff4d-8xk2p\" podStartSLOduration=9.19 podStartE2EDuration=\"9.19s\""));
    let t2 = datetime!(2026-06-15 06:25:12.771220 UTC);
    lines.push(k(
        Sev::I,
        t2,
        "kubelet.go:1673",
        "\"Image garbage collection succeeded\"",
    ));
    lines.push(k(
        Sev::I,
        ms(t2, 1_300_000_000),
        "container_gc.go:88",
        "\"Attempting to delete unused containers\"",
    ));
    let t3 = datetime!(2026-06-15 09:41:07.010355 UTC);
    lines.push(k(Sev::I, t3, "reconciler_common.go:245", "\"operationExecutor.VerifyControllerAttachedVolume started for volume \\\"kube-api-access-9xq4t\\\" (UniqueName: \\\"kubernetes.io/projected/1f3c5e2a-77c1-4d56-9a8e-2c1b3d4e5f60-kube-api-access-9xq4t\\\") pod \\\"web-5d8f6c7b9-q2w7e\\\" (UID: \\\"1f3c5e2a-77c1-4d56-9a8e-2c1b3d4e5f60\\\") \" pod=\"default/web-5d8f6c7b9-q2w7e\""));
    lines.push(k(Sev::I, ms(t3, 2_512_004), "pod_startup_latency_tracker.go:104", "\"Observed pod startup duration\" pod=\"default/web-5d8f6c7b9-q2w7e\" podStartSLOduration=2.51 podStartE2EDuration=\"2.51s\""));
    let t4 = datetime!(2026-06-15 11:30:00.000412 UTC);
    lines.push(k(
        Sev::I,
        t4,
        "kubelet_getters.go:187",
        &format!("\"Pod status updated\" pod=\"kube-system/kube-apiserver-{host}\" status=\"Running\""),
    ));
    lines.push(k(
        Sev::I,
        ms(t4, 1_200_000_000),
        "kubelet_getters.go:187",
        &format!("\"Pod status updated\" pod=\"kube-system/etcd-{host}\" status=\"Running\""),
    ));
    lines.push(k(
        Sev::I,
        ms(t4, 1_260_000_000),
        "container_gc.go:88",
        "\"Attempting to delete unused containers\"",
    ));
    lines.push(k(
        Sev::I,
        datetime!(2026-06-15 11:58:00 UTC),
        "kubelet_getters.go:187",
        &format!("\"Pod status updated\" pod=\"kube-system/kube-scheduler-{host}\" status=\"Running\""),
    ));
    logs::join(&lines)
}

/// Pods, nodes, secrets and configmaps of the healthy cluster (`cluster/`).
pub fn cluster_dumps(cluster: &str, pki: &ClusterPki, host: &str, ip: &str) -> Result<Tree> {
    let mut t = Tree::new();
    let created = INIT + time::Duration::minutes(2);

    // Secrets (JSON).
    let web_ca = Ca::with_key(
        Key::ed25519(&format!("{cluster}/web-ca"))?,
        CertSpec::ca("example-web-ca", validity(2025, 6, 1, 2030, 6, 1)).org("Example Ops"),
    )?;
    let web = web_ca.issue(
        &format!("{cluster}/web-tls"),
        KeyKind::EcP256,
        CertSpec::new("web.example.com", validity(2026, 3, 1, 2026, 9, 1))
            .server()
            .sans(&["web.example.com", "www.example.com"]),
    )?;
    let mut web_secret = kube::secret(
        "default",
        "web-tls",
        "kubernetes.io/tls",
        &[
            ("tls.crt", web.pem().into_bytes()),
            ("tls.key", web.key_pem()?.into_bytes()),
        ],
        datetime!(2026-03-01 08:00:00 UTC),
    );
    kube::set_map(
        &mut web_secret,
        "annotations",
        &[("example.com/issued-by", "example-web-ca")],
    );
    let sa_secret = kube::sa_token_secret(
        &pki.sa,
        "kube-system",
        "default",
        "default-token-abcde",
        &pki.ca.pem(),
        created,
    )?;
    t.file(
        "cluster/secrets.json",
        kube::to_kubectl_json(&kube::list(vec![web_secret, sa_secret]))?,
    );

    // ConfigMaps (YAML).
    let ca_pem = pki.ca.pem();
    let root_ca = |ns: &str| {
        let mut cm = kube::configmap(ns, "kube-root-ca.crt", &[("ca.crt", ca_pem.clone())], created);
        kube::set_map(
            &mut cm,
            "annotations",
            &[(
                "kubernetes.io/description",
                "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
            )],
        );
        cm
    };
    let cluster_info = kube::configmap(
        "kube-public",
        "cluster-info",
        &[(
            "kubeconfig",
            kube::to_kubectl_yaml(&kube::cluster_info_kubeconfig(
                &format!("https://{ip}:6443"),
                &ca_pem,
            )),
        )],
        INIT,
    );
    let cc = json!({
        "apiServer": {"extraArgs": {"authorization-mode": "Node,RBAC"}, "timeoutForControlPlane": "4m0s"},
        "apiVersion": "kubeadm.k8s.io/v1beta3",
        "certificatesDir": "/etc/kubernetes/pki",
        "clusterName": "kubernetes",
        "controllerManager": {},
        "dns": {},
        "etcd": {"local": {"dataDir": "/var/lib/etcd"}},
        "imageRepository": "registry.k8s.io",
        "kind": "ClusterConfiguration",
        "kubernetesVersion": K8S_VERSION,
        "networking": {"dnsDomain": "cluster.local", "podSubnet": "10.244.0.0/16", "serviceSubnet": "10.96.0.0/12"},
        "scheduler": {},
    });
    let kubeadm_config = kube::configmap(
        "kube-system",
        "kubeadm-config",
        &[("ClusterConfiguration", kube::to_kubectl_yaml(&cc))],
        INIT,
    );
    t.file(
        "cluster/configmaps.yaml",
        kube::to_kubectl_yaml(&kube::list(vec![
            root_ca("default"),
            cluster_info,
            kubeadm_config,
            root_ca("kube-system"),
        ])),
    );

    // Pods (YAML).
    let mut pods = Vec::new();
    let started = datetime!(2026-05-01 09:59:50 UTC);
    for (name, mut pod) in static_pods(host, ip) {
        let pod_name = format!("{name}-{host}");
        let hash = kube::hex_id(&format!("{cluster}/{pod_name}/hash"), 32);
        let mut meta = kube::meta(Some("kube-system"), &pod_name, INIT + time::Duration::seconds(40));
        let mut ann = pod["metadata"].get("annotations").cloned().unwrap_or(json!({}));
        ann["kubernetes.io/config.hash"] = json!(hash);
        ann["kubernetes.io/config.mirror"] = json!(hash);
        ann["kubernetes.io/config.seen"] = json!("2026-05-01T09:59:48.913004512Z");
        ann["kubernetes.io/config.source"] = json!("file");
        meta["annotations"] = ann;
        meta["labels"] = pod["metadata"]["labels"].clone();
        meta["ownerReferences"] = json!([{"apiVersion": "v1", "controller": true, "kind": "Node", "name": host, "uid": kube::uid(&format!("/{host}"))}]);
        pod["metadata"] = meta;
        pod["spec"]["nodeName"] = json!(host);
        pod["spec"]["tolerations"] = json!([{"effect": "NoExecute", "operator": "Exists"}]);
        kube::pod_spec_defaults(&mut pod["spec"]);
        pod["spec"]["enableServiceLinks"] = json!(true);
        pod["spec"]["dnsPolicy"] = json!("ClusterFirst");
        pod["spec"]["preemptionPolicy"] = json!("PreemptLowerPriority");
        let cname = pod["spec"]["containers"][0]["name"]
            .as_str()
            .unwrap_or(name)
            .to_owned();
        let image = pod["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let mut c = CStatus::running(&cname, &image, started);
        c.restarts = 1;
        c.last_terminated = Some((255, "Unknown".into(), INIT, datetime!(2026-05-01 09:59:31 UTC)));
        pod["status"] = kube::pod_status(StatusIn {
            pod_id: &pod_name,
            phase: "Running",
            host_ip: Some(ip),
            pod_ip: Some(ip),
            start: Some(started),
            qos: "Burstable",
            containers: vec![c],
            transition: started + time::Duration::seconds(14),
            conditions: None,
            modern: true,
        });
        pods.push(pod);
    }
    for (pod_name, pod_ip) in [
        ("coredns-7db6d8ff4d-8xk2p", "10.244.0.2"),
        ("coredns-7db6d8ff4d-w6n4c", "10.244.0.3"),
    ] {
        pods.push(workload_pod(
            "kube-system",
            pod_name,
            &[("k8s-app", "kube-dns"), ("pod-template-hash", "7db6d8ff4d")],
            ("ReplicaSet", "coredns-7db6d8ff4d"),
            json!({
                "args": ["-conf", "/etc/coredns/Corefile"],
                "image": "registry.k8s.io/coredns/coredns:v1.11.1",
                "name": "coredns",
                "ports": [
                    {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                    {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                    {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                ],
                "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
            }),
            host,
            ip,
            pod_ip,
            started + time::Duration::seconds(6),
            "coredns",
        ));
    }
    let mut calico = workload_pod(
        "kube-system",
        "calico-node-5qz8j",
        &[
            ("controller-revision-hash", "6c9f5b7c8d"),
            ("k8s-app", "calico-node"),
            ("pod-template-generation", "1"),
        ],
        ("DaemonSet", "calico-node"),
        json!({
            "env": [
                {"name": "DATASTORE_TYPE", "value": "kubernetes"},
                {"name": "CALICO_NETWORKING_BACKEND", "value": "bird"},
                {"name": "CALICO_IPV4POOL_CIDR", "value": "10.244.0.0/16"},
                {"name": "NODENAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
            ],
            "image": "docker.io/calico/node:v3.27.3",
            "name": "calico-node",
            "resources": {"requests": {"cpu": "250m"}},
            "securityContext": {"privileged": true},
        }),
        host,
        ip,
        ip,
        started + time::Duration::seconds(2),
        "calico-node",
    );
    calico["spec"]["hostNetwork"] = json!(true);
    pods.push(calico);
    t.file("cluster/pods.yaml", kube::to_kubectl_yaml(&kube::list(pods)));

    // Node.
    t.file(
        "cluster/nodes.yaml",
        kube::to_kubectl_yaml(&kube::list(vec![node(host, ip, true)])),
    );
    Ok(t)
}

/// A running pod owned by a controller.
#[allow(clippy::too_many_arguments)]
fn workload_pod(
    ns: &str,
    name: &str,
    labels: &[(&str, &str)],
    owner: (&str, &str),
    mut container: Value,
    host: &str,
    host_ip: &str,
    pod_ip: &str,
    started: OffsetDateTime,
    sa: &str,
) -> Value {
    kube::container_defaults(&mut container);
    let image = container["image"].as_str().unwrap_or("").to_owned();
    let cname = container["name"].as_str().unwrap_or("").to_owned();
    let mut meta = kube::meta(Some(ns), name, started - time::Duration::seconds(30));
    let l: serde_json::Map<String, Value> = labels.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    meta["labels"] = Value::Object(l);
    meta["generateName"] = json!(format!("{}-", owner.1));
    meta["ownerReferences"] = json!([{
        "apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
        "kind": owner.0, "name": owner.1, "uid": kube::uid(&format!("{ns}/{}", owner.1)),
    }]);
    let mut spec = json!({
        "containers": [container],
        "nodeName": host,
        "serviceAccount": sa,
        "serviceAccountName": sa,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
        ],
    });
    kube::pod_spec_defaults(&mut spec);
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": spec,
        "status": kube::pod_status(StatusIn {
            pod_id: name,
            phase: "Running",
            host_ip: Some(host_ip),
            pod_ip: Some(pod_ip),
            start: Some(started),
            qos: "Burstable",
            containers: vec![CStatus::running(&cname, &image, started + time::Duration::seconds(3))],
            transition: started + time::Duration::seconds(9),
            conditions: None,
            modern: true,
        }),
    })
}

/// A kubeadm control-plane (or worker) Node object.
pub fn node(host: &str, ip: &str, control_plane: bool) -> Value {
    let mut meta = kube::meta(None, host, INIT);
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": host,
        "kubernetes.io/os": "linux",
    });
    if control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = json!("");
    }
    meta["labels"] = labels;
    meta["annotations"] = json!({
        "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
    });
    let hb = rfc3339(CAPTURE - time::Duration::seconds(23));
    let since = rfc3339(datetime!(2026-05-01 10:00:02 UTC));
    let cond = |typ: &str, status: &str, reason: &str, msg: &str| {
        json!({
            "lastHeartbeatTime": hb, "lastTransitionTime": since, "message": msg, "reason": reason, "status": status, "type": typ,
        })
    };
    let pod_cidr = if control_plane {
        "10.244.0.0/24"
    } else {
        "10.244.1.0/24"
    };
    let mut spec = json!({"podCIDR": pod_cidr, "podCIDRs": [pod_cidr]});
    if control_plane {
        spec["taints"] = json!([{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]);
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta,
        "spec": spec,
        "status": {
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": host, "type": "Hostname"}],
            "allocatable": {"cpu": "2", "ephemeral-storage": "46143446190", "hugepages-2Mi": "0", "memory": "3923532Ki", "pods": "110"},
            "capacity": {"cpu": "2", "ephemeral-storage": "50069368Ki", "hugepages-2Mi": "0", "memory": "4025932Ki", "pods": "110"},
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": kube::uid(&format!("boot/{host}")),
                "containerRuntimeVersion": "containerd://1.7.18",
                "kernelVersion": "6.8.0-35-generic",
                "kubeProxyVersion": K8S_VERSION,
                "kubeletVersion": K8S_VERSION,
                "machineID": kube::hex_id(&format!("machine/{host}"), 32),
                "operatingSystem": "linux",
                "osImage": "Ubuntu 24.04 LTS",
                "systemUUID": kube::uid(&format!("system/{host}")),
            },
        },
    })
}

/// The whole `kubeadm-healthy` bundle.
pub fn bundle() -> Result<(Tree, Value)> {
    let cluster = "kubeadm-healthy";
    let pki = ClusterPki::new(cluster)?;
    let (mut t, fp) = control_plane_node(cluster, &pki, "cp-1", "10.0.0.10")?;
    let dumps = cluster_dumps(cluster, &pki, "cp-1", "10.0.0.10")?;
    t.entries.extend(dumps.entries);
    let exp = json!({"capture_time": rfc3339(CAPTURE), "certs": fp});
    Ok((t, exp))
}

/// A kubeadm worker's files before its kubelet's certificates: `/etc/hostname`, the cluster
/// CA and a `kubelet.conf` dialling `server` that points at the rotated
/// `kubelet-client-current.pem`, as `kubeadm join` writes them.
pub fn worker_base(pki: &ClusterPki, host: &str, server: &str) -> Tree {
    let mut w = Tree::new();
    w.file("etc/hostname", format!("{host}\n"));
    w.file("etc/kubernetes/pki/ca.crt", pki.ca.pem());
    let user = format!("system:node:{host}");
    let current = "/var/lib/kubelet/pki/kubelet-client-current.pem";
    let kc = crate::kube::kubeconfig(
        "kubernetes",
        server,
        &pki.ca.pem(),
        &user,
        &format!("{user}@kubernetes"),
        crate::kube::KubeUser::Files {
            cert: current,
            key: current,
        },
    );
    w.secret_file("etc/kubernetes/kubelet.conf", crate::kube::to_kubectl_yaml(&kc));
    w
}
