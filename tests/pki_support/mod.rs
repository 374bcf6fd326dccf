//! Builds snapshots directly (no bundle reader) from certificates minted with the test
//! generator's helpers: real keys and signatures, pinned dates, judged at a pinned instant.
#![allow(dead_code, clippy::unwrap_used)]

use kubetriage::Options;
use kubetriage::artifact::{
    ConfigMapObject, Kubeconfig, KubeconfigCluster, KubeconfigUser, PodOrigin, PodRecord, SecretObject,
    SystemdUnit, WorkloadRecord,
};
use kubetriage::catalog::Catalog;
use kubetriage::finding::{Finding, Severity};
use kubetriage::snapshot::{
    CaptureSource, CapturedAt, FileInfo, KubeletConfigRecord, Location, Node, NodeRecord, ObjectRef, Snapshot,
};
use kubetriage_testgen::certs::{Ca, CertSpec, Validity, validity};
use kubetriage_testgen::keys::Key;
use time::macros::datetime;
use x509_parser::pem::Pem;

/// The capture instant every test judges at.
pub const AT: time::OffsetDateTime = datetime!(2026-11-21 09:30 UTC);

/// A long validity around [`AT`].
pub fn long() -> Validity {
    validity(2025, 1, 1, 2035, 1, 1)
}

/// An Ed25519 CA (deterministic signatures, fast to derive) with subject CN=`cn`.
pub fn ca(seed: &str, cn: &str) -> Ca {
    Ca::with_key(Key::ed25519(seed).unwrap(), CertSpec::ca(cn, long())).unwrap()
}

pub struct B {
    pub snap: Snapshot,
}

impl B {
    pub fn new() -> B {
        let mut snap = Snapshot::empty(
            "test",
            CapturedAt {
                at: AT,
                source: CaptureSource::Flag,
            },
        );
        snap.nodes.push(Node {
            name: "master-01".into(),
            root: "master-01/".into(),
            base: None,
        });
        B { snap }
    }

    fn add_pem(&mut self, text: &str, loc: Location) {
        for pem in Pem::iter_from_buffer(text.as_bytes()) {
            let pem = pem.unwrap();
            if pem.label == "CERTIFICATE" {
                self.snap.certs.add_der(&pem.contents, loc.clone()).unwrap();
            } else {
                self.snap
                    .keys
                    .add(&pem.label, &pem.contents, loc.clone())
                    .unwrap();
            }
        }
    }

    /// Another node, with its tree under `<name>/`.
    pub fn node(&mut self, name: &str) -> &mut Self {
        self.snap.nodes.push(Node {
            name: name.into(),
            root: format!("{name}/"),
            base: None,
        });
        self
    }

    /// The node whose tree holds `path` (the first node for paths outside every tree).
    fn node_of(&self, path: &str) -> Option<usize> {
        self.snap.node_of(path).or(Some(0))
    }

    /// A node file (bundle path, e.g. `master-01/etc/kubernetes/pki/ca.crt`).
    pub fn file(&mut self, path: &str, text: &str) -> &mut Self {
        let node = self.node_of(path);
        self.snap.files.insert(
            path.into(),
            FileInfo {
                node,
                size: text.len() as u64,
                ..FileInfo::default()
            },
        );
        self.add_pem(text, Location::File { path: path.into() });
        self
    }

    pub fn link(&mut self, path: &str, target: &str) -> &mut Self {
        let node = self.node_of(path);
        self.snap.files.insert(
            path.into(),
            FileInfo {
                node,
                link_target: Some(target.into()),
                ..FileInfo::default()
            },
        );
        self
    }

    pub fn secret(&mut self, ns: &str, name: &str, type_: &str, data: &[(&str, &str)]) -> &mut Self {
        let object = ObjectRef {
            namespace: ns.into(),
            kind: "Secret".into(),
            name: name.into(),
        };
        let path = "cluster/secrets.yaml".to_string();
        for (k, v) in data {
            self.add_pem(
                v,
                Location::Object {
                    object: object.clone(),
                    key: (*k).into(),
                    path: path.clone(),
                },
            );
        }
        self.snap.secrets.push(SecretObject {
            object,
            path,
            type_: type_.into(),
            annotations: Default::default(),
            data: data
                .iter()
                .map(|(k, v)| ((*k).into(), v.as_bytes().to_vec()))
                .collect(),
        });
        self
    }

    pub fn configmap(&mut self, ns: &str, name: &str, data: &[(&str, &str)]) -> &mut Self {
        let object = ObjectRef {
            namespace: ns.into(),
            kind: "ConfigMap".into(),
            name: name.into(),
        };
        let path = "cluster/configmaps.yaml".to_string();
        for (k, v) in data {
            self.add_pem(
                v,
                Location::Object {
                    object: object.clone(),
                    key: (*k).into(),
                    path: path.clone(),
                },
            );
        }
        self.snap.configmaps.push(ConfigMapObject {
            object,
            path,
            data: data.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
        });
        self
    }

    /// A kubeconfig with embedded CA and client data.
    pub fn kubeconfig(
        &mut self,
        path: &str,
        server: &str,
        ca: &str,
        cert: Option<(&str, &str)>,
    ) -> &mut Self {
        self.snap.files.insert(
            path.into(),
            FileInfo {
                node: Some(0),
                ..FileInfo::default()
            },
        );
        let field = "clusters[local].certificate-authority-data".to_string();
        self.add_pem(
            ca,
            Location::Kubeconfig {
                path: path.into(),
                field,
            },
        );
        let mut users = Vec::new();
        if let Some((c, k)) = cert {
            for (text, field) in [(c, "client-certificate-data"), (k, "client-key-data")] {
                let field = format!("users[kubelet].{field}");
                self.add_pem(
                    text,
                    Location::Kubeconfig {
                        path: path.into(),
                        field,
                    },
                );
            }
            users.push(KubeconfigUser {
                name: "kubelet".into(),
                cert_data: Some(c.as_bytes().to_vec()),
                key_data: Some(k.as_bytes().to_vec()),
                ..KubeconfigUser::default()
            });
        }
        self.snap.kubeconfigs.push(Kubeconfig {
            path: path.into(),
            current_context: "local".into(),
            clusters: vec![KubeconfigCluster {
                name: "local".into(),
                server: server.into(),
                ca_data: Some(ca.as_bytes().to_vec()),
                ..KubeconfigCluster::default()
            }],
            users,
            contexts: Default::default(),
        });
        self
    }

    pub fn pod(&mut self, path: &str, origin: PodOrigin, yaml: &str) -> &mut Self {
        let node = (origin != PodOrigin::Dump).then_some(0);
        self.snap.pods.push(PodRecord {
            path: path.into(),
            origin,
            node,
            pod: serde_yaml::from_str(yaml).unwrap(),
        });
        self
    }

    pub fn workload(&mut self, ns: &str, kind: &str, name: &str, yaml: &str) -> &mut Self {
        self.snap.workloads.push(WorkloadRecord {
            object: ObjectRef {
                namespace: ns.into(),
                kind: kind.into(),
                name: name.into(),
            },
            path: "cluster/workloads.yaml".into(),
            workload: serde_yaml::from_str(yaml).unwrap(),
        });
        self
    }

    /// A systemd unit or drop-in on the node whose tree holds `path`.
    pub fn unit(&mut self, path: &str, unit: &str, exec: &[&str], env: &[(&str, &str)]) -> &mut Self {
        self.unit_with_files(path, unit, exec, env, &[])
    }

    /// A systemd unit or drop-in that also reads `files` with `EnvironmentFile=`.
    pub fn unit_with_files(
        &mut self,
        path: &str,
        unit: &str,
        exec: &[&str],
        env: &[(&str, &str)],
        files: &[&str],
    ) -> &mut Self {
        let node = self.node_of(path);
        self.snap.units.push(SystemdUnit {
            path: path.into(),
            node,
            unit: unit.into(),
            exec_start: exec.iter().map(|s| (*s).into()).collect(),
            environment: env.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
            environment_files: files.iter().map(|s| (*s).into()).collect(),
        });
        self
    }

    /// An environment file (`kubeadm-flags.env`, `/etc/default/kubelet`) at a node path, as
    /// the bundle reader records it: a file in the tree and a unit record with only its
    /// variables.
    pub fn env_file(&mut self, path: &str, text: &str) -> &mut Self {
        let node = self.node_of(path);
        self.snap.files.insert(
            path.into(),
            FileInfo {
                node,
                size: text.len() as u64,
                ..FileInfo::default()
            },
        );
        let mut u = kubetriage::artifact::text::environment_file(path, text);
        u.node = node;
        self.snap.units.push(u);
        self
    }

    /// A Node object (dumped by `kubectl get nodes -o yaml`) with `addresses` as
    /// `(type, address)` pairs.
    pub fn k8s_node(&mut self, name: &str, addresses: &[(&str, &str)]) -> &mut Self {
        let addrs: String = addresses
            .iter()
            .map(|(t, a)| format!("    - {{type: {t}, address: \"{a}\"}}\n"))
            .collect();
        let yaml = format!(
            "metadata:\n  name: {name}\n  labels:\n    kubernetes.io/hostname: {name}\nstatus:\n  addresses:\n{addrs}"
        );
        self.snap.k8s_nodes.push(NodeRecord {
            path: "cluster/nodes.yaml".into(),
            node: serde_yaml::from_str(&yaml).unwrap(),
        });
        self
    }

    /// A KubeletConfiguration file (YAML) at a node path.
    pub fn kubelet_config(&mut self, path: &str, yaml: &str) -> &mut Self {
        let node = self.node_of(path);
        self.snap.kubelet_configs.push(KubeletConfigRecord {
            path: path.into(),
            node,
            config: serde_yaml::from_str(yaml).unwrap(),
        });
        self
    }

    /// Sorts the indexes and computes the signature graph and trust edges, as the
    /// snapshot builder does.
    pub fn finish(&mut self) -> Snapshot {
        let mut snap = self.snap.clone();
        kubetriage::facts::complete(&mut snap);
        snap
    }
}

/// Every finding of the built-in catalogue on `snap`.
pub fn findings(snap: &Snapshot) -> Vec<Finding> {
    let cat = Catalog::builtin().unwrap();
    let opts = Options {
        now: Some(AT),
        ..Options::default()
    };
    kubetriage::engine::evaluate(snap, &cat, &opts)
}

/// The findings of one rule.
pub fn of<'a>(fs: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    fs.iter().filter(|f| f.rule == rule).collect()
}

/// Findings above info, as `rule: message` lines (for assertion messages).
pub fn above_info(fs: &[Finding]) -> Vec<String> {
    fs.iter()
        .filter(|f| f.severity > Severity::Info)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect()
}

/// A kubeadm-style apiserver static pod reading /etc/kubernetes/pki through a hostPath.
pub fn kubeadm_apiserver(extra: &[&str]) -> String {
    let mut args = vec![
        "kube-apiserver",
        "--advertise-address=10.0.0.10",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
    ];
    args.extend_from_slice(extra);
    let cmd: String = args.iter().map(|a| format!("    - {a}\n")).collect();
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n{cmd}    volumeMounts:\n    - {{name: k8s-certs, mountPath: /etc/kubernetes/pki}}\n  volumes:\n  - name: k8s-certs\n    hostPath: {{path: /etc/kubernetes/pki}}\n"
    )
}

/// The SANs a kubeadm apiserver serving certificate carries.
pub const API_SANS: &[&str] = &[
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "10.96.0.1",
    "10.0.0.10",
    "master-01",
];
